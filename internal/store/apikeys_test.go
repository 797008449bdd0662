package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"opcert/internal/audit"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// Calls of one key made at once through two handles on one database (two
// instances) are each counted once: the counts handed out are exactly
// 1…N, so no two calls both pass as the last one within a limit.
func TestAPIKeyCallsCountedOnceAcrossInstances(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			one, two := storetest.Pair(t, engine)
			at := time.Date(2026, 11, 22, 9, 30, 10, 0, time.UTC)
			for _, db := range []*store.DB{one, two} {
				db.SetClock(func() time.Time { return at })
			}
			ctx := context.Background()
			k, err := one.IssueAPIKey(ctx, store.APIKey{Name: "检验所", Prefix: "opk_abcdef", PerMinute: 50}, "hash-1", 0, audit.Entry{ActorRole: "admin", Action: "issue_api_key"})
			if err != nil {
				t.Fatal(err)
			}
			const workers, each = 8, 10
			var mu sync.Mutex
			seen := map[int]bool{}
			var wg sync.WaitGroup
			for w := range workers {
				db := []*store.DB{one, two}[w%2]
				wg.Go(func() {
					for range each {
						n, next, err := db.CountAPIKeyCall(ctx, k.ID, k.PerMinute)
						if err != nil {
							t.Error(err)
							return
						}
						if !next.Equal(time.Date(2026, 11, 22, 9, 31, 0, 0, time.UTC)) {
							t.Errorf("next window %v", next)
						}
						mu.Lock()
						if seen[n] {
							t.Errorf("count %d handed out twice", n)
						}
						seen[n] = true
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			for n := 1; n <= workers*each; n++ {
				if !seen[n] {
					t.Fatalf("count %d never handed out", n)
				}
			}
			keys, err := two.APIKeys(ctx)
			if err != nil || len(keys) != 1 || keys[0].Calls != 50 || keys[0].Refused != 30 || keys[0].CallsThisMinute != 80 {
				t.Fatalf("keys %+v %v", keys, err)
			}
			if got, err := two.APIKeyBySecretHash(ctx, "hash-1"); err != nil || got.ID != k.ID || got.Revoked() {
				t.Fatalf("by hash %+v %v", got, err)
			}
			if err := two.RevokeAPIKey(ctx, k.ID, 0, audit.Entry{ActorRole: "admin", Action: "revoke_api_key"}); err != nil {
				t.Fatal(err)
			}
			if err := one.RevokeAPIKey(ctx, k.ID, 0, audit.Entry{ActorRole: "admin", Action: "revoke_api_key"}); !errors.Is(err, store.ErrKeyRevoked) {
				t.Fatalf("revoked twice: %v", err)
			}
			if got, _ := one.APIKeyBySecretHash(ctx, "hash-1"); !got.Revoked() {
				t.Fatal("revocation not seen by the other instance")
			}
			if _, err := one.APIKeyBySecretHash(ctx, "hash-2"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown hash: %v", err)
			}
			// A new minute starts from one and drops the old window.
			at = at.Add(time.Minute)
			if n, _, err := one.CountAPIKeyCall(ctx, k.ID, k.PerMinute); err != nil || n != 1 {
				t.Fatalf("next minute: %d %v", n, err)
			}
		})
	}
}

// The public query by certificate number finds the holder by the number
// printed on a certificate (which may not be their present 证件号码) or by
// its 档案编号, on both engines; an empty archive number matches nothing.
func TestHoldingByCertificateNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := holding("李娜", "110105198001010016", item(oldQ8, "2027-01-31"))
		h.Certificates = append(h.Certificates, registry.Certificate{Number: "SH1999000123", ArchiveNo: "TS3100000000777", Items: []registry.Item{item(oldQ2, "2026-12-31")}})
		if _, err := db.PutHolding(ctx, h); err != nil {
			t.Fatal(err)
		}
		for _, number := range []string{"SH1999000123", "TS3100000000777", "110105198001010016"} {
			got, err := db.HoldingByCertificateNumber(ctx, number)
			if err != nil || got.Holder.Name != "李娜" || len(got.Certificates) != 2 {
				t.Fatalf("%s: %+v %v", number, got, err)
			}
		}
		for _, number := range []string{"", "SH1999000124"} {
			if _, err := db.HoldingByCertificateNumber(ctx, number); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%q: %v", number, err)
			}
		}
	})
}
