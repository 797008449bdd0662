package application

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

func TestRenewalWindow(t *testing.T) {
	p := ShanghaiPolicy()
	reopen := ShanghaiPolicy()
	reopen.ReopenExpiredSince = EpidemicReopenSince
	tsg := ShanghaiPolicy()
	tsg.RenewalLeadMonths = 1
	superseded := item(oldRef("Q8"), "2020-05-20")
	superseded.Status = registry.ItemSuperseded
	revoked := item(oldRef("Q8"), "2020-05-20")
	revoked.Status = registry.ItemRevoked
	strange := item(oldRef("Q8"), "2020-05-20")
	strange.Status = "lost"
	noDate := item(oldRef("Q8"), "2020-05-20")
	noDate.ValidUntil = civil.Date{}

	for _, tc := range []struct {
		rule          string
		it            registry.Item
		today         string
		p             Policy
		open          bool
		reopened      bool
		opens, closes string
		reason        string // exact when set
		contains      string
	}{
		{"seed 000 关于复审 第2点: 2020年5月20日到期 → 2020年2月20日可填报", item(oldRef("Q8"), "2020-05-20"), "2020-02-20", p, true, false, "2020-02-20", "2020-05-20", "", ""},
		{"the day before the window opens", item(oldRef("Q8"), "2020-05-20"), "2020-02-19", p, false, false, "2020-02-20", "2020-05-20", "有效期至2020年05月20日，2020年02月20日起可申请复审", ""},
		{"brief example of a grey row", item(newRef("R1"), "2029-07-01"), "2026-03-01", p, false, false, "2029-04-01", "2029-07-01", "有效期至2029年07月01日，2029年04月01日起可申请复审", ""},
		{"有效期至 itself is still in time (the item is valid that day)", item(oldRef("Q8"), "2020-05-20"), "2020-05-20", p, true, false, "2020-02-20", "2020-05-20", "", ""},
		{"expired, no reopening (TSG Z6001-2019: lapsed)", item(oldRef("Q8"), "2020-05-20"), "2020-05-21", p, false, false, "2020-02-20", "2020-05-20", "有效期至2020年05月20日，已超过有效期，不能申请复审；如需继续从事该项作业，须重新申请取证", ""},
		{"seed 000 复审项目选择 第1点: expired since 2020-01-01 still renewable (疫情期间)", item(oldRef("Q8"), "2020-01-01"), "2020-06-30", reopen, true, true, "2019-10-01", "", "", "2020年01月01日起过期"},
		{"seed 000 复审项目选择 第1点: expired before 2020-01-01 stays closed", item(oldRef("Q8"), "2019-12-31"), "2020-06-30", reopen, false, false, "2019-09-30", "2019-12-31", "", "早于2020年01月01日"},
		{"reopening does not open a window early", item(oldRef("Q8"), "2021-12-31"), "2021-06-30", reopen, false, false, "2021-09-30", "2021-12-31", "有效期至2021年12月31日，2021年09月30日起可申请复审", ""},
		{"reopening: an item not yet expired is an ordinary open window", item(oldRef("Q8"), "2020-05-20"), "2020-03-01", reopen, true, false, "2020-02-20", "2020-05-20", "", ""},
		{"AddMonths clamps at month end: 05-31 → 02-29 (leap year)", item(oldRef("Q8"), "2024-05-31"), "2024-02-29", p, true, false, "2024-02-29", "2024-05-31", "", ""},
		{"AddMonths clamps at month end: 05-31 → 02-28", item(oldRef("Q8"), "2026-05-31"), "2026-02-27", p, false, false, "2026-02-28", "2026-05-31", "", "2026年02月28日起"},
		{"policy data: TSG Z6001-2019's one month", item(oldRef("Q8"), "2026-05-20"), "2026-04-19", tsg, false, false, "2026-04-20", "2026-05-20", "", "2026年04月20日起"},
		{"status 已换发 first, whatever the dates", superseded, "2020-03-01", p, false, false, "", "", "该项目已复审换发，请在新的项目上办理", ""},
		{"status 已注销", revoked, "2020-03-01", p, false, false, "", "", "该项目已注销，不能申请复审", ""},
		{"unknown status is not renewable online", strange, "2020-03-01", p, false, false, "", "", "", "状态不明"},
		{"missing 有效期至", noDate, "2020-03-01", p, false, false, "", "", "", "缺少有效期"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			w := RenewalWindow(tc.it, d(tc.today), tc.p)
			if w.Open != tc.open || w.Reopened != tc.reopened {
				t.Errorf("Open, Reopened = %v, %v; want %v, %v (reason %q)", w.Open, w.Reopened, tc.open, tc.reopened, w.Reason)
			}
			if w.Opens.String() != tc.opens || w.Closes.String() != tc.closes {
				t.Errorf("window %s – %s, want %s – %s", w.Opens, w.Closes, tc.opens, tc.closes)
			}
			if tc.reason != "" && w.Reason != tc.reason {
				t.Errorf("Reason = %q, want %q", w.Reason, tc.reason)
			}
			if tc.contains != "" && !strings.Contains(w.Reason, tc.contains) {
				t.Errorf("Reason = %q, want it to contain %q", w.Reason, tc.contains)
			}
			if tc.open && !tc.reopened && w.Reason != "" {
				t.Errorf("an ordinary open window has Reason %q", w.Reason)
			}
			if !tc.open && w.Reason == "" {
				t.Error("a closed window must say why (seed 000: 灰色字表示不符合办理时限要求)")
			}
		})
	}
}

