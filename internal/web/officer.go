package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/workday"
)

func (s *Server) officerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /officer", s.requireStaff(s.officerQueue))
	mux.HandleFunc("GET /officer/applications/{id}", s.requireStaff(s.officerApplication))
	mux.HandleFunc("GET /officer/applications/{id}/files/{file}", s.requireStaff(s.officerFile))
	mux.HandleFunc("GET /officer/applications/{id}/photo", s.requireStaff(s.officerPhoto))
	mux.HandleFunc("GET /officer/applications/{id}/form.pdf", s.requireStaff(s.officerForm))
	mux.HandleFunc("POST /officer/applications/{id}/act", s.requireStaff(s.officerAct))
	mux.HandleFunc("POST /officer/applications/{id}/transfer", s.requireStaff(s.officerTransfer))
}

// requireStaff admits officers (their own 受理机关's work only) and admins
// (every district).
func (s *Server) requireStaff(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		if v == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if v.User.Role != auth.RoleOfficer && v.User.Role != auth.RoleAdmin {
			s.renderStatus(w, r, http.StatusForbidden, "error", &errorPage{Title: "无权访问", Message: "只有受理机关工作人员可以使用此功能。"})
			return
		}
		h(w, r)
	}
}

// scope is the 受理机关 an account acts for; "" for an admin.
func scope(r *http.Request) string {
	v := viewerFrom(r.Context())
	if v.User.Role == auth.RoleAdmin {
		return ""
	}
	return v.User.AuthorityCode
}

type queueRow struct {
	App      store.Application
	Name     string
	Items    string
	Status   application.Status
	Matter   application.Matter
	DaysLeft string
	Overdue  bool
}

type queuePage struct {
	chrome
	Rows                 []queueRow
	Total, Page, Pages   int
	Status, Matter, Item string
	Overdue              bool
	DaysLeft             string // at most this many working days left
	Statuses             []application.Status
	Matters              []application.Matter
	AuthorityName        string
	PrevQuery, NextQuery string
}

// officerQueue is the work queue of a 受理机关, nearest legal deadline first.
func (s *Server) officerQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := &queuePage{Status: q.Get("status"), Matter: q.Get("matter"), Item: strings.TrimSpace(q.Get("item")), Overdue: q.Get("overdue") == "1",
		DaysLeft: strings.TrimSpace(q.Get("days")),
		Statuses: application.Statuses[1:], Matters: application.Matters}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	if p.Page < 1 {
		p.Page = 1
	}
	f := store.QueueFilter{AuthorityCode: scope(r), Matter: p.Matter, Item: p.Item, Page: p.Page, Size: 50}
	if _, ok := application.ParseStatus(p.Status); ok {
		f.Statuses = []string{p.Status}
	}
	today := s.today()
	cal, err := s.cases.Calendar(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Overdue {
		f.OverdueOn = today
	}
	if n, err := strconv.Atoi(p.DaysLeft); err == nil && n >= 0 {
		if by, err := application.DueWithin(today, n, cal); err == nil {
			f.DueBy = by
		}
	} else {
		p.DaysLeft = ""
	}
	apps, total, err := s.store.Queue(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if code := scope(r); code != "" {
		if d, ok := s.catalog.District(code); ok {
			p.AuthorityName = d.Name + "市场监督管理局"
		}
	} else {
		p.AuthorityName = "全部受理机关"
	}
	p.Total, p.Pages = total, (total+49)/50
	for _, a := range apps {
		var form application.Form
		json.Unmarshal(a.Data, &form)
		var items []string
		for _, it := range form.Items {
			items = append(items, it.Target)
		}
		row := queueRow{App: a, Name: form.Applicant.Name, Items: strings.Join(items, "、"), Status: application.Status(a.Status), Matter: application.Matter(a.Matter)}
		if !a.Due.IsZero() {
			if n, err := application.DaysLeft(a.Due.Date, today, cal); err == nil {
				row.Overdue = n < 0
				if n < 0 {
					row.DaysLeft = fmt.Sprintf("已超期 %d 个工作日", -n)
				} else {
					row.DaysLeft = fmt.Sprintf("剩余 %d 个工作日", n)
				}
			}
		}
		p.Rows = append(p.Rows, row)
	}
	page := func(n int) string {
		v := url.Values{"status": {p.Status}, "matter": {p.Matter}, "item": {p.Item}, "days": {p.DaysLeft}, "page": {strconv.Itoa(n)}}
		if p.Overdue {
			v.Set("overdue", "1")
		}
		return v.Encode()
	}
	if p.Page > 1 {
		p.PrevQuery = page(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.NextQuery = page(p.Page + 1)
	}
	s.render(w, r, "officer_queue", p)
}

type officerAppPage struct {
	*wizardPage
	Holding     registry.Holding
	Rows        []itemRow
	Actions     []application.Action
	Events      []store.Event
	Fields      []correctionTarget
	DueText     string
	Notices     []notice
	Admin       bool
	Authorities []authorityChoice
}

type correctionTarget struct{ Target, Label string }

// correctionFields are the 基本信息 fields an officer can ask to correct.
var correctionFields = []correctionTarget{
	{"field:incident", "自我承诺"}, {"field:photo", "照片"}, {"field:education", "学历"}, {"field:title", "技术职称"},
	{"field:school", "毕业院校"}, {"field:major", "专业"}, {"field:employer", "单位信息"}, {"field:household", "户籍地址/居住证地址"},
	{"field:postcode", "邮政编码"}, {"field:mobile", "移动电话"}, {"field:work_history", "工作经历"},
}

func (s *Server) officerLoad(w http.ResponseWriter, r *http.Request) (store.Application, *application.Form, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.Application{}, nil, false
	}
	a, err := s.store.ApplicationIn(r.Context(), id, scope(r))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return a, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return a, nil, false
	}
	var f application.Form
	if err := json.Unmarshal(a.Data, &f); err != nil {
		s.serverError(w, r, err)
		return a, nil, false
	}
	return a, &f, true
}

