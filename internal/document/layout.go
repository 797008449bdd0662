package document

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	_ "image/jpeg" // photos arrive as JPEG or PNG (the 2-inch photo of 基本信息)
	_ "image/png"
	"slices"
	"strings"

	"github.com/signintech/gopdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Page geometry is in millimetres (A4 portrait, 210 × 297 mm); font sizes
// are in points, as printers and the GB/T 9704 size names (五号 = 10.5 pt,
// 小四 = 12 pt, 小二 = 18 pt) use them.
const (
	PageW = 210.0
	PageH = 297.0
	ptMM  = 25.4 / 72
)

// Font sizes used across the documents.
const (
	SizeTitle    = 18   // 小二
	SizeSubtitle = 14   // 四号
	SizeBody     = 12   // 小四: notices and decisions
	SizeForm     = 10.5 // 五号: form cells and tables
	SizeSmall    = 9    // footers, captions, notes
)

// Align places text horizontally. AlignAuto lets the element choose: label
// cells and table headers centre, everything else starts at the left.
type Align int

const (
	AlignAuto Align = iota
	AlignLeft
	AlignCenter
	AlignRight
)

// Box markers put a drawn checkbox into any text (paragraphs, cells). The
// font has no ☑/☐ (U+2611/U+2610), so Doc draws a square instead, with a
// ✓ glyph inside when checked; pdftotext then reads "✓复审".
const (
	Checked   = "\uE001"
	Unchecked = "\uE000"
)

// Choices renders a row of options with the one equal to chosen checked:
// Choices("复审", "新办", "增项", "复审", "补证") prints ☐新办 ☐增项 ☑复审 ☐补证.
func Choices(chosen string, options ...string) string {
	var b strings.Builder
	for i, o := range options {
		if i > 0 {
			b.WriteString("  ")
		}
		if o == chosen {
			b.WriteString(Checked)
		} else {
			b.WriteString(Unchecked)
		}
		b.WriteString(o)
	}
	return b.String()
}

// Margins of the page in mm.
type Margins struct{ Top, Right, Bottom, Left float64 }

// DefaultMargins leave room for binding and for the page-number footer.
var DefaultMargins = Margins{Top: 18, Right: 20, Bottom: 20, Left: 20}

// Options configure a new Doc.
type Options struct {
	Margins Margins // zero value: DefaultMargins
	// Footer is printed small at the bottom left of every page (the
	// document number, so loose pages can be matched); the page number
	// "第 i 页 共 n 页" is always printed in the centre.
	Footer string
}

// Doc lays out one A4 portrait document from top to bottom. A cursor (Y)
// moves down as elements are added and a new page starts when an element
// does not fit. Errors are sticky: after the first one every method does
// nothing and Bytes reports it, so document code reads as a list of
// elements without an error check on each line.
type Doc struct {
	pdf     *gopdf.GoPdf
	m       Margins
	footer  string
	y       float64
	size    float64
	faces   []*face // the faces added to pdf, the embedded one first
	cur     *face   // gopdf's current font
	missing []rune
	err     error
}

// New starts a document with one empty page.
func New(o Options) (*Doc, error) {
	f, err := mainFace()
	if err != nil {
		return nil, fmt.Errorf("document: font: %w", err)
	}
	d := &Doc{pdf: &gopdf.GoPdf{}, m: o.Margins, footer: o.Footer}
	if d.m == (Margins{}) {
		d.m = DefaultMargins
	}
	d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	// The page contents (text runs and the QR code's rectangles) at zlib's
	// fastest level: 0.2–0.4 ms less per document than the default level,
	// about 500 bytes more (BenchmarkDocuments, alternating runs).
	d.pdf.SetCompressLevel(zlib.BestSpeed)
	d.size = SizeBody
	if err := d.useFace(f); err != nil {
		return nil, fmt.Errorf("document: font: %w", err)
	}
	d.NewPage()
	return d, nil
}

// useFace makes f gopdf's current font, adding it to the document the
// first time: a fallback face is added only to documents that print one of
// its characters, so the others are as before.
func (d *Doc) useFace(f *face) error {
	if !slices.Contains(d.faces, f) {
		if err := f.ready(); err != nil {
			return err
		}
		if err := d.pdf.AddTTFFontFromFontContainer(f.family, fontContainer); err != nil {
			return err
		}
		d.faces = append(d.faces, f)
	}
	if d.cur != f {
		if err := d.pdf.SetFont(f.family, "", d.size); err != nil {
			return err
		}
		d.cur = f
	}
	return nil
}

// Err is the first error met so far.
func (d *Doc) Err() error { return d.err }

// Left, Right and Width give the text column in mm.
func (d *Doc) Left() float64  { return d.m.Left }
func (d *Doc) Right() float64 { return PageW - d.m.Right }
func (d *Doc) Width() float64 { return PageW - d.m.Left - d.m.Right }

