package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rareName has a character of each fallback face: 䶮 (U+4DAE, Extension A)
// and 𠮷 (U+20BB7, Extension B) from HanaMinA, 𫝀 (U+2B740, Extension D)
// from HanaMinB.
const rareName = "王䶮𠮷𫝀"

// needFallback skips a test when the fallback faces are not installed,
// except under make test, which installs fonts-hanazono.
func needFallback(t testing.TB) {
	t.Helper()
	if err := CheckFallbackFonts(); err != nil {
		if os.Getenv("OPCERT_TEST_REQUIRE_BROWSER") == "1" || os.Getenv("OPCERT_TEST_REQUIRE_PDFTOOLS") == "1" {
			t.Fatalf("fallback fonts missing (apt-get install fonts-hanazono): %v", err)
		}
		t.Skipf("fallback fonts missing (apt-get install fonts-hanazono): %v", err)
	}
}

// A name with rare characters prints on the 申请表, a notice and the
// certificate, each character from the face that has it, and the text
// read back from the PDF is the name.
func TestRareNamePrints(t *testing.T) {
	needFallback(t)
	f := sample()
	f.Name = rareName
	f.WorkHistory = "2010年7月至今 上海\U00020000起重设备安装有限公司（𪚥）流动式起重机司机"
	form, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "application-form-rare", form)
	c.has(t, "上海\U00020000起重设备安装有限公司（𪚥）")
	// One table row: the fallback characters sit on the line of the
	// others.
	if !regexp.MustCompile(`姓名\s+` + rareName + `\s+性别\s+男`).MatchString(c.text) {
		t.Errorf("first row is not 姓名 %s 性别 男:\n%s", rareName, c.text)
	}
	for _, font := range []string{"wqy-microhei", "HanaMinA", "HanaMinB"} {
		if !bytes.Contains(form, []byte("/BaseFont /"+font+"\n")) {
			t.Errorf("申请表 without the font %s", font)
		}
	}

	corr := sampleCorrection()
	corr.Name = rareName
	notice, err := CorrectionNotice(corr)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "correction-notice-rare", notice).has(t, rareName)

	cert := sampleCertificate(photoJPEG(t))
	cert.Name = rareName
	pdf, err := Certificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "certificate-rare", pdf).has(t, rareName, "310104198203140012")

	// A document without rare characters embeds the fallback faces not
	// at all.
	plain, err := ApplicationForm(sample())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain, []byte("HanaMin")) {
		t.Error("a 申请表 without rare characters carries a fallback face")
	}
}

// The fallback faces' outlines are in the PDF: a page of nothing but their
// characters, rendered with no system font, has ink. gopdf is given stubs
// without outlines, so a font program not put back prints nothing.
func TestFallbackGlyphsHaveInk(t *testing.T) {
	needFallback(t)
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		d.Paragraph(strings.Repeat("䶮𠮷𫝀𪚥\U00020000", 8), Style{Size: SizeTitle})
	}
	pdf, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "fallback-only", pdf)
	if n := inked(c.pages[0]); n < 20000 {
		t.Errorf("%d dark pixels on a page of 18 pt rare characters: their outlines are missing", n)
	}
	// The fallback faces' hmtx is written sparse: a PDF with a few rare
	// characters stays small.
	if len(pdf) > 60<<10 {
		t.Errorf("PDF of %d bytes", len(pdf))
	}
}

