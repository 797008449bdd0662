package weldexam

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

var today = civil.MustParse("2026-12-02")

// filled is the seed's sample 考试申请表 (seed 000 四.2: test, 女, 首次考试,
// 大专, 213000, 金属焊, 焊工工龄 7, SAW-1G(K)-07/08/19, 单位类型 安装, 普陀)
// with real numbers where the seed's screenshot has placeholders.
func filled() Registration {
	return Registration{Kind: New, Name: "test", Sex: "女", Nature: "首次考试", Address: "上海市普陀区真北路1号", Education: "大专",
		Postcode: "213000", IDNumber: "110105198005010021", Mobile: "13800000001", PhotoKey: "weld-registrations/photo-x.jpg",
		WorkType: "金属焊", WeldingYears: "7", Items: []string{"SAW-1G(K)-07/08/19", "SMAW-FeⅡ-6G(K)-9/57-Fef3J"},
		Employer: "用人单位", CreditCode: "91310000MA00003490", UnitTypes: []string{"安装"}, District: "310107",
		EmployerAddress: "上海市普陀区中山北路2号", Contact: "李四", ContactPhone: "021-62000000", Entrust: "是",
		Work:     []WorkRow{{Period: "2018.03—2026.06", Employer: "用人单位", Work: "压力管道焊接"}},
		Training: "经单位三级安全教育和焊接培训，能独立承担焊接工作", Materials: Materials}
}

func TestCheckAcceptsTheSeedsForm(t *testing.T) {
	r, ps := Check(filled(), today, catalog.Default())
	if len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	if r.Qualification() != catalog.MetalWelding || len(r.Items) != 2 || r.Items[0] != "SAW-1G(K)-07/08/19" {
		t.Fatalf("cleaned: %+v", r)
	}
}

// Each missing field gets the seed's 请填写…! prompt at its field (seed 000
// 四.2: 填写过程中如果信息填写不全都会有相应的弹框提示: 请填写联系电话!).
func TestCheckMissingFields(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Registration)
		field string
		want  string
	}{
		{"联系电话(手机) (the seed's own prompt)", func(r *Registration) { r.Mobile = "" }, "mobile", "请填写联系电话!"},
		{"姓名", func(r *Registration) { r.Name = " " }, "name", "请填写姓名!"},
		{"通信地址", func(r *Registration) { r.Address = "" }, "address", "请填写通信地址!"},
		{"性别", func(r *Registration) { r.Sex = "" }, "sex", "请选择性别!"},
		{"申请考试性质", func(r *Registration) { r.Nature = "" }, "nature", "请选择申请考试性质!"},
		{"学历", func(r *Registration) { r.Education = "" }, "education", "请选择学历!"},
		{"邮政编码", func(r *Registration) { r.Postcode = "" }, "postcode", "请填写邮政编码!"},
		{"身份证", func(r *Registration) { r.IDNumber = "" }, "id_number", "请填写身份证号!"},
		{"照片", func(r *Registration) { r.PhotoKey = "" }, "photo", "请上传2寸正面近期免冠照片!"},
		{"作业种类", func(r *Registration) { r.WorkType = "" }, "work_type", "请选择作业种类!"},
		{"焊工工龄", func(r *Registration) { r.WeldingYears = "" }, "welding_years", "请填写焊工工龄(年)!"},
		{"技能考试项目明细", func(r *Registration) { r.Items = []string{"", " "} }, "items", "请填写技能考试项目明细!"},
		{"用人单位", func(r *Registration) { r.Employer = "" }, "employer", "请填写用人单位(或者培训机构)名称!"},
		{"组织机构代码", func(r *Registration) { r.CreditCode = "" }, "credit_code", "请填写组织机构代码（统一社会信用代码）!"},
		{"单位类型", func(r *Registration) { r.UnitTypes = nil }, "unit_types", "请选择单位类型!"},
		{"地区代码", func(r *Registration) { r.District = "" }, "district", "请选择地区代码!"},
		{"单位地址", func(r *Registration) { r.EmployerAddress = "" }, "employer_address", "请填写单位地址!"},
		{"单位联系人", func(r *Registration) { r.Contact = "" }, "contact", "请填写单位联系人!"},
		{"单位联系电话", func(r *Registration) { r.ContactPhone = "" }, "contact_phone", "请填写单位联系电话!"},
		{"是否委托", func(r *Registration) { r.Entrust = "" }, "entrust", "请选择是否委托考试机构办理取证手续!"},
		{"工作经历", func(r *Registration) { r.Work = []WorkRow{{}} }, "work", "请填写工作经历!"},
		{"安全教育和培训情况", func(r *Registration) { r.Training = "" }, "training", "请填写安全教育和培训情况!"},
		{"相关材料", func(r *Registration) { r.Materials = Materials[:3] }, "materials", "未勾选：医疗卫生机构出具的含有视力、色盲等内容的身体健康证明"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := filled()
			c.edit(&r)
			_, ps := Check(r, today, nil)
			if len(ps) != 1 || ps[0].Field != c.field || !strings.Contains(ps[0].Message, c.want) || ps[0].Label == "" {
				t.Fatalf("got %+v, want one problem at %s: %s", ps, c.field, c.want)
			}
		})
	}
}

