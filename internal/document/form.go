package document

import (
	"slices"
	"strconv"
)

// ApplicationFormData is what the 申请表 shows, as plain strings so the form
// needs nothing of the application package. Field names match what
// internal/web fills in.
type ApplicationFormData struct {
	Title  string // 《特种设备作业人员资格复审申请表》, 《特种设备安全管理和作业人员资格申请表》
	Number string // 申请号; empty before 提交
	Matter string // 新办, 增项, 复审, 补证

	// The applicant (seed 000 §3.2 基本信息).
	Name        string
	Sex         string
	BirthDate   string
	IDType      string
	IDNumber    string
	Education   string // 学历
	Title2      string // 技术职称
	School      string // 毕业院校
	Major       string // 专业
	Household   string // 户籍地址/居住证地址
	Postcode    string
	Mobile      string
	WorkHistory string // 工作经历
	Photo       []byte // JPEG or PNG, 2-inch; a "照片" box when nil

	// The employer.
	Employer   string // 单位名称
	CreditCode string // 统一社会信用代码
	Address    string // 单位地址

	Items []FormItem

	// Commitment answers 持证期间是否发生过违章作业行为和责任事故 (自我承诺
	// step of 复审): 未发生过 or 发生过. Empty leaves the row out.
	Commitment  string
	Authority   string // 受理机构
	Declaration string // default: 本人承诺所填写的信息和提交的材料真实、有效…
	QRURL       string // public progress page of the application
	QRCaption   string // default 扫码查看办理进度
	GeneratedOn string // written out: 2026年11月22日
}

// FormItem is one line of the item table. From and Period are the old item
// of a 复审 (原项目名称[代号], 有效期); a 新办/增项 leaves them empty.
type FormItem struct {
	From, Period, Code, Name string
}

const defaultDeclaration = "本人承诺所填写的信息和提交的材料真实、有效，并对其真实性负责；" +
	"如有隐瞒或者提供虚假材料，愿意承担相应的法律责任。"

// Matters are the four kinds of application (seed 000 概述).
var Matters = []string{"新办", "增项", "复审", "补证"}

