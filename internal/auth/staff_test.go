package auth

import (
	"errors"
	"testing"
)

func TestCheckLogin(t *testing.T) {
	for _, c := range []struct {
		login string
		ok    bool
	}{
		{"officer-310104", true},
		{"exam.city_01", true},
		{"ab", false},          // too short
		{"13800000001", false}, // looks like an applicant's mobile
		{"-officer", false},    // must begin with a letter
		{"张三", false},          // Chinese goes in 姓名, not the login
		{"officer 1", false},   // space
		{"", false},
		{"a234567890123456789012345678901234", false}, // 34 > 32
	} {
		if err := CheckLogin(c.login); (err == nil) != c.ok {
			t.Errorf("CheckLogin(%q) = %v, want ok=%v", c.login, err, c.ok)
		}
	}
}

func TestNewOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p := NewOneTimePassword()
		if err := CheckPasswordStrength(p); err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		for _, r := range p {
			switch r {
			case '0', 'O', '1', 'l', 'I':
				t.Fatalf("%q has a character read alike", p)
			}
		}
		if seen[p] {
			t.Fatalf("%q twice", p)
		}
		seen[p] = true
	}
}

func TestCheckStatusChange(t *testing.T) {
	admin := User{ID: 1, Role: RoleAdmin}
	other := User{ID: 2, Role: RoleAdmin}
	officer := User{ID: 3, Role: RoleOfficer, AuthorityCode: "310104"}
	for _, c := range []struct {
		name    string
		target  User
		disable bool
		active  []int64
		want    error
	}{
		{"an officer is disabled", officer, true, []int64{1}, nil},
		{"another admin while one more remains", other, true, []int64{1, 2}, nil},
		{"oneself", admin, true, []int64{1, 2, 4}, ErrDisableSelf},
		// Only reachable when the actor was disabled meanwhile: two admins
		// disabling each other at once.
		{"the last active admin", other, true, []int64{2}, ErrLastAdmin},
		{"already disabled", User{ID: 3, Role: RoleOfficer, Disabled: true}, true, []int64{1}, ErrAlreadyDisabled},
		{"enable an enabled one", officer, false, []int64{1}, ErrAlreadyEnabled},
		{"enable a disabled admin", User{ID: 2, Role: RoleAdmin, Disabled: true}, false, []int64{1}, nil},
		{"an actor disabled meanwhile", officer, true, []int64{2}, ErrActorDisabled},
	} {
		if got := CheckStatusChange(admin.ID, c.target, c.disable, c.active); !errors.Is(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
