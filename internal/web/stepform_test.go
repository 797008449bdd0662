package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// multipartBody builds a form part by part, in the order given, as a
// browser or another client may send it.
type multipartBody struct {
	buf bytes.Buffer
	w   *multipart.Writer
}

func newMultipartBody() *multipartBody {
	m := &multipartBody{}
	m.w = multipart.NewWriter(&m.buf)
	return m
}

func (m *multipartBody) field(name, value string) *multipartBody {
	m.w.WriteField(name, value)
	return m
}

func (m *multipartBody) file(field, filename string, content []byte) *multipartBody {
	fw, _ := m.w.CreateFormFile(field, filename)
	fw.Write(content)
	return m
}

// nameless is a part without a form name, which a form never sends.
func (m *multipartBody) nameless(content string) *multipartBody {
	pw, _ := m.w.CreatePart(textproto.MIMEHeader{"Content-Disposition": {"form-data"}})
	pw.Write([]byte(content))
	return m
}

func (m *multipartBody) post(b *browser, path string) (*http.Response, string) {
	m.w.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+path, &m.buf)
	req.Header.Set("Content-Type", m.w.FormDataContentType())
	return b.do(req)
}

// The step's form is read part by part as it arrives: the file may come
// before the fields, a field with two files keeps the first (as FormFile
// did), an empty file input is an empty field, and fields past their limit
// are refused without losing what was saved.
func TestStepFormReadAsItArrives(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app := renewalAtMaterials(t, b)
	path := app + "/edit/materials?material=id_card"

	_, page := b.get(app + "/edit/materials")
	resp, body := newMultipartBody().
		file("file-id_card", "身份证正面.pdf", minimalPDF).
		file("file-id_card", "第二个.pdf", minimalPDF).
		file("file-education", "", nil).
		nameless("ignored").
		field("action", "upload").field("version", version(t, page)).
		post(b, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("file before the fields: %d %s", resp.StatusCode, errorsOf(body))
	}
	mustContain(t, body, "文件已上传", "身份证正面.pdf")
	if strings.Contains(body, "第二个.pdf") {
		t.Error("the second file of one field was stored")
	}

	// Text past the 256 KB that a form without a file may have.
	_, page = b.get(app + "/edit/materials")
	resp, body = newMultipartBody().
		field("action", "upload").field("version", version(t, page)).
		field("note", strings.Repeat("长", 256<<10/3+1)).
		file("file-id_card", "身份证反面.pdf", minimalPDF).
		post(b, path)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "填写的内容过长") {
		t.Fatalf("fields past their limit: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, body = b.get(app + "/edit/materials")
	mustContain(t, body, "身份证正面.pdf")
	if strings.Contains(body, "身份证反面.pdf") {
		t.Error("the file of a refused form was stored")
	}
}
