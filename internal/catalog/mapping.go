package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MappingKind says how an old item is renewed (catalog.json meta.mapping_kinds).
type MappingKind string

const (
	// KindDirect: renewed as the single target, filled in and locked, as the
	// national platform does for every old item it does not special-case (S4).
	KindDirect MappingKind = "direct"
	// KindChoice: the applicant picks exactly one target, by their request or
	// the equipment they actually operate (S4: old G2/G3 → G1 or G2; Q4).
	KindChoice MappingKind = "choice"
	// KindDirectOptionalExtra: renewed as the target, and on request also as
	// the optional extras (S4: old S2 客运索道维修(限电气维修), Y4).
	KindDirectOptionalExtra MappingKind = "direct_optional_extra"
	// KindCancelled: dropped by TSG Z6001-2019; not renewed, not reissued,
	// not shown in 复审 (seed 000).
	KindCancelled MappingKind = "cancelled"
	// KindUnknown: the research found no rule (old N1 车辆维修, SOURCES §8.8).
	// Treated like cancelled until confirmed, but with its own reason.
	KindUnknown MappingKind = "unknown"
)

// Label is the kind in the words an officer would use.
func (k MappingKind) Label() string {
	switch k {
	case KindDirect:
		return "直接换发"
	case KindChoice:
		return "择一换发"
	case KindDirectOptionalExtra:
		return "直接换发，可申请同时换发其他项目"
	case KindCancelled:
		return "已取消"
	case KindUnknown:
		return "对应关系待确认"
	}
	return string(k)
}

// Mapping is the 换发 rule for one old item (SOURCES §2a, 《特种设备作业人员
// 证书换发对应表》 as the seed links it).
type Mapping struct {
	Old           OldCode
	OldName       string
	Kind          MappingKind
	Targets       []Qualification
	OptionalExtra []Qualification
	Verification  string
	Note          string
	// ExtraRequiresScope: the optional extras are only for a line with this
	// scope (ForScope).
	ExtraRequiresScope string

	// Display names of Targets and OptionalExtra, filled by Load so that
	// Reason needs no catalogue.
	targetNames, extraNames []string

	// decision is the administrator's, when the rule was decided
	// (WithDecisions).
	decision *MappingDecision
}

func (m Mapping) clone() Mapping {
	m.Targets = slices.Clone(m.Targets)
	m.OptionalExtra = slices.Clone(m.OptionalExtra)
	m.targetNames = slices.Clone(m.targetNames)
	m.extraNames = slices.Clone(m.extraNames)
	return m
}

// ForScope is the rule as it applies to a line of the old item with the
// given scope (作业范围限定, e.g. 限电气维修): the optional extras only where
// the source allows them for that scope, otherwise the direct rule alone.
func (m Mapping) ForScope(scope string) Mapping {
	if m.ExtraRequiresScope == "" || strings.Contains(scope, m.ExtraRequiresScope) || m.Kind != KindDirectOptionalExtra {
		return m
	}
	m = m.clone()
	m.Kind, m.OptionalExtra, m.extraNames = KindDirect, nil, nil
	return m
}

// Renewable reports whether the old item can be renewed or reissued at all.
// Cancelled items cannot (seed 000); unknown ones cannot until the rule is
// confirmed, because issuing a guessed 2019 item is not reversible for the
// holder.
func (m Mapping) Renewable() bool {
	switch m.Kind {
	case KindDirect, KindChoice, KindDirectOptionalExtra:
		return true
	}
	return false
}

// Choices are the targets the applicant must pick one of; nil unless the
// kind is choice.
func (m Mapping) Choices() []Qualification {
	if m.Kind != KindChoice {
		return nil
	}
	return slices.Clone(m.Targets)
}

