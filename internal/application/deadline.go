package application

import (
	"fmt"
	"strings"

	"opcert/internal/civil"
	"opcert/internal/workday"
)

// The statutory periods are counted in working days on the official
// calendar (行政许可法 第八十二条), the first day not counted (the workday
// package, 民法典 第二百零一条). A period that reaches a year the calendar has
// no 国务院办公厅 notice for never blocks anyone: that year is counted Monday
// to Friday, the deadline says so (workday.Deadline.Assumed) and is shown as
// 暂定 until an admin imports the year, which counts it again
// (RecountDeadlines).

// AcceptDeadline is the last day to decide on 受理: AcceptWorkdays after the
// day the application arrived. 行政许可法 第三十二条第一款第（四）项 requires
// any 补正 to be told, once and completely, "在五日内"; told later, the
// application counts as accepted from the day it arrived, so after this
// deadline the officer can no longer ask for 补正. For an application
// returned for 补正, pass the day of resubmission: 第（五）项 makes the
// complete 补正 materials the ground for 受理, so the period runs again from
// the day they arrive.
func AcceptDeadline(submitted civil.Date, cal *workday.Calendar, p Policy) (workday.Deadline, error) {
	if p.AcceptWorkdays <= 0 {
		return workday.Deadline{}, fmt.Errorf("受理期限（工作日）设置无效：%d", p.AcceptWorkdays)
	}
	return cal.Deadline(submitted, p.AcceptWorkdays)
}

// DecisionDeadline is the last day to decide after 受理: DecideWorkdays
// (行政许可法 第四十二条: "二十日内") plus pausedWorkdays, the working days the
// clock stood still (行政许可法 第四十五条 periods not counted; use
// PausedWorkdays). For an application examined after 受理, accepted is the
// day the exam result was recorded, since the decision cannot precede it.
func DecisionDeadline(accepted civil.Date, pausedWorkdays int, cal *workday.Calendar, p Policy) (workday.Deadline, error) {
	if p.DecideWorkdays <= 0 {
		return workday.Deadline{}, fmt.Errorf("审批期限（工作日）设置无效：%d", p.DecideWorkdays)
	}
	if pausedWorkdays < 0 {
		return workday.Deadline{}, fmt.Errorf("暂停计算的工作日数不能为负数：%d", pausedWorkdays)
	}
	return cal.Deadline(accepted, p.DecideWorkdays+pausedWorkdays)
}

// CorrectionDeadline is the 补正期限 written on the 补正告知书 issued on
// issued: CorrectionWorkdays later. An applicant who does not resubmit by
// then without good reason is taken to have abandoned the application
// (《市场监督管理行政许可程序暂行规定》第十五条第（四）项; seed 000 3.5 申请信息
// 第2点: "逾期不予补正的，视为放弃行政许可申请").
func CorrectionDeadline(issued civil.Date, cal *workday.Calendar, p Policy) (workday.Deadline, error) {
	if p.CorrectionWorkdays <= 0 {
		return workday.Deadline{}, fmt.Errorf("补正期限（工作日）设置无效：%d", p.CorrectionWorkdays)
	}
	return cal.Deadline(issued, p.CorrectionWorkdays)
}

// PausedWorkdays counts the working days in (from, to], the span a clock
// stood still (a year without its notice counted Monday to Friday).
func PausedWorkdays(from, to civil.Date, cal *workday.Calendar) (int, error) {
	if to.Before(from) {
		return 0, fmt.Errorf("暂停结束日%s早于开始日%s", to, from)
	}
	n, _, err := cal.Count(from, to)
	return n, err
}

// DaysLeft is the working days still available after today: 0 when the
// deadline is today, negative once it has passed. Overdue counts the
// working days since the deadline, and is at least −1: on a day off right
// after a missed deadline no working day has passed, yet the period has
// run out.
// A year without its notice is counted Monday to Friday, so the 已超期
// mark does not vanish on 1 January for want of the new year's notice.
func DaysLeft(deadline, today civil.Date, cal *workday.Calendar) (int, error) {
	if !today.After(deadline) {
		n, _, err := cal.Count(today, deadline)
		return n, err
	}
	n, _, err := cal.Count(deadline, today)
	if err != nil {
		return 0, err
	}
	return -max(n, 1), nil
}

// CorrectionOverdue reports whether a 补正 deadline has passed on today,
// the test of the job that marks applications 视为放弃: the deadline day
// itself is still in time.
func CorrectionOverdue(deadline, today civil.Date) bool { return today.After(deadline) }

// DueWithin is the last day of a "at most n working days left" filter of
// the officers' queue: deadlines on or before it have n or fewer left.
func DueWithin(today civil.Date, n int, cal *workday.Calendar) (civil.Date, error) {
	d, err := cal.Deadline(today, n)
	return d.Date, err
}

// DeadlineRecount is an application's provisional deadlines counted again
// on a calendar with more years: the new values, and whether any date moved
// (the applicant is then told by SMS).
type DeadlineRecount struct {
	Due, CorrectionDue workday.Deadline
	Moved              bool
	// Note is the history line, naming each deadline counted again with its
	// old and new date, e.g. "法定期限由 2027年01月12日（暂定） 确定为 2027年01月13日".
	Note string
}

// RecountDeadlines counts again the provisional deadlines among due (the
// authority's 受理 or 决定 deadline) and correctionDue (the 补正期限), over the
// same periods, on cal; a final deadline is left as it is, since an
// applicant and an officer have relied on it.
func RecountDeadlines(due, correctionDue workday.Deadline, cal *workday.Calendar) (DeadlineRecount, error) {
	out := DeadlineRecount{Due: due, CorrectionDue: correctionDue}
	var notes []string
	for _, x := range []struct {
		label string
		d     *workday.Deadline
	}{{"法定期限", &out.Due}, {"补正期限", &out.CorrectionDue}} {
		if !x.d.Provisional() {
			continue
		}
		n, err := cal.Recompute(*x.d)
		if err != nil {
			return DeadlineRecount{}, err
		}
		verb := "确定为"
		if n.Provisional() {
			verb = "重新计算为"
		}
		if n.Date != x.d.Date {
			out.Moved = true
		}
		notes = append(notes, fmt.Sprintf("%s由 %s（暂定） %s %s", x.label, x.d.Date.Chinese(), verb, n.Chinese()))
		*x.d = n
	}
	out.Note = strings.Join(notes, "；")
	return out, nil
}
