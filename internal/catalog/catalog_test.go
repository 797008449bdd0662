package catalog

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"
)

// hasHan reports whether a message is written for Chinese readers.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func TestDefaultLoads(t *testing.T) {
	if Default() == nil || Default() != Default() {
		t.Fatal("Default must parse the embedded data once")
	}
}

// SOURCES §1: the 2019 catalogue, item by item.
func TestItems2019(t *testing.T) {
	c := Default()
	tests := []struct {
		code       NewCode
		name       string
		category   string
		categoryNo int
		welding    bool
	}{
		{"A", "特种设备安全管理", "特种设备安全管理", 1, false},
		{"G1", "工业锅炉司炉", "锅炉作业", 2, false},
		{"G2", "电站锅炉司炉", "锅炉作业", 2, false},
		{"G3", "锅炉水处理", "锅炉作业", 2, false}, // seed 000: G3 锅炉水处理
		{"R1", "快开门式压力容器操作", "压力容器作业", 3, false},
		{"R2", "移动式压力容器充装", "压力容器作业", 3, false},
		{"R3", "氧舱维护保养", "压力容器作业", 3, false},
		{"P", "气瓶充装", "气瓶作业", 4, false},
		{"T", "电梯修理", "电梯作业", 5, false},
		{"Q1", "起重机指挥", "起重机作业", 6, false},
		{"Q2", "起重机司机", "起重机作业", 6, false},
		{"S1", "客运索道修理", "客运索道作业", 7, false},
		{"S2", "客运索道司机", "客运索道作业", 7, false},
		{"Y1", "大型游乐设施修理", "大型游乐设施作业", 8, false},
		{"Y2", "大型游乐设施操作", "大型游乐设施作业", 8, false},
		{"N1", "叉车司机", "场（厂）内专用机动车辆作业", 9, false},
		{"N2", "观光车和观光列车司机", "场（厂）内专用机动车辆作业", 9, false},
		{"F", "安全阀校验", "安全附件维修作业", 10, false},
		{MetalWelding, "金属焊接操作", "特种设备焊接作业", 11, true},
		{NonMetalWelding, "非金属焊接操作", "特种设备焊接作业", 11, true},
	}
	for _, tt := range tests {
		it, ok := c.Item(tt.code)
		if !ok {
			t.Errorf("2019 item %s missing", tt.code)
			continue
		}
		if it.Name != tt.name || it.Category != tt.category || it.CategoryNo != tt.categoryNo || it.Welding != tt.welding {
			t.Errorf("Item(%s) = %+v, want %s/%s/%d welding=%v", tt.code, it, tt.name, tt.category, tt.categoryNo, tt.welding)
		}
	}
	if n := len(c.Items()); n != len(tests) {
		t.Errorf("Items() has %d entries, SOURCES §1 lists %d", n, len(tests))
	}
	if n := len(c.Categories()); n != 11 {
		t.Errorf("Categories() = %d, want 11", n)
	}
}

// SOURCES §2: spot checks of the 2011 catalogue, including the codes that
// collide with 2019 codes but mean other work.
func TestOldItems(t *testing.T) {
	c := Default()
	tests := []struct {
		code       OldCode
		name       string
		category   string
		categoryNo int
		welding    bool
	}{
		{"A1", "特种设备安全管理负责人", "特种设备相关管理", 1, false},
		{"G4", "一级锅炉水质处理", "锅炉作业", 2, false}, // seed 000 复审项目明细
		{"R3", "氧舱维护保养", "压力容器作业", 3, false}, // seed 000 手工录入
		{"T1", "电梯机械安装维修", "电梯作业", 6, false}, // seed 000 手工录入
		{"Q2", "起重机械电气安装维修", "起重机械作业", 7, false},
		{"Q8", "流动式起重机司机", "起重机械作业", 7, false},
		{"Q10", "机械式停车设备司机", "起重机械作业", 7, false},
		{"N1", "车辆维修", "场（厂）内专用机动车辆作业", 10, false},
		{"金属焊接操作", "金属焊接操作", "特种设备焊接作业", 12, true},
		{"非金属焊接操作", "非金属焊接操作", "特种设备焊接作业", 12, true},
	}
	for _, tt := range tests {
		it, ok := c.OldItem(tt.code)
		if !ok {
			t.Errorf("2011 item %s missing", tt.code)
			continue
		}
		if it.Name != tt.name || it.Category != tt.category || it.CategoryNo != tt.categoryNo || it.Welding != tt.welding {
			t.Errorf("OldItem(%s) = %+v", tt.code, it)
		}
	}
	if n := len(c.OldItems()); n != 55 {
		t.Errorf("OldItems() = %d, SOURCES §2 lists 55", n)
	}
	if n := len(c.OldCategories()); n != 12 {
		t.Errorf("OldCategories() = %d, want 12", n)
	}
}

