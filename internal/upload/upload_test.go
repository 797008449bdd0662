package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gabriel-vasile/mimetype"
)

const material = "学历证明"

func TestCheckAccepts(t *testing.T) {
	png := photo(40, 56, white)
	cases := []struct {
		name string
		data []byte
		kind Kind
		out  string
	}{
		{"学历证明.pdf", minimalPDF, PDF, "学历证明.pdf"},
		{"扫描件.PDF", minimalPDF, PDF, "扫描件.pdf"},
		{"申请表.docx", minimalDocx(), DOCX, "申请表.docx"},
		{"申请表.docx", lateDocx(), DOCX, "申请表.docx"},
		{"申请表.doc", cfbFile([]string{"WordDocument", "1Table", "\x05SummaryInformation"}, "", nil, 8), DOC, "申请表.doc"},
		{"申请表.doc", cfbFile([]string{"WordDocument", "0Table"}, "ObjectPool", []string{"Workbook"}, 0), DOC, "申请表.doc"},
		{"身份证.png", png, PNG, "身份证.png"},
		{"身份证.jpg", jpegOf(portrait(40, 56, white, 0.1)), JPG, "身份证.jpg"},
		{"身份证.JPEG", jpegOf(portrait(40, 56, white, 0.1)), JPG, "身份证.jpg"},
		{"下载.jfif", jpegOf(portrait(40, 56, white, 0.1)), JPG, "下载.jpg"},
		{"IMG_0001", minimalPDF, PDF, "IMG_0001.pdf"}, // no extension: the content decides
	}
	for _, c := range cases {
		f, err := CheckBytes(material, c.name, c.data)
		if err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
			continue
		}
		sum := sha256.Sum256(c.data)
		if f.Kind != c.kind || f.ContentType != c.kind.ContentType() || f.Size != int64(len(c.data)) || f.Name != c.out || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: %+v", c.name, f)
		}
	}
}

// Every refusal names the material and the problem, and says what to do.
func TestCheckRefuses(t *testing.T) {
	cases := []struct {
		about, name string
		data        []byte
		code        string
		says        []string
	}{
		{"empty", "学历.pdf", nil, "empty", []string{"空的"}},
		{"PNG named .pdf", "学历.pdf", photo(40, 56, white), "disguised", []string{"文件名为 .pdf", "内容是 PNG 图片", "后缀改为 .png"}},
		{"PDF named .png", "照片.png", minimalPDF, "disguised", []string{"文件名为 .png", "PDF 文档"}},
		{"PDF named .exe", "学历.exe", minimalPDF, "disguised", []string{".exe", "PDF 文档"}},
		{"exe named .pdf", "学历.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00program"), "disguised", []string{"文件名为 .pdf", "内容不是可接受的文件", "可执行程序", accepted}},
		{"exe", "setup.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00program"), "type", []string{"文件类型不支持", accepted, "可执行程序"}},
		{"zip named .docx", "学历.docx", zipOf(zipEntry{"a.txt", "hello"}), "disguised", []string{"文件名为 .docx", "压缩包", "解压"}},
		{"zip with a word folder", "学历.docx", zipOf(zipEntry{"word/document.xml", wordXML}), "disguised", []string{"压缩包"}},
		{"xlsx named .docx", "学历.docx", xlsxFile(), "disguised", []string{"Excel 表格（xlsx）", "pdf"}},
		{"xlsx", "成绩.xlsx", xlsxFile(), "type", []string{"文件类型不支持", "Excel 表格（xlsx）"}},
		{"docm named .docx", "学历.docx", docmFile(), "disguised", []string{"启用宏"}},
		{"xls named .doc", "学历.doc", cfbFile([]string{"Workbook", "\x05SummaryInformation"}, "", nil, 8), "disguised", []string{"文件名为 .doc", "Excel 表格（xls）"}},
		{"xls holding a Word object", "学历.doc", cfbFile([]string{"Workbook"}, "MBD0001", []string{"WordDocument"}, 0), "disguised", []string{"Excel 表格（xls）"}},
		{"ppt named .doc", "学历.doc", cfbFile([]string{"PowerPoint Document", "Current User"}, "", nil, 0), "disguised", []string{"PowerPoint"}},
		{"encrypted docx", "学历.docx", cfbFile([]string{"EncryptionInfo", "EncryptedPackage"}, "", nil, 0), "disguised", []string{"密码"}},
		{"broken OLE", "学历.doc", append(append([]byte{}, cfbMagic...), make([]byte, 600)...), "damaged", []string{"损坏", "Office 文档"}},
		{"truncated docx", "学历.docx", minimalDocx()[:300], "damaged", []string{"损坏", "Word 文档（docx）"}},
		{"docx cut short", "学历.docx", minimalDocx()[:len(minimalDocx())-40], "damaged", []string{"损坏", "Word 文档（docx）"}},
		{"PNG signature, garbage after", "学历.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDRgarbage"), "damaged", []string{"损坏", "PNG 图片"}},
		{"HEIC named .jpg", "IMG_0001.jpg", heic, "disguised", []string{"HEIC", "兼容性最佳"}},
		{"GIF", "动图.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "type", []string{"GIF 图片", "jpg 或 png"}},
		{"RTF named .doc", "申请表.doc", []byte(`{\rtf1\ansi\deff0 {\fonttbl {\f0 宋体;}} 申请表}`), "disguised", []string{"RTF 文档", "另存为"}},
		{"HTML named .doc", "申请表.doc", []byte("<html><head><meta charset=utf-8></head><body>申请表</body></html>"), "disguised", []string{"网页文件"}},
		{"text", "说明.txt", []byte("这是一个文本文件\n"), "type", []string{"纯文本"}},
		{"OFD", "电子证照.ofd", zipOf(zipEntry{"OFD.xml", "<ofd:OFD/>"}), "type", []string{"OFD 版式文档"}},
	}
	for _, c := range cases {
		_, err := CheckBytes(material, c.name, c.data)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: err = %v, want a refusal", c.about, err)
			continue
		}
		if e.Code != c.code || !strings.Contains(e.Message, "「"+material+"」") {
			t.Errorf("%s: %s %q, want code %s naming 「%s」", c.about, e.Code, e.Message, c.code, material)
		}
		for _, s := range c.says {
			if !strings.Contains(e.Message, s) {
				t.Errorf("%s: %q does not say %q", c.about, e.Message, s)
			}
		}
	}
}

