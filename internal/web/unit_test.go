package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"opcert/internal/catalog"
	"opcert/internal/demo"
	"opcert/internal/idcheck"
	"opcert/internal/testfixture"
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

// registerUnit posts the 单位注册 form with a PDF 营业执照.
func registerUnit(b *browser, f url.Values) (*http.Response, string) {
	return b.postMultipart("/unit/register", f, "licence", "营业执照.pdf", testfixture.PDF)
}

var pendingRowRE = regexp.MustCompile(`<tr id="unit-(\d+)">\s*<td data-label="统一社会信用代码">([0-9A-Z]{18})</td>`)

// pendingUnitID is the account of the registration of code on the
// administrator's 单位注册审核 page.
func pendingUnitID(t *testing.T, admin *browser, code string) string {
	t.Helper()
	_, page := admin.get("/admin/units")
	for _, m := range pendingRowRE.FindAllStringSubmatch(page, -1) {
		if m[2] == code {
			return m[1]
		}
	}
	t.Fatalf("%s is not awaiting 审核:\n%s", code, page)
	return ""
}

// approveUnit has the demo administrator approve the registration of code.
func approveUnit(t *testing.T, srv *httptest.Server, code string) {
	t.Helper()
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	id := pendingUnitID(t, admin, code)
	if resp, body := admin.post("/admin/units/"+id+"/decide", url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve %s: %d %s", code, resp.StatusCode, errorsOf(body))
	}
}

