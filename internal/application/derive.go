package application

import (
	"slices"
	"strings"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/idcheck"
)

// Targets are the 2019 items the form applies for, optional extras
// included; a target that does not parse is left out (the selection pages
// checked it when it was chosen).
func (f *Form) Targets(cat *catalog.Catalog) []catalog.Qualification {
	if cat == nil {
		cat = catalog.Default()
	}
	var out []catalog.Qualification
	for _, it := range f.Items {
		for _, t := range append([]string{it.Target}, it.Extras...) {
			if q, err := cat.ParseQualification(t); err == nil {
				out = append(out, q)
			}
		}
	}
	return out
}

// Route matches the 受理机构 for the form as it stands (seed 000 3.2).
func (f *Form) Route(cat *catalog.Catalog) Routing {
	sc, _ := ParseSpecialCase(f.Routing.SpecialCase)
	in := RoutingInput{Items: f.Targets(cat), EmployerDistrict: f.Employer.District,
		HouseholdDistrict: f.Applicant.HouseholdDistrict, SpecialCase: sc, Chosen: f.Routing.Chosen, Catalog: cat}
	if f.Matter == MatterReissue {
		in.Reissue = true
		for _, it := range f.Items {
			in.Issuers = append(in.Issuers, it.IssuedBy)
		}
	}
	return AcceptingAuthority(in)
}

// Materials are the materials the form needs (RequiredMaterials) with the
// applicant's own "+" additions.
func (f *Form) Materials(cat *catalog.Catalog) []MaterialSpec {
	specs := RequiredMaterials(f.Matter, f.Targets(cat), MaterialOptions{
		ManualEntry: f.Manual != nil, ShanghaiHousehold: f.Applicant.HouseholdDistrict != "" || strings.HasPrefix(f.Applicant.IDNumber, "31"),
		IncidentReported: ParseCommitment(f.Incident) == IncidentOccurred})
	for _, name := range f.Custom {
		if list, err := AddCustomMaterial(specs, name); err == nil {
			specs = list
		}
	}
	return specs
}

// Satisfied reports whether a material is provided: a file uploaded, a
// document the system generates, or the 电子身份证 standing in for the
// 身份证信息 scan (seed 000 3.3).
func (f *Form) Satisfied(spec MaterialSpec, files int) bool {
	return files > 0 || spec.Generated || (spec.Key == MaterialIDCard && f.ElectronicID)
}

// MissingMaterials are the required materials not provided, each as the
// problem shown at its line ("material-<key>"); files counts the uploaded
// files by material key.
func (f *Form) MissingMaterials(cat *catalog.Catalog, files map[string]int) []Problem {
	var out []Problem
	for _, spec := range f.Materials(cat) {
		if spec.Required && !f.Satisfied(spec, files[spec.Key]) {
			out = append(out, Problem{Field: "material-" + spec.Key, Label: spec.Name, Message: "请上传" + spec.Name})
		}
	}
	return out
}

// Educations are the 学历 offered, lowest first (seed 001 第二部分 7: 学历请
// 选择"初中"…).
var Educations = []string{"初中", "高中", "中专", "大专", "本科", "硕士研究生", "博士研究生"}

// Titles are the 技术职称 offered.
var Titles = []string{"未评定", "初级", "中级", "副高级", "正高级"}

// CheckEducation applies the education condition of 取证 (新办, 增项): 中专或
// 高中以上 for A, G1–G3 and R3, 初中以上 for the others (SOURCES.md §3, S8).
// 复审 and 补证 are not conditioned on education (S10). "" when met.
func CheckEducation(m Matter, items []catalog.Qualification, education string) string {
	if m != MatterNew && m != MatterAdd {
		return ""
	}
	q, ok := needsUpperSecondary(items)
	if ok && slices.Index(Educations, education) < slices.Index(Educations, "高中") {
		return "所申请项目（" + q.String() + " " + q.Name(nil) + "）要求中专或高中以上学历，您选择的学历为" + education + "，不符合申请条件"
	}
	return ""
}

