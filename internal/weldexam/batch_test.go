package weldexam

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/enterprise"
)

var unit = enterprise.Unit{CreditCode: "91310000MA00003490", Name: "用人单位", Address: "上海市普陀区中山北路2号", Contact: "李四", Phone: "021-62000000"}

// row is the seed's sample form (filled) as a row of the workbook.
func row(line int, edit func(map[string]string)) BatchRow {
	r := filled()
	c := map[string]string{ColName: r.Name, ColSex: r.Sex, ColNature: r.Nature, ColAddress: r.Address, ColEducation: r.Education,
		ColPostcode: r.Postcode, ColIDNumber: r.IDNumber, ColMobile: r.Mobile, ColWorkType: r.WorkType, ColWeldingYears: r.WeldingYears,
		ColItems: strings.Join(r.Items, "；"), ColUnitTypes: "安装", ColDistrict: r.District, ColEntrust: r.Entrust,
		ColWork: "2018.03—2026.06，用人单位，压力管道焊接", ColTraining: r.Training, ColMaterials: "是"}
	if edit != nil {
		edit(c)
	}
	return BatchRow{Line: line, Cells: c}
}

// A row is the single form: the employer's blank columns are the 单位's,
// the photo is not asked for (BatchPhotoRule), and the row comes out as the
// form's Check cleans it.
func TestCheckBatchRowIsTheForm(t *testing.T) {
	good, ps := CheckBatch([]BatchRow{row(2, nil)}, unit, today, catalog.Default())
	if len(ps) > 0 || len(good) != 1 {
		t.Fatalf("problems %v", ps)
	}
	f := good[0].Form
	if f.Employer != unit.Name || f.CreditCode != unit.CreditCode || f.ContactPhone != unit.Phone || len(f.Materials) != len(Materials) ||
		len(f.Items) != 2 || f.Work[0].Work != "压力管道焊接" || f.PhotoKey != "" {
		t.Fatalf("form %+v", f)
	}
}

// Each bad cell gets the single form's own message (seed 000 四.2) at its
// column; what a batch adds is said at the column too.
func TestCheckBatchProblems(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(map[string]string)
		column string
		want   string
	}{
		{"联系电话(手机) missing: the seed's prompt", func(c map[string]string) { delete(c, ColMobile) }, ColMobile, "请填写联系电话!"},
		{"身份证 checksum", func(c map[string]string) { c[ColIDNumber] = "110105198005010022" }, ColIDNumber, "校验"},
		{"a wrong welding code segment", func(c map[string]string) { c[ColItems] = "SAW-1G(K)-07/08/19、SMAW-FeⅡ-9G-9/57-Fef3J" }, ColItems, "第2行："},
		{"工作经历 without its three elements", func(c map[string]string) { c[ColWork] = "2018.03—2026.06，用人单位" }, ColWork, "请填写从事焊接工作!"},
		{"相关材料 not prepared", func(c map[string]string) { c[ColMaterials] = "否" }, ColMaterials, "请确认已准备相关材料"},
		{"another 单位's code", func(c map[string]string) { c[ColCreditCode] = "91310115MA1H7GXT7W" }, ColCreditCode, "本单位的统一社会信用代码"},
		{"单位类型 not a choice", func(c map[string]string) { c[ColUnitTypes] = "安装、施工" }, ColUnitTypes, "单位类型只能选择"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			good, ps := CheckBatch([]BatchRow{row(5, c.edit)}, unit, today, catalog.Default())
			if len(good) != 0 || len(ps) == 0 {
				t.Fatalf("good %v problems %v", good, ps)
			}
			for _, p := range ps {
				if p.Line == 5 && p.Column == c.column && strings.Contains(p.Message, c.want) {
					return
				}
			}
			t.Fatalf("want %q at %s, got %+v", c.want, c.column, ps)
		})
	}
}

// One 身份证 appears once in a file: the later row is reported, naming the
// first.
func TestCheckBatchDuplicateID(t *testing.T) {
	good, ps := CheckBatch([]BatchRow{row(2, nil), row(3, func(c map[string]string) { c[ColName] = "另一人" })}, unit, today, catalog.Default())
	if len(good) != 1 || len(ps) != 1 || ps[0].Line != 3 || ps[0].Column != ColIDNumber || !strings.Contains(ps[0].Message, "第2行") {
		t.Fatalf("good %d problems %+v", len(good), ps)
	}
}
