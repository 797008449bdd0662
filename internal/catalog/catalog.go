package catalog

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

//go:embed data/catalog.json
var catalogJSON []byte

//go:embed data/SOURCES.md
var sourcesMD string

// Sources is the text of data/SOURCES.md, the research notes behind every
// entry (S1–S33), shipped with the binary so a deployment can show them.
func Sources() string { return sourcesMD }

// Verification levels of catalogue entries (catalog.json meta.verification_levels).
// No official text was reachable, so even the best level is a secondary source.
const (
	VerifiedSecondary      = "verified_secondary"
	PartlyVerified         = "partly_verified"
	UnverifiedRecollection = "unverified_recollection"
	VerificationUncertain  = "uncertain"
	VerificationUnknown    = "unknown"
)

var verificationLabels = []struct{ level, label string }{
	{VerifiedSecondary, "已核实（公开二手来源）"},
	{PartlyVerified, "部分核实"},
	{UnverifiedRecollection, "未核实（据回忆）"},
	{VerificationUncertain, "存疑，使用前须核实"},
	{VerificationUnknown, "无依据，待确认"},
}

// VerificationLabel is the Chinese wording of a verification level for
// officers and admins; unknown levels are returned unchanged.
func VerificationLabel(level string) string {
	if level == VerificationConfirmed {
		return "管理员已确认"
	}
	for _, v := range verificationLabels {
		if v.level == level {
			return v.label
		}
	}
	return level
}

// Category is a 种类 of one edition's catalogue.
type Category struct {
	No   int
	Name string
}

// Item is a 2019 作业项目 (SOURCES §1).
type Item struct {
	Code         NewCode
	Name         string
	Category     string
	CategoryNo   int
	Welding      bool // 焊接作业: the code is the name, the skill is a TSG Z6002 project code
	Verification string
	Note         string
}

// OldItem is a 2011 作业项目 (SOURCES §2).
type OldItem struct {
	Code         OldCode
	Name         string
	Category     string
	CategoryNo   int
	Welding      bool
	Verification string
	Note         string
}

// LimitInfo describes one Q2 scope limit (SOURCES §1a). 限升降机 is listed
// with Verification "uncertain": it is inferred from old Q9 not being
// cancelled, not seen on a platform.
type LimitInfo struct {
	Limit        Limit
	Verification string
	PlatformXMID string // observed ID on the national exam platform (S5); not a legal code
}

// District is one of Shanghai's 16 districts, each with its own 市场监督管理局
// acting as 受理机关 (SOURCES §6, S23).
type District struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Catalog is the loaded, validated catalogue. It is read-only after [Load];
// accessors return copies, so callers cannot change it.
type Catalog struct {
	categories    []Category
	oldCategories []Category
	items         []Item
	itemIdx       map[NewCode]int
	oldItems      []OldItem
	oldIdx        map[OldCode]int
	limits        []LimitInfo
	limitIdx      map[Limit]int
	mappings      []Mapping
	mapIdx        map[OldCode]int
	districts     []District
	districtIdx   map[string]int
}

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
)

// Default is the catalogue embedded in the binary, parsed once. It panics
// only if the embedded data is malformed, which the package tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() { defaultCatalog = mustLoad(catalogJSON) })
	return defaultCatalog
}

func mustLoad(data []byte) *Catalog {
	c, err := Load(data)
	if err != nil {
		panic("catalog: embedded data/catalog.json is invalid: " + err.Error())
	}
	return c
}

// Categories are the 11 种类 of 2019.
func (c *Catalog) Categories() []Category { return slices.Clone(c.categories) }

// OldCategories are the 12 种类 of 2011.
func (c *Catalog) OldCategories() []Category { return slices.Clone(c.oldCategories) }

// Items are the 2019 items in catalogue order.
func (c *Catalog) Items() []Item { return slices.Clone(c.items) }

// Item looks up a 2019 item.
func (c *Catalog) Item(code NewCode) (Item, bool) {
	i, ok := c.itemIdx[code]
	if !ok {
		return Item{}, false
	}
	return c.items[i], true
}

// OldItems are the 2011 items in catalogue order.
func (c *Catalog) OldItems() []OldItem { return slices.Clone(c.oldItems) }

// OldItem looks up a 2011 item.
func (c *Catalog) OldItem(code OldCode) (OldItem, bool) {
	i, ok := c.oldIdx[code]
	if !ok {
		return OldItem{}, false
	}
	return c.oldItems[i], true
}

