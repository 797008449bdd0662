// Package civil holds the calendar date used throughout opcert.
//
// Legal periods (受理 5 working days, decision 20 working days, 有效期至 on a
// certificate) are counted in whole days on the Beijing calendar, never in
// hours, so a date carries no time of day and no zone. Converting an instant
// to a Date always uses China Standard Time (UTC+8, no daylight saving).
package civil

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// ChinaTime is China Standard Time. A fixed zone, so the binary needs no tzdata.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// Date is a day on the calendar. The zero Date means "not set".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Of returns the Beijing calendar day of the instant t.
func Of(t time.Time) Date {
	y, m, d := t.In(ChinaTime).Date()
	return Date{y, m, d}
}

// Today is the current day in Beijing.
func Today() Date { return Of(time.Now()) }

// New builds a date, normalising overflow the way time.Date does.
func New(y int, m time.Month, d int) Date {
	return Of(time.Date(y, m, d, 12, 0, 0, 0, ChinaTime))
}

// Parse reads "2006-01-02".
func Parse(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, ChinaTime)
	if err != nil {
		return Date{}, fmt.Errorf("日期格式应为 年-月-日（如 2024-07-01）：%q", s)
	}
	return Of(t), nil
}

// MustParse is Parse for literals in code and tests.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time is midnight of the day in Beijing.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, ChinaTime) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if b, ok := d.digits("-", "-", ""); ok {
		return b
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Chinese renders the date the way notices print it: 2024年07月01日.
func (d Date) Chinese() string {
	if d.IsZero() {
		return ""
	}
	if b, ok := d.digits("年", "月", "日"); ok {
		return b
	}
	return fmt.Sprintf("%04d年%02d月%02d日", d.Year, d.Month, d.Day)
}

// digits writes a date of years 0 to 9999 as %04d, %02d, %02d with the
// separators given, without fmt: every registry line on a page or in an
// answer shows two dates.
func (d Date) digits(afterYear, afterMonth, afterDay string) (string, bool) {
	if d.Year < 0 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 0 || d.Day > 99 {
		return "", false
	}
	b := make([]byte, 0, 10+len(afterYear)+len(afterMonth)+len(afterDay))
	y, m := d.Year, int(d.Month)
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	b = append(b, afterYear...)
	b = append(b, byte('0'+m/10), byte('0'+m%10))
	b = append(b, afterMonth...)
	b = append(b, byte('0'+d.Day/10), byte('0'+d.Day%10))
	b = append(b, afterDay...)
	return string(b), true
}

// AddDays moves by whole calendar days.
func (d Date) AddDays(n int) Date { return New(d.Year, d.Month, d.Day+n) }

// AddMonths moves by calendar months; the day is clamped to the end of a
// shorter month (2024-05-31 minus 3 months is 2024-02-29), which is how a
// person reads "three months before 5月31日".
func (d Date) AddMonths(n int) Date {
	first := New(d.Year, d.Month+time.Month(n), 1)
	last := New(first.Year, first.Month+1, 0).Day
	day := d.Day
	if day > last {
		day = last
	}
	return Date{first.Year, first.Month, day}
}

// AddYears moves by calendar years; 02-29 becomes 02-28 in a common year.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }
func (d Date) After(o Date) bool  { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp(int(d.Month), int(o.Month))
	default:
		return cmp(d.Day, o.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DaysUntil counts calendar days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int {
	return int(o.Time().Sub(d.Time()).Round(time.Hour).Hours() / 24)
}

// Weekday of the date.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Value stores the date as "2006-01-02" text; PostgreSQL casts it into a
// date column and SQLite keeps it as sortable text.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date from either database.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		y, m, day := v.Date()
		*d = Date{y, m, day}
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("civil: cannot scan %T into Date", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalText makes dates "2006-01-02" in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2006-01-02"; empty text is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