// holding builds the test holder: a mix of old and new items on two
// certificates, on 2026-03-01.
func testHolding() registry.Holding {
	weld := item(oldRef("金属焊接操作"), "2026-04-30")
	weld.WeldCode = "SMAW-FeⅡ-6G(K)-9/57-Fef3J"
	sup := item(newRef("Q2(限流动式起重机)"), "2026-04-30")
	sup.Status = registry.ItemSuperseded
	outOfTown := item(oldRef("R1"), "2026-05-10")
	outOfTown.IssuedBy = "苏州市市场监督管理局"
	return registry.Holding{
		Holder: registry.Holder{Name: "张三", IDType: registry.IDResident, IDNumber: "11010519491231002X"},
		Certificates: []registry.Certificate{
			{Number: "11010519491231002X", Items: []registry.Item{
				item(oldRef("Q8"), "2026-04-30"), // 0 open, direct → Q2(限流动式起重机)
				item(oldRef("Q4"), "2026-05-31"), // 1 open, choice 限桥式/限门式
				item(oldRef("G6"), "2026-04-30"), // cancelled → NotOffered
				item(oldRef("N1"), "2026-04-30"), // unknown → NotOffered
				item(newRef("R1"), "2029-07-01"), // 2 not yet
				weld,                             // 3 open, welding
				sup,                              // 4 已换发
				item(oldRef("R3"), "2026-04-30"), // 5 open, R3
				item(oldRef("ZZ"), "2026-04-30"), // not in catalogue → NotOffered
				item(oldRef("G2"), "2026-04-30"), // 6 choice G1/G2
				scopedItem(item(oldRef("S2"), "2026-04-30"), "限电气维修"), // 7 direct + optional extra (限电气维修, S4)
				item(newRef("Q2(限流动式起重机)"), "2030-04-30"),             // 8 renewed line, not yet
			}},
			{Number: "T-OLD-0001", Items: []registry.Item{outOfTown}}, // 9 open
		},
	}
}

