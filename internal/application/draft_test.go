package application

import (
	"testing"

	"opcert/internal/civil"
)

// seed 000, 3.5 申请信息 第1点: "系统将您的信息进行为期15天的暂存，“暂存倒计时”
// 为负时，系统将自动进行删除".
func TestDraftCountdown(t *testing.T) {
	p := ShanghaiPolicy()
	week := ShanghaiPolicy()
	week.DraftKeepDays = 7
	for _, tc := range []struct {
		name         string
		saved, today string
		p            Policy
		expiry       string
		countdown    int
		expired      bool
	}{
		{"saved today", "2026-03-01", "2026-03-01", p, "2026-03-16", 15, false},
		{"last day kept", "2026-03-01", "2026-03-16", p, "2026-03-16", 0, false},
		{"countdown negative: deleted", "2026-03-01", "2026-03-17", p, "2026-03-16", -1, true},
		{"across February (calendar days, 春节 not skipped)", "2026-02-10", "2026-02-20", p, "2026-02-25", 5, false},
		{"across the year end", "2026-12-25", "2027-01-09", p, "2027-01-09", 0, false},
		{"policy data: 7 days", "2026-03-01", "2026-03-09", week, "2026-03-08", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DraftExpiry(d(tc.saved), tc.p); got != d(tc.expiry) {
				t.Errorf("DraftExpiry = %s, want %s", got, tc.expiry)
			}
			if got := DraftCountdown(d(tc.saved), d(tc.today), tc.p); got != tc.countdown {
				t.Errorf("DraftCountdown = %d, want %d", got, tc.countdown)
			}
			if got := DraftExpired(d(tc.saved), d(tc.today), tc.p); got != tc.expired {
				t.Errorf("DraftExpired = %v, want %v", got, tc.expired)
			}
		})
	}
}

// The applicant is told 3 days before the draft is deleted, the day after
// its last day (seed 000 3.5: 暂存倒计时为负时自动删除).
func TestDraftReminderDue(t *testing.T) {
	last := civil.MustParse("2026-12-15")
	if got := DraftDeletedOn(last); got != civil.MustParse("2026-12-16") {
		t.Fatalf("deleted on %s", got)
	}
	for _, c := range []struct {
		today string
		want  bool
	}{{"2026-12-12", false}, {"2026-12-13", true}, {"2026-12-15", true}, {"2026-12-16", false}} {
		if got := DraftReminderDue(last, civil.MustParse(c.today)); got != c.want {
			t.Errorf("%s: %v, want %v", c.today, got, c.want)
		}
	}
}