// Y is the cursor: where the next element starts, in mm from the top.
func (d *Doc) Y() float64 { return d.y }

// SetY moves the cursor (for elements placed side by side).
func (d *Doc) SetY(y float64) { d.y = y }

// Space moves the cursor down by mm.
func (d *Doc) Space(mm float64) { d.y += mm }

// Bottom is the lowest y the content may reach on a page.
func (d *Doc) Bottom() float64 { return PageH - d.m.Bottom }

// NewPage starts a page and puts the cursor at its top margin.
func (d *Doc) NewPage() {
	d.pdf.AddPage()
	d.y = d.m.Top
	d.pdf.SetLineWidth(0.3)
	d.pdf.SetStrokeColor(0, 0, 0)
	d.pdf.SetTextColor(0, 0, 0)
}

// Need starts a new page unless h mm fit below the cursor. It reports
// whether it broke the page.
func (d *Doc) Need(h float64) bool {
	if d.y+h > d.Bottom()+0.01 && d.y > d.m.Top {
		d.NewPage()
		return true
	}
	return false
}

func (d *Doc) setSize(size float64) {
	if size != d.size {
		d.size = size
		d.guard(func() error { return d.pdf.SetFontSize(size) })
	}
}

// guard runs a gopdf call, keeping its error and converting the
// OnGlyphNotFound panic (font.go) into a missing rune of this document.
func (d *Doc) guard(f func() error) {
	if d.err != nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r, ok := p.(glyphPanic)
			if !ok {
				panic(p)
			}
			d.addMissing(rune(r))
		}
	}()
	if err := f(); err != nil {
		d.err = err
	}
}

// lineHeight of text at size with the given leading factor, in mm.
func lineHeight(size, leading float64) float64 { return size * ptMM * leading }

// runeWidth is the advance of r at size, in mm, in the face that draws it.
// A rune no face has is recorded for MissingGlyphError and takes no room.
func (d *Doc) runeWidth(r rune, size float64) float64 {
	switch {
	case r == '\uE000' || r == '\uE001':
		return size * ptMM
	case invisible(r):
		return 0
	}
	g, ok := lookup(r)
	if !ok {
		d.addMissing(r)
		return 0
	}
	return g.w * size
}

// TextWidth is the width of s at size, in mm.
func (d *Doc) TextWidth(s string, size float64) float64 {
	var w float64
	for _, r := range s {
		w += d.runeWidth(r, size)
	}
	return w
}

// drawLine writes one line of text (no wrapping) in the box x…x+w,
// top…top+h, vertically centred, aligned horizontally by a.
func (d *Doc) drawLine(x, top, w, h float64, s string, size float64, a Align) {
	if s == "" || d.err != nil {
		return
	}
	tw := d.TextWidth(s, size)
	switch a {
	case AlignCenter:
		x += (w - tw) / 2
	case AlignRight:
		x += w - tw
	}
	d.setSize(size)
	// A run of characters of one face is one gopdf cell; a character of
	// another face starts the next run where this one ends.
	var seg strings.Builder
	var segFace *face
	flush := func() {
		if seg.Len() == 0 {
			return
		}
		text := seg.String()
		seg.Reset()
		sw := d.TextWidth(text, size)
		// The runs share the line's cell, whose middle gopdf puts each
		// face's typographic em box on (calY: the middle of sTypoAscender
		// and sTypoDescender). That is how Chinese lines up characters of
		// different faces: by their em boxes, not by a Latin baseline (W3C,
		// Requirements for Chinese Text Layout: the character frame,
		// 字面框). Of wqy-microhei the box runs from 0.24 em below the
		// baseline, of HanaMin from 0.14 em, so on a common baseline
		// HanaMin's characters would sit 0.1 em high.
		d.guard(func() error {
			if err := d.useFace(segFace); err != nil {
				return err
			}
			d.pdf.SetXY(x, top)
			return d.pdf.CellWithOption(&gopdf.Rect{W: sw, H: h}, text, gopdf.CellOption{Align: gopdf.Left | gopdf.Middle})
		})
		x += sw
	}
	for _, r := range s {
		switch {
		case r == '\uE000' || r == '\uE001':
			flush()
			d.checkbox(x, top, h, size, r == '\uE001')
			x += size * ptMM
		case invisible(r):
		default:
			g, ok := lookup(r)
			if !ok {
				// Already recorded for MissingGlyphError; leaving it out
				// keeps gopdf from printing a space in its place.
				continue
			}
			if g.face != segFace {
				flush()
				segFace = g.face
			}
			seg.WriteRune(r)
		}
	}
	flush()
}

