package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/demo"
	"opcert/internal/idcheck"
)

// validCreditCode completes the first 17 characters of a credit code with
// its GB 32100 check character.
func validCreditCode(t *testing.T, first17 string) string {
	t.Helper()
	c, err := idcheck.CreditCodeCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func unitForm(code string) url.Values {
	return url.Values{"unit_name": {"上海新泾焊接培训学校"}, "credit_code": {code}, "address": {"上海市长宁区新泾路1号"},
		"contact": {"方老师"}, "phone": {"021-62590000"}, "password": {"Unit2026x"}, "password2": {"Unit2026x"}}
}

// A 单位 registers with its 统一社会信用代码, is refused at the field with
// everything else kept when the check character is wrong, cannot register
// the code twice, and logs in with the code as its login name.
func TestUnitRegistersAndLogsIn(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	resp, body := b.get("/unit/register")
	if resp.StatusCode != 200 || !strings.Contains(body, "统一社会信用代码") {
		t.Fatalf("register page: %d", resp.StatusCode)
	}
	code := validCreditCode(t, "91310105MA1FL0XQ4")
	wrong := code[:17] + map[bool]string{true: "1", false: "0"}[code[17] == '0']
	resp, body = b.post("/unit/register", unitForm(wrong))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "最后一位校验码") || !strings.Contains(body, `value="上海新泾焊接培训学校"`) ||
		!strings.Contains(body, `value="021-62590000"`) || strings.Contains(body, `value="Unit2026x"`) {
		t.Fatalf("wrong check character: %d\n%s", resp.StatusCode, body)
	}
	resp, body = b.post("/unit/register", unitForm("91310105MA1FL0XQ4"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "应为18位，您输入了17位") {
		t.Fatalf("short code: %d", resp.StatusCode)
	}
	resp, _ = b.post("/unit/register", unitForm(strings.ToLower(code)))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/unit?registered=1" {
		t.Fatalf("register: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get("/unit?registered=1")
	if !strings.Contains(body, "单位账号注册成功") || !strings.Contains(body, code) {
		t.Fatalf("desk after registering:\n%s", body)
	}
	other := newBrowser(t, srv)
	resp, body = other.post("/unit/register", unitForm(code))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已注册单位账号") {
		t.Fatalf("second account for the code: %d", resp.StatusCode)
	}
	// The name of a code the enterprise registry holds must be its own.
	demoCode := demo.Build(catalog.Default(), today).Unit().CreditCode
	f := unitForm(demoCode)
	resp, body = other.post("/unit/register", f)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "单位名称与企业登记信息不一致") {
		t.Fatalf("name not the registered one: %d", resp.StatusCode)
	}
	resp, _ = other.post("/login/password", url.Values{"login": {code}, "password": {"Unit2026x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/unit" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Another role does not reach the 单位 pages, nor a 单位 the others'.
	app := newBrowser(t, srv)
	app.post("/login/password", url.Values{"login": {"13800000001"}, "password": {demo.Password}})
	if resp, _ := app.get("/unit"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("applicant on /unit: %d", resp.StatusCode)
	}
	if resp, _ := other.get("/exam"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unit on /exam: %d", resp.StatusCode)
	}
}
