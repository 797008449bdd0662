package application

import (
	"fmt"
	"slices"

	"opcert/internal/catalog"
	"opcert/internal/civil"
)

// Status is where an application stands, shared by the applicant's 办件查询
// and the officers' queue. The values are stored; Label is shown.
type Status string

const (
	StatusDraft              Status = "draft"               // 暂存
	StatusSubmitted          Status = "submitted"           // 已提交
	StatusCorrection         Status = "correction"          // 补正 (待补正)
	StatusAccepted           Status = "accepted"            // 已受理
	StatusReviewed           Status = "reviewed"            // 已审核 (待批准), where duties are separated
	StatusNotAccepted        Status = "not_accepted"        // 不予受理
	StatusExamining          Status = "examining"           // 待考试
	StatusApproved           Status = "approved"            // 准予许可
	StatusDenied             Status = "denied"              // 不予许可
	StatusAwaitingCollection Status = "awaiting_collection" // 待领证
	StatusCompleted          Status = "completed"           // 已完成
	StatusWithdrawn          Status = "withdrawn"           // 已撤回
	StatusAbandoned          Status = "abandoned"           // 视为放弃
	StatusDraftExpired       Status = "draft_expired"       // 暂存已过期
)

// Statuses in the order of an application's life.
var Statuses = []Status{
	StatusDraft, StatusSubmitted, StatusCorrection, StatusAccepted, StatusExamining, StatusReviewed,
	StatusApproved, StatusAwaitingCollection, StatusCompleted,
	StatusNotAccepted, StatusDenied, StatusWithdrawn, StatusAbandoned, StatusDraftExpired,
}

// Label is the word of the seeds' 申请状态 column (seed 000 3.5: 待领证;
// seed 001 第三部分: 已提交, 补正, 已完成).
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "暂存"
	case StatusSubmitted:
		return "已提交"
	case StatusCorrection:
		return "补正"
	case StatusAccepted:
		return "已受理"
	case StatusReviewed:
		return "已审核（待批准）"
	case StatusNotAccepted:
		return "不予受理"
	case StatusExamining:
		return "待考试"
	case StatusApproved:
		return "准予许可"
	case StatusDenied:
		return "不予许可"
	case StatusAwaitingCollection:
		return "待领证"
	case StatusCompleted:
		return "已完成"
	case StatusWithdrawn:
		return "已撤回"
	case StatusAbandoned:
		return "视为放弃"
	case StatusDraftExpired:
		return "暂存已过期"
	}
	return string(s)
}

// ParseStatus reads a stored value.
func ParseStatus(s string) (Status, bool) {
	if slices.Contains(Statuses, Status(s)) {
		return Status(s), true
	}
	return "", false
}

// Terminal reports a status no action leaves.
func (s Status) Terminal() bool {
	switch s {
	case StatusNotAccepted, StatusDenied, StatusCompleted, StatusWithdrawn, StatusAbandoned, StatusDraftExpired:
		return true
	}
	return false
}

// EditableByApplicant reports whether the applicant may change the form:
// a draft, or an application reopened for 补正 (seed 001 第三部分: a
// submitted application "可点击“查看”…但不能修改，只有收到补正通知的才能修改").
func (s Status) EditableByApplicant() bool {
	return s == StatusDraft || s == StatusCorrection
}

// Action is something done to an application.
type Action string

const (
	ActionSubmit            Action = "submit"
	ActionWithdraw          Action = "withdraw"
	ActionRequestCorrection Action = "request_correction"
	ActionResubmit          Action = "resubmit"
	ActionAccept            Action = "accept"
	// ActionAcceptForExam is 受理 of an application whose items are examined
	// after 受理 (seed 000, 2.1 注1). AcceptAction says which accept applies.
	ActionAcceptForExam Action = "accept_for_exam"
	ActionNotAccept     Action = "not_accept"
	ActionRecordExam    Action = "record_exam"
	// ActionReview is 审核 with its 初审意见, the step between 受理 and 批准
	// in a bureau that separates duties (Duties).
	ActionReview      Action = "review"
	ActionApprove     Action = "approve"
	ActionDeny        Action = "deny"
	ActionMarkCollect Action = "mark_collectable"
	ActionComplete    Action = "complete"
	ActionAbandon     Action = "abandon"
	ActionExpireDraft Action = "expire_draft"
)

