package web

import (
	"fmt"
	"net/http"
	"strconv"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/store"
)

type listRow struct {
	App         store.Application
	Status      application.Status
	Matter      application.Matter
	Countdown   int
	Draft       bool
	CanEdit     bool
	CanWithdraw bool
	Correcting  bool
	// Notices are the 补正告知书 and 受理通知书 (and later documents) issued,
	// linked from the row as seed 001 第三部分 clicks them.
	Notices []notice
}

type listPage struct {
	chrome
	Rows     []listRow
	Filter   string
	Statuses []application.Status
}

// applicationList is 办件查询 (seed 000 3.5): 序号, 申请号, 申请事项, 申请类型,
// 申请日期, 编辑时间, 申请状态, 操作, with a status filter.
func (s *Server) applicationList(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	filter := r.URL.Query().Get("status")
	var statuses []string
	if _, ok := application.ParseStatus(filter); ok {
		statuses = []string{filter}
	} else {
		filter = ""
	}
	apps, err := s.store.Applications(r.Context(), v.User.ID, statuses)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &listPage{Filter: filter, Statuses: application.Statuses}
	policy := s.cases.PolicyNow(r.Context())
	for _, a := range apps {
		st := application.Status(a.Status)
		row := listRow{App: a, Status: st, Matter: application.Matter(a.Matter), Draft: st == application.StatusDraft,
			CanEdit: st.EditableByApplicant(), Correcting: st == application.StatusCorrection}
		_, err := application.Transition(st, application.ActionWithdraw, application.Actor{Role: application.RoleApplicant})
		row.CanWithdraw = err == nil
		if row.Draft {
			row.Countdown = application.DraftCountdown(civil.Of(a.UpdatedAt), s.today(), policy)
		} else if row.Notices, err = s.noticesOf(r, a.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, "applications", p)
}

type viewPage struct {
	*wizardPage
	History  []casework.HistoryLine
	Deadline string
	Notices  []notice
	Exam     casework.ApplicantExam // 考试安排
}

// deadlineSentence tells the applicant the stage and the date it is due by
// (行政许可法 第三十二条, 第四十二条; the 补正期限), with the 暂定 note when
// the date rests on a year without its holiday notice.
func deadlineSentence(a store.Application) string {
	switch {
	case a.Status == application.StatusCorrection && !a.CorrectionDue.IsZero():
		return "请在 " + a.CorrectionDue.Chinese() + " 前完成补正"
	case a.Due.IsZero():
	case a.Status == application.StatusSubmitted:
		return "受理机关应在 " + a.Due.Chinese() + " 前决定是否受理"
	case a.Status == application.StatusAccepted || a.Status == application.StatusReviewed:
		return "受理机关应在 " + a.Due.Chinese() + " 前作出是否准予许可的决定"
	}
	return ""
}

// applicationView is 查看: everything submitted, read only (seed 001 第二部分 9:
// 可点"查看"检查信息内容，但不可修改).
func (s *Server) applicationView(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	wp, err := s.newWizardPage(r, a, f, "review")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	history, err := s.cases.History(r.Context(), s.actor(r), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	notices, err := s.noticesOf(r, a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &viewPage{wizardPage: wp, History: history, Notices: notices, Deadline: deadlineSentence(a)}
	if p.Exam, err = s.cases.ExamArrangementOf(r.Context(), s.actor(r), a.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "application", p)
}

func (s *Server) applicationSubmitted(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	if a.Number == "" {
		http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/review", a.ID), http.StatusSeeOther)
		return
	}
	wp, err := s.newWizardPage(r, a, f, "review")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The stored deadline is the one that runs: from the resubmission
	// after a 补正, not from the first submission.
	p := &viewPage{wizardPage: wp, Deadline: a.Due.Chinese()}
	s.render(w, r, "submitted", p)
}

// applicationSubmit is 提交. Every step is checked again; the application
// gets its 申请号 and its items are marked under way in one transaction, so
// a second active application for the same item is refused and a double
// click cannot submit twice.
func (s *Server) applicationSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || r.ParseForm() != nil {
		s.notFound(w, r)
		return
	}
	done, err := s.cases.Act(r.Context(), s.actor(r), id, versionOf(r), application.ActionSubmit, application.Input{})
	switch code := casework.ErrorCode(err); {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/applications/%d/submitted", done.ID), http.StatusSeeOther)
	case code == casework.Invalid || casework.RelatedOf(err) != 0:
		a, f, ok := s.ownApplication(w, r)
		if !ok {
			return
		}
		p, perr := s.newWizardPage(r, a, f, "review")
		if perr != nil {
			s.serverError(w, r, perr)
			return
		}
		p.Errors, p.Conflict = fieldErrorsOf(err, nil), casework.RelatedOf(err)
		s.renderStatus(w, r, statusOf(err), "wizard", p)
	case code == casework.NotFound:
		s.notFound(w, r)
	case code != "":
		s.renderStatus(w, r, statusOf(err), "error", &errorPage{Title: "不能提交", Message: casework.ErrorMessage(err)})
	default:
		s.serverError(w, r, err)
	}
}

// versionOf is the version of the page a form was posted from; -1 when
// missing, which no application has.
func versionOf(r *http.Request) int {
	var v int
	if _, err := fmt.Sscan(r.PostFormValue("version"), &v); err != nil {
		return -1
	}
	return v
}

// applicationWithdraw is 撤回, allowed before 受理.
func (s *Server) applicationWithdraw(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || r.ParseForm() != nil {
		s.notFound(w, r)
		return
	}
	_, err = s.cases.Act(r.Context(), s.actor(r), id, versionOf(r), application.ActionWithdraw, application.Input{})
	switch code := casework.ErrorCode(err); {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/applications/%d", id), http.StatusSeeOther)
	case code == casework.NotFound:
		s.notFound(w, r)
	case code != "":
		s.renderStatus(w, r, statusOf(err), "error", &errorPage{Title: "不能撤回", Message: casework.ErrorMessage(err)})
	default:
		s.serverError(w, r, err)
	}
}