// SOURCES §1a: Q2 limits in data order, 限升降机 present but flagged.
func TestLimits(t *testing.T) {
	c := Default()
	want := []Limit{"限桥式起重机", "限门式起重机", "限塔式起重机", "限门座式起重机", "限缆索式起重机", "限流动式起重机", "限升降机"}
	got := c.Limits()
	if strings.Join(limitStrings(got), ",") != strings.Join(limitStrings(want), ",") {
		t.Errorf("Limits() = %v, want %v", got, want)
	}
	li, ok := c.LimitInfo("限升降机")
	if !ok || li.Verification != VerificationUncertain {
		t.Errorf("限升降机 = %+v, want verification uncertain", li)
	}
	li, _ = c.LimitInfo("限流动式起重机")
	if li.Verification != VerifiedSecondary || li.PlatformXMID != "0796" {
		t.Errorf("限流动式起重机 = %+v", li)
	}
	if n := len(c.Qualifications()); n != len(c.Items())-1+len(want) {
		t.Errorf("Qualifications() = %d lines", n)
	}
}

func limitStrings(ls []Limit) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

// SOURCES §6.
func TestDistricts(t *testing.T) {
	c := Default()
	if n := len(c.Districts()); n != 16 {
		t.Fatalf("Districts() = %d, want 16", n)
	}
	tests := []District{
		{"310101", "黄浦区"},
		{"310110", "杨浦区"}, // R3 is handled by 杨浦区 alone (seed 000)
		{"310115", "浦东新区"},
		{"310151", "崇明区"},
	}
	for _, want := range tests {
		if got, ok := c.District(want.Code); !ok || got != want {
			t.Errorf("District(%s) = %+v, %v", want.Code, got, ok)
		}
	}
	for _, retired := range []string{"310103", "310108", "310000", ""} {
		if _, ok := c.District(retired); ok {
			t.Errorf("District(%q) found, want not a current district", retired)
		}
	}
}

func TestDescribe(t *testing.T) {
	c := Default()
	tests := []struct {
		ref                  ItemRef
		code, name, category string
		ok                   bool
	}{
		// seed 000 复审项目明细: old refs keep their old names.
		{OldRef("Q8"), "Q8", "流动式起重机司机", "起重机械作业", true},
		{OldRef("G4"), "G4", "一级锅炉水质处理", "锅炉作业", true},
		{OldRef("Q2"), "Q2", "起重机械电气安装维修", "起重机械作业", true},
		{NewRef(Qualification{"Q2", "限流动式起重机"}), "Q2(限流动式起重机)", "起重机司机(限流动式起重机)", "起重机作业", true},
		{NewRef(Qualification{Code: "G3"}), "G3", "锅炉水处理", "锅炉作业", true},
		{NewRef(Qualification{Code: MetalWelding}), "金属焊接操作", "金属焊接操作", "特种设备焊接作业", true},
		{NewRef(Qualification{Code: "Q8"}), "", "", "", false},
		{OldRef("Q11"), "", "", "", false},
		{ItemRef{}, "", "", "", false},
	}
	for _, tt := range tests {
		code, name, cat, ok := c.Describe(tt.ref)
		if code != tt.code || name != tt.name || cat != tt.category || ok != tt.ok {
			t.Errorf("Describe(%s) = %q %q %q %v, want %q %q %q %v", tt.ref, code, name, cat, ok, tt.code, tt.name, tt.category, tt.ok)
		}
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	c := Default()
	c.Items()[0].Name = "x"
	c.Districts()[0].Name = "x"
	m, _ := c.Mapping("Q4")
	m.Targets[0] = Qualification{Code: "A"}
	if it, _ := c.Item("A"); it.Name == "x" {
		t.Error("Items() exposes the catalogue's slice")
	}
	if c.Districts()[0].Name == "x" {
		t.Error("Districts() exposes the catalogue's slice")
	}
	if m2, _ := c.Mapping("Q4"); m2.Targets[0].Code != CraneDriver {
		t.Error("Mapping() exposes the catalogue's slice")
	}
}

// The embedded copy must not drift from the shared research data it was
// copied from; skipped where the shared tree is not checked out.
func TestEmbeddedCopiesMatchShared(t *testing.T) {
	for _, f := range []struct{ embedded, shared string }{
		{"data/catalog.json", "../../../shared/domain/catalog.json"},
		{"data/SOURCES.md", "../../../shared/domain/SOURCES.md"},
	} {
		shared, err := os.ReadFile(f.shared)
		if err != nil {
			t.Skipf("shared data not available: %v", err)
		}
		own, err := os.ReadFile(f.embedded)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(own, shared) {
			t.Errorf("%s differs from %s: copy it again and re-run the tests", f.embedded, f.shared)
		}
	}
	if Sources() == "" || !strings.Contains(Sources(), "## 9. Sources") {
		t.Error("Sources() does not hold SOURCES.md")
	}
}

func TestMustLoadPanicsOnMalformedData(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("mustLoad accepted malformed data")
		}
	}()
	mustLoad([]byte(`{"new_items": [`))
}

