package store_test

import (
	"database/sql"
	"errors"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/enterprise"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

func TestRegisterUnitOneAccountPerCreditCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		un := enterprise.Unit{CreditCode: "91310116607444444X", Name: "上海金山石化焊接工程有限公司", Address: "上海市金山区卫零路55号", Contact: "王师傅", Phone: "021-57940000"}
		u, err := db.RegisterUnit(ctx, un, "hash")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != auth.RoleUnit || u.Login != un.CreditCode || u.ID == 0 {
			t.Fatalf("user = %+v", u)
		}
		// The role widened by the migration is stored and read back on
		// every connection (SQLite's schema edit reached them all).
		for range 4 {
			got, err := db.UserByLogin(ctx, un.CreditCode)
			if err != nil || got.Role != auth.RoleUnit {
				t.Fatalf("read back: %+v %v", got, err)
			}
		}
		back, err := db.UnitOf(ctx, u.ID)
		if err != nil || back != un {
			t.Fatalf("profile = %+v, %v", back, err)
		}
		again := un
		again.Name = "另一家公司"
		if _, err := db.RegisterUnit(ctx, again, "hash"); !errors.Is(err, store.ErrUnitTaken) {
			t.Fatalf("same code again: %v", err)
		}
		if _, err := db.UnitOf(ctx, u.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no such unit: %v", err)
		}
		if db.Dialect() == store.SQLite {
			// The migration edited the stored schema: the file must still
			// be sound.
			var verdict string
			if err := storetest.InTx(t, db, func(tx *sql.Tx) error { return tx.QueryRow(`PRAGMA integrity_check`).Scan(&verdict) }); err != nil || verdict != "ok" {
				t.Fatalf("integrity_check: %q %v", verdict, err)
			}
		}
		// The role check still refuses what is not a role.
		if _, err := db.CreateUser(ctx, auth.User{Login: "x", Name: "x", Role: "unit", PasswordHash: "h"}); err != nil {
			t.Fatalf("a unit through CreateUser: %v", err)
		}
		if err := storetest.InTx(t, db, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO users (login, name, role, password_hash, mobile, disabled, created_at) VALUES ('y', 'y', 'boss', 'h', '', false, CURRENT_TIMESTAMP)`)
			return err
		}); err == nil {
			t.Fatal("a role outside the check was stored")
		}
	})
}

// ApplyAll writes its transitions together or not at all: a stale second
// one leaves the first unwritten, with no history line and no SMS.
func TestApplyAllWritesAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, h := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		a, b := draft(t, db, u, h), draft(t, db, u, h)
		tr := func(x store.Application, version int) store.Transition {
			return store.Transition{ID: x.ID, ActorID: u, Version: version, From: []string{"draft"}, To: "withdrawn", Action: "withdraw", SMS: "已撤回", SMSTopic: "withdrawn"}
		}
		if _, err := db.ApplyAll(ctx, []store.Transition{tr(a, a.Version), tr(b, b.Version+1)}); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale second: %v", err)
		}
		if got, _ := db.ApplicationOf(ctx, a.ID, u); got.Status != "draft" || got.Version != a.Version {
			t.Fatalf("the first was written: %+v", got)
		}
		if ev, _ := db.Events(ctx, a.ID); len(ev) != 1 {
			t.Fatalf("history of the first: %+v", ev)
		}
		if msgs, _ := db.RecentOutbox(ctx, "13900000001", 5); len(msgs) != 0 {
			t.Fatalf("SMS queued: %+v", msgs)
		}
		outs, err := db.ApplyAll(ctx, []store.Transition{tr(a, a.Version), tr(b, b.Version)})
		if err != nil || len(outs) != 2 || outs[0].Status != "withdrawn" || outs[1].Status != "withdrawn" || outs[1].ID != b.ID {
			t.Fatalf("both: %+v %v", outs, err)
		}
	})
}