func TestRenewalOptions(t *testing.T) {
	l := RenewalOptions(testHolding(), catalog.Default(), d("2026-03-01"), ShanghaiPolicy())
	type row struct {
		display, category, cert, issuedBy string
		selectable, old, welding          bool
		targets                           []string
		reasonHas                         string
	}
	want := []row{
		{"流动式起重机司机[Q8]", "起重机械作业", "11010519491231002X", "徐汇区市场监督管理局", true, true, false, []string{"Q2(限流动式起重机)"}, ""},
		{"桥门式起重机司机[Q4]", "起重机械作业", "11010519491231002X", "徐汇区市场监督管理局", true, true, false, []string{"Q2(限桥式起重机)", "Q2(限门式起重机)"}, ""},
		{"快开门式压力容器操作[R1]", "压力容器作业", "11010519491231002X", "徐汇区市场监督管理局", false, false, false, []string{"R1"}, "2029年04月01日起可申请复审"},
		{"金属焊接操作[SMAW-FeⅡ-6G(K)-9/57-Fef3J]", "特种设备焊接作业", "11010519491231002X", "徐汇区市场监督管理局", true, true, true, []string{"金属焊接操作"}, ""},
		{"起重机司机(限流动式起重机)[Q2]", "起重机作业", "11010519491231002X", "徐汇区市场监督管理局", false, false, false, []string{"Q2(限流动式起重机)"}, "已复审换发"},
		{"氧舱维护保养[R3]", "压力容器作业", "11010519491231002X", "徐汇区市场监督管理局", true, true, false, []string{"R3"}, ""},
		{"二级锅炉司炉[G2]", "锅炉作业", "11010519491231002X", "徐汇区市场监督管理局", true, true, false, []string{"G1", "G2"}, ""},
		{"客运索道维修[S2]", "客运索道作业", "11010519491231002X", "徐汇区市场监督管理局", true, true, false, []string{"S1"}, ""},
		{"起重机司机(限流动式起重机)[Q2]", "起重机作业", "11010519491231002X", "徐汇区市场监督管理局", false, false, false, []string{"Q2(限流动式起重机)"}, "2030年01月30日起可申请复审"},
		{"固定式压力容器操作[R1]", "压力容器作业", "T-OLD-0001", "苏州市市场监督管理局", true, true, false, []string{"R1"}, ""},
	}
	if len(l.Options) != len(want) {
		for _, o := range l.Options {
			t.Logf("option %s", o.Display)
		}
		t.Fatalf("%d options, want %d", len(l.Options), len(want))
	}
	for i, w := range want {
		o := l.Options[i]
		if o.Display != w.display || o.Category != w.category || o.CertificateNumber != w.cert || o.IssuedBy != w.issuedBy {
			t.Errorf("option %d = %q %q %q %q, want %q %q %q %q", i, o.Display, o.Category, o.CertificateNumber, o.IssuedBy, w.display, w.category, w.cert, w.issuedBy)
		}
		if o.Selectable != w.selectable || o.Old != w.old || o.Welding != w.welding {
			t.Errorf("%s: selectable/old/welding = %v/%v/%v, want %v/%v/%v", w.display, o.Selectable, o.Old, o.Welding, w.selectable, w.old, w.welding)
		}
		var got []string
		for _, q := range o.Targets() {
			got = append(got, q.String())
		}
		if strings.Join(got, ",") != strings.Join(w.targets, ",") {
			t.Errorf("%s: targets %v, want %v", w.display, got, w.targets)
		}
		if w.reasonHas == "" && o.Reason != "" || !strings.Contains(o.Reason, w.reasonHas) {
			t.Errorf("%s: Reason %q, want %q", w.display, o.Reason, w.reasonHas)
		}
		if o.Old && o.MappingNote() == "" || !o.Old && o.MappingNote() != "" {
			t.Errorf("%s: MappingNote %q", w.display, o.MappingNote())
		}
	}
	// seed 000 3.2 注1: 流动式起重机司机[Q8]复审后的项目应该为流动式起重机司机[Q2].
	if n := l.Options[0].MappingNote(); !strings.Contains(n, "Q2起重机司机(限流动式起重机)") {
		t.Errorf("Q8 mapping note %q", n)
	}
	if !l.Options[5].IsR3() || l.Options[0].IsR3() {
		t.Error("IsR3 must follow the 换发 target (old R3 → R3)")
	}

	// seed 000 关于复审 第4点: 已取消的项目不再进行复审或者补发，复审查询时不显示.
	if len(l.NotOffered) != 3 {
		t.Fatalf("NotOffered = %+v, want G6, N1 and the unknown item", l.NotOffered)
	}
	for i, w := range []struct{ code, has string }{
		{"G6", "原项目G6锅炉能效作业已取消，不再复审或补发"},
		{"N1", "换发规则尚待确认"},
		{"2011:ZZ", "不在作业项目目录中"},
	} {
		n := l.NotOffered[i]
		if n.Code != w.code || !strings.Contains(n.Reason, w.has) {
			t.Errorf("NotOffered[%d] = %s %q, want %s %q", i, n.Code, n.Reason, w.code, w.has)
		}
	}
	if l.NothingToRenew() {
		t.Error("NothingToRenew with selectable rows")
	}
	if got := len(l.Selectable()); got != 7 {
		t.Errorf("Selectable() has %d rows, want 7", got)
	}
}

