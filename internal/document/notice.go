package document

import (
	"fmt"
	"strings"
)

// CorrectionNoticeData is a 补正告知书 (seed 000 §3.5 sample).
type CorrectionNoticeData struct {
	Number    string // 编号
	IDNumber  string // 证件号码 as printed (masked by the caller when public)
	Name      string // addressee; the seed's sample has none, so it may be empty
	Items     string // the items applied for, e.g. "G3" or "Q2、R1"
	Matter    string // 新办, 增项, 复审, 补证
	Asks      []CorrectionAsk
	Deadline  string // 补正期限, written out: 2026年12月02日
	Authority string // issuing 受理机关
	IssuedOn  string
	QRURL     string
}

// CorrectionAsk is one field or material to correct and why.
type CorrectionAsk struct{ What, Reason string }

// CorrectionNotice renders the 补正告知书: everything to correct told at
// once (一次性告知, 行政许可法 第三十二条第一款第（四）项), the deadline and
// what missing it means.
//
// The wording follows the seed's sample. Its legal basis reads
// "第15条第四款"; SOURCES.md §8.6 records that this is malformed (the
// provision is an item, 项, not a paragraph, 款) and prints it as
// "第十五条第（四）项" — but also that the article number itself is
// unverified recollection (SOURCES.md §3, 补正 row). Check it against the
// promulgated text of 总局令第16号 as revised by 第55号 before go-live.
func CorrectionNotice(n CorrectionNoticeData) ([]byte, error) {
	body := []Block{Para{Text: "证件号码：" + n.IDNumber}}
	if n.Name != "" {
		body = append(body, Para{Text: n.Name + "："})
	}
	asks := make([]string, len(n.Asks))
	for i, a := range n.Asks {
		asks[i] = a.What + "：" + a.Reason
	}
	body = append(body,
		Para{Text: fmt.Sprintf("您提出的%s特种设备作业人员（含安全管理人员）考核 %s申请，所提供（出示）的材料不齐全（不符合法定形式），"+
			"根据《市场监督管理行政许可程序暂行规定》第十五条第（四）项请作如下补正：", n.Items, n.Matter), Style: Style{Indent: true}},
		List{Items: asks, Style: Style{Indent: true}},
		Gap(2),
		Para{Text: "补正期限：请于" + n.Deadline + "前登录网上办事系统，在“办件查询”中选择本申请，点击“材料补正”，按本告知书修改后再次提交。", Style: Style{Indent: true}},
		Para{Text: "申请人无正当理由逾期不予补正的，视为放弃行政许可申请。", Style: Style{Indent: true}},
	)
	return Render(Document{
		Title:    "特种设备作业人员考核许可申请材料补正告知书",
		Number:   n.Number,
		Blocks:   body,
		Issuer:   n.Authority,
		IssuedOn: n.IssuedOn,
		QRURL:    n.QRURL,
	})
}

// LetterData is a one-page notice or decision of the 受理机关: 受理通知书,
// 不予受理决定书, 准予许可决定书, 不予许可决定书.
type LetterData struct {
	Title     string
	Number    string
	To        string   // the applicant, addressed by name
	Body      []string // paragraphs, each indented two characters
	Authority string
	IssuedOn  string
	QRURL     string
}

// Letter renders a notice or decision: addressee, indented paragraphs, the
// issuing authority and date over the seal area, and the QR code of the
// application's progress page.
func Letter(l LetterData) ([]byte, error) {
	blocks := []Block{Para{Text: l.To + "："}}
	for _, p := range l.Body {
		blocks = append(blocks, Para{Text: p, Style: Style{Indent: true}})
	}
	return Render(Document{Title: l.Title, Number: l.Number, Blocks: blocks, Issuer: l.Authority, IssuedOn: l.IssuedOn, QRURL: l.QRURL})
}

// CertificateData is 《中华人民共和国特种设备安全管理和作业人员证》.
type CertificateData struct {
	Name, Sex, IDNumber string
	Number              string // 证件编号: the holder's ID number (SOURCES.md §8.7)
	ArchiveNo           string // 档案编号
	Employer            string
	Items               []CertificateItem
	Authority, IssuedOn string
	Photo               []byte
	QRURL               string
}

// CertificateItem is one line: 作业项目代号, 作业项目, 批准日期, 有效期至
// (validity is per item). Original names the 2011 item of a line still held
// under the old catalogue ("原项目：N2 叉车司机"), printed beside its 2019 item.
type CertificateItem struct{ Code, Name, Original, Approved, Until string }

