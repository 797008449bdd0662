package document

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sample() ApplicationFormData {
	return ApplicationFormData{
		Title: "《特种设备作业人员资格复审申请表》", Number: "261122000001", Matter: "复审",
		Name: "张喆堃", Sex: "男", BirthDate: "1982-03-14", IDType: "居民身份证", IDNumber: "310104198203140012",
		Education: "高中", Title2: "未评定", School: "上海市第一中学", Major: "机械", Household: "上海市徐汇区漕溪北路1号",
		Postcode: "200030", Mobile: "13800000001", Employer: "上海徐汇起重设备安装有限公司", CreditCode: "91310104607000004X",
		Address: "上海市徐汇区漕溪北路88号 8楼", WorkHistory: "2010年至今 上海徐汇起重设备安装有限公司 流动式起重机司机",
		Items:      []FormItem{{From: "流动式起重机司机[Q8]", Period: "有效期至2027年01月22日", Code: "Q2(限流动式起重机)", Name: "起重机司机(限流动式起重机)"}},
		Commitment: "未发生过", Authority: "徐汇区市场监督管理局", QRURL: "http://localhost:8080/verify/a/abc", GeneratedOn: "2026年11月22日",
	}
}

func tools(t *testing.T) {
	t.Helper()
	for _, c := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(c); err != nil {
			if os.Getenv("OPCERT_TEST_REQUIRE_BROWSER") == "1" {
				t.Fatalf("%s missing (poppler-utils)", c)
			}
			t.Skipf("%s missing (poppler-utils)", c)
		}
	}
}

func TestApplicationFormText(t *testing.T) {
	tools(t)
	f := sample()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 70, 98))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	png.Encode(&b, img)
	f.Photo = b.Bytes()
	pdf, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "form.pdf")
	os.WriteFile(path, pdf, 0o600)
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"特种设备作业人员资格复审申请表", "张喆堃", "310104198203140012", "Q2(限流动式起重机)", "流动式起重机司机[Q8]",
		"上海徐汇起重设备安装有限公司", "徐汇区市场监督管理局", "持证期间是否发生过违章作业行为和责任事故", "未发生过", "261122000001", "申请人（签字）"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	pages := renderPNG(t, path, dir)
	if len(pages) != 1 {
		t.Fatalf("pages = %d, want 1", len(pages))
	}
}

// renderPNG rasterises the PDF and checks each page is A4-shaped and not
// blank.
func renderPNG(t *testing.T, pdfPath, dir string) []string {
	t.Helper()
	if out, err := exec.Command("pdftoppm", "-r", "50", "-png", pdfPath, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	for _, p := range pages {
		fh, _ := os.Open(p)
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		bnd := img.Bounds()
		if r := float64(bnd.Dy()) / float64(bnd.Dx()); r < 1.40 || r > 1.43 {
			t.Errorf("%s: ratio %.3f is not A4", p, r)
		}
		dark := 0
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				if c := color.GrayModel.Convert(img.At(x, y)).(color.Gray); c.Y < 128 {
					dark++
				}
			}
		}
		if dark < 2000 {
			t.Errorf("%s: only %d dark pixels: page is blank", p, dark)
		}
	}
	return pages
}

func TestLongItemTableBreaksPages(t *testing.T) {
	tools(t)
	f := sample()
	for i := range 40 {
		f.Items = append(f.Items, FormItem{From: "项目", Period: "有效期至2027年01月22日", Code: "G" + string(rune('0'+i%10)), Name: "工业锅炉司炉"})
	}
	pdf, err := ApplicationForm(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "long.pdf")
	os.WriteFile(path, pdf, 0o600)
	if pages := renderPNG(t, path, dir); len(pages) < 2 {
		t.Fatalf("pages = %d, want a page break", len(pages))
	}
	out, _ := exec.Command("pdftotext", path, "-").Output()
	if !strings.Contains(strings.ReplaceAll(string(out), " ", ""), "第2页") {
		t.Error("second page not numbered")
	}
}

func TestMissingGlyphFails(t *testing.T) {
	f := sample()
	f.Name = "张\U00020000" // CJK Ext-B, not in the font
	_, err := ApplicationForm(f)
	var mg *MissingGlyphError
	if !errors.As(err, &mg) || len(mg.Runes) != 1 || mg.Runes[0] != 0x20000 {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkApplicationForm(b *testing.B) {
	f := sample()
	for b.Loop() {
		pdf, err := ApplicationForm(f)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(pdf)))
	}
}

func TestCorrectionNotice(t *testing.T) {
	tools(t)
	pdf, err := CorrectionNotice(CorrectionNoticeData{Number: "BZ261122000001", IDNumber: "3101**********0012", Name: "张*",
		Items: "G3", Matter: "复审", Asks: []CorrectionAsk{{"身份证信息", "请上传身份证照片信息"}, {"学历", "学历与学历证明不一致"}},
		Deadline: "2026年12月02日", Authority: "徐汇区市场监督管理局", IssuedOn: "2026年11月22日", QRURL: "http://localhost/p/abc"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "n.pdf")
	os.WriteFile(path, pdf, 0o600)
	out, _ := exec.Command("pdftotext", path, "-").Output()
	text := strings.ReplaceAll(string(out), "\n", "")
	for _, want := range []string{"补正告知书", "BZ261122000001", "第十五条第（四）项", "请上传身份证照片信息", "2026年12月02日", "视为放弃行政许可申请", "徐汇区市场监督管理局"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	renderPNG(t, path, dir)
}

func TestLetterAndCertificate(t *testing.T) {
	tools(t)
	dir := t.TempDir()
	letter, err := Letter(LetterData{Title: "准予许可决定书", Number: "JD261122000001", To: "张伟",
		Body:      []string{"你于2026年11月22日提出的特种设备作业人员资格认定（复审）申请，经审查，符合《特种设备作业人员考核规则》（TSG Z6001—2019）的规定，决定准予许可。"},
		Authority: "徐汇区市场监督管理局", IssuedOn: "2026年12月10日", QRURL: "http://localhost/p/x"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := Certificate(CertificateData{Name: "张伟", Sex: "男", IDNumber: "310104198203140012", Number: "310104198203140012",
		Items:     []CertificateItem{{"Q2(限流动式起重机)", "起重机司机(限流动式起重机)", "2026年12月10日", "2031年01月22日"}},
		Authority: "徐汇区市场监督管理局", IssuedOn: "2026年12月10日", QRURL: "http://localhost/p/x"})
	if err != nil {
		t.Fatal(err)
	}
	for name, pdf := range map[string][]byte{"letter": letter, "cert": cert} {
		path := filepath.Join(dir, name+".pdf")
		os.WriteFile(path, pdf, 0o600)
		out, _ := exec.Command("pdftotext", path, "-").Output()
		text := strings.ReplaceAll(string(out), "\n", "")
		for _, want := range map[string][]string{"letter": {"准予许可决定书", "JD261122000001", "决定准予许可"}, "cert": {"特种设备安全管理和作业人员证", "Q2(限流动式起重机)", "2031年01月22日"}}[name] {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
		sub := filepath.Join(dir, name)
		os.Mkdir(sub, 0o700)
		renderPNG(t, path, sub)
	}
}
