package application

import (
	"fmt"
	"strconv"
	"strings"

	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/workday"
)

// Case is an application as a decision needs it: where it stands, what it
// says, and what the service knows around it.
type Case struct {
	Status        Status
	Number        string // 申请号; empty before the first 提交
	Form          Form
	AuthorityName string // the 受理机关 the application is with
	Due           workday.Deadline
	CorrectionDue workday.Deadline
	// Held are the holder's valid registry lines by ID (准予许可 renews or
	// reissues them).
	Held map[int64]registry.Item
	// Files counts the uploaded files by material key (提交 checks the
	// required ones).
	Files map[string]int
	// ExamAttempts are the scores already recorded for the application
	// (the 补考 rule counts them).
	ExamAttempts []ExamResult
	// Institutions are the exam institutions (提交 checks the one chosen).
	Institutions []ExamInstitution
	// Duties is the bureau's separation of duties and who did the steps it
	// keeps apart.
	Duties Duties
	// Sitting is where and when the exam took place when the exam system
	// records the score; zero when the officer records it by hand, as of
	// today at the 受理机关.
	Sitting ExamSitting
}

// ExamSitting is the exam institution that examined and the day of the
// last subject sat.
type ExamSitting struct {
	Institution string
	Date        civil.Date
}

// Input is what the actor gave with an action.
type Input struct {
	// Reason: the 理由 of 不予受理 and 不予许可, or a note to the history.
	Reason string
	// Asks: the 补正 targets ticked ("field:education", "material:id_card")
	// with the reason of each, in the page's order.
	Asks []CorrectionItem
	// Justification: why a later 补正 round asks about something the first
	// did not (一次性告知).
	Justification string
	// Theory and Practical are the exam scores as typed.
	Theory, Practical string
	// Opinion is the 审批意见 of 准予许可 and 不予许可 (and the 初审意见
	// of 审核 where the bureau separates duties).
	Opinion string
	// By is the account acting (separation of duties compares it with who
	// did the earlier steps); 0 for the system.
	By int64
}

// Env is the world a decision reads.
type Env struct {
	Today    civil.Date
	Calendar *workday.Calendar
	Policy   Policy
	Catalog  *catalog.Catalog
}

// Change is what an action does to a case: everything the service writes
// in the one transaction of the action.
type Change struct {
	Action   Action
	From, To Status
	// Form is the new form, when the action changes it.
	Form *Form
	// Due and CorrectionDue are the deadlines after the action (zero: none).
	Due, CorrectionDue workday.Deadline
	AcceptedOn         civil.Date
	DecidedOn          civil.Date
	// AssignNumber: the first 提交 gives the 申请号; AuthorityCode is the
	// 受理机关 it then goes to, fixed from then on.
	AssignNumber  bool
	AuthorityCode string
	// Items replaces the items applied for; ItemsActive, when set, marks
	// them under way (one active application per person and item) or not.
	Items       []ItemKey
	ItemsActive *bool
	// Grant is what 准予许可 writes into the registry.
	Grant *Grant
	// UseExamResults are the exam results the application cites, consumed
	// by it; ReleaseExamResults gives them back when it ends without a
	// decision on its merits (撤回, 不予受理, 视为放弃) or is refused.
	UseExamResults     []int64
	ReleaseExamResults bool
	// RecordExam is the score recorded by 录入考试成绩, passed or not.
	RecordExam *ExamResult
	// LeaveExam: the application leaves the exam undecided by it (不予许可
	// while 待考试); its seats in sessions still to come are given up.
	LeaveExam bool
	// RequireMaterials are the materials 提交 found uploaded and counts on:
	// they must still have their files when the change is written.
	RequireMaterials []string
	// Note is the history line.
	Note string
	// Opinion is the 审批意见 (or 初审意见) given with the step: kept with
	// the decision, in the history and printed in the decision.
	Opinion string
	// SMS is the message to the applicant: every change notifies (DESIGN.md).
	SMS Message
}

// ItemKey is one item an application is for.
type ItemKey struct {
	Qualification string
	WeldCode      string
}

// Message is an SMS by topic and the values of its placeholders; the
// topic's template gives the text.
type Message struct {
	Topic string
	Vars  map[string]string
}

