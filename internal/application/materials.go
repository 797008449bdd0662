package application

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"opcert/internal/catalog"
)

// MaterialSpec is one line of the 申请材料 table (seed 000, 3.3).
type MaterialSpec struct {
	// Key is a stable slug stored with each upload ("form", "id_card", …;
	// "custom:<name>" for one the applicant added).
	Key string
	// Name is the line as the applicant reads it.
	Name string
	// Required marks a * material (seed 000, 3.3 第5点: "加 * 号材料为必须上传
	// 材料，其他材料请根据实际情况上传").
	Required bool
	Note     string
	// ElectronicIDAllowed: the 身份证信息 can be fetched as a 电子身份证
	// instead of a scan, for a Shanghai 户籍 only (seed 000, 3.3: "获取电子身份证
	// 的功能仅支持上海户籍的申请人").
	ElectronicIDAllowed bool
	// Generated: the system produces it from the form; the applicant may
	// download it and upload a signed copy (seed 000, 3.3 第1点).
	Generated bool
	// Custom: added by the applicant with "+" (seed 000, 3.3 第6点).
	Custom bool
}

// MaterialOptions are the facts beyond matter and items that change the list.
type MaterialOptions struct {
	ManualEntry       bool // the certificate was entered by hand (手工录入)
	ShanghaiHousehold bool // 上海户籍: 电子身份证 available
	IncidentReported  bool // self-commitment answered 发生过
}

// Material keys.
const (
	MaterialForm             = "form"
	MaterialIDCard           = "id_card"
	MaterialEducation        = "education"
	MaterialHealth           = "health"
	MaterialOrigCertPhoto    = "orig_cert_photo"
	MaterialOrigCertFirst    = "orig_cert_first"
	MaterialOrigCertRenewal  = "orig_cert_renewal"
	MaterialIncident         = "incident_statement"
	CustomMaterialKeyPrefix  = "custom:"
	MaxCustomMaterialNameLen = 30
)

// Form names. The 复审 one is the seed's (seed 000, 3.3 table; S7 is a
// template of the same title). The other matters' name is our choice: the
// seed shows no 新办/增项/补证 form, and seed 001 calls it only
// "一网通办申请表"; we use the item's full title.
const (
	FormNameRenewal = "《特种设备作业人员资格复审申请表》"
	FormNameOther   = "《特种设备安全管理和作业人员资格申请表》"
)

// RequiredMaterials lists the materials of an application, required ones
// first in the order of the seed's table:
//
//   - the 申请表, always, generated (seed 000, 3.3 第1点);
//   - 身份证信息, always (seed 000, 3.3 table; seed 001 第二部分 8);
//   - 学历证明: required for 新办/增项, where the item sets an education level
//     (SOURCES.md §3: 初中以上, for A/G1–G3/R3 中专或高中以上); optional for
//     复审, as the seed's 复审 table shows it without being uploaded and the
//     2019 renewal conditions do not include education (S10); not listed
//     for 补证;
//   - 体检报告 for items with a health condition: G3 视力无色盲 (S8), N1 by
//     local practice (S5), welding (seed 001 第一部分(三); seed 000 第四部分
//     相关材料). Required for 新办/增项; optional for 复审, whose conditions
//     (S10) do not list a health check;
//   - 原证书照片页, 取证页, 复审页 for 手工录入 (seed 000, 复审项目选择 第2点);
//   - a 情况说明 when the self-commitment is 发生过 (our rule, see
//     CheckCommitment).
func RequiredMaterials(m Matter, items []catalog.Qualification, opts MaterialOptions) []MaterialSpec {
	form := MaterialSpec{Key: MaterialForm, Name: FormNameOther, Required: true, Generated: true,
		Note: "申请表根据网上填报信息自动生成，可下载后签字再上传"}
	if m == MatterRenew {
		form.Name = FormNameRenewal
	}
	id := MaterialSpec{Key: MaterialIDCard, Name: "身份证信息", Required: true,
		Note: "请上传身份证正反面扫描件或照片，须能看清姓名和身份证号码"}
	if opts.ShanghaiHousehold {
		id.ElectronicIDAllowed = true
		id.Note = "上海户籍申请人可点击“获取电子身份证”，无需上传扫描件；也可上传身份证正反面扫描件"
	}
	out := []MaterialSpec{form, id}

	general := m == MatterNew || m == MatterAdd
	switch m {
	case MatterNew, MatterAdd, MatterRenew:
		out = append(out, MaterialSpec{Key: MaterialEducation, Name: "学历证明", Required: general, Note: educationNote(items)})
		if needsHealthReport(items) {
			out = append(out, MaterialSpec{Key: MaterialHealth, Name: "体检报告", Required: general,
				Note: "须为医疗机构出具并盖章的体检报告，清晰显示姓名、左右眼视力及辨色力（色盲）结果"})
		}
	}
	if opts.ManualEntry {
		out = append(out,
			MaterialSpec{Key: MaterialOrigCertPhoto, Name: "原证书照片页", Required: true, Note: "特种设备作业人员证书照片页的扫描件或照片"},
			MaterialSpec{Key: MaterialOrigCertFirst, Name: "原证书取证页", Required: true, Note: "载有作业项目和发证日期的取证页"},
			MaterialSpec{Key: MaterialOrigCertRenewal, Name: "原证书复审页", Required: true, Note: "载有复审记录的页面；未复审过的请上传空白复审页"},
		)
	}
	if opts.IncidentReported {
		out = append(out, MaterialSpec{Key: MaterialIncident, Name: "违章作业行为和责任事故情况说明", Required: true,
			Note: "请说明持证期间发生的违章作业行为或责任事故的经过、处理结果，并签字"})
	}
	slices.SortStableFunc(out, func(a, b MaterialSpec) int {
		switch {
		case a.Required == b.Required:
			return 0
		case a.Required:
			return -1
		}
		return 1
	})
	return out
}

