package application

import (
	"fmt"
	"strings"
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
		due, err := AcceptDeadline(d(tc.submitted), cal, p)
		got := due.Date
		if err != nil || got != d(tc.want) || due.Provisional() {
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
		due, err := DecisionDeadline(d(tc.accepted), tc.paused, cal, p)
		got := due.Date
		if err != nil || got != d(tc.want) || due.Provisional() {
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
		due, err := CorrectionDeadline(d(tc.issued), cal, p)
		got := due.Date
		if err != nil || got != d(tc.want) || due.Provisional() {
			t.Errorf("%s: CorrectionDeadline(%s) = %s, %v; want %s", tc.rule, tc.issued, got, err, tc.want)
		}
	}
	// 暂行规定 第十五条第（四）项: the deadline day is still in time.
	if CorrectionOverdue(d("2026-10-22"), d("2026-10-22")) || !CorrectionOverdue(d("2026-10-22"), d("2026-10-23")) {
		t.Error("CorrectionOverdue must be false on the deadline and true the day after")
	}
}

// The calendar holds 2020–2026. A period running into 2027 never blocks an
// officer or an applicant (DESIGN.md, legal deadlines): 2027 is counted
// Monday to Friday and the deadline is marked as resting on it (暂定).
func TestDeadlinesReaching2027(t *testing.T) {
	cal, p := workday.Default(), ShanghaiPolicy()
	for _, tc := range []struct {
		rule string
		got  func() (workday.Deadline, error)
		want string
	}{
		// 12-29, 12-30, 12-31, 01-01 (Friday, counted), 01-04.
		{"行政许可法 第三十二条: 受理 within 5 working days of 2026-12-28", func() (workday.Deadline, error) { return AcceptDeadline(d("2026-12-28"), cal, p) }, "2027-01-04"},
		// 12-16..18, 12-21..25, 12-28..31, 01-01, 01-04..08, 01-11, 01-12.
		{"行政许可法 第四十二条: 决定 within 20 working days of 受理 on 2026-12-15", func() (workday.Deadline, error) { return DecisionDeadline(d("2026-12-15"), 0, cal, p) }, "2027-01-12"},
		// 12-16..18, 12-21..25, 12-28..31, 01-01, 01-04, 01-05.
		{"暂行规定 第十五条: 补正 within 15 working days of 2026-12-15", func() (workday.Deadline, error) { return CorrectionDeadline(d("2026-12-15"), cal, p) }, "2027-01-05"},
	} {
		due, err := tc.got()
		if err != nil || due.Date != d(tc.want) || fmt.Sprint(due.Assumed) != "[2027]" {
			t.Errorf("%s: %s assumed %v, %v; want %s assumed [2027]", tc.rule, due.Date, due.Assumed, err, tc.want)
		}
	}
	for _, tc := range []struct {
		rule            string
		deadline, today string
		want            int
	}{
		{"days left into 2027: 12-29..31, 01-01, 01-04, 01-05", "2027-01-05", "2026-12-28", 6},
		{"the 已超期 mark survives 1 January: 12-31, 01-01, 01-04, 01-05", "2026-12-30", "2027-01-05", -4},
	} {
		if got, err := DaysLeft(d(tc.deadline), d(tc.today), cal); err != nil || got != tc.want {
			t.Errorf("%s: DaysLeft = %d, %v; want %d", tc.rule, got, err, tc.want)
		}
	}
	if n, err := PausedWorkdays(d("2026-12-30"), d("2027-01-05"), cal); err != nil || n != 4 {
		t.Errorf("PausedWorkdays into 2027 = %d, %v; want 4", n, err)
	}
	// The queue's "at most 3 working days left" filter on 2026-12-30 reaches
	// 2027: 12-31, 01-01, 01-04.
	if by, err := DueWithin(d("2026-12-30"), 3, cal); err != nil || by != d("2027-01-04") {
		t.Errorf("DueWithin = %s, %v; want 2027-01-04", by, err)
	}
	// The last day still inside 2026 is final.
	if got, err := AcceptDeadline(d("2026-12-24"), cal, p); err != nil || got.Date != d("2026-12-31") || got.Provisional() {
		t.Errorf("AcceptDeadline(2026-12-24) = %+v, %v; want 2026-12-31, final", got, err)
	}
}

// Once 2027 is imported, the provisional deadlines are counted again over the
// same periods; final ones are left as they were relied on.
func TestRecountDeadlines(t *testing.T) {
	cal, p := workday.Default(), ShanghaiPolicy()
	y2027 := workday.YearData{Year: 2027, Source: "测试用虚构安排", Holidays: []workday.Day{
		{Date: d("2027-01-01"), Name: "元旦"}, {Date: d("2027-05-01"), Name: "劳动节"}, {Date: d("2027-05-02"), Name: "劳动节"},
		{Date: d("2027-10-01"), Name: "国庆节"}, {Date: d("2027-10-02"), Name: "国庆节"}, {Date: d("2027-10-03"), Name: "国庆节"},
	}}
	imported, err := cal.WithYear(y2027)
	if err != nil {
		t.Fatal(err)
	}
	decision, _ := DecisionDeadline(d("2026-12-15"), 0, cal, p)
	correction, _ := CorrectionDeadline(d("2026-12-15"), cal, p)
	final, _ := AcceptDeadline(d("2026-12-01"), cal, p)

	got, err := RecountDeadlines(decision, workday.Deadline{}, imported)
	if err != nil || got.Due.Date != d("2027-01-13") || got.Due.Provisional() || !got.Moved {
		t.Fatalf("decision recount = %+v, %v; want 2027-01-13 final, moved", got, err)
	}
	if want := "法定期限由 2027年01月12日（暂定） 确定为 2027年01月13日"; got.Note != want {
		t.Errorf("note %q, want %q", got.Note, want)
	}
	got, err = RecountDeadlines(final, correction, imported)
	if err != nil || got.Due.Date != final.Date || got.CorrectionDue.Date != d("2027-01-06") || !got.Moved {
		t.Fatalf("correction recount = %+v, %v", got, err)
	}
	if strings.Contains(got.Note, "法定期限") {
		t.Errorf("a final deadline was counted again: %q", got.Note)
	}
	// A deadline reaching 2028 stays provisional, on 2028 alone.
	far := workday.Deadline{From: d("2027-12-20"), Workdays: 20, Date: d("2028-01-17"), Assumed: []int{2027, 2028}}
	got, err = RecountDeadlines(far, workday.Deadline{}, imported)
	if err != nil || fmt.Sprint(got.Due.Assumed) != "[2028]" || got.Moved {
		t.Fatalf("far recount = %+v, %v", got, err)
	}
	if !strings.Contains(got.Note, "重新计算为 2028年01月17日（暂定，待国务院办公厅公布2028年节假日安排后确认）") {
		t.Errorf("note %q", got.Note)
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
	if got, _ := AcceptDeadline(d("2026-09-30"), cal, short); got.Date != d("2026-10-10") {
		t.Errorf("3 working days from 2026-09-30 = %s, want the 调休 Saturday 2026-10-10", got.Date)
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
