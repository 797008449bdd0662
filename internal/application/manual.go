package application

import (
	"fmt"
	"strings"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/weldcode"
)

// ManualCertificate is a certificate typed in by the applicant (seed 000,
// 复审项目选择 第2点 and the 手工录入 dialog): one issued outside Shanghai, or
// renewed outside Shanghai, that the registry does not hold. It then goes
// through the same 复审 rules (DESIGN.md).
type ManualCertificate struct {
	Name       string // * 姓名
	CertNumber string // * 证件编号
	IDType     string // * 证件类型, one of registry.IDTypes
	IDNumber   string // * 证件号码
	IssuedBy   string // 发证机关, kept as typed (e.g. 苏州市市场监督管理局)
	IssuedOn   civil.Date
	Items      []ManualCertificateItem // * 项目
}

// ManualCertificateItem is one row of the dialog's item table: 项目代号, 项目名称,
// 项目种类, 有效期起, 有效期止. Ref may be of either edition: out-of-town
// certificates awaiting 复审 still carry 2011 items (the seed's example
// lists R3 and T1 valid to 2020).
type ManualCertificateItem struct {
	Ref                   catalog.ItemRef
	WeldCode              string
	Name, Category        string // as typed; empty means the catalogue's
	ValidFrom, ValidUntil civil.Date
}

// Validate checks the dialog with the embedded catalogue. See ValidateIn.
func (m ManualCertificate) Validate(today civil.Date) []Problem {
	return m.ValidateIn(today, catalog.Default())
}