// Actions lists every action.
var Actions = []Action{
	ActionSubmit, ActionWithdraw, ActionRequestCorrection, ActionResubmit, ActionAccept, ActionAcceptForExam,
	ActionNotAccept, ActionRecordExam, ActionReview, ActionApprove, ActionDeny, ActionMarkCollect, ActionComplete,
	ActionAbandon, ActionExpireDraft,
}

// Label is the action as a button or history line.
func (a Action) Label() string {
	switch a {
	case ActionSubmit:
		return "提交"
	case ActionWithdraw:
		return "撤回"
	case ActionRequestCorrection:
		return "退回补正"
	case ActionResubmit:
		return "补正后提交"
	case ActionAccept:
		return "受理"
	case ActionAcceptForExam:
		return "受理并安排考试"
	case ActionNotAccept:
		return "不予受理"
	case ActionRecordExam:
		return "录入考试结果"
	case ActionReview:
		return "审核"
	case ActionApprove:
		return "准予许可"
	case ActionDeny:
		return "不予许可"
	case ActionMarkCollect:
		return "通知领证"
	case ActionComplete:
		return "办结"
	case ActionAbandon:
		return "视为放弃"
	case ActionExpireDraft:
		return "删除过期暂存"
	}
	return string(a)
}

// Role is who acts.
type Role string

const (
	RoleApplicant Role = "applicant" // the applicant, on their own account only (no 代办)
	RoleOfficer   Role = "officer"   // an officer of the 受理机关
	RoleSystem    Role = "system"    // timed jobs and the exam system
)

// Label names the role in messages.
func (r Role) Label() string {
	switch r {
	case RoleApplicant:
		return "申请人"
	case RoleOfficer:
		return "受理机关工作人员"
	case RoleSystem:
		return "系统"
	}
	return string(r)
}

// Actor is who performs an action.
type Actor struct {
	Role Role
}

type edge struct {
	to    Status
	roles []Role
}

// graph is the whole state machine. Each row is (from, action) → to, with
// who may do it and why:
//
//	from                 action             by                to                  rule
//	draft                submit             applicant         submitted           seed 000 3.3 提交
//	draft                expire_draft       system            draft_expired       seed 000 3.5 申请信息 1 (15 days)
//	submitted            withdraw           applicant         withdrawn           before 受理 only (our rule: once accepted, the authority owes a decision, 行政许可法 第四十二条)
//	submitted            request_correction officer           correction          行政许可法 第三十二条 (四); seed 000 3.4
//	submitted            accept             officer           accepted            行政许可法 第三十二条 (五)
//	submitted            accept_for_exam    officer           examining           seed 000 2.1 注1: 新办 examined after 受理
//	submitted            not_accept         officer           not_accepted        行政许可法 第三十二条 (一)(二)
//	correction           resubmit           applicant         submitted           seed 001 第三部分: 补正 → 已提交
//	correction           withdraw           applicant         withdrawn           still before 受理
//	correction           abandon            system            abandoned           暂行规定 第十五条第（四）项: 逾期不补正视为放弃
//	examining            record_exam        officer, system   accepted            exam passed; the decision follows
//	                                                          (examining)         failed: stays for the 补考 or the 不予许可 (Decide)
//	examining            deny               officer           denied              failed with no 补考 left, or absent
//	accepted             approve            officer           approved            行政许可法 第三十八条
//	accepted             deny               officer           denied              行政许可法 第三十八条
//	accepted             review             officer           reviewed            审核 where the bureau separates duties (Duties)
//	reviewed             approve            officer           approved            批准 by a third officer (Duties)
//	reviewed             deny               officer           denied              批准 by a third officer (Duties)
//	approved             mark_collectable   officer           awaiting_collection seed 000 3.5: 待领证
//	awaiting_collection  complete           officer           completed           seed 001 第三部分: 已完成
//
// Every other pair is refused.
var graph = map[Status]map[Action]edge{
	StatusDraft: {
		ActionSubmit:      {StatusSubmitted, []Role{RoleApplicant}},
		ActionExpireDraft: {StatusDraftExpired, []Role{RoleSystem}},
	},
	StatusSubmitted: {
		ActionWithdraw:          {StatusWithdrawn, []Role{RoleApplicant}},
		ActionRequestCorrection: {StatusCorrection, []Role{RoleOfficer}},
		ActionAccept:            {StatusAccepted, []Role{RoleOfficer}},
		ActionAcceptForExam:     {StatusExamining, []Role{RoleOfficer}},
		ActionNotAccept:         {StatusNotAccepted, []Role{RoleOfficer}},
	},
	StatusCorrection: {
		ActionResubmit: {StatusSubmitted, []Role{RoleApplicant}},
		ActionWithdraw: {StatusWithdrawn, []Role{RoleApplicant}},
		ActionAbandon:  {StatusAbandoned, []Role{RoleSystem}},
	},
	StatusExamining: {
		ActionRecordExam: {StatusAccepted, []Role{RoleOfficer, RoleSystem}},
		ActionDeny:       {StatusDenied, []Role{RoleOfficer}},
	},
	StatusAccepted: {
		ActionReview:  {StatusReviewed, []Role{RoleOfficer}},
		ActionApprove: {StatusApproved, []Role{RoleOfficer}},
		ActionDeny:    {StatusDenied, []Role{RoleOfficer}},
	},
	StatusReviewed: {
		ActionApprove: {StatusApproved, []Role{RoleOfficer}},
		ActionDeny:    {StatusDenied, []Role{RoleOfficer}},
	},
	StatusApproved: {
		ActionMarkCollect: {StatusAwaitingCollection, []Role{RoleOfficer}},
	},
	StatusAwaitingCollection: {
		ActionComplete: {StatusCompleted, []Role{RoleOfficer}},
	},
}

