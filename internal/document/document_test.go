package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Set OPCERT_DOCUMENT_OUT=/some/dir to keep the PDFs and 80 dpi PNGs of
// the tests for looking at them.
var keepDir = os.Getenv("OPCERT_DOCUMENT_OUT")

func sample() ApplicationFormData {
	return ApplicationFormData{
		Title: "《特种设备作业人员资格复审申请表》", Number: "261122000001", Matter: "复审",
		Name: "张喆堃", Sex: "男", BirthDate: "1982-03-14", IDType: "中华人民共和国居民身份证", IDNumber: "310104198203140012",
		Education: "高中", Title2: "助理工程师", School: "上海市第一中学", Major: "机械制造与自动化",
		Household: "上海市徐汇区漕溪北路1号（居住证地址：上海市闵行区莘庄镇莘松路958弄12号602室）",
		Postcode:  "200030", Mobile: "13800000001",
		Employer: "上海徐汇起重设备安装有限公司", CreditCode: "91310104607000004X", Address: "上海市徐汇区漕溪北路88号8楼",
		WorkHistory: "2010年7月至今 上海徐汇起重设备安装有限公司 流动式起重机司机；2006年7月至2010年6月 上海港务集团 起重工",
		Items: []FormItem{
			{From: "流动式起重机司机[Q8]", Period: "自 2022年01月23日 至 2026年01月22日", Code: "Q2", Name: "起重机司机（限流动式起重机）"},
			{From: "一级锅炉水质处理[G4]", Period: "自 2022年05月24日 至 2026年05月23日", Code: "G3", Name: "锅炉水处理"},
		},
		Commitment: "未发生过", Authority: "徐汇区市场监督管理局",
		QRURL: "https://opcert.example.gov.cn/p/6f1c2a9b3d", GeneratedOn: "2026年11月22日",
	}
}

func pdfTools(t testing.TB) {
	t.Helper()
	for _, c := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(c); err != nil {
			if os.Getenv("OPCERT_TEST_REQUIRE_BROWSER") == "1" || os.Getenv("OPCERT_TEST_REQUIRE_PDFTOOLS") == "1" {
				t.Fatalf("%s missing (install poppler-utils)", c)
			}
			t.Skipf("%s missing (install poppler-utils)", c)
		}
	}
}

// checked is one generated PDF with its text and page images.
type checked struct {
	path  string
	text  string // pdftotext -layout
	flat  string // text without whitespace, for phrases wrapped across lines
	pages []image.Image
}

// check writes the PDF, extracts its text and rasterises every page at
// 50 dpi, failing unless each page decodes, is A4-shaped and has ink.
func check(t *testing.T, name string, pdf []byte) checked {
	t.Helper()
	pdfTools(t)
	dir := t.TempDir()
	c := checked{path: filepath.Join(dir, name+".pdf")}
	if err := os.WriteFile(c.path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", c.path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	c.text = string(out)
	c.flat = regexp.MustCompile(`\s+`).ReplaceAllString(c.text, "")
	// Rendered without any system font: poppler would otherwise draw text
	// with the installed wqy-microhei when the embedded font program is
	// unusable, and the page would look right.
	noFonts := filepath.Join(dir, "fonts.conf")
	os.WriteFile(noFonts, []byte(`<?xml version="1.0"?><fontconfig></fontconfig>`), 0o600)
	render := exec.Command("pdftoppm", "-r", "50", "-png", c.path, filepath.Join(dir, "page"))
	render.Env = append(os.Environ(), "FONTCONFIG_FILE="+noFonts)
	out, err = render.CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	if bytes.Contains(out, []byte("font")) {
		t.Errorf("pdftoppm cannot use the embedded font: %s", out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	for _, p := range files {
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		b := img.Bounds()
		// A4 is 1:√2 (1.414); rounding to whole pixels at 50 dpi moves it a little.
		if r := float64(b.Dy()) / float64(b.Dx()); r < 1.40 || r > 1.43 {
			t.Errorf("%s: %dx%d is not A4 (ratio %.3f)", filepath.Base(p), b.Dx(), b.Dy(), r)
		}
		if n := inked(img); n < 3000 {
			t.Errorf("%s: only %d non-white pixels: the page is (nearly) blank", filepath.Base(p), n)
		}
		c.pages = append(c.pages, img)
	}
	if len(c.pages) == 0 {
		t.Fatal("pdftoppm produced no pages")
	}
	if keepDir != "" {
		os.MkdirAll(keepDir, 0o755)
		os.WriteFile(filepath.Join(keepDir, name+".pdf"), pdf, 0o644)
		exec.Command("pdftoppm", "-r", "80", "-png", c.path, filepath.Join(keepDir, name)).Run()
	}
	return c
}

func inked(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 200 {
				n++
			}
		}
	}
	return n
}

func (c checked) has(t *testing.T, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(c.flat, strings.Join(strings.Fields(w), "")) {
			t.Errorf("%s: text lacks %q\n%s", filepath.Base(c.path), w, c.text)
		}
	}
}

