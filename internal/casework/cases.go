package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"opcert/internal/application"
	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/notify"
	"opcert/internal/registry"
	"opcert/internal/store"
)

// Actor is who acts through the service: an applicant on their own
// applications, an officer for one 受理机关, an admin for all, or the
// system (UserID 0) for timed work.
type Actor struct {
	UserID        int64
	Role          auth.Role
	AuthorityCode string // an officer's 受理机关
	InstitutionID int64  // exam staff's 考试机构
	IP            string
}

// System is the actor of the timed jobs.
var System = Actor{Role: "system"}

func (a Actor) domainRole() application.Role {
	switch a.Role {
	case auth.RoleApplicant:
		return application.RoleApplicant
	case auth.RoleOfficer, auth.RoleAdmin:
		return application.RoleOfficer
	}
	return application.RoleSystem
}

func (a Actor) staff() bool { return a.Role == auth.RoleOfficer || a.Role == auth.RoleAdmin }

func (a Actor) examiner() bool { return a.Role == auth.RoleExaminer }

// scope is the 受理机关 whose applications the actor may see; "" for all.
func (a Actor) scope() string {
	if a.Role == auth.RoleOfficer {
		return a.AuthorityCode
	}
	return ""
}

func (a Actor) audit(action string) *audit.Entry {
	if !a.staff() && !a.examiner() {
		return nil
	}
	return &audit.Entry{ActorID: a.UserID, ActorRole: string(a.Role), Action: action, IP: a.IP}
}

// Loaded is an application with its form decoded.
type Loaded struct {
	store.Application
	Form application.Form
}

// Load gives the application to whom may see it: the applicant their own,
// an officer their 受理机关's submitted ones, an admin any submitted one.
// Anything else is NotFound, the same as an application that does not
// exist, so nothing about it leaks.
func (s *Service) Load(ctx context.Context, who Actor, id int64) (Loaded, error) {
	var a store.Application
	var err error
	switch {
	case who.Role == auth.RoleApplicant:
		a, err = s.store.ApplicationOf(ctx, id, who.UserID)
	case who.staff():
		a, err = s.store.ApplicationIn(ctx, id, who.scope())
	case who.examiner():
		return s.loadForExam(ctx, who, id)
	default:
		return Loaded{}, Errorf(NotFound, "申请不存在")
	}
	if errors.Is(err, store.ErrNotFound) {
		return Loaded{}, Errorf(NotFound, "申请不存在")
	}
	if err != nil {
		return Loaded{}, err
	}
	out := Loaded{Application: a}
	if err := json.Unmarshal(a.Data, &out.Form); err != nil {
		return Loaded{}, fmt.Errorf("application %d: form: %w", a.ID, err)
	}
	return out, nil
}

// Act performs an action on an application, decided by application.Decide
// and written in one transaction with its history line, audit entry (staff
// actions), registry grant and SMS. version is the version of the page the
// action was taken from: a change made meanwhile refuses it (Conflict), so
// two officers acting at once cannot both succeed.
func (s *Service) Act(ctx context.Context, who Actor, id int64, version int, act application.Action, in application.Input) (store.Application, error) {
	if who.examiner() {
		// Exam staff change an application only by its scores (RecordScores).
		return store.Application{}, &Error{Code: Forbidden, Field: "action", Message: "考试机构工作人员只能录入考试成绩"}
	}
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return store.Application{}, err
	}
	if act == application.ActionSubmit && c.Status == application.StatusSubmitted && c.Number != "" {
		// The first click already went through.
		return c.Application, nil
	}
	if act == application.ActionSubmit && c.Status == application.StatusCorrection {
		act = application.ActionResubmit
	}
	refused := unprintable(officerText(in)...)
	if act == application.ActionSubmit || act == application.ActionResubmit {
		// A step is saved with its problems, so that nothing typed is
		// lost: submission is the last point before a 申请号 and the
		// documents that print the text.
		refused = append(refused, unprintable(formText(&c.Form)...)...)
	}
	if len(refused) > 0 {
		return store.Application{}, Errors(refused)
	}
	ch, err := s.decide(ctx, who, c, act, in)
	if err != nil {
		return store.Application{}, err
	}
	return s.apply(ctx, who, c, version, ch)
}

// Preview is an action as it would be done, for the confirmation a
// decision asks first (application.NeedsConfirmation): the case and the
// change, nothing written.
type Preview struct {
	Loaded
	Change application.Change
	Items  []string // the items applied for, code and name
}

