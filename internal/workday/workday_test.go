package workday

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"opcert/internal/civil"
)

var d = civil.MustParse

func TestAddWorkdays(t *testing.T) {
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		// 国办发明电〔2025〕7号: 中秋 9月25日至27日; 国庆 10月1日至7日,
		// 9月20日（周日）、10月10日（周六）上班.
		{"受理 5 days across 国庆 2026", "2026-09-29", 5, "2026-10-12"},              // 9-30, 10-08, 10-09, 10-10(六), 10-12
		{"decision 20 days from 中秋 2026", "2026-09-25", 20, "2026-10-29"},        // start on a holiday: not counted anyway
		{"20 days over 09-20 and 10-10 make-up", "2026-09-15", 20, "2026-10-19"}, // 09-20(日) is day 4, 10-10(六) day 14
		{"make-up Sunday is the next working day", "2026-09-19", 1, "2026-09-20"},
		{"国庆 2026 ends: first day back", "2026-09-30", 1, "2026-10-08"},

		// 国办发明电〔2025〕7号: 春节 2月15日至23日, 2月14日（周六）、2月28日（周六）上班.
		{"5 days into 春节 2026", "2026-02-12", 5, "2026-02-26"},   // 02-13, 02-14(六), 02-24, 02-25, 02-26
		{"20 days over 春节 2026", "2026-02-10", 20, "2026-03-16"}, // 02-14 and 02-28 both count
		{"调休 Saturday before 春节", "2026-02-13", 1, "2026-02-14"},
		{"from inside 春节 2026", "2026-02-18", 1, "2026-02-24"},

		// 国办发明电〔2024〕12号: 国庆节、中秋节 10月1日至8日, 9月28日（周日）、10月11日（周六）上班.
		{"5 days over 国庆+中秋 2025", "2025-09-26", 5, "2025-10-10"}, // 09-28(日), 09-29, 09-30, 10-09, 10-10
		{"5 days after 国庆 2025", "2025-09-30", 5, "2025-10-14"},   // 10-09, 10-10, 10-11(六), 10-13, 10-14
		{"20 days over 国庆+中秋 2025", "2025-09-19", 20, "2025-10-23"},

		// Year boundary: 2025 ends normally; 国办发明电〔2025〕7号 元旦 1月1日至3日, 1月4日（周日）上班.
		{"last day of 2025 to first working day of 2026", "2025-12-31", 1, "2026-01-04"},
		{"5 days over 元旦 2026", "2025-12-29", 5, "2026-01-06"},
		{"20 days over 元旦 2026", "2025-12-15", 20, "2026-01-13"},

		// 2020: 春节 extended to 02-02 by 国办发明电〔2020〕1号.
		{"5 days over extended 春节 2020", "2020-01-22", 5, "2020-02-06"},
		// The start year needs no data when from is 31 December.
		{"from 2019-12-31", "2019-12-31", 1, "2020-01-02"},

		{"n = 0 returns from", "2026-10-03", 0, "2026-10-03"},
		{"whole year 2024", "2023-12-31", 251, "2024-12-31"},
	}
	c := Default()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.AddWorkdays(d(tc.from), tc.n)
			if err != nil {
				t.Fatalf("AddWorkdays(%s, %d): %v", tc.from, tc.n, err)
			}
			if got != d(tc.want) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
			}
			if tc.n > 0 {
				back, err := c.WorkdaysBetween(d(tc.from), got)
				if err != nil || back != tc.n {
					t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.from, got, back, err, tc.n)
				}
			}
		})
	}
}

