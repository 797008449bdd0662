package document

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/signintech/gopdf"
)

// fontTTF is face 0 of Debian's wqy-microhei.ttc (fonts/README.md). It is
// embedded so the binary prints Chinese on a machine with no fonts at all.
//
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

const fontFamily = "wqy-microhei"

// DefaultFallbackFonts are the faces a character the embedded one lacks is
// drawn from, tried in order: Debian 12's fonts-hanazono, whose HanaMinA
// covers CJK Extension A (U+3400–U+4DB5) and HanaMinB Extension B
// (U+20000–U+2A6D6) and C–F, where rare name characters (生僻字) live. At
// 22 MB and 30 MB (the Extension B glyphs alone are 21.8 MB) they are read
// from the system instead of embedded (fonts/README.md).
var DefaultFallbackFonts = []string{
	"/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
	"/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
}

// Parsing the 4.6 MB face takes about 20 ms; doing it once and handing each
// PDF a copy through AddTTFFontFromFontContainer halves the cost of a
// document (DEPENDENCIES.md §2). gopdf only reads the parsed tables
// afterwards, so one container serves concurrent requests. The container
// holds the stub of each face and the font program is put in afterwards
// (subset.go).
var (
	fontOnce      sync.Once
	fontFace      *face
	fontContainer = &gopdf.FontContainer{}
	fontErr       error
)

// glyphPanic carries a missing rune out of gopdf's OnGlyphNotFound hook.
type glyphPanic rune

func mainFace() (*face, error) {
	fontOnce.Do(func() {
		f, err := readFace(fontTTF)
		if err == nil {
			f.family = fontFamily
			err = f.readLookup()
		}
		if err == nil {
			err = f.ready()
		}
		fontFace, fontErr = f, err
	})
	return fontFace, fontErr
}

// ready lays out the face's subsets and gives gopdf its stub, once.
func (f *face) ready() error {
	f.readyOnce.Do(func() {
		if f.readyErr = f.prepare(); f.readyErr != nil {
			return
		}
		f.readyErr = fontContainer.AddTTFFontDataWithOption(f.family, f.stubBytes, gopdf.TtfOption{
			// The hook is stored in the shared container and only receives
			// the rune, so it cannot tell which document asked. Panicking
			// unwinds to the Doc method that called gopdf (Doc.guard), which
			// turns it into that document's MissingGlyphError. Without this
			// gopdf substitutes a space: 张喆堃 would print as "张 堃".
			// Doc places every rune in a face that has it before drawing,
			// so this is the backstop for a path that forgets to.
			OnGlyphNotFound: func(r rune) { panic(glyphPanic(r)) },
		})
	})
	return f.readyErr
}

// The fallback faces are read the first time a character is not in the
// embedded face, which ordinary Chinese text never causes: a service that
// prints no rare character keeps them off its heap. The files are mapped,
// not read, so only the pages of the tables parsed and of the glyphs
// printed are brought into memory: loading them and printing a rare name
// grows the heap by 4.5 MB and the resident set by 10 MB
// (TestFallbackLoadedLazily), against 52 MB of files, and takes about 10
// ms once.
var fallback = struct {
	sync.Mutex
	paths  []string
	loaded bool
	faces  []*face
}{paths: DefaultFallbackFonts}

// SetFallbackFonts replaces DefaultFallbackFonts (none for an empty list).
// It is meant for start-up, before the first document is made; documents
// being made meanwhile may fail.
func SetFallbackFonts(paths []string) {
	fallback.Lock()
	defer fallback.Unlock()
	fallback.paths = slices.Clone(paths)
	fallback.loaded, fallback.faces = false, nil
	glyphCache.Clear()
}

// FallbackFonts are the fallback faces configured.
func FallbackFonts() []string {
	fallback.Lock()
	defer fallback.Unlock()
	return slices.Clone(fallback.paths)
}

