package application

import (
	"strings"
	"testing"

	"opcert/internal/civil"
)

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		birth, today string
		want         int
	}{
		{"2008-03-01", "2026-02-28", 17},
		{"2008-03-01", "2026-03-01", 18}, // the birthday itself counts
		{"1965-12-31", "2026-12-30", 60},
		{"1965-12-31", "2026-12-31", 61},
		{"2008-02-29", "2026-02-28", 17}, // 29 February: reached on 1 March in a common year
		{"2008-02-29", "2026-03-01", 18},
		{"2008-02-29", "2028-02-29", 20},
	} {
		if got := Age(d(tc.birth), d(tc.today)); got != tc.want {
			t.Errorf("Age(%s, %s) = %d, want %d", tc.birth, tc.today, got, tc.want)
		}
	}
}

func TestCheckAge(t *testing.T) {
	p := ShanghaiPolicy()
	today := "2026-03-01"
	for _, tc := range []struct {
		rule  string
		m     Matter
		birth string
		field string // "" for no problem
		msg   string
	}{
		{"SOURCES §3 S8: 新办 under 18", MatterNew, "2008-03-02", "birth_date", "申请人现年17周岁；新办须18周岁以上且不超过60周岁"},
		{"新办 on the 18th birthday", MatterNew, "2008-03-01", "", ""},
		{"新办 at 60 (day before the 61st birthday)", MatterNew, "1965-03-02", "", ""},
		{"新办 on the 61st birthday", MatterNew, "1965-03-01", "birth_date", "现年61周岁"},
		{"增项 follows the 新办 rule", MatterAdd, "1960-01-01", "birth_date", "增项须18周岁以上且不超过60周岁"},
		{"增项 at 30", MatterAdd, "1996-01-01", "", ""},
		{"SOURCES §3 S10: 复审 at 65", MatterRenew, "1960-03-02", "", ""},
		{"复审 at 66", MatterRenew, "1960-03-01", "birth_date", "申请人现年66周岁；复审须年龄不超过65周岁"},
		{"复审 has no minimum", MatterRenew, "2008-06-01", "", ""},
		{"补证 has no age rule", MatterReissue, "1930-01-01", "", ""},
		{"missing birth date", MatterNew, "", "birth_date", "请填写出生日期"},
		{"birth date after today", MatterRenew, "2026-03-02", "birth_date", "晚于今天"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var birth civil.Date
			if tc.birth != "" {
				birth = d(tc.birth)
			}
			got := CheckAge(tc.m, birth, d(today), p)
			switch {
			case tc.field == "" && got != nil:
				t.Errorf("problem %q, want none", got.Message)
			case tc.field != "" && got == nil:
				t.Errorf("no problem, want %q", tc.msg)
			case got != nil && (got.Field != tc.field || !strings.Contains(got.Message, tc.msg)):
				t.Errorf("problem %s %q, want %s %q", got.Field, got.Message, tc.field, tc.msg)
			}
		})
	}
}

func TestCheckAgePolicyData(t *testing.T) {
	p := ShanghaiPolicy()
	p.NewMaxAge = 55
	if got := CheckAge(MatterNew, d("1970-01-01"), d("2026-03-01"), p); got == nil || !strings.Contains(got.Message, "不超过55周岁") {
		t.Errorf("policy NewMaxAge 55: %v", got)
	}
}
