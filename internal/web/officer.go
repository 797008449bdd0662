package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/registry"
	"opcert/internal/store"
)

func (s *Server) officerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /officer", s.requireStaff(s.officerQueue))
	mux.HandleFunc("GET /officer/export.xlsx", s.requireStaff(s.queueExport))
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
	// WhoMayAct: who may take the next step where the bureau separates
	// duties (待审核, 待批准).
	WhoMayAct string
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
	Search               string // 申请号, 证件号码 or name
	// Whole addresses: html/template would escape a query string inserted
	// after a literal '?'; these are built by url.Values.Encode.
	PrevURL, NextURL, ExportURL template.URL
}

// queueFilters reads the queue's filters from the address, for the page
// and for its export.
func queueFilters(r *http.Request) (*queuePage, casework.QueueQuery) {
	q := r.URL.Query()
	p := &queuePage{Status: q.Get("status"), Matter: q.Get("matter"), Item: strings.TrimSpace(q.Get("item")), Overdue: q.Get("overdue") == "1",
		DaysLeft: strings.TrimSpace(q.Get("days")), Search: strings.TrimSpace(q.Get("q")), Statuses: application.Statuses[1:], Matters: application.Matters}
	query := casework.QueueQuery{Status: p.Status, Matter: p.Matter, Item: p.Item, Overdue: p.Overdue, Search: p.Search}
	query.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = max(query.Page, 1)
	if n, err := strconv.Atoi(p.DaysLeft); err == nil && n >= 0 {
		query.DaysLeft = &n
	} else {
		p.DaysLeft = ""
	}
	return p, query
}

// address is path with the queue's filters, on page n (0: for the export,
// which has every page).
func (p *queuePage) address(path string, n int) template.URL {
	v := url.Values{"status": {p.Status}, "matter": {p.Matter}, "item": {p.Item}, "days": {p.DaysLeft}, "q": {p.Search}}
	if n > 0 {
		v.Set("page", strconv.Itoa(n))
	}
	if p.Overdue {
		v.Set("overdue", "1")
	}
	return template.URL(path + "?" + v.Encode())
}

// officerQueue is the work queue of a 受理机关, nearest legal deadline first.
func (s *Server) officerQueue(w http.ResponseWriter, r *http.Request) {
	p, query := queueFilters(r)
	rows, total, err := s.cases.Queue(r.Context(), s.actor(r), query)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.AuthorityName = "全部受理机关"
	if d, ok := s.catalog.District(scope(r)); ok {
		p.AuthorityName = d.Name + "市场监督管理局"
	}
	p.Total, p.Pages = total, (total+casework.QueuePageSize-1)/casework.QueuePageSize
	may, err := s.cases.WhoMayAct(r.Context(), s.actor(r), rows)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, row := range rows {
		qr := newQueueRow(row)
		qr.WhoMayAct = may[row.ID]
		p.Rows = append(p.Rows, qr)
	}
	if p.Page > 1 {
		p.PrevURL = p.address("/officer", p.Page-1)
	}
	if p.Page < p.Pages {
		p.NextURL = p.address("/officer", p.Page+1)
	}
	p.ExportURL = p.address("/officer/export.xlsx", 0)
	s.render(w, r, "officer_queue", p)
}

func newQueueRow(row casework.QueueRow) queueRow {
	qr := queueRow{App: row.Application, Name: row.Form.Applicant.Name, Items: strings.Join(row.Items, "、"),
		Status: application.Status(row.Status), Matter: application.Matter(row.Matter), Overdue: row.HasDue && row.DaysLeft < 0}
	switch {
	case !row.HasDue:
	case row.DaysLeft < 0:
		qr.DaysLeft = fmt.Sprintf("已超期 %d 个工作日", -row.DaysLeft)
	default:
		qr.DaysLeft = fmt.Sprintf("剩余 %d 个工作日", row.DaysLeft)
	}
	return qr
}

type officerAppPage struct {
	*wizardPage
	Holding registry.Holding
	Rows    []itemRow
	Actions []application.Action
	History []casework.HistoryLine
	Fields  []application.CorrectableField
	DueText string
	// RoutedElsewhere names the district the form now matches when it is
	// not the 受理机关 the application is with (the employer changed in a
	// 补正): the application stays, only a transfer moves it.
	RoutedElsewhere string
	Notices         []notice
	Admin           bool
	Authorities     []authorityChoice
	// Barred are the steps separation of duties keeps from this officer,
	// with the reason; WhoMayAct who may take the next step kept apart.
	Barred    []string
	WhoMayAct string
	// Typed is what the officer typed into an action's form, shown again
	// after a refusal or 返回修改 so that nothing typed is lost.
	Typed typedAction
}

