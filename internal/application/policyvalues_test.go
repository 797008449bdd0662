package application

import (
	"strings"
	"testing"
)

// The compiled policy is the first row of every value, from the day TSG
// Z6001-2019 took effect; later rows apply from their day on.
func TestPolicyOn(t *testing.T) {
	rows := append(ShanghaiPolicy().Values(PolicySince),
		// The 疫情期间 reopening (seed 000 复审项目选择 第1点): items expired
		// since 2020-01-01 renewable, decided in 2020 and ended later.
		PolicyValue{Key: KeyReopenExpiredSince, Value: "2020-01-01", EffectiveFrom: d("2020-02-10")},
		PolicyValue{Key: KeyReopenExpiredSince, Value: "", EffectiveFrom: d("2021-01-01")},
		// A shorter decision period a bureau promises (行政许可法 第四十二条
		// allows at most 20 working days; shorter is lawful).
		PolicyValue{Key: KeyDecideWorkdays, Value: "10", EffectiveFrom: d("2027-01-01")},
	)
	for _, c := range []struct {
		day    string
		check  func(Policy) bool
		reason string
	}{
		{"2019-06-01", func(p Policy) bool { return p == ShanghaiPolicy() }, "the compiled values from TSG Z6001-2019's first day"},
		{"2020-02-09", func(p Policy) bool { return p.ReopenExpiredSince.IsZero() }, "the day before the reopening"},
		{"2020-02-10", func(p Policy) bool { return p.ReopenExpiredSince == d("2020-01-01") }, "the reopening's first day"},
		{"2020-12-31", func(p Policy) bool { return p.ReopenExpiredSince == d("2020-01-01") }, "the reopening's last day"},
		{"2021-01-01", func(p Policy) bool { return p.ReopenExpiredSince.IsZero() }, "reopening ended by an empty row"},
		{"2026-12-31", func(p Policy) bool { return p.DecideWorkdays == 20 }, "行政许可法 第四十二条: 二十日 until the change"},
		{"2027-01-01", func(p Policy) bool { return p.DecideWorkdays == 10 && p.AcceptWorkdays == 5 }, "the change from its day, the others untouched"},
		{"2019-05-31", func(p Policy) bool { return p == Policy{RenewMaxAge: 1} }, "before any row: the base"},
	} {
		base := Policy{}
		if c.day == "2019-05-31" {
			base = Policy{RenewMaxAge: 1}
		}
		if p := PolicyOn(rows, d(c.day), base); !c.check(p) {
			t.Errorf("%s (%s): %+v", c.day, c.reason, p)
		}
	}
	// The order of rows does not matter.
	reversed := make([]PolicyValue, len(rows))
	for i, r := range rows {
		reversed[len(rows)-1-i] = r
	}
	if PolicyOn(reversed, d("2020-06-01"), Policy{}) != PolicyOn(rows, d("2020-06-01"), Policy{}) {
		t.Error("the order of rows changes the policy")
	}
	if got := InForce(rows, d("2027-01-02")); len(got) != len(PolicyFields) || got[7].Key != KeyDecideWorkdays || got[7].Value != "10" {
		t.Errorf("InForce = %+v", got)
	}
}

