package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

func TestAuditChainUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 6 {
					if _, err := db.AppendAudit(ctx, audit.Entry{ActorID: int64(g), ActorRole: "officer", Action: "view_application",
						Subject: fmt.Sprintf("application:%d", i), IP: "127.0.0.1"}); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		n, head, err := db.VerifyAudit(ctx, "")
		if err != nil || n != 48 || head == audit.Genesis {
			t.Fatalf("verify: %d %s %v", n, head, err)
		}
		if _, _, err := db.VerifyAudit(ctx, head); err != nil {
			t.Fatalf("verify against the head: %v", err)
		}
		// A rolled-back transaction leaves no trace.
		storetest.InTx(t, db, func(tx *sql.Tx) error {
			if _, err := db.AppendAuditTx(ctx, tx, audit.Entry{ActorID: 1, ActorRole: "officer", Action: "approve", Subject: "application:1"}); err != nil {
				return err
			}
			return errors.New("rollback")
		})
		if n, _, err := db.VerifyAudit(ctx, head); err != nil || n != 48 {
			t.Fatalf("after rollback: %d %v", n, err)
		}
	})
}

func TestAuditDetectsEditsAndDeletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var head string
		for i := range 20 {
			e, err := db.AppendAudit(ctx, audit.Entry{ActorID: 3, ActorRole: "officer", Action: "approve", Subject: fmt.Sprintf("application:%d", i), After: "approved"})
			if err != nil {
				t.Fatal(err)
			}
			head = e.Hash
		}
		storetest.Exec(t, db, `UPDATE audit_log SET after_data = 'denied' WHERE seq = 10`)
		var be *audit.BrokenChainError
		if _, _, err := db.VerifyAudit(ctx, ""); !errors.As(err, &be) || be.Seq != 10 {
			t.Fatalf("edited row: %v", err)
		}
		storetest.Exec(t, db, `UPDATE audit_log SET after_data = 'approved' WHERE seq = 10`)
		storetest.Exec(t, db, `DELETE FROM audit_log WHERE seq = 15`)
		if _, _, err := db.VerifyAudit(ctx, ""); !errors.As(err, &be) || be.Seq != 15 {
			t.Fatalf("deleted row: %v", err)
		}
		storetest.Exec(t, db, `DELETE FROM audit_log WHERE seq >= 15`)
		if _, _, err := db.VerifyAudit(ctx, ""); err != nil {
			t.Fatalf("a cut tail alone verifies: %v", err)
		}
		if _, _, err := db.VerifyAudit(ctx, head); !errors.As(err, &be) {
			t.Fatalf("cut tail against the recorded head: %v", err)
		}
	})
}
