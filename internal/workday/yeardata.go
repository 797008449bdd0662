package workday

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"opcert/internal/civil"
)

// Day is one date of a year's arrangement with the holiday it belongs to.
// For a 调休 working day the name is the holiday whose bridge it pays for
// (2026-02-14 is a working Saturday "春节").
type Day struct {
	Date civil.Date `json:"date"`
	Name string     `json:"name"`
}

// YearData is one calendar year of the State Council's arrangement
// (国务院办公厅关于××年部分节假日安排的通知), the unit an administrator
// imports when a new notice is published.
//
// It is keyed by the calendar year of the dates, not by the notice: a
// notice can reach into the previous December (2023's 元旦 began on
// 2022-12-31), and such a day belongs to the earlier YearData. So when the
// notice for Y+1 is published, check whether it also changes late December
// of Y; if it does, Y has to be re-imported too.
type YearData struct {
	Year int `json:"year"`
	// Source cites the notice, e.g. "国办发明电〔2025〕7号（2025-11-04）".
	Source string `json:"source,omitempty"`
	// Holidays are all days off, weekends inside a holiday period included.
	Holidays []Day `json:"holidays"`
	// Workdays are the weekend days made working days (调休上班).
	Workdays []Day `json:"workdays"`
}

// ErrInvalidYearData is wrapped by every error that rejects a YearData.
var ErrInvalidYearData = errors.New("年度节假日安排数据有误")

// InvalidYearDataError lists everything wrong with a YearData at once, so an
// administrator can fix an import file in one pass.
type InvalidYearDataError struct {
	Year     int
	Problems []string
}

func (e *InvalidYearDataError) Error() string {
	return fmt.Sprintf("%d 年节假日安排有误：%s", e.Year, strings.Join(e.Problems, "；"))
}

func (e *InvalidYearDataError) Unwrap() error { return ErrInvalidYearData }

// Years outside this range are refused: before 2000 the 1995 five-day week
// and the holiday rules differed, and far-future years are typing errors.
const (
	minYear = 2000
	maxYear = 2199
)

// ParseYearData reads one year in the JSON form of the embedded files
// (data/2026.json) and validates it. Unknown fields are refused so that a
// misspelt "workday" key cannot silently drop the 调休 working days.
func ParseYearData(b []byte) (YearData, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var y YearData
	if err := dec.Decode(&y); err != nil {
		return YearData{}, fmt.Errorf("%w：无法解析 JSON：%v", ErrInvalidYearData, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return YearData{}, fmt.Errorf("%w：JSON 之后还有多余内容", ErrInvalidYearData)
	}
	if err := y.Validate(); err != nil {
		return YearData{}, err
	}
	return y, nil
}

// fixedHolidays are the solar-calendar days 《全国年节及纪念日放假办法》
// 第二条 makes days off every year. A year's arrangement that lacks one of
// them is incomplete, whatever its 调休 pattern (5月2日 since the 2024
// revision, in force from 2025-01-01).
func fixedHolidays(year int) []Day {
	days := []Day{
		{civil.Date{Year: year, Month: time.January, Day: 1}, "元旦"},
		{civil.Date{Year: year, Month: time.May, Day: 1}, "劳动节"},
	}
	if year >= 2025 {
		days = append(days, Day{civil.Date{Year: year, Month: time.May, Day: 2}, "劳动节"})
	}
	for d := 1; d <= 3; d++ {
		days = append(days, Day{civil.Date{Year: year, Month: time.October, Day: d}, "国庆节"})
	}
	return days
}

// Validate checks the structural rules of an arrangement: every date lies in
// Year, no date is listed twice or both off and working, a 调休 working day
// is a Saturday or Sunday (a weekday is a working day already, so listing
// one means the file is wrong), every day names its holiday, and the fixed
// statutory days are off.
func (y YearData) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if y.Year < minYear || y.Year > maxYear {
		add("年度 %d 不在 %d—%d 之间", y.Year, minYear, maxYear)
		return &InvalidYearDataError{Year: y.Year, Problems: problems}
	}
	off := make(map[civil.Date]bool, len(y.Holidays))
	check := func(kind string, d Day) bool {
		switch {
		case d.Date.IsZero():
			add("%s中有一项缺少日期", kind)
			return false
		case !valid(d.Date):
			add("%s中的日期 %d-%02d-%02d 不存在", kind, d.Date.Year, int(d.Date.Month), d.Date.Day)
			return false
		case d.Date.Year != y.Year:
			add("%s中的 %s 不在 %d 年内", kind, d.Date, y.Year)
			return false
		}
		if strings.TrimSpace(d.Name) == "" {
			add("%s中的 %s 缺少节日名称", kind, d.Date)
		}
		return true
	}
	for _, d := range y.Holidays {
		if !check("放假日期", d) {
			continue
		}
		if off[d.Date] {
			add("放假日期 %s 重复", d.Date)
		}
		off[d.Date] = true
	}
	work := make(map[civil.Date]bool, len(y.Workdays))
	for _, d := range y.Workdays {
		if !check("调休上班日", d) {
			continue
		}
		if work[d.Date] {
			add("调休上班日 %s 重复", d.Date)
		}
		work[d.Date] = true
		if off[d.Date] {
			add("%s 既是放假日又是调休上班日", d.Date)
		}
		if wd := d.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
			add("调休上班日 %s 是%s，调休上班日只能是星期六或星期日", d.Date, weekdayNames[wd])
		}
	}
	for _, f := range fixedHolidays(y.Year) {
		if !off[f.Date] {
			add("缺少法定节假日 %s（%s），按《全国年节及纪念日放假办法》该日必须放假", f.Date, f.Name)
		}
	}
	if len(problems) > 0 {
		return &InvalidYearDataError{Year: y.Year, Problems: problems}
	}
	return nil
}

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// clone copies the slices so a Calendar never shares memory with its caller.
func (y YearData) clone() YearData {
	y.Holidays = append([]Day(nil), y.Holidays...)
	y.Workdays = append([]Day(nil), y.Workdays...)
	return y
}