// educationNote names the level the items need (SOURCES.md §3, S8/S5).
func educationNote(items []catalog.Qualification) string {
	if q, ok := needsUpperSecondary(items); ok {
		return "所申请项目（" + q.String() + "等）要求中专或高中以上学历，请上传毕业证书或学历证明"
	}
	return "请上传初中以上毕业证书或学历证明"
}

// needsUpperSecondary reports the first item that asks for 中专或高中以上
// (A, G1–G3, R3: SOURCES.md §3, S8); the others ask for 初中以上.
func needsUpperSecondary(items []catalog.Qualification) (catalog.Qualification, bool) {
	for _, q := range items {
		switch q.Code {
		case "A", "G1", "G2", "G3", "R3":
			return q, true
		}
	}
	return catalog.Qualification{}, false
}

func needsHealthReport(items []catalog.Qualification) bool {
	for _, q := range items {
		switch q.Code {
		case "G3", "N1", catalog.MetalWelding, catalog.NonMetalWelding:
			return true
		}
	}
	return false
}

// standardMaterialNames are every name RequiredMaterials can produce, so a
// custom material cannot pose as one of them.
func standardMaterialNames() []string {
	all := RequiredMaterials(MatterNew, []catalog.Qualification{{Code: "G3"}}, MaterialOptions{ManualEntry: true, ShanghaiHousehold: true, IncidentReported: true})
	names := []string{FormNameRenewal, "申请表", "身份证", "电子身份证"}
	for _, s := range all {
		names = append(names, s.Name)
	}
	return names
}

// normMaterialName compares names ignoring spaces and book-title marks,
// which applicants type inconsistently.
func normMaterialName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("《》<>“”\"", r) {
			return -1
		}
		return r
	}, s)
}

// CustomMaterial validates the name the applicant typed after "+" (seed 000,
// 3.3 第6点: "填写具体的材料名称"): 1 to 30 characters, printable, and not one
// of the standard materials, which have their own line to upload into.
func CustomMaterial(name string) (MaterialSpec, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return MaterialSpec{}, errors.New("请填写材料名称")
	case n > MaxCustomMaterialNameLen:
		return MaterialSpec{}, fmt.Errorf("材料名称不能超过%d个字，当前%d个字", MaxCustomMaterialNameLen, n)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' && r != '\u3000' }):
		return MaterialSpec{}, errors.New("材料名称含有无法显示的字符，请重新填写")
	}
	norm := normMaterialName(name)
	for _, std := range standardMaterialNames() {
		if norm == normMaterialName(std) {
			return MaterialSpec{}, fmt.Errorf("“%s”已在材料列表中，请在该材料一行上传，无需另行添加", name)
		}
	}
	return MaterialSpec{Key: CustomMaterialKeyPrefix + name, Name: name, Custom: true}, nil
}

// AddCustomMaterial appends a custom material to a list, refusing a name
// the list already has.
func AddCustomMaterial(list []MaterialSpec, name string) ([]MaterialSpec, error) {
	spec, err := CustomMaterial(name)
	if err != nil {
		return list, err
	}
	for _, s := range list {
		if normMaterialName(s.Name) == normMaterialName(spec.Name) {
			return list, fmt.Errorf("材料“%s”已添加", spec.Name)
		}
	}
	return append(slices.Clone(list), spec), nil
}
