package document

// Block is one element of a Document, drawn at the cursor. Grid, Table and
// Signature are blocks too; BlockFunc wraps anything else.
type Block interface{ Draw(d *Doc) }

// Para is a wrapped paragraph.
type Para struct {
	Text  string
	Style Style
}

// Draw implements Block.
func (p Para) Draw(d *Doc) { d.Paragraph(p.Text, p.Style) }

// List is a numbered list "1．… 2．…" with hanging lines.
type List struct {
	Items []string
	Style Style
}

// Draw implements Block.
func (l List) Draw(d *Doc) { d.List(l.Items, l.Style) }

// Gap is vertical space in mm.
type Gap float64

// Draw implements Block.
func (g Gap) Draw(d *Doc) { d.Space(float64(g)) }

// BlockFunc draws with the Doc directly.
type BlockFunc func(d *Doc)

// Draw implements Block.
func (f BlockFunc) Draw(d *Doc) { f(d) }

// Document is the common shape of the notices, decisions and certificates
// a 受理机关 issues: a title, a document number, the body, then the issuing
// authority with the date over a seal area, and a QR code that opens the
// public progress page (seed 000 3.5: 扫描补正通知书或者受理通知书上的二维码查询业务
// 办理进度). Render lays it out.
type Document struct {
	Title       string
	Subtitle    string
	NumberLabel string // default 编号
	Number      string
	Footer      string // bottom-left of every page; default "<NumberLabel>：<Number>"
	Blocks      []Block
	Issuer      string // 发文机关 (受理机关) name; empty: no closing block
	IssuedOn    string // 成文日期, written out: 2026年11月22日
	QRURL       string
	QRCaption   string // default 扫码查看办理进度
}

// Render lays out doc on A4 pages and returns the PDF.
func Render(doc Document) ([]byte, error) {
	label := doc.NumberLabel
	if label == "" {
		label = "编号"
	}
	footer := doc.Footer
	if footer == "" && doc.Number != "" {
		footer = label + "：" + doc.Number
	}
	d, err := New(Options{Footer: footer})
	if err != nil {
		return nil, err
	}
	d.Title(doc.Title)
	if doc.Subtitle != "" {
		d.Subtitle(doc.Subtitle)
	}
	if doc.Number != "" {
		d.Number(label, doc.Number)
	}
	d.Space(3)
	for _, b := range doc.Blocks {
		b.Draw(d)
	}
	caption := doc.QRCaption
	if caption == "" {
		caption = "扫码查看办理进度"
	}
	d.Closing(doc.Issuer, doc.IssuedOn, doc.QRURL, caption)
	return d.Bytes()
}

// Closing writes the end of an issued document: the QR code at the left and,
// at the right, the issuing authority over the date, the date centred under
// the name (GB/T 9704-2012 §7.3.5.1, quoted from memory: 成文日期右空四字，
// 发文机关署名以成文日期为准居中，印章居中下压署名和日期), with a dashed circle marking where the seal goes.
func (d *Doc) Closing(issuer, date, qrURL, caption string) {
	if issuer == "" && qrURL == "" {
		return
	}
	const h = 44.0
	d.Space(8)
	d.Need(h)
	top := d.y
	used := 0.0
	if qrURL != "" {
		used = d.QR(qrURL, caption, d.Left(), top+4, 26)
	}
	if issuer != "" {
		lh := lineHeight(SizeBody, 1.8)
		em := SizeBody * ptMM
		nw, dw := d.TextWidth(issuer, SizeBody), d.TextWidth(date, SizeBody)
		mid := d.Right() - 4*em - dw/2
		if mid+nw/2 > d.Right() {
			mid = d.Right() - nw/2
		}
		y := top + 12
		d.drawLine(mid-nw/2, y, nw, lh, issuer, SizeBody, AlignLeft)
		d.drawLine(mid-dw/2, y+lh, dw, lh, date, SizeBody, AlignLeft)
		// The seal overlaps name and date, as a stamped seal does.
		const r = 19.0
		cx, cy := min(mid, d.Right()-r), y+lh
		d.pdf.SetStrokeColor(170, 170, 170)
		d.pdf.SetLineType("dashed")
		d.pdf.SetLineWidth(0.25)
		d.pdf.Oval(cx-r, cy-r, cx+r, cy+r)
		d.pdf.SetLineType("")
		d.pdf.SetLineWidth(0.3)
		d.pdf.SetStrokeColor(0, 0, 0)
		used = max(used, h)
	}
	d.y = top + used + 4
}
