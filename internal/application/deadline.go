package application

import (
	"fmt"

	"opcert/internal/civil"
	"opcert/internal/workday"
)

// The statutory periods are counted in working days on the official
// calendar (行政许可法 第八十二条), the first day not counted (the workday
// package, 民法典 第二百零一条). A computation that reaches a year the
// calendar has no 国务院办公厅 notice for returns workday.ErrNoData rather
// than guess.

// AcceptDeadline is the last day to decide on 受理: AcceptWorkdays after the
// day the application arrived. 行政许可法 第三十二条第一款第（四）项 requires
// any 补正 to be told, once and completely, "在五日内"; told later, the
// application counts as accepted from the day it arrived, so after this
// deadline the officer can no longer ask for 补正. For an application
// returned for 补正, pass the day of resubmission: 第（五）项 makes the
// complete 补正 materials the ground for 受理, so the period runs again from
// the day they arrive.
func AcceptDeadline(submitted civil.Date, cal *workday.Calendar, p Policy) (civil.Date, error) {
	if p.AcceptWorkdays <= 0 {
		return civil.Date{}, fmt.Errorf("受理期限（工作日）设置无效：%d", p.AcceptWorkdays)
	}
	return cal.AddWorkdays(submitted, p.AcceptWorkdays)
}

// DecisionDeadline is the last day to decide after 受理: DecideWorkdays
// (行政许可法 第四十二条: "二十日内") plus pausedWorkdays, the working days the
// clock stood still (行政许可法 第四十五条 periods not counted; use
// PausedWorkdays). For an application examined after 受理, accepted is the
// day the exam result was recorded, since the decision cannot precede it.
func DecisionDeadline(accepted civil.Date, pausedWorkdays int, cal *workday.Calendar, p Policy) (civil.Date, error) {
	if p.DecideWorkdays <= 0 {
		return civil.Date{}, fmt.Errorf("审批期限（工作日）设置无效：%d", p.DecideWorkdays)
	}
	if pausedWorkdays < 0 {
		return civil.Date{}, fmt.Errorf("暂停计算的工作日数不能为负数：%d", pausedWorkdays)
	}
	return cal.AddWorkdays(accepted, p.DecideWorkdays+pausedWorkdays)
}

// CorrectionDeadline is the 补正期限 written on the 补正告知书 issued on
// issued: CorrectionWorkdays later. An applicant who does not resubmit by
// then without good reason is taken to have abandoned the application
// (《市场监督管理行政许可程序暂行规定》第十五条第（四）项; seed 000 3.5 申请信息
// 第2点: "逾期不予补正的，视为放弃行政许可申请").
func CorrectionDeadline(issued civil.Date, cal *workday.Calendar, p Policy) (civil.Date, error) {
	if p.CorrectionWorkdays <= 0 {
		return civil.Date{}, fmt.Errorf("补正期限（工作日）设置无效：%d", p.CorrectionWorkdays)
	}
	return cal.AddWorkdays(issued, p.CorrectionWorkdays)
}

// PausedWorkdays counts the working days in (from, to], the span a clock
// stood still.
func PausedWorkdays(from, to civil.Date, cal *workday.Calendar) (int, error) {
	if to.Before(from) {
		return 0, fmt.Errorf("暂停结束日%s早于开始日%s", to, from)
	}
	return cal.WorkdaysBetween(from, to)
}

// DaysLeft is the working days still available after today: 0 when the
// deadline is today, negative once it has passed. Overdue counts the
// working days since the deadline, and is at least −1: on a day off right
// after a missed deadline no working day has passed, yet the period has
// run out.
func DaysLeft(deadline, today civil.Date, cal *workday.Calendar) (int, error) {
	if !today.After(deadline) {
		return cal.WorkdaysBetween(today, deadline)
	}
	n, err := cal.WorkdaysBetween(deadline, today)
	if err != nil {
		return 0, err
	}
	return -max(n, 1), nil
}

// CorrectionOverdue reports whether a 补正 deadline has passed on today,
// the test of the job that marks applications 视为放弃: the deadline day
// itself is still in time.
func CorrectionOverdue(deadline, today civil.Date) bool { return today.After(deadline) }
