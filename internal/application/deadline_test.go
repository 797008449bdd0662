package application

import (
	"errors"
	"testing"

	"opcert/internal/workday"
)

// The 2026 arrangement (国办发明电〔2025〕7号): 春节 02-15…02-23 off with
// Saturdays 02-14 and 02-28 worked; 中秋 09-25…09-27 and 国庆 10-01…10-07 off
// with Sunday 09-20 and Saturday 10-10 worked.

func TestAcceptDeadline(t *testing.T) {
	cal, p := workday.Default(), ShanghaiPolicy()
	for _, tc := range []struct {
		rule, submitted, want string
	}{
		{"行政许可法 第三十二条: 5 working days, an ordinary week", "2026-03-02", "2026-03-09"},
		{"国庆 2026: 10-08, 10-09, 10-10 (调休 Saturday), 10-12, 10-13", "2026-09-30", "2026-10-13"},
		{"中秋 2026: Sunday 09-20 is a working day", "2026-09-18", "2026-09-24"},
		{"春节 2026: Saturday 02-14 worked, 02-15…02-23 off", "2026-02-12", "2026-02-26"},
		{"submitted on a holiday: counting starts the next working day", "2026-10-03", "2026-10-13"},
		{"resubmission after 补正 starts the period again (第三十二条 (五))", "2026-02-27", "2026-03-05"},
	} {
		got, err := AcceptDeadline(d(tc.submitted), cal, p)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s: AcceptDeadline(%s) = %s, %v; want %s", tc.rule, tc.submitted, got, err, tc.want)
		}
		if ok, _ := cal.IsWorkday(got); !ok {
			t.Errorf("%s: deadline %s is not a working day", tc.rule, got)
		}
	}
}

func TestDecisionDeadline(t *testing.T) {
	cal, p := workday.Default(), ShanghaiPolicy()
	for _, tc := range []struct {
		rule     string
		accepted string
		paused   int
		want     string
	}{
		{"行政许可法 第四十二条: 20 working days across 春节 2026", "2026-02-13", 0, "2026-03-19"},
		{"20 working days across 国庆 2026 with 调休 10-10", "2026-09-28", 0, "2026-10-30"},
		{"a pause of 3 working days moves it by 3 working days (第四十五条)", "2026-09-28", 3, "2026-11-04"},
		{"an ordinary month", "2026-06-01", 0, "2026-06-30"},
	} {
		got, err := DecisionDeadline(d(tc.accepted), tc.paused, cal, p)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s: DecisionDeadline(%s, %d) = %s, %v; want %s", tc.rule, tc.accepted, tc.paused, got, err, tc.want)
		}
	}
	if _, err := DecisionDeadline(d("2026-06-01"), -1, cal, p); err == nil {
		t.Error("a negative pause must be refused")
	}
}

func TestCorrectionDeadline(t *testing.T) {
	cal, p := workday.Default(), ShanghaiPolicy()
	for _, tc := range []struct {
		rule, issued, want string
	}{
		{"15 working days across 中秋 and 国庆 2026", "2026-09-24", "2026-10-22"},
		{"15 working days across 春节 2026, both 调休 Saturdays counted", "2026-02-10", "2026-03-09"},
	} {
		got, err := CorrectionDeadline(d(tc.issued), cal, p)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s: CorrectionDeadline(%s) = %s, %v; want %s", tc.rule, tc.issued, got, err, tc.want)
		}
	}
	// 暂行规定 第十五条第（四）项: the deadline day is still in time.
	if CorrectionOverdue(d("2026-10-22"), d("2026-10-22")) || !CorrectionOverdue(d("2026-10-22"), d("2026-10-23")) {
		t.Error("CorrectionOverdue must be false on the deadline and true the day after")
	}
}

