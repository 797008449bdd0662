package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

type outboxClock struct{ t time.Time }

func (c *outboxClock) now() time.Time { return c.t }

// near compares times stored by the two engines: PostgreSQL keeps
// microseconds, SQLite nanoseconds.
func near(a, b time.Time) bool { return a.Sub(b).Abs() < time.Microsecond }

func queueOutbox(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		if err := store.EnqueueForTest(db, fmt.Sprintf("137%08d", i), "accepted", "已受理"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestClaimOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &outboxClock{time.Date(2026, 11, 22, 9, 0, 0, 123456789, time.UTC)}
		db.SetClock(c.now)
		queueOutbox(t, db, 3)

		first, err := db.ClaimOutbox(ctx, 2)
		if err != nil || len(first) != 2 || first[0].Recipient != "13700000000" || first[1].Recipient != "13700000001" {
			t.Fatalf("claim: %+v %v", first, err)
		}
		if first[0].Attempts != 1 || !first[0].Lease.Equal(c.t.Add(store.ClaimLease).Truncate(time.Microsecond)) {
			t.Fatalf("claim: %+v", first[0])
		}
		// The claimed ones are not claimed again while the lease runs.
		second, err := db.ClaimOutbox(ctx, 10)
		if err != nil || len(second) != 1 || second[0].Recipient != "13700000002" {
			t.Fatalf("second claim: %+v %v", second, err)
		}
		if st, err := db.OutboxStats(ctx); err != nil || st.Sending != 3 || st.Pending != 0 || !near(st.OldestPending, c.t) {
			t.Fatalf("stats: %+v %v", st, err)
		}
		if again, _ := db.ClaimOutbox(ctx, 10); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}

		// Renewing keeps the message; the lease read back equals the one
		// held, so the comparison works after the round trip.
		c.t = c.t.Add(time.Minute)
		a := first[0]
		if ok, err := db.RenewClaim(ctx, &a); !ok || err != nil || !a.Lease.Equal(c.t.Add(store.ClaimLease).Truncate(time.Microsecond)) {
			t.Fatalf("renew: %v %v %+v", ok, err, a)
		}

		// The sender of the first batch stalls past the lease; another
		// claims its second message (and the third, whose lease has run out
		// too); the renewed one stays.
		c.t = c.t.Add(store.ClaimLease - time.Minute + time.Second)
		taken, err := db.ClaimOutbox(ctx, 10)
		if err != nil || len(taken) != 2 || taken[0].ID != first[1].ID || taken[0].Attempts != 2 {
			t.Fatalf("takeover: %+v %v", taken, err)
		}
		stale := first[1]
		if ok, err := db.RenewClaim(ctx, &stale); ok || err != nil {
			t.Fatalf("stale renew: %v %v", ok, err)
		}
		// The stale sender's failure does not touch the new owner's claim.
		if err := db.MarkFailed(ctx, stale, errors.New("网关超时"), c.t.Add(time.Hour), ""); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.OutboxMessageByID(ctx, stale.ID); r.Status != "pending" || !r.ClaimedUntil.Equal(taken[0].Lease) || r.LastError != "" {
			t.Fatalf("stale failure applied: %+v", r)
		}

		if err := db.MarkSent(ctx, a.ID, c.t, "gw-1", a.Body); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.OutboxMessageByID(ctx, a.ID); r.Status != "sent" || r.ProviderID != "gw-1" || !near(r.SentAt, c.t) || !r.ClaimedUntil.IsZero() || r.Attempts != 1 {
			t.Fatalf("sent: %+v", r)
		}
		// A sent message is never claimed again, even marked failed late.
		if err := db.MarkFailed(ctx, a, errors.New("late"), c.t, ""); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(24 * time.Hour)
		if got, _ := db.ClaimOutbox(ctx, 10); len(got) != 2 {
			t.Fatalf("after a day: %+v", got)
		}
		if r, _ := db.OutboxMessageByID(ctx, a.ID); r.Status != "sent" {
			t.Fatalf("%+v", r)
		}
	})
}

func TestMarkFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &outboxClock{time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
		db.SetClock(c.now)
		queueOutbox(t, db, 1)
		claims, _ := db.ClaimOutbox(ctx, 1)
		// Gateways answer in Chinese; a long answer is cut between
		// characters, never inside one (PostgreSQL refuses broken UTF-8).
		long := "网关：" + strings.Repeat("号码错误", 200)
		if err := db.MarkFailed(ctx, claims[0], errors.New(long), c.t.Add(5*time.Minute), ""); err != nil {
			t.Fatal(err)
		}
		r, _ := db.OutboxMessageByID(ctx, claims[0].ID)
		if r.Status != "pending" || !r.NextAttemptAt.Equal(c.t.Add(5*time.Minute)) || !utf8.ValidString(r.LastError) ||
			utf8.RuneCountInString(r.LastError) != 500 || !strings.HasPrefix(long, r.LastError) || !r.ClaimedUntil.IsZero() {
			t.Fatalf("%+v", r)
		}
		if got, _ := db.ClaimOutbox(ctx, 1); len(got) != 0 {
			t.Fatal("claimed before its next attempt")
		}
		c.t = c.t.Add(5 * time.Minute)
		claims, _ = db.ClaimOutbox(ctx, 1)
		if len(claims) != 1 || claims[0].Attempts != 2 {
			t.Fatalf("%+v", claims)
		}
		// Given up: zero next attempt.
		if err := db.MarkFailed(ctx, claims[0], errors.New("HTTP 400 号码无效"), time.Time{}, claims[0].Body); err != nil {
			t.Fatal(err)
		}
		r, _ = db.OutboxMessageByID(ctx, claims[0].ID)
		if r.Status != "failed" || r.LastError != "HTTP 400 号码无效" || r.Attempts != 2 {
			t.Fatalf("%+v", r)
		}
		c.t = c.t.Add(48 * time.Hour)
		if got, _ := db.ClaimOutbox(ctx, 1); len(got) != 0 {
			t.Fatal("a failed message was claimed")
		}
		st, err := db.OutboxStats(ctx)
		if err != nil || st != (store.OutboxStats{Failed: 1}) {
			t.Fatalf("%+v %v", st, err)
		}
		recs, err := db.OutboxRecords(ctx, store.OutboxFilter{Status: "failed"}, 10)
		if err != nil || len(recs) != 1 || recs[0].ID != r.ID {
			t.Fatalf("%+v %v", recs, err)
		}
		if recs, _ := db.OutboxRecords(ctx, store.OutboxFilter{Status: "sent"}, 10); len(recs) != 0 {
			t.Fatalf("%+v", recs)
		}
		if recs, _ := db.OutboxRecords(ctx, store.OutboxFilter{Recipient: "13700000000", Status: "failed"}, 10); len(recs) != 1 {
			t.Fatalf("%+v", recs)
		}
		if recs, _ := db.OutboxRecords(ctx, store.OutboxFilter{Recipient: "13700000001"}, 10); len(recs) != 0 {
			t.Fatalf("%+v", recs)
		}
		if _, err := db.OutboxMessageByID(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
	})
}

func TestSMSTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded, err := db.SMSTemplate(ctx, "approved")
		if err != nil || !strings.Contains(seeded.Body, "准予许可") || seeded.UpdatedBy != 0 || seeded.UpdatedAt.IsZero() {
			t.Fatalf("seeded: %+v %v", seeded, err)
		}
		const admin = int64(7) // updated_by names the admin; no account is needed here
		at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return at })
		if err := db.PutSMSTemplate(ctx, "approved", "准予许可：{申请号}", admin); err != nil {
			t.Fatal(err)
		}
		got, err := db.SMSTemplate(ctx, "approved")
		if err != nil || got.Body != "准予许可：{申请号}" || got.UpdatedBy != admin || !got.UpdatedAt.Equal(at) {
			t.Fatalf("%+v %v", got, err)
		}
		all, err := db.SMSTemplates(ctx)
		if err != nil || len(all) != 25 || all["approved"] != "准予许可：{申请号}" {
			t.Fatalf("%v %v", all, err)
		}
		if _, err := db.SMSTemplate(ctx, "sms_code"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if err := db.PutSMSTemplate(ctx, "sms_code", "验证码 {申请号}", admin); !errors.Is(err, store.ErrTemplateTopic) {
			t.Fatalf("sms_code templated: %v", err)
		}
		if err := db.PutSMSTemplate(ctx, "approved", " ", admin); err == nil {
			t.Fatal("empty template stored")
		}
	})
}

// Messages sent or given up are deleted OutboxKept after; one still to
// send stays however old it is.
func TestPruneOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &outboxClock{time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
		db.SetClock(c.now)
		queueOutbox(t, db, 4)
		claims, err := db.ClaimOutbox(ctx, 3)
		if err != nil || len(claims) != 3 {
			t.Fatalf("claim: %+v %v", claims, err)
		}
		sent, failed, pending := claims[0], claims[1], claims[2]
		if err := db.MarkSent(ctx, sent.ID, c.t, "gw-1", sent.Body); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkFailed(ctx, failed, errors.New("号码不存在"), time.Time{}, failed.Body); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkFailed(ctx, pending, errors.New("网关超时"), c.t.Add(time.Hour), ""); err != nil {
			t.Fatal(err)
		}

		c.t = c.t.Add(store.OutboxKept - time.Minute)
		if n, err := db.PruneOutbox(ctx); err != nil || n != 0 {
			t.Fatalf("before OutboxKept: pruned %d, %v", n, err)
		}
		c.t = c.t.Add(2 * time.Minute)
		if n, err := db.PruneOutbox(ctx); err != nil || n != 2 {
			t.Fatalf("after OutboxKept: pruned %d, %v; want the sent and the given-up one", n, err)
		}
		for _, id := range []int64{sent.ID, failed.ID} {
			if _, err := db.OutboxMessageByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("message %d: %v, want it deleted", id, err)
			}
		}
		if st, err := db.OutboxStats(ctx); err != nil || st.Pending != 2 || st.Sent+st.Failed != 0 {
			t.Errorf("left: %+v %v, want the two still to send", st, err)
		}
	})
}
