package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"opcert/internal/audit"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/verify"
)

// One key signs until rotated; every key stays published, the retired ones
// marked, so certificates signed before a rotation still verify — also
// when the deployment moves from Ed25519 to SM2.
func TestSigningKeysRotateAndStayPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock(db)
		first, err := db.SigningKey(ctx, verify.Ed25519)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := db.SigningKey(ctx, verify.SM2)
		if again.ID != first.ID || again.Algorithm != verify.Ed25519 || verify.KeyID(first.Public()) != first.ID {
			t.Fatalf("second call made another key: %s %s", first.ID, again.ID)
		}
		token, err := verify.Sign(first, verify.Payload{Number: "1"})
		if err != nil {
			t.Fatal(err)
		}
		c.advance(time.Hour)
		next, err := db.RotateSigningKey(ctx, verify.SM2, audit.Entry{ActorRole: "admin"})
		if err != nil || next == first.ID {
			t.Fatalf("rotate: %s %v", next, err)
		}
		cur, err := db.SigningKey(ctx, verify.Ed25519)
		if err != nil || cur.ID != next || cur.Algorithm != verify.SM2 {
			t.Fatalf("signing with %+v after rotating to %s: %v", cur, next, err)
		}
		newer, err := verify.Sign(cur, verify.Payload{Number: "2"})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := db.PublicSigningKeys(ctx)
		if err != nil || len(keys) != 2 || keys[0].ID != first.ID || keys[0].RetiredAt.IsZero() || !keys[1].RetiredAt.IsZero() {
			t.Fatalf("published %+v %v", keys, err)
		}
		published := map[string]verify.PublicKey{keys[0].ID: keys[0].Public, keys[1].ID: keys[1].Public}
		if _, err := verify.Open(token, published); err != nil {
			t.Fatalf("old token: %v", err)
		}
		if _, err := verify.Open(newer, published); err != nil || keys[1].Public.Algorithm != verify.SM2 {
			t.Fatalf("SM2 token: %v", err)
		}
	})
}

// An item ended by a decision reads back with its decision; ending it again
// is refused.
func TestEndItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newClock(db)
		h, err := db.PutHolding(ctx, registry.Holding{Holder: person("张三", "11010519491231002X"), Certificates: []registry.Certificate{{Number: "11010519491231002X", Items: []registry.Item{{
			Ref: catalog.OldRef("Q8"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2022-12-01"), ValidUntil: civil.MustParse("2026-11-30"), Status: registry.ItemValid}}}}})
		if err != nil {
			t.Fatal(err)
		}
		id := h.Certificates[0].Items[0].ID
		e := registry.Ending{Kind: registry.Revoke, Reason: "以欺骗手段取得", Basis: registry.Revoke.DefaultBasis(), On: civil.MustParse("2026-12-01")}
		if err := db.EndItem(ctx, id, e, 0, audit.Entry{ActorRole: "admin", Action: "end_item_revoke"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if err != nil {
			t.Fatal(err)
		}
		it := got.Certificates[0].Items[0]
		if it.Status != registry.ItemRevoked || it.Ending == nil || *it.Ending != e {
			t.Fatalf("item %+v ending %+v", it, it.Ending)
		}
		if err := db.EndItem(ctx, id, e, 0, audit.Entry{}); !errors.Is(err, store.ErrItemNotInForce) {
			t.Fatalf("twice: %v", err)
		}
		if err := db.EndItem(ctx, id+100, e, 0, audit.Entry{}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no such item: %v", err)
		}
	})
}

// A re-import of the registry (the same file again, or a later export that
// still says 有效) does not bring an ended item back: the decision and its
// reason stay with the item; the other items are taken as the file says.
func TestReimportKeepsEndedItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newClock(db)
		holding := func(until string) registry.Holding {
			return registry.Holding{Holder: person("张三", "11010519491231002X"), Certificates: []registry.Certificate{{Number: "11010519491231002X", Items: []registry.Item{
				{Ref: catalog.OldRef("Q8"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2022-12-01"), ValidUntil: civil.MustParse("2026-11-30"), Status: registry.ItemValid},
				{Ref: catalog.OldRef("N2"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2022-12-01"), ValidUntil: civil.MustParse(until), Status: registry.ItemValid}}}}}
		}
		h, err := db.PutHolding(ctx, holding("2026-11-30"))
		if err != nil {
			t.Fatal(err)
		}
		e := registry.Ending{Kind: registry.Revoke, Reason: "以欺骗手段取得", Basis: registry.Revoke.DefaultBasis(), On: civil.MustParse("2026-12-01")}
		if err := db.EndItem(ctx, h.Certificates[0].Items[0].ID, e, 0, audit.Entry{ActorRole: "admin", Action: "end_item_revoke"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutHolding(ctx, holding("2027-06-30")); err != nil {
			t.Fatal(err)
		}
		got, err := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if err != nil {
			t.Fatal(err)
		}
		items := got.Certificates[0].Items
		if len(items) != 2 || items[0].Status != registry.ItemRevoked || items[0].Ending == nil || *items[0].Ending != e {
			t.Fatalf("the revoked item after a re-import: %+v (ending %+v)", items[0], items[0].Ending)
		}
		if items[1].Status != registry.ItemValid || items[1].ValidUntil != civil.MustParse("2027-06-30") {
			t.Fatalf("the other item was not taken from the file: %+v", items[1])
		}
	})
}
