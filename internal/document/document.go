// Package document renders opcert's printable A4 documents in Chinese: the
// 申请表 now; the notices, decisions and the certificate in the back office.
// The font (WenQuanYi Micro Hei, Apache-2.0 or GPLv3 with font exception;
// fonts/LICENSE-wqy-microhei.txt) is embedded, so the binary needs no
// system fonts, and only the glyphs used are written into each PDF.
package document

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"strings"

	"github.com/signintech/gopdf"
	qrcode "github.com/skip2/go-qrcode"
)

//go:embed fonts/wqy-microhei.ttf
var fontData []byte

const (
	family   = "wqy"
	pageW    = 595.28 // A4 in points
	pageH    = 841.89
	margin   = 50.0
	contentW = pageW - 2*margin
	bottom   = pageH - 60
)

// MissingGlyphError says which characters the font cannot draw. A name with
// a rare character must fail loudly, never print with a gap.
type MissingGlyphError struct{ Runes []rune }

func (e *MissingGlyphError) Error() string {
	return fmt.Sprintf("字体中没有以下字符，无法生成PDF：%q", string(e.Runes))
}

// doc is one document being laid out top to bottom.
type doc struct {
	pdf     *gopdf.GoPdf
	missing map[rune]bool
	y       float64
	page    int
	footer  string
}

func newDoc(footer string) (*doc, error) {
	d := &doc{pdf: &gopdf.GoPdf{}, missing: map[rune]bool{}, footer: footer}
	d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	// The font is added per document so that the missing-glyph callback
	// belongs to this document alone.
	err := d.pdf.AddTTFFontDataWithOption(family, fontData, gopdf.TtfOption{
		OnGlyphNotFound: func(r rune) { d.missing[r] = true },
	})
	if err != nil {
		return nil, err
	}
	d.newPage()
	return d, nil
}

func (d *doc) newPage() {
	d.pdf.AddPage()
	d.page++
	d.y = margin
	d.font(9)
	d.pdf.SetTextColor(90, 90, 90)
	footer := fmt.Sprintf("第 %d 页", d.page)
	if d.footer != "" {
		footer = d.footer + "    " + footer
	}
	w, _ := d.pdf.MeasureTextWidth(footer)
	d.pdf.SetXY((pageW-w)/2, pageH-40)
	d.pdf.Text(footer)
	d.pdf.SetTextColor(0, 0, 0)
}

func (d *doc) font(size float64) { d.pdf.SetFont(family, "", size) }

// need starts a new page when h points do not fit.
func (d *doc) need(h float64) {
	if d.y+h > bottom {
		d.newPage()
	}
}

// bytes finishes the document.
func (d *doc) bytes() ([]byte, error) {
	if len(d.missing) > 0 {
		var rs []rune
		for r := range d.missing {
			rs = append(rs, r)
		}
		return nil, &MissingGlyphError{Runes: rs}
	}
	return d.pdf.GetBytesPdf(), nil
}

// title writes a centred heading.
func (d *doc) title(text string, size float64) {
	d.font(size)
	d.need(size * 1.8)
	w, _ := d.pdf.MeasureTextWidth(text)
	d.pdf.SetXY((pageW-w)/2, d.y)
	d.pdf.Text(text)
	d.y += size * 1.8
}

// right writes a line aligned right (the 编号 line).
func (d *doc) right(text string, size float64) {
	d.font(size)
	w, _ := d.pdf.MeasureTextWidth(text)
	d.pdf.SetXY(pageW-margin-w, d.y)
	d.pdf.Text(text)
	d.y += size * 1.6
}

// lines wraps text to width: Chinese breaks between any two characters,
// but a closing mark never starts a line (避头: ，。、；：）」》).
func (d *doc) lines(text string, width float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		parts, err := d.pdf.SplitText(para, width)
		if err != nil || len(parts) == 0 {
			out = append(out, para)
			continue
		}
		for i := 1; i < len(parts); i++ {
			for len(parts[i]) > 0 && strings.ContainsRune("，。、；：）」》！？,.;:)", firstRune(parts[i])) {
				r := firstRune(parts[i])
				parts[i-1] += string(r)
				parts[i] = parts[i][len(string(r)):]
			}
		}
		for _, p := range parts {
			if p != "" || len(parts) == 1 {
				out = append(out, p)
			}
		}
	}
	return out
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// para writes a wrapped paragraph.
func (d *doc) para(text string, size float64) {
	d.font(size)
	for _, l := range d.lines(text, contentW) {
		d.need(size * 1.6)
		d.pdf.SetXY(margin, d.y)
		d.pdf.Text(l)
		d.y += size * 1.6
	}
}

// grid draws rows of cells with borders; a cell whose label is true is
// shaded. Rows grow with their wrapped text.
type cell struct {
	text  string
	width float64 // share of the content width
	label bool
}

func (d *doc) row(size float64, cells ...cell) {
	d.font(size)
	pad := 4.0
	var wrapped [][]string
	height := size*1.5 + 2*pad
	for _, c := range cells {
		ls := d.lines(c.text, c.width*contentW-2*pad)
		wrapped = append(wrapped, ls)
		if h := float64(len(ls))*size*1.5 + 2*pad; h > height {
			height = h
		}
	}
	d.need(height)
	x := margin
	for i, c := range cells {
		w := c.width * contentW
		if c.label {
			d.pdf.SetFillColor(236, 240, 246)
			d.pdf.RectFromUpperLeftWithStyle(x, d.y, w, height, "FD")
		} else {
			d.pdf.RectFromUpperLeftWithStyle(x, d.y, w, height, "D")
		}
		for j, l := range wrapped[i] {
			d.pdf.SetXY(x+pad, d.y+pad+size+float64(j)*size*1.5-2)
			d.pdf.Text(l)
		}
		x += w
	}
	d.y += height
}

// qr places a QR code of url at the right edge with a caption under it.
func (d *doc) qr(url, caption string, y, size float64) error {
	png, err := qrcode.Encode(url, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		return err
	}
	x := pageW - margin - size
	if err := d.pdf.ImageFrom(img, x, y, &gopdf.Rect{W: size, H: size}); err != nil {
		return err
	}
	d.font(8)
	w, _ := d.pdf.MeasureTextWidth(caption)
	d.pdf.SetXY(x+(size-w)/2, y+size+10)
	return d.pdf.Text(caption)
}

// picture places a JPEG or PNG in a box (the applicant's photo).
func (d *doc) picture(data []byte, x, y, w, h float64) error {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return d.pdf.ImageFrom(img, x, y, &gopdf.Rect{W: w, H: h})
}
