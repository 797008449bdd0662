package application

import "opcert/internal/civil"

// DraftExpiry is the last day a draft is kept: DraftKeepDays calendar days
// after its last save (seed 000, 3.5 申请信息 第1点: "系统将您的信息进行为期15天
// 的暂存"). Calendar days, not working days: the seed counts a plain
// countdown and no law sets this period.
func DraftExpiry(lastSaved civil.Date, p Policy) civil.Date {
	return lastSaved.AddDays(p.DraftKeepDays)
}

// DraftCountdown is the 暂存倒计时 the seed shows: days left until
// DraftExpiry, 0 on the last day. A negative value means the draft is due
// for deletion ("“暂存倒计时”为负时，系统将自动进行删除").
func DraftCountdown(lastSaved, today civil.Date, p Policy) int {
	return today.DaysUntil(DraftExpiry(lastSaved, p))
}

// DraftExpired reports whether the draft is to be deleted on today; it
// agrees with the store, which deletes drafts whose expiry is before today.
func DraftExpired(lastSaved, today civil.Date, p Policy) bool {
	return DraftCountdown(lastSaved, today, p) < 0
}

// DraftReminderDays is how long before its deletion a draft's applicant is
// told by SMS, so that 15 days of typing are not lost unnoticed.
const DraftReminderDays = 3

// DraftDeletedOn is the day a draft kept until expiresOn is deleted: the
// day after its last day ("“暂存倒计时”为负时，系统将自动进行删除").
func DraftDeletedOn(expiresOn civil.Date) civil.Date { return expiresOn.AddDays(1) }

// DraftReminderDue tells whether, on today, the applicant of a draft kept
// until expiresOn is to be reminded: from DraftReminderDays before its
// deletion until its last day.
func DraftReminderDue(expiresOn, today civil.Date) bool {
	return !today.Before(DraftDeletedOn(expiresOn).AddDays(-DraftReminderDays)) && !today.After(expiresOn)
}
