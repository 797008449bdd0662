package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/exam"
)

// The 考试机构 pages: the institution's sessions and candidates (工作台), a
// session's roster, and one candidate's places and scores.
func (s *Server) examRoutes(mux *http.ServeMux) {
	examiner := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleExaminer, h) }
	mux.HandleFunc("GET /exam", examiner(s.examDesk))
	mux.HandleFunc("POST /exam/sessions", examiner(s.examAddSession))
	mux.HandleFunc("POST /exam/assign", examiner(s.examAutoAssign))
	mux.HandleFunc("GET /exam/sessions/{id}", examiner(s.examSession))
	mux.HandleFunc("GET /exam/candidates/{id}", examiner(s.examCandidate))
	mux.HandleFunc("POST /exam/candidates/{id}/move", examiner(s.examMove))
	mux.HandleFunc("POST /exam/candidates/{id}/scores", examiner(s.examScores))
	s.scoreSheetRoutes(mux, examiner)
	mux.HandleFunc("GET /exam/candidates/{id}/notices/{kind}", examiner(func(w http.ResponseWriter, r *http.Request) {
		// Of an application's documents, exam staff see the 准考证 only.
		if r.PathValue("kind") != casework.NoticeAdmission {
			s.notFound(w, r)
			return
		}
		if a, f, ok := s.officerLoad(w, r); ok {
			s.sendNotice(w, r, a, f)
		}
	}))
}

type sessionItem struct {
	Code, Name string
	Checked    bool
}

type examDeskPage struct {
	chrome
	Desk     casework.ExamDesk
	Form     *form
	Items    []sessionItem
	Subjects []exam.Subject
	Errors   []fieldError
	Notice   string
}

// sessionFields are the 新增考试场次 inputs besides the items.
var sessionFields = []string{"subject", "date", "start", "end", "venue", "capacity"}

func (s *Server) examDesk(w http.ResponseWriter, r *http.Request) {
	p, err := s.examDeskPage(r, &form{Values: map[string]string{"start": "09:00", "end": "11:00"}}, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	if q.Has("seated") {
		p.Notice = fmt.Sprintf("自动安排完成：安排座位 %s 个，列入候补 %s 个。", q.Get("seated"), q.Get("waitlisted"))
		if n := q.Get("unplaced"); n != "" && n != "0" {
			p.Notice += fmt.Sprintf("另有 %s 名考生暂无可安排的考试场次，请新增相应项目和科目的场次。", n)
		}
	}
	s.render(w, r, "exam_desk", p)
}

func (s *Server) examDeskPage(r *http.Request, f *form, items []string) (*examDeskPage, error) {
	desk, err := s.cases.ExamDesk(r.Context(), s.actor(r))
	if err != nil {
		return nil, err
	}
	p := &examDeskPage{Desk: desk, Form: f, Subjects: exam.Subjects, Errors: f.Errors}
	for _, code := range desk.Items {
		p.Items = append(p.Items, sessionItem{Code: string(code), Name: catalog.Qualification{Code: code}.Name(s.catalog), Checked: slices.Contains(items, string(code))})
	}
	return p, nil
}

// examAddSession is 新增考试场次; a refusal shows the 工作台 again with each
// mistake at its field and what was typed kept.
func (s *Server) examAddSession(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, sessionFields...)
	in := casework.ExamSessionInput{Items: r.PostForm["items"], Subject: f.Get("subject"), Date: f.Get("date"), Start: f.Get("start"),
		End: f.Get("end"), Venue: f.Get("venue"), Capacity: f.Get("capacity")}
	if _, err := s.cases.AddExamSession(r.Context(), s.actor(r), in); err != nil {
		if statusOf(err) != http.StatusUnprocessableEntity {
			s.fail(w, r, err)
			return
		}
		f.Errors = fieldErrorsOf(err, nil)
		p, perr := s.examDeskPage(r, f, in.Items)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "exam_desk", p)
		return
	}
	http.Redirect(w, r, "/exam#sessions", http.StatusSeeOther)
}

