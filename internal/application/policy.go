package application

import (
	"fmt"

	"opcert/internal/civil"
)

// Policy holds the numbers of the service that a deployment may change
// without a release (DESIGN.md: "keep these as policy data, not
// constants"): a district or city running opcert sets its own practice, and
// an administrator can reopen expired items the way Shanghai did in 2020.
type Policy struct {
	// RenewalLeadMonths opens the 复审 window this many months before
	// 有效期至. Shanghai practice is 3 (seed 000, 关于复审 第2点: "可以提前三个
	// 月进行复审申报"); TSG Z6001-2019 itself only says to apply at least one
	// month before expiry (SOURCES.md §3, §8.1).
	RenewalLeadMonths int
	// ReopenExpiredSince keeps items whose 有效期至 is on or after this date
	// renewable after expiry (seed 000, 复审项目选择 第1点: "有效期至2020年1月1日
	// 至有效期届满前3个月内的复审业务(疫情期间)"). The zero date reopens nothing.
	ReopenExpiredSince civil.Date
	// NewMinAge and NewMaxAge bound 新办/增项: "18周岁以上且不超过60周岁"
	// (SOURCES.md §3, S8, S31).
	NewMinAge, NewMaxAge int
	// RenewMaxAge is 复审 condition (一): "年龄不超过65周岁" (SOURCES.md §3, S10).
	RenewMaxAge int
	// DraftKeepDays keeps a draft this many calendar days after its last save
	// (seed 000, 3.5 申请信息 第1点: "为期15天的暂存").
	DraftKeepDays int
	// AcceptWorkdays is the period to decide on 受理 or ask for 补正
	// (行政许可法 第三十二条第一款第（四）项: 五日内; 第八十二条: working days).
	AcceptWorkdays int
	// DecideWorkdays is the period to decide after 受理 (行政许可法 第四十二条:
	// 二十日内).
	DecideWorkdays int
	// CorrectionWorkdays is the 补正期限 written on a 补正告知书. The law asks
	// only for a "合理的补正期限" (《市场监督管理行政许可程序暂行规定》第十五条
	// 第（四）项, SOURCES.md §3); 15 working days is our choice.
	CorrectionWorkdays int
	// ExamPassMark is the score out of 100 each exam subject needs: 70 under
	// TSG Z6001-2019 (SOURCES.md §3, S9); 60 under older welder rules.
	ExamPassMark int
}

// ShanghaiPolicy is the practice of the seeds. ReopenExpiredSince is left
// zero: the 疫情期间 reopening was a temporary measure, and reopening by
// default would renew, without an exam, items that TSG Z6001-2019 treats as
// lapsed. An administrator sets EpidemicReopenSince when a reopening is
// decided again.
func ShanghaiPolicy() Policy {
	return Policy{
		RenewalLeadMonths:  3,
		NewMinAge:          18,
		NewMaxAge:          60,
		RenewMaxAge:        65,
		DraftKeepDays:      15,
		AcceptWorkdays:     5,
		DecideWorkdays:     20,
		CorrectionWorkdays: 15,
		ExamPassMark:       70,
	}
}

// EpidemicReopenSince is the date of the seed's 疫情期间 rule, for an
// administrator or a demo that wants to reproduce it.
var EpidemicReopenSince = civil.Date{Year: 2020, Month: 1, Day: 1}

// Validate reports, in Chinese, the settings that would make the rules
// meaningless, so an administrator's edit is refused before it applies.
func (p Policy) Validate() []Problem {
	var out []Problem
	positive := []struct {
		field, name string
		v           int
	}{
		{"renewal_lead_months", "复审提前申请月数", p.RenewalLeadMonths},
		{"new_min_age", "新办最低年龄", p.NewMinAge},
		{"new_max_age", "新办最高年龄", p.NewMaxAge},
		{"renew_max_age", "复审最高年龄", p.RenewMaxAge},
		{"draft_keep_days", "暂存保留天数", p.DraftKeepDays},
		{"accept_workdays", "受理期限（工作日）", p.AcceptWorkdays},
		{"decide_workdays", "审批期限（工作日）", p.DecideWorkdays},
		{"correction_workdays", "补正期限（工作日）", p.CorrectionWorkdays},
	}
	for _, f := range positive {
		if f.v <= 0 {
			out = append(out, Problem{Field: f.field, Message: fmt.Sprintf("%s应为正整数，当前为%d", f.name, f.v)})
		}
	}
	if p.NewMinAge > 0 && p.NewMaxAge > 0 && p.NewMinAge > p.NewMaxAge {
		out = append(out, Problem{Field: "new_max_age", Message: fmt.Sprintf("新办最高年龄（%d）不能小于最低年龄（%d）", p.NewMaxAge, p.NewMinAge)})
	}
	if p.RenewMaxAge > 0 && p.NewMaxAge > 0 && p.RenewMaxAge < p.NewMaxAge {
		out = append(out, Problem{Field: "renew_max_age", Message: fmt.Sprintf("复审最高年龄（%d）不能小于新办最高年龄（%d）", p.RenewMaxAge, p.NewMaxAge)})
	}
	return out
}
