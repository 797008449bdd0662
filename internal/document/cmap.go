package document

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// What a face can draw and how wide, read from its own tables, so that a
// character is placed in the face that has it before gopdf sees it, and so
// that text can be checked with no document at all (Undrawable).
//
// The subtables are the ones gopdf reads (fontmaker/core: ParseCmap takes
// the Windows Unicode BMP subtable (3,1), format 4, for U+0000–U+FFFF;
// ParseCmapFormat12 the full-repertoire one (3,10), format 12, for the
// planes above), so both agree on every character; where they would not,
// gopdf's missing-glyph hook still stops the document (font.go).

// readLookup reads the tables that say which glyph draws a character and
// how wide it is.
func (f *face) readLookup() error {
	for _, tag := range []string{"hhea", "hmtx", "cmap"} {
		if _, ok := f.tables[tag]; !ok {
			return fmt.Errorf("document: font: no %q table", tag)
		}
	}
	head, hhea := f.table("head"), f.table("hhea")
	if len(head) < 54 || len(hhea) < 36 {
		return errors.New("document: font: head or hhea table too short")
	}
	f.unitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	f.numHMetrics = int(binary.BigEndian.Uint16(hhea[34:]))
	f.hmtx = f.table("hmtx")
	if f.unitsPerEm == 0 || f.numHMetrics == 0 || f.numHMetrics > f.numGlyphs ||
		len(f.hmtx) < 4*f.numHMetrics+2*(f.numGlyphs-f.numHMetrics) {
		return errors.New("document: font: hmtx does not match hhea and maxp")
	}
	cmap := f.table("cmap")
	if len(cmap) < 4 {
		return errors.New("document: font: cmap too short")
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	for i := range n {
		rec := cmap[4+8*i:]
		if len(rec) < 8 {
			return errors.New("document: font: cmap directory damaged")
		}
		platform, encoding := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		off := binary.BigEndian.Uint32(rec[4:])
		if platform != 3 || uint64(off)+8 > uint64(len(cmap)) {
			continue
		}
		sub := cmap[off:]
		switch format := binary.BigEndian.Uint16(sub); {
		case encoding == 1 && format == 4:
			l := int(binary.BigEndian.Uint16(sub[2:]))
			if l < 16 || l > len(sub) {
				return errors.New("document: font: cmap format 4 damaged")
			}
			f.cmap4 = sub[:l]
		case encoding == 10 && format == 12:
			if len(sub) < 16 {
				return errors.New("document: font: cmap format 12 damaged")
			}
			groups := uint64(binary.BigEndian.Uint32(sub[12:]))
			if 16+12*groups > uint64(len(sub)) {
				return errors.New("document: font: cmap format 12 damaged")
			}
			f.cmap12 = sub[:16+12*groups]
		}
	}
	if f.cmap4 == nil {
		// gopdf refuses such a face (ERROR_NO_UNICODE_ENCODING_FOUND).
		return errors.New("document: font: no Windows Unicode (3,1) format 4 cmap")
	}
	return nil
}

// glyphIndex is the glyph that draws r, 0 (.notdef) when the face has
// none.
func (f *face) glyphIndex(r rune) int {
	if r < 0 {
		return 0
	}
	var g int
	if r <= 0xFFFF {
		g = format4Glyph(f.cmap4, uint16(r))
	} else {
		g = format12Glyph(f.cmap12, uint32(r))
	}
	if g >= f.numGlyphs {
		return 0
	}
	return g
}

// format4Glyph looks c up in a segment-mapping table (OpenType cmap format
// 4): the first segment whose endCode is at least c, then idDelta added to
// c or to the glyphIdArray entry idRangeOffset points at.
func format4Glyph(t []byte, c uint16) int {
	segs := int(binary.BigEndian.Uint16(t[6:])) / 2
	ends := 14
	starts := ends + 2*segs + 2
	deltas := starts + 2*segs
	ranges := deltas + 2*segs
	if ranges+2*segs > len(t) {
		return 0
	}
	u16 := func(at int) uint16 { return binary.BigEndian.Uint16(t[at:]) }
	i := sort.Search(segs, func(i int) bool { return u16(ends+2*i) >= c })
	if i == segs || u16(starts+2*i) > c {
		return 0
	}
	delta := u16(deltas + 2*i)
	ro := int(u16(ranges + 2*i))
	if ro == 0 {
		return int(c + delta)
	}
	at := ranges + 2*i + ro + 2*int(c-u16(starts+2*i))
	if at+2 > len(t) {
		return 0
	}
	g := u16(at)
	if g == 0 {
		return 0
	}
	return int(g + delta)
}

// format12Glyph looks c up in a segmented coverage table (cmap format 12):
// sequential groups of startCharCode, endCharCode, startGlyphID.
func format12Glyph(t []byte, c uint32) int {
	if len(t) < 16 {
		return 0
	}
	n := int(binary.BigEndian.Uint32(t[12:]))
	group := func(i int) []byte { return t[16+12*i:] }
	i := sort.Search(n, func(i int) bool { return binary.BigEndian.Uint32(group(i)[4:]) >= c })
	if i == n {
		return 0
	}
	g := group(i)
	start := binary.BigEndian.Uint32(g)
	if start > c {
		return 0
	}
	return int(binary.BigEndian.Uint32(g[8:]) + c - start)
}

// pdfWidth is glyph g's advance in thousandths of an em, as gopdf writes it
// into /W and measures text with (SubsetFontObj.GlyphIndexToPdfWidth,
// truncated the same way).
func (f *face) pdfWidth(g int) int {
	g = min(g, f.numHMetrics-1)
	adv := int(binary.BigEndian.Uint16(f.hmtx[4*g:]))
	if f.unitsPerEm == 1000 {
		return adv
	}
	return adv * 1000 / f.unitsPerEm
}
