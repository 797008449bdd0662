package document

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/signintech/gopdf"
)

// fontTTF is face 0 of Debian's wqy-microhei.ttc (fonts/README.md). It is
// embedded so the binary prints Chinese on a machine with no fonts at all.
//
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

const fontFamily = "wqy-microhei"

// Parsing the 4.6 MB face takes about 20 ms; doing it once and handing each
// PDF a copy through AddTTFFontFromFontContainer halves the cost of a
// document (DEPENDENCIES.md §2). gopdf only reads the parsed tables
// afterwards, so one container serves concurrent requests. The container
// holds the stub of the face and the font program is put in afterwards
// (subset.go).
var (
	fontOnce      sync.Once
	fontFace      *face
	fontContainer *gopdf.FontContainer
	fontErr       error
)

// glyphPanic carries a missing rune out of gopdf's OnGlyphNotFound hook.
type glyphPanic rune

func fonts() (*gopdf.FontContainer, error) {
	fontOnce.Do(func() {
		fontFace, fontErr = parseFace(fontTTF)
		if fontErr != nil {
			return
		}
		c := &gopdf.FontContainer{}
		fontErr = c.AddTTFFontDataWithOption(fontFamily, fontFace.stubBytes, gopdf.TtfOption{
			// The hook is stored in the shared container and only receives
			// the rune, so it cannot tell which document asked. Panicking
			// unwinds to the Doc method that called gopdf (Doc.guard), which
			// turns it into that document's MissingGlyphError. Without this
			// gopdf substitutes a space: 张喆堃 would print as "张 堃".
			// Doc checks every rune before drawing, so this is the backstop
			// for a path that forgets to.
			OnGlyphNotFound: func(r rune) { panic(glyphPanic(r)) },
		})
		fontContainer = c
	})
	return fontContainer, fontErr
}

// MissingGlyphError lists the characters the embedded font cannot draw
// (CJK Extension A and B, where some rare name characters live: the face
// covers U+4E00–U+9FC3 plus Latin; fonts/README.md). The document is not produced:
// a name printed with a gap is a wrong document.
type MissingGlyphError struct{ Runes []rune }

func (e *MissingGlyphError) Error() string {
	s := ""
	for i, r := range e.Runes {
		if i > 0 {
			s += "、"
		}
		s += fmt.Sprintf("“%c”(U+%04X)", r, r)
	}
	return "字体中没有以下字符，无法生成PDF：" + s
}

// glyphWidths caches, per rune, the advance width in mm per point of font
// size, or -1 when the font has no glyph. Widths are properties of the font,
// not of a document, so all documents share the cache.
var glyphWidths sync.Map // rune → float64

func (d *Doc) addMissing(r rune) {
	if !slices.Contains(d.missing, r) {
		d.missing = append(d.missing, r)
	}
}
