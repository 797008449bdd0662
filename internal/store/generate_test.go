package store_test

import (
	"testing"

	"opcert/internal/civil"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// The generated registry is what the load command queries through the
// public page, which checks every 证件号码 (GB 11643) before looking it up.
func TestGenerateRegistry(t *testing.T) {
	const n = 1200
	var first map[int64]string // holder id → 证件号码 on the first engine
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.GenerateRegistry(ctx, n); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckGenerated(ctx, n); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckGenerated(ctx, n+1); err == nil {
			t.Fatal("CheckGenerated accepted the wrong count")
		}
		today := civil.MustParse("2026-12-01")
		ids := map[int64]string{}
		mismatched := 0
		for id := int64(1); id <= n; id++ {
			h, err := db.HolderByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := idcheck.ParseResidentID(h.IDNumber, today); err != nil {
				t.Fatalf("holder %d: %s: %v", id, h.IDNumber, err)
			}
			if h.Name == "" || h.IDType != registry.IDResident {
				t.Fatalf("holder %d: %+v", id, h)
			}
			ids[id] = h.IDNumber
			got, err := db.HoldingByIDNumber(ctx, h.IDNumber)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Certificates) != 1 || len(got.Certificates[0].Items) != 2 {
				t.Fatalf("holder %d: %+v", id, got)
			}
			if c := got.Certificates[0].Number; c != h.IDNumber {
				mismatched++
				if c[:17] != h.IDNumber[:17] {
					t.Fatalf("holder %d: certificate %s is not the 证件号码 %s with another check character", id, c, h.IDNumber)
				}
			}
		}
		if mismatched != n/100 {
			t.Errorf("%d certificate numbers differ from the 证件号码, want %d", mismatched, n/100)
		}
		if first == nil {
			first = ids
			return
		}
		for id, num := range ids {
			if first[id] != num {
				t.Fatalf("holder %d: %s here, %s on the other engine", id, num, first[id])
			}
		}
	})
}
