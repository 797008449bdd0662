package catalog

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// seedCancelled is the sentence of the Shanghai 一网通办 guide (seed 000,
// 三、系统操作, 关于复审 第4点) that lists the cancelled old items.
const seedCancelled = "根据新的作业人员考核规则（TSG Z6001—2019）的要求，已取消的项目不再进行复审或者补发，复审查询时不显示已取消的项目。已取消的原项目代号为 G6、D1、D2、D3、T3、Q1、Q2、Q10、N3。"

const seedFile = "../../../shared/seeds/000_a5d504393de4471e.txt"

var cancelledList = regexp.MustCompile(`已取消的原项目代号为\s*([A-Z0-9、\s]+)。`)

func seedCancelledCodes(t *testing.T, text string) []OldCode {
	t.Helper()
	m := cancelledList.FindStringSubmatch(text)
	if m == nil {
		t.Fatal("the seed's cancelled list was not found")
	}
	var out []OldCode
	for _, s := range strings.Split(m[1], "、") {
		out = append(out, OldCode(strings.TrimSpace(s)))
	}
	return out
}

func TestCancelledOldCodesEqualSeed(t *testing.T) {
	want := seedCancelledCodes(t, seedCancelled)
	if b, err := os.ReadFile(seedFile); err == nil {
		// The guide marks the sentence bold; drop the markers before matching.
		fromFile := seedCancelledCodes(t, strings.ReplaceAll(string(b), "**", ""))
		if !slices.Equal(fromFile, want) {
			t.Fatalf("seed file lists %v, test copy %v", fromFile, want)
		}
	}
	got := Default().CancelledOldCodes()
	if !slices.Equal(got, want) {
		t.Errorf("CancelledOldCodes() = %v, seed 000 lists %v", got, want)
	}
	for _, code := range got {
		m, _ := Default().Mapping(code)
		if m.Renewable() || len(m.Targets) != 0 {
			t.Errorf("cancelled %s is renewable or has targets: %+v", code, m)
		}
	}
}

func q(code NewCode, limit Limit) Qualification { return Qualification{Code: code, Limit: limit} }

// SOURCES §2a, one row per interesting rule.
func TestMappings(t *testing.T) {
	tests := []struct {
		old     OldCode
		kind    MappingKind
		targets []Qualification
		extra   []Qualification
		source  string
	}{
		{"Q8", KindDirect, []Qualification{q("Q2", "限流动式起重机")}, nil, "seed 000: 流动式起重机司机[Q8] → [Q2]"},
		{"G4", KindDirect, []Qualification{q("G3", "")}, nil, "seed 000: 一级锅炉水质处理[G4] → G3 锅炉水处理"},
		{"G1", KindDirect, []Qualification{q("G1", "")}, nil, "S4: 原一级锅炉司炉变更为工业锅炉司炉"},
		{"G2", KindChoice, []Qualification{q("G1", ""), q("G2", "")}, nil, "S4: 原二、三级锅炉司炉…变更为工业锅炉司炉或电站锅炉司炉"},
		{"G3", KindChoice, []Qualification{q("G1", ""), q("G2", "")}, nil, "S4, as G2"},
		{"Q4", KindChoice, []Qualification{q("Q2", "限桥式起重机"), q("Q2", "限门式起重机")}, nil, "S4: old 0704 select left open"},
		{"Q5", KindDirect, []Qualification{q("Q2", "限塔式起重机")}, nil, "S4/S5"},
		{"Q3", KindDirect, []Qualification{q("Q1", "")}, nil, "§2a: 起重机械指挥 → 起重机指挥"},
		{"S2", KindDirectOptionalExtra, []Qualification{q("S1", "")}, []Qualification{q("S2", "")}, "S4: 客运索道维修(限电气维修) 可同时换发"},
		{"Y4", KindDirectOptionalExtra, []Qualification{q("Y2", "")}, []Qualification{q("Y1", "")}, "S4: 水上…可以同时换发修理、操作"},
		{"N2", KindDirect, []Qualification{q("N1", "")}, nil, "§2a: 叉车司机 old N2 → new N1"},
		{"N1", KindUnknown, nil, nil, "§2a/§8.8: 车辆维修 has no successor"},
		{"Q2", KindCancelled, nil, nil, "seed 000 cancelled list: old Q2 起重机械电气安装维修"},
		{"金属焊接操作", KindDirect, []Qualification{q(MetalWelding, "")}, nil, "§2a: welder items keep their codes"},
	}
	c := Default()
	for _, tt := range tests {
		m, ok := c.Mapping(tt.old)
		if !ok {
			t.Errorf("%s: no mapping (%s)", tt.old, tt.source)
			continue
		}
		if m.Kind != tt.kind || !slices.Equal(m.Targets, tt.targets) || !slices.Equal(m.OptionalExtra, tt.extra) {
			t.Errorf("Mapping(%s) = %s %v +%v, want %s %v +%v (%s)", tt.old, m.Kind, m.Targets, m.OptionalExtra, tt.kind, tt.targets, tt.extra, tt.source)
		}
		wantRenewable := tt.kind != KindCancelled && tt.kind != KindUnknown
		if m.Renewable() != wantRenewable {
			t.Errorf("Mapping(%s).Renewable() = %v", tt.old, m.Renewable())
		}
		if tt.kind == KindChoice {
			if !slices.Equal(m.Choices(), tt.targets) {
				t.Errorf("Mapping(%s).Choices() = %v", tt.old, m.Choices())
			}
			if _, ok := m.Fixed(); ok {
				t.Errorf("Mapping(%s).Fixed() set for a choice", tt.old)
			}
		} else if m.Choices() != nil {
			t.Errorf("Mapping(%s).Choices() = %v, want nil", tt.old, m.Choices())
		}
		if tt.kind == KindDirect || tt.kind == KindDirectOptionalExtra {
			if f, ok := m.Fixed(); !ok || f != tt.targets[0] {
				t.Errorf("Mapping(%s).Fixed() = %v, %v", tt.old, f, ok)
			}
		}
	}
	if len(c.Mappings()) != len(c.OldItems()) {
		t.Errorf("%d mappings for %d old items", len(c.Mappings()), len(c.OldItems()))
	}
}

