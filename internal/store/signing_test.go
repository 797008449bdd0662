package store_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"opcert/internal/audit"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/verify"
)

// One key signs until rotated; every key stays published, the retired ones
// marked, so certificates signed before a rotation still verify.
func TestSigningKeysRotateAndStayPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock(db)
		first, err := db.SigningKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := db.SigningKey(ctx)
		if again.ID != first.ID || verify.KeyID(first.Private.Public().(ed25519.PublicKey)) != first.ID {
			t.Fatalf("second call made another key: %s %s", first.ID, again.ID)
		}
		token, err := verify.Sign(first, verify.Payload{Number: "1"})
		if err != nil {
			t.Fatal(err)
		}
		c.advance(time.Hour)
		next, err := db.RotateSigningKey(ctx, audit.Entry{ActorRole: "admin"})
		if err != nil || next == first.ID {
			t.Fatalf("rotate: %s %v", next, err)
		}
		if cur, _ := db.SigningKey(ctx); cur.ID != next {
			t.Fatalf("signing with %s after rotating to %s", cur.ID, next)
		}
		keys, err := db.PublicSigningKeys(ctx)
		if err != nil || len(keys) != 2 || keys[0].ID != first.ID || keys[0].RetiredAt.IsZero() || !keys[1].RetiredAt.IsZero() {
			t.Fatalf("published %+v %v", keys, err)
		}
		if _, err := verify.Open(token, map[string]ed25519.PublicKey{keys[0].ID: keys[0].Public}); err != nil {
			t.Fatalf("old token: %v", err)
		}
	})
}
