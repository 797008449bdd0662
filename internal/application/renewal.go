package application

import (
	"fmt"
	"slices"
	"strings"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

// Window is when one certificate item may be renewed (seed 000, 复审项目选择
// 第1点: blue rows selectable, grey rows "不符合办理时限要求").
type Window struct {
	// Opens is the first day a 复审 may be filed: 有效期至 minus
	// Policy.RenewalLeadMonths (seed 000, 关于复审 第2点: 2020年5月20日到期 →
	// 2020年2月20日).
	Opens civil.Date
	// Closes is the last day: 有效期至, or zero when the policy's reopening
	// keeps an expired item renewable without an end date.
	Closes civil.Date
	// Open reports whether today lies in the window and the item is still
	// in force.
	Open bool
	// Reopened is set when the window is open only because of
	// Policy.ReopenExpiredSince.
	Reopened bool
	// Reason says in Chinese why the window is closed, or, when Reopened,
	// which policy keeps it open. Empty for an ordinary open window.
	Reason string
}

// RenewalWindow decides whether the item is renewable on today. Status comes
// first: an item already renewed (已换发) or cancelled (已注销) is never
// renewable again, whatever its dates. The window runs to 有效期至
// inclusive, because the item is still valid that day.
func RenewalWindow(it registry.Item, today civil.Date, p Policy) Window {
	switch it.Status {
	case registry.ItemSuperseded:
		return Window{Reason: "该项目已复审换发，请在新的项目上办理"}
	case registry.ItemRevoked:
		return Window{Reason: "该项目已注销，不能申请复审"}
	case registry.ItemValid:
	default:
		return Window{Reason: "该项目状态不明，不能在线申请复审，请联系受理机关"}
	}
	if it.ValidUntil.IsZero() {
		return Window{Reason: "该项目缺少有效期，无法判断复审时限，请联系受理机关"}
	}
	w := Window{Opens: it.ValidUntil.AddMonths(-p.RenewalLeadMonths), Closes: it.ValidUntil}
	until := it.ValidUntil.Chinese()
	switch {
	case today.Before(w.Opens):
		w.Reason = fmt.Sprintf("有效期至%s，%s起可申请复审", until, w.Opens.Chinese())
	case !today.After(it.ValidUntil):
		w.Open = true
	case !p.ReopenExpiredSince.IsZero() && !it.ValidUntil.Before(p.ReopenExpiredSince):
		w.Open, w.Reopened, w.Closes = true, true, civil.Date{}
		w.Reason = fmt.Sprintf("有效期至%s，已过期；按有效期至%s起过期的项目仍可复审的规定，可以申请复审", until, p.ReopenExpiredSince.Chinese())
	case !p.ReopenExpiredSince.IsZero():
		w.Reason = fmt.Sprintf("有效期至%s，早于%s，已超过可申请复审的期限；如需继续从事该项作业，须重新申请取证", until, p.ReopenExpiredSince.Chinese())
	default:
		w.Reason = fmt.Sprintf("有效期至%s，已超过有效期，不能申请复审；如需继续从事该项作业，须重新申请取证", until)
	}
	return w
}

// Option is one row of the 复审项目选择 table.
type Option struct {
	CertificateNumber string
	Item              registry.Item
	// Code, Name and Category are what the row shows: an old item keeps its
	// old code, name and category (seed 000 3.2: "(原)项目名称(代号)"), a new
	// item its 2019 ones.
	Code, Name, Category string
	// Display is the seed's "(原)项目名称(代号)" cell: "流动式起重机司机[Q8]",
	// "起重机司机(限流动式起重机)[Q2]", "金属焊接操作[SMAW-FeⅡ-6G(K)-9/57-Fef3J]".
	Display    string
	IssuedBy   string
	Window     Window
	Selectable bool
	// Reason is why the row is grey (empty when Selectable).
	Reason string
	// Old reports an item of the 2011 catalogue.
	Old bool
	// Mapping is the 换发 rule: the catalogue's for an old item; for a new
	// item a direct rule onto itself (Old is then empty, and Reason() of
	// this Mapping is not meant to be shown).
	Mapping catalog.Mapping
	// Welding items need a passed exam before 复审 (seed 000, 关于复审 第3点).
	Welding bool
	// Key names the row in a posted form where its position does not (补证:
	// "i-j", certificate i, line j).
	Key string
	// UnderWay is the application already under way for the row, which is
	// then greyed with a link to it.
	UnderWay int64
}

// Targets are the 2019 items the row can renew into.
func (o Option) Targets() []catalog.Qualification { return slices.Clone(o.Mapping.Targets) }

// MappingNote is the 换发 line for an old item ("原项目Q8流动式起重机司机换发为…"),
// empty for a new item, which is renewed as it is.
func (o Option) MappingNote() string {
	if !o.Old {
		return ""
	}
	return o.Mapping.Reason()
}

// IsR3 reports whether renewing the row leads to R3 氧舱维护保养, which only
// 杨浦区 handles and which cannot be combined with other items (seed 000,
// 复审项目选择 第3点).
func (o Option) IsR3() bool {
	return slices.ContainsFunc(o.Mapping.Targets, isR3)
}

// NotOffered is an item the holder has that 复审 does not list, with the
// line saying why (seed 000, 关于复审 第4点: "已取消的项目不再进行复审或者补发，
// 复审查询时不显示").
type NotOffered struct {
	CertificateNumber string
	Item              registry.Item
	Code, Name        string
	Mapping           catalog.Mapping
	Reason            string
}

// RenewalList is what the 复审项目选择 page shows.
type RenewalList struct {
	Options    []Option
	NotOffered []NotOffered
}

// NothingToRenew reports that no row can be chosen, the case in which the
// seed's checklist a–d is shown.
func (l RenewalList) NothingToRenew() bool {
	for _, o := range l.Options {
		if o.Selectable {
			return false
		}
	}
	return true
}

// Selectable lists the rows that can be chosen.
func (l RenewalList) Selectable() []Option {
	var out []Option
	for _, o := range l.Options {
		if o.Selectable {
			out = append(out, o)
		}
	}
	return out
}

// RenewalOptions lists every item of the holding for 复审, in certificate
// order. Old items whose 换发 rule is cancelled, or unknown (old N1 车辆维修,
// SOURCES.md §8.8), are not offered; neither is an item the catalogue does
// not know, which would otherwise become a silently blank row.
func RenewalOptions(h registry.Holding, cat *catalog.Catalog, today civil.Date, p Policy) RenewalList {
	if cat == nil {
		cat = catalog.Default()
	}
	var l RenewalList
	for _, c := range h.Certificates {
		for _, it := range c.Items {
			code, name, category, known := cat.Describe(it.Ref)
			if !known {
				l.NotOffered = append(l.NotOffered, NotOffered{
					CertificateNumber: c.Number, Item: it, Code: it.Ref.String(),
					Reason: fmt.Sprintf("项目“%s”不在作业项目目录中，不能在线复审，请联系受理机关", it.Ref),
				})
				continue
			}
			o := Option{
				CertificateNumber: c.Number, Item: it, Code: code, Name: name, Category: category,
				IssuedBy: it.IssuedBy,
			}
			if oc, old := it.Ref.Old(); old {
				o.Old = true
				m, _ := cat.Mapping(oc)
				m = m.ForScope(it.Scope)
				o.Mapping = m
				if !m.Renewable() {
					l.NotOffered = append(l.NotOffered, NotOffered{
						CertificateNumber: c.Number, Item: it, Code: code, Name: name, Mapping: m, Reason: m.Reason(),
					})
					continue
				}
				oi, _ := cat.OldItem(oc)
				o.Welding = oi.Welding
			} else {
				q, _ := it.Ref.New()
				ni, _ := cat.Item(q.Code)
				o.Welding = ni.Welding
				o.Mapping = catalog.Mapping{OldName: name, Kind: catalog.KindDirect, Targets: []catalog.Qualification{q}}
				code = string(q.Code)
			}
			o.Display = display(name, code, it.WeldCode, o.Welding)
			o.Window = RenewalWindow(it, today, p)
			o.Selectable = o.Window.Open
			if !o.Selectable {
				o.Reason = o.Window.Reason
			}
			l.Options = append(l.Options, o)
		}
	}
	return l
}

// display writes "名称[代号]" as the seed does; a welding item's code is its
// name, so the bracket carries the welder's project code instead.
func display(name, code, weldCode string, welding bool) string {
	if welding {
		if weldCode == "" {
			return name
		}
		return name + "[" + weldCode + "]"
	}
	return name + "[" + code + "]"
}

// ChecklistLine is one point of the seed's "查询不到待复审作业项目" checklist.
type ChecklistLine struct {
	Code    string // "a" … "d", as numbered in seed 000, 关于复审 第5点
	Text    string
	Applies bool // the system itself found this to be the cause
}

// QueryPath is where the seed sends holders to check renewed items (seed
// 000, 关于复审 第5点 d and 3.6).
const QueryPath = "上海市市场监督管理局官网（http://scjgj.sh.gov.cn/）首页>>便民服务>>特种设备业务查询>>特种设备作业人员资质"

// NothingFoundChecklist fills the seed's checklist a–d (seed 000, 关于复审
// 第5点) with what the registry shows, instead of leaving the applicant with
// an empty list (DESIGN.md: a mismatch "must be explainable to the
// applicant"). h is the holding found under the logged-in 证件号码, found
// reports whether there was one. Every line is returned; Applies marks those
// the system can confirm, and their Text says what it found.
func NothingFoundChecklist(h *registry.Holding, found bool, list RenewalList, today civil.Date) []ChecklistLine {
	hasCert := found && h != nil && len(h.Certificates) > 0
	lines := []ChecklistLine{
		{Code: "a", Text: "请确认一网通办当前登录用户为申请人本人实名登录；如登录正确仍查询不到，请确认原证书证号与现在使用的身份证号是否一致，以及一网通办实名认证的身份证号是否正确。"},
		{Code: "b", Text: "请确认原证书证号与实际身份证号是否一致，例如原项目取证时申报信息错误导致证号与身份证号不一致，或者身份证号发生过变更。"},
		{Code: "c", Text: "请确认需要复审的项目是否在有效期届满前三个月内（复审可提前三个月申报）。"},
		{Code: "d", Text: "请确认作业项目是否已经复审过，证书信息可在" + QueryPath + "查询。"},
	}
	if !hasCert {
		lines[0].Applies = true
		lines[0].Text = "系统按您登录账号的证件号码未查询到任何特种设备作业人员证书。请确认一网通办当前登录用户为申请人本人实名登录，且实名认证的身份证号正确；如原证书证号与现在使用的身份证号不一致，系统无法按证件号码查到证书，请联系发证机关核实；外地发证或在外地复审过的证书，请使用“手工录入”。"
		return lines
	}
	if h.NumberDiffers() {
		var nums []string
		for _, c := range h.Certificates {
			if c.Number != h.Holder.IDNumber {
				nums = append(nums, c.Number)
			}
		}
		lines[1].Applies = true
		lines[1].Text = fmt.Sprintf("您名下证书编号%s与您的证件号码不一致（可能是原取证时申报信息有误或身份证号发生过变更），请携带身份证明联系发证机关更正证书信息。", strings.Join(nums, "、"))
	}
	if c, ok := windowLine(list, today); ok {
		lines[2].Applies = true
		lines[2].Text = c
	}
	var renewed []string
	for _, o := range list.Options {
		if o.Item.Status == registry.ItemSuperseded {
			renewed = append(renewed, o.Display)
		}
	}
	if len(renewed) > 0 {
		lines[3].Applies = true
		lines[3].Text = fmt.Sprintf("以下作业项目已经复审（已换发）：%s。证书信息可在%s查询。", strings.Join(renewed, "、"), QueryPath)
	}
	return lines
}

// windowLine explains point c: in-force items exist but none is inside its
// window. It names the earliest day one opens, or says that all have
// expired.
func windowLine(list RenewalList, today civil.Date) (string, bool) {
	var inForce []Option
	for _, o := range list.Options {
		if o.Item.Status == registry.ItemValid && !o.Item.ValidUntil.IsZero() {
			if o.Window.Open {
				return "", false
			}
			inForce = append(inForce, o)
		}
	}
	if len(inForce) == 0 {
		return "", false
	}
	var next *Option
	for i := range inForce {
		o := &inForce[i]
		if o.Window.Opens.After(today) && (next == nil || o.Window.Opens.Before(next.Window.Opens)) {
			next = o
		}
	}
	if next != nil {
		return fmt.Sprintf("您的作业项目目前均不在复审办理时限内。最早可于%s起申请复审：%s，有效期至%s。",
			next.Window.Opens.Chinese(), next.Display, next.Item.ValidUntil.Chinese()), true
	}
	return "您的作业项目均已超过有效期，不能申请复审；如需继续从事相关作业，须重新申请取证。", true
}
