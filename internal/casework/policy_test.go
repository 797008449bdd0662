package casework_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// The migration's first rows are the values compiled in before, from the
// day TSG Z6001-2019 took effect.
func TestSeededPolicyIsTheCompiledOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rows := store.Values(must(db.PolicyRows(ctx)))
		want := application.ShanghaiPolicy().Values(application.PolicySince)
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(rows), len(want))
		}
		for _, w := range want {
			found := false
			for _, r := range rows {
				found = found || r.Key == w.Key && r.Value == w.Value && r.EffectiveFrom == w.EffectiveFrom
			}
			if !found {
				t.Errorf("seed lacks %+v", w)
			}
		}
		if application.PolicyOn(rows, day("2026-11-23"), application.Policy{}) != application.ShanghaiPolicy() {
			t.Error("the seeded rows are not the compiled policy")
		}
	})
}

// An admin's change on one instance is applied by another on the same
// database at its next request, without a restart, from the day set; the
// change is audited and refused with a clear message when wrong.
func TestPolicyChangeSeenByAnotherInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		one, other := w.s, service(t, db, "2026-11-23")
		if p := must(other.Policy(ctx)); p.AcceptWorkdays != 5 || p.ExamPassMark != 70 {
			t.Fatalf("before: %+v", p)
		}
		// 行政许可法 第三十二条 allows at most 5 working days; a bureau may
		// promise fewer.
		must(one.SetPolicyValue(ctx, w.adm, application.PolicyChange{Key: "accept_workdays", Value: "3", EffectiveFrom: "2026-11-23", Note: "承诺时限 沪市监〔2026〕1号"}))
		must(one.SetPolicyValue(ctx, w.adm, application.PolicyChange{Key: "exam_pass_mark", Value: "60", EffectiveFrom: "2027-01-01", Note: "试行"}))
		p := must(other.Policy(ctx))
		if p.AcceptWorkdays != 3 || p.ExamPassMark != 70 {
			t.Fatalf("the other instance today: %+v", p)
		}
		if later := must(other.PolicyOn(ctx, day("2027-01-01"))); later.ExamPassMark != 60 || later.AcceptWorkdays != 3 {
			t.Fatalf("the other instance on 2027-01-01: %+v", later)
		}
		// The policy of each day is its own, asked in any order.
		if p := must(other.Policy(ctx)); p.ExamPassMark != 70 || p.AcceptWorkdays != 3 {
			t.Fatalf("the other instance today, after 2027-01-01: %+v", p)
		}
		// The rule uses it: an application submitted on the other
		// instance is due for 受理 in 3 working days.
		a := w.newApplication(t)
		w.s = other
		a = w.act(t, w.applicant, a, application.ActionSubmit, application.Input{})
		if a.Due.Workdays != 3 {
			t.Fatalf("受理 deadline counted over %d working days, want 3", a.Due.Workdays)
		}

		_, err := one.SetPolicyValue(ctx, w.adm, application.PolicyChange{Key: "decide_workdays", Value: "25", EffectiveFrom: "2026-12-01", Note: "x"})
		refusedAt(t, err, casework.Invalid, "value", "审批期限应在 1 至 20 个工作日之间")
		_, err = one.SetPolicyValue(ctx, w.adm, application.PolicyChange{Key: "decide_workdays", Value: "15", EffectiveFrom: "2026-11-01", Note: "x"})
		refusedAt(t, err, casework.Invalid, "effective_from", "早于今天")
		_, err = one.SetPolicyValue(ctx, w.officer, application.PolicyChange{Key: "decide_workdays", Value: "15", EffectiveFrom: "2026-12-01", Note: "x"})
		refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")
		_, err = one.PolicyOverview(ctx, w.applicant)
		refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")

		ov := must(other.PolicyOverview(ctx, w.adm))
		if len(ov.InForce) != len(application.PolicyFields) || len(ov.Upcoming) != 1 || ov.Upcoming[0].Key != application.KeyExamPassMark || ov.Upcoming[0].SetBy != "adm" {
			t.Fatalf("overview: %d in force, upcoming %+v", len(ov.InForce), ov.Upcoming)
		}
		entries := must(db.AuditEntries(ctx, "policy:accept_workdays", 5))
		if len(entries) != 1 || entries[0].ActorID != w.adm.UserID || entries[0].Action != "set_policy_value" ||
			!strings.Contains(entries[0].After, `"value":"3"`) {
			t.Fatalf("audit: %+v", entries)
		}
	})
}

// With RevisionCheckEvery, an instance uses the values it read for that
// long without asking the database (every page shows a policy value), and
// applies its own admins' changes at once.
func TestPolicyReadOncePerRevisionCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		today := func() civil.Date { return day("2026-11-23") }
		spaced := casework.New(casework.Options{Store: db, Today: today, Log: slog.New(slog.DiscardHandler), RevisionCheckEvery: time.Hour})
		if p := must(spaced.Policy(ctx)); p.AcceptWorkdays != 5 {
			t.Fatalf("before: %+v", p)
		}
		must(w.s.SetPolicyValue(ctx, w.adm, application.PolicyChange{Key: "accept_workdays", Value: "3", EffectiveFrom: "2026-11-23", Note: "承诺时限 沪市监〔2026〕1号"}))
		if p := must(w.s.Policy(ctx)); p.AcceptWorkdays != 3 {
			t.Fatalf("the instance that checks on every use: %+v", p)
		}
		if p := must(spaced.Policy(ctx)); p.AcceptWorkdays != 5 {
			t.Fatalf("read again before its hour: %+v", p)
		}
		must(spaced.SetPolicyValue(ctx, w.adm, application.PolicyChange{Key: "exam_pass_mark", Value: "60", EffectiveFrom: "2026-11-23", Note: "试行"}))
		if p := must(spaced.Policy(ctx)); p.AcceptWorkdays != 3 || p.ExamPassMark != 60 {
			t.Fatalf("after its own change: %+v", p)
		}
	})
}
