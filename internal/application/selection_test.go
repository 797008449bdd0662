package application

import (
	"slices"
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/registry"
)

// Indexes into testHolding's options.
const (
	optQ8, optQ4, optR1Future, optWeld, optSuperseded, optR3, optG2, optS2, optQ2Future, optOutOfTown = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
)

func TestCheckRenewalSelection(t *testing.T) {
	l := RenewalOptions(testHolding(), nil, d("2026-03-01"), ShanghaiPolicy())
	weldCode := "SMAW-FeⅡ-6G(K)-9/57-Fef3J"
	results := []ExamResult{
		{ID: 1, Item: q("金属焊接操作"), WeldCode: weldCode, Passed: true, ExamDate: d("2026-02-10"), Theory: 80, Practical: 85},
		{ID: 2, Item: q("金属焊接操作"), WeldCode: weldCode, Passed: false, ExamDate: d("2026-01-10"), Theory: 50, Practical: 85},
		{ID: 3, Item: q("非金属焊接操作"), WeldCode: "", Passed: true, ExamDate: d("2026-02-10")},
		{ID: 4, Item: q("金属焊接操作"), WeldCode: "GTAW-FeⅣ-6G-3/57-FefS-02/11/12", Passed: true, ExamDate: d("2026-02-10")},
		{ID: 5, Item: q("金属焊接操作"), WeldCode: "", Passed: true, ExamDate: d("2026-02-10")},
	}
	idx := func(i int) Selection { return Selection{OptionIndex: i} }
	with := func(i int, chosen ...string) Selection {
		s := Selection{OptionIndex: i}
		for _, c := range chosen {
			s.Chosen = append(s.Chosen, q(c))
		}
		return s
	}
	exam := func(id int64) Selection { return Selection{OptionIndex: optWeld, ExamResultID: id} }
	for _, tc := range []struct {
		rule string
		sel  []Selection
		want map[string]string
	}{
		{"at least one item", nil, map[string]string{"items": "请至少选择一个"}},
		{"seed 000 3.2 注1: Q8 renews into Q2(限流动式起重机), fixed", []Selection{idx(optQ8)}, nil},
		{"fixed target may be stated explicitly", []Selection{with(optQ8, "Q2(限流动式起重机)")}, nil},
		{"a direct rule cannot be changed", []Selection{with(optQ8, "Q2(限塔式起重机)")}, map[string]string{"items[0].chosen": "换发为Q2起重机司机(限流动式起重机)"}},
		{"SOURCES §2a: Q4 needs a choice", []Selection{idx(optQ4)}, map[string]string{"items[0].chosen": "请为桥门式起重机司机[Q4]选择复审后的项目：Q2(限桥式起重机)起重机司机(限桥式起重机)或Q2(限门式起重机)"}},
		{"Q4 → 限门式", []Selection{with(optQ4, "Q2(限门式起重机)")}, nil},
		{"Q4 → 限塔式 is not offered", []Selection{with(optQ4, "Q2(限塔式起重机)")}, map[string]string{"items[0].chosen": "须在以下项目中选择一项"}},
		{"Q4 → both is not one choice", []Selection{with(optQ4, "Q2(限门式起重机)", "Q2(限桥式起重机)")}, map[string]string{"items[0].chosen": "须在以下项目中选择一项"}},
		{"SOURCES §2a S4: G2 → G1 或 G2", []Selection{with(optG2, "G2")}, nil},
		{"G2 → G3 is not offered", []Selection{with(optG2, "G3")}, map[string]string{"items[0].chosen": "G1工业锅炉司炉、G2电站锅炉司炉"}},
		{"S4: S2 限电气维修 may also take S2", []Selection{with(optS2, "S1", "S2")}, nil},
		{"S2 extra without the fixed target", []Selection{with(optS2, "S2")}, map[string]string{"items[0].chosen": "须换发为S1"}},
		{"a new item renews as itself", []Selection{with(optOutOfTown, "R1")}, nil},
		{"new item cannot change", []Selection{{OptionIndex: optOutOfTown, Ref: oldRef("R1"), CertificateNumber: "T-OLD-0001", Chosen: []catalog.Qualification{q("R2")}}}, map[string]string{"items[0].chosen": "换发为R1"}},
		{"seed 000 复审项目选择 第1点: grey rows cannot be chosen", []Selection{idx(optR1Future)}, map[string]string{"items[0]": "快开门式压力容器操作[R1]不可选择：有效期至2029年07月01日，2029年04月01日起可申请复审"}},
		{"已换发 cannot be chosen", []Selection{idx(optSuperseded)}, map[string]string{"items[0]": "已复审换发"}},
		{"each row once", []Selection{idx(optQ8), idx(optQ8)}, map[string]string{"items[1]": "与第1项重复选择"}},
		{"index out of range", []Selection{idx(42)}, map[string]string{"items[0]": "不在可复审的项目列表中"}},
		{"seed 000 关于复审 第4点: a cancelled item named by identity gets its reason", []Selection{{Ref: oldRef("G6"), CertificateNumber: "11010519491231002X"}}, map[string]string{"items[0]": "已取消，不再复审或补发"}},
		{"identity survives a rebuilt list", []Selection{{OptionIndex: 0, Ref: oldRef("R1"), CertificateNumber: "T-OLD-0001"}}, nil},
		{"identity includes the certificate", []Selection{{Ref: oldRef("R1"), CertificateNumber: "OTHER"}}, map[string]string{"items[0]": "不在可复审的项目列表中"}},
		{"seed 000 复审项目选择 第3点: R3 alone is fine", []Selection{idx(optR3)}, nil},
		{"seed 000 复审项目选择 第3点: R3 cannot be combined", []Selection{idx(optR3), idx(optQ8)}, map[string]string{"items": R3Alone}},
		{"R3 with a grey row is still a combination", []Selection{idx(optR3), idx(optR1Future)}, map[string]string{"items": R3Alone, "items[1]": "不可选择"}},
		{"seed 000 关于复审 第3点: welding needs a passed exam", []Selection{idx(optWeld)}, map[string]string{"items[0].exam": "须先考试合格"}},
		{"welding with its passed result", []Selection{exam(1)}, nil},
		{"welding with a failed result", []Selection{exam(2)}, map[string]string{"items[0].exam": "不合格"}},
		{"welding with another item's result", []Selection{exam(3)}, map[string]string{"items[0].exam": "是非金属焊接操作的成绩"}},
		{"welding with another project code (TSG Z6002-2010 第24条)", []Selection{exam(4)}, map[string]string{"items[0].exam": "与金属焊接操作[SMAW-FeⅡ-6G(K)-9/57-Fef3J]的项目代号" + weldCode + "不一致"}},
		{"a result without project code is accepted for the item", []Selection{exam(5)}, nil},
		{"a result that does not exist", []Selection{exam(99)}, map[string]string{"items[0].exam": "不存在"}},
		{"several problems at once, each at its field", []Selection{idx(optQ4), exam(2), idx(optR1Future)}, map[string]string{
			"items[0].chosen": "请为", "items[1].exam": "不合格", "items[2]": "不可选择"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			wantProblems(t, CheckRenewalSelection(tc.sel, l, results, nil), tc.want)
		})
	}
}