// Preview decides an action as Act would and writes nothing: the same
// refusals (out of turn, missing 审批意见, …) come before the confirmation
// page, not after it.
func (s *Service) Preview(ctx context.Context, who Actor, id int64, act application.Action, in application.Input) (Preview, error) {
	if !who.staff() {
		return Preview{}, &Error{Code: Forbidden, Field: "action", Message: "只有受理机关工作人员可以" + act.Label()}
	}
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return Preview{}, err
	}
	if refused := unprintable(officerText(in)...); len(refused) > 0 {
		return Preview{}, Errors(refused)
	}
	ch, err := s.decide(ctx, who, c, act, in)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Loaded: c, Change: ch}
	for _, q := range c.Form.Targets(s.catalog) {
		p.Items = append(p.Items, q.String()+" "+q.Name(s.catalog))
	}
	return p, nil
}

func (s *Service) env(ctx context.Context) (application.Env, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return application.Env{}, err
	}
	return application.Env{Today: s.today(), Calendar: cal, Policy: s.currentPolicy(ctx), Catalog: s.Catalog(ctx)}, nil
}

// decide loads what the action needs around the case and asks the domain.
func (s *Service) decide(ctx context.Context, who Actor, c Loaded, act application.Action, in application.Input) (application.Change, error) {
	return s.decideSat(ctx, who, c, act, in, application.ExamSitting{})
}

// decideSat is decide with the exam sitting a score recorded by the exam
// system comes from.
func (s *Service) decideSat(ctx context.Context, who Actor, c Loaded, act application.Action, in application.Input, sat application.ExamSitting) (application.Change, error) {
	env, err := s.env(ctx)
	if err != nil {
		return application.Change{}, err
	}
	k := application.Case{Status: application.Status(c.Status), Number: c.Number, Form: c.Form,
		AuthorityName: s.authorityName(c.AuthorityCode), Due: c.Due, CorrectionDue: c.CorrectionDue, Sitting: sat}
	// Who acts is the service's to say, never the page's.
	in.By = who.UserID
	switch act {
	case application.ActionReview, application.ActionApprove, application.ActionDeny:
		if k.Duties, _, err = s.dutiesOf(ctx, c); err != nil {
			return application.Change{}, err
		}
	}
	switch act {
	case application.ActionApprove:
		if k.Held, err = s.heldItems(ctx, c.HolderID); err != nil {
			return application.Change{}, err
		}
	case application.ActionRecordExam:
		if k.ExamAttempts, err = s.attempts(ctx, c.ID); err != nil {
			return application.Change{}, err
		}
	case application.ActionSubmit, application.ActionResubmit:
		files, err := s.store.Materials(ctx, c.ID)
		if err != nil {
			return application.Change{}, err
		}
		k.Files = map[string]int{}
		for _, m := range files {
			k.Files[m.Material]++
		}
		if k.Institutions, err = s.institutions(ctx); err != nil {
			return application.Change{}, err
		}
	}
	ch, err := application.Decide(k, act, who.domainRole(), in, env)
	return ch, refusal(err)
}

// attempts are the exam scores recorded for an application, oldest first
// (the 补考 rule counts them).
func (s *Service) attempts(ctx context.Context, appID int64) ([]application.ExamResult, error) {
	recorded, err := s.store.ExamResultsOf(ctx, appID)
	if err != nil {
		return nil, err
	}
	var out []application.ExamResult
	for _, r := range recorded {
		out = append(out, application.ExamResult{ID: r.ID, Passed: r.Passed, ExamDate: r.ExamDate,
			Theory: int(r.Theory.Int64), Practical: int(r.Practical.Int64), Institution: r.Institution})
	}
	return out, nil
}

// heldItems are the holder's valid registry lines by ID.
func (s *Service) heldItems(ctx context.Context, holderID int64) (map[int64]registry.Item, error) {
	holder, err := s.store.HolderByID(ctx, holderID)
	if err != nil {
		return nil, err
	}
	held := map[int64]registry.Item{}
	h, err := s.store.HoldingByIDNumber(ctx, holder.IDNumber)
	if errors.Is(err, store.ErrNotFound) {
		return held, nil
	}
	if err != nil {
		return nil, err
	}
	for _, it := range h.Items() {
		if it.Status == registry.ItemValid {
			held[it.ID] = it
		}
	}
	return held, nil
}

