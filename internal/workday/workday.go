// Package workday is China's official working-day calendar, used for the
// statutory periods of the licensing service.
//
// 《行政许可法》第八十二条 counts the periods it sets (受理后二十日内作出决定,
// 第四十二条; 五日内一次告知补正, 第三十二条) in working days, excluding
// 法定节假日. Which days are off is not a formula: each year the General
// Office of the State Council publishes a notice (国办发明电) that moves
// weekends around the holidays (调休), so a Saturday can be a working day and
// a Wednesday a day off.
// The calendar therefore knows only the years it has been given — embedded
// data for 2020–2026, plus any year an administrator adds with WithYear.
//
// Two ways of counting follow from that. AddWorkdays and WorkdaysBetween
// refuse (ErrNoData) to count through a year they have no notice for.
// Deadline and Count never refuse: a year without its notice is counted
// Monday to Friday and the result names that year as assumed, so the
// service can show the date as 暂定 and recompute it once the notice is
// imported. An officer's 受理 in December must not wait for a notice the
// State Council publishes late in the year.
package workday

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"opcert/internal/civil"
)

// ErrNoData is wrapped when a computation reaches a year the calendar has no
// arrangement for; the concrete error is a *NoDataError naming the year.
var ErrNoData = errors.New("工作日历缺少年度法定节假日安排")

// NoDataError names the year that is missing, so the UI can ask an
// administrator for exactly that notice.
type NoDataError struct{ Year int }

func (e *NoDataError) Error() string {
	return fmt.Sprintf("工作日历中没有 %d 年的法定节假日安排，无法计算期限，请管理员导入该年度安排", e.Year)
}

func (e *NoDataError) Unwrap() error { return ErrNoData }

// ErrInvalidDate is wrapped when an argument is the zero date or a day that
// does not exist.
var ErrInvalidDate = errors.New("日期无效")

// Calendar holds the working-day bitmaps of the years it knows. It is never
// modified after construction, so one value can be shared by all goroutines;
// WithYear returns a new Calendar.
type Calendar struct {
	first  int          // year of tables[0]
	tables []*yearTable // tables[y-first]; nil where the year has no data
}

//go:embed data/*.json
var embedded embed.FS

var defaultCalendar = sync.OnceValue(func() *Calendar { return mustLoad(embedded) })

// Default is the calendar built from the embedded 2020–2026 notices (see
// data/README.md). It panics only if the embedded files are malformed, which
// the package tests rule out.
func Default() *Calendar { return defaultCalendar() }

func mustLoad(fsys fs.FS) *Calendar {
	c, err := load(fsys)
	if err != nil {
		panic("workday: embedded holiday data: " + err.Error())
	}
	return c
}

func load(fsys fs.FS) (*Calendar, error) {
	names, err := fs.Glob(fsys, "data/*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no data/*.json files")
	}
	years := make([]YearData, 0, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		y, err := ParseYearData(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		// The file name is what a reviewer sees in a diff; it must agree
		// with the year inside.
		if want := strings.TrimSuffix(path.Base(name), ".json"); want != strconv.Itoa(y.Year) {
			return nil, fmt.Errorf("%s: contains year %d", name, y.Year)
		}
		years = append(years, y)
	}
	return New(years...)
}

