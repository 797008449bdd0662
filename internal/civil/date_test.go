package civil

import (
	"testing"
	"time"
)

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2024-05-31", -3, "2024-02-29"}, // the seed's "3 months before" on a long month
		{"2023-05-31", -3, "2023-02-28"},
		{"2020-05-20", -3, "2020-02-20"}, // seed 000: 2020-05-20 expiry → 2020-02-20
		{"2024-02-29", 48, "2028-02-29"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2026-11-30", 2, "2027-01-30"},
	}
	for _, c := range cases {
		if got := MustParse(c.from).AddMonths(c.n).String(); got != c.want {
			t.Errorf("%s %+d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestOfUsesBeijingCalendar(t *testing.T) {
	// 16:30 UTC on 31 Dec is already 1 Jan in Beijing.
	if got := Of(time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)); got != MustParse("2026-01-01") {
		t.Fatalf("got %s", got)
	}
}

func TestScanBothEngines(t *testing.T) {
	var d Date
	for _, src := range []any{"2026-02-14", []byte("2026-02-14"), time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), "2026-02-14T00:00:00Z"} {
		if err := d.Scan(src); err != nil || d != MustParse("2026-02-14") {
			t.Errorf("Scan(%v) = %s, %v", src, d, err)
		}
	}
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Errorf("Scan(nil) = %s, %v", d, err)
	}
	if _, err := Parse("2026-02-30"); err == nil {
		t.Error("2026-02-30 parsed")
	}
}

func TestDaysUntilAndChinese(t *testing.T) {
	if n := MustParse("2026-02-14").DaysUntil(MustParse("2026-03-01")); n != 15 {
		t.Errorf("days = %d", n)
	}
	if s := MustParse("2020-07-01").Chinese(); s != "2020年07月01日" {
		t.Errorf("Chinese = %s", s)
	}
}

// Dates are written as %04d-%02d-%02d (ISO 8601, as stored and in the API)
// and %04d年%02d月%02d日 (as notices print them), whatever the year.
func TestDatesWrittenWithLeadingZeros(t *testing.T) {
	cases := []struct {
		d              Date
		iso, inChinese string
	}{
		{Date{2026, time.December, 2}, "2026-12-02", "2026年12月02日"},
		{Date{1949, time.October, 1}, "1949-10-01", "1949年10月01日"},
		{Date{999, time.January, 31}, "0999-01-31", "0999年01月31日"},
		{Date{0, time.January, 1}, "0000-01-01", "0000年01月01日"},
		{Date{10000, time.March, 4}, "10000-03-04", "10000年03月04日"},
		{Date{-1, time.March, 4}, "-001-03-04", "-001年03月04日"},
		{Date{}, "", ""},
	}
	for _, c := range cases {
		if got := c.d.String(); got != c.iso {
			t.Errorf("%#v.String() = %q, want %q", c.d, got, c.iso)
		}
		if got := c.d.Chinese(); got != c.inChinese {
			t.Errorf("%#v.Chinese() = %q, want %q", c.d, got, c.inChinese)
		}
	}
}