// refusal turns the domain's refusals into the service's coded errors.
func refusal(err error) error {
	var te *application.TransitionError
	var ps application.Problems
	var p application.Problem
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		if te.WrongRole {
			return &Error{Code: Forbidden, Field: "action", Message: te.Message}
		}
		return &Error{Code: Conflict, Field: "action", Message: te.Message}
	case errors.As(err, &ps):
		list := make([]*Error, len(ps))
		for i, p := range ps {
			list[i] = &Error{Code: Invalid, Field: p.Field, Label: p.Label, Message: p.Message}
		}
		return Errors(list)
	case errors.As(err, &p):
		return &Error{Code: Invalid, Field: p.Field, Label: p.Label, Message: p.Message}
	}
	return err
}

// apply writes a decided change.
func (s *Service) apply(ctx context.Context, who Actor, c Loaded, version int, ch application.Change) (store.Application, error) {
	t, err := s.transition(ctx, who, c, version, ch)
	if err != nil {
		return store.Application{}, err
	}
	out, err := s.store.Apply(ctx, t)
	if err := s.applyRefusal(who, err); err != nil {
		return out, err
	}
	s.log.Info("application changed", "application_id", c.ID, "action", ch.Action, "from", ch.From, "to", ch.To, "actor_id", who.UserID)
	return out, nil
}

// transition is the store's form of a decided change.
func (s *Service) transition(ctx context.Context, who Actor, c Loaded, version int, ch application.Change) (store.Transition, error) {
	t := store.Transition{ID: c.ID, ActorID: who.UserID, Version: version, From: []string{string(ch.From)}, To: string(ch.To),
		Action: string(ch.Action), Note: ch.Note, AssignNumber: ch.AssignNumber, SetAuthority: ch.AuthorityCode,
		Due: ch.Due, CorrectionDue: ch.CorrectionDue, AcceptedOn: ch.AcceptedOn, DecidedOn: ch.DecidedOn,
		ItemsActive: ch.ItemsActive, AuthorityCode: who.scope(), SMSTopic: ch.SMS.Topic, Audit: who.audit(string(ch.Action)), Opinion: ch.Opinion}
	if !ch.DecidedOn.IsZero() {
		t.DecisionOpinion = ch.Opinion
	}
	if who.Role == auth.RoleApplicant {
		t.ApplicantID = who.UserID
	}
	if ch.Form != nil {
		data, err := json.Marshal(ch.Form)
		if err != nil {
			return store.Transition{}, err
		}
		t.Data = data
	}
	if ch.Items != nil {
		t.Items = []store.AppItem{}
		for _, it := range ch.Items {
			t.Items = append(t.Items, store.AppItem{Qualification: it.Qualification, WeldCode: it.WeldCode})
		}
	}
	if ch.Grant != nil {
		t.Grant = &store.Grant{Items: ch.Grant.Items, Supersede: ch.Grant.Supersede}
	}
	t.UseExamResults, t.ReleaseExamResults, t.RequireMaterials = ch.UseExamResults, ch.ReleaseExamResults, ch.RequireMaterials
	if ch.Action == application.ActionSubmit || ch.Action == application.ActionResubmit {
		// Each submission says anew which 单位 may follow the items.
		form := c.Form
		if ch.Form != nil {
			form = *ch.Form
		}
		t.UnitWorker = &store.UnitWorker{CreditCode: form.Employer.SharedUnit()}
	}
	if ch.LeaveExam {
		t.LeaveExamAfter = s.today()
	}
	if r := ch.RecordExam; r != nil {
		t.RecordExam = &store.ExamResult{Qualification: r.Item.String(), WeldCode: r.WeldCode, ExamDate: r.ExamDate, Passed: r.Passed,
			Theory: sql.NullInt64{Int64: int64(r.Theory), Valid: true}, Practical: sql.NullInt64{Int64: int64(r.Practical), Valid: true}, Institution: r.Institution}
	}
	t.SMSFor = s.message(ctx, ch.SMS)
	notices, err := s.noticesFor(ctx, c, ch)
	if err != nil {
		return store.Transition{}, err
	}
	t.Notices = notices
	return t, nil
}

