package document

import "fmt"

// ApplicationFormData is what the 申请表 shows. It is plain data so the
// form needs nothing of the application package.
type ApplicationFormData struct {
	Title       string // 《特种设备作业人员资格复审申请表》 …
	Number      string // 申请号, empty before 提交
	Matter      string // 新办, 增项, 复审, 补证
	Name        string
	Sex         string
	BirthDate   string
	IDType      string
	IDNumber    string
	Education   string
	Title2      string // 技术职称
	School      string
	Major       string
	Household   string
	Postcode    string
	Mobile      string
	Employer    string
	CreditCode  string
	Address     string
	WorkHistory string
	Items       []FormItem
	Commitment  string // 未发生过 / 发生过
	Authority   string // 受理机构
	Photo       []byte // JPEG or PNG; a box is drawn when nil
	QRURL       string // public progress page of the application
	GeneratedOn string
}

// FormItem is one line of the item table.
type FormItem struct {
	From, Period, Code, Name string
}

// ApplicationForm renders the 申请表 (seed 000 3.3: 申请表根据网上填报信息，自动
// 生成), laid out as a bordered government form with a 2-inch photo box.
func ApplicationForm(f ApplicationFormData) ([]byte, error) {
	d, err := newDoc("特种设备安全管理和作业人员资格认定 " + f.Title)
	if err != nil {
		return nil, err
	}
	d.title(f.Title, 16)
	number := "申请号：" + f.Number
	if f.Number == "" {
		number = "申请号：（提交后生成）"
	}
	d.right(number+"    申请类型："+f.Matter, 9)
	top := d.y
	// Left part of the first rows leaves room for the photo (35 × 49 mm).
	photoW, photoH := 99.2, 138.9
	share := (contentW - photoW) / contentW
	l, v := share*0.22, share*0.28
	d.row(10, cell{"姓名", l, true}, cell{f.Name, v, false}, cell{"性别", l, true}, cell{f.Sex, v, false})
	d.row(10, cell{"出生日期", l, true}, cell{f.BirthDate, v, false}, cell{"证件类型", l, true}, cell{f.IDType, v, false})
	d.row(10, cell{"证件号码", l, true}, cell{f.IDNumber, share - l, false})
	d.row(10, cell{"学历", l, true}, cell{f.Education, v, false}, cell{"技术职称", l, true}, cell{f.Title2, v, false})
	d.row(10, cell{"毕业院校", l, true}, cell{f.School, v, false}, cell{"专业", l, true}, cell{f.Major, v, false})
	photoBottom := d.y
	px := margin + share*contentW
	if f.Photo != nil {
		if err := d.picture(f.Photo, px, top, photoW, photoBottom-top); err != nil {
			return nil, err
		}
		d.pdf.RectFromUpperLeftWithStyle(px, top, photoW, photoBottom-top, "D")
	} else {
		d.pdf.RectFromUpperLeftWithStyle(px, top, photoW, photoBottom-top, "D")
		d.font(10)
		d.pdf.SetXY(px+photoW/2-20, top+(photoBottom-top)/2)
		d.pdf.Text("（照片）")
	}
	_ = photoH
	d.row(10, cell{"户籍/居住证地址", 0.2, true}, cell{f.Household, 0.45, false}, cell{"邮政编码", 0.15, true}, cell{f.Postcode, 0.2, false})
	d.row(10, cell{"移动电话", 0.2, true}, cell{f.Mobile, 0.3, false}, cell{"受理机构", 0.15, true}, cell{f.Authority, 0.35, false})
	d.row(10, cell{"单位名称", 0.2, true}, cell{f.Employer, 0.8, false})
	d.row(10, cell{"统一社会信用代码", 0.2, true}, cell{f.CreditCode, 0.8, false})
	d.row(10, cell{"单位地址", 0.2, true}, cell{f.Address, 0.8, false})
	d.row(10, cell{"工作经历", 0.2, true}, cell{f.WorkHistory, 0.8, false})
	d.y += 8
	itemHeader := func() {
		d.row(9, cell{"序号", 0.06, true}, cell{"(原)项目名称(代号)", 0.25, true}, cell{"有效期", 0.23, true}, cell{"申请项目代号", 0.2, true}, cell{"申请项目名称", 0.26, true})
	}
	itemHeader()
	for i, it := range f.Items {
		if d.y+30 > bottom {
			d.newPage()
			itemHeader() // the header repeats on every page of the table
		}
		d.row(9, cell{fmt.Sprint(i + 1), 0.06, false}, cell{it.From, 0.25, false}, cell{it.Period, 0.23, false}, cell{it.Code, 0.2, false}, cell{it.Name, 0.26, false})
	}
	d.y += 8
	d.row(10, cell{"持证期间是否发生过违章作业行为和责任事故", 0.5, true}, cell{f.Commitment, 0.5, false})
	d.y += 12
	d.para("本人承诺：所填写的信息和提交的申请材料真实、有效，如有虚假，愿承担相应的法律责任。", 10)
	d.y += 16
	d.need(60)
	sigY := d.y
	d.para("申请人（签字）：________________        日期：______年____月____日", 10)
	if f.QRURL != "" {
		if err := d.qr(f.QRURL, "扫码查看办理进度", sigY-20, 70); err != nil {
			return nil, err
		}
	}
	d.y = sigY + 90
	d.font(8)
	d.pdf.SetXY(margin, d.y)
	d.pdf.Text("本表由网上办事系统根据填报信息生成，生成日期：" + f.GeneratedOn)
	return d.bytes()
}
