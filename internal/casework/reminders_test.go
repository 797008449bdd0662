package casework_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// heldItem is a valid line of an old-catalogue item held until until.
func heldItem(code, until string) registry.Item {
	return registry.Item{Ref: catalog.OldRef(catalog.OldCode(code)), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: day("2022-01-01"), ValidUntil: day(until), Status: registry.ItemValid}
}

// Holders are reminded 3 months and 1 month before an item's 有效期至, and
// applicants 3 days before a draft is deleted, each exactly once: running
// the job twice, or on two instances at the same moment, sends no more.
func TestRemindersSentExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-01")
		holder := must(db.HolderByID(ctx, w.holderID))
		// Q8 due in 2 months (3-month reminder), N2 in 3 weeks (1-month), G2
		// in a year (none); someone with no mobile anywhere is not counted.
		must(db.PutHolding(ctx, registry.Holding{Holder: holder, Certificates: []registry.Certificate{{Number: holder.IDNumber,
			Items: []registry.Item{heldItem("Q8", "2027-02-01"), heldItem("N2", "2026-12-22"), heldItem("G2", "2027-12-01")}}}}))
		nobody := registry.Holder{Name: "无机", IDType: registry.IDResident, IDNumber: "110105194912310038"}
		must(db.PutHolding(ctx, registry.Holding{Holder: nobody, Certificates: []registry.Certificate{{Number: nobody.IDNumber, Items: []registry.Item{heldItem("Q8", "2027-01-05")}}}}))
		draft := w.newApplication(t) // kept until 2026-12-30: not due yet

		other := service(t, db, "2026-12-01")
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, s := range []*casework.Service{w.s, other} {
			wg.Go(func() {
				n, err := s.SendReminders(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n.Items + n.Drafts
			})
		}
		wg.Wait()
		if counts[0]+counts[1] != 2 {
			t.Fatalf("two instances sent %v reminders, want 2 in all", counts)
		}
		if n, err := w.s.SendReminders(ctx); err != nil || n.Items+n.Drafts != 0 {
			t.Fatalf("second run: %+v %v", n, err)
		}
		msgs := must(db.RecentOutbox(ctx, w.mobile, 10))
		var bodies []string
		for _, m := range msgs {
			if m.Topic == "expiry_reminder" {
				bodies = append(bodies, m.Body)
			}
		}
		all := strings.Join(bodies, "\n")
		if len(bodies) != 2 || !strings.Contains(all, "Q8 流动式起重机司机证书项目将于2027年02月01日到期") || !strings.Contains(all, "N2") || strings.Contains(all, "G2") {
			t.Fatalf("reminders:\n%s", all)
		}

		// A month later Q8 is within a month: its second reminder, once.
		later := service(t, db, "2027-01-05")
		if n := must(later.SendReminders(ctx)); n.Items != 1 {
			t.Fatalf("a month later: %+v", n)
		}
		if n := must(later.SendReminders(ctx)); n.Items != 0 {
			t.Fatalf("a month later, again: %+v", n)
		}

		// The draft: 3 days before its deletion (kept until 12-30, deleted
		// 12-31), once.
		due := service(t, db, "2026-12-28")
		if n := must(due.SendReminders(ctx)); n.Drafts != 1 {
			t.Fatalf("draft reminder: %+v", n)
		}
		if n := must(due.SendReminders(ctx)); n.Drafts != 0 {
			t.Fatalf("draft reminder again: %+v", n)
		}
		msgs = must(db.RecentOutbox(ctx, w.mobile, 1))
		if len(msgs) != 1 || msgs[0].Topic != "draft_expiring" || !strings.Contains(msgs[0].Body, "将于2026年12月31日按规定删除") {
			t.Fatalf("draft reminder message %+v", msgs)
		}
		_ = draft.ID
	})
}

// A run sends every due reminder however many there are: the job reads
// them in batches, each going on from the last item of the one before, and
// skips none at a batch's edge (items due the same day included).
func TestRemindersOverSeveralBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-01")
		const due = 450 // more than two batches
		var holdings []registry.Holding
		for i := range due {
			first17 := fmt.Sprintf("11010519800101%03d", i)
			h := registry.Holder{Name: "批量", IDType: registry.IDResident, IDNumber: first17 + checkChar(first17), Mobile: fmt.Sprintf("139%08d", i)}
			until := day("2027-01-15").AddDays(i % 7) // several items on each day
			holdings = append(holdings, registry.Holding{Holder: h, Certificates: []registry.Certificate{{Number: h.IDNumber,
				Items: []registry.Item{{Ref: catalog.OldRef("Q8"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: day("2023-01-01"), ValidUntil: until, Status: registry.ItemValid}}}}})
		}
		for _, h := range holdings {
			must(db.PutHolding(ctx, h))
		}
		n := must(w.s.SendReminders(ctx))
		if n.Items != due {
			t.Fatalf("sent %d expiry reminders, want %d", n.Items, due)
		}
		if again := must(w.s.SendReminders(ctx)); again.Items != 0 {
			t.Fatalf("second run sent %d", again.Items)
		}
	})
}

// A holder who has applied for 复审 of a line is not reminded to apply for
// it while the application is under way; their other lines are. Once the
// application ends without a decision (withdrawn), the next run reminds.
func TestNoReminderWhileRenewalUnderWay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-01")
		holder := must(db.HolderByID(ctx, w.holderID))
		must(db.PutHolding(ctx, registry.Holding{Holder: holder, Certificates: []registry.Certificate{{Number: holder.IDNumber,
			Items: []registry.Item{heldItem("Q8", "2027-02-01"), heldItem("N2", "2026-12-22")}}}}))
		var q8 registry.Item
		for _, it := range must(db.HoldingByIDNumber(ctx, holder.IDNumber)).Certificates[0].Items {
			if it.Ref == catalog.OldRef("Q8") {
				q8 = it
			}
		}
		f := application.Form{Matter: application.MatterRenew, Items: []application.FormItem{{RegistryItemID: q8.ID, From: q8.Ref.String(), Target: "Q2(限流动式起重机)"}}}
		data := must(json.Marshal(f))
		a := must(db.CreateDraft(ctx, store.Application{ApplicantID: w.applicant.UserID, HolderID: w.holderID, Matter: "renew", Status: "draft",
			Step: "review", Data: data, DraftExpiresOn: day("2026-12-30")}))
		active, inactive := true, false
		a = must(db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: a.ApplicantID, ActorID: a.ApplicantID, Version: a.Version,
			From: []string{"draft"}, To: "submitted", Action: "submit", AssignNumber: true,
			Items: []store.AppItem{{Qualification: "Q2(限流动式起重机)"}}, ItemsActive: &active}))

		if n := must(w.s.SendReminders(ctx)); n.Items != 1 {
			t.Fatalf("with the 复审 of Q8 under way: %d reminders, want 1 (N2)", n.Items)
		}
		if m := w.lastSMS(t); !strings.Contains(m.Body, "N2") {
			t.Fatalf("reminder %q, want the one of N2", m.Body)
		}
		must(db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: a.ApplicantID, ActorID: a.ApplicantID, Version: a.Version,
			From: []string{"submitted"}, To: "withdrawn", Action: "withdraw", ItemsActive: &inactive}))
		if n := must(w.s.SendReminders(ctx)); n.Items != 1 {
			t.Fatalf("after the withdrawal: %d reminders, want 1 (Q8)", n.Items)
		}
		if m := w.lastSMS(t); !strings.Contains(m.Body, "Q8") {
			t.Fatalf("reminder %q, want the one of Q8", m.Body)
		}
	})
}
