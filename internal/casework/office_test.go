package casework_test

import (
	"fmt"
	"opcert/internal/auth"
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

// Separation of duties on both engines: set by an admin only, read at each
// action, the 受理 officer barred from 审核 and the 审核 officer from 批准.
func TestSeparationOfDutiesService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		second := casework.Actor{UserID: must(db.CreateUser(ctx, auth.User{Login: "o-xh-2", Name: "o-xh-2", Role: auth.RoleOfficer, AuthorityCode: "310104", PasswordHash: "x"})).ID,
			Role: auth.RoleOfficer, AuthorityCode: "310104"}
		third := casework.Actor{UserID: must(db.CreateUser(ctx, auth.User{Login: "o-xh-3", Name: "o-xh-3", Role: auth.RoleOfficer, AuthorityCode: "310104", PasswordHash: "x"})).ID,
			Role: auth.RoleOfficer, AuthorityCode: "310104"}
		if err := w.s.SetDutySeparation(ctx, w.officer, "310104", true); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("an officer sets the duties: %v", err)
		}
		if err := w.s.SetDutySeparation(ctx, w.adm, "310104", true); err != nil {
			t.Fatal(err)
		}
		settings := must(w.s.DutySettings(ctx, w.adm))
		on := 0
		for _, st := range settings {
			if st.Separated {
				on++
			}
		}
		if len(settings) != 16 || on != 1 {
			t.Fatalf("settings %+v", settings)
		}
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
		a = w.act(t, w.officer, a, application.ActionRecordExam, application.Input{Theory: "90", Practical: "90"})
		if _, err := w.s.Act(ctx, w.officer, a.ID, a.Version, application.ActionReview, application.Input{Opinion: "同意"}); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("the acceptor reviews: %v", err)
		}
		cf := must(w.s.CaseFile(ctx, second, a.ID))
		if len(cf.Actions) != 1 || cf.Actions[0] != application.ActionReview || cf.WhoMayAct != "待审核：您可办理" {
			t.Fatalf("the second officer's actions %v %q", cf.Actions, cf.WhoMayAct)
		}
		a = w.act(t, second, a, application.ActionReview, application.Input{Opinion: "建议准予许可"})
		if a.Status != application.StatusReviewed {
			t.Fatalf("status %s", a.Status)
		}
		if _, err := w.s.Act(ctx, second, a.ID, a.Version, application.ActionApprove, application.Input{Opinion: "同意"}); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("the reviewer approves: %v", err)
		}
		rows := []casework.QueueRow{{Loaded: casework.Loaded{Application: a}}}
		if got := must(w.s.WhoMayAct(ctx, w.officer, rows))[a.ID]; got != "待批准：须由受理人o-xh、审核人o-xh-2以外的工作人员办理" {
			t.Errorf("who may act, for the acceptor: %q", got)
		}
		a = w.act(t, third, a, application.ActionApprove, application.Input{Opinion: "同意准予许可"})
		if a.Status != application.StatusApproved {
			t.Fatalf("status %s", a.Status)
		}
		// Off: the acceptor decides the next one alone, as before.
		if err := w.s.SetDutySeparation(ctx, w.adm, "310104", false); err != nil {
			t.Fatal(err)
		}
		b := w.act(t, w.applicant, w.newApplicationOf(t, "N2"), application.ActionSubmit, application.Input{})
		b = w.act(t, w.officer, b, application.ActionAcceptForExam, application.Input{})
		b = w.act(t, w.officer, b, application.ActionRecordExam, application.Input{Theory: "90", Practical: "90"})
		if _, err := w.s.Act(ctx, w.officer, b.ID, b.Version, application.ActionReview, application.Input{Opinion: "x"}); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("审核 where duties are not separated: %v", err)
		}
		w.act(t, w.officer, b, application.ActionApprove, application.Input{Opinion: "同意"})
		entries := must(db.AuditEntries(ctx, "authority:310104", 5))
		if len(entries) != 2 || entries[0].After != "separated=false" || entries[1].After != "separated=true" {
			t.Errorf("audit %+v", entries)
		}
	})
}
