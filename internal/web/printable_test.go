package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"opcert/internal/document"
)

// A character no font of the documents has is refused where it is typed,
// at its field; rare characters the fallback faces have are taken and
// print on the 申请表.
func TestUnprintableTextRefusedAtInput(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	f := url.Values{"name": {"王\U00030000"}, "id_type": {"居民身份证"}, "id_number": {"110105198001010016"}, "mobile": {"13912345678"},
		"code": {"123456"}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}, "action": {"register"}}
	resp, body := b.post("/register", f)
	if resp.StatusCode == http.StatusSeeOther {
		t.Fatal("registered")
	}
	// The pages escape "+" (U&#43;30000).
	mustContain(t, html.UnescapeString(body), `href="#name"`, "姓名：‘\U00030000’(U+30000) 暂无法在证书和通知书上打印，请按身份证上的写法填写；确为生僻字的，请携带身份证到受理机关窗口办理")
	if _, err := db.UserByMobile(context.Background(), "13912345678"); err == nil {
		t.Fatal("an account was made")
	}

	app := renewalAtMaterials(t, b)
	basic := func(action, history string) (int, string) {
		return step(t, b, app, "basic", url.Values{"action": {action}, "employer_name": {"上海徐汇起重设备安装有限公司"},
			"address_detail": {"8楼"}, "education": {"高中"}, "title": {"未评定"}, "mobile": {"13800000001"}, "household_district": {"310104"},
			"work_history": {history}}, "", "", nil)
	}
	code, body := basic("next", "2010年至今 上海徐汇起重设备安装有限公司 司机❤")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="wizard-form"`) {
		t.Fatalf("工作经历 with ❤: %d %s", code, errorsOf(body))
	}
	mustContain(t, html.UnescapeString(body), `href="#work_history"`, `id="work_history-error"`, "‘❤’(U+2764) 无法在申请表、通知书和证书上打印，请删去或改用文字",
		"司机❤</textarea>")

	if err := document.CheckFallbackFonts(); err != nil {
		if os.Getenv("OPCERT_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatalf("fallback fonts missing (apt-get install fonts-hanazono): %v", err)
		}
		t.Skipf("fallback fonts missing: %v", err)
	}
	history := "2010年至今 上海\U00020000起重设备安装有限公司 䶮𠮷"
	if code, body := basic("next", history); strings.Contains(body, "请修改以下内容") {
		t.Fatalf("工作经历 with rare characters: %d %s", code, errorsOf(body))
	}
	resp, pdf := b.get(app + "/form.pdf")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("form.pdf: %d", resp.StatusCode)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext missing (poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "form.pdf")
	os.WriteFile(path, []byte(pdf), 0o600)
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(out)), ""), strings.Join(strings.Fields(history), "")) {
		t.Errorf("申请表 text lacks %q:\n%s", history, out)
	}
}