// Characters of the two kinds of face on one line are centred on the same
// line, as Chinese sets characters by their em boxes: the ink of a
// fallback character is centred where that of an embedded one is.
func TestFallbackAlignment(t *testing.T) {
	needFallback(t)
	pdfTools(t)
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const size = 72.0 // 1 em = 100 px at 100 dpi
	em := size * ptMM
	pairs := []string{"王䶮", "口\U00020000", "田䶮", "吉𠮷"}
	for i, s := range pairs {
		d.Text(d.Left(), d.m.Top+float64(i)*1.5*em, 4*em, 1.4*em, s, size, AlignLeft)
	}
	pdf, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	img := renderPage(t, pdf, 100)
	px := 100 / 25.4
	centre := func(row, col int) float64 {
		top, bottom := int((d.m.Top+float64(row)*1.5*em)*px), int((d.m.Top+float64(row)*1.5*em+1.4*em)*px)
		left, right := int((d.Left()+float64(col)*em)*px), int((d.Left()+float64(col+1)*em)*px)
		lo, hi := bottom, top
		for y := top; y < bottom; y++ {
			for x := left; x < right; x++ {
				if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128 {
					lo, hi = min(lo, y), max(hi, y)
				}
			}
		}
		if hi < lo {
			t.Fatalf("no ink for %q", []rune(pairs[row])[col])
		}
		return float64(lo+hi) / 2
	}
	var sum float64
	for i := range pairs {
		sum += centre(i, 1) - centre(i, 0)
	}
	// Glyphs differ in design (HanaMin's fill more of the em): 0.04 em
	// apart on average. On a common Latin baseline instead the fallback
	// characters sit 0.06 em higher.
	if mean := sum / float64(len(pairs)) / (em * px); mean < -0.05 || mean > 0.05 {
		t.Errorf("fallback characters are %.3f em off the line of the others", mean)
	}
}

func renderPage(t *testing.T, pdf []byte, dpi int) image.Image {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.pdf")
	os.WriteFile(path, pdf, 0o600)
	noFonts := filepath.Join(dir, "fonts.conf")
	os.WriteFile(noFonts, []byte(`<?xml version="1.0"?><fontconfig></fontconfig>`), 0o600)
	cmd := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-png", "-singlefile", path, filepath.Join(dir, "p"))
	cmd.Env = append(os.Environ(), "FONTCONFIG_FILE="+noFonts)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	fh, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// The same document is the same bytes, whether the characters were looked
// up before or not: what a document embeds and maps must not depend on
// the documents made before it.
func TestDeterministic(t *testing.T) {
	rare := sample()
	rare.Name = rareName
	forms := []ApplicationFormData{sample()}
	if CheckFallbackFonts() == nil {
		forms = append(forms, rare)
	}
	for _, f := range forms {
		glyphCache.Clear()
		cold, err := ApplicationForm(f)
		if err != nil {
			t.Fatal(err)
		}
		warm, err := ApplicationForm(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cold, warm) {
			t.Errorf("%s: the 申请表 made with the glyph cache empty differs from the next one", f.Name)
		}
	}
}

func TestUndrawable(t *testing.T) {
	needFallback(t)
	// ❤️ is U+2764 and an emoji variation selector, which prints nothing;
	// 😀 is in HanaMinA.
	s := "王䶮𠮷\u200b😀❤️\uE000\U00030000王䶮"
	want := []rune{0x2764, 0xE000, 0x30000}
	if got := Undrawable(s); !slices.Equal(got, want) {
		t.Errorf("Undrawable = %U, want %U", got, want)
	}
	if got := Undrawable("张喆堃，TSG Z6001—2019（✓）"); len(got) != 0 {
		t.Errorf("ordinary text undrawable: %U", got)
	}
	t.Cleanup(func() { SetFallbackFonts(DefaultFallbackFonts) })
	SetFallbackFonts(nil)
	want = []rune{0x4DAE, 0x20BB7, 0x1F600, 0x2764, 0xE000, 0x30000}
	if got := Undrawable(s); !slices.Equal(got, want) {
		t.Errorf("without fallback faces: Undrawable = %U, want %U", got, want)
	}
	if _, err := ApplicationForm(ApplicationFormData{Name: "王䶮"}); !errors.As(err, new(*MissingGlyphError)) {
		t.Errorf("without fallback faces a rare name printed: %v", err)
	}
}

// A process that prints only ordinary text never reads the fallback faces;
// one that prints a rare character maps them and its heap grows by far
// less than their 52 MB. Run in a process of its own, since other tests
// load them.
func TestFallbackLoadedLazily(t *testing.T) {
	if os.Getenv("OPCERT_DOCUMENT_LAZY_CHILD") == "1" {
		lazyChild(t)
		return
	}
	needFallback(t)
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFallbackLoadedLazily$", "-test.v")
	cmd.Env = append(os.Environ(), "OPCERT_DOCUMENT_LAZY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "MB") {
			t.Log(strings.TrimSpace(l))
		}
	}
}

