package workday

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"opcert/internal/civil"
)

// AwaitedYears are the years whose notice an administrator should be asked
// to import on today: the current year whenever it is missing, and from
// 1 November the next year while it is. The notices of recent years were
// published between late October and early December (2020: 2020-11-25;
// 2023: 2023-10-25; 2024: 2024-11-12; 2025: 2025-11-04, data/*.json), and
// the 20-working-day decision period of an application accepted in the
// last weeks of a year already reaches into the next.
func (c *Calendar) AwaitedYears(today civil.Date) []int {
	var out []int
	if !c.Has(today.Year) {
		out = append(out, today.Year)
	}
	if today.Month >= time.November && !c.Has(today.Year+1) {
		out = append(out, today.Year+1)
	}
	return out
}

// dayLine is one line of an administrator's typed list: a date or a range
// of dates ("2027-02-06 至 2027-02-12", also with ~ or －), then the name.
var dayLine = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:至|到|~|～|－|—|--)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s+(\S.*)$`)

// ParseDayLines reads the days an administrator types into the import form,
// one per line: "2027-01-01 元旦", or a range "2027-02-06 至 2027-02-12 春节"
// for every day of it. Blank lines are skipped. Each wrong line is reported
// with its number, all at once.
func ParseDayLines(text string) ([]Day, []string) {
	var days []Day
	var problems []string
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "\u3000", " "))
		if line == "" {
			continue
		}
		m := dayLine.FindStringSubmatch(line)
		if m == nil {
			problems = append(problems, fmt.Sprintf("第 %d 行“%s”的格式不对，应为“2027-01-01 元旦”或“2027-02-06 至 2027-02-12 春节”", i+1, line))
			continue
		}
		from, err := parseDay(m[1])
		if err != nil {
			problems = append(problems, fmt.Sprintf("第 %d 行的日期 %s 不存在", i+1, m[1]))
			continue
		}
		to := from
		if m[2] != "" {
			if to, err = parseDay(m[2]); err != nil {
				problems = append(problems, fmt.Sprintf("第 %d 行的日期 %s 不存在", i+1, m[2]))
				continue
			}
			if to.Before(from) {
				problems = append(problems, fmt.Sprintf("第 %d 行的结束日期 %s 早于开始日期 %s", i+1, to, from))
				continue
			}
			if from.DaysUntil(to) > 31 {
				problems = append(problems, fmt.Sprintf("第 %d 行的日期范围超过一个月，请检查", i+1))
				continue
			}
		}
		name := strings.TrimSpace(m[3])
		for d := from; !d.After(to); d = d.AddDays(1) {
			days = append(days, Day{Date: d, Name: name})
		}
	}
	return days, problems
}

// parseDay reads 2027-1-1 as well as 2027-01-01 and refuses days that do not
// exist (2027-02-30).
func parseDay(s string) (civil.Date, error) {
	var y, m, d int
	if _, err := fmt.Sscanf(s, "%d-%d-%d", &y, &m, &d); err != nil {
		return civil.Date{}, err
	}
	day := civil.Date{Year: y, Month: time.Month(m), Day: d}
	if !valid(day) {
		return civil.Date{}, ErrInvalidDate
	}
	return day, nil
}
