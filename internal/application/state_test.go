package application

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"

	"opcert/internal/catalog"
)

// row is one permitted transition, written out again here independently of
// the graph in state.go, with the rule behind it.
type row struct {
	from  Status
	a     Action
	roles []Role
	to    Status
	rule  string
}

var permitted = []row{
	{StatusDraft, ActionSubmit, []Role{RoleApplicant}, StatusSubmitted, "seed 000 3.3: 提交"},
	{StatusDraft, ActionExpireDraft, []Role{RoleSystem}, StatusDraftExpired, "seed 000 3.5 申请信息 1: 暂存15天后删除"},
	{StatusSubmitted, ActionWithdraw, []Role{RoleApplicant}, StatusWithdrawn, "withdraw before 受理"},
	{StatusSubmitted, ActionRequestCorrection, []Role{RoleOfficer}, StatusCorrection, "行政许可法 第三十二条 (四); seed 000 3.4"},
	{StatusSubmitted, ActionAccept, []Role{RoleOfficer}, StatusAccepted, "行政许可法 第三十二条 (五)"},
	{StatusSubmitted, ActionAcceptForExam, []Role{RoleOfficer}, StatusExamining, "seed 000 2.1 注1: 受理后考试"},
	{StatusSubmitted, ActionNotAccept, []Role{RoleOfficer}, StatusNotAccepted, "行政许可法 第三十二条"},
	{StatusCorrection, ActionResubmit, []Role{RoleApplicant}, StatusSubmitted, "seed 001 第三部分: 补正后提交 → 已提交"},
	{StatusCorrection, ActionWithdraw, []Role{RoleApplicant}, StatusWithdrawn, "still before 受理"},
	{StatusCorrection, ActionAbandon, []Role{RoleSystem}, StatusAbandoned, "暂行规定 第十五条第（四）项: 逾期不补正视为放弃"},
	{StatusExamining, ActionRecordExam, []Role{RoleOfficer, RoleSystem}, StatusAccepted, "officer records scores until the exam system reports"},
	{StatusExamining, ActionDeny, []Role{RoleOfficer}, StatusDenied, "exam failed, no 补考 left"},
	{StatusAccepted, ActionApprove, []Role{RoleOfficer}, StatusApproved, "行政许可法 第三十八条"},
	{StatusAccepted, ActionDeny, []Role{RoleOfficer}, StatusDenied, "行政许可法 第三十八条"},
	{StatusAccepted, ActionReview, []Role{RoleOfficer}, StatusReviewed, "审核, where the bureau separates duties (Duties)"},
	{StatusReviewed, ActionApprove, []Role{RoleOfficer}, StatusApproved, "批准 after 审核 (Duties)"},
	{StatusReviewed, ActionDeny, []Role{RoleOfficer}, StatusDenied, "批准 after 审核 (Duties)"},
	{StatusApproved, ActionMarkCollect, []Role{RoleOfficer}, StatusAwaitingCollection, "seed 000 3.5: 待领证"},
	{StatusAwaitingCollection, ActionComplete, []Role{RoleOfficer}, StatusCompleted, "seed 001 第三部分: 已完成"},
}

var roles = []Role{RoleApplicant, RoleOfficer, RoleSystem}

// TestTransitionEveryPair tries every (status, action, role): the permitted
// rows succeed, the same rows by another role fail with WrongRole, and every
// other pair fails as out of turn.
func TestTransitionEveryPair(t *testing.T) {
	if len(Statuses) != 14 || len(Actions) != 15 {
		t.Fatalf("%d statuses, %d actions: update this test with the new ones", len(Statuses), len(Actions))
	}
	for _, from := range Statuses {
		for _, a := range Actions {
			k := slices.IndexFunc(permitted, func(r row) bool { return r.from == from && r.a == a })
			for _, role := range roles {
				got, err := Transition(from, a, Actor{Role: role})
				var te *TransitionError
				switch {
				case k >= 0 && slices.Contains(permitted[k].roles, role):
					if err != nil || got != permitted[k].to {
						t.Errorf("%s --%s/%s--> %s, %v; want %s (%s)", from, a, role, got, err, permitted[k].to, permitted[k].rule)
					}
				case k >= 0:
					if !errors.As(err, &te) || !te.WrongRole || got != from {
						t.Errorf("%s --%s/%s--> %s, %v; want a wrong-role refusal", from, a, role, got, err)
					}
				default:
					if !errors.As(err, &te) || te.WrongRole || got != from {
						t.Errorf("%s --%s/%s--> %s, %v; want an out-of-turn refusal", from, a, role, got, err)
					}
				}
				if te != nil {
					if te.From != from || te.Action != a || te.Role != role || !hasHan(te.Message) {
						t.Errorf("TransitionError %+v", te)
					}
				}
			}
		}
	}
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func TestTransitionMessages(t *testing.T) {
	applicant, officer, system := Actor{RoleApplicant}, Actor{RoleOfficer}, Actor{RoleSystem}
	for _, tc := range []struct {
		from  Status
		a     Action
		actor Actor
		msg   string
	}{
		{StatusAccepted, ActionWithdraw, applicant, "申请已受理，不能撤回"},
		{StatusExamining, ActionWithdraw, applicant, "申请已受理，不能撤回"},
		{StatusDraft, ActionWithdraw, applicant, "暂存的申请尚未提交，无需撤回"},
		{StatusCompleted, ActionWithdraw, applicant, "申请已办结，不能再撤回"},
		{StatusSubmitted, ActionSubmit, applicant, "申请已提交（当前状态：已提交），不能再提交"},
		{StatusSubmitted, ActionResubmit, applicant, "申请已提交"},
		{StatusCorrection, ActionAccept, officer, "申请正在补正"},
		{StatusDraft, ActionAccept, officer, "申请尚未提交"},
		{StatusAccepted, ActionRequestCorrection, officer, "申请已受理（当前状态：已受理），不能再退回补正"},
		{StatusExamining, ActionApprove, officer, "尚未录入考试结果"},
		{StatusAbandoned, ActionResubmit, applicant, "申请已视为放弃"},
		{StatusDraftExpired, ActionSubmit, applicant, "因暂存过期删除"},
		{StatusSubmitted, ActionAccept, applicant, "只有受理机关工作人员可以受理"},
		{StatusDraft, ActionSubmit, officer, "只有申请人本人可以提交"},
		{StatusCorrection, ActionAbandon, officer, "“视为放弃”由系统自动处理"},
		{StatusDraft, ActionExpireDraft, applicant, "由系统自动处理"},
		{Status("lost"), ActionSubmit, applicant, "申请状态“lost”无效"},
		{StatusDraft, Action("delete"), applicant, "未知的操作"},
		{StatusSubmitted, ActionComplete, system, "申请当前状态为“已提交”，不能办结"},
	} {
		_, err := Transition(tc.from, tc.a, tc.actor)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s --%s/%s--> %v, want %q", tc.from, tc.a, tc.actor.Role, err, tc.msg)
		}
	}
}

