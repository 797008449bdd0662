package web

import (
	"testing"

	"opcert/internal/civil"
	"opcert/internal/registry"
)

// Every standing an item can have today has its own word in the API
// (openapi.json, Standing): none falls through to "unknown", which is kept
// for a printed line the registry no longer has.
func TestEveryStandingHasAnAPICode(t *testing.T) {
	today := civil.MustParse("2026-11-22")
	item := func(status registry.ItemStatus, until string, ending *registry.Ending) registry.Item {
		return registry.Item{Status: status, ApprovedOn: civil.MustParse("2022-01-01"), ValidUntil: civil.MustParse(until), Ending: ending}
	}
	for _, c := range []struct {
		it   registry.Item
		want string
	}{
		{item(registry.ItemValid, "2029-01-01", nil), "valid"},
		{item(registry.ItemValid, "2027-01-31", nil), "expiring"},
		{item(registry.ItemValid, "2026-11-21", nil), "expired"},
		{item(registry.ItemSuperseded, "2029-01-01", nil), "superseded"},
		{item(registry.ItemRevoked, "2029-01-01", &registry.Ending{Kind: registry.Cancel}), "cancelled"},
		{item(registry.ItemRevoked, "2029-01-01", nil), "cancelled"},
		{item(registry.ItemRevoked, "2029-01-01", &registry.Ending{Kind: registry.Revoke}), "revoked"},
	} {
		if got := standingCode(c.it.StandingOn(today)); got != c.want {
			t.Errorf("%+v (%s): %q, want %q", c.it, c.it.StandingOn(today).Label, got, c.want)
		}
	}
}