// checkbox draws a square of about 0.75 em centred in a 1 em slot.
func (d *Doc) checkbox(x, top, h, size float64, checked bool) {
	em := size * ptMM
	side := em * 0.72
	bx, by := x+(em-side)/2, top+(h-side)/2
	d.pdf.SetLineWidth(0.25)
	d.pdf.RectFromUpperLeftWithStyle(bx, by, side, side, "D")
	d.pdf.SetLineWidth(0.3)
	if checked {
		ts := size * 0.8
		d.setSize(ts)
		d.guard(func() error {
			if err := d.useFace(fontFace); err != nil {
				return err
			}
			d.pdf.SetXY(bx, by)
			return d.pdf.CellWithOption(&gopdf.Rect{W: side, H: side}, "✓", gopdf.CellOption{Align: gopdf.Center | gopdf.Middle})
		})
		d.setSize(size)
	}
}

// Style of a paragraph.
type Style struct {
	Size    float64 // points; 0 = SizeBody
	Leading float64 // line height as a multiple of Size; 0 = 1.6
	Indent  bool    // indent the first line by two characters (Chinese paragraphs)
	Align   Align
}

func (s Style) norm() Style {
	if s.Size == 0 {
		s.Size = SizeBody
	}
	if s.Leading == 0 {
		s.Leading = 1.6
	}
	return s
}

// Paragraph writes wrapped text across the text column. "\n" starts a new
// line. Lines move to a new page one at a time.
func (d *Doc) Paragraph(text string, st Style) {
	st = st.norm()
	if st.Indent {
		text = "　　" + text
	}
	d.paragraphAt(d.Left(), d.Width(), text, st)
}

func (d *Doc) paragraphAt(x, w float64, text string, st Style) {
	lh := lineHeight(st.Size, st.Leading)
	for _, l := range d.Wrap(text, w, st.Size) {
		d.Need(lh)
		d.drawLine(x, d.y, w, lh, l, st.Size, st.Align)
		d.y += lh
	}
}

// List writes numbered items "1．…" with the wrapped lines aligned after
// the number.
func (d *Doc) List(items []string, st Style) {
	st = st.norm()
	lh := lineHeight(st.Size, st.Leading)
	x := d.Left()
	if st.Indent {
		x += 2 * st.Size * ptMM
	}
	for i, it := range items {
		num := fmt.Sprintf("%d．", i+1)
		nw := d.TextWidth(fmt.Sprintf("%d．", len(items)), st.Size)
		for j, l := range d.Wrap(it, d.Right()-x-nw, st.Size) {
			d.Need(lh)
			if j == 0 {
				d.drawLine(x, d.y, nw, lh, num, st.Size, AlignLeft)
			}
			d.drawLine(x+nw, d.y, d.Right()-x-nw, lh, l, st.Size, AlignLeft)
			d.y += lh
		}
	}
}

// Title writes a centred heading (wrapped if long). The 《》 of a form's
// name are dropped: a printed form is headed by its bare name.
func (d *Doc) Title(text string) {
	text = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(text), "《"), "》")
	d.paragraphAt(d.Left(), d.Width(), text, Style{Size: SizeTitle, Leading: 1.5, Align: AlignCenter})
	d.y += 1
}

// Subtitle writes a smaller centred line under the title.
func (d *Doc) Subtitle(text string) {
	d.paragraphAt(d.Left(), d.Width(), text, Style{Size: SizeSubtitle, Leading: 1.5, Align: AlignCenter})
}

// Number writes the document-number line, right-aligned: "编号：BZ2611…".
// label defaults to 编号.
func (d *Doc) Number(label, number string) {
	if label == "" {
		label = "编号"
	}
	d.LeftRight("", label+"："+number, SizeForm)
}

// LeftRight writes one line with text at both ends (申请号 left, date right).
func (d *Doc) LeftRight(left, right string, size float64) {
	lh := lineHeight(size, 1.7)
	d.Need(lh)
	d.drawLine(d.Left(), d.y, d.Width(), lh, left, size, AlignLeft)
	d.drawLine(d.Left(), d.y, d.Width(), lh, right, size, AlignRight)
	d.y += lh
}

// Text writes one unwrapped line in the box x…x+w at y (height h): the
// escape hatch for captions and labels placed by coordinates.
func (d *Doc) Text(x, y, w, h float64, s string, size float64, a Align) {
	d.drawLine(x, y, w, h, s, size, a)
}

// SignField is one "label：______" of a signature line.
type SignField struct {
	Label string  // "申请人（签字）："
	Blank float64 // mm of underline to write on
	Value string  // printed on the line when known (a date)
}

// Signature is a line of fields to sign and date by hand:
// 申请人（签字）：__________    日期：__________.
type Signature struct {
	Fields []SignField
	X      float64 // mm; 0 = the left of the text column
	Size   float64 // points; 0 = SizeBody
}