// CheckBasic applies the rules of the 基本信息 step (seed 000 3.2): the age
// limits, the photo, the lists, the mobile number and postcode, the
// employer synchronised from the enterprise registry, and a 受理机构 that
// can be matched.
//
// institutions are the exam institutions a 安全阀校验 or 客运索道 applicant
// chooses among (InstitutionsToChoose).
func CheckBasic(f *Form, today civil.Date, p Policy, cat *catalog.Catalog, institutions []ExamInstitution) []Problem {
	if cat == nil {
		cat = catalog.Default()
	}
	var out []Problem
	fail := func(field, label, msg string) { out = append(out, Problem{Field: field, Label: label, Message: msg}) }
	a := f.Applicant
	if birth, err := civil.Parse(a.BirthDate); err == nil {
		if pr := CheckAge(f.Matter, birth, today, p); pr != nil {
			fail("birth_date", "出生日期", pr.Message)
		}
	}
	if f.PhotoKey == "" {
		fail("photo", "照片", "请上传近期2寸免冠白底彩色照片")
	}
	if !slices.Contains(Educations, a.Education) {
		fail("education", "学历", "请选择学历")
	} else if msg := CheckEducation(f.Matter, f.Targets(cat), a.Education); msg != "" {
		fail("education", "学历", msg)
	}
	if a.Title != "" && !slices.Contains(Titles, a.Title) {
		fail("title", "技术职称", "请选择技术职称")
	}
	if _, err := idcheck.Mobile(a.Mobile); err != nil {
		fail("mobile", "移动电话", err.Error())
	}
	if a.Postcode != "" {
		if _, err := idcheck.Postcode(a.Postcode); err != nil {
			fail("postcode", "邮政编码", err.Error())
		}
	}
	if a.HouseholdDistrict != "" {
		if _, ok := cat.District(a.HouseholdDistrict); !ok {
			fail("household_district", "户籍地址/居住证地址", "请选择户籍或居住证地址所在区")
		}
	}
	out = append(out, checkEmployer(f.Employer)...)
	if p := checkSpecialCase(f, cat); p != nil {
		out = append(out, *p)
	}
	if p := checkExamInstitution(f, f.Targets(cat), institutions); p != nil {
		out = append(out, *p)
	}
	if rt := f.Route(cat); rt.Code == "" {
		msg := "无法确定受理机构"
		if len(rt.Problems) > 0 {
			msg = rt.Problems[0].Message
		}
		fail("routing", "受理机构", msg)
	}
	return out
}

// CorrectableField is a 基本信息 field an officer can ask to correct.
type CorrectableField struct{ Target, Label string }

// CorrectableFields are the fields of 基本信息 and 自我承诺 an officer can
// name in a 补正告知书, in the page's order; materials are named by their
// material key ("material:<key>").
var CorrectableFields = []CorrectableField{
	{"field:incident", "自我承诺"}, {"field:photo", "照片"}, {"field:education", "学历"}, {"field:title", "技术职称"},
	{"field:school", "毕业院校"}, {"field:major", "专业"}, {"field:employer", "单位信息"}, {"field:household", "户籍地址/居住证地址"},
	{"field:postcode", "邮政编码"}, {"field:mobile", "移动电话"}, {"field:work_history", "工作经历"},
}

// CorrectionLabel names a 补正 target of the form as the notice names it;
// ok is false for a target the form has no such field or material for.
func (f *Form) CorrectionLabel(target string, cat *catalog.Catalog) (string, bool) {
	for _, c := range CorrectableFields {
		if c.Target == target {
			return c.Label, true
		}
	}
	if key, ok := strings.CutPrefix(target, "material:"); ok {
		for _, m := range f.Materials(cat) {
			if m.Key == key {
				return m.Name, true
			}
		}
	}
	return "", false
}
