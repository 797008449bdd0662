package application

import (
	"fmt"
	"strconv"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

// Offer is what a matter lets the applicant choose from on the page after
// 立即办理 (seed 000 复审项目选择; seed 001 第二部分 5–6): the 复审 rows, the
// lines that can be reissued, and the exam results that can be cited.
type Offer struct {
	Matter  Matter
	Holding registry.Holding
	// Found reports that the registry has the holder under the logged-in
	// 证件号码 with at least one certificate.
	Found   bool
	Renewal RenewalList // 复审
	Reissue []Option    // 补证
	Results []ExamResult
	// UnderWay are the items of the applicant's applications already under
	// way: one active application per person and item, so they are offered
	// greyed, with a link to that application.
	UnderWay []UnderWay
}

// UnderWay is an item of an application under way.
type UnderWay struct {
	Key           string // FormItem.Key: the 2019 item, or an old line's ref
	WeldCode      string
	ApplicationID int64
	Number        string
}

// underWay finds the application under way for an item, if any.
func (o Offer) underWay(key, weld string) (UnderWay, bool) {
	for _, u := range o.UnderWay {
		if u.Key == key && u.WeldCode == weld {
			return u, true
		}
	}
	return UnderWay{}, false
}

// ItemUnderWay is the application under way for a 新办/增项 item, if any.
func (o Offer) ItemUnderWay(q catalog.Qualification) (UnderWay, bool) {
	for _, u := range o.UnderWay {
		if u.Key == q.String() {
			return u, true
		}
	}
	return UnderWay{}, false
}

// UnderWayReason is why a row already under way cannot be chosen.
func UnderWayReason(u UnderWay) string {
	return "已有正在办理的申请（申请号 " + u.Number + "），不能重复申请"
}

// NewOffer builds what m offers to the holder of h, who can cite results.
func NewOffer(m Matter, h registry.Holding, found bool, results []ExamResult, underWay []UnderWay, today civil.Date, p Policy, cat *catalog.Catalog) Offer {
	if cat == nil {
		cat = catalog.Default()
	}
	o := Offer{Matter: m, Holding: h, Found: found, Results: results, UnderWay: underWay}
	switch m {
	case MatterRenew:
		o.Renewal = RenewalOptions(h, cat, today, p)
		for i, opt := range o.Renewal.Options {
			for _, q := range opt.Targets() {
				if u, ok := o.underWay(q.String(), opt.Item.WeldCode); ok && opt.Selectable {
					o.Renewal.Options[i].Selectable, o.Renewal.Options[i].Reason, o.Renewal.Options[i].UnderWay = false, UnderWayReason(u), u.ApplicationID
				}
			}
		}
	case MatterReissue:
		o.Reissue = ReissueOptions(h, today, cat)
		for i, opt := range o.Reissue {
			key := opt.Item.Ref.String()
			if q, ok := opt.Item.Ref.New(); ok {
				key = q.String()
			}
			if u, ok := o.underWay(key, opt.Item.WeldCode); ok && opt.Selectable {
				o.Reissue[i].Selectable, o.Reissue[i].Reason, o.Reissue[i].UnderWay = false, UnderWayReason(u), u.ApplicationID
			}
		}
	}
	return o
}

// ReissueOptions are the lines a 补证 can copy: valid and not expired, and
// not a cancelled old item (seed 000 关于复审 第4点: 已取消的项目不再进行复审或者
// 补发). Each row's Key is "i-j", certificate i, line j.
func ReissueOptions(h registry.Holding, today civil.Date, cat *catalog.Catalog) []Option {
	var out []Option
	for i, c := range h.Certificates {
		for j, it := range c.Items {
			if it.Status != registry.ItemValid || it.ExpiredOn(today) {
				continue
			}
			if old, ok := it.Ref.Old(); ok {
				if m, _ := cat.Mapping(old); !m.Renewable() {
					continue
				}
			}
			code, name, _, _ := cat.Describe(it.Ref)
			o := Option{CertificateNumber: c.Number, Item: it, Code: code, Name: name, IssuedBy: it.IssuedBy,
				Selectable: true, Key: fmt.Sprintf("%d-%d", i, j)}
			if !IssuedInShanghai(cat, it.IssuedBy) {
				// 补证 is the 原发证机关's (the guide page; SOURCES.md §3).
				o.Selectable, o.Reason = false, "原发证机关为"+it.IssuedBy+"，请向原发证机关申请补发"
			}
			out = append(out, o)
		}
	}
	return out
}

// Picks are the applicant's choices on that page, as posted: the rows
// ticked ("item": a 复审 row number, a 2019 qualification for 新办/增项, a
// 补证 row key) and, per row, the chosen 2019 item, the optional extras and
// the exam result cited.
type Picks struct {
	Items  []string
	Target func(row string) string
	Extras func(row string) []string
	Exam   func(row string) string
}

// Choose turns the picks into the items of a new application, or says what
// is wrong with them, all at once.
func (o Offer) Choose(pk Picks, today civil.Date, cat *catalog.Catalog) ([]FormItem, Problems) {
	if cat == nil {
		cat = catalog.Default()
	}
	switch o.Matter {
	case MatterRenew:
		return o.chooseRenewal(pk, cat)
	case MatterNew, MatterAdd:
		return o.chooseItems(pk, today, cat)
	case MatterReissue:
		return o.chooseReissue(pk, cat)
	}
	return nil, Problems{{Field: "items", Message: "申请事项无效"}}
}

func (o Offer) chooseRenewal(pk Picks, cat *catalog.Catalog) ([]FormItem, Problems) {
	list := o.Renewal
	var sel []Selection
	for _, v := range pk.Items {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(list.Options) {
			continue
		}
		opt := list.Options[i]
		x := Selection{OptionIndex: i, CertificateNumber: opt.CertificateNumber, Ref: opt.Item.Ref, WeldCode: opt.Item.WeldCode}
		var chosen []string
		if t := pk.Target(v); t != "" {
			chosen = append(chosen, t)
		} else if q, ok := opt.Mapping.Fixed(); ok && len(pk.Extras(v)) > 0 {
			chosen = append(chosen, q.String())
		}
		chosen = append(chosen, pk.Extras(v)...)
		for _, c := range chosen {
			if q, err := cat.ParseQualification(c); err == nil {
				x.Chosen = append(x.Chosen, q)
			}
		}
		x.ExamResultID, _ = strconv.ParseInt(pk.Exam(v), 10, 64)
		sel = append(sel, x)
	}
	if problems := CheckRenewalSelection(sel, list, o.Results, cat); len(problems) > 0 {
		return nil, problems
	}
	var items []FormItem
	for _, x := range sel {
		opt := list.Options[x.OptionIndex]
		targets := x.Chosen
		if len(targets) == 0 {
			q, _ := opt.Mapping.Fixed()
			targets = []catalog.Qualification{q}
		}
		fi := FormItem{RegistryItemID: opt.Item.ID, From: opt.Item.Ref.String(), Target: targets[0].String(), WeldCode: opt.Item.WeldCode,
			ExamResultID: x.ExamResultID, ValidUntil: opt.Item.ValidUntil.String(), IssuedBy: opt.IssuedBy}
		for _, q := range targets[1:] {
			fi.Extras = append(fi.Extras, q.String())
		}
		items = append(items, fi)
	}
	return items, nil
}

func (o Offer) chooseItems(pk Picks, today civil.Date, cat *catalog.Catalog) ([]FormItem, Problems) {
	var req []ItemRequest
	var problems Problems
	for _, v := range pk.Items {
		q, err := cat.ParseQualification(v)
		if err != nil {
			problems = append(problems, Problem{Field: "items", Message: err.Error()})
			continue
		}
		if it, _ := cat.Item(q.Code); !it.Welding {
			if u, ok := o.ItemUnderWay(q); ok {
				problems = append(problems, Problem{Field: "items", Message: q.String() + " " + q.Name(cat) + "：" + UnderWayReason(u)})
				continue
			}
		}
		id, _ := strconv.ParseInt(pk.Exam(v), 10, 64)
		req = append(req, ItemRequest{Item: q, ExamResultID: id})
	}
	problems = append(problems, CheckItemSelection(o.Matter, req, &o.Holding, o.Results, today, cat)...)
	if len(problems) > 0 {
		return nil, problems
	}
	var items []FormItem
	for _, x := range req {
		fi := FormItem{Target: x.Item.String(), ExamResultID: x.ExamResultID}
		for _, res := range o.Results {
			if res.ID == x.ExamResultID {
				fi.WeldCode = res.WeldCode
			}
		}
		items = append(items, fi)
	}
	return items, nil
}

func (o Offer) chooseReissue(pk Picks, cat *catalog.Catalog) ([]FormItem, Problems) {
	var items []FormItem
	var problems Problems
	for _, row := range o.Reissue {
		for _, v := range pk.Items {
			if v != row.Key {
				continue
			}
			if !row.Selectable {
				problems = append(problems, Problem{Field: "items", Message: row.Name + "不可补发：" + row.Reason})
				continue
			}
			// 补证 copies what the holder has, an old item under its old
			// code: turning it into a 2019 item is 复审's 换发, with its own
			// conditions (TSG Z6001-2019; seed 000 关于复审), not a reprint.
			fi := FormItem{RegistryItemID: row.Item.ID, From: row.Item.Ref.String(),
				WeldCode: row.Item.WeldCode, ValidUntil: row.Item.ValidUntil.String(), IssuedBy: row.IssuedBy}
			if q, ok := row.Item.Ref.New(); ok {
				fi.Target = q.String()
			}
			items = append(items, fi)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(items) == 0 {
		return nil, Problems{{Field: "items", Message: "请选择需要补发的作业项目"}}
	}
	f := Form{Matter: MatterReissue, Items: items}
	if rt := f.Route(cat); rt.Code == "" && len(rt.Problems) > 0 && rt.Problems[0].Field == "items" {
		return nil, Problems{rt.Problems[0]}
	}
	return items, nil
}

// NewForm is the draft of a new application, prefilled from the account
// and the registry (seed 000 3.2: 系统会自动带出部分原证书的信息).
func NewForm(m Matter, h registry.Holder, mobile, authorityCode string, items []FormItem, manual *Manual) Form {
	return Form{Matter: m, Items: items, Manual: manual,
		Applicant: Person{Name: h.Name, IDType: string(h.IDType), IDNumber: h.IDNumber, Sex: h.Sex, BirthDate: h.BirthDate.String(), Mobile: mobile},
		Routing:   Choice{Code: authorityCode}}
}
