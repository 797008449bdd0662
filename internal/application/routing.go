package application

import (
	"strings"

	"opcert/internal/authority"
	"opcert/internal/catalog"
)

// SpecialCase is one of the two situations in which the 基本信息 page lets
// the applicant choose the 受理机构 (seed 000, 3.2, the two options under
// * 受理机构).
type SpecialCase int

const (
	SpecialNone SpecialCase = iota
	// IssuedHereLivesElsewhere: 原证书由上海发证，申请人既不在上海工作，也非
	// 上海户籍/居住证. Nothing in Shanghai can be matched.
	IssuedHereLivesElsewhere
	// IssuedElsewhereWorksHere: 原证书非上海发证，申请人当前在上海工作或持有
	// 上海户籍/居住证.
	IssuedElsewhereWorksHere
)

// The special cases as the seed words them (seed 000, 3.2). The OCR'd seed
// shows ASCII commas; the page uses the full-width comma of Chinese text.
const (
	LabelIssuedHereLivesElsewhere = "原证书由上海发证，申请人既不在上海工作，也非上海户籍/居住证"
	LabelIssuedElsewhereWorksHere = "原证书非上海发证，申请人当前在上海工作或持有上海户籍/居住证"
)

// SpecialCases are the choices in the order the seed lists them.
var SpecialCases = []SpecialCase{IssuedHereLivesElsewhere, IssuedElsewhereWorksHere}

// Label is the seed's wording; empty for SpecialNone.
func (s SpecialCase) Label() string {
	switch s {
	case IssuedHereLivesElsewhere:
		return LabelIssuedHereLivesElsewhere
	case IssuedElsewhereWorksHere:
		return LabelIssuedElsewhereWorksHere
	}
	return ""
}

// String is the value stored in Form.Routing.SpecialCase.
func (s SpecialCase) String() string {
	switch s {
	case IssuedHereLivesElsewhere:
		return "issued_here_lives_elsewhere"
	case IssuedElsewhereWorksHere:
		return "issued_elsewhere_works_here"
	}
	return ""
}

// ParseSpecialCase reads Form.Routing.SpecialCase; "" is SpecialNone.
func ParseSpecialCase(s string) (SpecialCase, bool) {
	switch s {
	case "":
		return SpecialNone, true
	case "issued_here_lives_elsewhere":
		return IssuedHereLivesElsewhere, true
	case "issued_elsewhere_works_here":
		return IssuedElsewhereWorksHere, true
	}
	return SpecialNone, false
}

// RoutingInput is what the 基本信息 page knows when it matches the 受理机构.
type RoutingInput struct {
	// Items are the 2019 items applied for (after 换发 for a 复审).
	Items []catalog.Qualification
	// EmployerDistrict is the district code of the employer's registered
	// address (seed 000, 3.2 注: "由系统自动同步带出的单位地址均是单位的注册地址");
	// HouseholdDistrict that of the 户籍/居住证 address. "" when not in
	// Shanghai or not known. Retired codes (卢湾, 闸北, 南汇, 崇明县) are read
	// as their successors.
	EmployerDistrict, HouseholdDistrict string
	SpecialCase                         SpecialCase
	// Chosen is the district the applicant picked in a special case.
	Chosen string
	// Reissue marks a 补证, routed to the 原发证机关 of its lines (Issuers).
	Reissue bool
	Issuers []string
	// Catalog supplies the districts; nil means catalog.Default().
	Catalog *catalog.Catalog
}

// Routing is the matched 受理机构.
type Routing struct {
	Code string // district code, e.g. 310104; "" when nothing could be matched
	Name string // 徐汇区市场监督管理局
	// Fixed reports that the applicant may not change it.
	Fixed    bool
	Reason   string
	Problems []Problem
}

// Reasons a 受理机构 was matched, shown beside the field.
const (
	ReasonR3        = "R3项目统一由杨浦区市场监督管理局受理"
	ReasonEmployer  = "按单位注册地址所在区匹配"
	ReasonHousehold = "按户籍/居住证地址所在区匹配"
	ReasonSpecial   = "特殊情形，由申请人选择"
	ReasonIssuer    = "补证由原发证机关办理"
)

// retiredDistricts maps district codes that no longer exist to the
// district that absorbed them, since ID cards and old addresses keep them
// (SOURCES.md §6; unverified recollection there, but the mergers are
// public record: 卢湾→黄浦 2011, 闸北→静安 2015, 南汇→浦东 2009, 崇明县→崇明区
// 2016).
var retiredDistricts = map[string]string{
	"310103": "310101",
	"310108": "310106",
	"310119": "310115",
	"310230": "310151",
}