// Decide works out what action by role does to c, or refuses: a
// *TransitionError when the action is out of turn or not the role's, a
// Problems when the input is wrong (each at its field).
func Decide(c Case, act Action, role Role, in Input, env Env) (Change, error) {
	if env.Catalog == nil {
		env.Catalog = catalog.Default()
	}
	to, err := Transition(c.Status, act, Actor{Role: role})
	if err != nil {
		return Change{}, err
	}
	if role == RoleOfficer {
		if te := c.Duties.Check(c.Status, act, in.By); te != nil {
			return Change{}, te
		}
	}
	ch := Change{Action: act, From: c.Status, To: to, Due: c.Due, CorrectionDue: c.CorrectionDue, Note: strings.TrimSpace(in.Reason)}
	vars := map[string]string{"申请号": c.Number, "事项": c.Form.Matter.Label(), "受理机关": c.AuthorityName}
	ch.SMS = Message{Topic: string(to), Vars: vars}
	inactive := false
	targets := c.Form.Targets(env.Catalog)
	switch act {
	case ActionSubmit, ActionResubmit:
		return decideSubmit(c, ch, env)
	case ActionWithdraw:
		ch.ItemsActive, ch.Due, ch.CorrectionDue = &inactive, workday.Deadline{}, workday.Deadline{}
		ch.ReleaseExamResults = true
	case ActionRequestCorrection:
		return decideCorrection(c, ch, in, env)
	case ActionAccept, ActionAcceptForExam:
		if want := AcceptAction(c.Form.Matter, targets, env.Catalog); act != want {
			return Change{}, &TransitionError{From: c.Status, Action: act, Role: role, Message: "该申请应选择“" + want.Label() + "”"}
		}
		ch.AcceptedOn, ch.Due = env.Today, workday.Deadline{}
		if act == ActionAcceptForExam {
			vars["考试安排"] = ExamNotice(targets, c.Form.ExamInstitution)
		}
		if act == ActionAccept {
			if ch.Due, err = DecisionDeadline(env.Today, 0, env.Calendar, env.Policy); err != nil {
				return Change{}, err
			}
		}
	case ActionNotAccept, ActionDeny:
		var problems Problems
		if ch.Note == "" {
			problems = append(problems, Problem{Field: "reason", Label: "理由", Message: "请填写理由"})
		}
		if ch.Opinion = strings.TrimSpace(in.Opinion); act == ActionDeny && ch.Opinion == "" {
			problems = append(problems, missingOpinion)
		}
		if len(problems) > 0 {
			return Change{}, problems
		}
		ch.ItemsActive, ch.Due, ch.DecidedOn = &inactive, workday.Deadline{}, env.Today
		ch.ReleaseExamResults = true
		ch.LeaveExam = c.Status == StatusExamining
		vars["理由"] = ch.Note
	case ActionApprove:
		if ch.Opinion = strings.TrimSpace(in.Opinion); ch.Opinion == "" {
			return Change{}, Problems{missingOpinion}
		}
		g, err := GrantFor(c.Form, c.Held, env.Today, c.AuthorityName, env.Catalog)
		if err != nil {
			return Change{}, &TransitionError{From: c.Status, Action: act, Role: role, Message: err.Error()}
		}
		ch.Grant, ch.DecidedOn, ch.Due = &g, env.Today, workday.Deadline{}
	case ActionRecordExam:
		return decideExam(c, ch, targets, in, env)
	case ActionReview:
		if ch.Opinion = strings.TrimSpace(in.Opinion); ch.Opinion == "" {
			return Change{}, Problems{{Field: "opinion", Label: "初审意见", Message: "请填写初审意见"}}
		}
	case ActionComplete:
		ch.ItemsActive = &inactive
	case ActionAbandon:
		ch.ItemsActive = &inactive
		ch.ReleaseExamResults = true
		ch.Note = "补正期限 " + c.CorrectionDue.Date.String() + " 届满未补正"
		vars["期限"] = c.CorrectionDue.Chinese()
	}
	return ch, nil
}

// missingOpinion refuses a decision on the merits without its 审批意见: the
// decision is made in writing by the 行政机关 (行政许可法 第三十七条, 第三十八条),
// and the opinion of whoever signs it off is part of the file.
var missingOpinion = Problem{Field: "opinion", Label: "审批意见", Message: "请填写审批意见"}