// Load validates the data it is given: each mutation of the embedded data
// must be rejected with a message naming the problem.
func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d map[string]any)
		want   string
	}{
		{"unknown target code", func(d map[string]any) {
			mapping(d, "Q3")["new"] = []any{"Q9"}
		}, "Q3 new"},
		{"unknown target limit", func(d map[string]any) {
			mapping(d, "Q8")["new"] = []any{"Q2(限汽车起重机)"}
		}, "限汽车起重机"},
		{"Q2 target without limit", func(d map[string]any) {
			mapping(d, "Q8")["new"] = []any{"Q2"}
		}, "Q8 new"},
		{"old item without mapping", func(d map[string]any) {
			var keep []any
			for _, m := range list(d, "old_to_new") {
				if m.(map[string]any)["old"] != "N1" {
					keep = append(keep, m)
				}
			}
			d["old_to_new"] = keep
		}, "N1 车辆维修: no entry in old_to_new"},
		{"mapping for unknown old code", func(d map[string]any) {
			mapping(d, "N1")["old"] = "N6"
		}, "N6: old code not in old_items"},
		{"duplicate 2019 code", func(d map[string]any) {
			list(d, "new_items")[2].(map[string]any)["code"] = "G1"
		}, "duplicate 2019 code"},
		{"duplicate 2011 code", func(d map[string]any) {
			list(d, "old_items")[1].(map[string]any)["code"] = "A1"
		}, "duplicate 2011 code"},
		{"code that breaks ItemRef", func(d map[string]any) {
			list(d, "new_items")[0].(map[string]any)["code"] = "A:1"
		}, "bad code"},
		{"unknown kind", func(d map[string]any) {
			mapping(d, "G1")["kind"] = "merged"
		}, `unknown kind "merged"`},
		{"direct with two targets", func(d map[string]any) {
			mapping(d, "G1")["new"] = []any{"G1", "G2"}
		}, "direct needs exactly one target"},
		{"choice with one target", func(d map[string]any) {
			mapping(d, "G2")["new"] = []any{"G1"}
		}, "choice needs two or more targets"},
		{"cancelled with a target", func(d map[string]any) {
			mapping(d, "G6")["new"] = []any{"G1"}
		}, "has no successor"},
		{"unknown verification level", func(d map[string]any) {
			mapping(d, "G1")["verification"] = "official"
		}, `unknown verification level "official"`},
		{"new mapping kind in meta", func(d map[string]any) {
			d["meta"].(map[string]any)["mapping_kinds"].(map[string]any)["merged"] = "x"
		}, "meta.mapping_kinds"},
		{"limit display mismatch", func(d map[string]any) {
			list(d, "q2_limits")[0].(map[string]any)["display"] = "桥式起重机司机"
		}, "display"},
		{"item in unknown category", func(d map[string]any) {
			list(d, "new_items")[0].(map[string]any)["category"] = "管理"
		}, "not in new_categories"},
		{"15 districts", func(d map[string]any) {
			d["shanghai_districts"] = list(d, "shanghai_districts")[1:]
		}, "16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(catalogJSON, &d); err != nil {
				t.Fatal(err)
			}
			tt.mutate(d)
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(b)
			if err == nil {
				t.Fatal("Load accepted the mutated data")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v\nwant it to mention %q", err, tt.want)
			}
		})
	}
}

func list(d map[string]any, key string) []any { return d[key].([]any) }

func mapping(d map[string]any, old string) map[string]any {
	for _, m := range list(d, "old_to_new") {
		if m := m.(map[string]any); m["old"] == old {
			return m
		}
	}
	panic("no mapping for " + old)
}
