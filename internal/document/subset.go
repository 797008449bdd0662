package document

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"slices"
	"strconv"
	"sync"
)

// The embedded font program of a PDF, made here instead of by gopdf.
//
// gopdf writes the font subset of every document itself: the glyphs used
// plus the face's cvt, fpgm, hmtx (196 KB), loca (198 KB, one entry per
// glyph of the face) and prep tables, about 415 KB that it deflates at
// zlib's default level whatever SetCompressLevel says, which was four
// fifths of the time of a document. All of it but the used glyphs and
// their loca entries is the same in every document. So gopdf is given a
// stub of the face (stubFace: the same cmap, metrics and widths, no glyph
// outlines), whose subset is a few bytes of header and zeros, and the
// finished PDF's font program is replaced by one built from the real face
// for the glyphs the document's CIDFont lists (its /W array, which gopdf
// writes for every character it drew or measured). The unchanging tables
// are deflated once (fixedZ); per document only the directory (stored),
// the used glyphs and the loca table are compressed. Every character is
// still checked against the face's cmap before drawing (runeWidth), and
// gopdf's missing-glyph hook is kept: the stub has the face's cmap.

type tableRecord struct{ checksum, offset, length uint32 }

// face is the parsed embedded TrueType face.
type face struct {
	data      []byte
	tables    map[string]tableRecord
	numGlyphs int
	longLoca  bool
	loca      []uint32 // offsets of each glyph in glyf, numGlyphs+1
	glyf      []byte

	// The tables copied whole into every subset, in the order of
	// fixedTags, laid out from offset subsetDirLen, each 4-byte aligned.
	fixed     []byte
	fixedAt   map[string]uint32 // offset of each in the subset
	fixedZ    []byte            // fixed deflated on its own, ending in a sync flush
	fixedSum  uint32            // Adler-32 of fixed
	stubBytes []byte            // stubFace
}

// The tables of a subset, as gopdf writes them (PdfDictionaryObj.makeFont).
var (
	subsetTags = []string{"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"}
	fixedTags  = []string{"cvt ", "fpgm", "head", "hhea", "hmtx", "maxp", "prep"}
)

const subsetDirLen = 12 + 16*9

// parseFace reads the face and lays out the parts of its subsets that
// never change.
func parseFace(data []byte) (*face, error) {
	f, err := readFace(data)
	if err != nil {
		return nil, err
	}
	for _, tag := range []string{"hhea", "hmtx", "cmap", "name", "OS/2", "post", "cvt ", "fpgm", "prep"} {
		if _, ok := f.tables[tag]; !ok {
			return nil, fmt.Errorf("document: font: no %q table", tag)
		}
	}
	var fixed bytes.Buffer
	for _, tag := range fixedTags {
		f.fixedAt[tag] = uint32(subsetDirLen + fixed.Len())
		fixed.Write(f.table(tag))
		pad4(&fixed)
	}
	f.fixed = fixed.Bytes()
	f.fixedSum = adler32.Checksum(f.fixed)
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestCompression)
	zw.Write(f.fixed)
	zw.Flush()
	f.fixedZ = z.Bytes()
	f.stubBytes = f.stub()
	return f, nil
}