// ApplicationForm renders the 申请表 (seed 000 §3.3: 申请表根据网上填报信息，
// 自动生成) as a bordered government form: the applicant's particulars
// beside a 2-inch photo box, the employer, the kind of application, the
// items, the self-declaration of 复审, the applicant's promise with a place
// to sign, and a QR code to the progress page.
func ApplicationForm(f ApplicationFormData) ([]byte, error) {
	footer := ""
	if f.Number != "" {
		footer = "申请号：" + f.Number
	}
	d, err := New(Options{Footer: footer})
	if err != nil {
		return nil, err
	}
	d.Title(f.Title)
	number := f.Number
	if number == "" {
		number = "（提交后生成）"
	}
	d.LeftRight("受理机构："+f.Authority, "申请号："+number, SizeForm)

	// Column grid shared by every row so the borders line up: label 24 mm,
	// value 43.5, label 24, value 43.5, photo 35 (= 170 mm).
	const (
		lw, vw  = 24.0, 43.5
		pw, ph  = 35.0, 49.0 // 2-inch photo (seed 000 3.2)
		topRows = 5
	)
	top := d.Y()
	left := Grid{W: d.Width() - pw, Rows: []Row{
		pair("姓名", f.Name, "性别", f.Sex),
		pair("出生日期", f.BirthDate, "证件类型", f.IDType),
		{Cells: []Cell{{Text: "证件号码", W: lw, Label: true}, {Text: f.IDNumber, W: vw + lw + vw}}},
		pair("学历", f.Education, "技术职称", f.Title2),
		pair("毕业院校", f.School, "专业", f.Major),
	}}
	for i := range left.Rows {
		left.Rows[i].MinH = ph / topRows
	}
	left.Draw(d)
	bottom := d.Y()
	photoBox(d, f.Photo, d.Right()-pw, top, pw, max(ph, bottom-top))
	d.SetY(max(bottom, top+ph))

	wide := vw + lw + vw + pw
	matter := f.Matter
	if slices.Contains(Matters, f.Matter) {
		matter = Choices(f.Matter, Matters...)
	}
	Grid{Rows: []Row{
		{Cells: []Cell{{Text: "户籍地址/\n居住证地址", W: lw, Label: true}, {Text: f.Household, W: wide}}},
		{Cells: []Cell{{Text: "邮政编码", W: lw, Label: true}, {Text: f.Postcode, W: vw}, {Text: "移动电话", W: lw, Label: true}, {Text: f.Mobile, W: vw + pw}}},
		{Cells: []Cell{{Text: "单位名称", W: lw, Label: true}, {Text: f.Employer, W: wide}}},
		{Cells: []Cell{{Text: "统一社会\n信用代码", W: lw, Label: true}, {Text: f.CreditCode, W: vw}, {Text: "单位地址", W: lw, Label: true}, {Text: f.Address, W: vw + pw}}},
		{Cells: []Cell{{Text: "工作经历", W: lw, Label: true}, {Text: f.WorkHistory, W: wide}}, MinH: 14},
		{Cells: []Cell{{Text: "申请类别", W: lw, Label: true}, {Text: matter, W: wide}}},
	}}.Draw(d)

	itemTable(f.Items).Draw(d)

	if f.Commitment != "" {
		answer := f.Commitment
		if answer == "未发生过" || answer == "发生过" {
			answer = Choices(f.Commitment, "未发生过", "发生过")
		}
		Grid{Rows: []Row{{Cells: []Cell{
			{Text: "持证期间是否发生过违章作业行为和责任事故", W: lw + vw + lw, Label: true},
			{Text: answer, W: vw + pw},
		}}}}.Draw(d)
	}

	// The promise and the signature share one cell: the signature is what
	// makes the promise the applicant's, so they must not part at a page
	// break.
	decl := f.Declaration
	if decl == "" {
		decl = defaultDeclaration
	}
	const signH = 12.0
	row := d.layRow(d.Left(), d.Width(), Row{Cells: []Cell{{Text: "申请人承诺", W: lw, Label: true}, {Text: decl, W: wide, Top: true}}}, SizeForm)
	row.h += signH
	d.Need(row.h)
	d.drawRow(row)
	end := d.Y()
	d.SetY(end - signH)
	Signature{X: d.Left() + d.Width()*lw/(lw+wide) + 30, Size: SizeForm, Fields: []SignField{
		{Label: "申请人（签字）：", Blank: 32},
		{Label: "日期：", Blank: 30},
	}}.Draw(d)
	d.SetY(end)

	// QR code and generation note under the form.
	caption := f.QRCaption
	if caption == "" {
		caption = "扫码查看办理进度"
	}
	note := "本表由网上办事系统根据申请人填报的信息自动生成。"
	if f.GeneratedOn != "" {
		note += "生成日期：" + f.GeneratedOn + "。"
	}
	const qr = 24.0
	d.Space(4)
	d.Need(qr + 6)
	y := d.Y()
	used := lineHeight(SizeSmall, 1.5)
	if f.QRURL != "" {
		used = max(used, d.QR(f.QRURL, caption, d.Right()-qr, y, qr))
	}
	d.Text(d.Left(), y, d.Width()-qr-4, lineHeight(SizeSmall, 1.5), note, SizeSmall, AlignLeft)
	d.SetY(y + used)
	return d.Bytes()
}

func pair(l1, v1, l2, v2 string) Row {
	return Row{Cells: []Cell{{Text: l1, W: 24, Label: true}, {Text: v1, W: 43.5}, {Text: l2, W: 24, Label: true}, {Text: v2, W: 43.5}}}
}

// itemTable shows old → new for a 复审 (seed 000 §3.2 复审项目明细: (原)项目名称
// (代号), 有效期, 项目代号, 项目名称) and just the items otherwise; a column
// nobody filled is left out.
func itemTable(items []FormItem) Table {
	var from, period bool
	for _, it := range items {
		from = from || it.From != ""
		period = period || it.Period != ""
	}
	t := Table{Columns: []Column{{Header: "序号", W: 10, Align: AlignCenter}}}
	if from {
		t.Columns = append(t.Columns, Column{Header: "原项目名称（代号）", W: 42})
	}
	if period {
		t.Columns = append(t.Columns, Column{Header: "有效期", W: 38, Align: AlignCenter})
	}
	t.Columns = append(t.Columns, Column{Header: "申请项目代号", W: 30, Align: AlignCenter}, Column{Header: "申请项目名称", W: 50})
	if len(items) == 0 {
		t.Rows = [][]string{{"", "", "", "", ""}}
	}
	for i, it := range items {
		r := []string{strconv.Itoa(i + 1)}
		if from {
			r = append(r, it.From)
		}
		if period {
			r = append(r, it.Period)
		}
		t.Rows = append(t.Rows, append(r, it.Code, it.Name))
	}
	return t
}