func photoJPEG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 295, 413)) // 2-inch at 300 dpi
	for y := range 413 {
		for x := range 295 {
			c := color.RGBA{250, 250, 250, 255}
			if (x-147)*(x-147)+(y-170)*(y-170) < 90*90 || (y > 300 && x > 40 && x < 255) {
				c = color.RGBA{60, 90, 140, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestApplicationForm(t *testing.T) {
	f := sample()
	f.Photo = photoJPEG(t)
	pdf, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "application-form", pdf)
	if len(c.pages) != 1 {
		t.Errorf("pages = %d, want 1", len(c.pages))
	}
	c.has(t, "特种设备作业人员资格复审申请表", "张喆堃", "310104198203140012", "91310104607000004X",
		"流动式起重机司机[Q8]", "Q2", "起重机司机（限流动式起重", "G3", "锅炉水处理",
		"上海徐汇起重设备安装有限公司", "徐汇区市场监督管理局", "持证期间是否发生过违章作业行为和责任事故",
		"✓未发生过", "✓复审", "261122000001", "申请人（签字）：", "本人承诺所填写的信息和提交的材料真实、有效",
		"扫码查看办理进度", "第 1 页 共 1 页", "2026年11月22日")
	// pdftotext keeps a table row on one line in -layout mode: 张喆堃 and
	// 性别 on the same line means the grid did not drift.
	if !regexp.MustCompile(`姓名\s+张喆堃\s+性别\s+男`).MatchString(c.text) {
		t.Errorf("first row is not 姓名 张喆堃 性别 男:\n%s", c.text)
	}
}

func TestApplicationFormNewNoPhoto(t *testing.T) {
	f := sample()
	f.Title = "《特种设备安全管理和作业人员资格申请表》"
	f.Matter, f.Number, f.Commitment, f.QRURL = "新办", "", "", ""
	f.Items = []FormItem{{Code: "A", Name: "特种设备安全管理"}}
	pdf, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "application-form-new", pdf)
	c.has(t, "特种设备安全管理和作业人员资格申请表", "照片", "✓新办", "（提交后生成）", "特种设备安全管理")
	for _, absent := range []string{"（原）项目名称", "持证期间", "扫码"} {
		if strings.Contains(c.flat, absent) {
			t.Errorf("新办 form shows %q", absent)
		}
	}
}

// A long item list breaks the table across pages, repeats its header and
// numbers the pages "第 i 页 共 n 页".
func TestLongItemTableBreaksPages(t *testing.T) {
	f := sample()
	f.Items = nil
	for i := range 45 {
		f.Items = append(f.Items, FormItem{From: fmt.Sprintf("旧项目%02d[X%d]", i+1, i+1), Period: "自 2022年01月23日 至 2026年01月22日",
			Code: fmt.Sprintf("Z%d", i+1), Name: "长长的项目名称用来测试单元格内文字换行以及行高随内容增长"})
	}
	pdf, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "application-form-long", pdf)
	n := len(c.pages)
	if n < 2 {
		t.Fatalf("pages = %d, want the table to break", n)
	}
	for i := 1; i <= n; i++ {
		c.has(t, fmt.Sprintf("第 %d 页 共 %d 页", i, n))
	}
	c.has(t, "Z1", "Z45", "申请人（签字）：")
	// pdftotext ends each page with a form feed. Every page that carries
	// item rows starts them under the header.
	row := regexp.MustCompile(`\bZ\d+\b`)
	for i, page := range strings.Split(strings.TrimRight(c.text, "\f"), "\f") {
		if loc := row.FindStringIndex(page); loc != nil {
			if h := strings.Index(page, "申请项目代号"); h < 0 || h > loc[0] {
				t.Errorf("page %d: item rows without the header above them", i+1)
			}
		}
	}
}

func sampleCorrection() CorrectionNoticeData {
	return CorrectionNoticeData{Number: "BZ261122000001", IDNumber: "310104********0012", Name: "张*堃",
		Items: "G3", Matter: "复审", Asks: []CorrectionAsk{
			{"身份证信息", "请上传身份证照片信息"},
			{"学历证明", "上传的毕业证书照片模糊，无法辨认姓名和证书编号，请重新拍摄清晰完整的照片后上传"},
			{"2寸照片", "照片背景应为白色"},
		},
		Deadline: "2026年12月02日", Authority: "上海市徐汇区市场监督管理局", IssuedOn: "2026年11月22日", QRURL: "https://opcert.example.gov.cn/p/abc"}
}

func sampleLetter() LetterData {
	return LetterData{Title: "准予许可决定书", Number: "JD261122000001", To: "张喆堃",
		Body: []string{"你于2026年11月22日提出的特种设备安全管理和作业人员资格认定（复审）申请（申请号 261122000001，申请项目：Q2、G3），经审查，符合《特种设备作业人员考核规则》（TSG Z6001—2019）规定的条件，决定准予许可。",
			"请按通知领取《特种设备安全管理和作业人员证》。"},
		Authority: "上海市徐汇区市场监督管理局", IssuedOn: "2026年12月10日", QRURL: "https://opcert.example.gov.cn/p/x"}
}

func sampleCertificate(photo []byte) CertificateData {
	return CertificateData{Name: "张喆堃", Sex: "男", IDNumber: "310104198203140012", Number: "310104198203140012",
		ArchiveNo: "TS6031010420260001", Employer: "上海徐汇起重设备安装有限公司", Photo: photo,
		Items: []CertificateItem{
			{Code: "Q2", Name: "起重机司机（限流动式起重机）", Approved: "2026年12月10日", Until: "2031年01月22日"},
			{Code: "G3", Name: "锅炉水处理", Approved: "2026年12月10日", Until: "2030年05月23日"},
			{Code: "N1", Name: "叉车司机", Original: "原项目：N2 叉车司机", Approved: "2019年05月20日", Until: "2029年11月01日"},
			{Name: "", Original: "原项目：G2 二级锅炉司炉", Approved: "2019年05月20日", Until: "2027年01月01日"},
		},
		Authority: "上海市徐汇区市场监督管理局", IssuedOn: "2026年12月10日", QRURL: "https://opcert.example.gov.cn/c/x"}
}

func TestCorrectionNotice(t *testing.T) {
	pdf, err := CorrectionNotice(sampleCorrection())
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "correction-notice", pdf)
	c.has(t, "特种设备作业人员考核许可申请材料补正告知书", "编号：BZ261122000001", "证件号码：310104********0012",
		"您提出的G3特种设备作业人员（含安全管理人员）考核 复审申请，所提供（出示）的材料不齐全（不符合法定形式）",
		"根据《市场监督管理行政许可程序暂行规定》第十五条第（四）项请作如下补正：",
		"1．身份证信息：请上传身份证照片信息", "3．2寸照片：照片背景应为白色", "2026年12月02日",
		"申请人无正当理由逾期不予补正的，视为放弃行政许可申请。", "上海市徐汇区市场监督管理局", "扫码查看办理进度")
	if len(c.pages) != 1 {
		t.Errorf("pages = %d, want 1", len(c.pages))
	}
}

