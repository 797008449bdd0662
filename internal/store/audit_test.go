package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"opcert/internal/audit"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

func appendN(t *testing.T, db *store.DB, n int) (head string) {
	t.Helper()
	for i := range n {
		e, err := db.AppendAudit(context.Background(), audit.Entry{ActorID: 3, ActorRole: "officer", Action: "approve",
			Subject: fmt.Sprintf("application:%d", i), Before: "status=accepted", After: "status=approved", IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		head = e.Hash
	}
	return head
}

func brokenAt(t *testing.T, db *store.DB, head string, seq int64) {
	t.Helper()
	_, _, err := db.VerifyAudit(context.Background(), head)
	var be *audit.BrokenChainError
	if !errors.As(err, &be) || be.Seq != seq {
		t.Fatalf("verify = %v, want broken at %d", err, seq)
	}
}

// Concurrent appenders must never fork the chain (two rows on the same
// previous hash) nor lose an entry.
func TestAuditChainUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Each appender writes its own share, so every one of them is in
		// the chain whatever order the scheduler runs them in.
		const appenders, each = 8, 7
		const total = appenders * each
		var wg sync.WaitGroup
		for g := range appenders {
			wg.Go(func() {
				for range each {
					if _, err := db.AppendAudit(ctx, audit.Entry{ActorID: int64(g), ActorRole: "officer", Action: "view_application",
						Subject: fmt.Sprintf("application:%d", g), IP: "127.0.0.1"}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		n, head, err := db.VerifyAudit(ctx, "")
		if err != nil || n != total || head == audit.Genesis {
			t.Fatalf("verify: %d %s %v", n, head, err)
		}
		all, err := db.AuditEntriesFrom(ctx, 1, 1000)
		if err != nil || len(all) != total {
			t.Fatalf("entries: %d %v", len(all), err)
		}
		perActor := map[int64]int{}
		for i, e := range all {
			if e.Seq != int64(i+1) {
				t.Fatalf("seq %d at position %d", e.Seq, i)
			}
			perActor[e.ActorID]++
		}
		for g := range appenders {
			if perActor[int64(g)] != each {
				t.Errorf("appender %d: %d entries in the chain, want %d (%v)", g, perActor[int64(g)], each, perActor)
			}
		}
		if _, _, err := db.VerifyAudit(ctx, head); err != nil {
			t.Fatalf("verify against the head: %v", err)
		}
	})
}

// An entry appended in a transaction that rolls back leaves no trace: the
// action it recorded did not happen either.
func TestAuditAppendRollsBackWithItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		head := appendN(t, db, 3)
		err := storetest.InTx(t, db, func(tx *sql.Tx) error {
			e, err := db.AppendAuditTx(ctx, tx, audit.Entry{ActorID: 1, ActorRole: "officer", Action: "approve", Subject: "application:1"})
			if err != nil {
				return err
			}
			if e.Seq != 4 || e.PrevHash != head {
				t.Errorf("in tx: seq %d prev %s", e.Seq, e.PrevHash)
			}
			return errors.New("the change failed")
		})
		if err == nil {
			t.Fatal("transaction committed")
		}
		if n, last, err := db.VerifyAudit(ctx, head); err != nil || n != 3 || last != head {
			t.Fatalf("after rollback: %d %s %v", n, last, err)
		}
		e, err := db.AppendAudit(ctx, audit.Entry{ActorID: 1, ActorRole: "officer", Action: "approve", Subject: "application:1"})
		if err != nil || e.Seq != 4 || e.PrevHash != head {
			t.Fatalf("next append: %+v %v", e, err)
		}
		if n, _, err := db.VerifyAudit(ctx, head); err != nil || n != 4 {
			t.Fatalf("verify: %d %v", n, err)
		}
	})
}

// Issue 4: audit chain verification fails after a row is altered by hand.
func TestAuditDetectsEditsAndDeletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		head := appendN(t, db, 20)

		storetest.Exec(t, db, `UPDATE audit_log SET after_data = 'status=rejected' WHERE seq = 10`)
		brokenAt(t, db, "", 10)
		storetest.Exec(t, db, `UPDATE audit_log SET after_data = 'status=approved' WHERE seq = 10`)
		if _, _, err := db.VerifyAudit(ctx, head); err != nil {
			t.Fatalf("edit undone: %v", err)
		}

		// The same instant written differently is still an edit of the row.
		seven, err := db.AuditEntriesFrom(ctx, 7, 1)
		if err != nil || len(seven) != 1 {
			t.Fatal(seven, err)
		}
		storetest.Exec(t, db, `UPDATE audit_log SET at = $1 WHERE seq = 7`, seven[0].At.Format("2006-01-02T15:04:05.999999999-07:00"))
		brokenAt(t, db, "", 7)
		storetest.Exec(t, db, `UPDATE audit_log SET at = $1 WHERE seq = 7`, seven[0].At.Format(time.RFC3339Nano))
		if _, _, err := db.VerifyAudit(ctx, head); err != nil {
			t.Fatalf("time restored: %v", err)
		}

		storetest.Exec(t, db, `DELETE FROM audit_log WHERE seq = 15`)
		brokenAt(t, db, "", 15)

		// Cutting the tail back past the gap leaves a shorter valid chain;
		// only the head recorded earlier reveals it.
		storetest.Exec(t, db, `DELETE FROM audit_log WHERE seq >= 15`)
		if n, _, err := db.VerifyAudit(ctx, ""); err != nil || n != 14 {
			t.Fatalf("a cut tail alone verifies: %d %v", n, err)
		}
		brokenAt(t, db, head, 15)

		storetest.Exec(t, db, `DELETE FROM audit_log WHERE seq = 1`)
		brokenAt(t, db, "", 1)
	})
}

// Verification reads the log in pages; a chain longer than one page must
// link across the page boundary.
func TestAuditVerifyAcrossPages(t *testing.T) {
	if testing.Short() {
		t.Skip("appends more than a page of entries")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		head := appendN(t, db, 1005)
		if n, last, err := db.VerifyAudit(ctx, head); err != nil || n != 1005 || last != head {
			t.Fatalf("verify: %d %v", n, err)
		}
		storetest.Exec(t, db, `UPDATE audit_log SET ip = '10.0.0.9' WHERE seq = 1001`)
		brokenAt(t, db, "", 1001)
		storetest.Exec(t, db, `UPDATE audit_log SET ip = '127.0.0.1' WHERE seq = 1001`)
		storetest.Exec(t, db, `DELETE FROM audit_log WHERE seq = 1000`)
		brokenAt(t, db, "", 1000)
	})
}

func TestAuditEntriesOfASubject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 3)
		es, err := db.AuditEntries(ctx, "application:1", 10)
		if err != nil || len(es) != 1 || es[0].Seq != 2 || es[0].ComputeHash() != es[0].Hash {
			t.Fatalf("%+v %v", es, err)
		}
		if !strings.HasSuffix(es[0].At.Location().String(), "UTC") {
			t.Errorf("at = %v", es[0].At)
		}
	})
}