// Limits are the Q2 scope limits in data order, the uncertain 限升降机
// included; check [Catalog.LimitInfo] before offering it to new applicants.
func (c *Catalog) Limits() []Limit {
	out := make([]Limit, len(c.limits))
	for i, l := range c.limits {
		out[i] = l.Limit
	}
	return out
}

// LimitInfos are the Q2 scope limits with their verification, in data order.
func (c *Catalog) LimitInfos() []LimitInfo { return slices.Clone(c.limits) }

// LimitInfo looks up a Q2 scope limit.
func (c *Catalog) LimitInfo(l Limit) (LimitInfo, bool) {
	i, ok := c.limitIdx[l]
	if !ok {
		return LimitInfo{}, false
	}
	return c.limits[i], true
}

// Qualifications are every line a 2019 certificate can carry: each item, with
// Q2 expanded into its limits. This is what a 新办/增项 form offers.
func (c *Catalog) Qualifications() []Qualification {
	var out []Qualification
	for _, it := range c.items {
		if it.Code != CraneDriver {
			out = append(out, Qualification{Code: it.Code})
			continue
		}
		for _, l := range c.limits {
			out = append(out, Qualification{Code: it.Code, Limit: l.Limit})
		}
	}
	return out
}

// Mapping is the 换发 rule for an old item; every old item has one.
func (c *Catalog) Mapping(old OldCode) (Mapping, bool) {
	i, ok := c.mapIdx[old]
	if !ok {
		return Mapping{}, false
	}
	return c.mappings[i].clone(), true
}

// Mappings are all 换发 rules in data order.
func (c *Catalog) Mappings() []Mapping {
	out := make([]Mapping, len(c.mappings))
	for i, m := range c.mappings {
		out[i] = m.clone()
	}
	return out
}

// CancelledOldCodes are the old items TSG Z6001-2019 dropped, which are
// neither renewed nor reissued and are hidden from 复审 (seed 000, 关于复审
// 第4点: G6、D1、D2、D3、T3、Q1、Q2、Q10、N3). N1 车辆维修 is not among them:
// its kind is unknown, see [Mapping.Reason].
func (c *Catalog) CancelledOldCodes() []OldCode {
	var out []OldCode
	for _, m := range c.mappings {
		if m.Kind == KindCancelled {
			out = append(out, m.Old)
		}
	}
	return out
}

// Describe gives what a certificate line shows: old refs keep their old code,
// name and category (seed 000's (原)项目 column: 流动式起重机司机[Q8] under
// 起重机械作业), new refs the 2019 ones with the Q2 limit. ok is false for an
// unset ref or a code not in the catalogue.
func (c *Catalog) Describe(r ItemRef) (code, name, category string, ok bool) {
	if q, isNew := r.New(); isNew {
		it, found := c.Item(q.Code)
		if !found {
			return "", "", "", false
		}
		return q.String(), q.Name(c), it.Category, true
	}
	if oc, isOld := r.Old(); isOld {
		it, found := c.OldItem(oc)
		if !found {
			return "", "", "", false
		}
		return string(it.Code), it.Name, it.Category, true
	}
	return "", "", "", false
}

// Districts are Shanghai's 16 districts in code order (SOURCES §6).
func (c *Catalog) Districts() []District { return slices.Clone(c.districts) }

// District looks up a district by its 6-digit 行政区划代码.
func (c *Catalog) District(code string) (District, bool) {
	i, ok := c.districtIdx[code]
	if !ok {
		return District{}, false
	}
	return c.districts[i], true
}

// The JSON shapes of data/catalog.json. Sections the catalogue does not own
// (welding vocabulary, checksums, platform IDs) are left to their packages.
type rawCatalog struct {
	Meta struct {
		VerificationLevels map[string]string `json:"verification_levels"`
		MappingKinds       map[string]string `json:"mapping_kinds"`
	} `json:"meta"`
	NewCategories []struct {
		No   int    `json:"no"`
		Name string `json:"name"`
	} `json:"new_categories"`
	NewItems      []rawItem  `json:"new_items"`
	Q2Limits      []rawLimit `json:"q2_limits"`
	OldCategories []struct {
		No   string `json:"no"`
		Name string `json:"name"`
	} `json:"old_categories"`
	OldItems  []rawItem    `json:"old_items"`
	OldToNew  []rawMapping `json:"old_to_new"`
	Districts []struct {
		Code         string `json:"code"`
		Name         string `json:"name"`
		Verification string `json:"verification"`
	} `json:"shanghai_districts"`
}