func TestWorkdaysBetween(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-09-30", "2026-10-08", 1},
		{"2026-09-30", "2026-10-07", 0},  // all of (from, to] is 国庆
		{"2026-10-08", "2026-09-30", -1}, // (09-30, 10-08] negated
		{"2026-10-01", "2026-10-01", 0},
		{"2019-12-31", "2020-01-10", 7}, // 01-01 元旦; 01-02, 03, 06..10
		{"2025-12-31", "2026-01-04", 1},
		{"2023-12-31", "2024-12-31", 251},
		{"2020-01-01", "2026-12-31", 1744},
	}
	c := Default()
	for _, tc := range tests {
		got, err := c.WorkdaysBetween(d(tc.from), d(tc.to))
		if err != nil || got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.from, tc.to, got, err, tc.want)
		}
	}
}

// reference is a deliberately naive model of the calendar: one bool per day
// from 2020-01-01, built from the YearData with map lookups and
// time.Weekday, to check the bitmap arithmetic against.
type reference struct {
	base civil.Date
	work []bool
	sum  []int // sum[i]: working days among days [0, i)
}

func newReference(t *testing.T, c *Calendar, first, last int) *reference {
	t.Helper()
	r := &reference{base: civil.Date{Year: first, Month: 1, Day: 1}}
	for y := first; y <= last; y++ {
		yd, ok := c.Year(y)
		if !ok {
			t.Fatalf("no data for %d", y)
		}
		off, on := map[civil.Date]bool{}, map[civil.Date]bool{}
		for _, h := range yd.Holidays {
			off[h.Date] = true
		}
		for _, w := range yd.Workdays {
			on[w.Date] = true
		}
		for day := (civil.Date{Year: y, Month: 1, Day: 1}); day.Year == y; day = day.AddDays(1) {
			wd := day.Weekday()
			r.work = append(r.work, on[day] || (!off[day] && wd != time.Saturday && wd != time.Sunday))
		}
	}
	r.sum = make([]int, len(r.work)+1)
	for i, w := range r.work {
		r.sum[i+1] = r.sum[i]
		if w {
			r.sum[i+1]++
		}
	}
	return r
}

// add returns the n-th working day after from, or ok == false when the
// reference range ends first.
func (r *reference) add(from civil.Date, n int) (civil.Date, bool) {
	for i := r.base.DaysUntil(from) + 1; i < len(r.work); i++ {
		if r.work[i] {
			if n--; n == 0 {
				return r.base.AddDays(i), true
			}
		}
	}
	return civil.Date{}, false
}

// TestAgainstReference: for every start day of 2020–2026 and n in 1..40,
// AddWorkdays agrees with the naive model, lands on a working day, and
// WorkdaysBetween inverts it; past 2026 both report ErrNoData for 2027.
func TestAgainstReference(t *testing.T) {
	c := Default()
	r := newReference(t, c, 2020, 2026)
	for i := range r.work {
		from := r.base.AddDays(i)
		for n := 1; n <= 40; n++ {
			want, ok := r.add(from, n)
			got, err := c.AddWorkdays(from, n)
			if !ok {
				var nd *NoDataError
				if !errors.As(err, &nd) || nd.Year != 2027 {
					t.Fatalf("AddWorkdays(%s, %d) = %s, %v; want NoDataError for 2027", from, n, got, err)
				}
				continue
			}
			if err != nil || got != want {
				t.Fatalf("AddWorkdays(%s, %d) = %s, %v; want %s", from, n, got, err, want)
			}
			if isW, _ := c.IsWorkday(got); !isW {
				t.Fatalf("AddWorkdays(%s, %d) = %s is not a working day", from, n, got)
			}
			if k, err := c.WorkdaysBetween(from, got); err != nil || k != n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", from, got, k, err, n)
			}
			if k, err := c.WorkdaysBetween(got, from); err != nil || k != -n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", got, from, k, err, -n)
			}
			// The deadline is the first day by which n working days have run.
			if k, err := c.WorkdaysBetween(from, got.AddDays(-1)); err != nil || k != n-1 {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", from, got.AddDays(-1), k, err, n-1)
			}
		}
	}
}

