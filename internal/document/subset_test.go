package document

import (
	"bytes"
	"compress/zlib"
	"hash/adler32"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAdler32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		a := make([]byte, r.IntN(70000))
		b := make([]byte, r.IntN(70000))
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.IntN(3)) // long runs, as in loca
		}
		want := adler32.Checksum(append(slices.Clone(a), b...))
		if got := adler32Combine(adler32.Checksum(a), adler32.Checksum(b), len(b)); got != want {
			t.Fatalf("combine of %d + %d bytes = %08x, want %08x", len(a), len(b), got, want)
		}
	}
}

// The font program decompresses (zlib checks its Adler-32), is a face
// whose directory points inside it, carries each used glyph and the
// glyphs composites are built from, byte for byte, keeps glyph numbers,
// leaves every other glyph empty, and copies the tables gopdf copies.
func TestFontProgram(t *testing.T) {
	f, err := mainFace()
	if err != nil {
		t.Fatal(err)
	}
	var used []int
	composite := -1
	for g := 1; g < f.numGlyphs && (len(used) < 40 || composite < 0); g += 997 {
		used = append(used, g)
		if composite < 0 && len(f.components(g)) > 0 {
			composite = g
		}
	}
	if composite < 0 {
		t.Fatal("no composite glyph among the sample; the closure goes untested")
	}
	z, length := f.fontProgram(used)
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("font program does not decompress: %v", err)
	}
	if len(raw) != length {
		t.Fatalf("font program is %d bytes, Length1 says %d", len(raw), length)
	}
	sub, err := readFace(raw)
	if err != nil {
		t.Fatalf("font program is not a face: %v", err)
	}
	var tags []string
	for tag := range sub.tables {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	if !slices.Equal(tags, subsetTags) || !slices.Equal(f.subsetTags, subsetTags) {
		t.Fatalf("tables %q, want %q", tags, subsetTags)
	}
	for _, tag := range subsetTags {
		if got := checksum(sub.table(tag)); got != sub.tables[tag].checksum && tag != "head" {
			t.Errorf("%s: checksum %08x in the directory, %08x computed", tag, sub.tables[tag].checksum, got)
		}
	}
	for _, tag := range f.fixedTags {
		if !bytes.Equal(sub.table(tag), f.table(tag)) {
			t.Errorf("%s differs from the face's", tag)
		}
	}
	if sub.numGlyphs != f.numGlyphs {
		t.Fatalf("%d glyphs, want %d: glyph numbers must not change", sub.numGlyphs, f.numGlyphs)
	}
	want := f.closure(used)
	for _, c := range f.components(composite) {
		if !slices.Contains(want, c) {
			t.Fatalf("closure lacks component %d of glyph %d", c, composite)
		}
	}
	glyph := func(ff *face, g int) []byte { return ff.glyf[ff.loca[g]:ff.loca[g+1]] }
	for g := range f.numGlyphs {
		got := glyph(sub, g)
		if slices.Contains(want, g) {
			if !bytes.Equal(got, glyph(f, g)) {
				t.Fatalf("glyph %d differs from the face's", g)
			}
		} else if len(got) != 0 {
			t.Fatalf("glyph %d is not used but has %d bytes", g, len(got))
		}
	}
}

// The widths gopdf writes name the glyphs the text used; a page of text
// renders with ink only if their outlines were put back.
func TestTextOnlyPageHasInk(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Title("特种设备安全管理和作业人员证")
	for range 12 {
		d.Paragraph("持证人张喆堃，证件号码310104198203140012，作业项目起重机司机（限流动式起重机），有效期至2031年01月22日。", Style{Size: SizeTitle})
	}
	pdf, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "text-only", pdf)
	c.has(t, "特种设备安全管理和作业人员证", "张喆堃")
	if n := inked(c.pages[0]); n < 20000 {
		t.Errorf("%d dark pixels on a page of 18 pt text: glyphs missing from the font program", n)
	}
	if !bytes.Contains(pdf, []byte("/FontFile2")) || len(pdf) > 100<<10 {
		t.Errorf("font not embedded, or PDF of %d bytes", len(pdf))
	}
}