func TestReason(t *testing.T) {
	c := Default()
	tests := []struct {
		old  OldCode
		want string
	}{
		{"G6", "根据《特种设备作业人员考核规则》（TSG Z6001—2019），原项目G6锅炉能效作业已取消，不再复审或补发"},
		{"Q2", "根据《特种设备作业人员考核规则》（TSG Z6001—2019），原项目Q2起重机械电气安装维修已取消，不再复审或补发"},
		{"Q8", "原项目Q8流动式起重机司机换发为Q2起重机司机(限流动式起重机)"},
		{"G4", "原项目G4一级锅炉水质处理换发为G3锅炉水处理"},
		{"Q4", "原项目Q4桥门式起重机司机复审后须在以下项目中选择一项：Q2起重机司机(限桥式起重机)、Q2起重机司机(限门式起重机)"},
		{"G2", "原项目G2二级锅炉司炉复审后须在以下项目中选择一项：G1工业锅炉司炉、G2电站锅炉司炉"},
		{"Y4", "原项目Y4水上游乐设施操作与维修换发为Y2大型游乐设施操作；依据持证人申请，可同时换发Y1大型游乐设施修理"},
		{"金属焊接操作", "原项目金属焊接操作换发为金属焊接操作"},
	}
	for _, tt := range tests {
		m, _ := c.Mapping(tt.old)
		if got := m.Reason(); got != tt.want {
			t.Errorf("Mapping(%s).Reason() =\n %s\nwant\n %s", tt.old, got, tt.want)
		}
	}
	n1, _ := c.Mapping("N1")
	if r := n1.Reason(); !strings.Contains(r, "原项目N1车辆维修") || !strings.Contains(r, "待确认") {
		t.Errorf("N1 reason = %s", r)
	}
	if !n1.Uncertain() {
		t.Error("N1 must be flagged uncertain")
	}
}

func TestCheckSelection(t *testing.T) {
	c := Default()
	tests := []struct {
		old    OldCode
		chosen []Qualification
		ok     bool
	}{
		{"Q8", []Qualification{q("Q2", "限流动式起重机")}, true},
		{"Q8", []Qualification{q("Q2", "限桥式起重机")}, false},
		{"Q8", nil, false},
		{"Q4", []Qualification{q("Q2", "限门式起重机")}, true},
		{"Q4", []Qualification{q("Q2", "限桥式起重机"), q("Q2", "限门式起重机")}, false}, // exactly one
		{"Q4", []Qualification{q("Q2", "限塔式起重机")}, false},
		{"G3", []Qualification{q("G2", "")}, true},
		{"S2", []Qualification{q("S1", "")}, true},
		{"S2", []Qualification{q("S1", ""), q("S2", "")}, true},
		{"S2", []Qualification{q("S2", "")}, false}, // the fixed target is not optional
		{"S2", []Qualification{q("S1", ""), q("S1", "")}, false},
		{"Y4", []Qualification{q("Y2", ""), q("Y1", "")}, true},
		{"Y4", []Qualification{q("Y2", ""), q("T", "")}, false},
		{"G6", []Qualification{q("G1", "")}, false},
		{"N1", []Qualification{q("N1", "")}, false},
	}
	for _, tt := range tests {
		m, _ := c.Mapping(tt.old)
		err := m.CheckSelection(tt.chosen)
		if (err == nil) != tt.ok {
			t.Errorf("Mapping(%s).CheckSelection(%v) = %v, want ok=%v", tt.old, tt.chosen, err, tt.ok)
		}
		if err != nil && !hasHan(err.Error()) {
			t.Errorf("CheckSelection error is not Chinese: %v", err)
		}
	}
}