func lazyChild(t *testing.T) {
	photo := photoJPEG(t)
	for _, make := range []func() ([]byte, error){
		func() ([]byte, error) { return ApplicationForm(sample()) },
		func() ([]byte, error) { return CorrectionNotice(sampleCorrection()) },
		func() ([]byte, error) { return Letter(sampleLetter()) },
		func() ([]byte, error) { return Certificate(sampleCertificate(photo)) },
	} {
		if _, err := make(); err != nil {
			t.Fatal(err)
		}
	}
	if u := Undrawable(sample().WorkHistory + sample().Household); len(u) != 0 {
		t.Fatalf("undrawable: %U", u)
	}
	if fallbackLoaded() {
		t.Fatal("the fallback faces were read for ordinary text")
	}
	heap, rss := memory()
	f := sample()
	f.Name = rareName
	if _, err := ApplicationForm(f); err != nil {
		t.Fatal(err)
	}
	if !fallbackLoaded() {
		t.Fatal("a rare name printed without the fallback faces")
	}
	heap2, rss2 := memory()
	t.Logf("fallback faces loaded: heap %+.1f MB, resident %+.1f MB", float64(heap2-heap)/(1<<20), float64(rss2-rss)/(1<<20))
	if heap2-heap > 24<<20 {
		t.Errorf("the heap grew by %.1f MB: are the faces read instead of mapped?", float64(heap2-heap)/(1<<20))
	}
}

// memory is the live heap after a collection and the resident set size
// (Linux; 0 elsewhere).
func memory() (heap, rss int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				rss = kb << 10
			}
		}
	}
	return int64(m.HeapAlloc), rss
}

// gopdf's ToUnicode map is rewritten with UTF-16 (surrogate pairs above
// U+FFFF), one character per glyph, in blocks of at most 100.
func TestToUnicode(t *testing.T) {
	var old strings.Builder
	old.WriteString("/CIDInit /ProcSet findresource begin\n1 begincodespacerange\n<0003><2001>\nendcodespacerange\n251 beginbfrange\n")
	for g := 250; g > 0; g-- {
		fmt.Fprintf(&old, "<%04X><%04X><%04X>\n", g, g, 0x4E00+g)
	}
	old.WriteString("<0001><0001><20BB7>\n") // glyph 1 again, for a second character
	old.WriteString("endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end\n")
	got, err := toUnicode([]byte(old.String()))
	if err != nil {
		t.Fatal(err)
	}
	m := string(got)
	for _, want := range []string{"<0000><FFFF>", "100 beginbfchar\n<0001><4E01>\n", "50 beginbfchar\n", "<00FA><4EFA>\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("map lacks %q:\n%s", want, m)
		}
	}
	if strings.Count(m, "beginbfchar") != 3 || strings.Contains(m, "bfrange") {
		t.Errorf("blocks wrong:\n%s", m)
	}
	one, err := toUnicode([]byte("beginbfrange\n<0007><0007><20BB7>\nendbfrange\n"))
	if err != nil || !strings.Contains(string(one), "<0007><D842DFB7>\n") {
		t.Errorf("U+20BB7 not as a surrogate pair: %v\n%s", err, one)
	}
	if _, err := toUnicode([]byte("beginbfrange\n<0007><0007><110000>\nendbfrange\n")); err == nil {
		t.Error("a character beyond U+10FFFF accepted")
	}
}