func (s *Server) officerPage(r *http.Request, a store.Application, f *application.Form) (*officerAppPage, error) {
	wp, err := s.newWizardPage(r, a, f, "review")
	if err != nil {
		return nil, err
	}
	wp.ReadOnly = true
	p := &officerAppPage{wizardPage: wp, Fields: correctionFields}
	holder, err := s.store.HolderByID(r.Context(), a.HolderID)
	if err != nil {
		return nil, err
	}
	if h, err := s.store.HoldingByIDNumber(r.Context(), holder.IDNumber); err == nil {
		p.Holding = h
		p.Rows = s.itemRows(h)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	for _, act := range application.Available(application.Status(a.Status), application.RoleOfficer) {
		switch act {
		case application.ActionAccept, application.ActionAcceptForExam:
			if act != application.AcceptAction(f.Matter, s.targets(f), s.catalog) {
				continue
			}
		}
		p.Actions = append(p.Actions, act)
	}
	if p.Events, err = s.store.Events(r.Context(), a.ID); err != nil {
		return nil, err
	}
	p.Notices = noticesOf(p.Events)
	if v := viewerFrom(r.Context()); v != nil && v.User.Role == auth.RoleAdmin {
		p.Admin = true
		for _, x := range p.wizardPage.Authorities {
			x.Selected = x.Code == a.AuthorityCode
			p.Authorities = append(p.Authorities, x)
		}
	}
	if !a.Due.IsZero() {
		cal, err := s.cases.Calendar(r.Context())
		if err != nil {
			return nil, err
		}
		if n, err := application.DaysLeft(a.Due.Date, s.today(), cal); err == nil {
			p.DueText = fmt.Sprintf("法定期限 %s（剩余 %d 个工作日）", a.Due.Chinese(), n)
			if n < 0 {
				p.DueText = fmt.Sprintf("法定期限 %s（已超期 %d 个工作日）", a.Due.Chinese(), -n)
			}
		}
	}
	return p, nil
}

func (s *Server) officerApplication(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	p, err := s.officerPage(r, a, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Every view of an applicant's personal data by an officer is audited
	// (issue 4, Audit).
	if _, err := s.store.AppendAudit(r.Context(), s.auditEntry(r, "view_application", fmt.Sprintf("application:%d", a.ID))); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "officer_app", p)
}

func (s *Server) officerFile(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	if _, err := s.store.AppendAudit(r.Context(), s.auditEntry(r, "view_material", fmt.Sprintf("application:%d/file:%s", a.ID, r.PathValue("file")))); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sendMaterial(w, r, a)
}

// officerAct performs one action, checked against the state machine; two
// officers acting at once cannot both succeed (the version of the page).
func (s *Server) officerAct(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r)
		return
	}
	v := viewerFrom(r.Context())
	act := application.Action(r.PostFormValue("action"))
	from := application.Status(a.Status)
	to, err := application.Transition(from, act, application.Actor{Role: application.RoleOfficer})
	refuse := func(status int, msg string) {
		p, perr := s.officerPage(r, a, f)
		if perr != nil {
			s.serverError(w, r, perr)
			return
		}
		p.Errors = []fieldError{{"action", "办理", msg}}
		s.renderStatus(w, r, status, "officer_app", p)
	}
	if err != nil {
		refuse(http.StatusConflict, err.Error())
		return
	}
	if (act == application.ActionAccept || act == application.ActionAcceptForExam) && act != application.AcceptAction(f.Matter, s.targets(f), s.catalog) {
		refuse(http.StatusConflict, "该申请应选择“"+application.AcceptAction(f.Matter, s.targets(f), s.catalog).Label()+"”")
		return
	}
	today := s.today()
	cal, err := s.cases.Calendar(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rt := s.route(f)
	t := store.Transition{ID: a.ID, ActorID: v.User.ID, Version: versionOf(r, a), From: []string{string(from)}, To: string(to),
		Action: string(act), AuthorityCode: scope(r), SMSTopic: string(to), Due: a.Due}
	note := strings.TrimSpace(r.PostFormValue("reason"))
	vars := map[string]string{"申请号": a.Number, "事项": f.Matter.Label(), "受理机关": rt.Name}
	sms := func(topic string) { t.SMS = s.smsText(r.Context(), topic, vars) }
	switch act {
	case application.ActionRequestCorrection:
		c := &application.Correction{Notice: "BZ" + a.Number}
		for _, ct := range correctionFields {
			if r.PostFormValue("ask-"+ct.Target) != "" {
				c.Items = append(c.Items, application.CorrectionItem{Target: ct.Target, Label: ct.Label, Reason: strings.TrimSpace(r.PostFormValue("reason-" + ct.Target))})
			}
		}
		for _, m := range s.materialSpecs(f) {
			target := "material:" + m.Key
			if r.PostFormValue("ask-"+target) != "" {
				c.Items = append(c.Items, application.CorrectionItem{Target: target, Label: m.Name, Reason: strings.TrimSpace(r.PostFormValue("reason-" + target))})
			}
		}
		if len(c.Items) == 0 {
			refuse(http.StatusUnprocessableEntity, "请勾选需要补正的内容，并逐项填写补正原因（一次性告知）")
			return
		}
		for _, it := range c.Items {
			if it.Reason == "" {
				refuse(http.StatusUnprocessableEntity, "请填写“"+it.Label+"”的补正原因")
				return
			}
		}
		if extra := f.NewCorrectionTargets(c); len(extra) > 0 {
			why := strings.TrimSpace(r.PostFormValue("justification"))
			if why == "" {
				var names []string
				for _, it := range extra {
					names = append(names, it.Label)
				}
				refuse(http.StatusUnprocessableEntity, "补正应一次性告知：本次要求补正的“"+strings.Join(names, "、")+"”在前次补正中未提出，请在“再次补正说明”中写明理由")
				return
			}
			note = "再次补正说明：" + why
		}
		deadline, err := application.CorrectionDeadline(today, cal, s.policy)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		c.Deadline = deadline.Date.String()
		c.DeadlineNote = deadline.Note()
		f.Correction = c
		t.Data, _ = json.Marshal(f)
		t.CorrectionDue, t.Due = deadline, workday.Deadline{}
		vars["期限"] = deadline.Chinese()
		sms(string(to))
	case application.ActionAccept, application.ActionAcceptForExam:
		t.AcceptedOn = today
		if act == application.ActionAccept {
			due, err := application.DecisionDeadline(today, 0, cal, s.policy)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			t.Due = due
		} else {
			t.Due = workday.Deadline{}
		}
		sms(string(to))
	case application.ActionNotAccept, application.ActionDeny:
		if note == "" {
			refuse(http.StatusUnprocessableEntity, "请填写理由")
			return
		}
		inactive := false
		t.ItemsActive, t.Due, t.DecidedOn = &inactive, workday.Deadline{}, today
		vars["理由"] = note
		sms(string(to))
	case application.ActionApprove:
		held := map[int64]registry.Item{}
		holder, err := s.store.HolderByID(r.Context(), a.HolderID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if h, err := s.store.HoldingByIDNumber(r.Context(), holder.IDNumber); err == nil {
			for _, it := range h.Items() {
				if it.Status == registry.ItemValid {
					held[it.ID] = it
				}
			}
		}
		g, err := application.GrantFor(*f, held, today, rt.Name, s.catalog)
		if err != nil {
			refuse(http.StatusConflict, err.Error())
			return
		}
		t.Grant = &store.Grant{Items: g.Items, Supersede: g.Supersede}
		t.DecidedOn, t.Due = today, workday.Deadline{}
		sms(string(to))
	case application.ActionRecordExam:
		theory, err1 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("theory")))
		practical, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("practical")))
		if err1 != nil || (err2 != nil && strings.TrimSpace(r.PostFormValue("practical")) != "") {
			refuse(http.StatusUnprocessableEntity, "请填写理论知识考试和实际操作技能考试成绩（0–100 的整数）")
			return
		}
		out, err := application.CheckExamScores(s.targets(f), theory, practical, s.policy)
		if err != nil {
			refuse(http.StatusUnprocessableEntity, err.Error())
			return
		}
		if !out.Passed {
			refuse(http.StatusUnprocessableEntity, out.Message+"：不能记录为合格。单科不合格可补考一次；无补考机会的，请作出不予许可决定")
			return
		}
		due, err := application.DecisionDeadline(today, 0, cal, s.policy)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		t.Due = due
		if note == "" {
			note = fmt.Sprintf("理论 %d 分，实操 %d 分，考试合格", theory, practical)
		}
	case application.ActionMarkCollect:
		sms(string(to))
	case application.ActionComplete:
		inactive := false
		t.ItemsActive = &inactive
		sms(string(to))
	}
	t.Note = note
	e := s.auditEntry(r, string(act), "")
	t.Audit = &e
	_, err = s.store.Apply(r.Context(), t)
	switch {
	case errors.Is(err, store.ErrStale):
		refuse(http.StatusConflict, "该申请已被其他工作人员办理或已更新，本次操作未执行。请查看最新状态后再操作。")
		return
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.log.Info("officer action", "user_id", v.User.ID, "application_id", a.ID, "action", act, "to", to)
	http.Redirect(w, r, fmt.Sprintf("/officer/applications/%d", a.ID), http.StatusSeeOther)
}