func TestCheckRenewalSelectionExamUsedOnce(t *testing.T) {
	h := testHolding()
	// A second welding line with the same project code on another
	// certificate: one passed exam cannot renew both.
	second := h.Certificates[0].Items[5]
	second.ValidUntil = d("2026-04-29")
	h.Certificates = append(h.Certificates, registry.Certificate{Number: "W2", Items: []registry.Item{second}})
	l := RenewalOptions(h, nil, d("2026-03-01"), ShanghaiPolicy())
	last := len(l.Options) - 1
	results := []ExamResult{{ID: 1, Item: q("金属焊接操作"), Passed: true}}
	got := CheckRenewalSelection([]Selection{{OptionIndex: optWeld, ExamResultID: 1}, {OptionIndex: last, ExamResultID: 1}}, l, results, nil)
	wantProblems(t, got, map[string]string{"items[1].exam": "同一考试成绩不能同时用于第1项和第2项"})
}

func TestRenewalTargets(t *testing.T) {
	l := RenewalOptions(testHolding(), nil, d("2026-03-01"), ShanghaiPolicy())
	sel := []Selection{
		{OptionIndex: optQ8},
		{OptionIndex: optQ4, Chosen: []catalog.Qualification{q("Q2(限桥式起重机)")}},
		{OptionIndex: optG2}, // no choice made: left out
		{OptionIndex: optR1Future},
		{OptionIndex: optS2, Chosen: []catalog.Qualification{q("S1"), q("S2")}},
		{OptionIndex: optOutOfTown},
		{OptionIndex: optQ8}, // twice: once in the result
	}
	var got []string
	for _, x := range RenewalTargets(sel, l) {
		got = append(got, x.String())
	}
	want := []string{"Q2(限流动式起重机)", "Q2(限桥式起重机)", "S1", "S2", "R1"}
	if !slices.Equal(got, want) {
		t.Errorf("RenewalTargets = %v, want %v", got, want)
	}
}