// New builds a calendar from the given years, e.g. rows loaded from the
// database. Each year is validated as in WithYear; a year given twice is an
// error.
func New(years ...YearData) (*Calendar, error) {
	c := &Calendar{}
	seen := make(map[int]bool, len(years))
	for _, y := range years {
		if seen[y.Year] {
			return nil, &InvalidYearDataError{Year: y.Year, Problems: []string{"该年度重复出现"}}
		}
		seen[y.Year] = true
		var err error
		if c, err = c.WithYear(y); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// WithYear returns a calendar with y added, or replacing the arrangement
// already held for y.Year (a correction, or a later notice such as 2020's
// extended 春节). The receiver is unchanged, so computations already running
// on it keep a consistent view. A nil receiver is an empty calendar.
func (c *Calendar) WithYear(y YearData) (*Calendar, error) {
	if err := y.Validate(); err != nil {
		return nil, err
	}
	t := newYearTable(y)
	n := &Calendar{}
	if c == nil || len(c.tables) == 0 {
		n.first = y.Year
		n.tables = []*yearTable{t}
		return n, nil
	}
	n.first = min(c.first, y.Year)
	last := max(c.first+len(c.tables)-1, y.Year)
	n.tables = make([]*yearTable, last-n.first+1)
	copy(n.tables[c.first-n.first:], c.tables)
	n.tables[y.Year-n.first] = t
	return n, nil
}

// Years lists the years the calendar has data for, ascending.
func (c *Calendar) Years() []int {
	var ys []int
	if c == nil {
		return ys
	}
	for i, t := range c.tables {
		if t != nil {
			ys = append(ys, c.first+i)
		}
	}
	return ys
}

// Year returns a copy of the arrangement held for year, days sorted, for
// display or for storing in the database.
func (c *Calendar) Year(year int) (YearData, bool) {
	t := c.table(year)
	if t == nil {
		return YearData{}, false
	}
	return t.data.clone(), true
}

func (c *Calendar) table(year int) *yearTable {
	if c == nil {
		return nil
	}
	i := year - c.first
	if i < 0 || i >= len(c.tables) {
		return nil
	}
	return c.tables[i]
}

func (c *Calendar) mustTable(year int) (*yearTable, error) {
	if t := c.table(year); t != nil {
		return t, nil
	}
	return nil, &NoDataError{Year: year}
}

func checkDate(d civil.Date) error {
	if d.IsZero() {
		return fmt.Errorf("%w：日期未填写", ErrInvalidDate)
	}
	if !valid(d) {
		return fmt.Errorf("%w：%d-%02d-%02d 不存在", ErrInvalidDate, d.Year, int(d.Month), d.Day)
	}
	return nil
}

// IsWorkday reports whether d is a working day: Monday to Friday unless the
// year's notice gives it off, Saturday and Sunday only when the notice makes
// it a 调休 working day.
func (c *Calendar) IsWorkday(d civil.Date) (bool, error) {
	if err := checkDate(d); err != nil {
		return false, err
	}
	t, err := c.mustTable(d.Year)
	if err != nil {
		return false, err
	}
	return t.isWork(dayOfYear(d)), nil
}

// AddWorkdays returns the n-th working day after from. The day from itself is
// never counted (《民法典》第二百零一条: 开始的当日不计入), whether or not it
// is a working day, so a decision due "二十日内" of acceptance on from is due
// by AddWorkdays(from, 20), and that day is always a working day.
// n == 0 returns from; a negative n is an error.
//
// Only the years after from are consulted, so from may lie in a year without
// data (AddWorkdays(2019-12-31, 1) needs only 2020). A year without data is
// an error (*NoDataError); Deadline counts it Monday to Friday instead.
func (c *Calendar) AddWorkdays(from civil.Date, n int) (civil.Date, error) {
	return c.add(from, n, c.mustTable)
}

// Deadline is a day reached by counting working days: Workdays after From,
// From itself not counted. Assumed lists, ascending, the years counted
// Monday to Friday because the calendar had no notice for them; while it is
// not empty the date is provisional (暂定), and Recompute gives the final
// one once those years are imported.
type Deadline struct {
	From     civil.Date
	Workdays int
	Date     civil.Date
	Assumed  []int
}

// IsZero reports whether there is no deadline.
func (d Deadline) IsZero() bool { return d.Date.IsZero() }

// Provisional reports whether the date rests on a year counted Monday to
// Friday.
func (d Deadline) Provisional() bool { return len(d.Assumed) > 0 }

// Note is the sentence shown after a provisional date wherever it appears
// (pages, notices, SMS); "" for a final one.
func (d Deadline) Note() string { return ProvisionalNote(d.Assumed) }

// Chinese is the date as notices print it, with the 暂定 note when
// provisional: "2027年1月12日（暂定，待国务院办公厅公布2027年节假日安排后确认）".
func (d Deadline) Chinese() string {
	if d.IsZero() {
		return ""
	}
	return d.Date.Chinese() + d.Note()
}

// ProvisionalNote is the 暂定 sentence naming the years whose notice is
// awaited; "" when there are none.
func ProvisionalNote(years []int) string {
	if len(years) == 0 {
		return ""
	}
	names := make([]string, len(years))
	for i, y := range years {
		names[i] = strconv.Itoa(y) + "年"
	}
	return "（暂定，待国务院办公厅公布" + strings.Join(names, "、") + "节假日安排后确认）"
}

// Deadline counts n working days after from, as AddWorkdays does, except
// that a year without its notice is counted Monday to Friday and named in
// the result's Assumed.
func (c *Calendar) Deadline(from civil.Date, n int) (Deadline, error) {
	var assumed []int
	day, err := c.add(from, n, c.assuming(&assumed))
	if err != nil {
		return Deadline{}, err
	}
	return Deadline{From: from, Workdays: n, Date: day, Assumed: assumed}, nil
}

// Recompute counts d again on this calendar: the same period from the same
// day, with whatever years have been imported since. The zero Deadline
// stays zero.
func (c *Calendar) Recompute(d Deadline) (Deadline, error) {
	if d.IsZero() {
		return d, nil
	}
	return c.Deadline(d.From, d.Workdays)
}

// Count is WorkdaysBetween except that a year without its notice is counted
// Monday to Friday and listed in assumed.
func (c *Calendar) Count(from, to civil.Date) (n int, assumed []int, err error) {
	n, err = c.workdaysBetween(from, to, c.assuming(&assumed))
	return n, assumed, err
}

// Has reports whether the calendar holds the notice of year.
func (c *Calendar) Has(year int) bool { return c.table(year) != nil }

// lookup gives the table of a year, or the error that stops a count.
type lookup func(year int) (*yearTable, error)

// assuming looks a year up, standing a Monday–Friday table in for a missing
// one and noting its year in *assumed. Years outside the range an
// arrangement may have are still refused: they are typing errors.
func (c *Calendar) assuming(assumed *[]int) lookup {
	return func(year int) (*yearTable, error) {
		if t := c.table(year); t != nil {
			return t, nil
		}
		if year < minYear || year > maxYear {
			return nil, &NoDataError{Year: year}
		}
		if !slices.Contains(*assumed, year) {
			*assumed = append(*assumed, year)
			slices.Sort(*assumed)
		}
		return weekdaysOnly(year), nil
	}
}

// weekdayTables caches the Monday–Friday stand-ins, one per year asked for.
var weekdayTables sync.Map // int → *yearTable

func weekdaysOnly(year int) *yearTable {
	if t, ok := weekdayTables.Load(year); ok {
		return t.(*yearTable)
	}
	t, _ := weekdayTables.LoadOrStore(year, newYearTable(YearData{Year: year}))
	return t.(*yearTable)
}

func (c *Calendar) add(from civil.Date, n int, tableOf lookup) (civil.Date, error) {
	if err := checkDate(from); err != nil {
		return civil.Date{}, err
	}
	if n < 0 {
		return civil.Date{}, fmt.Errorf("工作日数不能为负数：%d", n)
	}
	if n == 0 {
		return from, nil
	}
	year, start := from.Year, dayOfYear(from)+1
	for {
		if start >= daysIn(year) {
			year, start = year+1, 0
		}
		t, err := tableOf(year)
		if err != nil {
			return civil.Date{}, err
		}
		skipped := t.before(start)
		if left := t.total - skipped; n > left {
			n -= left
			start = t.days
			continue
		}
		return dateOf(year, t.nth(skipped+n-1)), nil
	}
}

// WorkdaysBetween counts the working days in (from, to]: the way a period
// that began on from has run by the end of to, so that
// WorkdaysBetween(from, AddWorkdays(from, n)) == n. When to is before from
// the result is minus the count in (to, from]; when they are equal it is 0.
func (c *Calendar) WorkdaysBetween(from, to civil.Date) (int, error) {
	return c.workdaysBetween(from, to, c.mustTable)
}

func (c *Calendar) workdaysBetween(from, to civil.Date, tableOf lookup) (int, error) {
	if err := checkDate(from); err != nil {
		return 0, err
	}
	if err := checkDate(to); err != nil {
		return 0, err
	}
	switch from.Compare(to) {
	case 0:
		return 0, nil
	case 1:
		n, err := between(to, from, tableOf)
		return -n, err
	}
	return between(from, to, tableOf)
}

// between counts (from, to] for from < to. A year is consulted only if some
// day of it lies in the interval, matching AddWorkdays.
func between(from, to civil.Date, tableOf lookup) (int, error) {
	total := 0
	for y := from.Year; y <= to.Year; y++ {
		lo, hi := 0, daysIn(y) // days [lo, hi) of year y
		if y == from.Year {
			lo = dayOfYear(from) + 1
		}
		if y == to.Year {
			hi = dayOfYear(to) + 1
		}
		if lo >= hi {
			continue
		}
		t, err := tableOf(y)
		if err != nil {
			return 0, err
		}
		total += t.before(hi) - t.before(lo)
	}
	return total, nil
}

// Holiday returns the name of the holiday d belongs to, if the notice lists d
// as a day off or as a 调休 working day, for explaining a deadline to a user
// ("10月1日至7日 国庆节").
func (c *Calendar) Holiday(d civil.Date) (name string, ok bool) {
	t := c.table(d.Year)
	if t == nil {
		return "", false
	}
	for _, list := range [][]Day{t.data.Holidays, t.data.Workdays} {
		if i, found := slices.BinarySearchFunc(list, d, func(x Day, d civil.Date) int { return x.Date.Compare(d) }); found {
			return list[i].Name, true
		}
	}
	return "", false
}
