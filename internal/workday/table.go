package workday

import (
	"math/bits"
	"slices"
	"time"

	"opcert/internal/civil"
)

// yearTable is one year as a bitmap over the day of the year (0 = 1 January),
// so that a deadline is a rank/select on at most six words instead of a walk
// over calendar days through time.Date.
type yearTable struct {
	work  [6]uint64 // bit i set: day i of the year is a working day
	rank  [7]uint16 // rank[w]: working days in work[:w]
	days  int       // 365 or 366
	total int       // working days in the year
	data  YearData  // sorted copy, for Calendar.Year
}

func newYearTable(y YearData) *yearTable {
	t := &yearTable{days: daysIn(y.Year), data: y.clone()}
	slices.SortFunc(t.data.Holidays, func(a, b Day) int { return a.Date.Compare(b.Date) })
	slices.SortFunc(t.data.Workdays, func(a, b Day) int { return a.Date.Compare(b.Date) })

	jan1 := civil.Date{Year: y.Year, Month: time.January, Day: 1}.Weekday()
	for i := range t.days {
		wd := (int(jan1) + i) % 7
		if wd != int(time.Saturday) && wd != int(time.Sunday) {
			t.work[i>>6] |= 1 << (i & 63)
		}
	}
	for _, d := range y.Holidays {
		i := dayOfYear(d.Date)
		t.work[i>>6] &^= 1 << (i & 63)
	}
	for _, d := range y.Workdays {
		i := dayOfYear(d.Date)
		t.work[i>>6] |= 1 << (i & 63)
	}
	for w, x := range t.work {
		t.rank[w+1] = t.rank[w] + uint16(bits.OnesCount64(x))
	}
	t.total = int(t.rank[6])
	return t
}

func (t *yearTable) isWork(i int) bool { return t.work[i>>6]&(1<<(i&63)) != 0 }

// before counts the working days among days [0, i) of the year; i may be
// t.days.
func (t *yearTable) before(i int) int {
	w := i >> 6
	if w == len(t.work) {
		return t.total
	}
	return int(t.rank[w]) + bits.OnesCount64(t.work[w]&(1<<(i&63)-1))
}

// nth returns the day of the year of the k-th working day (k from 0).
func (t *yearTable) nth(k int) int {
	w := 0
	for int(t.rank[w+1]) <= k {
		w++
	}
	x := t.work[w]
	for range k - int(t.rank[w]) {
		x &= x - 1
	}
	return w<<6 + bits.TrailingZeros64(x)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

// monthStart[leap][m] is the day of the year on which month m begins;
// monthStart[leap][13] is the length of the year.
var monthStart = [2][14]int{
	{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

func leapIndex(y int) int {
	if isLeap(y) {
		return 1
	}
	return 0
}

// valid reports whether d names a real day. A civil.Date built as a struct
// literal is not normalised, and 2026-02-30 must not quietly mean 03-02.
func valid(d civil.Date) bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	s := monthStart[leapIndex(d.Year)]
	return d.Day <= s[d.Month+1]-s[d.Month]
}

// dayOfYear assumes valid(d).
func dayOfYear(d civil.Date) int { return monthStart[leapIndex(d.Year)][d.Month] + d.Day - 1 }

func dateOf(year, i int) civil.Date {
	s := &monthStart[leapIndex(year)]
	m := time.January
	for m < time.December && i >= s[m+1] {
		m++
	}
	return civil.Date{Year: year, Month: m, Day: i - s[m] + 1}
}
