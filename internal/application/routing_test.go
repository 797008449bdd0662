package application

import (
	"strings"
	"testing"

	"opcert/internal/authority"
	"opcert/internal/catalog"
)

func TestAcceptingAuthority(t *testing.T) {
	gen := []catalog.Qualification{q("Q2(限流动式起重机)")}
	r3 := []catalog.Qualification{q("R3")}
	for _, tc := range []struct {
		rule     string
		in       RoutingInput
		code     string
		fixed    bool
		reason   string
		problems map[string]string
	}{
		{"seed 000 3.2 注2: R3 → 杨浦区, fixed", RoutingInput{Items: r3, EmployerDistrict: "310104"}, authority.R3Code, true, ReasonR3, nil},
		{"R3 overrides a special case and a choice", RoutingInput{Items: r3, SpecialCase: IssuedHereLivesElsewhere, Chosen: "310104"}, "310110", true, ReasonR3, nil},
		{"R3 among other items still routes to 杨浦区 (the selection check refuses the mix)", RoutingInput{Items: []catalog.Qualification{q("R1"), q("R3")}, HouseholdDistrict: "310115"}, "310110", true, ReasonR3, nil},
		{"seed 000 3.2: employer's registered district", RoutingInput{Items: gen, EmployerDistrict: "310104"}, "310104", true, ReasonEmployer, nil},
		{"seed 001 第二部分 7: employer before household", RoutingInput{Items: gen, EmployerDistrict: "310116", HouseholdDistrict: "310104"}, "310116", true, ReasonEmployer, nil},
		{"seed 000 3.2: household when no employer in Shanghai", RoutingInput{Items: gen, HouseholdDistrict: "310115"}, "310115", true, ReasonHousehold, nil},
		{"an employer outside Shanghai is not a match", RoutingInput{Items: gen, EmployerDistrict: "320505", HouseholdDistrict: "310107"}, "310107", true, ReasonHousehold, nil},
		{"the city code is not a district", RoutingInput{Items: gen, EmployerDistrict: "310000", HouseholdDistrict: "310107"}, "310107", true, ReasonHousehold, nil},
		{"SOURCES §6: retired 卢湾区 310103 → 黄浦区", RoutingInput{Items: gen, HouseholdDistrict: "310103"}, "310101", true, ReasonHousehold, nil},
		{"SOURCES §6: retired 闸北区 310108 → 静安区", RoutingInput{Items: gen, EmployerDistrict: "310108"}, "310106", true, ReasonEmployer, nil},
		{"SOURCES §6: retired 崇明县 310230 → 崇明区", RoutingInput{Items: gen, HouseholdDistrict: "310230"}, "310151", true, ReasonHousehold, nil},
		{"nothing to match: ask for 单位 or 户籍地址", RoutingInput{Items: gen}, "", false, "", map[string]string{"authority": "请填写单位信息"}},
		{"special case ①: the applicant chooses", RoutingInput{Items: gen, SpecialCase: IssuedHereLivesElsewhere, Chosen: "310112"}, "310112", false, ReasonSpecial, nil},
		{"special case ① not yet chosen", RoutingInput{Items: gen, SpecialCase: IssuedHereLivesElsewhere}, "", false, ReasonSpecial, map[string]string{"authority": "请选择受理机构"}},
		{"special case ① contradicts a Shanghai employer", RoutingInput{Items: gen, SpecialCase: IssuedHereLivesElsewhere, EmployerDistrict: "310104", Chosen: "310112"}, "", false, "", map[string]string{"special_case": "不属于"}},
		{"special case ②: pre-filled with the matched district", RoutingInput{Items: gen, SpecialCase: IssuedElsewhereWorksHere, EmployerDistrict: "310117"}, "310117", false, ReasonSpecial, nil},
		{"special case ②: the applicant's choice wins", RoutingInput{Items: gen, SpecialCase: IssuedElsewhereWorksHere, HouseholdDistrict: "310117", Chosen: "310118"}, "310118", false, ReasonSpecial, nil},
		{"special case ② needs work or household in Shanghai", RoutingInput{Items: gen, SpecialCase: IssuedElsewhereWorksHere, Chosen: "310118"}, "", false, "", map[string]string{"special_case": "请填写在上海的单位信息"}},
		{"a chosen code outside Shanghai", RoutingInput{Items: gen, SpecialCase: IssuedHereLivesElsewhere, Chosen: "320505"}, "", false, "", map[string]string{"authority": "不是上海市"}},
		{"an invalid special case value", RoutingInput{Items: gen, SpecialCase: 9, EmployerDistrict: "310104"}, "", false, "", map[string]string{"special_case": "无效"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := AcceptingAuthority(tc.in)
			if r.Code != tc.code || r.Fixed != tc.fixed || r.Reason != tc.reason {
				t.Errorf("Routing = %q fixed=%v %q, want %q fixed=%v %q", r.Code, r.Fixed, r.Reason, tc.code, tc.fixed, tc.reason)
			}
			wantProblems(t, r.Problems, tc.problems)
			if r.Code != "" && !strings.HasSuffix(r.Name, "区市场监督管理局") {
				t.Errorf("Name = %q", r.Name)
			}
		})
	}
	if r := AcceptingAuthority(RoutingInput{Items: r3}); r.Name != "杨浦区市场监督管理局" {
		t.Errorf("R3 authority name %q", r.Name)
	}
}

func TestSpecialCaseLabels(t *testing.T) {
	// seed 000 3.2, the two options under * 受理机构 (full-width commas).
	want := map[SpecialCase]string{
		IssuedHereLivesElsewhere: "原证书由上海发证，申请人既不在上海工作，也非上海户籍/居住证",
		IssuedElsewhereWorksHere: "原证书非上海发证，申请人当前在上海工作或持有上海户籍/居住证",
		SpecialNone:              "",
	}
	for s, w := range want {
		if s.Label() != w {
			t.Errorf("%d.Label() = %q, want %q", s, s.Label(), w)
		}
		back, ok := ParseSpecialCase(s.String())
		if !ok || back != s {
			t.Errorf("ParseSpecialCase(%q) = %v, %v", s.String(), back, ok)
		}
	}
	if len(SpecialCases) != 2 || SpecialCases[0] != IssuedHereLivesElsewhere {
		t.Errorf("SpecialCases = %v", SpecialCases)
	}
	if _, ok := ParseSpecialCase("other"); ok {
		t.Error("ParseSpecialCase accepted junk")
	}
}