// Wrong values are told at their field with what is wrong.
func TestCheckWrongValues(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Registration)
		field string
		want  string
	}{
		{"ID checksum (GB 11643)", func(r *Registration) { r.IDNumber = "110105198005010022" }, "id_number", "校验码"},
		{"sex not the ID's", func(r *Registration) { r.Sex = "男" }, "sex", "性别与身份证号码不符"},
		{"mobile", func(r *Registration) { r.Mobile = "5" }, "mobile", "11位"},
		{"postcode", func(r *Registration) { r.Postcode = "21300" }, "postcode", "6位"},
		{"credit code checksum (GB 32100)", func(r *Registration) { r.CreditCode = "91310000MA00003491" }, "credit_code", "校验码"},
		{"credit code letter", func(r *Registration) { r.CreditCode = "99" }, "credit_code", "18位"},
		{"unit type not listed", func(r *Registration) { r.UnitTypes = []string{"安装", "销售"} }, "unit_types", "只能选择"},
		{"district", func(r *Registration) { r.District = "普陀" }, "district", "地区代码不正确"},
		{"welding years", func(r *Registration) { r.WeldingYears = "七" }, "welding_years", "整数"},
		{"nature", func(r *Registration) { r.Nature = "复审" }, "nature", "只能选择"},
		{"work row without its work", func(r *Registration) { r.Work = []WorkRow{{Period: "2019—2020", Employer: "甲公司"}} }, "work-0-work", "三要素"},
		{"contact phone", func(r *Registration) { r.ContactPhone = "电话" }, "contact_phone", "数字"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := filled()
			c.edit(&r)
			_, ps := Check(r, today, nil)
			if len(ps) != 1 || ps[0].Field != c.field || !strings.Contains(ps[0].Message, c.want) {
				t.Fatalf("got %+v, want one problem at %s containing %s", ps, c.field, c.want)
			}
		})
	}
}