func TestLetterAndCertificate(t *testing.T) {
	letter, err := Letter(sampleLetter())
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "decision", letter)
	c.has(t, "准予许可决定书", "编号：JD261122000001", "张喆堃：", "TSG Z6001—2019", "决定准予许可", "2026年12月10日")

	cert, err := Certificate(sampleCertificate(photoJPEG(t)))
	if err != nil {
		t.Fatal(err)
	}
	c = check(t, "certificate", cert)
	c.has(t, "中华人民共和国特种设备安全管理和作业人员证", "张喆堃", "310104198203140012", "TS6031010420260001",
		"起重机司机（限流动式起重机）", "2031年01月22日", "扫码核验证书", "叉车司机（原项目：N2 叉车司", "原项目：G2 二级锅炉司炉（复审时")
}

func TestAdmissionTicket(t *testing.T) {
	pdf, err := AdmissionTicket(AdmissionTicketData{Number: "ZK261122000001", Name: "张喆堃", IDNumber: "3101**********0012", Items: "P 气瓶充装",
		Application: "261122000001", Institution: "上海市特种设备作业人员考试中心", Photo: photoJPEG(t),
		Sittings: []Sitting{
			{Subject: "理论知识考试", When: "2026年12月05日 09:00–11:00", Venue: "上海市普陀区真北路1号 第一考场", Seat: "12"},
			{Subject: "实际操作技能考试", When: "2026年12月06日 13:00–15:00", Venue: "上海市普陀区真北路1号 实操场地", Seat: "3"},
		},
		Notes:    []string{"请携带本准考证和居民身份证原件，于考试开始前30分钟到达考场。"},
		IssuedOn: "2026年11月23日", QRURL: "https://opcert.example.gov.cn/p/abc"})
	if err != nil {
		t.Fatal(err)
	}
	c := check(t, "admission-ticket", pdf)
	c.has(t, "特种设备安全管理和作业人员考试准考证", "准考证号：ZK261122000001", "张喆堃", "3101**********0012", "P 气瓶充装",
		"理论知识考试", "2026年12月05日 09:00–11:00", "上海市普陀区真北路1号", "实际操作技能考试", "2026年12月06日 13:00–15:00", "考生须知", "上海市特种设备作业人员考试中心", "扫码查看办理进度")
	if len(c.pages) != 1 {
		t.Errorf("pages = %d, want 1", len(c.pages))
	}
}