// TransitionError is a refused action. Message is Chinese for the page;
// WrongRole distinguishes "not yours to do" (HTTP 403) from "not now" (409).
type TransitionError struct {
	From      Status
	Action    Action
	Role      Role
	WrongRole bool
	Message   string
}

func (e *TransitionError) Error() string { return e.Message }

// Transition returns the status after actor does a to an application in
// from, or a *TransitionError.
func Transition(from Status, a Action, actor Actor) (Status, error) {
	refuse := func(wrongRole bool, format string, args ...any) (Status, error) {
		return from, &TransitionError{From: from, Action: a, Role: actor.Role, WrongRole: wrongRole, Message: fmt.Sprintf(format, args...)}
	}
	if _, ok := ParseStatus(string(from)); !ok {
		return refuse(false, "申请状态“%s”无效", from)
	}
	if !slices.Contains(Actions, a) {
		return refuse(false, "未知的操作“%s”", a)
	}
	e, ok := graph[from][a]
	if !ok {
		return refuse(false, "%s", outOfTurn(from, a))
	}
	if !slices.Contains(e.roles, actor.Role) {
		return refuse(true, "%s", wrongRole(a, e.roles))
	}
	return e.to, nil
}

// Available lists the actions role may take from from, for the buttons a
// page shows.
func Available(from Status, role Role) []Action {
	var out []Action
	for _, a := range Actions {
		if e, ok := graph[from][a]; ok && slices.Contains(e.roles, role) {
			out = append(out, a)
		}
	}
	return out
}

func outOfTurn(from Status, a Action) string {
	switch {
	case from.Terminal():
		return fmt.Sprintf("申请已%s，不能再%s", endedAs(from), a.Label())
	case a == ActionWithdraw && from == StatusDraft:
		return "暂存的申请尚未提交，无需撤回，可直接删除"
	case a == ActionWithdraw:
		return "申请已受理，不能撤回"
	case a == ActionApprove && from == StatusExamining:
		return "申请尚未录入考试结果，不能作出准予许可决定"
	case a == ActionAcceptForExam || a == ActionAccept || a == ActionNotAccept || a == ActionRequestCorrection:
		if from == StatusCorrection {
			return "申请正在补正，须申请人补正后提交才能审查"
		}
		if from == StatusDraft {
			return "申请尚未提交"
		}
		return fmt.Sprintf("申请已受理（当前状态：%s），不能再%s", from.Label(), a.Label())
	case (a == ActionSubmit || a == ActionResubmit) && from != StatusDraft && from != StatusCorrection:
		return fmt.Sprintf("申请已提交（当前状态：%s），不能再%s", from.Label(), a.Label())
	}
	return fmt.Sprintf("申请当前状态为“%s”，不能%s", from.Label(), a.Label())
}

