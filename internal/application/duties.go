package application

// Duties is a bureau's separation of duties as it bears on one application:
// whether the 受理机关 separates 受理, 审核 and 批准, and who did the first two.
// Separation is an internal control a bureau may choose, set per 受理机关 by
// the admin: the law asks for the decision in writing by the 行政机关
// (行政许可法 第三十七条, 第三十八条) and leaves its internal steps to it. On,
// an application goes 受理 → 审核 (初审意见) → 批准, each by another officer;
// off, 受理 → 准予/不予许可 as before.
type Duties struct {
	Separated  bool
	AcceptedBy int64 // the officer who 受理'd; 0 when none is known
	ReviewedBy int64 // the officer who 审核'd; 0 before 审核
}

// sequence refuses an action out of the order separation sets: 审核 only
// where duties are separated, and there the decision only after it.
func (d Duties) sequence(from Status, act Action) *TransitionError {
	refuse := func(msg string) *TransitionError {
		return &TransitionError{From: from, Action: act, Role: RoleOfficer, Message: msg}
	}
	decision := act == ActionApprove || act == ActionDeny
	switch {
	case act == ActionReview && !d.Separated:
		return refuse("本机关未实行受理、审核、批准分离，无需审核，可直接作出准予许可或不予许可的决定")
	case decision && d.Separated && from == StatusAccepted:
		return refuse("本机关实行受理、审核、批准分离：该申请须先经审核（填写初审意见），再由其他工作人员批准")
	}
	return nil
}

// Check refuses officer taking act when separation forbids it: the officer
// who 受理'd may neither 审核 nor 批准, and whoever 审核'd may not 批准. A
// refusal of the person is WrongRole (not theirs to do); one of the order
// is not (not yet).
func (d Duties) Check(from Status, act Action, officer int64) *TransitionError {
	if err := d.sequence(from, act); err != nil {
		return err
	}
	if !d.Separated || officer == 0 {
		return nil
	}
	refuse := func(msg string) *TransitionError {
		return &TransitionError{From: from, Action: act, Role: RoleOfficer, WrongRole: true, Message: msg}
	}
	decision := act == ActionApprove || act == ActionDeny
	switch {
	case act == ActionReview && officer == d.AcceptedBy:
		return refuse("本机关实行受理、审核、批准分离：您受理了该申请，不能再审核，请由其他工作人员审核")
	case decision && officer == d.AcceptedBy:
		return refuse("本机关实行受理、审核、批准分离：您受理了该申请，不能再批准（" + act.Label() + "），请由其他工作人员批准")
	case decision && officer == d.ReviewedBy:
		return refuse("本机关实行受理、审核、批准分离：您审核了该申请，不能再批准（" + act.Label() + "），请由其他工作人员批准")
	}
	return nil
}
