package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// VerificationConfirmed marks a mapping an administrator confirmed or
// changed, citing the source (the 换发对应表 as the seed links it, a notice
// of the 市场监督管理局): it stops being flagged as uncertain.
const VerificationConfirmed = "confirmed"

// MappingDecision is an administrator's confirmation, or change, of the
// rule for one old item whose research left it uncertain (SOURCES §2a).
type MappingDecision struct {
	Old           OldCode
	Kind          MappingKind
	Targets       []Qualification
	OptionalExtra []Qualification
	Source        string // the text or address the decision rests on
	DecidedBy     string
	DecidedAt     time.Time
}

// Decided is the decision behind a confirmed mapping; nil for a rule as
// the research left it.
func (m Mapping) Decided() *MappingDecision { return m.decision }

// Decidable are the rules an administrator may confirm or change: those the
// embedded research marked uncertain or unknown (Uncertain), including the
// ones already decided, which may be decided again.
func (c *Catalog) Decidable() []Mapping {
	var out []Mapping
	for _, m := range c.Mappings() {
		if m.Uncertain() || m.decision != nil {
			out = append(out, m)
		}
	}
	return out
}

// DecisionProblem is a refused field of a decision, with its Chinese
// message.
type DecisionProblem struct{ Field, Message string }

// CheckDecision reads a decision: the old item's rule must be one the
// research left uncertain; the kind and the 2019 lines must fit together as
// the catalogue's own rules do (direct: one target; choice: two or more;
// direct_optional_extra: one target and extras; cancelled: none); the
// source is required. Fields: kind, targets, extras, source.
func (c *Catalog) CheckDecision(d MappingDecision) []DecisionProblem {
	var out []DecisionProblem
	fail := func(field, format string, args ...any) {
		out = append(out, DecisionProblem{field, fmt.Sprintf(format, args...)})
	}
	m, ok := c.Mapping(d.Old)
	if !ok || !(m.Uncertain() || m.decision != nil) {
		return []DecisionProblem{{"", fmt.Sprintf("原项目%s的换发规则不属于待确认的对应关系", d.Old)}}
	}
	nt, nx := len(d.Targets), len(d.OptionalExtra)
	switch d.Kind {
	case KindDirect:
		if nt != 1 {
			fail("targets", "直接换发须填写且只填写一个现行项目")
		}
		if nx != 0 {
			fail("extras", "直接换发不能有可同时换发的项目；如有，请选择“直接换发，可申请同时换发其他项目”")
		}
	case KindChoice:
		if nt < 2 {
			fail("targets", "择一换发须填写两个或以上现行项目，由申请人选择其一")
		}
		if nx != 0 {
			fail("extras", "择一换发不能有可同时换发的项目")
		}
	case KindDirectOptionalExtra:
		if nt != 1 {
			fail("targets", "须填写且只填写一个直接换发的现行项目")
		}
		if nx == 0 {
			fail("extras", "请填写可同时换发的现行项目")
		}
	case KindCancelled:
		if nt != 0 || nx != 0 {
			fail("targets", "已取消的项目没有换发项目，请清空现行项目")
		}
	default:
		fail("kind", "请选择换发方式")
	}
	for _, q := range d.OptionalExtra {
		if slices.Contains(d.Targets, q) {
			fail("extras", "%s 既是换发项目又是可同时换发的项目", q)
		}
	}
	if strings.TrimSpace(d.Source) == "" {
		fail("source", "请填写确认依据：文件名称和文号，或网址")
	} else if len([]rune(d.Source)) > 500 {
		fail("source", "确认依据不能超过500字")
	}
	return out
}

// ParseQualifications reads the 2019 lines an administrator typed,
// separated by “、”, commas or spaces; each refused line is one message.
func (c *Catalog) ParseQualifications(s string) ([]Qualification, []string) {
	var qs []Qualification
	var bad []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ' ' || r == ';' || r == '；' }) {
		q, err := c.ParseQualification(part)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if !slices.Contains(qs, q) {
			qs = append(qs, q)
		}
	}
	return qs, bad
}

// WithDecisions is the catalogue with the decided rules in place of the
// researched ones; the receiver is unchanged. A decision that no longer
// fits (CheckDecision) is an error: the stored decisions were checked when
// made, so one failing means the embedded catalogue changed under them.
func (c *Catalog) WithDecisions(ds []MappingDecision) (*Catalog, error) {
	if len(ds) == 0 {
		return c, nil
	}
	cp := *c
	cp.mappings = slices.Clone(c.mappings)
	for _, d := range ds {
		if ps := c.CheckDecision(d); len(ps) > 0 {
			return nil, fmt.Errorf("catalog: decision on %s: %s", d.Old, ps[0].Message)
		}
		i := c.mapIdx[d.Old]
		m := cp.mappings[i].clone()
		m.Kind, m.Verification = d.Kind, VerificationConfirmed
		m.Targets, m.OptionalExtra = slices.Clone(d.Targets), slices.Clone(d.OptionalExtra)
		m.targetNames, m.extraNames = names(c, m.Targets), names(c, m.OptionalExtra)
		dec := d
		m.decision = &dec
		cp.mappings[i] = m
	}
	return &cp, nil
}

func names(c *Catalog, qs []Qualification) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Name(c)
	}
	return out
}