func endedAs(s Status) string {
	switch s {
	case StatusCompleted:
		return "办结"
	case StatusDraftExpired:
		return "因暂存过期删除"
	}
	return s.Label()
}

func wrongRole(a Action, roles []Role) string {
	switch roles[0] {
	case RoleApplicant:
		return fmt.Sprintf("只有申请人本人可以%s", a.Label())
	case RoleOfficer:
		return fmt.Sprintf("只有受理机关工作人员可以%s", a.Label())
	}
	return fmt.Sprintf("“%s”由系统自动处理", a.Label())
}

// NeedsExamAfterAcceptance reports whether the application is examined
// after 受理: 新办 and 增项 of general items (seed 000, 2.1 注1, 注2, 注3 for
// R3, 安全阀校验 and 客运索道, whose exams are arranged otherwise but still
// follow 受理). Welding exams are passed before applying (seed 000 关于复审
// 第3点; seed 001), so an application of welding items only is not.
func NeedsExamAfterAcceptance(m Matter, items []catalog.Qualification, cat *catalog.Catalog) bool {
	if m != MatterNew && m != MatterAdd {
		return false
	}
	if cat == nil {
		cat = catalog.Default()
	}
	for _, q := range items {
		if it, ok := cat.Item(q.Code); !ok || !it.Welding {
			return true
		}
	}
	return false
}

// AcceptAction is the 受理 action for the application: accept_for_exam when
// it is examined after 受理, accept otherwise.
func AcceptAction(m Matter, items []catalog.Qualification, cat *catalog.Catalog) Action {
	if NeedsExamAfterAcceptance(m, items, cat) {
		return ActionAcceptForExam
	}
	return ActionAccept
}

// DeadlineKind names the authority's deadline an application in this status
// runs against, as the applicant is told it: 受理 within 5 working days of
// arrival (行政许可法 第三十二条), the decision within 20 of 受理 (第四十二条).
func (s Status) DeadlineKind() string {
	switch s {
	case StatusSubmitted:
		return "受理期限"
	case StatusAccepted, StatusExamining, StatusReviewed:
		return "许可决定期限"
	case StatusCorrection:
		return "补正期限"
	}
	return "办理期限"
}

// ActionsFor lists the actions role may take on c today, for the buttons a
// page shows: the state machine's, with the one 受理 that fits the items
// (AcceptAction), no 补正 once its time is over (CorrectionTooLate), and
// 审核 only, before the decision, where the bureau separates duties
// (Duties). Whether this officer may take them is Duties.Check.
func ActionsFor(c Case, role Role, today civil.Date, cat *catalog.Catalog) []Action {
	var out []Action
	for _, act := range Available(c.Status, role) {
		if (act == ActionAccept || act == ActionAcceptForExam) && act != AcceptAction(c.Form.Matter, c.Form.Targets(cat), cat) {
			continue
		}
		if act == ActionRequestCorrection && CorrectionTooLate(c, today) {
			continue
		}
		if err := c.Duties.sequence(c.Status, act); err != nil {
			continue
		}
		out = append(out, act)
	}
	return out
}

// CorrectionTooLate reports that the time to ask for 补正 has run out: 行政许可法
// 第三十二条第一款第（四）项 requires it "当场或者在五日内" and, told later, the
// application counts as accepted from the day it arrived. Past the 受理
// deadline the officer can only 受理 or 不予受理.
func CorrectionTooLate(c Case, today civil.Date) bool {
	return c.Status == StatusSubmitted && !c.Due.IsZero() && today.After(c.Due.Date)
}
