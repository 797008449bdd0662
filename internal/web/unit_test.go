package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

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
	resp, _ = other.post("/login/password", url.Values{"login": {strings.ToLower(code)}, "password": {"Unit2026x"}})
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

// The demo 单位 sees its two welders, the item due soonest for 复审 first,
// and not 张伟, who agreed to share with another 单位; its export lists the
// same rows in the same order. A 单位 registered for that other code sees
// 张伟 alone.
func TestUnitSeesOnlyItsWorkers(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	d := demo.Build(catalog.Default(), today)
	login(t, b, d.Unit().CreditCode)
	resp, body := b.get("/unit")
	if resp.StatusCode != 200 {
		t.Fatalf("desk: %d", resp.StatusCode)
	}
	he, chen := strings.Index(body, "何平"), strings.Index(body, "陈静")
	if he < 0 || chen < 0 || he > chen || strings.Contains(body, "张伟") {
		t.Fatalf("workers: 何平 at %d, 陈静 at %d\n%s", he, chen, body)
	}
	mustContain(t, body, "GTAW-FeⅣ-6G-3/57-FefS-02/10/12", "可申请复审", `href="/unit/workers.xlsx"`)
	resp, sheet := b.get("/unit/workers.xlsx")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(strings.NewReader(sheet))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 4 || rows[0][0] != "姓名" || rows[1][0] != "何平" || rows[1][6] != "可申请复审" || rows[2][0] != "陈静" || rows[2][2] != "SMAW-FeⅡ-6G(K)-9/57-Fef3J" {
		t.Fatalf("export rows: %q", rows)
	}
	var xuhui string
	for _, e := range d.Enterprises {
		if e.Name == "上海徐汇起重设备安装有限公司" {
			xuhui = e.CreditCode
		}
	}
	other := newBrowser(t, srv)
	f2 := unitForm(xuhui)
	f2.Set("unit_name", "上海徐汇起重设备安装有限公司")
	if resp, body := other.post("/unit/register", f2); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register 徐汇: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, body = other.get("/unit")
	if !strings.Contains(body, "张伟") || strings.Contains(body, "陈静") || strings.Contains(body, "何平") {
		t.Fatalf("the other unit's desk:\n%s", body)
	}
	_, sheet = other.get("/unit/workers.xlsx")
	if strings.Contains(sheet, "陈静") {
		t.Fatal("the other unit's export has the demo unit's worker")
	}
	// Without a 单位 account the list is not there at all.
	app := newBrowser(t, srv)
	login(t, app, "13800000005")
	if resp, _ := app.get("/unit/workers.xlsx"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("applicant export: %d", resp.StatusCode)
	}
}

// The applicant is asked, beside the employer, whether it may follow their
// items; the answer is kept, and can be taken back.
func TestEmployerAgreementKept(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	_, basic := b.get(app + "/edit/basic")
	mustContain(t, basic, `name="share_with_unit"`, "同意该单位通过单位账号查看本人持有的作业项目")
	if strings.Contains(basic, `id="share_with_unit" checked`) {
		t.Fatal("the agreement is assumed")
	}
	fields := url.Values{"action": {"save"}, "employer_name": {"苏州吊装有限公司"}, "employer_outside": {"1"}, "credit_code": {"91320505MA1MXY4G15"},
		"employer_address": {"江苏省苏州市姑苏区人民路1号"}, "education": {"高中"}, "mobile": {"13800000001"}, "household_district": {"310104"}, "share_with_unit": {"1"}}
	step(t, b, app, "basic", fields, "", "", nil)
	_, basic = b.get(app + "/edit/basic")
	mustContain(t, basic, `id="share_with_unit" checked`)
	if _, review := b.get(app + "/edit/review"); !strings.Contains(review, "已同意该单位通过单位账号查看本人的持证项目和有效期") {
		t.Error("核对信息 does not say the applicant agreed")
	}
	fields.Del("share_with_unit")
	step(t, b, app, "basic", fields, "", "", nil)
	if _, basic = b.get(app + "/edit/basic"); strings.Contains(basic, `id="share_with_unit" checked`) {
		t.Fatal("the agreement could not be taken back")
	}
}
