package application

import (
	"fmt"

	"opcert/internal/civil"
)

// Age is the age in completed years (周岁) on today: it grows on the
// birthday itself. A 29 February birthday is reached on 1 March in a common
// year, the first day the full year has passed.
func Age(birth, today civil.Date) int {
	age := today.Year - birth.Year
	if today.Month < birth.Month || (today.Month == birth.Month && today.Day < birth.Day) {
		age--
	}
	return age
}

// CheckAge applies the age conditions of TSG Z6001-2019 (SOURCES.md §3):
// 新办 and 增项 "18周岁以上且不超过60周岁" (S8), i.e. 18 ≤ age ≤ 60 in completed
// years, so a person may apply up to the day before turning 61; 复审 "年龄不
// 超过65周岁" (S10); 补证 re-issues what was granted and has no age rule.
func CheckAge(m Matter, birth, today civil.Date, p Policy) *Problem {
	if m == MatterReissue {
		return nil
	}
	if birth.IsZero() {
		return &Problem{Field: "birth_date", Message: "请填写出生日期"}
	}
	if birth.After(today) {
		return &Problem{Field: "birth_date", Message: fmt.Sprintf("出生日期%s晚于今天，请核对", birth.Chinese())}
	}
	age := Age(birth, today)
	switch m {
	case MatterNew, MatterAdd:
		if age < p.NewMinAge || age > p.NewMaxAge {
			return &Problem{Field: "birth_date", Message: fmt.Sprintf("申请人现年%d周岁；%s须%d周岁以上且不超过%d周岁（《特种设备作业人员考核规则》TSG Z6001-2019）",
				age, m.Label(), p.NewMinAge, p.NewMaxAge)}

		}
	case MatterRenew:
		if age > p.RenewMaxAge {
			return &Problem{Field: "birth_date", Message: fmt.Sprintf("申请人现年%d周岁；复审须年龄不超过%d周岁（《特种设备作业人员考核规则》TSG Z6001-2019）",
				age, p.RenewMaxAge)}

		}
	}
	return nil
}
