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
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
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

// face is a parsed TrueType face: the embedded one or a fallback.
type face struct {
	family    string // gopdf's family name, which is also the PDF's /BaseFont
	data      []byte
	tables    map[string]tableRecord
	numGlyphs int
	longLoca  bool
	loca      []uint32 // offsets of each glyph in glyf, numGlyphs+1
	glyf      []byte

	// Set by readLookup (cmap.go).
	unitsPerEm   int
	numHMetrics  int
	hmtx         []byte
	cmap4        []byte
	cmap12       []byte
	sparseHmtx   bool // hmtx is written per document (fallback faces)
	subsetTags   []string
	fixedTags    []string
	subsetDirLen int

	// The tables copied whole into every subset, in the order of
	// fixedTags, laid out from offset subsetDirLen, each 4-byte aligned.
	fixed     []byte
	fixedAt   map[string]uint32 // offset of each in the subset
	fixedZ    []byte            // fixed deflated on its own, ending in a sync flush
	fixedSum  uint32            // Adler-32 of fixed
	stubBytes []byte            // stubFace

	readyOnce sync.Once // prepare, and the stub given to gopdf (font.go)
	readyErr  error
}

// The tables of a subset, as gopdf writes them (PdfDictionaryObj.makeFont),
// less the hinting tables (cvt, fpgm, prep) a face does not have.
var (
	subsetTags = []string{"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"}
	fixedTags  = []string{"cvt ", "fpgm", "head", "hhea", "hmtx", "maxp", "prep"}
)

// parseFace reads the face and lays out the parts of its subsets that
// never change.
func parseFace(data []byte, family string) (*face, error) {
	f, err := readFace(data)
	if err != nil {
		return nil, err
	}
	f.family = family
	if err := f.readLookup(); err != nil {
		return nil, err
	}
	return f, f.prepare()
}

