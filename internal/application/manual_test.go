package application

import (
	"testing"

	"opcert/internal/civil"
	"opcert/internal/registry"
)

// seedManual is the seed's 手工录入 example (seed 000, 复审项目选择): 苏州 issued
// R3 and T1 in May 2016, valid to May 2020.
func seedManual() ManualCertificate {
	return ManualCertificate{
		Name: "王五", CertNumber: "11010519491231002X", IDType: "居民身份证", IDNumber: "11010519491231002X",
		IssuedBy: "苏州市市场监督管理局", IssuedOn: d("2016-05-17"),
		Items: []ManualCertificateItem{
			{Ref: oldRef("R3"), Name: "氧舱维护保养", Category: "压力容器作业", ValidFrom: d("2016-05-17"), ValidUntil: d("2020-05-16")},
			{Ref: oldRef("T1"), Name: "电梯机械安装维修", Category: "电梯作业", ValidFrom: d("2016-05-23"), ValidUntil: d("2020-05-22")},
		},
	}
}

func TestManualCertificateValidate(t *testing.T) {
	today := d("2020-03-01")
	for _, tc := range []struct {
		rule   string
		change func(*ManualCertificate)
		want   map[string]string
	}{
		{"seed 000 手工录入 example is valid", func(*ManualCertificate) {}, nil},
		{"names and categories may be left to the catalogue", func(m *ManualCertificate) { m.Items[0].Name, m.Items[0].Category = "", "" }, nil},
		{"* 姓名", func(m *ManualCertificate) { m.Name = " " }, map[string]string{"manual.name": "请填写姓名"}},
		{"* 证件编号", func(m *ManualCertificate) { m.CertNumber = "" }, map[string]string{"manual.cert_number": "请填写证件编号"}},
		{"* 证件类型", func(m *ManualCertificate) { m.IDType = "" }, map[string]string{"manual.id_type": "请选择证件类型"}},
		{"证件类型 from the list", func(m *ManualCertificate) { m.IDType = "驾驶证" }, map[string]string{"manual.id_type": "不在可选范围内"}},
		{"* 证件号码", func(m *ManualCertificate) { m.IDNumber = "" }, map[string]string{"manual.id_number": "请填写证件号码"}},
		{"GB 11643 checksum of a 居民身份证", func(m *ManualCertificate) { m.IDNumber = "110105194912310021" }, map[string]string{"manual.id_number": "校验码"}},
		{"a passport number is not checked as an ID", func(m *ManualCertificate) { m.IDType, m.IDNumber = "护照", "E12345678" }, nil},
		{"发证日期 not in the future", func(m *ManualCertificate) { m.IssuedOn = d("2020-03-02") }, map[string]string{"manual.issued_on": "晚于今天"}},
		{"* 项目", func(m *ManualCertificate) { m.Items = nil }, map[string]string{"manual.items": "请至少录入一个作业项目"}},
		{"item code required", func(m *ManualCertificate) { m.Items[0] = ManualCertificateItem{} }, map[string]string{"manual.items[0].code": "请选择项目代号"}},
		{"item code in the catalogue", func(m *ManualCertificate) { m.Items[0].Ref = oldRef("ZZ") }, map[string]string{"manual.items[0].code": "不在作业项目目录中"}},
		{"each item once", func(m *ManualCertificate) { m.Items[1] = m.Items[0] }, map[string]string{"manual.items[1].code": "与第1个项目重复"}},
		{"项目名称 must match the code", func(m *ManualCertificate) { m.Items[1].Name = "电梯司机" }, map[string]string{"manual.items[1].name": "应为“电梯机械安装维修”"}},
		{"项目种类 must match the code", func(m *ManualCertificate) { m.Items[1].Category = "起重机械作业" }, map[string]string{"manual.items[1].category": "应为“电梯作业”"}},
		{"有效期起 required", func(m *ManualCertificate) { m.Items[0].ValidFrom = civil.Date{} }, map[string]string{"manual.items[0].valid_from": "请填写有效期起"}},
		{"有效期止 required", func(m *ManualCertificate) { m.Items[0].ValidUntil = civil.Date{} }, map[string]string{"manual.items[0].valid_until": "请填写有效期止"}},
		{"有效期止 after 有效期起", func(m *ManualCertificate) { m.Items[0].ValidUntil = d("2016-05-17") }, map[string]string{"manual.items[0].valid_until": "应晚于有效期起"}},
		{"SOURCES §3: an item is valid 4 years", func(m *ManualCertificate) { m.Items[0].ValidUntil = d("2026-05-16") }, map[string]string{"manual.items[0].valid_until": "有效期为4年，有效期止不应晚于2020年05月17日"}},
		{"exactly 4 years is accepted", func(m *ManualCertificate) { m.Items[0].ValidUntil = d("2020-05-17") }, nil},
		{"有效期起 not in the future", func(m *ManualCertificate) {
			m.Items[0].ValidFrom, m.Items[0].ValidUntil = d("2020-04-01"), d("2024-03-31")
		}, map[string]string{"manual.items[0].valid_from": "晚于今天"}},
		{"a 2019 item may be typed too (renewed elsewhere)", func(m *ManualCertificate) {
			m.Items[1] = ManualCertificateItem{Ref: newRef("Q2(限流动式起重机)"), ValidFrom: d("2019-08-01"), ValidUntil: d("2023-07-31")}
		}, nil},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			m := seedManual()
			tc.change(&m)
			wantProblems(t, m.Validate(today), tc.want)
		})
	}
}

