package weldexam

import (
	"fmt"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
)

// 批量报名 (seed 000 四.1: 单个报名 / 批量报名): a 单位 fills one row of a
// workbook per candidate with the columns of the 新考证 考试申请表, and each
// row is checked by Check exactly as the single form is.

// The columns of the 批量报名 workbook, named as the 考试申请表 names its
// fields (Labels), in the form's order. The photo is no column: a workbook
// cannot carry a checked 2-inch photo (see BatchPhotoRule).
const (
	ColName            = "姓名"
	ColSex             = "性别"
	ColNature          = "申请考试性质"
	ColAddress         = "通信地址"
	ColEducation       = "学历"
	ColPostcode        = "邮政编码"
	ColIDNumber        = "身份证"
	ColMobile          = "联系电话(手机)"
	ColWorkType        = "作业种类"
	ColWeldingYears    = "焊工工龄(年)"
	ColItems           = "技能考试项目明细"
	ColEmployer        = "用人单位(或者培训机构)名称"
	ColCreditCode      = "组织机构代码"
	ColUnitTypes       = "单位类型"
	ColDistrict        = "地区代码"
	ColEmployerAddress = "单位地址"
	ColContact         = "单位联系人"
	ColContactPhone    = "联系电话"
	ColEntrust         = "是否委托考试机构办理取证手续"
	ColWork            = "工作经历"
	ColTraining        = "安全教育和培训情况"
	ColMaterials       = "相关材料"
)

// BatchColumns is the header row of the workbook's sheet BatchSheet.
var BatchColumns = []string{ColName, ColSex, ColNature, ColAddress, ColEducation, ColPostcode, ColIDNumber, ColMobile,
	ColWorkType, ColWeldingYears, ColItems, ColEmployer, ColCreditCode, ColUnitTypes, ColDistrict, ColEmployerAddress,
	ColContact, ColContactPhone, ColEntrust, ColWork, ColTraining, ColMaterials}

// BatchOptional are the columns a workbook may leave out: the employer's
// details, which default to the uploading 单位's own.
var BatchOptional = []string{ColEmployer, ColCreditCode, ColEmployerAddress, ColContact, ColContactPhone}

// BatchSheet and BatchGuideSheet are the workbook's sheets.
const (
	BatchSheet      = "报名"
	BatchGuideSheet = "填写说明"
)

// BatchPhotoRule is how the photo of a batch registration comes: the
// registrant uploads it through 修改 (after proving by SMS code that the
// registration is theirs), where the portal's 2-inch check applies and
// the form is checked again whole. A photo is the person's likeness for
// the 准考证 and certificate; the exam institution takes it from the
// person rather than from files an employer renamed.
const BatchPhotoRule = "照片不在表格中填写：报名确认后，请每位考生本人在“焊工报名”页点击“修改”，用报名时填写的手机号接收短信验证码后上传2寸正面近期免冠照片；考试机构锁定报名前须补齐照片。"

// UnconfirmedBatchDays is how long a 批量报名 upload the 单位 has not
// confirmed is kept. Its rows hold every candidate's 身份证号 and mobile,
// and they serve one purpose: the 单位 reads the report and confirms it,
// or corrects the table and uploads it again, usually the same day. A
// week leaves room for checking the report with the candidates or for a
// holiday in between; an upload not confirmed by then has been given up,
// and the personal data in it is kept no longer than its purpose needs
// (个人信息保护法 第十九条). A 单位 that comes back later uploads the table
// again, as it would after correcting it.
const UnconfirmedBatchDays = 7

// UnconfirmedBatchKept is UnconfirmedBatchDays from the upload.
const UnconfirmedBatchKept = UnconfirmedBatchDays * 24 * time.Hour

// BatchRow is one data row of the workbook: its row number as the
// spreadsheet shows it (the header is row 1) and its cells by column.
type BatchRow struct {
	Line  int               `json:"line"`
	Cells map[string]string `json:"cells"`
}

// BatchProblem is one problem of the report: 行号, 列 and 原因.
type BatchProblem struct {
	Line    int
	Column  string
	Message string
}

// BatchEntry is a row that can be registered, as Check cleaned it.
type BatchEntry struct {
	Line int
	Form Registration
}

// MaxBatchRows bounds one workbook: a 单位's year of candidates fits many
// times over, and the confirmation registers them in one transaction.
const MaxBatchRows = 10000

// splitList reads a cell holding several values separated by 、 or ; (either
// width), or by line breaks.
func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ';' || r == '；' || r == '\n' || r == '\r' })
	out := make([]string, 0, len(f))
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// splitWork reads the 工作经历 cell: one period a line (or separated by ；),
// its 时间, 单位名称 and 从事焊接工作 separated by commas (either width); the
// work may itself contain commas.
func splitWork(s string) []WorkRow {
	var out []WorkRow
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ';' || r == '；' }) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(strings.ReplaceAll(line, "，", ","), ",", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		out = append(out, WorkRow{Period: strings.TrimSpace(parts[0]), Employer: strings.TrimSpace(parts[1]), Work: strings.TrimSpace(parts[2])})
	}
	return out
}

