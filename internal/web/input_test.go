package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Text that is not UTF-8 comes only from a script or a broken client; it
// is refused before it can be stored, naming the field, and nothing already
// saved changes.
func TestTextNotUTF8IsRefused(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)

	// A plain form: the registration.
	f := url.Values{"name": {"周\xff新"}, "id_type": {"居民身份证"}, "id_number": {"110105198001010016"}, "mobile": {"13912345678"},
		"code": {"123456"}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}, "action": {"register"}}
	resp, body := b.post("/register", f)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("register with bytes not UTF-8: %d", resp.StatusCode)
	}
	mustContain(t, body, "无法识别提交的文字", "（name）含有无法识别的字符")
	if _, err := db.UserByMobile(context.Background(), "13912345678"); err == nil {
		t.Fatal("an account was made")
	}
	// In the address.
	if resp, _ := b.get("/guide?matter=%FF"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("query not UTF-8: %d", resp.StatusCode)
	}

	// A wizard step (multipart): refused at its field, on the step, with
	// what was saved before kept.
	app := renewalAtMaterials(t, b)
	code, body := step(t, b, app, "basic", url.Values{"action": {"save"}, "employer_name": {"上海徐汇起重设备安装有限公司"},
		"address_detail": {"8\xc0楼"}, "education": {"高中"}, "title": {"未评定"}, "mobile": {"13800000001"}, "household_district": {"310104"}}, "", "", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="wizard-form"`) {
		t.Fatalf("wizard step not UTF-8: %d %s", code, errorsOf(body))
	}
	mustContain(t, body, "含有无法识别的字符", `href="#address_detail"`)
	_, body = b.get(app + "/edit/basic")
	mustContain(t, body, `value="8楼"`)
	// A file name not UTF-8.
	code, body = step(t, b, app, "materials", url.Values{"action": {"upload"}}, "file-education", "学\xff历.pdf", []byte("%PDF-1.4\n"))
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("file name not UTF-8: %d %s", code, errorsOf(body))
	}
}

// A form without files is read only up to its limit: a huge body is cut
// off and told, not read into memory.
func TestPlainFormBodyLimited(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	req, _ := http.NewRequest("POST", srv.URL+"/login/password", strings.NewReader("login=1&password="+strings.Repeat("a", 1<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := b.do(req)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 MB login form: %d", resp.StatusCode)
	}
	mustContain(t, body, "提交的内容过大")
}
