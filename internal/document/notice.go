package document

import "fmt"

// CorrectionNoticeData is a 补正告知书 (seed 000 3.5 sample).
type CorrectionNoticeData struct {
	Number    string // 编号
	IDNumber  string // 证件号码 as printed (masked by the caller when public)
	Name      string
	Items     string // the items applied for, e.g. "Q2(限流动式起重机)"
	Matter    string // 复审 …
	Asks      []CorrectionAsk
	Deadline  string // 补正期限, e.g. 2026年12月02日
	Authority string // issuing 受理机关
	IssuedOn  string
	QRURL     string
}

// CorrectionAsk is one thing to correct and why.
type CorrectionAsk struct{ What, Reason string }

// CorrectionNotice renders the 补正告知书: everything to correct told once
// (一次性告知, 行政许可法 第三十二条), with the deadline and its consequence.
//
// The legal basis follows the seed's sample, corrected in form: the seed
// prints "第15条第四款", which SOURCES.md §8.6 shows is malformed (the
// provision is an item, 项, not a paragraph); the article number itself is
// unverified recollection (SOURCES.md §3).
func CorrectionNotice(n CorrectionNoticeData) ([]byte, error) {
	d, err := newDoc("特种设备作业人员考核许可申请材料补正告知书")
	if err != nil {
		return nil, err
	}
	d.title("特种设备作业人员考核许可申请材料补正告知书", 16)
	d.right("编号："+n.Number, 10)
	d.para("证件号码："+n.IDNumber, 11)
	d.para(n.Name+"：", 11)
	d.y += 4
	d.para(fmt.Sprintf("您提出的%s特种设备作业人员（含安全管理人员）考核 %s申请，所提供（出示）的材料不齐全（不符合法定形式），"+
		"根据《市场监督管理行政许可程序暂行规定》第十五条第（四）项，请作如下补正：", n.Items, n.Matter), 11)
	d.y += 4
	for i, a := range n.Asks {
		d.para(fmt.Sprintf("%d. %s：%s", i+1, a.What, a.Reason), 11)
	}
	d.y += 8
	d.para("请于 "+n.Deadline+" 前登录网上办事系统，在“办件查询”中点击“材料补正”，按本告知书修改后再次提交。", 11)
	d.para("申请人无正当理由逾期不予补正的，视为放弃行政许可申请。", 11)
	d.y += 24
	d.need(90)
	y := d.y
	d.right(n.Authority, 11)
	d.right(n.IssuedOn, 11)
	if n.QRURL != "" {
		if err := d.qr(n.QRURL, "扫码查看办理进度", y+40, 70); err != nil {
			return nil, err
		}
	}
	return d.bytes()
}

// LetterData is a one-page notice or decision of the 受理机关: 受理通知书,
// 不予受理决定书, 准予许可决定书, 不予许可决定书.
type LetterData struct {
	Title     string
	Number    string
	To        string // the applicant, addressed by name
	Body      []string
	Authority string
	IssuedOn  string
	QRURL     string
}

// Letter renders a notice or decision with its number, the issuing
// authority and date, and the QR code of the application's progress page.
func Letter(l LetterData) ([]byte, error) {
	d, err := newDoc(l.Title)
	if err != nil {
		return nil, err
	}
	d.title(l.Title, 16)
	d.right("编号："+l.Number, 10)
	d.y += 6
	d.para(l.To+"：", 11)
	d.y += 4
	for _, p := range l.Body {
		d.para("　　"+p, 11)
		d.y += 4
	}
	d.y += 24
	d.need(110)
	y := d.y
	d.right(l.Authority+"（印章）", 11)
	d.right(l.IssuedOn, 11)
	if l.QRURL != "" {
		if err := d.qr(l.QRURL, "扫码查看办理进度", y+40, 70); err != nil {
			return nil, err
		}
	}
	return d.bytes()
}

// CertificateData is 《中华人民共和国特种设备安全管理和作业人员证》.
type CertificateData struct {
	Name, Sex, IDNumber, Number, ArchiveNo, Employer string
	Items                                            []CertificateItem
	Authority, IssuedOn                              string
	Photo                                            []byte
	QRURL                                            string
}

// CertificateItem is one line: 作业项目代号, 作业项目, 批准日期, 有效期至
// (validity is per item, fixture S6).
type CertificateItem struct{ Code, Name, Approved, Until string }

// Certificate renders the certificate with its items, dates and a QR code.
func Certificate(c CertificateData) ([]byte, error) {
	d, err := newDoc("中华人民共和国特种设备安全管理和作业人员证")
	if err != nil {
		return nil, err
	}
	d.title("中华人民共和国", 14)
	d.title("特种设备安全管理和作业人员证", 20)
	d.y += 10
	top := d.y
	share := (contentW - 99.2) / contentW
	d.row(11, cell{"姓名", share * 0.3, true}, cell{c.Name, share * 0.7, false})
	d.row(11, cell{"性别", share * 0.3, true}, cell{c.Sex, share * 0.7, false})
	d.row(11, cell{"证件编号", share * 0.3, true}, cell{c.Number, share * 0.7, false})
	d.row(11, cell{"档案编号", share * 0.3, true}, cell{c.ArchiveNo, share * 0.7, false})
	d.row(11, cell{"用人单位", share * 0.3, true}, cell{c.Employer, share * 0.7, false})
	px := margin + share*contentW
	if c.Photo != nil {
		if err := d.picture(c.Photo, px, top, 99.2, d.y-top); err != nil {
			return nil, err
		}
	}
	d.pdf.RectFromUpperLeftWithStyle(px, top, 99.2, d.y-top, "D")
	d.y += 12
	d.row(10, cell{"作业项目代号", 0.25, true}, cell{"作业项目", 0.35, true}, cell{"批准日期", 0.2, true}, cell{"有效期至", 0.2, true})
	for _, it := range c.Items {
		d.row(10, cell{it.Code, 0.25, false}, cell{it.Name, 0.35, false}, cell{it.Approved, 0.2, false}, cell{it.Until, 0.2, false})
	}
	d.y += 24
	d.need(110)
	y := d.y
	d.right("发证机关："+c.Authority, 11)
	d.right("发证日期："+c.IssuedOn, 11)
	if c.QRURL != "" {
		if err := d.qr(c.QRURL, "扫码核验", y+40, 70); err != nil {
			return nil, err
		}
	}
	return d.bytes()
}
