package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("Demo@2026")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "Demo@2026") {
		t.Fatal("right password refused")
	}
	for _, wrong := range []string{"demo@2026", "Demo@2026 ", ""} {
		if CheckPassword(h, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	if h2, _ := HashPassword("Demo@2026"); h2 == h {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for _, garbage := range []string{"", "$argon2id$", "plain", "$argon2id$v=19$m=x$a$b"} {
		if CheckPassword(garbage, "x") {
			t.Errorf("malformed hash %q accepted", garbage)
		}
	}
}

func TestPasswordStrength(t *testing.T) {
	for p, ok := range map[string]bool{"Demo@2026": true, "abcdefg1": true, "abcdefgh": false, "12345678": false, "abc123": false} {
		if err := CheckPasswordStrength(p); (err == nil) != ok {
			t.Errorf("%q: err = %v", p, err)
		}
	}
}

func TestUserValidate(t *testing.T) {
	base := User{Login: "a", Name: "王", Role: RoleOfficer, PasswordHash: "h", AuthorityCode: "310104"}
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	noAuth := base
	noAuth.AuthorityCode = ""
	admin := base
	admin.Role = RoleAdmin
	badRole := base
	badRole.Role = "root"
	examiner := User{Login: "e", Name: "考务", Role: RoleExaminer, PasswordHash: "h", InstitutionID: 1}
	if err := examiner.Validate(); err != nil {
		t.Fatal(err)
	}
	noInstitution := examiner
	noInstitution.InstitutionID = 0
	officerInInstitution := base
	officerInInstitution.InstitutionID = 1
	for name, u := range map[string]User{"officer without authority": noAuth, "admin with authority": admin, "unknown role": badRole,
		"exam staff without their institution": noInstitution, "officer bound to an institution": officerInInstitution} {
		if err := u.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// With every hashing slot taken, a login waits PasswordWait and is told
// the system is busy; once a slot is free it is checked again.
func TestPasswordCheckQueuesForASlot(t *testing.T) {
	h, err := HashPassword("Demo@2026")
	if err != nil {
		t.Fatal(err)
	}
	defer func(w time.Duration) { PasswordWait = w }(PasswordWait)
	PasswordWait = time.Millisecond
	var releases []func()
	for range cap(hashSlots) {
		release, err := takeSlot(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	if ok, err := CheckPasswordContext(context.Background(), h, "Demo@2026"); !errors.Is(err, ErrBusy) || ok {
		t.Fatalf("all slots taken: ok %v, err %v; want ErrBusy", ok, err)
	}
	if _, err := HashPasswordContext(context.Background(), "Demo@2026"); !errors.Is(err, ErrBusy) {
		t.Fatalf("all slots taken: hash err %v; want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	PasswordWait = time.Hour
	if _, err := CheckPasswordContext(ctx, h, "Demo@2026"); !errors.Is(err, context.Canceled) {
		t.Fatalf("request gone while waiting: err %v; want context.Canceled", err)
	}
	releases[0]()
	if ok, err := CheckPasswordContext(context.Background(), h, "Demo@2026"); err != nil || !ok {
		t.Fatalf("a slot free: ok %v, err %v", ok, err)
	}
	for _, release := range releases[1:] {
		release()
	}
	if len(hashSlots) != 0 {
		t.Fatalf("%d slots still taken after every hash ended", len(hashSlots))
	}
}

func TestLongestRateWindow(t *testing.T) {
	for _, w := range []time.Duration{SMSPerMobile.Window, SMSPerIP.Window, SMSResend.Window, LoginFailureWindow, QueryMissWindow} {
		if w > LongestRateWindow() {
			t.Errorf("a limit looks back %v, further than LongestRateWindow %v", w, LongestRateWindow())
		}
	}
	if LongestRateWindow() != time.Hour {
		t.Errorf("LongestRateWindow = %v, want the hour of the SMS limits and query misses", LongestRateWindow())
	}
}

func TestMaskSMSCode(t *testing.T) {
	for _, p := range []SMSPurpose{SMSLogin, SMSRegister} {
		for range 50 {
			code := NewSMSCode()
			masked := MaskSMSCode(SMSCodeMessage(p, code))
			if strings.Contains(masked, code) || !strings.Contains(masked, "验证码为 ******，") {
				t.Fatalf("%s: %q", code, masked)
			}
			if masked != SMSCodeMessage(p, "******") {
				t.Errorf("masked %q, want the message with ****** for the code", masked)
			}
		}
	}
	for _, s := range []string{"", "您的申请（申请号 20261122000123）已受理。", "验证码为", "【特种设备作业人员资格认定】您的申请已提交，受理机构：徐汇区。"} {
		if got := MaskSMSCode(s); got != s {
			t.Errorf("MaskSMSCode(%q) = %q", s, got)
		}
	}
}