func (s *Server) examAutoAssign(w http.ResponseWriter, r *http.Request) {
	got, err := s.cases.AutoAssign(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := url.Values{"seated": {strconv.Itoa(got.Seated)}, "waitlisted": {strconv.Itoa(got.Waitlisted)}, "unplaced": {strconv.Itoa(got.Unplaced)}}
	http.Redirect(w, r, "/exam?"+v.Encode()+"#candidates", http.StatusSeeOther)
}

type examSessionPage struct {
	chrome
	Roster casework.ExamSessionRoster
}

func (s *Server) examSession(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	roster, err := s.cases.ExamSession(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "exam_session", &examSessionPage{Roster: roster})
}

type examCandidatePage struct {
	chrome
	C      casework.ExamCandidate
	Items  string
	Scores *form
	Errors []fieldError
	Notice bool // a 准考证 was issued
	// PassMark is the pass mark in force (application.Policy).
	PassMark int
}

func (s *Server) examCandidatePage(r *http.Request, id int64, scores *form) (*examCandidatePage, error) {
	c, err := s.cases.ExamCandidate(r.Context(), s.actor(r), id)
	if err != nil {
		return nil, err
	}
	p := &examCandidatePage{C: c, Scores: scores, Errors: scores.Errors, PassMark: s.cases.PolicyNow(r.Context()).ExamPassMark}
	for i, q := range c.Candidate.Items {
		if i > 0 {
			p.Items += "、"
		}
		p.Items += q.String() + " " + q.Name(s.catalog)
	}
	notices, err := s.cases.Notices(r.Context(), s.actor(r), id)
	if err != nil {
		return nil, err
	}
	for _, n := range notices {
		p.Notice = p.Notice || n.Kind == casework.NoticeAdmission
	}
	if err := s.cases.RecordView(r.Context(), s.actor(r), "view_exam_candidate", fmt.Sprintf("application:%d", id)); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) examCandidate(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	p, err := s.examCandidatePage(r, id, &form{Values: map[string]string{}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "exam_candidate", p)
}

// examRefused shows the candidate again with the refusal at its field and
// the scores typed kept.
func (s *Server) examRefused(w http.ResponseWriter, r *http.Request, id int64, f *form, err error) {
	if status := statusOf(err); status != http.StatusUnprocessableEntity && status != http.StatusConflict {
		s.fail(w, r, err)
		return
	}
	f.Errors = fieldErrorsOf(err, nil)
	p, perr := s.examCandidatePage(r, id, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderStatus(w, r, statusOf(err), "exam_candidate", p)
}

// examMove seats a candidate by hand for one subject.
func (s *Server) examMove(w http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	subject, ok := exam.ParseSubject(r.PostFormValue("subject"))
	session, err2 := strconv.ParseInt(r.PostFormValue("session"), 10, 64)
	if err1 != nil || !ok {
		s.notFound(w, r)
		return
	}
	var err error = casework.FieldError("session", "请选择考试场次")
	if err2 == nil {
		err = s.cases.MoveCandidate(r.Context(), s.actor(r), id, session)
	}
	if err != nil {
		// The refusal is told at the subject's own choice of session.
		for _, e := range casework.FieldErrors(err) {
			if e.Field == "session" {
				e.Field, e.Label = "session-"+string(subject), subject.Label()+"考试场次"
			}
		}
		s.examRefused(w, r, id, &form{Values: map[string]string{}}, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/exam/candidates/%d", id), http.StatusSeeOther)
}

// examScores enters the scores after the exams.
func (s *Server) examScores(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	f := newForm(r, "theory", "practical")
	if _, err := s.cases.RecordScores(r.Context(), s.actor(r), id, versionOf(r), casework.ExamScores{Theory: f.Get("theory"), Practical: f.Get("practical")}); err != nil {
		s.examRefused(w, r, id, f, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/exam/candidates/%d", id), http.StatusSeeOther)
}
