package casework_test

import (
	"strings"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// An admin sets a key's limit as typed, full-width digits too (a Chinese
// input method gives them); anything but a whole number from 1 to
// MaxAPIKeyPerMinute is refused at its field. Only an admin issues keys.
func TestIssueAPIKeyChecksItsLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := service(t, db, "2026-11-22")
	admin := casework.Actor{UserID: 0, Role: auth.RoleAdmin}
	for _, c := range []struct {
		perMinute string
		want      int // 0: refused
	}{
		{"60", 60}, {" 1 ", 1}, {"６０", 60}, {"6000", 6000},
		{"0", 0}, {"6001", 0}, {"-5", 0}, {"1.5", 0}, {"六十", 0}, {"", 0}, {"99999999999", 0},
	} {
		k, err := s.IssueAPIKey(ctx, admin, casework.APIKeyIssue{Name: "检验所", PerMinute: c.perMinute})
		switch {
		case c.want == 0 && (err == nil || casework.FieldErrors(err)[0].Field != "per_minute"):
			t.Errorf("%q: accepted or refused elsewhere: %v", c.perMinute, err)
		case c.want != 0 && (err != nil || k.PerMinute != c.want):
			t.Errorf("%q: %+v %v", c.perMinute, k.APIKey, err)
		case c.want != 0 && (!strings.HasPrefix(k.Secret, casework.APIKeyPrefix) || len(k.Secret) != len(casework.APIKeyPrefix)+43):
			t.Errorf("secret %q is not 32 random bytes", k.Secret)
		}
	}
	if _, err := s.IssueAPIKey(ctx, casework.Actor{UserID: 5, Role: auth.RoleOfficer}, casework.APIKeyIssue{Name: "x", PerMinute: "5"}); casework.ErrorCode(err) != casework.Forbidden {
		t.Errorf("officer: %v", err)
	}
	if err := s.RevokeAPIKey(ctx, admin, 999); casework.ErrorCode(err) != casework.NotFound {
		t.Errorf("revoke unknown: %v", err)
	}
}

// A key is refused once revoked, on the next call; an unknown secret and a
// revoked one are told apart only by the message.
func TestAdmitAPICallRefusesRevokedKeys(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := service(t, db, "2026-11-22")
	admin := casework.Actor{Role: auth.RoleAdmin}
	k, err := s.IssueAPIKey(ctx, admin, casework.APIKeyIssue{Name: "检验所", PerMinute: "10"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.AdmitAPICall(ctx, k.Secret, "198.51.100.1"); err != nil || c.KeyID != k.ID {
		t.Fatalf("admit: %+v %v", c, err)
	}
	if err := s.RevokeAPIKey(ctx, admin, k.ID); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{k.Secret, k.Secret + "x", "opk_", "Bearer"} {
		if _, err := s.AdmitAPICall(ctx, secret, "198.51.100.1"); casework.ErrorCode(err) != casework.Unauthorized {
			t.Errorf("%q: %v", secret, err)
		}
	}
	if err := s.RevokeAPIKey(ctx, admin, k.ID); casework.ErrorCode(err) != casework.Conflict {
		t.Errorf("revoked twice: %v", err)
	}
}