// Each 技能考试项目明细 row is read by the TSG Z6002-2010 grammar
// (SOURCES.md §4.2–4.4) and a wrong one names its row and slot.
func TestCheckSkillItems(t *testing.T) {
	cases := []struct {
		code  string
		ok    bool
		canon string
		want  string
	}{
		{"SAW-1G(K)-07/08/19", true, "SAW-1G(K)-07/08/19", ""},                // §4.3 example
		{"SMAW-FeII-6G(K)-9/57-Fef3J", true, "SMAW-FeⅡ-6G(K)-9/57-Fef3J", ""}, // §4.2, ASCII numerals
		{"GTAW-FeⅣ-6G-3/57-FefS-02/11/12", true, "GTAW-FeⅣ-6G-3/57-FefS-02/11/12", ""},
		{"SAW-1G (K) -07/08/19", true, "SAW-1G(K)-07/08/19", ""}, // as the seed's screenshot spaces it
		{"XYZ-FeⅡ-1G-12-Fef3J", false, "", "焊接方法代号“XYZ”"},
		{"SMAW-FeⅨ-1G-12-Fef3J", false, "", "金属材料类别代号"},
		{"SMAW-FeⅡ-7G-12-Fef3J", false, "", "试件位置代号“7G”"},
		{"SMAW-FeⅡ-1G-12-Fef9", false, "", "填充金属类别代号"},
		{"SAW-1G(K)-02", false, "", "用于手工焊焊工"},
		{"GTAW-FeⅣ-6G-3/57-FefS-99", false, "", "“99”不存在"},
		{"SMAW", false, "", "格式不正确"},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			r := filled()
			r.Items = []string{"SMAW-FeⅡ-1G-12-Fef3J", c.code}
			got, ps := Check(r, today, nil)
			if c.ok {
				if len(ps) > 0 || got.Items[1] != c.canon {
					t.Fatalf("got %v %v", got.Items, ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Field != "item-1" || !strings.HasPrefix(ps[0].Message, "第2行：") || !strings.Contains(ps[0].Message, c.want) {
				t.Fatalf("got %+v, want at item-1: %s", ps, c.want)
			}
		})
	}
	t.Run("duplicate rows", func(t *testing.T) {
		r := filled()
		r.Items = []string{"SAW-1G(K)-07/08/19", "", "SAW-1G(K)-07/08/19"}
		_, ps := Check(r, today, nil)
		if len(ps) != 1 || ps[0].Field != "item-2" || !strings.Contains(ps[0].Message, "第3行与第1行") {
			t.Fatalf("%+v", ps)
		}
	})
	t.Run("non-metal codes are text (SOURCES.md §4.5: grammar unknown)", func(t *testing.T) {
		r := filled()
		r.WorkType, r.Items = "非金属焊", []string{"BW-J-D"}
		got, ps := Check(r, today, nil)
		if len(ps) > 0 || got.Qualification() != catalog.NonMetalWelding {
			t.Fatalf("%+v %v", ps, got.Qualification())
		}
	})
}

// The 复审申请表 adds the certificate's fields (seed 000 四.3) and has no
// 申请考试性质.
func TestCheckRenewal(t *testing.T) {
	r := filled()
	r.Kind, r.Nature = Renew, ""
	_, ps := Check(r, today, nil)
	fields := map[string]bool{}
	for _, p := range ps {
		fields[p.Field] = true
	}
	for _, f := range []string{"issuer", "certificate_number", "first_issued", "valid_until"} {
		if !fields[f] {
			t.Fatalf("missing %s not refused: %+v", f, ps)
		}
	}
	if fields["nature"] || fields["accepted"] || fields["trained"] || fields["issuer_address"] {
		t.Fatalf("optional fields refused: %+v", ps)
	}
	r.Issuer, r.CertificateNumber, r.FirstIssued, r.ValidUntil, r.Trained = "上海市质量技术监督局", "110105198005010021", "2018/12/20", "2026-12-19", "2026-13-01"
	_, ps = Check(r, today, nil)
	if len(ps) != 1 || ps[0].Field != "trained" || !strings.Contains(ps[0].Message, "应为日期") {
		t.Fatalf("%+v", ps)
	}
	r.Trained = "2026-11-20"
	got, ps := Check(r, today, nil)
	if len(ps) > 0 || got.FirstIssued != "2018-12-20" {
		t.Fatalf("%+v %+v", ps, got)
	}
	if msg := got.EntrustLabel(); msg != "是否委托考试机构办理复审手续" {
		t.Fatal(msg)
	}
}

func TestPrefill(t *testing.T) {
	weld := catalog.NewRef(catalog.Qualification{Code: catalog.MetalWelding})
	h := registry.Holding{Holder: registry.Holder{Name: "王焊工", Sex: "男", IDNumber: "110105198001010016"},
		Certificates: []registry.Certificate{{Number: "110105198001010016", Items: []registry.Item{
			{Ref: weld, WeldCode: "SMAW-FeⅡ-6G(K)-9/57-Fef3J", IssuedBy: "上海市市场监督管理局", ApprovedOn: civil.MustParse("2019-03-01"), ValidUntil: civil.MustParse("2027-02-28"), Status: registry.ItemValid},
			{Ref: weld, WeldCode: "GTAW-FeⅣ-6G-3/57-FefS-02/10/12", IssuedBy: "上海市市场监督管理局", ApprovedOn: civil.MustParse("2020-05-01"), ValidUntil: civil.MustParse("2028-04-30"), Status: registry.ItemValid},
		}}}}
	r, ok := Prefill(h, today)
	if !ok || r.Kind != Renew || r.CertificateNumber != "110105198001010016" || r.FirstIssued != "2019-03-01" || r.ValidUntil != "2027-02-28" ||
		r.Issuer != "上海市市场监督管理局" || len(r.Items) != 2 || r.WorkType != "金属焊" || r.Name != "王焊工" {
		t.Fatalf("%+v", r)
	}
	if _, ok := Prefill(registry.Holding{Holder: h.Holder}, today); ok {
		t.Fatal("prefilled without a welding line")
	}
}

// A 新考证 sits theory once and the skill test per item; 增项 and 复审 the
// skill test only (seed 001 第二部分 5); 70 passes each (DESIGN.md).
func TestScore(t *testing.T) {
	r := filled()
	got, ps := Score(r, "75", []string{"80", "69"}, 70)
	if len(ps) > 0 || !got[0].Passed || got[1].Passed || !got[0].TheorySat || got[1].Description != "不合格（操作技能考试未达到合格分数）" {
		t.Fatalf("%+v %v", got, ps)
	}
	got, _ = Score(r, "60", []string{"90", "90"}, 70)
	if got[0].Passed || got[0].Description != "不合格（理论知识考试未达到合格分数）" {
		t.Fatalf("%+v", got)
	}
	r.Nature = "增项"
	got, ps = Score(r, "", []string{"70", "70"}, 70)
	if len(ps) > 0 || !got[0].Passed || got[0].TheorySat || got[0].Theory != 0 {
		t.Fatalf("增项: %+v %v", got, ps)
	}
	_, ps = Score(filled(), "101", []string{"", "x"}, 70)
	if len(ps) != 3 || ps[0].Field != "theory" || ps[1].Field != "practical-0" || ps[2].Field != "practical-1" {
		t.Fatalf("%+v", ps)
	}
}
