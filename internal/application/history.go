package application

// InternalNote reports whether the note an officer wrote with an action is
// for the case file only and not shown to the applicant: the 再次补正说明
// justifies a second 补正 round to the record (the applicant receives the
// 补正告知书 itself), and the 初审意见 of 审核 is the reviewer's advice to
// the approver. Every other note is told to the applicant anyway — the 理由
// of 不予受理 and 不予许可 and the 审批意见 are printed in the decision
// (行政许可法 第三十八条第二款: 应当说明理由), a transfer's reason goes out by SMS.
func InternalNote(action string) bool {
	switch Action(action) {
	case ActionRequestCorrection, ActionReview:
		return true
	}
	return false
}