// NeedsConfirmation reports the actions asked twice before they are done:
// the decisions on the merits (准予许可, 不予许可), which write the registry
// or end the application and are told in a 决定书 that cannot be taken back
// by the officer.
func NeedsConfirmation(act Action) bool {
	return act == ActionApprove || act == ActionDeny
}

// decideSubmit checks every step again (自我承诺, 基本信息, required
// materials) and sends the application to the 受理机关 matched now, which
// stays fixed; the 受理 period runs from today, the day of arrival, also for
// a resubmission after 补正 (行政许可法 第三十二条第一款第（五）项).
func decideSubmit(c Case, ch Change, env Env) (Change, error) {
	f := c.Form
	problems := Problems(CheckSelfDeclaration(&f))
	problems = append(problems, CheckBasic(&f, env.Today, env.Policy, env.Catalog, c.Institutions)...)
	problems = append(problems, f.MissingMaterials(env.Catalog, c.Files)...)
	if len(problems) > 0 {
		return Change{}, problems
	}
	for _, it := range f.Items {
		for _, t := range append([]string{it.Key()}, it.Extras...) {
			ch.Items = append(ch.Items, ItemKey{Qualification: t, WeldCode: it.WeldCode})
		}
	}
	active := true
	ch.ItemsActive = &active
	for _, it := range f.Items {
		if it.ExamResultID != 0 {
			ch.UseExamResults = append(ch.UseExamResults, it.ExamResultID)
		}
	}
	for _, spec := range f.Materials(env.Catalog) {
		if spec.Required && !spec.Generated && !(spec.Key == MaterialIDCard && f.ElectronicID) {
			ch.RequireMaterials = append(ch.RequireMaterials, spec.Key)
		}
	}
	if f.Correction != nil {
		f.AskedBefore = append(f.AskedBefore, f.Correction.Targets()...)
	}
	f.Correction = nil
	ch.Form = &f
	rt := f.Route(env.Catalog)
	ch.AssignNumber = true
	if c.Status == StatusDraft {
		ch.AuthorityCode = rt.Code
		ch.SMS.Vars["受理机关"] = rt.Name
	}
	due, err := AcceptDeadline(env.Today, env.Calendar, env.Policy)
	if err != nil {
		return Change{}, err
	}
	ch.Due, ch.CorrectionDue = due, workday.Deadline{}
	if c.Status == StatusCorrection {
		ch.SMS.Topic = "resubmitted"
	}
	ch.SMS.Vars["期限"] = due.Chinese()
	return ch, nil
}

// decideCorrection is 补正: told once and completely, each item with its
// reason (行政许可法 第三十二条第一款第（四）项: 一次告知申请人需要补正的全部内容),
// with a deadline in working days (暂行规定 第十五条).
func decideCorrection(c Case, ch Change, in Input, env Env) (Change, error) {
	if CorrectionTooLate(c, env.Today) {
		return Change{}, &TransitionError{From: c.Status, Action: ActionRequestCorrection, Role: RoleOfficer,
			Message: "已超过受理审查期限（" + c.Due.Date.Chinese() + "）：依照《行政许可法》第三十二条，逾期未一次告知补正的，自收到申请材料之日起即为受理，现只能受理或不予受理"}
	}
	corr := &Correction{Notice: "BZ" + c.Number}
	for _, ask := range in.Asks {
		label, ok := c.Form.CorrectionLabel(ask.Target, env.Catalog)
		if !ok {
			continue
		}
		corr.Items = append(corr.Items, CorrectionItem{Target: ask.Target, Label: label, Reason: strings.TrimSpace(ask.Reason)})
	}
	if len(corr.Items) == 0 {
		return Change{}, Problems{{Field: "action", Label: "办理", Message: "请勾选需要补正的内容，并逐项填写补正原因（一次性告知）"}}
	}
	for _, it := range corr.Items {
		if it.Reason == "" {
			return Change{}, Problems{{Field: "action", Label: "办理", Message: "请填写“" + it.Label + "”的补正原因"}}
		}
	}
	f := c.Form
	if extra := f.NewCorrectionTargets(corr); len(extra) > 0 {
		why := strings.TrimSpace(in.Justification)
		if why == "" {
			var names []string
			for _, it := range extra {
				names = append(names, it.Label)
			}
			return Change{}, Problems{{Field: "action", Label: "办理", Message: "补正应一次性告知：本次要求补正的“" + strings.Join(names, "、") + "”在前次补正中未提出，请在“再次补正说明”中写明理由"}}
		}
		ch.Note = "再次补正说明：" + why
	}
	deadline, err := CorrectionDeadline(env.Today, env.Calendar, env.Policy)
	if err != nil {
		return Change{}, err
	}
	corr.Deadline, corr.DeadlineNote = deadline.Date.String(), deadline.Note()
	f.Correction = corr
	ch.Form = &f
	ch.CorrectionDue, ch.Due = deadline, workday.Deadline{}
	ch.SMS.Vars["期限"] = deadline.Chinese()
	return ch, nil
}