// Certificate renders the certificate as an A4 page: holder, photo, the
// item table with dates, the issuing authority and a QR code for 核验.
func Certificate(c CertificateData) ([]byte, error) {
	photo := BlockFunc(func(d *Doc) {
		const pw, ph = 35.0, 49.0
		top := d.Y()
		w := d.Width() - pw - 4
		g := Grid{W: w, Rows: []Row{
			{Cells: []Cell{{Text: "姓名", W: 1, Label: true}, {Text: c.Name, W: 3}}, MinH: ph / 5},
			{Cells: []Cell{{Text: "性别", W: 1, Label: true}, {Text: c.Sex, W: 3}}, MinH: ph / 5},
			{Cells: []Cell{{Text: "证件编号", W: 1, Label: true}, {Text: c.Number, W: 3}}, MinH: ph / 5},
			{Cells: []Cell{{Text: "档案编号", W: 1, Label: true}, {Text: c.ArchiveNo, W: 3}}, MinH: ph / 5},
			{Cells: []Cell{{Text: "用人单位", W: 1, Label: true}, {Text: c.Employer, W: 3}}, MinH: ph / 5},
		}}
		g.Draw(d)
		bottom := d.Y()
		px := d.Right() - pw
		photoBox(d, c.Photo, px, top, pw, max(ph, bottom-top))
		d.SetY(max(bottom, top+ph))
	})
	rows := make([][]string, len(c.Items))
	for i, it := range c.Items {
		code, name := it.Code, it.Name
		switch {
		case code == "":
			code, name = "—", it.Original+"（复审时换发）"
		case it.Original != "":
			name += "（" + it.Original + "）"
		}
		rows[i] = []string{code, name, it.Approved, it.Until}
	}
	return Render(Document{
		Title:       "中华人民共和国特种设备安全管理和作业人员证",
		NumberLabel: "档案编号",
		Number:      c.ArchiveNo,
		Blocks: []Block{photo, Gap(6), Table{
			Columns: []Column{{Header: "作业项目代号", W: 3, Align: AlignCenter}, {Header: "作业项目", W: 5}, {Header: "批准日期", W: 3, Align: AlignCenter}, {Header: "有效期至", W: 3, Align: AlignCenter}},
			Rows:    rows,
		}},
		Issuer:    "发证机关：" + c.Authority,
		IssuedOn:  "发证日期：" + c.IssuedOn,
		QRURL:     c.QRURL,
		QRCaption: "扫码核验证书",
	})
}

// photoBox draws the 2-inch photo (35 × 49 mm) in its framed box, or the
// framed box with "照片" for a photo to be glued on.
func photoBox(d *Doc, photo []byte, x, y, w, h float64) {
	if len(photo) > 0 {
		d.Image(photo, x+0.5, y+0.5, w-1, h-1)
	} else {
		d.Text(x, y, w, h, "照片", SizeForm, AlignCenter)
	}
	d.Rect(x, y, w, h, "D")
}

// ApprovalDecisionData is the 准予许可决定书 with its 制证 sheet: seed 001
// 第三部分 describes the download as two pages, the applicant writing 名字,
// 联系电话, 单位名称, 单位所属区 on the first and sending it with a 2-inch
// white-background photo, its back signed, to the 受理机关 for 制证.
type ApprovalDecisionData struct {
	Letter LetterData
	Items  string // the items granted, as the sheet lists them
}

// ApprovalDecision renders the 制证 sheet, then the decision.
func ApprovalDecision(a ApprovalDecisionData) ([]byte, error) {
	d, err := New(Options{Footer: "编号：" + a.Letter.Number})
	if err != nil {
		return nil, err
	}
	d.Title("特种设备安全管理和作业人员证制证信息表")
	d.Number("编号", a.Letter.Number)
	d.Space(3)
	d.Paragraph("请打印本决定书，在本页填写以下信息，粘贴近期2寸白底彩色照片一张（照片背面写上姓名），连同第二页准予许可决定书一并寄送或交至"+
		a.Letter.Authority+"，办理制证。", Style{Indent: true})
	d.Space(4)
	const pw, ph = 35.0, 49.0
	top := d.Y()
	blank := func(label string) Row {
		return Row{Cells: []Cell{{Text: label, W: 1, Label: true}, {Text: "", W: 3}}, MinH: ph / 4}
	}
	g := Grid{W: d.Width() - pw - 4, Rows: []Row{blank("姓名"), blank("联系电话"), blank("单位名称"), blank("单位所属区")}}
	g.Draw(d)
	bottom := d.Y()
	d.pdf.SetLineWidth(0.3)
	d.pdf.RectFromUpperLeftWithStyle(d.Right()-pw, top, pw, max(ph, bottom-top), "D")
	d.Text(d.Right()-pw, top, pw, max(ph, bottom-top), "粘贴2寸照片", SizeForm, AlignCenter)
	d.SetY(max(bottom, top+ph) + 6)
	d.Paragraph("准予许可项目："+a.Items, Style{})
	d.Paragraph("申请号："+strings.TrimPrefix(a.Letter.Number, "JD"), Style{})
	d.NewPage()
	d.Title(a.Letter.Title)
	d.Number("编号", a.Letter.Number)
	d.Space(3)
	d.Paragraph(a.Letter.To+"：", Style{})
	for _, p := range a.Letter.Body {
		d.Paragraph(p, Style{Indent: true})
	}
	d.Closing(a.Letter.Authority, a.Letter.IssuedOn, a.Letter.QRURL, "扫码查看办理进度")
	return d.Bytes()
}