// sized is a PDF padded with spaces to n bytes.
func sized(n int) []byte {
	b := bytes.Repeat([]byte{' '}, n)
	copy(b, minimalPDF)
	return b
}

func TestSizeLimit(t *testing.T) {
	if _, err := Check("体检报告", "体检.pdf", bytes.NewReader(sized(MaxSize)), MaxSize); err != nil {
		t.Errorf("exactly 10 MiB refused: %v", err)
	}
	cases := []struct {
		about    string
		data     []byte
		declared int64
		says     string
	}{
		{"one byte over, size known", sized(MaxSize + 1), MaxSize + 1, "（实际 10.0MB，超出 1 字节）"},
		{"one byte over, size unknown", sized(MaxSize + 1), -1, "文件大小超过10MB，请压缩"},
		{"15 MB announced", nil, 16_000_000, "（实际 15.3MB）"},
	}
	for _, c := range cases {
		_, err := Check("体检报告", "体检.pdf", bytes.NewReader(c.data), c.declared)
		var e *Error
		if !errors.As(err, &e) || e.Code != "too_large" || !strings.Contains(e.Message, "「体检报告」") || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %v, want too_large saying %q", c.about, err, c.says)
		}
	}
	if _, err := CheckBytes("体检报告", "体检.pdf", sized(MaxSize+1)); err == nil || !strings.Contains(err.Error(), "超出 1 字节") {
		t.Errorf("CheckBytes one byte over: %v", err)
	}
}

// countingReader is an endless upload that counts what was taken from it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	copy(p, "%PDF-1.4 ")
	c.n += int64(len(p))
	return len(p), nil
}

func TestReadsNoMoreThanTheLimit(t *testing.T) {
	r := &countingReader{}
	if _, err := Check(material, "a.pdf", r, -1); err == nil {
		t.Fatal("endless upload accepted")
	}
	if r.n > MaxSize+1+32<<10 { // LimitReader stops at MaxSize+1; one copy buffer of slack
		t.Errorf("read %d bytes", r.n)
	}
	r = &countingReader{}
	Check(material, "a.pdf", r, MaxSize+1)
	if r.n != 0 {
		t.Errorf("announced too large, still read %d bytes", r.n)
	}
}