func fallbackFaces() []*face {
	fallback.Lock()
	defer fallback.Unlock()
	if fallback.loaded {
		return fallback.faces
	}
	fallback.loaded = true
	families := map[string]bool{fontFamily: true}
	for _, path := range fallback.paths {
		f, err := openFace(path)
		if err != nil {
			// A missing face only refuses its characters, as if it had
			// none; CheckFallbackFonts tells the service at start-up.
			continue
		}
		// The family is gopdf's name for the font and the PDF's /BaseFont.
		base := strings.Map(func(r rune) rune {
			if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return r
			}
			return -1
		}, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
		f.family = base
		for i := 2; f.family == "" || families[f.family]; i++ {
			f.family = fmt.Sprintf("%s-%d", base, i)
		}
		families[f.family] = true
		f.sparseHmtx = true
		fallback.faces = append(fallback.faces, f)
	}
	return fallback.faces
}

// fallbackLoaded reports whether the fallback faces were read.
func fallbackLoaded() bool {
	fallback.Lock()
	defer fallback.Unlock()
	return fallback.loaded
}

func openFace(path string) (*face, error) {
	data, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	f, err := readFace(data)
	if err == nil {
		err = f.readLookup()
	}
	if err != nil {
		unmapFile(data)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// CheckFallbackFonts says which configured fallback faces cannot be used,
// reading no more than their table directories, so that a service can say
// at start-up that rare characters will be refused (and why) without
// loading the faces.
func CheckFallbackFonts() error {
	var errs []error
	for _, path := range FallbackFonts() {
		if err := checkFaceFile(path); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkFaceFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	head := make([]byte, 12)
	if _, err := io.ReadFull(fh, head); err != nil || binary.BigEndian.Uint32(head) != 0x00010000 {
		return fmt.Errorf("%s: not a TrueType face", path)
	}
	dir := make([]byte, 16*int(binary.BigEndian.Uint16(head[4:])))
	if _, err := io.ReadFull(fh, dir); err != nil {
		return fmt.Errorf("%s: table directory: %w", path, err)
	}
	have := map[string]bool{}
	for i := 0; i < len(dir); i += 16 {
		have[string(dir[i:i+4])] = true
	}
	for _, tag := range []string{"head", "maxp", "loca", "glyf", "hhea", "hmtx", "cmap", "OS/2", "name", "post"} {
		if !have[tag] {
			return fmt.Errorf("%s: no %q table", path, tag)
		}
	}
	return nil
}

// glyph is where a character is drawn from: the face and its advance in
// mm per point of font size.
type glyph struct {
	face *face
	w    float64
}

// glyphCache holds, per character some face has, its glyph. Widths are
// properties of the faces, not of a document, so all documents share it.
// Characters no face has are not kept: any character can be typed, and
// looking one up again costs three binary searches.
var glyphCache sync.Map // rune → glyph

// lookup finds the face that draws r: the embedded one, else the first
// fallback that has it.
func lookup(r rune) (glyph, bool) {
	if g, ok := glyphCache.Load(r); ok {
		return g.(glyph), true
	}
	f, err := mainFace()
	if err != nil {
		return glyph{}, false
	}
	gi := f.glyphIndex(r)
	if gi == 0 {
		for _, fb := range fallbackFaces() {
			if gi = fb.glyphIndex(r); gi != 0 {
				f = fb
				break
			}
		}
	}
	if gi == 0 {
		return glyph{}, false
	}
	// As gopdf measures: thousandths of an em times the size in points
	// over 1000, in mm.
	g := glyph{face: f, w: float64(f.pdfWidth(gi)) / 1000 * ptMM}
	glyphCache.Store(r, g)
	return g, true
}

// Undrawable lists, once each in the order they first appear, the
// characters of s that no face can draw, so that text can be refused where
// it is typed instead of failing every document that would print it.
// Invisible characters do not count (the documents leave them out);
// private-use characters always do: they mean nothing outside the system
// that typed them, and the layout gives two of them a meaning of its own
// (Checked, Unchecked).
func Undrawable(s string) []rune {
	var out []rune
	for _, r := range s {
		if invisible(r) || slices.Contains(out, r) {
			continue
		}
		if _, ok := lookup(r); !ok || unicode.Is(unicode.Co, r) {
			out = append(out, r)
		}
	}
	return out
}

// MissingGlyphError lists the characters no face can draw (neither the
// embedded one, which covers U+4E00–U+9FC3 plus Latin, nor a fallback;
// fonts/README.md). The document is not produced: a name printed with a
// gap is a wrong document.
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

func (d *Doc) addMissing(r rune) {
	if !slices.Contains(d.missing, r) {
		d.missing = append(d.missing, r)
	}
}