// FromRow is the 新考证 form a row fills in. The employer's details left
// blank are the uploading 单位's; 相关材料 "是" ticks the whole checklist.
func FromRow(row BatchRow, unit enterprise.Unit) Registration {
	get := func(col string) string { return strings.TrimSpace(row.Cells[col]) }
	or := func(col, fallback string) string {
		if v := get(col); v != "" {
			return v
		}
		return fallback
	}
	r := Registration{Kind: New, Name: get(ColName), Sex: get(ColSex), Nature: get(ColNature), Address: get(ColAddress),
		Education: get(ColEducation), Postcode: get(ColPostcode), IDNumber: get(ColIDNumber), Mobile: get(ColMobile),
		WorkType: get(ColWorkType), WeldingYears: get(ColWeldingYears), Items: splitList(get(ColItems)),
		Employer: or(ColEmployer, unit.Name), CreditCode: or(ColCreditCode, unit.CreditCode), UnitTypes: splitList(get(ColUnitTypes)),
		District: get(ColDistrict), EmployerAddress: or(ColEmployerAddress, unit.Address), Contact: or(ColContact, unit.Contact),
		ContactPhone: or(ColContactPhone, unit.Phone), Entrust: get(ColEntrust), Work: splitWork(get(ColWork)), Training: get(ColTraining)}
	if m := get(ColMaterials); m == "是" {
		r.Materials = Materials
	}
	return r
}

// BatchColumn is the workbook column of a field of Check.
func BatchColumn(field string) string {
	switch {
	case strings.HasPrefix(field, "item-"):
		return ColItems
	case strings.HasPrefix(field, "work-"):
		return ColWork
	case field == "id_number":
		return ColIDNumber
	case field == "entrust":
		return ColEntrust
	}
	if l, ok := Labels[field]; ok {
		return l
	}
	return ""
}

// CheckBatch checks every row as the single form (Check, the same
// messages at the row's column), with what a batch adds: the photo comes
// later (BatchPhotoRule), the 组织机构代码 is the uploading 单位's (it
// registers the candidates as their employer), and one 身份证 appears once.
func CheckBatch(rows []BatchRow, unit enterprise.Unit, today civil.Date, cat *catalog.Catalog) ([]BatchEntry, []BatchProblem) {
	var good []BatchEntry
	var problems []BatchProblem
	seen := make(map[string]int, len(rows))
	for _, row := range rows {
		clean, ps := Check(FromRow(row, unit), today, cat)
		bad := false
		for _, p := range ps {
			if p.Field == "photo" {
				continue
			}
			problems = append(problems, BatchProblem{Line: row.Line, Column: BatchColumn(p.Field), Message: p.Message})
			bad = true
		}
		if clean.CreditCode != "" && clean.CreditCode != unit.CreditCode && !hasField(ps, "credit_code") {
			problems = append(problems, BatchProblem{Line: row.Line, Column: ColCreditCode,
				Message: fmt.Sprintf("批量报名的考生须为本单位人员：组织机构代码应为本单位的统一社会信用代码 %s（或留空）", unit.CreditCode)})
			bad = true
		}
		if clean.IDNumber != "" && !hasField(ps, "id_number") {
			if first, dup := seen[clean.IDNumber]; dup {
				problems = append(problems, BatchProblem{Line: row.Line, Column: ColIDNumber,
					Message: fmt.Sprintf("与第%d行的身份证号相同，同一考生只能报名一次，请合并为一行", first)})
				bad = true
			} else {
				seen[clean.IDNumber] = row.Line
			}
		}
		if !bad {
			good = append(good, BatchEntry{Line: row.Line, Form: clean})
		}
	}
	return good, problems
}

func hasField(ps application.Problems, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// BatchGuide is the 填写说明 sheet: each column and how to fill it, with
// the choices and codes the single form offers.
func BatchGuide(cat *catalog.Catalog) [][2]string {
	if cat == nil {
		cat = catalog.Default()
	}
	var districts []string
	for _, d := range cat.Districts() {
		districts = append(districts, d.Code+" "+d.Name)
	}
	return [][2]string{
		{ColName, "考生姓名，与身份证一致，不超过30个字"},
		{ColSex, "填写：" + strings.Join(Sexes, "、") + "（须与身份证号一致）"},
		{ColNature, "填写其一：" + strings.Join(Natures, "、") + "（增项不参加理论考试）"},
		{ColAddress, "考生通信地址，不超过100个字"},
		{ColEducation, "填写其一：" + strings.Join(Educations, "、")},
		{ColPostcode, "6位数字邮政编码"},
		{ColIDNumber, "18位居民身份证号码（末位可为X）；同一考生在表中只能出现一次"},
		{ColMobile, "考生本人11位手机号码：报名确认后考生用它接收短信验证码，修改报名并上传照片"},
		{ColWorkType, "填写其一：" + strings.Join(WorkTypes, "、")},
		{ColWeldingYears, "0至60之间的整数"},
		{ColItems, "一个单元格内填写全部项目代号，多个项目用“、”或“;”分隔，最多" + fmt.Sprint(MaxItems) + "个，如：SMAW-FeⅡ-6G(K)-9/57-Fef3J、SAW-1G(K)-07/08/19（金属焊按 TSG Z6002 代号规则检查）"},
		{ColEmployer, "可留空：留空时为本单位名称"},
		{ColCreditCode, "可留空：留空时为本单位统一社会信用代码；批量报名的考生须为本单位人员，填写时须为本单位代码"},
		{ColUnitTypes, "可多选，用“、”分隔：" + strings.Join(UnitTypes, "、")},
		{ColDistrict, "单位所在区的行政区划代码：" + strings.Join(districts, "；")},
		{ColEmployerAddress, "可留空：留空时为本单位地址"},
		{ColContact, "可留空：留空时为本单位联系人"},
		{ColContactPhone, "单位联系电话，可留空：留空时为本单位联系电话"},
		{ColEntrust, "填写：是 或 否"},
		{ColWork, "一个单元格内填写全部工作经历，每段一行（或用“;”分隔），每段依次为 时间，单位名称，从事焊接工作 三要素，用逗号分隔，如：2018.03—2023.06，上海某安装公司，压力管道焊接"},
		{ColTraining, "安全教育和培训情况，不超过500个字"},
		{ColMaterials, "填写“是”表示已准备：" + strings.Join(Materials, "；")},
		{"照片", BatchPhotoRule},
	}
}
