package document

// Cell is one box of a Grid row or a table row.
type Cell struct {
	Text  string
	W     float64 // relative width: the row's cells share its width in proportion
	Label bool    // a field name: shaded background, centred
	Align Align
	Top   bool // text from the top of the cell instead of centred vertically
}

// Row is a row of cells; it grows to fit the tallest wrapped cell and is at
// least MinH mm high.
type Row struct {
	Cells []Cell
	MinH  float64
}

const (
	cellPadX  = 1.6
	cellPadY  = 1.3
	cellLead  = 1.4
	labelGray = 232
)

type laidRow struct {
	x, h  float64
	ws    []float64
	lines [][]string
	cells []Cell
	size  float64
}

func (d *Doc) layRow(x, w float64, r Row, size float64) laidRow {
	lr := laidRow{x: x, cells: r.Cells, size: size}
	var total float64
	for _, c := range r.Cells {
		total += c.W
	}
	lh := lineHeight(size, cellLead)
	lr.h = max(r.MinH, lh+2*cellPadY)
	for _, c := range r.Cells {
		cw := w * c.W / total
		ls := d.Wrap(c.Text, cw-2*cellPadX, size)
		lr.ws = append(lr.ws, cw)
		lr.lines = append(lr.lines, ls)
		lr.h = max(lr.h, float64(len(ls))*lh+2*cellPadY)
	}
	return lr
}

func (d *Doc) drawRow(lr laidRow) {
	lh := lineHeight(lr.size, cellLead)
	x := lr.x
	for i, c := range lr.cells {
		w := lr.ws[i]
		if c.Label {
			d.pdf.SetFillColor(labelGray, labelGray, labelGray)
			d.pdf.RectFromUpperLeftWithStyle(x, d.y, w, lr.h, "FD")
		} else {
			d.pdf.RectFromUpperLeftWithStyle(x, d.y, w, lr.h, "D")
		}
		a := c.Align
		if a == AlignAuto {
			a = AlignLeft
			if c.Label {
				a = AlignCenter
			}
		}
		top := d.y + (lr.h-float64(len(lr.lines[i]))*lh)/2
		if c.Top {
			top = d.y + cellPadY
		}
		for j, l := range lr.lines[i] {
			d.drawLine(x+cellPadX, top+float64(j)*lh, w-2*cellPadX, lh, l, lr.size, a)
		}
		x += w
	}
	d.y += lr.h
}

// Grid is a bordered form: rows of label and value cells. Rows that do not
// fit move to the next page whole.
type Grid struct {
	Rows []Row
	Size float64 // points; 0 = SizeForm
	X, W float64 // mm; 0 = the text column
}

// Draw adds the grid at the cursor (Grid is a Block).
func (g Grid) Draw(d *Doc) {
	x, w, size := g.X, g.W, g.Size
	if x == 0 {
		x = d.Left()
	}
	if w == 0 {
		w = d.Right() - x
	}
	if size == 0 {
		size = SizeForm
	}
	for _, r := range g.Rows {
		lr := d.layRow(x, w, r, size)
		d.Need(lr.h)
		d.drawRow(lr)
	}
}

// Column of a Table.
type Column struct {
	Header string
	W      float64 // relative width
	Align  Align   // body cells; AlignAuto = left
}

// Table is a bordered table with a shaded header row. Body rows grow with
// their wrapped text; when a row does not fit, the table continues on a new
// page under a repeated header. A row taller than a page is not split.
type Table struct {
	Columns []Column
	Rows    [][]string
	Size    float64 // points; 0 = SizeForm
	X, W    float64 // mm; 0 = the text column
}

// Draw adds the table at the cursor (Table is a Block).
func (t Table) Draw(d *Doc) {
	x, w, size := t.X, t.W, t.Size
	if x == 0 {
		x = d.Left()
	}
	if w == 0 {
		w = d.Right() - x
	}
	if size == 0 {
		size = SizeForm
	}
	var head Row
	for _, c := range t.Columns {
		head.Cells = append(head.Cells, Cell{Text: c.Header, W: c.W, Label: true})
	}
	hr := d.layRow(x, w, head, size)
	body := make([]laidRow, len(t.Rows))
	for i, r := range t.Rows {
		var row Row
		for j, c := range t.Columns {
			text := ""
			if j < len(r) {
				text = r[j]
			}
			row.Cells = append(row.Cells, Cell{Text: text, W: c.W, Align: c.Align})
		}
		body[i] = d.layRow(x, w, row, size)
	}
	// The header never stands alone at the foot of a page.
	first := 0.0
	if len(body) > 0 {
		first = body[0].h
	}
	d.Need(hr.h + first)
	d.drawRow(hr)
	for _, br := range body {
		if d.Need(br.h) {
			d.drawRow(hr)
		}
		d.drawRow(br)
	}
}