// officerTransfer is an admin moving an application to another district
// with a reason. R3 stays with 杨浦区 (seed 000 3.2 注2).
func (s *Server) officerTransfer(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	v := viewerFrom(r.Context())
	refuse := func(status int, msg string) {
		p, err := s.officerPage(r, a, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = []fieldError{{"transfer", "转办", msg}}
		s.renderStatus(w, r, status, "officer_app", p)
	}
	if v.User.Role != auth.RoleAdmin {
		refuse(http.StatusForbidden, "只有系统管理员可以转办申请")
		return
	}
	to, reason := r.PostFormValue("to"), strings.TrimSpace(r.PostFormValue("reason"))
	if _, ok := s.catalog.District(to); !ok {
		refuse(http.StatusUnprocessableEntity, "请选择转至的受理机关")
		return
	}
	if reason == "" {
		refuse(http.StatusUnprocessableEntity, "请填写转办原因")
		return
	}
	for _, q := range s.targets(f) {
		if q.Code == "R3" && to != authority.R3Code {
			refuse(http.StatusUnprocessableEntity, application.ReasonR3+"，不能转办")
			return
		}
	}
	err := s.store.Transfer(r.Context(), a.ID, versionOf(r, a), to, v.User.ID, reason, s.auditEntry(r, "transfer", ""))
	if errors.Is(err, store.ErrStale) {
		refuse(http.StatusConflict, "该申请已被其他工作人员办理或已更新，请刷新后重试")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/officer/applications/%d", a.ID), http.StatusSeeOther)
}

// auditEntry starts an audit line for the logged-in staff member.
func (s *Server) auditEntry(r *http.Request, action, subject string) audit.Entry {
	v := viewerFrom(r.Context())
	return audit.Entry{ActorID: v.User.ID, ActorRole: string(v.User.Role), Action: action, Subject: subject, IP: clientIP(r)}
}

func (s *Server) officerPhoto(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	if f.PhotoKey == "" {
		s.notFound(w, r)
		return
	}
	if _, err := s.store.AppendAudit(r.Context(), s.auditEntry(r, "view_photo", fmt.Sprintf("application:%d", a.ID))); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sendBlob(w, r, f.PhotoKey, "")
}

func (s *Server) officerForm(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	s.sendApplicationForm(w, r, a, f)
}