// The typed certificate goes through the same 复审 rules (DESIGN.md): on
// 2020-03-01 both seed items are inside their window, and the 发证机关 is
// kept as typed.
func TestManualCertificateRenewal(t *testing.T) {
	m := seedManual()
	items := m.RegistryItems()
	if len(items) != 2 || items[0].IssuedBy != "苏州市市场监督管理局" || items[0].ApprovedOn != d("2016-05-17") ||
		items[1].ValidUntil != d("2020-05-22") || items[0].Status != registry.ItemValid {
		t.Fatalf("RegistryItems = %+v", items)
	}
	h := m.Holding()
	if h.Certificates[0].Number != "11010519491231002X" || h.Holder.IDType != registry.IDResident || h.NumberDiffers() {
		t.Errorf("Holding = %+v", h)
	}
	l := RenewalOptions(h, nil, d("2020-03-01"), ShanghaiPolicy())
	if len(l.Options) != 2 || !l.Options[0].Selectable || !l.Options[1].Selectable {
		t.Fatalf("options %+v", l.Options)
	}
	if l.Options[0].Display != "氧舱维护保养[R3]" || l.Options[0].IssuedBy != "苏州市市场监督管理局" || !l.Options[0].IsR3() {
		t.Errorf("R3 row %+v", l.Options[0])
	}
	// seed 000 复审项目选择 第3点: the typed R3 cannot go with T1 either.
	ps := CheckRenewalSelection([]Selection{{OptionIndex: 0}, {OptionIndex: 1}}, l, nil, nil)
	wantProblems(t, ps, map[string]string{"items": R3Alone})
	// Window opens 2020-02-16 for R3 (2020-05-16 minus 3 months).
	if w := l.Options[0].Window; w.Opens != d("2020-02-16") {
		t.Errorf("R3 window opens %s", w.Opens)
	}
}

func TestManualFormCheck(t *testing.T) {
	today := d("2020-03-01")
	form := Manual{
		Name: "王五", CertNumber: "11010519491231002X", IDType: "居民身份证", IDNumber: "11010519491231002X",
		IssuedBy: "苏州市市场监督管理局", IssuedOn: "2016-05-17",
		Items: []ManualItem{
			{Ref: "2011:R3", Name: "氧舱维护保养", Category: "压力容器作业", ValidFrom: "2016-05-17", ValidUntil: "2020-05-16"},
			{Ref: "2011:T1", ValidFrom: "2016-05-23", ValidUntil: "2020-05-22"},
		},
	}
	c, ps := form.Check(today, nil)
	if len(ps) != 0 {
		t.Fatalf("problems: %s", joinProblems(ps))
	}
	if c.IssuedOn != d("2016-05-17") || c.Items[1].Ref != oldRef("T1") || c.Items[0].ValidUntil != d("2020-05-16") {
		t.Errorf("certificate %+v", c)
	}

	bad := form
	bad.IssuedOn = "2016/05/17"
	bad.Items = []ManualItem{
		{Ref: "R3", ValidFrom: "2016-05-17", ValidUntil: "2020-05-16"},      // no edition prefix
		{Ref: "2011:T1", ValidFrom: "2016-05-23", ValidUntil: "明年"},         // bad date
		{Ref: "", ValidFrom: "2016-05-23", ValidUntil: "2020-05-22"},        // missing code
		{Ref: "2019:Q2", ValidFrom: "2016-05-23", ValidUntil: "2020-05-22"}, // Q2 without its limit
	}
	_, ps = bad.Check(today, nil)
	wantProblems(t, ps, map[string]string{
		"manual.issued_on":            "发证日期",
		"manual.items[0].code":        "第1个项目：项目标识应带目录版本",
		"manual.items[1].valid_until": "第2个项目有效期止",
		"manual.items[2].code":        "请选择项目代号",
		"manual.items[3].code":        "须注明范围",
	})
}