func TestCheckItemSelection(t *testing.T) {
	today := d("2026-03-01")
	held := registry.Holding{Certificates: []registry.Certificate{{Number: "X", Items: []registry.Item{
		item(newRef("N1"), "2028-01-01"),
		item(newRef("G1"), "2025-12-31"), // expired: may be applied for again
		item(newRef("金属焊接操作"), "2028-01-01"),
	}}}}
	results := []ExamResult{
		{ID: 7, Item: q("金属焊接操作"), WeldCode: "SMAW-FeⅡ-1G-12-Fef3J", Passed: true},
		{ID: 8, Item: q("金属焊接操作"), Passed: false},
	}
	r := func(s string, exam int64) ItemRequest { return ItemRequest{Item: q(s), ExamResultID: exam} }
	for _, tc := range []struct {
		rule string
		m    Matter
		req  []ItemRequest
		want map[string]string
	}{
		{"at least one item", MatterNew, nil, map[string]string{"items": "请至少选择一个"}},
		{"a general 新办", MatterNew, []ItemRequest{r("Q2(限桥式起重机)", 0), r("Q1", 0)}, nil},
		{"SOURCES §1a: Q2 needs its limit", MatterNew, []ItemRequest{{Item: catalog.Qualification{Code: "Q2"}}}, map[string]string{"items[0]": "须注明范围"}},
		{"an old code is not a 2019 item", MatterNew, []ItemRequest{{Item: catalog.Qualification{Code: "Q8"}}}, map[string]string{"items[0]": "原项目代号"}},
		{"each item once", MatterAdd, []ItemRequest{r("Q1", 0), r("Q1", 0)}, map[string]string{"items[1]": "与第1项重复"}},
		{"seed 000 3.2 注2: R3 alone", MatterNew, []ItemRequest{r("R3", 0)}, nil},
		{"seed 000 3.2 注2: R3 not with others", MatterNew, []ItemRequest{r("R3", 0), r("R1", 0)}, map[string]string{"items": R3AloneNew}},
		{"DESIGN / seed 001: welding needs a passed exam", MatterNew, []ItemRequest{r("金属焊接操作", 0)}, map[string]string{"items[0].exam": "须先考试合格"}},
		{"welding with a failed exam", MatterAdd, []ItemRequest{r("金属焊接操作", 8)}, map[string]string{"items[0].exam": "不合格"}},
		{"welding with a passed exam, even while holding the item (new project code)", MatterAdd, []ItemRequest{r("金属焊接操作", 7)}, nil},
		{"an item held in force is a 复审 matter", MatterAdd, []ItemRequest{r("N1", 0)}, map[string]string{"items[0]": "您已持有有效的N1叉车司机（有效期至2028年01月01日）"}},
		{"an expired item may be applied for again", MatterNew, []ItemRequest{r("G1", 0)}, nil},
		{"复审 does not use this check", MatterRenew, []ItemRequest{r("G1", 0)}, map[string]string{"items": "复审不按作业项目选择办理"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			wantProblems(t, CheckItemSelection(tc.m, tc.req, &held, results, today, nil), tc.want)
		})
	}
}

func TestExamResultLabel(t *testing.T) {
	r := ExamResult{Item: q("金属焊接操作"), WeldCode: "SMAW-FeⅡ-1G-12-Fef3J", ExamDate: d("2026-03-02"), Passed: true}
	if got := r.Label(); got != "金属焊接操作 SMAW-FeⅡ-1G-12-Fef3J 2026年03月02日 合格" {
		t.Errorf("Label = %q", got)
	}
	r.Passed = false
	if !strings.HasSuffix(r.Label(), "不合格") {
		t.Errorf("Label = %q", r.Label())
	}
}

func TestFormItemBridge(t *testing.T) {
	h := testHolding()
	for i := range h.Certificates[0].Items {
		h.Certificates[0].Items[i].ID = int64(100 + i)
	}
	l := RenewalOptions(h, nil, d("2026-03-01"), ShanghaiPolicy())
	// A stored line for the Q4 row (registry id 101) choosing 限门式.
	s, err := FormItem{RegistryItemID: 101, From: "2011:Q4", Target: "Q2(限门式起重机)"}.RenewalSelection(nil)
	if err != nil {
		t.Fatal(err)
	}
	if ps := CheckRenewalSelection([]Selection{s}, l, nil, nil); len(ps) != 0 {
		t.Errorf("problems %s", joinProblems(ps))
	}
	// A hand-typed line (no registry id) found by its ref; S2 with its extra.
	s, err = FormItem{From: "2011:S2", Target: "S1", Extras: []string{"S2"}}.RenewalSelection(nil)
	if err != nil || len(s.Chosen) != 2 {
		t.Fatalf("selection %+v, %v", s, err)
	}
	if got := RenewalTargets([]Selection{s}, l); len(got) != 2 || got[1] != q("S2") {
		t.Errorf("targets %v", got)
	}
	// The cancelled G6 line (registry id 102) explains itself.
	s, _ = FormItem{RegistryItemID: 102, From: "2011:G6"}.RenewalSelection(nil)
	wantProblems(t, CheckRenewalSelection([]Selection{s}, l, nil, nil), map[string]string{"items[0]": "已取消"})
	for _, bad := range []FormItem{{}, {From: "Q8"}, {From: "2011:Q4", Target: "Q2"}} {
		if _, err := bad.RenewalSelection(nil); err == nil {
			t.Errorf("RenewalSelection(%+v) accepted", bad)
		}
	}
	r, err := FormItem{Target: "金属焊接操作", ExamResultID: 7}.ItemRequest(nil)
	if err != nil || r.Item != q("金属焊接操作") || r.ExamResultID != 7 {
		t.Errorf("ItemRequest = %+v, %v", r, err)
	}
	if _, err := (FormItem{Target: "Q8"}).ItemRequest(nil); err == nil {
		t.Error("ItemRequest accepted an old code")
	}
}