// registerApprovedUnit registers a 单位 in browser b and has it approved.
func registerApprovedUnit(t *testing.T, srv *httptest.Server, b *browser, f url.Values) {
	t.Helper()
	if resp, body := registerUnit(b, f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", resp.StatusCode, errorsOf(body))
	}
	approveUnit(t, srv, strings.ToUpper(f.Get("credit_code")))
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
	resp, body = registerUnit(b, unitForm(wrong))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "最后一位校验码") || !strings.Contains(body, `value="上海新泾焊接培训学校"`) ||
		!strings.Contains(body, `value="021-62590000"`) || strings.Contains(body, `value="Unit2026x"`) {
		t.Fatalf("wrong check character: %d\n%s", resp.StatusCode, body)
	}
	resp, body = registerUnit(b, unitForm("91310105MA1FL0XQ4"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "应为18位，您输入了17位") {
		t.Fatalf("short code: %d", resp.StatusCode)
	}
	resp, _ = registerUnit(b, unitForm(strings.ToLower(code)))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/unit?registered=1" {
		t.Fatalf("register: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get("/unit?registered=1")
	if !strings.Contains(body, "单位账号注册成功，正在等待审核（待审核）") || !strings.Contains(body, code) || !strings.Contains(body, "审核结果请随时登录本工作台查看") ||
		strings.Contains(body, `id="workers"`) {
		t.Fatalf("desk after registering:\n%s", body)
	}
	other := newBrowser(t, srv)
	resp, body = registerUnit(other, unitForm(code))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "正在审核中") {
		t.Fatalf("second account for the code: %d", resp.StatusCode)
	}
	// The name of a code the enterprise registry holds must be its own.
	demoCode := demo.Build(catalog.Default(), today).Unit().CreditCode
	f := unitForm(demoCode)
	resp, body = registerUnit(other, f)
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
	registerApprovedUnit(t, srv, other, f2)
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

// The 单位 pages around the 审核: a disguised 营业执照 is refused at its
// field with the form kept; the 单位 待审核 sees its status and is refused
// the workers' list, its export and 批量报名 with the reason; the
// administrator lists it beside the demo's pending 单位, opens its
// 营业执照, refuses it (a reason is required), the 单位 sees why and
// corrects it, and once approved sees its worker.
func TestUnitRegistrationCheckedPages(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	d := demo.Build(catalog.Default(), today)
	var xuhui string
	for _, e := range d.Enterprises {
		if e.Name == "上海徐汇起重设备安装有限公司" {
			xuhui = e.CreditCode
		}
	}
	f := unitForm(xuhui)
	f.Set("unit_name", "上海徐汇起重设备安装有限公司")
	f.Set("phone", "13900000188")
	b := newBrowser(t, srv)
	if _, page := b.get("/unit/register"); !strings.Contains(page, `type="file" id="licence" name="licence"`) || !strings.Contains(page, `enctype="multipart/form-data"`) {
		t.Fatal("no 营业执照 field on the registration page")
	}
	resp, body := b.postMultipart("/unit/register", f, "licence", "营业执照.pdf", []byte("GIF89a not a licence"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="licence-error"`) || !strings.Contains(body, "文件名为 .pdf") ||
		!strings.Contains(body, `value="上海徐汇起重设备安装有限公司"`) {
		t.Fatalf("disguised licence: %d %s", resp.StatusCode, errorsOf(body))
	}
	if resp, body := registerUnit(b, f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, desk := b.get("/unit?registered=1")
	mustContain(t, desk, `id="unit-check-status">待审核`, "审核结果将以短信发送到联系电话 13900000188", `href="/unit/licence"`)
	if strings.Contains(desk, "张伟") || strings.Contains(desk, `id="workers"`) || strings.Contains(desk, `id="weld-batch-link"`) {
		t.Fatalf("a pending 单位 sees its workers:\n%s", desk)
	}
	for _, path := range []string{"/unit/workers.xlsx", "/unit/weld-batch", "/unit/weld-batch/template.xlsx"} {
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "本单位注册正在审核中（待审核）") || strings.Contains(body, "张伟") {
			t.Errorf("%s while pending: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := b.get("/unit/licence"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("its own licence: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, home := admin.get("/admin")
	mustContain(t, home, `href="/admin/units"`, "单位注册审核")
	_, list := admin.get("/admin/units")
	mustContain(t, list, xuhui, "上海徐汇起重设备安装有限公司", "13900000188", "方老师", demo.PendingEnterprise, d.PendingUnit().CreditCode, "营业执照.png")
	id := pendingUnitID(t, admin, xuhui)
	resp, _ = admin.get("/admin/units/" + id + "/licence")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("licence: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	demoID := pendingUnitID(t, admin, d.PendingUnit().CreditCode)
	if resp, _ := admin.get("/admin/units/" + demoID + "/licence"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the demo's licence: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = admin.post("/admin/units/"+id+"/decide", url.Values{"action": {"refuse"}, "reason": {" "}, "release": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reason-error"`) || !strings.Contains(body, `id="release-`+id+`" checked`) {
		t.Fatalf("a refusal without reason: %d %s", resp.StatusCode, errorsOf(body))
	}
	resp, _ = admin.post("/admin/units/"+id+"/decide", url.Values{"action": {"refuse"}, "reason": {"营业执照上的名称与填写的单位名称不一致"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refuse: %d", resp.StatusCode)
	}
	if resp, body := admin.post("/admin/units/"+id+"/decide", url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "须由单位更正后重新提交") {
		t.Fatalf("approving a refused one: %d", resp.StatusCode)
	}

	_, desk = b.get("/unit")
	mustContain(t, desk, `id="unit-check-status">审核不通过`, "营业执照上的名称与填写的单位名称不一致", `action="/unit/resubmit"`, `value="方老师"`)
	if resp, body := b.get("/unit/workers.xlsx"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "审核不通过") {
		t.Errorf("export while refused: %d", resp.StatusCode)
	}
	c := url.Values{"unit_name": {"上海徐汇起重设备安装有限公司"}, "address": {"上海市徐汇区漕溪北路88号"}, "contact": {"方老师"}, "phone": {"13900000188"}}
	resp, body = b.postMultipart("/unit/resubmit", c, "", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请上传营业执照") || !strings.Contains(body, `value="上海市徐汇区漕溪北路88号"`) {
		t.Fatalf("a correction without licence: %d %s", resp.StatusCode, errorsOf(body))
	}
	if resp, body := b.postMultipart("/unit/resubmit", c, "licence", "营业执照.png", testfixture.Photo()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, desk = b.get("/unit?resubmitted=1")
	mustContain(t, desk, "已重新提交，正在等待审核", `id="unit-check-status">待审核`, "上次审核不通过的理由")
	approveUnit(t, srv, xuhui)
	_, desk = b.get("/unit")
	mustContain(t, desk, "张伟", `id="workers-export"`)
	if strings.Contains(desk, `id="unit-check"`) {
		t.Error("an approved 单位 still sees the 审核 panel")
	}
	_, sms := newBrowser(t, srv).get("/dev/sms")
	mustContain(t, sms, "上海徐汇起重设备安装有限公司的单位账号注册已审核通过", "审核不通过，理由：营业执照上的名称与填写的单位名称不一致")
}