// The calendar holds 2020–2026; a period running into 2027 must not be
// guessed (workday package: ErrNoData).
func TestDeadlinesReaching2027(t *testing.T) {
	cal, p := workday.Default(), ShanghaiPolicy()
	checks := map[string]func() error{
		"AcceptDeadline 2026-12-28":     func() error { _, err := AcceptDeadline(d("2026-12-28"), cal, p); return err },
		"DecisionDeadline 2026-12-20":   func() error { _, err := DecisionDeadline(d("2026-12-20"), 0, cal, p); return err },
		"CorrectionDeadline 2026-12-15": func() error { _, err := CorrectionDeadline(d("2026-12-15"), cal, p); return err },
		"DaysLeft to 2027":              func() error { _, err := DaysLeft(d("2027-01-05"), d("2026-12-28"), cal); return err },
		"DaysLeft overdue in 2027":      func() error { _, err := DaysLeft(d("2026-12-30"), d("2027-01-05"), cal); return err },
		"PausedWorkdays into 2027":      func() error { _, err := PausedWorkdays(d("2026-12-30"), d("2027-01-05"), cal); return err },
	}
	for name, f := range checks {
		err := f()
		var nd *workday.NoDataError
		if !errors.Is(err, workday.ErrNoData) || !errors.As(err, &nd) || nd.Year != 2027 {
			t.Errorf("%s: err = %v, want workday.ErrNoData for 2027", name, err)
		}
	}
	// The last day still inside 2026 works.
	if got, err := AcceptDeadline(d("2026-12-24"), cal, p); err != nil || got != d("2026-12-31") {
		t.Errorf("AcceptDeadline(2026-12-24) = %s, %v; want 2026-12-31", got, err)
	}
}

func TestDeadlinePolicyErrors(t *testing.T) {
	cal := workday.Default()
	bad := ShanghaiPolicy()
	bad.AcceptWorkdays, bad.DecideWorkdays, bad.CorrectionWorkdays = 0, 0, -2
	if _, err := AcceptDeadline(d("2026-03-02"), cal, bad); err == nil {
		t.Error("AcceptDeadline with 0 days")
	}
	if _, err := DecisionDeadline(d("2026-03-02"), 0, cal, bad); err == nil {
		t.Error("DecisionDeadline with 0 days")
	}
	if _, err := CorrectionDeadline(d("2026-03-02"), cal, bad); err == nil {
		t.Error("CorrectionDeadline with -2 days")
	}
	// Policy data: a district allowing 3 days to decide on 受理.
	short := ShanghaiPolicy()
	short.AcceptWorkdays = 3
	if got, _ := AcceptDeadline(d("2026-09-30"), cal, short); got != d("2026-10-10") {
		t.Errorf("3 working days from 2026-09-30 = %s, want the 调休 Saturday 2026-10-10", got)
	}
}

func TestDaysLeft(t *testing.T) {
	cal := workday.Default()
	for _, tc := range []struct {
		rule            string
		deadline, today string
		want            int
	}{
		{"five working days ahead across 国庆", "2026-10-13", "2026-09-30", 5},
		{"during the holiday: 10-08, 10-09, 10-10, 10-12, 10-13", "2026-10-13", "2026-10-05", 5},
		{"due today", "2026-10-13", "2026-10-13", 0},
		{"one working day overdue", "2026-10-13", "2026-10-14", -1},
		{"overdue over a 调休 Saturday: 10-10 and 10-12 count", "2026-10-09", "2026-10-12", -2},
		{"a day off right after a missed deadline is still overdue", "2026-10-16", "2026-10-17", -1},
		{"overdue across 春节: only 02-24 has passed", "2026-02-13", "2026-02-24", -2},
		{"today is a day off before the deadline", "2026-02-24", "2026-02-21", 1},
	} {
		got, err := DaysLeft(d(tc.deadline), d(tc.today), cal)
		if err != nil || got != tc.want {
			t.Errorf("%s: DaysLeft(%s, %s) = %d, %v; want %d", tc.rule, tc.deadline, tc.today, got, err, tc.want)
		}
	}
}

func TestPausedWorkdays(t *testing.T) {
	cal := workday.Default()
	// A pause from 2026-09-30 to 2026-10-12: 10-08, 10-09, 10-10, 10-12.
	if n, err := PausedWorkdays(d("2026-09-30"), d("2026-10-12"), cal); err != nil || n != 4 {
		t.Errorf("PausedWorkdays = %d, %v; want 4", n, err)
	}
	if _, err := PausedWorkdays(d("2026-10-12"), d("2026-09-30"), cal); err == nil {
		t.Error("a pause ending before it starts must be refused")
	}
}
