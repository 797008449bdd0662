package casework_test

import (
	"fmt"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// 准予许可 and 不予许可 carry an 审批意见 (行政许可法 第三十八条: a written
// decision): refused without one before anything is written, and once
// given it is kept with the decision, on the history line and in the
// decision document.
func TestDecisionKeepsOpinion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
		a = w.act(t, w.officer, a, application.ActionRecordExam, application.Input{Theory: "90", Practical: "90"})

		// The confirmation's preview refuses as Act would, and writes nothing.
		_, err := w.s.Preview(ctx, w.officer, a.ID, application.ActionApprove, application.Input{Opinion: " "})
		if fe := casework.FieldErrors(err); len(fe) != 1 || fe[0].Field != "opinion" || fe[0].Message != "请填写审批意见" {
			t.Fatalf("preview without 审批意见: %v", err)
		}
		if _, err := w.s.Act(ctx, w.officer, a.ID, a.Version, application.ActionApprove, application.Input{}); casework.ErrorCode(err) != casework.Invalid {
			t.Fatalf("approve without 审批意见: %v", err)
		}
		if _, err := w.s.Preview(ctx, w.applicant, a.ID, application.ActionApprove, application.Input{Opinion: "同意"}); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("an applicant's preview: %v", err)
		}
		if _, err := w.s.Preview(ctx, w.far, a.ID, application.ActionApprove, application.Input{Opinion: "同意"}); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another district's preview: %v", err)
		}
		pv := must(w.s.Preview(ctx, w.officer, a.ID, application.ActionApprove, application.Input{Opinion: "材料齐全，考试合格，同意准予许可"}))
		if pv.Version != a.Version || pv.Change.Opinion != "材料齐全，考试合格，同意准予许可" || len(pv.Items) != 1 || !strings.HasPrefix(pv.Items[0], "N1 ") {
			t.Fatalf("preview %+v %v", pv.Change, pv.Items)
		}

		a = w.act(t, w.officer, a, application.ActionApprove, application.Input{Opinion: "材料齐全，考试合格，同意准予许可"})
		if a.DecisionOpinion != "材料齐全，考试合格，同意准予许可" {
			t.Errorf("kept with the decision: %q", a.DecisionOpinion)
		}
		for _, who := range []casework.Actor{w.officer, w.applicant} {
			h := must(w.s.History(ctx, who, a.ID))
			last := h[len(h)-1]
			if last.Action != "approve" || last.Opinion != "材料齐全，考试合格，同意准予许可" {
				t.Errorf("%s history: %+v", who.Role, last)
			}
		}
		officerView := must(w.s.History(ctx, w.officer, a.ID))
		if got := officerView[len(officerView)-1].Who; got != "o-xh（徐汇区市场监督管理局）" {
			t.Errorf("who, as the officer sees it: %q", got)
		}
		n := must(db.NoticeOf(ctx, a.ID, casework.NoticeDecision))
		if !strings.Contains(string(n.Data), "审批意见：材料齐全，考试合格，同意准予许可") {
			t.Errorf("the decision does not print the 审批意见: %s", n.Data)
		}
		entries := must(db.AuditEntries(ctx, fmt.Sprintf("application:%d", a.ID), 1))
		if !strings.Contains(entries[0].After, "意见：材料齐全") {
			t.Errorf("audit %+v", entries[0])
		}
	})
}

// 不予许可 prints its 理由 and 审批意见 in the 不予许可决定书.
func TestDenialPrintsReasonAndOpinion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
		_, err := w.s.Act(ctx, w.officer, a.ID, a.Version, application.ActionDeny, application.Input{})
		if fe := casework.FieldErrors(err); len(fe) != 2 || fe[0].Field != "reason" || fe[1].Field != "opinion" {
			t.Fatalf("deny with nothing: %v", fe)
		}
		a = w.act(t, w.officer, a, application.ActionDeny, application.Input{Reason: "申请人书面放弃考试", Opinion: "同意不予许可"})
		n := must(db.NoticeOf(ctx, a.ID, casework.NoticeDecision))
		if !strings.Contains(string(n.Data), "理由：申请人书面放弃考试") || !strings.Contains(string(n.Data), "审批意见：同意不予许可") {
			t.Errorf("不予许可决定书: %s", n.Data)
		}
	})
}
