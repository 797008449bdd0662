package upload

import (
	"archive/zip"
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func docx(t *testing.T, inner string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("[Content_Types].xml")
	w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`))
	w, _ = z.Create(inner)
	w.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`))
	z.Close()
	return b.Bytes()
}

func picture(w, h int, bg color.RGBA, gray bool) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := bg
			dx, dy := float64(x-w/2)/float64(w/4), float64(y-h/2)/float64(h/4)
			if dx*dx+dy*dy < 1 {
				c = color.RGBA{200, 150, 120, 255}
				if gray {
					c = color.RGBA{150, 150, 150, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

var white = color.RGBA{255, 255, 255, 255}

func TestCheck(t *testing.T) {
	cases := []struct {
		name     string
		data     []byte
		code     string
		contains string
	}{
		{"学历.pdf", pdf, "", ""},
		{"学历.PDF", pdf, "", ""},
		{"学历.docx", docx(t, "word/document.xml"), "", ""},
		{"学历.png", picture(10, 10, white, false), "", ""},
		{"学历.pdf", nil, "empty", "空的"},
		{"学历.pdf", append(append([]byte{}, pdf...), make([]byte, MaxSize)...), "too_large", "10MB"},
		{"学历.pdf", picture(10, 10, white, false), "disguised", "PNG"},
		{"学历.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00program"), "type", "可执行程序"},
		{"学历.docx", docx(t, "xl/workbook.xml"), "type", ""},
		{"学历.exe", pdf, "type", ".exe"},
	}
	for _, c := range cases {
		f, err := CheckBytes("学历证明", c.name, c.data)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			continue
		}
		ue, ok := err.(*Error)
		if !ok || ue.Code != c.code || !strings.Contains(ue.Message, "学历证明") || !strings.Contains(ue.Message, c.contains) {
			t.Errorf("%s (%d bytes): err = %v (%+v), want %s mentioning 学历证明 and %q", c.name, len(c.data), err, f, c.code, c.contains)
		}
	}
	exact := append(append([]byte{}, pdf...), make([]byte, MaxSize-len(pdf))...)
	if _, err := CheckBytes("学历证明", "a.pdf", exact); err != nil {
		t.Errorf("exactly 10 MiB refused: %v", err)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\张三\学历证明.PDF`: "学历证明.pdf",
		"../../etc/passwd.pdf": "passwd.pdf",
		"a\x00b\nc.pdf":        "abc.pdf",
		".pdf":                 "文件.pdf",
	} {
		if got := SafeName(in, PDF); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckPhoto(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		code string
	}{
		{"2-inch white", picture(350, 490, white, false), ""},
		{"35x45 white", picture(350, 450, white, false), ""},
		{"landscape", picture(490, 350, white, false), "photo_ratio"},
		{"tiny", picture(100, 140, white, false), "photo_small"},
		{"blue background", picture(350, 490, color.RGBA{60, 120, 220, 255}, false), "photo_background"},
		{"red background", picture(350, 490, color.RGBA{200, 30, 40, 255}, false), "photo_background"},
		{"grayscale", picture(350, 490, white, true), "photo_gray"},
		{"pdf", pdf, "photo_type"},
	}
	for _, c := range cases {
		_, err := CheckPhoto(bytes.NewReader(c.data))
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			continue
		}
		ue, ok := err.(*Error)
		if !ok || ue.Code != c.code || ue.Message == "" {
			t.Errorf("%s: err = %v, want %s", c.name, err, c.code)
		}
	}
}