// The QR code must decode back to the URL; zbarimg (zbar-tools) is optional.
func TestQRCodeDecodes(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg missing (zbar-tools)")
	}
	pdfTools(t)
	f := sample()
	pdf, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f.pdf")
	os.WriteFile(path, pdf, 0o600)
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", path, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "p.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != f.QRURL {
		t.Errorf("QR code reads %q, want %q", got, f.QRURL)
	}
}

// A character no face has (neither the embedded one nor a fallback) fails
// the document and names the character; it is never dropped or printed as
// a space. 𰀀 (U+30000, Extension G) and 䶿 (U+4DBF, added to Extension A
// in Unicode 13) are newer than HanaMin.
func TestMissingGlyph(t *testing.T) {
	f := sample()
	f.Name = "张\U00030000堃"
	f.Employer = "上海\u4DBF公司"
	_, err := ApplicationForm(f)
	var mg *MissingGlyphError
	if !errors.As(err, &mg) {
		t.Fatalf("err = %v, want MissingGlyphError", err)
	}
	if len(mg.Runes) != 2 || mg.Runes[0] != 0x30000 || mg.Runes[1] != 0x4DBF {
		t.Errorf("runes = %U", mg.Runes)
	}
	if !strings.Contains(err.Error(), "U+30000") {
		t.Errorf("message %q does not name the character", err)
	}
	// The shared width cache must not let the next document through.
	if _, err := ApplicationForm(f); !errors.As(err, &mg) {
		t.Fatalf("second try: err = %v", err)
	}
	// And a document without the character is unaffected.
	if _, err := ApplicationForm(sample()); err != nil {
		t.Fatal(err)
	}
}

// The gopdf hook itself: text that reaches gopdf without Doc's own check
// still comes back as a MissingGlyphError, not a silent space.
func TestGlyphHookBackstop(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.guard(func() error { return d.pdf.Text("张\U00020000") })
	_, err = d.Bytes()
	var mg *MissingGlyphError
	if !errors.As(err, &mg) || len(mg.Runes) != 1 || mg.Runes[0] != 0x20000 {
		t.Fatalf("err = %v", err)
	}
}

