package document

import (
	"strconv"
	"strings"
)

// WeldFormData is the 考试机构报名表 of a welder registration (seed 001
// 第一部分 (一): 考试机构报名表…打印后贴照片，盖红章，焊工本人手工签字), as
// plain strings.
type WeldFormData struct {
	Title       string // 特种设备焊接操作人员考试申请表 / 复审申请表
	Number      string // the registration's number
	Institution string // 考试机构

	Name, Sex, Nature, Address, Education, Postcode, IDNumber, Mobile string
	Photo                                                             []byte // a "照片" box to glue one on when nil

	WorkType, WeldingYears string
	Items                  []string // 技能考试项目明细

	Employer, CreditCode, UnitTypes, District, EmployerAddress, Contact, ContactPhone string
	EntrustLabel, Entrust                                                             string

	Work      []string // 工作经历: 时间 单位名称 从事焊接工作
	Training  string
	Materials []string // all the checklist, Ticked the ones confirmed
	Ticked    []string

	// 复审 (seed 000 四.3); empty for a 新考证.
	Renewal                                                                              bool
	Issuer, IssuerAddress, CertificateNumber, FirstIssued, Accepted, Trained, ValidUntil string

	GeneratedOn string
}

// WeldForm renders the registration as the exam institution's form: the
// welder's particulars beside a 2-inch photo box, the skill items, the
// employer, the work history, the materials, the employer's stamp with
// its confirmation and the welder's signature, and the seed's notes.
func WeldForm(f WeldFormData) ([]byte, error) {
	d, err := New(Options{Footer: "报名序号：" + f.Number})
	if err != nil {
		return nil, err
	}
	d.Title(f.Title)
	d.LeftRight("考试机构："+f.Institution, "报名序号："+f.Number, SizeForm)
	const (
		lw, vw = 24.0, 43.5
		pw, ph = 35.0, 49.0 // 2-inch photo
	)
	top := d.Y()
	var rows []Row
	rows = append(rows, pair("姓名", f.Name, "性别", f.Sex))
	if !f.Renewal {
		rows = append(rows, Row{Cells: []Cell{{Text: "申请考试性质", W: lw, Label: true}, {Text: Choices(f.Nature, "首次考试", "重新考试", "补考", "增项", "抽考"), W: vw + lw + vw}}})
	}
	rows = append(rows,
		Row{Cells: []Cell{{Text: "通信地址", W: lw, Label: true}, {Text: f.Address, W: vw + lw + vw}}},
		pair("学历", f.Education, "邮政编码", f.Postcode),
		pair("身份证", f.IDNumber, "联系电话\n(手机)", f.Mobile),
	)
	left := Grid{W: d.Width() - pw, Rows: rows}
	for i := range left.Rows {
		left.Rows[i].MinH = ph / float64(len(rows))
	}
	left.Draw(d)
	bottom := d.Y()
	photoBox(d, f.Photo, d.Right()-pw, top, pw, max(ph, bottom-top))
	d.SetY(max(bottom, top+ph))

	wide := vw + lw + vw + pw
	var more []Row
	if f.Renewal {
		more = append(more,
			Row{Cells: []Cell{{Text: "原发证机关", W: lw, Label: true}, {Text: f.Issuer, W: wide}}},
			Row{Cells: []Cell{{Text: "发证机关地址", W: lw, Label: true}, {Text: f.IssuerAddress, W: wide}}},
			Row{Cells: []Cell{{Text: "证书编号", W: lw, Label: true}, {Text: f.CertificateNumber, W: vw}, {Text: "首次领证日期", W: lw, Label: true}, {Text: f.FirstIssued, W: vw + pw}}},
			Row{Cells: []Cell{{Text: "受理日期", W: lw, Label: true}, {Text: f.Accepted, W: vw}, {Text: "培训日期", W: lw, Label: true}, {Text: f.Trained, W: vw + pw}}},
			Row{Cells: []Cell{{Text: "当前证书有效期", W: lw, Label: true}, {Text: f.ValidUntil, W: wide}}},
		)
	}
	items := ""
	for i, it := range f.Items {
		items += strconv.Itoa(i+1) + ". " + it + "\n"
	}
	more = append(more,
		Row{Cells: []Cell{{Text: "作业种类", W: lw, Label: true}, {Text: Choices(f.WorkType, "金属焊", "非金属焊"), W: vw}, {Text: "焊工工龄(年)", W: lw, Label: true}, {Text: f.WeldingYears, W: vw + pw}}},
		Row{Cells: []Cell{{Text: "技能考试\n项目明细", W: lw, Label: true}, {Text: strings.TrimSuffix(items, "\n"), W: wide}}, MinH: 12},
		Row{Cells: []Cell{{Text: "用人单位\n(或培训机构)", W: lw, Label: true}, {Text: f.Employer, W: vw}, {Text: "组织机构代码", W: lw, Label: true}, {Text: f.CreditCode, W: vw + pw}}},
		Row{Cells: []Cell{{Text: "单位类型", W: lw, Label: true}, {Text: f.UnitTypes, W: vw}, {Text: "地区代码", W: lw, Label: true}, {Text: f.District, W: vw + pw}}},
		Row{Cells: []Cell{{Text: "单位地址", W: lw, Label: true}, {Text: f.EmployerAddress, W: wide}}},
		pair("单位联系人", f.Contact, "联系电话", f.ContactPhone),
		Row{Cells: []Cell{{Text: f.EntrustLabel, W: lw + vw, Label: true}, {Text: Choices(f.Entrust, "是", "否"), W: lw + vw + pw}}},
		Row{Cells: []Cell{{Text: "工作经历", W: lw, Label: true}, {Text: strings.Join(f.Work, "\n"), W: wide}}, MinH: 16},
		Row{Cells: []Cell{{Text: "安全教育和\n培训情况", W: lw, Label: true}, {Text: f.Training, W: wide}}, MinH: 12},
	)
	var mats []string
	for _, m := range f.Materials {
		mark := Unchecked
		for _, t := range f.Ticked {
			if t == m {
				mark = Checked
			}
		}
		mats = append(mats, mark+m)
	}
	more = append(more, Row{Cells: []Cell{{Text: "相关材料", W: lw, Label: true}, {Text: strings.Join(mats, "\n"), W: wide}}})
	// pair() rows are 4 cells of 135 mm; they widen to the full width.
	for i, r := range more {
		if len(r.Cells) == 4 && r.Cells[3].W == vw {
			more[i].Cells[3].W = vw + pw
		}
	}
	Grid{Rows: more}.Draw(d)

	// The employer's confirmation, its red stamp and the welder's signature
	// (seed 000 四.2 注1: 用人单位(或者培训机构)应当明确申请人经过安全教育和
	// 培训情况，并且确认申请人独立承担焊接工作的能力).
	const signH = 20.0
	row := d.layRow(d.Left(), d.Width(), Row{Cells: []Cell{{Text: "用人单位\n(或培训机构)\n意见", W: lw, Label: true},
		{Text: "经审查，申请人已经过安全教育和培训，具有独立承担焊接工作的能力，同意报考。", W: wide, Top: true}}}, SizeForm)
	row.h += signH
	d.Need(row.h)
	d.drawRow(row)
	end := d.Y()
	d.SetY(end - signH + 2)
	d.Text(d.Left()+d.Width()*0.55, d.Y(), d.Width()*0.4, 8, "（单位盖章）", SizeForm, AlignLeft)
	d.SetY(end - 9)
	Signature{X: d.Left() + d.Width()*lw/(lw+wide) + 8, Size: SizeForm, Fields: []SignField{
		{Label: "申请人（签字）：", Blank: 32},
		{Label: "日期：", Blank: 30},
	}}.Draw(d)
	d.SetY(end)
	d.Space(3)
	note := "注：1. 用人单位(或者培训机构)应当明确申请人经过安全教育和培训情况，并且确认申请人独立承担焊接工作的能力。\n2. 本表一式两份。打印后贴照片，盖红章，焊工本人手工签字。"
	if f.GeneratedOn != "" {
		note += "\n本表由考试报名系统根据报名信息生成，生成日期：" + f.GeneratedOn + "。"
	}
	d.Paragraph(note, Style{Size: SizeSmall})
	return d.Bytes()
}