// applyRefusal is the service's refusal for what the store met writing a
// change, nil for none.
func (s *Service) applyRefusal(who Actor, err error) error {
	var other *store.ActiveConflict
	switch {
	case errors.As(err, &other):
		return &Error{Code: Conflict, Field: "items", Label: "作业项目", Message: other.Error(), Related: other.ApplicationID}
	case errors.Is(err, store.ErrMaterialsChanged):
		return &Error{Code: Conflict, Field: "materials", Label: "申请材料", Message: err.Error()}
	case errors.Is(err, store.ErrExamResultTaken):
		return &Error{Code: Conflict, Field: "items", Label: "作业项目", Message: store.ErrExamResultTaken.Error()}
	case errors.Is(err, store.ErrStale):
		if who.staff() {
			return Errorf(Conflict, "该申请已被其他工作人员办理或已更新，本次操作未执行。请查看最新状态后再操作。")
		}
		return Errorf(Conflict, "%s", store.ErrStale.Error())
	case errors.Is(err, store.ErrNotFound):
		return Errorf(NotFound, "申请不存在")
	}
	return err
}

// message renders m with the topic's template once the 申请号 is known. The
// template is read before the transaction begins, so the transaction does
// not wait on another read.
func (s *Service) message(ctx context.Context, m application.Message) func(number string) string {
	if m.Topic == "" {
		return nil
	}
	render := notify.Renderer(ctx, s.store, m.Topic)
	return func(number string) string {
		vars := map[string]string{}
		for k, v := range m.Vars {
			vars[k] = v
		}
		vars["申请号"] = number
		return render(vars)
	}
}

// Transfer moves an application to another 受理机关: an admin's decision,
// with its reason in the history and the audit log, told to the applicant.
func (s *Service) Transfer(ctx context.Context, who Actor, id int64, version int, to, reason string) error {
	if who.Role != auth.RoleAdmin {
		return &Error{Code: Forbidden, Field: "transfer", Label: "转办", Message: "只有系统管理员可以转办申请"}
	}
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return err
	}
	env, err := s.env(ctx)
	if err != nil {
		return err
	}
	k := application.Case{Status: application.Status(c.Status), Number: c.Number, Form: c.Form, AuthorityName: s.authorityName(c.AuthorityCode)}
	ch, err := application.DecideTransfer(k, application.Transfer{To: to, ToName: s.authorityName(to), Reason: reason}, env)
	if err != nil {
		return refusal(err)
	}
	var sms string
	if render := s.message(ctx, ch.SMS); render != nil {
		sms = render(c.Number)
	}
	err = s.store.Transfer(ctx, c.ID, version, ch.AuthorityCode, who.UserID, ch.Note, *who.audit("transfer"), sms)
	if errors.Is(err, store.ErrStale) {
		return &Error{Code: Conflict, Field: "transfer", Label: "转办", Message: "该申请已被其他工作人员办理或已更新，请刷新后重试"}
	}
	return err
}

// AbandonOverdueCorrections ends the applications whose 补正 deadline has
// passed (seed 000 3.5 申请信息 2: 如无正当理由逾期不予补正的，视为放弃行政许可
// 申请), frees their items and tells the applicants. One changed meanwhile
// (resubmitted at the last minute) is left alone. It returns how many it
// ended.
func (s *Service) AbandonOverdueCorrections(ctx context.Context) (int, error) {
	apps, err := s.store.OverdueCorrections(ctx, s.today())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range apps {
		c := Loaded{Application: a}
		if err := json.Unmarshal(a.Data, &c.Form); err != nil {
			return n, fmt.Errorf("application %d: form: %w", a.ID, err)
		}
		ch, err := s.decide(ctx, System, c, application.ActionAbandon, application.Input{})
		if err != nil {
			return n, err
		}
		_, err = s.apply(ctx, System, c, a.Version, ch)
		if ErrorCode(err) == Conflict {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ExpireDrafts deletes the drafts kept past their 15 days (seed 000 3.5:
// 暂存倒计时为负时，系统将自动进行删除), telling each applicant, and returns
// them with their files for the caller to delete from the file store.
func (s *Service) ExpireDrafts(ctx context.Context) ([]store.ExpiredDraft, error) {
	render := notify.Renderer(ctx, s.store, "draft_expired")
	return s.store.DeleteExpiredDrafts(ctx, s.today(), func(d store.ExpiredDraft) string {
		return render(map[string]string{"事项": application.Matter(d.Matter).Label()})
	})
}

// Notices lists the documents issued for an application, to whom may see it.
func (s *Service) Notices(ctx context.Context, who Actor, id int64) ([]store.Notice, error) {
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return nil, err
	}
	return s.store.Notices(ctx, c.ID)
}