// One parsed font serves many goroutines (run with -race), and so do the
// fallback faces, loaded by whichever needs them first.
func TestConcurrentDocuments(t *testing.T) {
	names := []string{"张喆堃", "李娜", "王小明", "欧阳靖"}
	if CheckFallbackFonts() == nil {
		SetFallbackFonts(DefaultFallbackFonts) // not loaded yet
		names[1] = rareName
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Go(func() {
			f := sample()
			f.Number = fmt.Sprintf("2611220000%02d", i)
			f.Name = names[i%4]
			for range 2 {
				pdf, err := ApplicationForm(f)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
					errs <- fmt.Errorf("not a PDF")
				}
			}
			if _, err := CorrectionNotice(CorrectionNoticeData{Number: "BZ1", Items: "G3", Matter: "复审", Authority: "徐汇区市场监督管理局"}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestWrap(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	em := SizeBody * ptMM
	cases := []struct {
		text  string
		width float64 // in em
		want  []string
	}{
		// Chinese breaks anywhere.
		{"特种设备作业人员", 3, []string{"特种设", "备作业", "人员"}},
		// A closing mark never starts a line: the character before it moves down.
		{"申请人签字，日期", 5, []string{"申请人签", "字，日期"}},
		{"补正材料。）请", 4, []string{"补正材", "料。）请"}},
		// An opening mark never ends a line.
		{"作业人员（含安全管理人员）", 5, []string{"作业人员", "（含安全管", "理人员）"}},
		// ID numbers and codes stay whole.
		{"证件号码310104198203140012", 12, []string{"证件号码", "310104198203140012"}},
		// Spaces break Latin words and vanish at the break.
		{"一\n二", 5, []string{"一", "二"}},
		{"", 5, []string{""}},
	}
	for _, c := range cases {
		got := d.Wrap(c.text, c.width*em+0.01, SizeBody)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Wrap(%q, %.0f em) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
	// Spaces break Latin words and vanish at the break.
	if got := d.Wrap("TSG Z6001 rules", d.TextWidth("Z6001 ", SizeBody), SizeBody); strings.Join(got, "|") != "TSG|Z6001|rules" {
		t.Errorf("Wrap(TSG Z6001 rules) = %q", got)
	}
	// Invisible characters from pasted input vanish instead of failing.
	if got := d.Wrap("张\u200b三\x00\uFEFF", 50, SizeBody); len(got) != 1 || got[0] != "张三" {
		t.Errorf("invisible characters kept: %q", got)
	}
	if len(d.missing) != 0 {
		t.Errorf("invisible characters reported missing: %U", d.missing)
	}
	// A Latin run longer than the line still breaks rather than overflow.
	for _, l := range d.Wrap(strings.Repeat("0123456789", 20), 30, SizeBody) {
		if w := d.TextWidth(l, SizeBody); w > 30.01 {
			t.Errorf("line %q is %.1f mm wide in a 30 mm column", l, w)
		}
	}
}

// BenchmarkDocuments makes each kind of document over and over: the time
// (wall and CPU, GC included) and the size of one PDF.
//
//	go test ./internal/document -run '^$' -bench Documents
func BenchmarkDocuments(b *testing.B) {
	photo := photoJPEG(b)
	form := sample()
	form.Photo = photo
	rare := form
	rare.Name = rareName
	kinds := []struct {
		name string
		make func() ([]byte, error)
	}{
		{"application-form", func() ([]byte, error) { return ApplicationForm(form) }},
		{"correction-notice", func() ([]byte, error) { return CorrectionNotice(sampleCorrection()) }},
		{"decision-letter", func() ([]byte, error) { return Letter(sampleLetter()) }},
		{"certificate", func() ([]byte, error) { return Certificate(sampleCertificate(photo)) }},
		// A 生僻字 name: the fallback faces' path.
		{"application-form-rare-name", func() ([]byte, error) { return ApplicationForm(rare) }},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			if strings.Contains(k.name, "rare") {
				needFallback(b)
			}
			var size int
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				pdf, err := k.make()
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			cpu = cpuTime() - cpu
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/PDF")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/1e6/float64(b.N), "cpu-ms/PDF")
			}
			b.ReportMetric(float64(size), "bytes/PDF")
		})
	}
}