func TestReceiveKeepsTheContent(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	leftovers := func() int {
		e, _ := os.ReadDir(tmp)
		return len(e)
	}
	for _, data := range [][]byte{minimalPDF, sized(3 << 20)} { // in memory, then spilled to disk
		f, c, err := Receive(material, "a.pdf", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > memoryLimit && leftovers() != 1 {
			t.Errorf("%d bytes: %d temporary files", len(data), leftovers())
		}
		for range 2 { // each Reader starts again
			got, _ := io.ReadAll(c.Reader())
			if !bytes.Equal(got, data) || c.Size() != f.Size {
				t.Fatalf("%d bytes: read back %d", len(data), len(got))
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Refused uploads, large or not, leave nothing behind either.
	for _, data := range [][]byte{sized(MaxSize + 1), append(photo(40, 56, white), make([]byte, 2<<20)...)} {
		if _, c, err := Receive(material, "a.pdf", bytes.NewReader(data), -1); err == nil || c != nil {
			t.Errorf("refusal returned content %v, %v", c, err)
		}
	}
	if n := leftovers(); n != 0 {
		t.Errorf("%d temporary files left", n)
	}
}

// Spool reads a form's part to its end once: Accept checks what it read
// with the same result as Receive, and a file past the limit is counted, not
// kept, so that the refusal says its size.
func TestSpoolThenAccept(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, data := range [][]byte{minimalPDF, sized(3 << 20)} {
		r := bytes.NewReader(data)
		c, err := Spool(r, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Accept(material, "学历.pdf", c)
		sum := sha256.Sum256(data)
		if err != nil || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(data)) || r.Len() != 0 {
			t.Fatalf("%d bytes: %+v %v, %d left unread", len(data), f, err, r.Len())
		}
		if got, _ := io.ReadAll(c.Reader()); !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: read back %d", len(data), len(got))
		}
		c.Close()
	}
	for _, c := range []struct {
		size int
		want string
	}{
		{MaxSize + 1, "10.0MB，超出 1 字节"},
		{MaxSize + 3<<20, "实际 13.0MB"},
	} {
		r := bytes.NewReader(sized(c.size))
		content, err := Spool(r, -1)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Accept(material, "学历.pdf", content)
		var e *Error
		if !errors.As(err, &e) || e.Code != "too_large" || !strings.Contains(e.Message, c.want) || r.Len() != 0 {
			t.Errorf("%d bytes: %v, want a refusal saying %q with the part read to its end (%d left)", c.size, err, c.want, r.Len())
		}
		content.Close()
	}
	if e, _ := os.ReadDir(tmp); len(e) != 0 {
		t.Errorf("%d temporary files left", len(e))
	}
}

func TestReadErrorIsNotARefusal(t *testing.T) {
	_, err := Check(material, "a.pdf", io.MultiReader(bytes.NewReader(minimalPDF), errReader{}), -1)
	var e *Error
	if err == nil || errors.As(err, &e) {
		t.Errorf("a broken connection: %v, want a plain error", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// What mimetype says about these files, recorded because it decided the
// design: it reads 3 KB, and a real .doc or .docx often keeps its tell
// further in, so the package opens those files itself.
func TestWhatMimetypeSees(t *testing.T) {
	for _, c := range []struct {
		data []byte
		want string
	}{
		{cfbFile([]string{"WordDocument"}, "", nil, 8), "application/x-ole-storage"},
		{cfbFile([]string{"Workbook"}, "", nil, 8), "application/x-ole-storage"},
		{lateDocx(), "application/zip"},
		{zipOf(zipEntry{"[Content_Types].xml", "<Types/>"}, zipEntry{"word/", ""}), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	} {
		if got := mimetype.Detect(c.data).String(); got != c.want {
			t.Errorf("mimetype says %s, recorded %s: revisit inspectZip/inspectOLE", got, c.want)
		}
	}
	// The directory's names, whatever mimetype said.
	names, err := oleRootNames(bytes.NewReader(cfbFile([]string{"WordDocument", "1Table"}, "ObjectPool", []string{"Workbook"}, 8)), int64(len(cfbFile([]string{"WordDocument", "1Table"}, "ObjectPool", []string{"Workbook"}, 8))))
	if err != nil || strings.Join(names, ",") != "ObjectPool,WordDocument,1Table" {
		t.Errorf("root names %q, %v", names, err)
	}
}

func TestSafeName(t *testing.T) {
	long := strings.Repeat("长", 100)
	for in, want := range map[string]string{
		`C:\Users\张三\Desktop\学历证明.PDF`: "学历证明.pdf",
		"../../etc/passwd.pdf":         "passwd.pdf",
		"a\x00b\nc\td.pdf":             "abcd.pdf",
		"photo\u202egpj.exe":           "photogpj.pdf", // the right-to-left override is gone
		"  学历   证明 .pdf":               "学历 证明.pdf",
		"...hidden.pdf":                "hidden.pdf",
		".pdf":                         "文件.pdf",
		"":                             "文件.pdf",
		"报告:2024?*.pdf":                "报告2024.pdf",
		"CON.pdf":                      "_CON.pdf",
		"学历.证明":                        "学历.证明.pdf",
		"bad\xff\xfeutf8.pdf":          "badutf8.pdf",
		long + ".pdf":                  strings.Repeat("长", 80) + ".pdf",
	} {
		if got := SafeName(in, PDF); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzOLE(f *testing.F) {
	f.Add(cfbFile([]string{"WordDocument"}, "S", []string{"x"}, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		oleRootNames(bytes.NewReader(b), int64(len(b)))
	})
}

func FuzzCheck(f *testing.F) {
	for _, b := range [][]byte{minimalPDF, minimalDocx(), xlsxFile(), cfbFile([]string{"WordDocument"}, "", nil, 0), photo(8, 10, white), heic} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := CheckBytes(material, "a.docx", b); err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Message, material) {
				t.Fatalf("%v", err)
			}
		}
		CheckPhoto(bytes.NewReader(b))
	})
}