// ValidateIn checks the fields the seed marks * (姓名, 证件编号, 证件类型,
// 证件号码, 项目) and what makes the rows usable for 复审: each item known to
// the catalogue, listed once, with a validity no longer than the four years
// an item is granted for (SOURCES.md §3) and not starting in the future.
// The proof photos are materials (RequiredMaterials with ManualEntry).
func (m ManualCertificate) ValidateIn(today civil.Date, cat *catalog.Catalog) []Problem {
	var out []Problem
	add := func(field, format string, args ...any) {
		out = append(out, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(m.Name) == "" {
		add("manual.name", "请填写姓名")
	}
	if strings.TrimSpace(m.CertNumber) == "" {
		add("manual.cert_number", "请填写证件编号")
	}
	idType := registry.IDType(m.IDType)
	switch {
	case m.IDType == "":
		add("manual.id_type", "请选择证件类型")
	case !idType.Valid():
		add("manual.id_type", "证件类型“%s”不在可选范围内", m.IDType)
	}
	switch {
	case strings.TrimSpace(m.IDNumber) == "":
		add("manual.id_number", "请填写证件号码")
	case idType == registry.IDResident:
		if _, err := idcheck.ParseResidentID(m.IDNumber, today); err != nil {
			add("manual.id_number", "%s", err.Error())
		}
	}
	if !m.IssuedOn.IsZero() && m.IssuedOn.After(today) {
		add("manual.issued_on", "发证日期%s晚于今天，请核对", m.IssuedOn.Chinese())
	}
	if len(m.Items) == 0 {
		add("manual.items", "请至少录入一个作业项目")
	}
	seen := map[string]int{}
	for i, it := range m.Items {
		f := fmt.Sprintf("manual.items[%d]", i)
		row := i + 1
		if it.Ref.IsZero() {
			add(f+".code", "第%d个项目：请选择项目代号", row)
			continue
		}
		code, name, category, ok := cat.Describe(it.Ref)
		if !ok {
			add(f+".code", "第%d个项目：项目代号“%s”不在作业项目目录中", row, it.Ref)
			continue
		}
		if q, isNew := it.Ref.New(); isNew && (q.Code == catalog.MetalWelding || q.Code == catalog.NonMetalWelding) {
			if it.WeldCode == "" {
				add(f+".weld_code", "第%d个项目%s：请填写焊接项目代号（如 SMAW-FeⅡ-6G(K)-9/57-Fef3J）", row, code)
			} else if _, err := weldcode.Parse(it.WeldCode); err != nil {
				add(f+".weld_code", "第%d个项目焊接项目代号：%s", row, err.Error())
			}
		} else if it.WeldCode != "" {
			add(f+".weld_code", "第%d个项目%s不是焊接作业项目，不需要填写焊接项目代号", row, code)
		}
		key := it.Ref.String() + "|" + it.WeldCode
		if j, dup := seen[key]; dup {
			add(f+".code", "第%d个项目%s与第%d个项目重复", row, code, j+1)
		} else {
			seen[key] = i
		}
		if it.Name != "" && strings.TrimSpace(it.Name) != name {
			add(f+".name", "第%d个项目：项目代号%s的项目名称应为“%s”", row, code, name)
		}
		if it.Category != "" && strings.TrimSpace(it.Category) != category {
			add(f+".category", "第%d个项目：项目代号%s的项目种类应为“%s”", row, code, category)
		}
		switch {
		case it.ValidFrom.IsZero():
			add(f+".valid_from", "第%d个项目%s：请填写有效期起", row, code)
		case it.ValidFrom.After(today):
			add(f+".valid_from", "第%d个项目%s：有效期起%s晚于今天，请核对", row, code, it.ValidFrom.Chinese())
		}
		switch {
		case it.ValidUntil.IsZero():
			add(f+".valid_until", "第%d个项目%s：请填写有效期止", row, code)
		case it.ValidFrom.IsZero():
		case !it.ValidUntil.After(it.ValidFrom):
			add(f+".valid_until", "第%d个项目%s：有效期止应晚于有效期起", row, code)
		case it.ValidUntil.After(it.ValidFrom.AddYears(4)):
			add(f+".valid_until", "第%d个项目%s：有效期为4年，有效期止不应晚于%s，请核对", row, code, it.ValidFrom.AddYears(4).Chinese())
		}
	}
	return out
}

// RegistryItems turns the rows into certificate items, so RenewalWindow
// and RenewalOptions treat them like registry records. 批准日期 is the
// row's 有效期起; the 发证机关 is the certificate's, as typed.
func (m ManualCertificate) RegistryItems() []registry.Item {
	out := make([]registry.Item, 0, len(m.Items))
	for _, it := range m.Items {
		out = append(out, registry.Item{
			Ref: it.Ref, WeldCode: it.WeldCode, IssuedBy: strings.TrimSpace(m.IssuedBy),
			ApprovedOn: it.ValidFrom, ValidUntil: it.ValidUntil, Status: registry.ItemValid,
		})
	}
	return out
}

// Holding is the typed certificate as a one-certificate holding, ready for
// RenewalOptions.
func (m ManualCertificate) Holding() registry.Holding {
	return registry.Holding{
		Holder: registry.Holder{Name: strings.TrimSpace(m.Name), IDType: registry.IDType(m.IDType), IDNumber: strings.TrimSpace(m.IDNumber)},
		Certificates: []registry.Certificate{{
			Number: strings.TrimSpace(m.CertNumber), Items: m.RegistryItems(),
		}},
	}
}

// Certificate reads the stored form of a 手工录入 (Form.Manual, text as
// typed) into a ManualCertificate. Problems are the values that cannot be
// read (a malformed date, an unknown item); the caller then applies
// ManualCertificate.Validate for the rules.
func (m Manual) Certificate(cat *catalog.Catalog) (ManualCertificate, []Problem) {
	if cat == nil {
		cat = catalog.Default()
	}
	var out []Problem
	date := func(field, label, s string) civil.Date {
		s = strings.TrimSpace(s)
		if s == "" {
			return civil.Date{}
		}
		d, err := civil.Parse(s)
		if err != nil {
			out = append(out, Problem{Field: field, Message: label + "：" + err.Error()})
		}
		return d
	}
	c := ManualCertificate{
		Name: m.Name, CertNumber: m.CertNumber, IDType: m.IDType, IDNumber: m.IDNumber, IssuedBy: m.IssuedBy,
		IssuedOn: date("manual.issued_on", "发证日期", m.IssuedOn),
	}
	for i, it := range m.Items {
		f := fmt.Sprintf("manual.items[%d]", i)
		row := ManualCertificateItem{
			Name: it.Name, Category: it.Category, WeldCode: canonicalWeldCode(it.WeldCode),
			ValidFrom:  date(f+".valid_from", fmt.Sprintf("第%d个项目有效期起", i+1), it.ValidFrom),
			ValidUntil: date(f+".valid_until", fmt.Sprintf("第%d个项目有效期止", i+1), it.ValidUntil),
		}
		if strings.TrimSpace(it.Ref) != "" {
			ref, err := cat.ParseItemRef(it.Ref)
			if err != nil {
				out = append(out, Problem{Field: f + ".code", Message: fmt.Sprintf("第%d个项目：%s", i+1, err.Error())})
			}
			row.Ref = ref
		}
		c.Items = append(c.Items, row)
	}
	return c, out
}

// canonicalWeldCode is the code as TSG Z6002 prints it when it parses, so a
// typed "smaw-feⅱ-6g(k)-9/57-fef3j" matches the registry's; otherwise as
// typed, for ValidateIn to report.
func canonicalWeldCode(s string) string {
	s = strings.TrimSpace(s)
	if wc, err := weldcode.Parse(s); err == nil {
		return wc.String()
	}
	return s
}

// Check reads and validates the stored form in one pass: read errors first,
// then the rules, with at most one message per field so the page does not
// say "格式错误" and "请填写" about the same box.
func (m Manual) Check(today civil.Date, cat *catalog.Catalog) (ManualCertificate, []Problem) {
	if cat == nil {
		cat = catalog.Default()
	}
	c, out := m.Certificate(cat)
	have := map[string]bool{}
	for _, p := range out {
		have[p.Field] = true
	}
	for _, p := range c.ValidateIn(today, cat) {
		if !have[p.Field] {
			out = append(out, p)
			have[p.Field] = true
		}
	}
	return c, out
}

// ManualItems checks a 手工录入 certificate (seed 000 复审项目选择 第2点) of the
// account's own person (ownIDNumber: only one's own certificate, seed 000
// 三 1) and gives the items of the lines ticked 选择复审; targets are the
// 2019 items chosen per line where the 换发对应表 offers a choice; a welding
// line cites one of results, passed (seed 000 关于复审 第3点). Every
// problem comes at once.
func ManualItems(m Manual, ownIDNumber string, targets map[int]string, results []ExamResult, today civil.Date, p Policy, cat *catalog.Catalog) ([]FormItem, Problems) {
	if cat == nil {
		cat = catalog.Default()
	}
	var problems Problems
	fail := func(field, label, msg string) {
		problems = append(problems, Problem{Field: field, Label: label, Message: msg})
	}
	if m.IDNumber != "" && m.IDNumber != ownIDNumber {
		fail("manual.id_number", "证件号码", "只能录入本人的证书：证件号码应与登录账号的证件号码一致")
	}
	cert, checked := m.Check(today, cat)
	for _, pr := range checked {
		fail(pr.Field, "手工录入", pr.Message)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	list := RenewalOptions(cert.Holding(), cat, today, p)
	option := func(row ManualCertificateItem) (Option, bool) {
		for _, o := range list.Options {
			if o.Item.Ref == row.Ref && o.Item.WeldCode == row.WeldCode && o.Item.ValidUntil == row.ValidUntil {
				return o, true
			}
		}
		return Option{}, false
	}
	var items []FormItem
	used := map[int64]int{}
	chosen := 0
	for i, row := range cert.Items {
		if !m.Items[i].Renew {
			continue
		}
		chosen++
		field, label := fmt.Sprintf("manual.items[%d]", i), fmt.Sprintf("第%d个项目", i+1)
		o, ok := option(row)
		if !ok {
			for _, no := range list.NotOffered {
				if no.Item.Ref == row.Ref {
					fail(field, label, no.Code+" "+no.Name+"："+no.Reason)
				}
			}
			continue
		}
		if !o.Selectable {
			fail(field, label, o.Display+"："+o.Reason)
			continue
		}
		fi := FormItem{From: o.Item.Ref.String(), ValidUntil: o.Item.ValidUntil.String(), IssuedBy: o.IssuedBy, WeldCode: o.Item.WeldCode}
		want := targets[i]
		if q, fixed := o.Mapping.Fixed(); fixed && (want == "" || want == q.String()) {
			fi.Target = q.String()
		} else if want == "" {
			fail(field+".target", label, o.Display+"：请选择复审后的项目（"+o.MappingNote()+"）")
			continue
		} else {
			q, err := cat.ParseQualification(want)
			if err == nil {
				err = o.Mapping.CheckSelection([]catalog.Qualification{q})
			}
			if err != nil {
				fail(field+".target", label, o.Display+"："+err.Error())
				continue
			}
			fi.Target = q.String()
		}
		if o.Welding {
			fi.ExamResultID = m.Items[i].ExamResultID
			if pr := checkExam(field, o.Display, o.Targets(), o.Item.WeldCode, fi.ExamResultID, results, used, i); pr != nil {
				fail(pr.Field, label, pr.Message)
				continue
			}
		}
		items = append(items, fi)
	}
	if chosen == 0 {
		fail("manual.items", "手工录入", "请在“选择复审”一栏勾选需要复审的项目")
	}
	var r3, other bool
	for _, it := range items {
		if strings.HasPrefix(it.Target, "R3") {
			r3 = true
		} else {
			other = true
		}
	}
	if r3 && other {
		fail("manual.items", "手工录入", R3Alone)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return items, nil
}
