package application

import "testing"

func TestShanghaiPolicy(t *testing.T) {
	p := ShanghaiPolicy()
	for _, tc := range []struct {
		name      string
		got, want int
		rule      string
	}{
		{"RenewalLeadMonths", p.RenewalLeadMonths, 3, "seed 000 关于复审 第2点: 提前三个月"},
		{"NewMinAge", p.NewMinAge, 18, "SOURCES §3 S8: 18周岁以上"},
		{"NewMaxAge", p.NewMaxAge, 60, "SOURCES §3 S8: 不超过60周岁"},
		{"RenewMaxAge", p.RenewMaxAge, 65, "SOURCES §3 S10: 复审 不超过65周岁"},
		{"DraftKeepDays", p.DraftKeepDays, 15, "seed 000 3.5 申请信息 第1点: 15天"},
		{"AcceptWorkdays", p.AcceptWorkdays, 5, "行政许可法 第三十二条: 五日内"},
		{"DecideWorkdays", p.DecideWorkdays, 20, "行政许可法 第四十二条: 二十日内"},
		{"CorrectionWorkdays", p.CorrectionWorkdays, 15, "our choice of 合理的补正期限"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d (%s)", tc.name, tc.got, tc.want, tc.rule)
		}
	}
	if !p.ReopenExpiredSince.IsZero() {
		t.Errorf("ReopenExpiredSince = %s, want zero: the 疫情期间 reopening is opt-in", p.ReopenExpiredSince)
	}
	if ps := p.Validate(); len(ps) != 0 {
		t.Errorf("ShanghaiPolicy().Validate() = %v", ps)
	}
	if EpidemicReopenSince != d("2020-01-01") {
		t.Errorf("EpidemicReopenSince = %s, want 2020-01-01 (seed 000 复审项目选择 第1点)", EpidemicReopenSince)
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Policy)
		want   map[string]string
	}{
		{"zero lead", func(p *Policy) { p.RenewalLeadMonths = 0 }, map[string]string{"renewal_lead_months": "复审提前申请月数"}},
		{"negative accept", func(p *Policy) { p.AcceptWorkdays = -1 }, map[string]string{"accept_workdays": "-1"}},
		{"zero decide", func(p *Policy) { p.DecideWorkdays = 0 }, map[string]string{"decide_workdays": "审批期限"}},
		{"zero correction", func(p *Policy) { p.CorrectionWorkdays = 0 }, map[string]string{"correction_workdays": "补正期限"}},
		{"zero draft", func(p *Policy) { p.DraftKeepDays = 0 }, map[string]string{"draft_keep_days": "暂存"}},
		{"min above max", func(p *Policy) { p.NewMinAge = 61 }, map[string]string{"new_max_age": "不能小于最低年龄"}},
		{"renew below new", func(p *Policy) { p.RenewMaxAge = 59 }, map[string]string{"renew_max_age": "不能小于新办最高年龄"}},
		{"reopen date alone is fine", func(p *Policy) { p.ReopenExpiredSince = EpidemicReopenSince }, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ShanghaiPolicy()
			tc.change(&p)
			wantProblems(t, p.Validate(), tc.want)
		})
	}
}
