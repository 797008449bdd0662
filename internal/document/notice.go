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