type rawItem struct {
	Code         *string `json:"code"` // null for the welding items
	Name         string  `json:"name"`
	Category     string  `json:"category"`
	Verification string  `json:"verification"`
	Note         string  `json:"note"`
}

type rawLimit struct {
	Limit        string `json:"limit"`
	Display      string `json:"display"`
	CodeDisplay  string `json:"code_display"`
	Verification string `json:"verification"`
	XMID         string `json:"observed_platform_xmid"`
}

type rawMapping struct {
	Old           string   `json:"old"`
	New           []string `json:"new"`
	Kind          string   `json:"kind"`
	Verification  string   `json:"verification"`
	Note          string   `json:"note"`
	OptionalExtra []string `json:"optional_extra"`
}

// extraScopes limit a mapping's optional extras to old lines of one scope.
// The source says so in words the data file keeps only as a note (SOURCES.md
// §2, S4: "原客运索道维修(限电气维修)项目依据持证人申请可以同时换发客运索道修理、
// 客运索道司机两个项目"), so the rule is held here.
var extraScopes = map[OldCode]string{"S2": "限电气维修"}

// Load parses and validates a catalogue in the format of data/catalog.json.
// It reports every problem it finds, not just the first, so a data fix can
// be made in one pass.
func Load(data []byte) (*Catalog, error) {
	var raw rawCatalog
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}

	l := loader{c: &Catalog{
		itemIdx:     map[NewCode]int{},
		oldIdx:      map[OldCode]int{},
		limitIdx:    map[Limit]int{},
		mapIdx:      map[OldCode]int{},
		districtIdx: map[string]int{},
	}}
	l.meta(&raw)
	l.newItems(&raw)
	l.limits(&raw)
	l.oldItems(&raw)
	l.mappings(&raw)
	l.districts(&raw)
	if len(l.errs) > 0 {
		return nil, fmt.Errorf("catalog: %w", errors.Join(l.errs...))
	}
	return l.c, nil
}

type loader struct {
	c    *Catalog
	errs []error
}

func (l *loader) fail(format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf(format, args...))
}

func (l *loader) verification(where, level string) {
	for _, v := range verificationLabels {
		if v.level == level {
			return
		}
	}
	l.fail("%s: unknown verification level %q", where, level)
}

// meta pins the vocabularies the code branches on: a new mapping kind or
// verification level in the data must come with code that handles it.
func (l *loader) meta(raw *rawCatalog) {
	var kinds []string
	for k := range raw.Meta.MappingKinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	want := []string{string(KindCancelled), string(KindChoice), string(KindDirect), string(KindDirectOptionalExtra), string(KindUnknown)}
	if !slices.Equal(kinds, want) {
		l.fail("meta.mapping_kinds: have %v, the code handles %v", kinds, want)
	}
	var levels []string
	for k := range raw.Meta.VerificationLevels {
		levels = append(levels, k)
	}
	slices.Sort(levels)
	var known []string
	for _, v := range verificationLabels {
		known = append(known, v.level)
	}
	slices.Sort(known)
	if !slices.Equal(levels, known) {
		l.fail("meta.verification_levels: have %v, the code knows %v", levels, known)
	}
}

// codeText rejects codes that would make an ItemRef ambiguous to parse.
func codeText(s string) bool {
	if s == "" {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(":()（）", r) || unicode.IsLower(r)
	})
}