// prepare lays out what every subset of the face shares and the stub gopdf
// is given.
func (f *face) prepare() error {
	for _, tag := range []string{"OS/2", "name", "post"} {
		if _, ok := f.tables[tag]; !ok {
			return fmt.Errorf("document: font: no %q table", tag)
		}
	}
	hinting := func(tag string) bool {
		_, ok := f.tables[tag]
		return ok || (tag != "cvt " && tag != "fpgm" && tag != "prep")
	}
	f.subsetTags, f.fixedTags = nil, nil
	for _, tag := range subsetTags {
		if hinting(tag) {
			f.subsetTags = append(f.subsetTags, tag)
		}
	}
	for _, tag := range fixedTags {
		if hinting(tag) && !(tag == "hmtx" && f.sparseHmtx) {
			f.fixedTags = append(f.fixedTags, tag)
		}
	}
	f.subsetDirLen = 12 + 16*len(f.subsetTags)
	f.fixedAt = map[string]uint32{}
	var fixed bytes.Buffer
	for _, tag := range f.fixedTags {
		f.fixedAt[tag] = uint32(f.subsetDirLen + fixed.Len())
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
	return nil
}

// readFace reads a face's table directory and its glyphs.
func readFace(data []byte) (*face, error) {
	if len(data) < 12 || binary.BigEndian.Uint32(data) != 0x00010000 {
		return nil, errors.New("document: font: not a TrueType face")
	}
	f := &face{data: data, tables: map[string]tableRecord{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, errors.New("document: font: table directory outside the file")
	}
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
	if len(head) < 54 || len(maxp) < 6 {
		return nil, errors.New("document: font: head or maxp table too short")
	}
	f.longLoca = binary.BigEndian.Uint16(head[50:]) == 1
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	loca := f.table("loca")
	if (f.longLoca && len(loca) < 4*(f.numGlyphs+1)) || len(loca) < 2*(f.numGlyphs+1) {
		return nil, errors.New("document: font: loca table too short")
	}
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
	// The variable tables follow the fixed ones: glyf, the sparse hmtx of
	// a fallback face, loca.
	var hmtx []byte
	if f.sparseHmtx {
		hmtx = f.sparseMetrics(gs)
	}
	glyfAt := uint32(f.subsetDirLen + len(f.fixed))
	hmtxAt := glyfAt + uint32(glyf.Len())
	locaAt := hmtxAt + uint32(len(hmtx)+3)&^3
	if len(hmtx)%4 != 0 {
		hmtx = append(hmtx, make([]byte, 4-len(hmtx)%4)...)
	}

	var dir bytes.Buffer
	writeDirectory(&dir, len(f.subsetTags))
	for _, tag := range f.subsetTags {
		var r [3]uint32
		switch {
		case tag == "glyf":
			r = [3]uint32{glyfSum, glyfAt, uint32(glyfLen)}
		case tag == "loca":
			r = [3]uint32{checksum(loca), locaAt, uint32(len(loca))}
		case tag == "hmtx" && f.sparseHmtx:
			r = [3]uint32{checksum(hmtx), hmtxAt, f.tables["hmtx"].length}
		default:
			t := f.tables[tag]
			r = [3]uint32{t.checksum, f.fixedAt[tag], t.length}
		}
		dir.WriteString(tag)
		binary.Write(&dir, binary.BigEndian, r)
	}

	// zlib (RFC 1950) around deflate blocks (RFC 1951): the directory in
	// a stored block, the fixed tables as deflated once, the glyphs
	// deflated now, hmtx (when sparse) and loca as the final block of
	// repeats (appendPeriodicBlock); each part starts on a byte boundary
	// (stored blocks and sync flushes end on one), so they concatenate.
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
	zw.Flush()
	deflaters.Put(zw)
	tail := slices.Concat(hmtx, loca)
	z := appendPeriodicBlock(out.Bytes(), tail, 4)
	varSum := adler32.New()
	varSum.Write(glyf.Bytes())
	varSum.Write(tail)
	sum := adler32.Checksum(dir.Bytes())
	sum = adler32Combine(sum, f.fixedSum, len(f.fixed))
	sum = adler32Combine(sum, varSum.Sum32(), glyf.Len()+len(tail))
	return binary.BigEndian.AppendUint32(z, sum), dir.Len() + len(f.fixed) + glyf.Len() + len(tail)
}

// sparseMetrics is the face's hmtx with the metrics of the glyphs gs, of
// the last long metric (whose advance the glyphs after it share) and of
// .notdef, and zeros for every other glyph. A viewer takes the advances
// from the PDF's /W and draws only the glyphs the text names, so the other
// entries are never read; zeros deflate to almost nothing, where a
// fallback face's whole hmtx (HanaMinA: 178 KB) adds some 50 KB to every
// PDF that prints one of its characters.
func (f *face) sparseMetrics(gs []int) []byte {
	src := f.table("hmtx")
	out := make([]byte, len(src))
	keep := func(g int) {
		if g < f.numHMetrics {
			copy(out[4*g:4*g+4], src[4*g:])
		} else if at := 4*f.numHMetrics + 2*(g-f.numHMetrics); at+2 <= len(src) {
			copy(out[at:at+2], src[at:])
		}
	}
	keep(0)
	keep(f.numHMetrics - 1)
	for _, g := range gs {
		keep(g)
	}
	return out
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

// finishFonts puts the real fonts into a PDF gopdf wrote with stub faces.
// For each CIDFont it follows /FontDescriptor to the FontFile2 stream and
// rewrites that object with the subset of the face its /BaseFont names
// (byFamily), holding the glyphs its /W array lists; it rewrites each
// font's ToUnicode map (toUnicode); and it moves the offsets of the
// objects after them.
func finishFonts(pdf []byte, byFamily func(string) *face) ([]byte, error) {
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
	ref := func(d []byte, key string) (int, bool) { // "/Key N 0 R"
		i := bytes.Index(d, []byte(key+" "))
		if i < 0 {
			return 0, false
		}
		r := d[i+len(key)+1:]
		sp := bytes.IndexByte(r, ' ')
		if sp < 0 {
			return 0, false
		}
		n, err := strconv.Atoi(string(r[:sp]))
		return n, err == nil && n > 0 && n < len(offs)
	}
	// Each replaced object, from "N 0 obj\n" to the blank line after its
	// endobj, as gopdf ends every object.
	replaced := map[int][]byte{}
	replace := func(obj int, body func(head []byte) []byte) error {
		old := span(obj)
		head := fmt.Appendf(nil, "%d 0 obj\n", obj)
		if !bytes.HasPrefix(old, head) || !bytes.HasSuffix(old, []byte("endobj\n\n")) {
			return errors.New("document: font object not where the cross-reference table says")
		}
		if _, dup := replaced[obj]; dup {
			return errors.New("document: two fonts share an object")
		}
		replaced[obj] = body(head)
		return nil
	}
	fontFiles, programs := 0, 0
	for obj := 1; obj < len(offs); obj++ {
		d := dict(obj)
		if bytes.Contains(d, []byte("/FontFile2 ")) {
			fontFiles++
		}
		if bytes.Contains(d, []byte("/Subtype /Type0")) {
			cmap, ok := ref(d, "/ToUnicode")
			if !ok {
				return nil, errors.New("document: font without ToUnicode")
			}
			s := span(cmap)
			i, j := bytes.Index(s, []byte("stream\n")), bytes.LastIndex(s, []byte("endstream"))
			if i < 0 || j < i {
				return nil, errors.New("document: ToUnicode is not a stream")
			}
			m, err := toUnicode(s[i+len("stream\n") : j])
			if err != nil {
				return nil, err
			}
			if err := replace(cmap, func(head []byte) []byte {
				out := fmt.Appendf(head, "<<\n/Length %d\n>>\nstream\n", len(m))
				out = append(out, m...)
				return append(out, "endstream\nendobj\n\n"...)
			}); err != nil {
				return nil, err
			}
		}
		if !bytes.Contains(d, []byte("/Subtype /CIDFontType2")) {
			continue
		}
		var name []byte
		if i := bytes.Index(d, []byte("/BaseFont /")); i >= 0 {
			name = d[i+len("/BaseFont /"):]
			name = name[:max(0, bytes.IndexByte(name, '\n'))]
		}
		f := byFamily(string(name))
		desc, ok := ref(d, "/FontDescriptor")
		if f == nil || !ok {
			return nil, fmt.Errorf("document: CIDFont %q is not one of ours", name)
		}
		file, ok := ref(dict(desc), "/FontFile2")
		if !ok {
			return nil, fmt.Errorf("document: CIDFont %q without its embedded font", name)
		}
		glyphs, err := widthGlyphs(d)
		if err != nil {
			return nil, err
		}
		if err := replace(file, func(head []byte) []byte {
			z, length := f.fontProgram(glyphs)
			out := fmt.Appendf(head, "<</Length %d\n/Filter /FlateDecode\n/Length1 %d\n>>\nstream\n", len(z), length)
			out = append(out, z...)
			return append(out, "\nendstream\nendobj\n\n"...)
		}); err != nil {
			return nil, err
		}
		programs++
	}
	if programs == 0 || fontFiles != programs {
		return nil, errors.New("document: PDF without its embedded fonts, or with one no CIDFont names")
	}

	out := make([]byte, 0, len(pdf)+64<<10)
	moved := make([]int, len(offs)) // how far each object moves
	at, delta := 0, 0
	for obj := 1; obj < len(offs); obj++ {
		moved[obj] = delta
		r, ok := replaced[obj]
		if !ok {
			continue
		}
		out = append(out, pdf[at:offs[obj]]...)
		out = append(out, r...)
		delta += len(r) - len(span(obj))
		at = offs[obj] + len(span(obj))
	}
	out = append(out, pdf[at:]...)

	// The table's entries are fixed-width ("%010d 00000 n \n"), so moved
	// offsets are written over the old ones.
	table := out[xrefAt+delta:]
	first := bytes.IndexByte(table, '\n') + 1
	first += bytes.IndexByte(table[first:], '\n') + 1
	for obj := 1; obj < len(offs); obj++ {
		if moved[obj] != 0 {
			copy(table[first+20*obj:], fmt.Sprintf("%010d", offs[obj]+moved[obj]))
		}
	}
	tail := bytes.LastIndex(out, []byte("startxref\n"))
	if tail < 0 {
		return nil, errors.New("document: PDF without startxref")
	}
	out = append(out[:tail], fmt.Sprintf("startxref\n%d\n%%%%EOF\n", xrefAt+delta)...)
	return out, nil
}

// parseHex reads upper- or lower-case hex digits, at most eight.
func parseHex(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// toUnicode rewrites the ToUnicode CMap gopdf writes, which a text
// extractor (and a screen reader, and copy and paste) reads the characters
// of the PDF from. gopdf writes each glyph as "<glyph><glyph><character>"
// with the character as plain hex, which for one beyond U+FFFF (𠮷
// U+20BB7) is five digits that no reader takes as UTF-16: 𠮷 came out of
// pdftotext as "₻". Here each glyph maps to its character in UTF-16BE, a
// surrogate pair above U+FFFF, as the ToUnicode CMap must (PDF 1.7, ISO
// 32000-1 §9.10.3), in bfchar blocks of at most 100 entries (Adobe
// Technical Note #5014, 1.5: a begin…end block holds at most 100), over
// the full two-byte code space of Identity-H, in glyph order, so that the
// map does not depend on the order the characters were first met.
func toUnicode(old []byte) ([]byte, error) {
	start := bytes.Index(old, []byte("beginbfrange\n"))
	end := bytes.Index(old, []byte("endbfrange"))
	if start < 0 || end < start {
		return nil, errors.New("document: ToUnicode map damaged")
	}
	type entry struct {
		glyph int
		r     rune
	}
	var entries []entry
	for line := range bytes.Lines(old[start+len("beginbfrange\n") : end]) {
		// <GGGG><GGGG><R…>
		line = bytes.TrimSuffix(line, []byte("\n"))
		if len(line) < 17 || line[0] != '<' || line[5] != '>' || line[11] != '>' || line[12] != '<' || line[len(line)-1] != '>' {
			return nil, errors.New("document: ToUnicode map damaged")
		}
		g, ok1 := parseHex(line[1:5])
		r, ok2 := parseHex(line[13 : len(line)-1])
		if !ok1 || !ok2 || r > unicode.MaxRune || !utf8.ValidRune(rune(r)) {
			return nil, errors.New("document: ToUnicode map damaged")
		}
		entries = append(entries, entry{int(g), rune(r)})
	}
	// One character per glyph: gopdf lists a glyph again for a second
	// character drawn by it, with the first one's.
	slices.SortStableFunc(entries, func(a, b entry) int { return a.glyph - b.glyph })
	entries = slices.CompactFunc(entries, func(a, b entry) bool { return a.glyph == b.glyph })

	hex4 := func(b []byte, v uint16) []byte {
		const digits = "0123456789ABCDEF"
		return append(b, digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15])
	}
	b := make([]byte, 0, 300+20*len(entries))
	b = append(b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"+
		"/CIDSystemInfo << /Registry (Adobe)/Ordering (UCS)/Supplement 0>> def\n"+
		"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"+
		"1 begincodespacerange\n<0000><FFFF>\nendcodespacerange\n"...)
	for len(entries) > 0 {
		n := min(len(entries), 100)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " beginbfchar\n"...)
		for _, e := range entries[:n] {
			b = hex4(append(b, '<'), uint16(e.glyph))
			b = append(b, "><"...)
			if hi, lo := utf16.EncodeRune(e.r); hi != utf8.RuneError {
				b = hex4(hex4(b, uint16(hi)), uint16(lo))
			} else {
				b = hex4(b, uint16(e.r))
			}
			b = append(b, ">\n"...)
		}
		b = append(b, "endbfchar\n"...)
		entries = entries[n:]
	}
	return append(b, "endcmap CMapName currentdict /CMap defineresource pop end end\n"...), nil
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