// Draw adds the signature line at the cursor (Signature is a Block).
func (s Signature) Draw(d *Doc) {
	size, x := s.Size, s.X
	if size == 0 {
		size = SizeBody
	}
	if x == 0 {
		x = d.Left()
	}
	lh := lineHeight(size, 2.2)
	d.Need(lh)
	for i, f := range s.Fields {
		if i > 0 {
			x += 8
		}
		lw := d.TextWidth(f.Label, size)
		d.drawLine(x, d.y, lw, lh, f.Label, size, AlignLeft)
		x += lw
		base := d.y + lh/2 + size*ptMM*0.55
		d.pdf.SetLineWidth(0.2)
		d.pdf.Line(x, base, x+f.Blank, base)
		d.pdf.SetLineWidth(0.3)
		d.drawLine(x, d.y, f.Blank, lh, f.Value, size, AlignCenter)
		x += f.Blank
	}
	d.y += lh
}

// QR draws a QR code of url with its top-left corner at x, y and a side of
// size mm (the quiet zone included), with caption centred under it
// ("扫码查看办理进度"). It returns the height used, caption included. The
// modules are filled rectangles, one per run of dark modules in a row:
// sharp at any print resolution, and no PNG to encode and decode again
// for every document. Each run reaches a hair into its neighbours so that
// viewers leave no light seam between rows.
func (d *Doc) QR(url, caption string, x, y, size float64) float64 {
	if d.err != nil {
		return 0
	}
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		d.err = fmt.Errorf("document: QR code: %w", err)
		return 0
	}
	bits := q.Bitmap()
	m := size / float64(len(bits))
	const seam = 0.02 // mm
	d.pdf.SetFillColor(0, 0, 0)
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			run := c
			for run < len(row) && row[run] {
				run++
			}
			d.pdf.RectFromUpperLeftWithStyle(x+float64(c)*m, y+float64(r)*m, float64(run-c)*m+seam, m+seam, "F")
			c = run
		}
	}
	if caption == "" {
		return size
	}
	cw := max(size, d.TextWidth(caption, SizeSmall))
	lh := lineHeight(SizeSmall, 1.4)
	d.drawLine(x+(size-cw)/2, y+size, cw, lh, caption, SizeSmall, AlignCenter)
	return size + lh
}

// Image draws a JPEG or PNG scaled to fit inside the box x, y, w, h (mm),
// centred, keeping its proportions. JPEG is embedded as it is; other
// formats are decoded and re-encoded as PNG, which gopdf always accepts
// (it refuses interlaced PNG, for one).
func (d *Doc) Image(data []byte, x, y, w, h float64) {
	if d.err != nil {
		return
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		d.err = fmt.Errorf("document: image: not a readable JPEG or PNG: %v", err)
		return
	}
	iw, ih := w, w*float64(cfg.Height)/float64(cfg.Width)
	if ih > h {
		iw, ih = h*float64(cfg.Width)/float64(cfg.Height), h
	}
	rect := &gopdf.Rect{W: iw, H: ih}
	ix, iy := x+(w-iw)/2, y+(h-ih)/2
	d.guard(func() error {
		if format == "jpeg" {
			holder, err := gopdf.ImageHolderByBytes(data)
			if err != nil {
				return err
			}
			return d.pdf.ImageByHolder(holder, ix, iy, rect)
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("document: image: %w", err)
		}
		return d.pdf.ImageFrom(img, ix, iy, rect)
	})
}

// Rect draws a rectangle outline (style "D") or a filled one ("FD").
func (d *Doc) Rect(x, y, w, h float64, style string) {
	d.pdf.RectFromUpperLeftWithStyle(x, y, w, h, style)
}

// Bytes finishes the document: it writes the footer on every page ("第 i 页
// 共 n 页", known only now) and returns the PDF, or the first error, or a
// MissingGlyphError naming every character the font lacked.
func (d *Doc) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	n := d.pdf.GetNumberOfPages()
	lh := lineHeight(SizeSmall, 1.4)
	y := PageH - d.m.Bottom/2 - lh/2
	for i := 1; i <= n; i++ {
		d.guard(func() error { return d.pdf.SetPage(i) })
		d.pdf.SetTextColor(80, 80, 80)
		d.drawLine(d.Left(), y, d.Width(), lh, fmt.Sprintf("第 %d 页 共 %d 页", i, n), SizeSmall, AlignCenter)
		d.drawLine(d.Left(), y, d.Width(), lh, d.footer, SizeSmall, AlignLeft)
		d.pdf.SetTextColor(0, 0, 0)
	}
	if len(d.missing) > 0 {
		return nil, &MissingGlyphError{Runes: d.missing}
	}
	if d.err != nil {
		return nil, d.err
	}
	pdf, err := d.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, err
	}
	return finishFonts(pdf, func(family string) *face {
		for _, f := range d.faces {
			if f.family == family {
				return f
			}
		}
		return nil
	})
}
