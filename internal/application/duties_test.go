package application

import (
	"errors"
	"strings"
	"testing"
)

// Separation of duties, a bureau's choice (Duties): on, 受理 → 审核 → 批准
// by three officers; off, as before. Officers 1, 2 and 3.
func TestDutiesCheck(t *testing.T) {
	off := Duties{AcceptedBy: 1}
	accepted := Duties{Separated: true, AcceptedBy: 1}
	reviewed := Duties{Separated: true, AcceptedBy: 1, ReviewedBy: 2}
	for _, tc := range []struct {
		rule      string
		d         Duties
		from      Status
		act       Action
		officer   int64
		wrongRole bool   // a refusal of the person (403)
		msg       string // "" when allowed
	}{
		{"off: the acceptor decides, as before", off, StatusAccepted, ActionApprove, 1, false, ""},
		{"off: no 审核 step", off, StatusAccepted, ActionReview, 2, false, "本机关未实行受理、审核、批准分离，无需审核"},
		{"off: an application 审核'd while on is decided as before", Duties{AcceptedBy: 1, ReviewedBy: 2}, StatusReviewed, ActionApprove, 2, false, ""},
		{"on: another officer 审核s", accepted, StatusAccepted, ActionReview, 2, false, ""},
		{"on: the acceptor may not 审核", accepted, StatusAccepted, ActionReview, 1, true, "您受理了该申请，不能再审核"},
		{"on: no decision before 审核", accepted, StatusAccepted, ActionApprove, 3, false, "该申请须先经审核"},
		{"on: no 不予许可 before 审核 either", accepted, StatusAccepted, ActionDeny, 3, false, "该申请须先经审核"},
		{"on: a third officer 批准s", reviewed, StatusReviewed, ActionApprove, 3, false, ""},
		{"on: a third officer refuses", reviewed, StatusReviewed, ActionDeny, 3, false, ""},
		{"on: the acceptor may not 批准", reviewed, StatusReviewed, ActionApprove, 1, true, "您受理了该申请，不能再批准（准予许可）"},
		{"on: the reviewer may not 批准", reviewed, StatusReviewed, ActionApprove, 2, true, "您审核了该申请，不能再批准（准予许可）"},
		{"on: the reviewer may not refuse either", reviewed, StatusReviewed, ActionDeny, 2, true, "您审核了该申请，不能再批准（不予许可）"},
		{"on: 不予许可 of a failed exam is not by the acceptor", accepted, StatusExamining, ActionDeny, 1, true, "您受理了该申请"},
		{"on: … but by another officer", accepted, StatusExamining, ActionDeny, 2, false, ""},
		{"on: other steps are not kept apart", accepted, StatusExamining, ActionRecordExam, 1, false, ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			te := tc.d.Check(tc.from, tc.act, tc.officer)
			switch {
			case tc.msg == "" && te != nil:
				t.Fatalf("refused: %s", te.Message)
			case tc.msg == "":
			case te == nil:
				t.Fatalf("allowed; want %q", tc.msg)
			case te.WrongRole != tc.wrongRole || !strings.Contains(te.Message, tc.msg) || !strings.Contains(te.Message, "本机关"):
				t.Fatalf("refusal %+v; want %q (wrong role %v)", te, tc.msg, tc.wrongRole)
			}
		})
	}
}

// Decide applies the duties before anything else, and 审核 needs its 初审意见.
func TestDecideReview(t *testing.T) {
	f := completeRenewal()
	c := Case{Status: StatusAccepted, Number: "261123000001", Form: f, Duties: Duties{Separated: true, AcceptedBy: 1}}
	if _, err := Decide(c, ActionReview, RoleOfficer, Input{By: 1, Opinion: "同意"}, env()); !isWrongRole(err) {
		t.Errorf("the acceptor reviews: %v", err)
	}
	var ps Problems
	if _, err := Decide(c, ActionReview, RoleOfficer, Input{By: 2}, env()); !errors.As(err, &ps) || ps[0].Field != "opinion" || ps[0].Message != "请填写初审意见" {
		t.Errorf("审核 without 初审意见: %v", err)
	}
	ch, err := Decide(c, ActionReview, RoleOfficer, Input{By: 2, Opinion: " 材料齐全，建议准予许可 "}, env())
	if err != nil || ch.To != StatusReviewed || ch.Opinion != "材料齐全，建议准予许可" || ch.SMS.Topic != "reviewed" || ch.Due.Date != c.Due.Date {
		t.Errorf("审核: %+v %v", ch, err)
	}
	if got := ActionsFor(c, RoleOfficer, d("2026-11-23"), nil); len(got) != 1 || got[0] != ActionReview {
		t.Errorf("actions while 待审核: %v", got)
	}
	c.Duties.Separated = false
	for _, a := range ActionsFor(c, RoleOfficer, d("2026-11-23"), nil) {
		if a == ActionReview {
			t.Error("审核 offered where duties are not separated")
		}
	}
}

func isWrongRole(err error) bool {
	var te *TransitionError
	return errors.As(err, &te) && te.WrongRole
}
