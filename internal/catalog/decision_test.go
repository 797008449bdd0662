package catalog

import (
	"strings"
	"testing"
)

// The uncertain rules of SOURCES §2a (R1, Q9, S4, F2 presumed; N1 车辆维修
// without a successor) are the ones an administrator decides; a decision
// replaces the rule in a copy of the catalogue and unflags it.
func TestDecisions(t *testing.T) {
	c := Default()
	var olds []string
	for _, m := range c.Decidable() {
		olds = append(olds, string(m.Old))
	}
	for _, want := range []string{"R1", "Q9", "S4", "N1", "F2"} {
		if !strings.Contains(","+strings.Join(olds, ",")+",", ","+want+",") {
			t.Errorf("%s not decidable: %v", want, olds)
		}
	}
	if len(olds) != 5 {
		t.Errorf("decidable: %v", olds)
	}
	q := func(s string) Qualification { return c.mustQ(t, s) }
	for _, tc := range []struct {
		name  string
		d     MappingDecision
		field string // "" for accepted
	}{
		{"Q9 confirmed as the research presumed", MappingDecision{Old: "Q9", Kind: KindDirect, Targets: []Qualification{q("Q2(限升降机)")}, Source: "换发对应表"}, ""},
		{"N1 车辆维修 decided cancelled", MappingDecision{Old: "N1", Kind: KindCancelled, Source: "https://example.gov.cn/notice"}, ""},
		{"S4 changed to a choice", MappingDecision{Old: "S4", Kind: KindChoice, Targets: []Qualification{q("S1"), q("S2")}, Source: "x"}, ""},
		{"a settled rule (Q8)", MappingDecision{Old: "Q8", Kind: KindDirect, Targets: []Qualification{q("Q2(限流动式起重机)")}, Source: "x"}, ""},
		{"direct with two targets", MappingDecision{Old: "Q9", Kind: KindDirect, Targets: []Qualification{q("S1"), q("S2")}, Source: "x"}, "targets"},
		{"choice of one", MappingDecision{Old: "Q9", Kind: KindChoice, Targets: []Qualification{q("S1")}, Source: "x"}, "targets"},
		{"extras without any", MappingDecision{Old: "S4", Kind: KindDirectOptionalExtra, Targets: []Qualification{q("S1")}, Source: "x"}, "extras"},
		{"cancelled with a target", MappingDecision{Old: "N1", Kind: KindCancelled, Targets: []Qualification{q("N1")}, Source: "x"}, "targets"},
		{"no kind", MappingDecision{Old: "N1", Source: "x"}, "kind"},
		{"no source", MappingDecision{Old: "N1", Kind: KindCancelled}, "source"},
	} {
		ps := c.CheckDecision(tc.d)
		switch {
		case tc.name == "a settled rule (Q8)":
			if len(ps) != 1 || !strings.Contains(ps[0].Message, "不属于待确认") {
				t.Errorf("%s: %v", tc.name, ps)
			}
		case tc.field == "" && len(ps) > 0, tc.field != "" && (len(ps) == 0 || ps[0].Field != tc.field):
			t.Errorf("%s: %v", tc.name, ps)
		}
	}

	d, err := c.WithDecisions([]MappingDecision{
		{Old: "N1", Kind: KindCancelled, Source: "沪市监特〔2026〕1号", DecidedBy: "系统管理员"},
		{Old: "S4", Kind: KindChoice, Targets: []Qualification{q("S1"), q("S2")}, Source: "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	n1, _ := d.Mapping("N1")
	if n1.Uncertain() || n1.Renewable() || n1.Verification != VerificationConfirmed || n1.Decided().Source != "沪市监特〔2026〕1号" ||
		!strings.Contains(n1.Reason(), "已取消，不再复审或补发") {
		t.Errorf("N1 after the decision: %+v %s", n1, n1.Reason())
	}
	s4, _ := d.Mapping("S4")
	if len(s4.Choices()) != 2 || !strings.Contains(s4.Reason(), "选择一项：S1") {
		t.Errorf("S4: %s", s4.Reason())
	}
	if orig, _ := c.Mapping("N1"); !orig.Uncertain() || orig.Decided() != nil {
		t.Error("the embedded catalogue changed")
	}
	qs, bad := c.ParseQualifications("S1、s2, Q8")
	if len(qs) != 2 || len(bad) != 1 || !strings.Contains(bad[0], "原项目代号") {
		t.Errorf("parse: %v %v", qs, bad)
	}
}

func (c *Catalog) mustQ(t *testing.T, s string) Qualification {
	q, err := c.ParseQualification(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