// typedAction is an action's form as the officer filled it.
type typedAction struct {
	Action                             application.Action
	Reason, Opinion, Theory, Practical string
	Justification                      string
}

// For is the value typed into field of act's form, "" for another form.
func (t typedAction) For(act application.Action, field string) string {
	if t.Action != act {
		return ""
	}
	switch field {
	case "reason":
		return t.Reason
	case "opinion":
		return t.Opinion
	case "theory":
		return t.Theory
	case "practical":
		return t.Practical
	case "justification":
		return t.Justification
	}
	return ""
}

// correctionFields are the 基本信息 fields an officer can ask to correct.
var correctionFields = application.CorrectableFields

func (s *Server) officerLoad(w http.ResponseWriter, r *http.Request) (store.Application, *application.Form, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.Application{}, nil, false
	}
	c, err := s.cases.Load(r.Context(), s.actor(r), id)
	if statusOf(err) == http.StatusNotFound {
		s.notFound(w, r)
		return store.Application{}, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return store.Application{}, nil, false
	}
	return c.Application, &c.Form, true
}

func (s *Server) officerPage(r *http.Request, a store.Application, f *application.Form) (*officerAppPage, error) {
	wp, err := s.newWizardPage(r, a, f, "review")
	if err != nil {
		return nil, err
	}
	wp.ReadOnly = true
	p := &officerAppPage{wizardPage: wp, Fields: correctionFields}
	cf, err := s.cases.CaseFile(r.Context(), s.actor(r), a.ID)
	if err != nil {
		return nil, err
	}
	if cf.Found {
		p.Holding, p.Rows = cf.Holding, s.itemRows(cf.Holding)
	}
	p.Actions, p.History, p.Notices = cf.Actions, cf.History, latestNotices(cf.Notices)
	p.Barred, p.WhoMayAct = cf.Barred, cf.WhoMayAct
	if rt := f.Route(s.catalog); rt.Code != "" && rt.Code != a.AuthorityCode && a.Status != application.StatusDraft {
		p.RoutedElsewhere = rt.Name
	}
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
	// (GB/T 22239-2019 level 3 expects an audit of access to personal data).
	if err := s.cases.RecordView(r.Context(), s.actor(r), "view_application", fmt.Sprintf("application:%d", a.ID)); err != nil {
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
	s.sendMaterial(w, r, a, func() error {
		return s.cases.RecordView(r.Context(), s.actor(r), "view_material", fmt.Sprintf("application:%d/file:%s", a.ID, r.PathValue("file")))
	})
}

// officerAct performs one action through the service; a refusal shows the
// page again with the reason at its field and what was typed. A decision
// on the merits (application.NeedsConfirmation) first shows its
// confirmation: 确认 (step=confirm) does it, 返回修改 (step=back) returns to
// the case with the form as typed.
func (s *Server) officerAct(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || r.ParseForm() != nil {
		s.notFound(w, r)
		return
	}
	act := application.Action(r.PostFormValue("action"))
	in := application.Input{Reason: r.PostFormValue("reason"), Justification: r.PostFormValue("justification"),
		Theory: r.PostFormValue("theory"), Practical: r.PostFormValue("practical"), Opinion: r.PostFormValue("opinion")}
	for key := range r.PostForm {
		if target, ok := strings.CutPrefix(key, "ask-"); ok {
			in.Asks = append(in.Asks, application.CorrectionItem{Target: target, Reason: r.PostFormValue("reason-" + target)})
		}
	}
	slices.SortFunc(in.Asks, func(a, b application.CorrectionItem) int { return strings.Compare(a.Target, b.Target) })
	typed := typedAction{Action: act, Reason: in.Reason, Opinion: in.Opinion, Theory: in.Theory, Practical: in.Practical, Justification: in.Justification}
	if application.NeedsConfirmation(act) {
		switch r.PostFormValue("step") {
		case "confirm":
		case "back":
			s.officerShow(w, r, http.StatusOK, nil, typed)
			return
		default:
			s.officerConfirm(w, r, id, act, in, typed)
			return
		}
	}
	_, err = s.cases.Act(r.Context(), s.actor(r), id, versionOf(r), act, in)
	if err != nil {
		s.officerRefusedTyped(w, r, err, "action", "办理", typed)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/officer/applications/%d", id), http.StatusSeeOther)
}

type confirmPage struct {
	chrome
	Preview  casework.Preview
	Action   application.Action
	Typed    typedAction
	Version  int
	Name     string
	Matter   application.Matter
	Received string // 申请日期
}

// officerConfirm asks once more before a decision on the merits, showing
// the applicant, the items and the 审批意见 as they will be decided.
func (s *Server) officerConfirm(w http.ResponseWriter, r *http.Request, id int64, act application.Action, in application.Input, typed typedAction) {
	pv, err := s.cases.Preview(r.Context(), s.actor(r), id, act, in)
	if err != nil {
		s.officerRefusedTyped(w, r, err, "action", "办理", typed)
		return
	}
	if pv.Version != versionOf(r) {
		s.officerRefusedTyped(w, r, casework.Errorf(casework.Conflict, "该申请已被其他工作人员办理或已更新，本次操作未执行。请查看最新状态后再操作。"), "action", "办理", typed)
		return
	}
	p := &confirmPage{Preview: pv, Action: act, Typed: typed, Version: pv.Version, Name: pv.Form.Applicant.Name, Matter: pv.Form.Matter}
	if !pv.SubmittedAt.IsZero() {
		p.Received = pv.SubmittedAt.In(chinaTime()).Format("2006-01-02")
	}
	s.render(w, r, "officer_confirm", p)
}

// officerRefused shows the application again with the service's refusal at
// the form it came from.
func (s *Server) officerRefused(w http.ResponseWriter, r *http.Request, err error, field, label string) {
	s.officerRefusedTyped(w, r, err, field, label, typedAction{})
}

// officerRefusedTyped is officerRefused with the action's form as typed:
// each refusal at its field of that form (理由, 审批意见), the others at
// field.
func (s *Server) officerRefusedTyped(w http.ResponseWriter, r *http.Request, err error, field, label string, typed typedAction) {
	status := statusOf(err)
	if status == http.StatusNotFound {
		s.notFound(w, r)
		return
	}
	if status == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	var errs []fieldError
	for _, e := range casework.FieldErrors(err) {
		switch e.Field {
		case "reason", "opinion":
			errs = append(errs, fieldError{e.Field + "-" + string(typed.Action), e.Label, e.Message})
		default:
			errs = append(errs, fieldError{field, label, e.Message})
		}
	}
	s.officerShow(w, r, status, errs, typed)
}

// officerShow renders the case page with errors and the form as typed.
func (s *Server) officerShow(w http.ResponseWriter, r *http.Request, status int, errs []fieldError, typed typedAction) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	p, perr := s.officerPage(r, a, f)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Errors, p.Typed = errs, typed
	s.renderStatus(w, r, status, "officer_app", p)
}

// officerTransfer is an admin moving an application to another district
// with a reason.
func (s *Server) officerTransfer(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || r.ParseForm() != nil {
		s.notFound(w, r)
		return
	}
	if err := s.cases.Transfer(r.Context(), s.actor(r), id, versionOf(r), r.PostFormValue("to"), r.PostFormValue("reason")); err != nil {
		s.officerRefused(w, r, err, "transfer", "转办")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/officer/applications/%d", id), http.StatusSeeOther)
}

// actor is the logged-in user as the service knows them.
func (s *Server) actor(r *http.Request) casework.Actor {
	v := viewerFrom(r.Context())
	if v == nil {
		return casework.Actor{IP: s.clientIP(r)}
	}
	return casework.Actor{UserID: v.User.ID, Role: v.User.Role, AuthorityCode: v.User.AuthorityCode, InstitutionID: v.User.InstitutionID, IP: s.clientIP(r)}
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
	if err := s.cases.RecordView(r.Context(), s.actor(r), "view_photo", fmt.Sprintf("application:%d", a.ID)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sendBlob(w, r, f.PhotoKey, "")
}

// officerForm is the generated 申请表, which carries the full 证件号码, the
// phone and the photo: audited like every view of personal data.
func (s *Server) officerForm(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	if err := s.cases.RecordView(r.Context(), s.actor(r), "view_form", fmt.Sprintf("application:%d", a.ID)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sendApplicationForm(w, r, a, f)
}