func TestWorkdaysBetweenAgainstReference(t *testing.T) {
	c := Default()
	r := newReference(t, c, 2020, 2026)
	for i := 0; i < len(r.work); i += 3 {
		for j := i; j < len(r.work); j += 37 {
			from, to := r.base.AddDays(i), r.base.AddDays(j)
			want := r.sum[j+1] - r.sum[i+1]
			if got, err := c.WorkdaysBetween(from, to); err != nil || got != want {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", from, to, got, err, want)
			}
		}
	}
}

func TestErrNoData(t *testing.T) {
	c := Default()
	const msg2027 = "工作日历中没有 2027 年的法定节假日安排，无法计算期限，请管理员导入该年度安排"
	check := func(t *testing.T, err error, year int) {
		t.Helper()
		if !errors.Is(err, ErrNoData) {
			t.Fatalf("err = %v, want ErrNoData", err)
		}
		var nd *NoDataError
		if !errors.As(err, &nd) || nd.Year != year {
			t.Fatalf("err = %#v, want NoDataError{%d}", err, year)
		}
		if year == 2027 && err.Error() != msg2027 {
			t.Fatalf("message %q, want %q", err.Error(), msg2027)
		}
	}
	t.Run("20 days from late December 2026", func(t *testing.T) {
		_, err := c.AddWorkdays(d("2026-12-20"), 20)
		check(t, err, 2027)
	})
	t.Run("1 day from 2026-12-31", func(t *testing.T) {
		_, err := c.AddWorkdays(d("2026-12-31"), 1)
		check(t, err, 2027)
	})
	t.Run("last day still inside 2026", func(t *testing.T) {
		got, err := c.AddWorkdays(d("2026-12-30"), 1)
		if err != nil || got != d("2026-12-31") {
			t.Fatalf("got %s, %v", got, err)
		}
	})
	t.Run("IsWorkday 2027", func(t *testing.T) {
		_, err := c.IsWorkday(d("2027-01-04")) // a Monday: still not assumed to be a working day
		check(t, err, 2027)
	})
	t.Run("WorkdaysBetween into 2027, both directions", func(t *testing.T) {
		_, err := c.WorkdaysBetween(d("2026-12-01"), d("2027-01-05"))
		check(t, err, 2027)
		_, err = c.WorkdaysBetween(d("2027-01-05"), d("2026-12-01"))
		check(t, err, 2027)
	})
	t.Run("before 2020", func(t *testing.T) {
		_, err := c.AddWorkdays(d("2019-06-03"), 5)
		check(t, err, 2019)
		_, err = c.IsWorkday(d("2019-10-01"))
		check(t, err, 2019)
	})
	t.Run("gap between years", func(t *testing.T) {
		c2, err := c.WithYear(synthetic2027(2028))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c2.AddWorkdays(d("2026-12-20"), 20)
		check(t, err, 2027)
	})
	t.Run("nil calendar", func(t *testing.T) {
		var empty *Calendar
		_, err := empty.IsWorkday(d("2026-01-05"))
		check(t, err, 2026)
	})
}

// synthetic2027 is NOT the official 2027 arrangement (not yet in lunar-go
// v1.4.6 when this was written): a plausible one for exercising WithYear.
// year moves it for tests that need another year; only the fixed-date days
// are then meaningful.
func synthetic2027(year int) YearData {
	day := func(s, name string) Day {
		x := d(fmt.Sprintf("%d%s", year, s[4:]))
		return Day{x, name}
	}
	var hol []Day
	for _, s := range []string{"2027-01-01", "2027-01-02", "2027-01-03"} {
		hol = append(hol, day(s, "元旦"))
	}
	if year == 2027 {
		for x := d("2027-02-05"); !x.After(d("2027-02-12")); x = x.AddDays(1) {
			hol = append(hol, Day{x, "春节"})
		}
	}
	for _, s := range []string{"2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05"} {
		hol = append(hol, day(s, "劳动节"))
	}
	for x := d("2027-10-01"); !x.After(d("2027-10-07")); x = x.AddDays(1) {
		hol = append(hol, day(x.String(), "国庆节"))
	}
	var work []Day
	if year == 2027 {
		work = []Day{{d("2027-02-20"), "春节"}, {d("2027-10-09"), "国庆节"}}
	}
	return YearData{Year: year, Source: "测试用虚构安排", Holidays: hol, Workdays: work}
}