// Fixed is the target of a direct rule (with or without optional extras),
// which the form fills in and locks (S4).
func (m Mapping) Fixed() (Qualification, bool) {
	if (m.Kind == KindDirect || m.Kind == KindDirectOptionalExtra) && len(m.Targets) == 1 {
		return m.Targets[0], true
	}
	return Qualification{}, false
}

// Uncertain reports whether the rule itself still needs confirming
// (SOURCES §2a: Q9 → Q2(限升降机), R1, S4, F2, N1), so the back office can flag
// the line for the officer.
func (m Mapping) Uncertain() bool {
	return m.Verification == VerificationUncertain || m.Verification == VerificationUnknown
}

// CheckSelection reports, in Chinese, why chosen is not an allowed outcome
// of renewing the old item, or nil. chosen is the full set of 2019 lines the
// applicant asks for: for direct the fixed target; for choice exactly one of
// the choices; for direct_optional_extra the fixed target plus any of the
// extras.
func (m Mapping) CheckSelection(chosen []Qualification) error {
	if !m.Renewable() {
		return errors.New(m.Reason())
	}
	for i, q := range chosen {
		if slices.Contains(chosen[:i], q) {
			return fmt.Errorf("换发项目%s重复选择", q)
		}
	}
	old := m.oldLabel()
	switch m.Kind {
	case KindChoice:
		if len(chosen) != 1 || !slices.Contains(m.Targets, chosen[0]) {
			return fmt.Errorf("原项目%s须在以下项目中选择一项：%s", old, m.list(m.Targets, m.targetNames))
		}
		return nil
	case KindDirect:
		if len(chosen) != 1 || chosen[0] != m.Targets[0] {
			return errors.New(m.Reason())
		}
		return nil
	}
	if !slices.Contains(chosen, m.Targets[0]) {
		return fmt.Errorf("原项目%s须换发为%s", old, m.list(m.Targets, m.targetNames))
	}
	for _, q := range chosen {
		if q != m.Targets[0] && !slices.Contains(m.OptionalExtra, q) {
			return fmt.Errorf("原项目%s不能换发为%s；%s", old, q, m.Reason())
		}
	}
	return nil
}

// Reason is one Chinese sentence for the 复审 page and notices, e.g.
// "原项目Q8流动式起重机司机换发为Q2起重机司机(限流动式起重机)". Names are given
// with both codes because old and new codes collide.
func (m Mapping) Reason() string {
	old := m.oldLabel()
	switch m.Kind {
	case KindDirect:
		return fmt.Sprintf("原项目%s换发为%s", old, m.list(m.Targets, m.targetNames))
	case KindDirectOptionalExtra:
		return fmt.Sprintf("原项目%s换发为%s；依据持证人申请，可同时换发%s", old,
			m.list(m.Targets, m.targetNames), m.list(m.OptionalExtra, m.extraNames))
	case KindChoice:
		return fmt.Sprintf("原项目%s复审后须在以下项目中选择一项：%s", old, m.list(m.Targets, m.targetNames))
	case KindCancelled:
		return fmt.Sprintf("根据《特种设备作业人员考核规则》（TSG Z6001—2019），原项目%s已取消，不再复审或补发", old)
	}
	return fmt.Sprintf("原项目%s在《特种设备作业人员考核规则》（TSG Z6001—2019）的项目目录中没有明确的对应项目，换发规则尚待确认，暂不能在线复审或补发，请联系受理机关", old)
}

func (m Mapping) oldLabel() string { return label(string(m.Old), m.OldName) }

func (m Mapping) list(qs []Qualification, names []string) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		if i < len(names) {
			parts[i] = label(string(q.Code), names[i])
		} else {
			parts[i] = q.String()
		}
	}
	return strings.Join(parts, "、")
}

// label writes code and name together, "Q8流动式起重机司机": a code alone is
// ambiguous across editions and a name alone hides the limit. A welding
// item's code is its name, so it is written once.
func label(code, name string) string {
	if name == "" || name == code {
		return code
	}
	if code == "" {
		return name
	}
	return code + name
}