func TestRenewalOptionsNilCatalogAndEmpty(t *testing.T) {
	l := RenewalOptions(registry.Holding{}, nil, d("2026-03-01"), ShanghaiPolicy())
	if len(l.Options) != 0 || len(l.NotOffered) != 0 || !l.NothingToRenew() {
		t.Errorf("empty holding gave %+v", l)
	}
}

func TestNothingFoundChecklist(t *testing.T) {
	p := ShanghaiPolicy()
	today := d("2026-03-01")
	future := registry.Holding{
		Holder:       registry.Holder{Name: "李四", IDNumber: "11010519491231002X"},
		Certificates: []registry.Certificate{{Number: "11010519491231002X", Items: []registry.Item{item(newRef("R1"), "2029-07-01"), item(newRef("N1"), "2028-01-15")}}},
	}
	wrongNumber := future
	wrongNumber.Certificates = []registry.Certificate{{Number: "310101198001010011", Items: future.Certificates[0].Items}}
	renewed := future
	old := item(oldRef("Q8"), "2026-01-10")
	old.Status = registry.ItemSuperseded
	renewed.Certificates = []registry.Certificate{{Number: "11010519491231002X", Items: []registry.Item{old, item(newRef("Q2(限流动式起重机)"), "2030-01-10")}}}
	expired := future
	expired.Certificates = []registry.Certificate{{Number: "11010519491231002X", Items: []registry.Item{item(newRef("R1"), "2025-07-01")}}}
	open := testHolding()

	for _, tc := range []struct {
		rule    string
		h       *registry.Holding
		found   bool
		applies string // codes expected to apply
		has     map[string]string
	}{
		{"seed 000 关于复审 5 a: nothing under this 证件号码", nil, false, "a", map[string]string{"a": "未查询到任何特种设备作业人员证书"}},
		{"a: a holder without certificates", &registry.Holding{Holder: future.Holder}, true, "a", map[string]string{"a": "手工录入"}},
		{"c: items exist, none in the window: earliest date", &future, true, "c", map[string]string{"c": "最早可于2027年10月15日起申请复审：叉车司机[N1]，有效期至2028年01月15日"}},
		{"b + c: certificate number differs from the 证件号码", &wrongNumber, true, "bc", map[string]string{"b": "证书编号310101198001010011与您的证件号码不一致"}},
		{"c + d: already renewed, the new item not yet due", &renewed, true, "cd", map[string]string{"d": "流动式起重机司机[Q8]", "c": "2029年10月10日"}},
		{"d names where to check", &renewed, true, "cd", map[string]string{"d": "便民服务>>特种设备业务查询>>特种设备作业人员资质"}},
		{"c: everything expired", &expired, true, "c", map[string]string{"c": "均已超过有效期"}},
		{"open rows: c does not apply; the second certificate's number differs", &open, true, "bd", map[string]string{"c": "请确认需要复审的项目"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var l RenewalList
			if tc.h != nil {
				l = RenewalOptions(*tc.h, nil, today, p)
			}
			lines := NothingFoundChecklist(tc.h, tc.found, l, today)
			if len(lines) != 4 {
				t.Fatalf("%d lines, want a–d", len(lines))
			}
			for i, ln := range lines {
				if ln.Code != string(rune('a'+i)) || ln.Text == "" {
					t.Errorf("line %d = %+v", i, ln)
				}
				if want := strings.Contains(tc.applies, ln.Code); ln.Applies != want {
					t.Errorf("line %s Applies = %v, want %v (%s)", ln.Code, ln.Applies, want, ln.Text)
				}
				if frag, ok := tc.has[ln.Code]; ok && !strings.Contains(ln.Text, frag) {
					t.Errorf("line %s = %q, want it to contain %q", ln.Code, ln.Text, frag)
				}
			}
		})
	}
}
