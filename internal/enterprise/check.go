package enterprise

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckStatus is where a 单位's registration stands in the administrator's
// check of its 营业执照 against the 统一社会信用代码 and 单位名称 it gives.
// Only a checked 单位 acts as one: it sees the workers who share their
// items with it (personal data, PIPL art. 13 and 23: shared with that
// employer and no one else) and registers welders in its name. Until
// then anyone could claim a company's code first and see its workers.
type CheckStatus string

const (
	CheckPending  CheckStatus = "pending"  // 待审核
	CheckApproved CheckStatus = "approved" // 审核通过
	CheckRefused  CheckStatus = "refused"  // 审核不通过
)

// Label is the status as the pages say it.
func (s CheckStatus) Label() string {
	switch s {
	case CheckPending:
		return "待审核"
	case CheckApproved:
		return "审核通过"
	case CheckRefused:
		return "审核不通过"
	}
	return string(s)
}

// Checked says whether the 单位 may act as one.
func (s CheckStatus) Checked() bool { return s == CheckApproved }

// The refusals of a decision or a resubmission out of turn.
var (
	ErrAlreadyApproved  = errors.New("该单位注册已审核通过（可能已由其他管理员处理），请刷新页面查看")
	ErrAwaitsCorrection = errors.New("该单位注册已审核不通过，须由单位更正后重新提交，才能再次审核")
	ErrNotRefused       = errors.New("本单位注册不是“审核不通过”状态，无需更正后重新提交")
)

// CanDecide allows a decision on a pending registration only: approving
// twice, or approving one already refused (whose registrant has not yet
// corrected what was wrong), is refused.
func CanDecide(s CheckStatus) error {
	switch s {
	case CheckPending:
		return nil
	case CheckApproved:
		return ErrAlreadyApproved
	}
	return ErrAwaitsCorrection
}

// CanResubmit allows a refused registration to be corrected and sent back
// for 审核; a pending one waits, a checked one is done.
func CanResubmit(s CheckStatus) error {
	if s == CheckRefused {
		return nil
	}
	return ErrNotRefused
}

// CorrectionPeriod is how long a refused registration keeps its
// 统一社会信用代码. One account per code means a registration that is never
// corrected would keep the real company out for ever; 30 days is ample
// time to upload a clearer scan or fix the name, and short enough that a
// company whose code was claimed by someone else is not kept from its
// workers' 复审 reminders for long. A registration refused because the
// registrant is not the company at all is freed at once, by the
// administrator who refuses it choosing to release the code.
const CorrectionPeriod = 30 * 24 * time.Hour

// Lapsed says whether a registration gives way to a new registration of
// its code: refused, and not corrected within CorrectionPeriod of the
// refusal. A pending registration never lapses by time: the administrator
// decides it, and may free its code in refusing it.
func Lapsed(s CheckStatus, refusedAt, now time.Time) bool {
	return s == CheckRefused && !refusedAt.IsZero() && !now.Before(refusedAt.Add(CorrectionPeriod))
}

// MaxReasonLength bounds the reason of a refusal: it goes into an SMS.
const MaxReasonLength = 100

// CheckReason cleans the reason of a refusal, which the 单位 is told (by
// SMS and on its workbench) so that it knows what to correct: it must be
// given, and fit in a message.
func CheckReason(reason string) (string, string) {
	reason = strings.Join(strings.Fields(reason), " ")
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return "", "请填写审核不通过的理由，单位将据此更正（如：营业执照上的名称与填写的单位名称不一致）"
	case n > MaxReasonLength:
		return "", "理由不能超过100个字（短信发送）"
	}
	return reason, ""
}
