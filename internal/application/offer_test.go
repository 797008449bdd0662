package application

import (
	"fmt"
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/registry"
)

func holdingWith(items ...registry.Item) registry.Holding {
	for i := range items {
		items[i].ID = int64(i + 1)
	}
	return registry.Holding{Holder: registry.Holder{Name: "张伟", IDNumber: "11010519491231002X"},
		Certificates: []registry.Certificate{{Number: "11010519491231002X", Items: items}}}
}

func issued(it registry.Item, by string) registry.Item { it.IssuedBy = by; return it }

// 补证 reprints what the holder has, at the 原发证机关 (the guide page: 证书遗失
// 或者损毁的，向原发证机关申请补发; SOURCES.md §3 补证).
func TestReissue(t *testing.T) {
	today := d("2026-11-23")
	h := holdingWith(
		issued(item(oldRef("G2"), "2027-01-31"), "浦东新区市场监督管理局"),
		issued(item(newRef("N1"), "2028-05-01"), "浦东新区市场监督管理局"),
		issued(item(newRef("R1"), "2028-05-01"), "徐汇区市场监督管理局"),
		issued(item(newRef("A"), "2028-05-01"), "苏州市市场监督管理局"),
		issued(item(oldRef("G6"), "2027-01-31"), "浦东新区市场监督管理局"), // cancelled: not reissued
		issued(item(newRef("T"), "2026-10-01"), "浦东新区市场监督管理局"),  // expired
	)
	o := NewOffer(MatterReissue, h, true, nil, nil, today, ShanghaiPolicy(), nil)
	var rows []string
	for _, r := range o.Reissue {
		rows = append(rows, fmt.Sprintf("%s:%s:%v", r.Key, r.Code, r.Selectable))
	}
	if got := strings.Join(rows, " "); got != "0-0:G2:true 0-1:N1:true 0-2:R1:true 0-3:A:false" {
		t.Fatalf("rows %s", got)
	}
	if !strings.Contains(o.Reissue[3].Reason, "原发证机关为苏州市市场监督管理局，请向原发证机关申请补发") {
		t.Errorf("out-of-town reason %q", o.Reissue[3].Reason)
	}
	pick := func(keys ...string) Picks {
		none := func(string) string { return "" }
		return Picks{Items: keys, Target: none, Exam: none, Extras: func(string) []string { return nil }}
	}
	items, ps := o.Choose(pick("0-0", "0-1"), today, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	// The old G2 stays G2: no silent choice of G1 or G2, no 换发 without 复审.
	if items[0].Target != "" || items[0].From != "2011:G2" || items[0].Key() != "2011:G2" || items[1].Target != "N1" {
		t.Fatalf("items %+v", items)
	}
	f := Form{Matter: MatterReissue, Items: items, Employer: Employer{District: "310104"}}
	if rt := f.Route(nil); rt.Code != "310115" || !rt.Fixed || rt.Reason != ReasonIssuer {
		t.Fatalf("routing %+v, want 浦东新区 as the 原发证机关", rt)
	}
	if _, ps := o.Choose(pick("0-1", "0-2"), today, nil); len(ps) != 1 || !strings.Contains(ps[0].Message, "所选项目的原发证机关不同（浦东新区市场监督管理局、徐汇区市场监督管理局）") {
		t.Fatalf("two issuers: %v", ps)
	}
	if _, ps := o.Choose(pick("0-3"), today, nil); len(ps) != 1 || !strings.Contains(ps[0].Message, "不可补发") {
		t.Fatalf("out of town: %v", ps)
	}
	// A city-level issuer: the usual matching, by the employer.
	city := Form{Matter: MatterReissue, Items: []FormItem{{From: "2019:N1", Target: "N1", IssuedBy: "上海市质量技术监督局"}}, Employer: Employer{District: "310104"}}
	if rt := city.Route(nil); rt.Code != "310104" || rt.Reason != ReasonEmployer {
		t.Fatalf("city-level issuer: %+v", rt)
	}
}

// Welding 新办 is the application with a theory exam, 增项 the one without,
// and 增项 adds to a certificate already held (seed 001 第二部分 5: 参加理论考试
// 的为"新办"，不参加理论考试的为"增项"; 增项为已持证人员增加作业项目).
func TestWeldingMatterTiesTheResult(t *testing.T) {
	today := d("2026-11-23")
	weld := q("金属焊接操作")
	withTheory := ExamResult{ID: 1, Item: weld, WeldCode: "SMAW-FeⅡ-6G(K)-9/57-Fef3J", Passed: true, ExamDate: d("2026-11-01"), Theory: 80, Practical: 85}
	practicalOnly := ExamResult{ID: 2, Item: weld, WeldCode: "GTAW-FeⅣ-6G-3/57-FefS-02/10/12", Passed: true, ExamDate: d("2026-11-01"), Practical: 90}
	results := []ExamResult{withTheory, practicalOnly}
	welder := holdingWith(registry.Item{Ref: catalog.NewRef(weld), WeldCode: "SMAW-FeⅡ-6G(K)-9/57-Fef3J", ValidUntil: d("2028-01-01"), Status: registry.ItemValid})
	nobody := registry.Holding{}
	forklift := holdingWith(item(newRef("N1"), "2028-01-01"))
	for _, tc := range []struct {
		rule   string
		m      Matter
		req    []ItemRequest
		held   registry.Holding
		refuse string
	}{
		{"新办 with the theory result", MatterNew, []ItemRequest{{Item: weld, ExamResultID: 1}}, nobody, ""},
		{"新办 citing a result without theory", MatterNew, []ItemRequest{{Item: weld, ExamResultID: 2}}, nobody, "所选的考试成绩未参加理论考试，应申请“增项”"},
		{"增项 with the practical-only result, welding held", MatterAdd, []ItemRequest{{Item: weld, ExamResultID: 2}}, welder, ""},
		{"增项 citing a result with theory", MatterAdd, []ItemRequest{{Item: weld, ExamResultID: 1}}, welder, "所选的考试成绩参加了理论考试，应申请“新办”"},
		{"welding 增项 without a welding item held", MatterAdd, []ItemRequest{{Item: weld, ExamResultID: 2}}, forklift, "焊接作业增项须已持有有效的焊接作业项目"},
		{"general 增项 without any certificate", MatterAdd, []ItemRequest{{Item: q("N1")}}, nobody, "增项为已持证人员增加作业项目"},
		{"general 增项 with a certificate held", MatterAdd, []ItemRequest{{Item: q("N2")}}, forklift, ""},
	} {
		ps := CheckItemSelection(tc.m, tc.req, &tc.held, results, today, nil)
		got := joinProblems(ps)
		if (tc.refuse == "") != (got == "") || !strings.Contains(got, tc.refuse) {
			t.Errorf("%s: %q, want %q", tc.rule, got, tc.refuse)
		}
	}
	if !ResultFitsMatter(withTheory, MatterNew) || ResultFitsMatter(withTheory, MatterAdd) || !ResultFitsMatter(practicalOnly, MatterAdd) || !ResultFitsMatter(withTheory, MatterRenew) {
		t.Error("ResultFitsMatter")
	}
}

// 手工录入 (seed 000 复审项目选择 第2点): the certificate is entered whole and only
// the lines ticked 选择复审 are renewed; R3 alone among those; a welding line
// needs a passed exam result first (seed 000 关于复审 第3点).
func TestManualItems(t *testing.T) {
	today := d("2026-11-23")
	own := "11010519491231002X"
	line := func(ref, weld string, renew bool, exam int64) ManualItem {
		return ManualItem{Ref: ref, WeldCode: weld, ValidFrom: "2022-12-01", ValidUntil: "2026-11-30", Renew: renew, ExamResultID: exam}
	}
	cert := func(items ...ManualItem) Manual {
		return Manual{Name: "张伟", CertNumber: own, IDType: "居民身份证", IDNumber: own, IssuedBy: "苏州市市场监督管理局", IssuedOn: "2022-12-01", Items: items}
	}
	weldCode := "SMAW-FeⅡ-6G(K)-9/57-Fef3J"
	results := []ExamResult{{ID: 5, Item: q("金属焊接操作"), WeldCode: weldCode, Passed: true, ExamDate: d("2026-11-01"), Practical: 85}}
	for _, tc := range []struct {
		rule  string
		m     Manual
		items string // targets renewed
		want  string // a problem, "" for none
	}{
		{"the seed's example: R3 and T1 entered, T1 alone renewed", cert(line("2011:R3", "", false, 0), line("2011:T1", "", true, 0)), "T", ""},
		{"both ticked: R3 alone (复审项目选择 第3点)", cert(line("2011:R3", "", true, 0), line("2011:T1", "", true, 0)), "", R3Alone},
		{"nothing ticked", cert(line("2011:T1", "", false, 0)), "", "请在“选择复审”一栏勾选需要复审的项目"},
		{"a welding line without a passed exam", cert(line("2019:金属焊接操作", weldCode, true, 0)), "", "须先考试合格"},
		{"a welding line citing its passed exam", cert(line("2019:金属焊接操作", weldCode, true, 5)), "金属焊接操作", ""},
		{"a welding line needs its project code", cert(line("2019:金属焊接操作", "", true, 5)), "", "请填写焊接项目代号"},
		{"someone else's certificate", Manual{Name: "李四", CertNumber: "x", IDType: "居民身份证", IDNumber: "110105194912310038", Items: []ManualItem{line("2011:T1", "", true, 0)}}, "", "只能录入本人的证书"},
	} {
		items, ps := ManualItems(tc.m, own, map[int]string{}, results, today, ShanghaiPolicy(), nil)
		var got []string
		for _, it := range items {
			got = append(got, it.Target)
		}
		if msg := joinProblems(ps); (tc.want == "") != (msg == "") || !strings.Contains(msg, tc.want) || strings.Join(got, ",") != tc.items {
			t.Errorf("%s: items %v, problems %q; want %q, %q", tc.rule, got, msg, tc.items, tc.want)
		}
	}
}

// The old S2 客运索道维修 may also get S2 客运索道司机 only for the 限电气维修
// variant (SOURCES.md §2, S4); Y4's extra is for every holder.
func TestOptionalExtraOnlyForItsScope(t *testing.T) {
	today := d("2026-11-23")
	s2 := item(oldRef("S2"), "2027-01-31")
	electrical := s2
	electrical.Scope = "限电气维修"
	y4 := item(oldRef("Y4"), "2027-01-31")
	for _, tc := range []struct {
		it    registry.Item
		extra string
	}{
		{s2, "[]"},
		{electrical, "[S2]"},
		{y4, "[Y1]"},
	} {
		l := RenewalOptions(holdingWith(tc.it), nil, today, ShanghaiPolicy())
		var extras []string
		for _, q := range l.Options[0].Mapping.OptionalExtra {
			extras = append(extras, q.String())
		}
		if got := "[" + strings.Join(extras, " ") + "]"; got != tc.extra {
			t.Errorf("%s %q: extras %s, want %s", tc.it.Ref, tc.it.Scope, got, tc.extra)
		}
	}
	// Asking for the extra without the scope is refused.
	l := RenewalOptions(holdingWith(s2), nil, today, ShanghaiPolicy())
	ps := CheckRenewalSelection([]Selection{{OptionIndex: 0, Chosen: []catalog.Qualification{q("S1"), q("S2")}}}, l, nil, nil)
	if len(ps) == 0 {
		t.Fatal("the S2 extra was granted to an old S2 without 限电气维修")
	}
}