func TestWithYear2027(t *testing.T) {
	base := Default()
	c, err := base.WithYear(synthetic2027(2027))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.Years()); got != "[2020 2021 2022 2023 2024 2025 2026 2027]" {
		t.Fatalf("Years() = %s", got)
	}
	if got := fmt.Sprint(base.Years()); got != "[2020 2021 2022 2023 2024 2025 2026]" {
		t.Fatalf("Default().Years() changed to %s", got)
	}
	if _, err := base.AddWorkdays(d("2026-12-28"), 10); !errors.Is(err, ErrNoData) {
		t.Fatalf("Default() now knows 2027: %v", err)
	}
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-28", 10, "2027-01-12"}, // 12-29..31, 元旦 01-01..03, then 01-04..08, 01-11, 01-12
		{"2026-12-20", 20, "2027-01-18"},
		{"2027-02-03", 5, "2027-02-18"}, // 02-04, synthetic 春节 02-05..12, 02-15..18
		{"2027-02-19", 1, "2027-02-20"}, // synthetic 调休 Saturday
	} {
		got, err := c.AddWorkdays(d(tc.from), tc.n)
		if err != nil || got != d(tc.want) {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s", tc.from, tc.n, got, err, tc.want)
		}
	}
	if _, err := c.AddWorkdays(d("2027-12-20"), 20); !errors.Is(err, ErrNoData) {
		t.Errorf("2028 reached without data: %v", err)
	}
}

func TestWithYearReplacesAndExtendsBackwards(t *testing.T) {
	c := Default()
	// A correction: drop the 10月10日 调休 Saturday from 2026.
	y, _ := c.Year(2026)
	var work []Day
	for _, w := range y.Workdays {
		if w.Date != d("2026-10-10") {
			work = append(work, w)
		}
	}
	y.Workdays = work
	c2, err := c.WithYear(y)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c2.IsWorkday(d("2026-10-10")); ok {
		t.Error("replaced 2026 still has 10-10 as a working day")
	}
	if ok, _ := c.IsWorkday(d("2026-10-10")); !ok {
		t.Error("WithYear modified its receiver")
	}

	c3, err := c.WithYear(synthetic2027(2019))
	if err != nil {
		t.Fatal(err)
	}
	if got := c3.Years(); got[0] != 2019 || len(got) != 8 {
		t.Fatalf("Years() = %v", got)
	}
	if ok, err := c3.IsWorkday(d("2019-10-08")); err != nil || !ok {
		t.Errorf("IsWorkday(2019-10-08) = %v, %v", ok, err)
	}
	if got, err := c3.AddWorkdays(d("2019-12-30"), 2); err != nil || got != d("2020-01-02") {
		t.Errorf("AddWorkdays(2019-12-30, 2) = %s, %v", got, err)
	}

	var empty *Calendar
	c4, err := empty.WithYear(synthetic2027(2027))
	if err != nil || fmt.Sprint(c4.Years()) != "[2027]" {
		t.Fatalf("nil.WithYear: %v, %v", c4.Years(), err)
	}
}