// readFace reads a face's table directory and its glyphs.
func readFace(data []byte) (*face, error) {
	if len(data) < 12 || binary.BigEndian.Uint32(data) != 0x00010000 {
		return nil, errors.New("document: font: not a TrueType face")
	}
	f := &face{data: data, tables: map[string]tableRecord{}, fixedAt: map[string]uint32{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := range n {
		r := data[12+16*i:]
		t := tableRecord{binary.BigEndian.Uint32(r[4:]), binary.BigEndian.Uint32(r[8:]), binary.BigEndian.Uint32(r[12:])}
		if uint64(t.offset)+uint64(t.length) > uint64(len(data)) {
			return nil, fmt.Errorf("document: font: table %q outside the file", r[:4])
		}
		f.tables[string(r[:4])] = t
	}
	for _, tag := range []string{"head", "maxp", "loca", "glyf"} {
		if _, ok := f.tables[tag]; !ok {
			return nil, fmt.Errorf("document: font: no %q table", tag)
		}
	}
	head, maxp := f.table("head"), f.table("maxp")
	f.longLoca = binary.BigEndian.Uint16(head[50:]) == 1
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	loca := f.table("loca")
	f.loca = make([]uint32, f.numGlyphs+1)
	for g := range f.loca {
		if f.longLoca {
			f.loca[g] = binary.BigEndian.Uint32(loca[4*g:])
		} else {
			f.loca[g] = 2 * uint32(binary.BigEndian.Uint16(loca[2*g:]))
		}
	}
	f.glyf = f.table("glyf")
	for g := range f.numGlyphs {
		if f.loca[g] > f.loca[g+1] || int(f.loca[g+1]) > len(f.glyf) {
			return nil, fmt.Errorf("document: font: loca of glyph %d points outside glyf", g)
		}
	}
	return f, nil
}

func (f *face) table(tag string) []byte {
	t := f.tables[tag]
	return f.data[t.offset : t.offset+t.length]
}

func pad4(b *bytes.Buffer) {
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
}

// stub is the face gopdf lays text out with: the tables its parser reads
// (head, hhea, maxp, hmtx, cmap, name, OS/2, the start of post) as they
// are, and a loca of zeros, so that every glyph is empty and the subset
// gopdf writes holds no outlines. hmtx is listed with length 0: gopdf's
// parser reads numberOfHMetrics entries from its offset whatever the
// length says, and its subset copies as many bytes as the length says.
func (f *face) stub() []byte {
	type entry struct {
		tag    string
		data   []byte
		listed uint32 // the length in the directory
	}
	post := f.table("post")
	// The short loca format (indexToLocFormat 0) halves the zeros gopdf
	// deflates for every document.
	head := slices.Clone(f.table("head"))
	binary.BigEndian.PutUint16(head[50:], 0)
	entries := []entry{
		{"OS/2", f.table("OS/2"), 0}, {"cmap", f.table("cmap"), 0}, {"head", head, 0},
		{"hhea", f.table("hhea"), 0}, {"hmtx", f.table("hmtx"), 0}, {"loca", make([]byte, 2*(f.numGlyphs+1)), 0},
		{"maxp", f.table("maxp"), 0}, {"name", f.table("name"), 0}, {"post", post[:min(32, len(post))], 0},
	}
	for i := range entries {
		entries[i].listed = uint32(len(entries[i].data))
	}
	entries[4].listed = 0 // hmtx
	var b bytes.Buffer
	writeDirectory(&b, len(entries))
	at := uint32(12 + 16*len(entries))
	for _, e := range entries {
		b.WriteString(e.tag)
		binary.Write(&b, binary.BigEndian, [3]uint32{checksum(e.data), at, e.listed})
		at += uint32(len(e.data)+3) &^ 3
	}
	for _, e := range entries {
		b.Write(e.data)
		pad4(&b)
	}
	return b.Bytes()
}

// writeDirectory writes the offset table of a face with n tables.
func writeDirectory(b *bytes.Buffer, n int) {
	sel := 0
	for 1<<(sel+1) <= n {
		sel++
	}
	binary.Write(b, binary.BigEndian, struct {
		Version                                   uint32
		NumTables, SearchRange, Selector, RangeSh uint16
	}{0x00010000, uint16(n), uint16(16 << sel), uint16(sel), uint16(16*n - 16<<sel)})
}

// checksum is the TrueType table checksum: the sum of its big-endian
// 32-bit words, the last one padded with zeros.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	if len(b) > 0 {
		var last [4]byte
		copy(last[:], b)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}

// closure adds the glyphs that composite glyphs among gs are built from,
// and .notdef, and returns the set sorted.
func (f *face) closure(gs []int) []int {
	set := map[int]bool{0: true}
	todo := append([]int{0}, gs...)
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if g < 0 || g >= f.numGlyphs {
			continue
		}
		set[g] = true
		for _, c := range f.components(g) {
			if !set[c] {
				set[c] = true
				todo = append(todo, c)
			}
		}
	}
	out := make([]int, 0, len(set))
	for g := range set {
		if g >= 0 && g < f.numGlyphs {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return out
}

// components lists the glyphs a composite glyph is made of (OpenType glyf
// table: numberOfContours < 0, then flags, glyphIndex and arguments per
// component while MORE_COMPONENTS is set).
func (f *face) components(g int) []int {
	d := f.glyf[f.loca[g]:f.loca[g+1]]
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil
	}
	var out []int
	for p := 10; p+4 <= len(d); {
		flags := binary.BigEndian.Uint16(d[p:])
		out = append(out, int(binary.BigEndian.Uint16(d[p+2:])))
		p += 4
		if flags&0x0001 != 0 { // ARG_1_AND_2_ARE_WORDS
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0: // WE_HAVE_A_SCALE
			p += 2
		case flags&0x0040 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
			p += 4
		case flags&0x0080 != 0: // WE_HAVE_A_TWO_BY_TWO
			p += 8
		}
		if flags&0x0020 == 0 { // MORE_COMPONENTS
			break
		}
	}
	return out
}

var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// fontProgram is the zlib stream of the subset of the face holding the
// glyphs gs (with their closure), and the length of the uncompressed font.
// The glyphs keep their numbers: gopdf's text uses glyph ids as CIDs.
func (f *face) fontProgram(gs []int) ([]byte, int) {
	gs = f.closure(gs)
	var glyf bytes.Buffer
	locaLen := 2 * (f.numGlyphs + 1)
	if f.longLoca {
		locaLen *= 2
	}
	loca := make([]byte, locaLen)
	k := 0
	for g := 0; g <= f.numGlyphs; g++ {
		if f.longLoca {
			binary.BigEndian.PutUint32(loca[4*g:], uint32(glyf.Len()))
		} else {
			binary.BigEndian.PutUint16(loca[2*g:], uint16(glyf.Len()/2))
		}
		if g < f.numGlyphs && k < len(gs) && gs[k] == g {
			glyf.Write(f.glyf[f.loca[g]:f.loca[g+1]])
			k++
		}
	}
	glyfLen := glyf.Len()
	glyfSum := checksum(glyf.Bytes())
	pad4(&glyf)
	glyfAt := uint32(subsetDirLen + len(f.fixed))
	locaAt := glyfAt + uint32(glyf.Len())

	var dir bytes.Buffer
	writeDirectory(&dir, len(subsetTags))
	for _, tag := range subsetTags {
		var r [3]uint32
		switch tag {
		case "glyf":
			r = [3]uint32{glyfSum, glyfAt, uint32(glyfLen)}
		case "loca":
			r = [3]uint32{checksum(loca), locaAt, uint32(len(loca))}
		default:
			t := f.tables[tag]
			r = [3]uint32{t.checksum, f.fixedAt[tag], t.length}
		}
		dir.WriteString(tag)
		binary.Write(&dir, binary.BigEndian, r)
	}

	// zlib (RFC 1950) around deflate blocks (RFC 1951): the directory in
	// a stored block, the fixed tables as deflated once, the glyphs and
	// loca deflated now; each part starts on a byte boundary (stored
	// blocks and sync flushes end on one), so they concatenate.
	var out bytes.Buffer
	out.Grow(len(f.fixedZ) + glyf.Len() + 4096)
	out.Write([]byte{0x78, 0x01})
	out.WriteByte(0) // BFINAL 0, BTYPE 00 (stored)
	binary.Write(&out, binary.LittleEndian, [2]uint16{uint16(dir.Len()), ^uint16(dir.Len())})
	out.Write(dir.Bytes())
	out.Write(f.fixedZ)
	zw := deflaters.Get().(*flate.Writer)
	zw.Reset(&out)
	zw.Write(glyf.Bytes())
	zw.Write(loca)
	zw.Close()
	deflaters.Put(zw)
	varSum := adler32.New()
	varSum.Write(glyf.Bytes())
	varSum.Write(loca)
	sum := adler32.Checksum(dir.Bytes())
	sum = adler32Combine(sum, f.fixedSum, len(f.fixed))
	sum = adler32Combine(sum, varSum.Sum32(), glyf.Len()+len(loca))
	binary.Write(&out, binary.BigEndian, sum)
	return out.Bytes(), dir.Len() + len(f.fixed) + glyf.Len() + len(loca)
}

// adler32Combine is the Adler-32 of the concatenation of two byte strings
// from their checksums and the second's length (zlib's adler32_combine).
func adler32Combine(a1, a2 uint32, len2 int) uint32 {
	const base = 65521
	rem := uint32(len2 % base)
	sum1 := a1 & 0xffff
	sum2 := (rem * sum1) % base
	sum1 += (a2 & 0xffff) + base - 1
	sum2 += (a1 >> 16) + (a2 >> 16) + base - rem
	if sum1 >= base {
		sum1 -= base
	}
	if sum1 >= base {
		sum1 -= base
	}
	if sum2 >= base<<1 {
		sum2 -= base << 1
	}
	if sum2 >= base {
		sum2 -= base
	}
	return sum1 | sum2<<16
}

// replaceFontProgram puts the real font program into a PDF gopdf wrote
// with the stub face: it finds the one FontFile2 stream through the
// cross-reference table, rewrites that object with the subset of the
// glyphs the CIDFont's /W array lists, and moves the offsets of the
// objects after it.
func (f *face) replaceFontProgram(pdf []byte) ([]byte, error) {
	offs, xrefAt, err := xrefOffsets(pdf)
	if err != nil {
		return nil, err
	}
	span := func(obj int) []byte { // the object's bytes, "N 0 obj" to its endobj
		end := xrefAt
		if obj+1 < len(offs) {
			end = offs[obj+1]
		}
		return pdf[offs[obj]:end]
	}
	dict := func(obj int) []byte { // the part before any stream
		s := span(obj)
		if i := bytes.Index(s, []byte("stream\n")); i >= 0 {
			return s[:i]
		}
		return s
	}
	fontFile, cidFont := -1, -1
	for obj := 1; obj < len(offs); obj++ {
		d := dict(obj)
		if i := bytes.Index(d, []byte("/FontFile2 ")); i >= 0 {
			if fontFile >= 0 {
				return nil, errors.New("document: PDF has more than one embedded font")
			}
			ref := d[i+len("/FontFile2 "):]
			n, err := strconv.Atoi(string(ref[:bytes.IndexByte(ref, ' ')]))
			if err != nil {
				return nil, fmt.Errorf("document: FontFile2 reference: %w", err)
			}
			fontFile = n
		}
		if bytes.Contains(d, []byte("/Subtype /CIDFontType2")) {
			cidFont = obj
		}
	}
	if fontFile < 1 || fontFile >= len(offs) || cidFont < 0 {
		return nil, errors.New("document: PDF without its embedded font")
	}
	glyphs, err := widthGlyphs(dict(cidFont))
	if err != nil {
		return nil, err
	}
	z, length := f.fontProgram(glyphs)

	old := span(fontFile)
	head := fmt.Sprintf("%d 0 obj\n", fontFile)
	if !bytes.HasPrefix(old, []byte(head)) || !bytes.HasSuffix(old, []byte("endobj\n\n")) {
		return nil, errors.New("document: font object not where the cross-reference table says")
	}
	var obj bytes.Buffer
	fmt.Fprintf(&obj, "%s<</Length %d\n/Filter /FlateDecode\n/Length1 %d\n>>\nstream\n", head, len(z), length)
	obj.Write(z)
	obj.WriteString("\nendstream\nendobj\n\n")
	delta := obj.Len() - len(old)
	at := offs[fontFile]
	out := make([]byte, 0, len(pdf)+delta)
	out = append(out, pdf[:at]...)
	out = append(out, obj.Bytes()...)
	out = append(out, pdf[at+len(old):]...)

	// The table's entries are fixed-width ("%010d 00000 n \n"), so moved
	// offsets are written over the old ones.
	table := out[xrefAt+delta:]
	first := bytes.IndexByte(table, '\n') + 1
	first += bytes.IndexByte(table[first:], '\n') + 1
	for obj := fontFile + 1; obj < len(offs); obj++ {
		copy(table[first+20*obj:], fmt.Sprintf("%010d", offs[obj]+delta))
	}
	tail := bytes.LastIndex(out, []byte("startxref\n"))
	if tail < 0 {
		return nil, errors.New("document: PDF without startxref")
	}
	out = append(out[:tail], fmt.Sprintf("startxref\n%d\n%%%%EOF\n", xrefAt+delta)...)
	return out, nil
}

// xrefOffsets reads the single cross-reference table gopdf writes: the
// offset of each object by number (index 0 unused) and of the table.
func xrefOffsets(pdf []byte) ([]int, int, error) {
	i := bytes.LastIndex(pdf, []byte("startxref\n"))
	if i < 0 {
		return nil, 0, errors.New("document: PDF without startxref")
	}
	rest := pdf[i+len("startxref\n"):]
	xrefAt, err := strconv.Atoi(string(bytes.TrimSpace(rest[:bytes.IndexByte(rest, '\n')])))
	if err != nil || xrefAt <= 0 || xrefAt >= len(pdf) || !bytes.HasPrefix(pdf[xrefAt:], []byte("xref\n0 ")) {
		return nil, 0, errors.New("document: PDF cross-reference table not found")
	}
	t := pdf[xrefAt+len("xref\n0 "):]
	nl := bytes.IndexByte(t, '\n')
	n, err := strconv.Atoi(string(t[:nl]))
	if err != nil || len(t) < nl+1+20*n {
		return nil, 0, errors.New("document: PDF cross-reference table damaged")
	}
	t = t[nl+1:]
	offs := make([]int, n)
	for obj := 1; obj < n; obj++ {
		if offs[obj], err = strconv.Atoi(string(t[20*obj : 20*obj+10])); err != nil {
			return nil, 0, errors.New("document: PDF cross-reference table damaged")
		}
	}
	return offs, xrefAt, nil
}

// widthGlyphs lists the glyph ids of a CIDFont's /W array, which gopdf
// writes as "/W [g[w]g[w]…]" with every glyph it mapped a character to.
func widthGlyphs(cidFont []byte) ([]int, error) {
	i := bytes.Index(cidFont, []byte("/W ["))
	if i < 0 {
		return nil, errors.New("document: CIDFont without widths")
	}
	w := cidFont[i+len("/W ["):]
	var gs []int
	for len(w) > 0 && w[0] != ']' {
		open := bytes.IndexByte(w, '[')
		end := bytes.IndexByte(w, ']')
		if open < 0 || end < open {
			return nil, errors.New("document: CIDFont widths damaged")
		}
		g, err := strconv.Atoi(string(w[:open]))
		if err != nil {
			return nil, fmt.Errorf("document: CIDFont widths: %w", err)
		}
		gs = append(gs, g)
		w = w[end+1:]
	}
	return gs, nil
}
