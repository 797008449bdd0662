package catalog

// APIDocument is the body of GET /api/v1/catalog: the whole catalogue in one
// response, so a client can render 新办/增项 item lists, the 复审 换发 table and
// the district picker without further calls. Keys are snake_case English,
// values (names, labels, reasons) Chinese as printed on certificates.
type APIDocument struct {
	Editions           []APIEdition  `json:"editions"`
	Categories         []APICategory `json:"categories"`
	Items              []APIItem     `json:"items"`
	OldCategories      []APICategory `json:"old_categories"`
	OldItems           []APIOldItem  `json:"old_items"`
	Mapping            []APIMapping  `json:"mapping"`
	MappingKinds       []APILabel    `json:"mapping_kinds"`
	VerificationLevels []APILabel    `json:"verification_levels"`
	Districts          []District    `json:"districts"`
	Sources            APISources    `json:"sources"`
}

// APIEdition describes one catalogue edition; RefPrefix starts every
// "ref" of that edition.
type APIEdition struct {
	Edition   string `json:"edition"`
	Label     string `json:"label"`
	Current   bool   `json:"current"`
	RefPrefix string `json:"ref_prefix"`
}

type APICategory struct {
	No   int    `json:"no"`
	Name string `json:"name"`
}

// APIItem is a 2019 item. Ref is empty for Q2, which is only ever issued
// with a limit: use the refs under Limits.
type APIItem struct {
	Code              string     `json:"code"`
	Name              string     `json:"name"`
	Category          string     `json:"category"`
	CategoryNo        int        `json:"category_no"`
	Welding           bool       `json:"welding"`
	RequiresLimit     bool       `json:"requires_limit"`
	Ref               string     `json:"ref,omitempty"`
	Limits            []APILimit `json:"limits,omitempty"`
	Verification      string     `json:"verification"`
	VerificationLabel string     `json:"verification_label"`
	Note              string     `json:"note,omitempty"`
}

// APILimit is one Q2 scope limit as a certificate line.
type APILimit struct {
	Limit             string `json:"limit"`
	Code              string `json:"code"`
	Name              string `json:"name"`
	Ref               string `json:"ref"`
	Verification      string `json:"verification"`
	VerificationLabel string `json:"verification_label"`
}

type APIOldItem struct {
	Code              string `json:"code"`
	Name              string `json:"name"`
	Category          string `json:"category"`
	CategoryNo        int    `json:"category_no"`
	Welding           bool   `json:"welding"`
	Ref               string `json:"ref"`
	Renewable         bool   `json:"renewable"`
	Verification      string `json:"verification"`
	VerificationLabel string `json:"verification_label"`
	Note              string `json:"note,omitempty"`
}

// APIMapping is one row of the 换发对应表. Targets and OptionalExtra are
// always arrays (empty for cancelled and unknown rows).
type APIMapping struct {
	OldCode           string      `json:"old_code"`
	OldName           string      `json:"old_name"`
	OldRef            string      `json:"old_ref"`
	Kind              MappingKind `json:"kind"`
	KindLabel         string      `json:"kind_label"`
	Renewable         bool        `json:"renewable"`
	Targets           []APITarget `json:"targets"`
	OptionalExtra     []APITarget `json:"optional_extra"`
	Reason            string      `json:"reason"`
	Verification      string      `json:"verification"`
	VerificationLabel string      `json:"verification_label"`
	Note              string      `json:"note,omitempty"`
}

// APITarget is a 2019 certificate line a mapping leads to.
type APITarget struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Ref  string `json:"ref"`
}

type APILabel struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// APISources points to the research notes; the data was compiled from
// secondary sources and the levels say how far each entry can be trusted.
type APISources struct {
	Document string `json:"document"`
	Note     string `json:"note"`
}

// API builds the catalogue document. It is rebuilt on each call; the
// catalogue is small and callers may cache the encoded bytes.
func (c *Catalog) API() APIDocument {
	doc := APIDocument{
		Sources: APISources{
			Document: "internal/catalog/data/SOURCES.md",
			Note:     "目录数据依据公开二手来源整理，未能取得官方原文；各条目的 verification 表示核实程度，来源编号（S#）见 SOURCES.md。标为 uncertain 或 unknown 的对应关系须经主管部门确认。",
		},
	}
	for _, e := range Editions() {
		doc.Editions = append(doc.Editions, APIEdition{
			Edition: e.String(), Label: e.Label(), Current: e == Edition2019, RefPrefix: e.String() + ":",
		})
	}
	for _, cat := range c.categories {
		doc.Categories = append(doc.Categories, APICategory{No: cat.No, Name: cat.Name})
	}
	for _, cat := range c.oldCategories {
		doc.OldCategories = append(doc.OldCategories, APICategory{No: cat.No, Name: cat.Name})
	}
	for _, it := range c.items {
		ai := APIItem{
			Code: string(it.Code), Name: it.Name, Category: it.Category, CategoryNo: it.CategoryNo,
			Welding: it.Welding, Verification: it.Verification,
			VerificationLabel: VerificationLabel(it.Verification), Note: it.Note,
		}
		if it.Code == CraneDriver {
			ai.RequiresLimit = true
			for _, l := range c.limits {
				q := Qualification{Code: it.Code, Limit: l.Limit}
				ai.Limits = append(ai.Limits, APILimit{
					Limit: string(l.Limit), Code: q.String(), Name: q.Name(c), Ref: NewRef(q).String(),
					Verification: l.Verification, VerificationLabel: VerificationLabel(l.Verification),
				})
			}
		} else {
			ai.Ref = NewRef(Qualification{Code: it.Code}).String()
		}
		doc.Items = append(doc.Items, ai)
	}
	for _, it := range c.oldItems {
		m, _ := c.Mapping(it.Code)
		doc.OldItems = append(doc.OldItems, APIOldItem{
			Code: string(it.Code), Name: it.Name, Category: it.Category, CategoryNo: it.CategoryNo,
			Welding: it.Welding, Ref: OldRef(it.Code).String(), Renewable: m.Renewable(),
			Verification: it.Verification, VerificationLabel: VerificationLabel(it.Verification), Note: it.Note,
		})
	}
	for _, m := range c.mappings {
		doc.Mapping = append(doc.Mapping, APIMapping{
			OldCode: string(m.Old), OldName: m.OldName, OldRef: OldRef(m.Old).String(),
			Kind: m.Kind, KindLabel: m.Kind.Label(), Renewable: m.Renewable(),
			Targets: c.apiTargets(m.Targets), OptionalExtra: c.apiTargets(m.OptionalExtra),
			Reason: m.Reason(), Verification: m.Verification,
			VerificationLabel: VerificationLabel(m.Verification), Note: m.Note,
		})
	}
	for _, k := range []MappingKind{KindDirect, KindChoice, KindDirectOptionalExtra, KindCancelled, KindUnknown} {
		doc.MappingKinds = append(doc.MappingKinds, APILabel{Value: string(k), Label: k.Label()})
	}
	for _, v := range verificationLabels {
		doc.VerificationLevels = append(doc.VerificationLevels, APILabel{Value: v.level, Label: v.label})
	}
	doc.Districts = c.Districts()
	return doc
}

func (c *Catalog) apiTargets(qs []Qualification) []APITarget {
	out := make([]APITarget, 0, len(qs))
	for _, q := range qs {
		out = append(out, APITarget{Code: q.String(), Name: q.Name(c), Ref: NewRef(q).String()})
	}
	return out
}
