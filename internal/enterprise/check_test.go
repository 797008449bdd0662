package enterprise

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Only a pending registration is decided, only a refused one corrected
// and resubmitted.
func TestCheckTurns(t *testing.T) {
	for _, c := range []struct {
		s                CheckStatus
		decide, resubmit error
	}{
		{CheckPending, nil, ErrNotRefused},
		{CheckApproved, ErrAlreadyApproved, ErrNotRefused},
		{CheckRefused, ErrAwaitsCorrection, nil},
	} {
		if err := CanDecide(c.s); !errors.Is(err, c.decide) {
			t.Errorf("decide %s: %v, want %v", c.s, err, c.decide)
		}
		if err := CanResubmit(c.s); !errors.Is(err, c.resubmit) {
			t.Errorf("resubmit %s: %v, want %v", c.s, err, c.resubmit)
		}
	}
	if !CheckApproved.Checked() || CheckPending.Checked() || CheckRefused.Checked() {
		t.Error("only an approved 单位 is checked")
	}
}

// A refused registration keeps its code for 30 days from the refusal; a
// pending one never gives way by time.
func TestLapsed(t *testing.T) {
	refused := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		s    CheckStatus
		at   time.Time
		now  time.Time
		want bool
	}{
		{CheckRefused, refused, refused.Add(CorrectionPeriod - time.Second), false},
		{CheckRefused, refused, refused.Add(CorrectionPeriod), true},
		{CheckRefused, time.Time{}, refused, false},
		{CheckPending, refused, refused.AddDate(1, 0, 0), false},
		{CheckApproved, refused, refused.AddDate(1, 0, 0), false},
	} {
		if got := Lapsed(c.s, c.at, c.now); got != c.want {
			t.Errorf("Lapsed(%s, %v, %v) = %v", c.s, c.at, c.now, got)
		}
	}
}

func TestCheckReason(t *testing.T) {
	if r, msg := CheckReason("  名称与营业执照\n不一致 "); msg != "" || r != "名称与营业执照 不一致" {
		t.Errorf("%q %q", r, msg)
	}
	if _, msg := CheckReason(" "); !strings.Contains(msg, "请填写") {
		t.Errorf("empty: %q", msg)
	}
	if _, msg := CheckReason(strings.Repeat("字", 101)); !strings.Contains(msg, "100") {
		t.Errorf("long: %q", msg)
	}
	if _, msg := CheckReason(strings.Repeat("𠮷", 100)); msg != "" {
		t.Errorf("100 characters outside the BMP: %q", msg)
	}
}