func (l *loader) newItems(raw *rawCatalog) {
	catNo := map[string]int{}
	for _, cat := range raw.NewCategories {
		if cat.Name == "" || cat.No <= 0 {
			l.fail("new_categories: bad entry %+v", cat)
			continue
		}
		if _, dup := catNo[cat.Name]; dup {
			l.fail("new_categories: duplicate %q", cat.Name)
			continue
		}
		catNo[cat.Name] = cat.No
		l.c.categories = append(l.c.categories, Category{No: cat.No, Name: cat.Name})
	}
	for i, ri := range raw.NewItems {
		where := fmt.Sprintf("new_items[%d] %s", i, ri.Name)
		it := Item{Name: ri.Name, Category: ri.Category, Verification: ri.Verification, Note: ri.Note}
		it.Code, it.Welding = itemCode[NewCode](ri)
		l.verification(where, ri.Verification)
		if !codeText(string(it.Code)) || ri.Name == "" {
			l.fail("%s: bad code %q", where, it.Code)
			continue
		}
		no, ok := catNo[ri.Category]
		if !ok {
			l.fail("%s: category %q not in new_categories", where, ri.Category)
			continue
		}
		it.CategoryNo = no
		if _, dup := l.c.itemIdx[it.Code]; dup {
			l.fail("%s: duplicate 2019 code %q", where, it.Code)
			continue
		}
		l.c.itemIdx[it.Code] = len(l.c.items)
		l.c.items = append(l.c.items, it)
	}
}

// itemCode applies the welding convention: TSG Z6001 gives the welding items
// no letter code (null in the data), so their name is their code in both
// editions, as old_to_new already writes them.
func itemCode[C ~string](ri rawItem) (C, bool) {
	if ri.Code == nil {
		return C(ri.Name), true
	}
	return C(*ri.Code), false
}

func (l *loader) limits(raw *rawCatalog) {
	q2, ok := l.c.Item(CraneDriver)
	if !ok {
		l.fail("new_items: %s missing, q2_limits cannot apply", CraneDriver)
		return
	}
	if len(raw.Q2Limits) == 0 {
		l.fail("q2_limits: empty, but every %s is issued with a limit (SOURCES §1a)", CraneDriver)
	}
	for i, rl := range raw.Q2Limits {
		where := fmt.Sprintf("q2_limits[%d] %s", i, rl.Limit)
		lim := Limit(rl.Limit)
		l.verification(where, rl.Verification)
		if !strings.HasPrefix(rl.Limit, "限") || strings.ContainsAny(rl.Limit, "()（）:") {
			l.fail("%s: a limit reads 限…, without brackets", where)
			continue
		}
		q := Qualification{Code: CraneDriver, Limit: lim}
		if want := q2.Name + "(" + rl.Limit + ")"; rl.Display != want {
			l.fail("%s: display %q, want %q", where, rl.Display, want)
		}
		if rl.CodeDisplay != q.String() {
			l.fail("%s: code_display %q, want %q", where, rl.CodeDisplay, q.String())
		}
		if _, dup := l.c.limitIdx[lim]; dup {
			l.fail("%s: duplicate limit", where)
			continue
		}
		l.c.limitIdx[lim] = len(l.c.limits)
		l.c.limits = append(l.c.limits, LimitInfo{Limit: lim, Verification: rl.Verification, PlatformXMID: rl.XMID})
	}
}

func (l *loader) oldItems(raw *rawCatalog) {
	catNo := map[string]int{}
	for _, cat := range raw.OldCategories {
		no, err := strconv.Atoi(cat.No)
		if err != nil || no <= 0 || cat.Name == "" {
			l.fail("old_categories: bad entry %+v", cat)
			continue
		}
		if _, dup := catNo[cat.Name]; dup {
			l.fail("old_categories: duplicate %q", cat.Name)
			continue
		}
		catNo[cat.Name] = no
		l.c.oldCategories = append(l.c.oldCategories, Category{No: no, Name: cat.Name})
	}
	for i, ri := range raw.OldItems {
		where := fmt.Sprintf("old_items[%d] %s", i, ri.Name)
		it := OldItem{Name: ri.Name, Category: ri.Category, Verification: ri.Verification, Note: ri.Note}
		it.Code, it.Welding = itemCode[OldCode](ri)
		l.verification(where, ri.Verification)
		if !codeText(string(it.Code)) || ri.Name == "" {
			l.fail("%s: bad code %q", where, it.Code)
			continue
		}
		no, ok := catNo[ri.Category]
		if !ok {
			l.fail("%s: category %q not in old_categories", where, ri.Category)
			continue
		}
		it.CategoryNo = no
		if _, dup := l.c.oldIdx[it.Code]; dup {
			l.fail("%s: duplicate 2011 code %q", where, it.Code)
			continue
		}
		l.c.oldIdx[it.Code] = len(l.c.oldItems)
		l.c.oldItems = append(l.c.oldItems, it)
	}
}