func TestStatusLabels(t *testing.T) {
	want := map[Status]string{
		StatusDraft: "暂存", StatusSubmitted: "已提交", StatusCorrection: "补正", StatusAccepted: "已受理",
		StatusNotAccepted: "不予受理", StatusExamining: "待考试", StatusApproved: "准予许可", StatusDenied: "不予许可",
		StatusAwaitingCollection: "待领证", StatusCompleted: "已完成", StatusWithdrawn: "已撤回", StatusAbandoned: "视为放弃",
		StatusDraftExpired: "暂存已过期", StatusReviewed: "已审核（待批准）",
	}
	for _, s := range Statuses {
		if s.Label() != want[s] {
			t.Errorf("%s.Label() = %q, want %q", s, s.Label(), want[s])
		}
		if p, ok := ParseStatus(string(s)); !ok || p != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, p, ok)
		}
	}
	if _, ok := ParseStatus("lost"); ok {
		t.Error("ParseStatus accepted junk")
	}
	for _, a := range Actions {
		if !hasHan(a.Label()) {
			t.Errorf("%s has no Chinese label", a)
		}
	}
	for _, r := range roles {
		if !hasHan(r.Label()) {
			t.Errorf("%s has no Chinese label", r)
		}
	}
}

// TestGraphShape: terminal statuses have no way out, the others have one,
// every status can be reached from a draft, and only drafts and 补正 are
// editable (seed 001 第三部分).
func TestGraphShape(t *testing.T) {
	for _, s := range Statuses {
		var out []Action
		for _, r := range roles {
			out = append(out, Available(s, r)...)
		}
		if s.Terminal() != (len(out) == 0) {
			t.Errorf("%s: Terminal %v but actions %v", s, s.Terminal(), out)
		}
		if s.EditableByApplicant() != (s == StatusDraft || s == StatusCorrection) {
			t.Errorf("%s: EditableByApplicant %v", s, s.EditableByApplicant())
		}
	}
	seen := map[Status]bool{StatusDraft: true}
	queue := []Status{StatusDraft}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, r := range roles {
			for _, a := range Available(s, r) {
				to, err := Transition(s, a, Actor{r})
				if err != nil {
					t.Fatalf("Available(%s, %s) offers %s, which fails: %v", s, r, a, err)
				}
				if !seen[to] {
					seen[to] = true
					queue = append(queue, to)
				}
			}
		}
	}
	for _, s := range Statuses {
		if !seen[s] {
			t.Errorf("%s cannot be reached from a draft", s)
		}
	}
	if got := Available(StatusCorrection, RoleApplicant); !slices.Equal(got, []Action{ActionWithdraw, ActionResubmit}) {
		t.Errorf("Available(correction, applicant) = %v", got)
	}
}

func TestAcceptAction(t *testing.T) {
	qs := func(ss ...string) []catalog.Qualification {
		var out []catalog.Qualification
		for _, s := range ss {
			out = append(out, q(s))
		}
		return out
	}
	for _, tc := range []struct {
		rule  string
		m     Matter
		items []catalog.Qualification
		want  Action
	}{
		{"seed 000 2.1 注1: 一般项目 新办 examined after 受理", MatterNew, qs("N1"), ActionAcceptForExam},
		{"增项 of a general item", MatterAdd, qs("Q2(限桥式起重机)"), ActionAcceptForExam},
		{"seed 000 2.1 注2: R3 is examined too (by the 海军特色医学中心)", MatterNew, qs("R3"), ActionAcceptForExam},
		{"seed 000 2.1 注3: 安全阀校验 examined at the chosen institution", MatterNew, qs("F"), ActionAcceptForExam},
		{"welding passed its exam before applying", MatterNew, qs("金属焊接操作"), ActionAccept},
		{"welding plus a general item still needs the exam", MatterAdd, qs("金属焊接操作", "N1"), ActionAcceptForExam},
		{"复审 has no exam after 受理", MatterRenew, qs("N1"), ActionAccept},
		{"补证 has no exam", MatterReissue, qs("N1"), ActionAccept},
	} {
		if got := AcceptAction(tc.m, tc.items, nil); got != tc.want {
			t.Errorf("%s: AcceptAction = %s, want %s", tc.rule, got, tc.want)
		}
	}
}