func TestWithYearRejects(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*YearData)
		want   string
	}{
		{"date in another year", func(y *YearData) {
			y.Holidays = append(y.Holidays, Day{d("2026-12-31"), "元旦"})
		}, "2026-12-31 不在 2027 年内"},
		{"both off and working", func(y *YearData) {
			y.Workdays = append(y.Workdays, Day{d("2027-02-06"), "春节"})
		}, "2027-02-06 既是放假日又是调休上班日"},
		{"调休 working day on a weekday", func(y *YearData) {
			y.Workdays = append(y.Workdays, Day{d("2027-03-03"), "清明节"})
		}, "调休上班日 2027-03-03 是星期三，调休上班日只能是星期六或星期日"},
		{"国庆 not listed", func(y *YearData) {
			y.Holidays = y.Holidays[:len(y.Holidays)-7]
		}, "缺少法定节假日 2027-10-01（国庆节）"},
		{"劳动节 5月2日 not listed (2025 rule)", func(y *YearData) {
			var h []Day
			for _, x := range y.Holidays {
				if x.Date != d("2027-05-02") {
					h = append(h, x)
				}
			}
			y.Holidays = h
		}, "缺少法定节假日 2027-05-02（劳动节）"},
		{"no holidays at all", func(y *YearData) { y.Holidays = nil }, "缺少法定节假日 2027-01-01（元旦）"},
		{"duplicate", func(y *YearData) {
			y.Holidays = append(y.Holidays, y.Holidays[0])
		}, "放假日期 2027-01-01 重复"},
		{"missing name", func(y *YearData) { y.Workdays[0].Name = " " }, "2027-02-20 缺少节日名称"},
		{"non-existent date", func(y *YearData) {
			y.Holidays = append(y.Holidays, Day{civil.Date{Year: 2027, Month: 2, Day: 30}, "春节"})
		}, "2027-02-30 不存在"},
		{"zero date", func(y *YearData) { y.Workdays = append(y.Workdays, Day{Name: "春节"}) }, "缺少日期"},
		{"absurd year", func(y *YearData) { y.Year = 20270 }, "年度 20270 不在"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			y := synthetic2027(2027)
			tc.modify(&y)
			c, err := Default().WithYear(y)
			if c != nil || !errors.Is(err, ErrInvalidYearData) {
				t.Fatalf("WithYear = %v, %v; want ErrInvalidYearData", c, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	t.Run("all problems reported together", func(t *testing.T) {
		y := synthetic2027(2027)
		y.Workdays = append(y.Workdays, Day{d("2027-03-03"), "x"}, Day{d("2027-02-06"), "春节"})
		var ie *InvalidYearDataError
		if _, err := Default().WithYear(y); !errors.As(err, &ie) || len(ie.Problems) != 2 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("New refuses a year given twice", func(t *testing.T) {
		if _, err := New(synthetic2027(2027), synthetic2027(2027)); !errors.Is(err, ErrInvalidYearData) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseYearData(t *testing.T) {
	good := `{"year": 2027, "source": "测试",
	  "holidays": [
	    {"date":"2027-01-01","name":"元旦"},
	    {"date":"2027-05-01","name":"劳动节"}, {"date":"2027-05-02","name":"劳动节"},
	    {"date":"2027-10-01","name":"国庆节"}, {"date":"2027-10-02","name":"国庆节"}, {"date":"2027-10-03","name":"国庆节"}
	  ],
	  "workdays": [{"date":"2027-09-26","name":"国庆节"}]}`
	y, err := ParseYearData([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2027 || len(y.Holidays) != 6 || y.Workdays[0].Date != d("2027-09-26") {
		t.Fatalf("parsed %+v", y)
	}
	c, err := Default().WithYear(y)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.IsWorkday(d("2027-09-26")); !ok {
		t.Error("imported 调休 Sunday is not a working day")
	}

	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `{"year":`, "无法解析 JSON"},
		{"unknown field", strings.Replace(good, `"workdays"`, `"workday"`, 1), "无法解析 JSON"},
		{"impossible date", strings.Replace(good, "2027-09-26", "2027-09-31", 1), "日期格式应为"},
		{"trailing data", good + `{}`, "多余内容"},
		{"weekday 调休", strings.Replace(good, "2027-09-26", "2027-09-27", 1), "2027-09-27 是星期一"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseYearData([]byte(tc.in))
			if !errors.Is(err, ErrInvalidYearData) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidYearData mentioning %q", err, tc.want)
			}
		})
	}
}

// TestEmbeddedData: Default() must not panic, and must cover 2020–2026
// exactly; mustLoad must panic on a malformed file.
func TestEmbeddedData(t *testing.T) {
	if _, err := load(embedded); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(Default().Years()); got != "[2020 2021 2022 2023 2024 2025 2026]" {
		t.Fatalf("Default().Years() = %s", got)
	}
	if Default() != Default() {
		t.Error("Default() rebuilt the calendar")
	}
	bad := map[string]fstest.MapFS{
		"not JSON":      {"data/2027.json": {Data: []byte("{")}},
		"invalid":       {"data/2027.json": {Data: []byte(`{"year":2027,"holidays":[],"workdays":[]}`)}},
		"name mismatch": {"data/2028.json": {Data: mustJSON(t, synthetic2027(2027))}},
		"no files":      {},
	}
	for name, fsys := range bad {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("mustLoad did not panic")
				}
			}()
			mustLoad(fsys)
		})
	}
}

func mustJSON(t *testing.T, y YearData) []byte {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `{"year":%d,"holidays":[`, y.Year)
	for i, h := range y.Holidays {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"date":%q,"name":%q}`, h.Date, h.Name)
	}
	b.WriteString(`],"workdays":[]}`)
	if _, err := ParseYearData([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

func TestInvalidArguments(t *testing.T) {
	c := Default()
	bad := civil.Date{Year: 2026, Month: 2, Day: 30}
	if _, err := c.IsWorkday(bad); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("IsWorkday(2026-02-30): %v", err)
	}
	if _, err := c.AddWorkdays(civil.Date{}, 5); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("AddWorkdays(zero): %v", err)
	}
	if _, err := c.WorkdaysBetween(d("2026-01-05"), bad); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("WorkdaysBetween(.., 2026-02-30): %v", err)
	}
	if _, err := c.AddWorkdays(d("2026-01-05"), -1); err == nil {
		t.Error("AddWorkdays with n < 0 succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				from := d("2025-01-01").AddDays((g*50 + i) % 600)
				if _, err := c.AddWorkdays(from, 20); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func ExampleCalendar_AddWorkdays() {
	c := Default()
	// 受理 on 2026-09-25 (中秋): the decision is due within 20 working days
	// (《行政许可法》第四十二条), skipping 国庆 and counting 10月10日 (周六).
	due, err := c.AddWorkdays(civil.MustParse("2026-09-25"), 20)
	fmt.Println(due, err)

	_, err = c.AddWorkdays(civil.MustParse("2026-12-20"), 20)
	fmt.Println(err)
	// Output:
	// 2026-10-29 <nil>
	// 工作日历中没有 2027 年的法定节假日安排，无法计算期限，请管理员导入该年度安排
}

func BenchmarkAddWorkdays20(b *testing.B) {
	c := Default()
	from := civil.MustParse("2026-09-25")
	for b.Loop() {
		if _, err := c.AddWorkdays(from, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddWorkdaysAcrossYear(b *testing.B) {
	c := Default()
	from := civil.MustParse("2025-12-15")
	for b.Loop() {
		if _, err := c.AddWorkdays(from, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorkdaysBetween(b *testing.B) {
	c := Default()
	from, to := civil.MustParse("2025-12-15"), civil.MustParse("2026-10-29")
	for b.Loop() {
		if _, err := c.WorkdaysBetween(from, to); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIsWorkday(b *testing.B) {
	c := Default()
	day := civil.MustParse("2026-10-10")
	for b.Loop() {
		if _, err := c.IsWorkday(day); err != nil {
			b.Fatal(err)
		}
	}
}

// A year without its notice never blocks a deadline: it is counted Monday
// to Friday and the result says so (暂定), and the same period counted again
// once the year is imported gives the final date.
func TestDeadlineAcrossAYearWithoutNotice(t *testing.T) {
	c := Default()
	tests := []struct {
		name    string
		from    string
		n       int
		want    string
		assumed string
	}{
		// 12-16..18, 12-21..25, 12-28..31, 01-01 (a Friday, counted: no
		// notice yet), 01-04..08, 01-11, 01-12.
		{"决定 20 days from 2026-12-15", "2026-12-15", 20, "2027-01-12", "[2027]"},
		{"受理 5 days from 2026-12-28", "2026-12-28", 5, "2027-01-04", "[2027]"},   // 12-29..31, 01-01, 01-04
		{"补正 15 days from 2026-12-11", "2026-12-11", 15, "2027-01-01", "[2027]"}, // 12-14..18, 21..25, 28..31, 01-01
		{"still inside 2026: final", "2026-12-01", 20, "2026-12-29", "[]"},       // 2026 has its notice
		{"first day of 2027", "2026-12-31", 1, "2027-01-01", "[2027]"},           // Mon–Fri: 01-01 is a Friday
		{"over a weekend into 2027", "2027-01-01", 1, "2027-01-04", "[2027]"},    // from in the missing year
		{"two missing years", "2027-12-20", 20, "2028-01-17", "[2027 2028]"},     // 12-21..24, 27..31, 01-03..07, 10..14, 17
		{"embedded year only", "2026-09-29", 5, "2026-10-12", "[]"},              // as AddWorkdays
		{"n = 0 in a missing year", "2027-03-01", 0, "2027-03-01", "[]"},         // nothing counted
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Deadline(d(tc.from), tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if got.Date != d(tc.want) || fmt.Sprint(got.Assumed) != tc.assumed {
				t.Fatalf("Deadline(%s, %d) = %s assumed %v; want %s assumed %s", tc.from, tc.n, got.Date, got.Assumed, tc.want, tc.assumed)
			}
			if got.From != d(tc.from) || got.Workdays != tc.n {
				t.Fatalf("period not kept: %+v", got)
			}
			if got.Provisional() != (tc.assumed != "[]") {
				t.Fatalf("Provisional() = %v", got.Provisional())
			}
			if tc.n > 0 {
				back, assumed, err := c.Count(d(tc.from), got.Date)
				if err != nil || back != tc.n || fmt.Sprint(assumed) != tc.assumed {
					t.Fatalf("Count back = %d %v %v, want %d %s", back, assumed, err, tc.n, tc.assumed)
				}
			}
		})
	}

	t.Run("the note names the awaited years", func(t *testing.T) {
		got, _ := c.Deadline(d("2026-12-15"), 20)
		const want = "2027年01月12日（暂定，待国务院办公厅公布2027年节假日安排后确认）"
		if got.Chinese() != want {
			t.Fatalf("Chinese() = %q, want %q", got.Chinese(), want)
		}
		two, _ := c.Deadline(d("2027-12-20"), 20)
		if two.Note() != "（暂定，待国务院办公厅公布2027年、2028年节假日安排后确认）" {
			t.Fatalf("Note() = %q", two.Note())
		}
		final, _ := c.Deadline(d("2026-12-01"), 20)
		if final.Chinese() != "2026年12月29日" || final.Note() != "" {
			t.Fatalf("final date printed %q", final.Chinese())
		}
	})

	t.Run("recomputed after the year is imported", func(t *testing.T) {
		provisional, _ := c.Deadline(d("2026-12-15"), 20)
		withNotice, err := c.WithYear(synthetic2027(2027))
		if err != nil {
			t.Fatal(err)
		}
		got, err := withNotice.Recompute(provisional)
		if err != nil {
			t.Fatal(err)
		}
		// 元旦 01-01..03 off in the imported arrangement: one day later.
		if got.Date != d("2027-01-13") || got.Provisional() {
			t.Fatalf("recomputed %s assumed %v, want 2027-01-13 final", got.Date, got.Assumed)
		}
		if zero, err := withNotice.Recompute(Deadline{}); err != nil || !zero.IsZero() {
			t.Fatalf("Recompute(zero) = %+v, %v", zero, err)
		}
	})

	t.Run("overdue counted across the boundary", func(t *testing.T) {
		// A deadline of 2026-12-30 looked at on 2027-01-05: Mon–Fri gives
		// 12-31, 01-01, 01-04, 01-05 → 4 working days.
		n, assumed, err := c.Count(d("2026-12-30"), d("2027-01-05"))
		if err != nil || n != 4 || fmt.Sprint(assumed) != "[2027]" {
			t.Fatalf("Count = %d %v %v", n, assumed, err)
		}
		n, _, err = c.Count(d("2027-01-05"), d("2026-12-30"))
		if err != nil || n != -4 {
			t.Fatalf("Count backwards = %d %v", n, err)
		}
	})

	t.Run("the strict functions still refuse", func(t *testing.T) {
		if _, err := c.AddWorkdays(d("2026-12-15"), 20); !errors.Is(err, ErrNoData) {
			t.Fatalf("AddWorkdays guessed: %v", err)
		}
	})

	t.Run("years no arrangement can have are refused", func(t *testing.T) {
		if _, err := c.Deadline(d("2199-12-30"), 5); !errors.Is(err, ErrNoData) {
			t.Fatalf("Deadline past %d: %v", maxYear, err)
		}
		if _, err := c.Deadline(civil.Date{}, 5); !errors.Is(err, ErrInvalidDate) {
			t.Fatalf("zero date: %v", err)
		}
	})

	t.Run("Has", func(t *testing.T) {
		if !c.Has(2026) || c.Has(2027) || c.Has(2019) {
			t.Fatal("Has disagrees with Years()")
		}
	})
}

// From 1 November the next year's notice is asked for; the current year's
// whenever it is missing.
func TestAwaitedYears(t *testing.T) {
	c := Default()
	with2027, _ := c.WithYear(synthetic2027(2027))
	for _, tc := range []struct {
		cal   *Calendar
		today string
		want  string
	}{
		{c, "2026-10-31", "[]"},
		{c, "2026-11-01", "[2027]"},
		{c, "2026-12-31", "[2027]"},
		{c, "2027-01-04", "[2027]"},
		{c, "2027-11-02", "[2027 2028]"},
		{with2027, "2026-12-01", "[]"},
		{with2027, "2027-11-01", "[2028]"},
	} {
		if got := fmt.Sprint(tc.cal.AwaitedYears(d(tc.today))); got != tc.want {
			t.Errorf("AwaitedYears(%s) = %s, want %s", tc.today, got, tc.want)
		}
	}
}

func TestParseDayLines(t *testing.T) {
	days, problems := ParseDayLines("2027-01-01 元旦\r\n\n  2027-2-6 至 2027-02-08 春节\n2027-02-20\u3000春节\n")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if got := fmt.Sprint(days); got != "[{2027-01-01 元旦} {2027-02-06 春节} {2027-02-07 春节} {2027-02-08 春节} {2027-02-20 春节}]" {
		t.Fatalf("days = %s", got)
	}
	_, problems = ParseDayLines("2027-02-30 春节\n元旦\n2027-02-10 至 2027-02-01 春节\n2027-01-01 至 2027-03-01 春节\n2027-01-01")
	want := []string{
		"第 1 行的日期 2027-02-30 不存在",
		"第 2 行“元旦”的格式不对，应为“2027-01-01 元旦”或“2027-02-06 至 2027-02-12 春节”",
		"第 3 行的结束日期 2027-02-01 早于开始日期 2027-02-10",
		"第 4 行的日期范围超过一个月，请检查",
		"第 5 行“2027-01-01”的格式不对，应为“2027-01-01 元旦”或“2027-02-06 至 2027-02-12 春节”",
	}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
}