// mappings checks each 换发 rule against the 2019 items and limits and
// against the shape its kind promises (meta.mapping_kinds), so callers can
// rely on Fixed and Choices without re-checking.
func (l *loader) mappings(raw *rawCatalog) {
	for i, rm := range raw.OldToNew {
		where := fmt.Sprintf("old_to_new[%d] %s", i, rm.Old)
		old := OldCode(rm.Old)
		oi, ok := l.c.OldItem(old)
		if !ok {
			l.fail("%s: old code not in old_items", where)
			continue
		}
		if _, dup := l.c.mapIdx[old]; dup {
			l.fail("%s: second mapping for the same old code", where)
			continue
		}
		l.verification(where, rm.Verification)
		m := Mapping{Old: old, OldName: oi.Name, Kind: MappingKind(rm.Kind), Verification: rm.Verification, Note: rm.Note, ExtraRequiresScope: extraScopes[old]}
		m.Targets, m.targetNames = l.targets(where+" new", rm.New)
		m.OptionalExtra, m.extraNames = l.targets(where+" optional_extra", rm.OptionalExtra)
		for _, x := range m.OptionalExtra {
			if slices.Contains(m.Targets, x) {
				l.fail("%s: %s is both a target and an optional extra", where, x)
			}
		}
		nt, nx := len(m.Targets), len(m.OptionalExtra)
		switch m.Kind {
		case KindDirect:
			if nt != 1 || nx != 0 {
				l.fail("%s: direct needs exactly one target and no extras, has %d and %d", where, nt, nx)
			}
		case KindDirectOptionalExtra:
			if nt != 1 || nx == 0 {
				l.fail("%s: direct_optional_extra needs one target and at least one extra, has %d and %d", where, nt, nx)
			}
		case KindChoice:
			if nt < 2 || nx != 0 {
				l.fail("%s: choice needs two or more targets and no extras, has %d and %d", where, nt, nx)
			}
		case KindCancelled, KindUnknown:
			if nt != 0 || nx != 0 {
				l.fail("%s: %s has no successor, yet lists %d targets and %d extras", where, m.Kind, nt, nx)
			}
		default:
			l.fail("%s: unknown kind %q", where, rm.Kind)
		}
		l.c.mapIdx[old] = len(l.c.mappings)
		l.c.mappings = append(l.c.mappings, m)
	}
	for _, oi := range l.c.oldItems {
		if _, ok := l.c.mapIdx[oi.Code]; !ok {
			l.fail("old_items %s %s: no entry in old_to_new", oi.Code, oi.Name)
		}
	}
}

func (l *loader) targets(where string, codes []string) ([]Qualification, []string) {
	var qs []Qualification
	var names []string
	for _, s := range codes {
		code, limit, err := splitQualification(s)
		if err != nil {
			l.fail("%s: %q: %v", where, s, err)
			continue
		}
		q := Qualification{Code: NewCode(code), Limit: Limit(limit)}
		if q.String() != s {
			l.fail("%s: %q is not written canonically (%q)", where, s, q.String())
		}
		if err := l.c.CheckQualification(q); err != nil {
			l.fail("%s: %q: %v", where, s, err)
			continue
		}
		if slices.Contains(qs, q) {
			l.fail("%s: %q listed twice", where, s)
			continue
		}
		qs = append(qs, q)
		names = append(names, q.Name(l.c))
	}
	return qs, names
}

func (l *loader) districts(raw *rawCatalog) {
	for i, rd := range raw.Districts {
		where := fmt.Sprintf("shanghai_districts[%d] %s", i, rd.Name)
		l.verification(where, rd.Verification)
		if len(rd.Code) != 6 || !strings.HasPrefix(rd.Code, "31") || strings.Trim(rd.Code, "0123456789") != "" || rd.Name == "" {
			l.fail("%s: bad code %q", where, rd.Code)
			continue
		}
		if n := len(l.c.districts); n > 0 && rd.Code <= l.c.districts[n-1].Code {
			l.fail("%s: code %q duplicate or out of order", where, rd.Code)
			continue
		}
		l.c.districtIdx[rd.Code] = len(l.c.districts)
		l.c.districts = append(l.c.districts, District{Code: rd.Code, Name: rd.Name})
	}
	if len(l.c.districts) != 16 {
		l.fail("shanghai_districts: %d districts, Shanghai has 16 (SOURCES §6)", len(l.c.districts))
	}
}