func TestCheckPolicyChange(t *testing.T) {
	today := d("2026-11-23")
	rows := ShanghaiPolicy().Values(PolicySince)
	future := append(rows, PolicyValue{Key: KeyNewMaxAge, Value: "55", EffectiveFrom: d("2027-03-01")})
	for _, c := range []struct {
		name  string
		rows  []PolicyValue
		c     PolicyChange
		field string // "" for accepted
		want  string
	}{
		{"the 疫情期间 reopening from tomorrow", rows, PolicyChange{Key: "reopen_expired_since", Value: "2020-01-01", EffectiveFrom: "2026-11-24", Note: "沪市监特〔2026〕1号"}, "", ""},
		{"a reopening ended", rows, PolicyChange{Key: "reopen_expired_since", Value: "", EffectiveFrom: "2026-11-23", Note: "通知"}, "", ""},
		{"pass mark back to the older welder rules' 60", rows, PolicyChange{Key: "exam_pass_mark", Value: "60", EffectiveFrom: "2027-01-01", Note: "文件"}, "", ""},
		{"unknown key", rows, PolicyChange{Key: "bogus", Value: "1", EffectiveFrom: "2027-01-01", Note: "x"}, "key", "请选择要设定的政策项目"},
		{"not a number", rows, PolicyChange{Key: "accept_workdays", Value: "五", EffectiveFrom: "2027-01-01", Note: "x"}, "value", "受理期限应为整数"},
		// 行政许可法 第三十二条: 五日内 is the most the law allows.
		{"受理 longer than the law", rows, PolicyChange{Key: "accept_workdays", Value: "6", EffectiveFrom: "2027-01-01", Note: "x"}, "value", "受理期限应在 1 至 5 个工作日之间"},
		// 行政许可法 第四十二条: 二十日内.
		{"decision longer than the law", rows, PolicyChange{Key: "decide_workdays", Value: "30", EffectiveFrom: "2027-01-01", Note: "x"}, "value", "审批期限应在 1 至 20 个工作日之间"},
		{"a bad date", rows, PolicyChange{Key: "reopen_expired_since", Value: "2020/1/1", EffectiveFrom: "2027-01-01", Note: "x"}, "value", "日期格式应为"},
		{"in the past", rows, PolicyChange{Key: "renewal_lead_months", Value: "1", EffectiveFrom: "2026-11-22", Note: "x"}, "effective_from", "早于今天"},
		{"in the past, retroactive", rows, PolicyChange{Key: "renewal_lead_months", Value: "1", EffectiveFrom: "2026-11-22", Note: "x", Retroactive: true}, "", ""},
		{"before TSG Z6001-2019", rows, PolicyChange{Key: "renewal_lead_months", Value: "1", EffectiveFrom: "2019-01-01", Note: "x", Retroactive: true}, "effective_from", "TSG Z6001-2019 施行之日"},
		{"no date", rows, PolicyChange{Key: "renewal_lead_months", Value: "1", Note: "x"}, "effective_from", "请填写生效日期"},
		{"no basis", rows, PolicyChange{Key: "renewal_lead_months", Value: "1", EffectiveFrom: "2027-01-01"}, "note", "请填写设定依据"},
		{"replaces a value in force", rows, PolicyChange{Key: "renewal_lead_months", Value: "2", EffectiveFrom: "2019-06-01", Note: "x", Retroactive: true}, "effective_from", "已经生效，不能修改"},
		{"corrects a future value", future, PolicyChange{Key: "new_max_age", Value: "58", EffectiveFrom: "2027-03-01", Note: "更正"}, "", ""},
		// TSG Z6001-2019: 18周岁以上且不超过60周岁; the bounds keep the
		// minimum below any maximum.
		{"min age too high", rows, PolicyChange{Key: "new_min_age", Value: "45", EffectiveFrom: "2027-01-01", Note: "x"}, "value", "新办、增项最低年龄应在 16 至 30 周岁之间"},
		// 复审 condition (一) 不超过65周岁 is never below the 新办 maximum.
		{"renewal age below the 新办 maximum", rows, PolicyChange{Key: "renew_max_age", Value: "58", EffectiveFrom: "2027-01-01", Note: "x"}, "value", "复审最高年龄（58）不能小于新办最高年龄（60）"},
		{"a later row breaks with the change", future, PolicyChange{Key: "renew_max_age", Value: "50", EffectiveFrom: "2027-04-01", Note: "x"}, "value", "复审最高年龄（50）不能小于新办最高年龄（55）"},
	} {
		_, ps := CheckPolicyChange(c.rows, c.c, today, ShanghaiPolicy())
		if c.field == "" {
			if len(ps) > 0 {
				t.Errorf("%s: refused %v", c.name, ps)
			}
			continue
		}
		found := false
		for _, p := range ps {
			found = found || p.Field == c.field && strings.Contains(p.Message, c.want)
		}
		if !found {
			t.Errorf("%s: %v, want %s: %s", c.name, ps, c.field, c.want)
		}
	}
}
