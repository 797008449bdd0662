package application

import (
	"strings"
	"testing"
)

func TestCheckCommitment(t *testing.T) {
	for _, tc := range []struct {
		rule string
		m    Matter
		c    Commitment
		ok   bool
		msg  string
	}{
		{"seed 000 3.1: 未发生过", MatterRenew, NoIncident, true, ""},
		{"TSG Z6001-2019 复审条件(二) (SOURCES §3 S10): 发生过 stops the 复审", MatterRenew, IncidentOccurred, false, "持证期间无违章作业、未发生责任事故"},
		{"复审 发生过 points to the 受理机关", MatterRenew, IncidentOccurred, false, "请联系受理机关"},
		{"seed 000 3.1: the question must be answered", MatterRenew, Unanswered, false, "请选择持证期间是否发生过违章作业行为和责任事故"},
		{"新办 unanswered", MatterNew, Unanswered, false, "请选择持证期间是否发生过违章作业行为和责任事故"},
		{"新办 发生过: allowed with a 情况说明", MatterNew, IncidentOccurred, true, "情况说明"},
		{"增项 发生过: allowed with a 情况说明", MatterAdd, IncidentOccurred, true, "情况说明"},
		{"补证 发生过: allowed with a 情况说明", MatterReissue, IncidentOccurred, true, "情况说明"},
		{"补证 未发生过", MatterReissue, NoIncident, true, ""},
		{"an invalid answer", MatterRenew, Commitment(7), false, "无效"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			ok, msg := CheckCommitment(tc.m, tc.c)
			if ok != tc.ok || (tc.msg == "" && msg != "") || !strings.Contains(msg, tc.msg) {
				t.Errorf("CheckCommitment = %v %q, want %v %q", ok, msg, tc.ok, tc.msg)
			}
		})
	}
}

func TestCommitmentText(t *testing.T) {
	for _, tc := range []struct {
		c            Commitment
		label, value string
	}{
		{Unanswered, "", ""}, {NoIncident, "未发生过", "no"}, {IncidentOccurred, "发生过", "yes"},
	} {
		if tc.c.Label() != tc.label || tc.c.String() != tc.value || ParseCommitment(tc.value) != tc.c {
			t.Errorf("%d: label %q value %q parse %d", tc.c, tc.c.Label(), tc.c.String(), ParseCommitment(tc.value))
		}
	}
	if ParseCommitment("maybe") != Unanswered {
		t.Error("junk must read as Unanswered, never as a promise")
	}
}

// TSG Z6001-2019 renewal condition (三): work not interrupted more than a
// year (SOURCES.md §3, S10), asked beside the self-commitment for 复审 only.
func TestCheckSelfDeclaration(t *testing.T) {
	for _, tc := range []struct {
		m                     Matter
		incident, interrupted string
		want                  string
	}{
		{MatterRenew, "no", "no", ""},
		{MatterRenew, "no", "", "请选择持证期间所从事持证项目的作业时间是否连续中断超过1年"},
		{MatterRenew, "no", "yes", "不符合复审条件，不能申请复审；如需继续从事该项作业，须重新参加考试取证"},
		{MatterRenew, "yes", "no", "复审须满足持证期间无违章作业"},
		{MatterNew, "no", "", ""},
		{MatterReissue, "no", "yes", ""},
	} {
		f := Form{Matter: tc.m, Incident: tc.incident, WorkInterrupted: tc.interrupted}
		got := joinProblems(CheckSelfDeclaration(&f))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s %s/%s: %q, want %q", tc.m, tc.incident, tc.interrupted, got, tc.want)
		}
	}
}