// decideExam records the exam scores of an application examined after 受理,
// passed or not. Passed, the 20 working days of the decision run from the
// day the result is in; failed, the application waits for the 补考 where
// there is one, and otherwise for the officer's 不予许可 (ExamVerdict).
func decideExam(c Case, ch Change, targets []catalog.Qualification, in Input, env Env) (Change, error) {
	theory, err1 := strconv.Atoi(strings.TrimSpace(in.Theory))
	practical, err2 := strconv.Atoi(strings.TrimSpace(in.Practical))
	if err1 != nil || (err2 != nil && strings.TrimSpace(in.Practical) != "") {
		return Change{}, Problems{{Field: "action", Label: "办理", Message: "请填写理论知识考试和实际操作技能考试成绩（0–100 的整数）"}}
	}
	out, err := ExamVerdict(targets, theory, practical, env.Policy, c.ExamAttempts)
	if err != nil {
		return Change{}, Problems{{Field: "action", Label: "办理", Message: err.Error()}}
	}
	rec := &ExamResult{ExamDate: env.Today, Theory: theory, Practical: practical, Passed: out.Passed, Institution: c.AuthorityName}
	if c.Sitting.Institution != "" {
		rec.Institution = c.Sitting.Institution
	}
	if !c.Sitting.Date.IsZero() {
		rec.ExamDate = c.Sitting.Date
	}
	if len(targets) > 0 {
		rec.Item = targets[0]
	}
	ch.RecordExam = rec
	if ch.Note == "" {
		ch.Note = fmt.Sprintf("理论 %d 分，实操 %d 分，%s", theory, practical, out.Message)
	}
	if !out.Passed {
		ch.To = StatusExamining
		ch.SMS = Message{Topic: "exam_failed", Vars: ch.SMS.Vars}
		ch.SMS.Vars["理由"] = out.Message
		return ch, nil
	}
	if ch.Due, err = DecisionDeadline(env.Today, 0, env.Calendar, env.Policy); err != nil {
		return Change{}, err
	}
	ch.SMS.Topic = "exam_recorded"
	ch.SMS.Vars["期限"] = ch.Due.Chinese()
	return ch, nil
}

// Transfer is an admin moving an application to another 受理机关, with the
// reason in the history; R3 stays with 杨浦区 (seed 000 3.2 注2).
type Transfer struct {
	To, ToName string // the district code and the 受理机关's name
	Reason     string
}

// DecideTransfer checks a transfer and gives its history note and SMS.
func DecideTransfer(c Case, t Transfer, env Env) (Change, error) {
	if env.Catalog == nil {
		env.Catalog = catalog.Default()
	}
	if _, ok := env.Catalog.District(t.To); !ok {
		return Change{}, Problems{{Field: "transfer", Label: "转办", Message: "请选择转至的受理机关"}}
	}
	reason := strings.TrimSpace(t.Reason)
	if reason == "" {
		return Change{}, Problems{{Field: "transfer", Label: "转办", Message: "请填写转办原因"}}
	}
	if c.Status == StatusDraft || c.Status.Terminal() {
		return Change{}, &TransitionError{From: c.Status, Message: "申请当前状态为“" + c.Status.Label() + "”，不能转办"}
	}
	for _, q := range c.Form.Targets(env.Catalog) {
		if isR3(q) && t.To != authority.R3Code {
			return Change{}, Problems{{Field: "transfer", Label: "转办", Message: ReasonR3 + "，不能转办"}}
		}
	}
	return Change{From: c.Status, To: c.Status, AuthorityCode: t.To, Due: c.Due, CorrectionDue: c.CorrectionDue, Note: reason,
		SMS: Message{Topic: "transferred", Vars: map[string]string{"申请号": c.Number, "事项": c.Form.Matter.Label(), "受理机关": t.ToName, "理由": reason}}}, nil
}