// AcceptingAuthority matches the 受理机构 (seed 000, 3.2: "受理机构会根据单位
// 所在地址或申请人户籍地址由系统自动匹配"):
//
//  1. any R3 item → 杨浦区, fixed (seed 000, 3.2 注2; authority.R3Code);
//     a 补证 → the district bureau that issued its lines, fixed (the guide
//     page: 证书遗失或者损毁的，向原发证机关申请补发; SOURCES.md §3 补证), unless
//     they were issued by a city-level body, when the rules below apply;
//  2. a special case → the applicant's choice (seed 000, 3.2, the two
//     options), pre-filled with the matched district where there is one;
//  3. the employer's registered district, fixed;
//  4. the 户籍/居住证 district, fixed;
//  5. otherwise nothing, with a Problem asking for 单位 or 户籍地址.
//
// The employer comes before the household because the seed names it first
// and the welders' guide says "受理机构默认单位所属区市场监督管理局" (seed 001
// 第二部分 7).
func AcceptingAuthority(in RoutingInput) Routing {
	cat := in.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	for _, q := range in.Items {
		if isR3(q) {
			return routed(cat, authority.R3Code, true, ReasonR3)
		}
	}
	if in.Reissue {
		if r, ok := byIssuer(cat, in.Issuers); ok {
			return r
		}
	}
	employer := shanghaiDistrict(cat, in.EmployerDistrict)
	household := shanghaiDistrict(cat, in.HouseholdDistrict)
	matched, why := employer, ReasonEmployer
	if matched == "" {
		matched, why = household, ReasonHousehold
	}

	switch in.SpecialCase {
	case SpecialNone:
	case IssuedHereLivesElsewhere, IssuedElsewhereWorksHere:
		return special(cat, in, matched)
	default:
		return Routing{Problems: []Problem{{Field: "special_case", Message: "受理机构的特殊情形选项无效，请重新选择"}}}
	}
	if matched != "" {
		return routed(cat, matched, true, why)
	}
	return Routing{Problems: []Problem{{Field: "authority", Message: "无法自动匹配受理机构：请填写单位信息（点击“同步单位信息”带出单位注册地址）或户籍地址/居住证地址；如属“" +
		LabelIssuedHereLivesElsewhere + "”或“" + LabelIssuedElsewhereWorksHere + "”的情形，请勾选后选择受理机构"}}}
}

func special(cat *catalog.Catalog, in RoutingInput, matched string) Routing {
	if in.SpecialCase == IssuedHereLivesElsewhere && matched != "" {
		return Routing{Problems: []Problem{{Field: "special_case", Message: "您填写的单位地址或户籍/居住证地址在上海，不属于“" + LabelIssuedHereLivesElsewhere + "”的情形"}}}
	}
	if in.SpecialCase == IssuedElsewhereWorksHere && matched == "" {
		return Routing{Problems: []Problem{{Field: "special_case", Message: "选择“" + LabelIssuedElsewhereWorksHere + "”时，请填写在上海的单位信息或上海户籍/居住证地址"}}}
	}
	if in.Chosen != "" {
		code := shanghaiDistrict(cat, in.Chosen)
		if code == "" {
			return Routing{Problems: []Problem{{Field: "authority", Message: "所选受理机构不是上海市的区市场监督管理局，请重新选择"}}}
		}
		return routed(cat, code, false, ReasonSpecial)
	}
	if matched != "" {
		return routed(cat, matched, false, ReasonSpecial)
	}
	return Routing{Reason: ReasonSpecial, Problems: []Problem{{Field: "authority", Message: "请选择受理机构"}}}
}

// byIssuer routes a 补证 to the one district bureau that issued its lines;
// ok is false when a city-level body issued them (the usual matching then
// applies).
func byIssuer(cat *catalog.Catalog, issuers []string) (Routing, bool) {
	codes := map[string]bool{}
	var names []string
	for _, name := range issuers {
		code := IssuerDistrict(cat, name)
		if code == "" {
			continue
		}
		if !codes[code] {
			names = append(names, name)
		}
		codes[code] = true
	}
	switch len(codes) {
	case 0:
		return Routing{}, false
	case 1:
		for code := range codes {
			return routed(cat, code, true, ReasonIssuer), true
		}
	}
	return Routing{Problems: []Problem{{Field: "items", Message: "所选项目的原发证机关不同（" + strings.Join(names, "、") + "），补证由原发证机关办理，请按原发证机关分别申请"}}}, true
}

// IssuerDistrict is the district of a Shanghai district bureau named as a
// 发证机关 ("徐汇区市场监督管理局"), "" for any other issuer.
func IssuerDistrict(cat *catalog.Catalog, issuer string) string {
	for _, d := range cat.Districts() {
		if issuer == d.Name+"市场监督管理局" || issuer == "上海市"+d.Name+"市场监督管理局" {
			return d.Code
		}
	}
	return ""
}

// IssuedInShanghai reports an issuer of this service's city: a district
// bureau, or a city-level body of 上海市.
func IssuedInShanghai(cat *catalog.Catalog, issuer string) bool {
	return IssuerDistrict(cat, issuer) != "" || strings.HasPrefix(issuer, "上海市")
}

func routed(cat *catalog.Catalog, code string, fixed bool, why string) Routing {
	r := Routing{Code: code, Fixed: fixed, Reason: why}
	if d, ok := cat.District(code); ok {
		r.Name = d.Name + "市场监督管理局"
	}
	return r
}

// shanghaiDistrict returns the current code of a Shanghai district code,
// or "" for anything else (another province, the city code 310000, junk).
func shanghaiDistrict(cat *catalog.Catalog, code string) string {
	if c, ok := retiredDistricts[code]; ok {
		code = c
	}
	if _, ok := cat.District(code); ok {
		return code
	}
	return ""
}

// isR3 reports the 2019 item R3 氧舱维护保养; the old R3 renews into it
// directly, so renewal rows are checked through their targets.
func isR3(q catalog.Qualification) bool { return q.Code == "R3" }
