package e2e

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"opcert/internal/idcheck"
)

// fetchXLSX fetches a spreadsheet with the browser's own cookies, as a GET
// or, with a form's CSS selector, as that form's POST to path; it returns
// the response's content type and its rows.
func fetchXLSX(t *testing.T, b *Browser, path, form string) (string, [][]string) {
	t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	init := `{credentials: "same-origin"}`
	if form != "" {
		init = `{credentials: "same-origin", method: "POST", body: new URLSearchParams(new FormData(document.querySelector(` + jsString(form) + `)))}`
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const r = await fetch(`+jsString(path)+`, `+init+`);
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ""; for (const c of b) s += String.fromCharCode(c);
		return r.status + " " + r.headers.get("content-type") + " " + btoa(s); })()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	parts := strings.SplitN(v, " ", 3)
	if len(parts) != 3 || parts[0] != "200" {
		t.Fatalf("fetch %s: %.80s", path, v)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s is no workbook: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return parts[1], rows
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// The 徐汇 crane company registers its 单位 account with its 营业执照 (a
// wrong check character of its 统一社会信用代码 told at the field, nothing
// else lost) and is told it awaits 审核, with no workers shown; the
// administrator opens the 单位注册审核 page and approves it; logged in
// again with the code, it sees 张伟 — who named it as employer and
// agreed — with his Q8 due for 复审 before his N2; the Excel export has
// the same rows in the same order.
func TestUnitRegistersAndFollowsItsWorkers(t *testing.T) {
	r := newApplyRun(t)
	b := r.b
	code := r.creditCode("上海徐汇起重设备安装有限公司")
	check, err := idcheck.CreditCodeCheckChar(code[:17])
	if err != nil || check != code[17] {
		t.Fatalf("demo credit code %s: %v", code, err)
	}
	wrong := code[:17] + map[bool]string{true: "1", false: "0"}[code[17] == '0']

	b.Open(r.srv.URL + "/login")
	wantStatus(t, "注册单位账号", b.clickID("unit-register-link"), 200)
	mustSee(t, b, "单位注册")
	fill := func(credit string) {
		b.Fill("单位名称", "上海徐汇起重设备安装有限公司")
		b.Fill("统一社会信用代码", credit)
		b.Fill("单位地址", "上海市徐汇区漕溪北路88号")
		b.Fill("联系人", "周安全")
		b.Fill("联系电话", "021-64870000")
		b.Fill("密码", "Crane2026x")
		b.Fill("确认密码", "Crane2026x")
	}
	licence := r.pdf("营业执照")
	fill(wrong)
	b.upload("licence", licence)
	wantStatus(t, "注册", b.clickID("unit-register"), 422)
	if msg := b.FieldError("统一社会信用代码"); !strings.Contains(msg, "最后一位校验码") {
		t.Fatalf("wrong check character: %q", msg)
	}
	if got := b.FieldValue("单位名称"); got != "上海徐汇起重设备安装有限公司" {
		t.Fatalf("单位名称 lost: %q", got)
	}
	b.Screenshot("unit-register-error")
	b.Fill("统一社会信用代码", code)
	b.Fill("密码", "Crane2026x")
	b.Fill("确认密码", "Crane2026x")
	b.upload("licence", licence)
	wantStatus(t, "注册", b.clickID("unit-register"), 200)
	mustSee(t, b, "单位工作台", "单位账号注册成功，正在等待审核（待审核）", code, "系统管理员将核对您上传的营业执照")
	if got := b.Text("#unit-check-status"); got != "待审核" {
		t.Fatalf("status: %q", got)
	}
	if strings.Contains(b.PageText(), "张伟") || Evaluate[bool](b, `document.querySelector("#workers, #weld-batch-link") !== null`) {
		t.Fatal("a 单位 待审核 sees its workers")
	}
	b.Screenshot("unit-pending")

	admin := NewBrowser(t)
	admin.Desktop()
	admin.Open(r.srv.URL + "/login")
	logIn(t, admin, "admin")
	admin.Open(r.srv.URL + "/admin")
	wantStatus(t, "单位注册审核", admin.ClickLink("单位注册审核"), 200)
	id := Evaluate[string](admin, `(() => { for (const tr of document.querySelectorAll("#pending-units tbody tr")) {
		if (tr.textContent.includes(`+jsString(code)+`)) return tr.id.replace("unit-", ""); } return ""; })()`)
	if id == "" {
		t.Fatalf("%s is not on the 单位注册审核 page: %s", code, admin.PageText())
	}
	if href := Evaluate[string](admin, `document.querySelector("#licence-`+id+`").getAttribute("href")`); href != "/admin/units/"+id+"/licence" {
		t.Fatalf("licence link %q", href)
	}
	admin.Screenshot("admin-units")
	wantStatus(t, "审核通过", admin.clickID("approve-"+id), 200)
	mustSee(t, admin, "已审核通过")
	if strings.Contains(admin.Text("#pending-units"), code) {
		t.Fatal("the approved 单位 is still awaiting 审核")
	}

	wantStatus(t, "退出", b.ClickButton("退出"), 200)
	b.Open(r.srv.URL + "/login")
	b.Fill("手机号或登录名", code)
	b.Fill("密码", "Crane2026x")
	wantStatus(t, "登录", b.clickID("login-password"), 200)
	if loc := b.Location(); !strings.HasSuffix(loc, "/unit") {
		t.Fatalf("a 单位 lands on %s", loc)
	}
	zhang := r.holder("13800000001")
	q8, n2 := r.validUntil(zhang, "Q8"), r.validUntil(zhang, "N2")
	rows := b.TableRows("#workers-table")
	if len(rows) != 2 || rows[0][0] != "张伟" || rows[0][2] != "Q8" || rows[0][4] != q8.Chinese() || rows[0][5] != "有效（即将到期）" || rows[0][6] != "可申请复审" ||
		rows[1][2] != "N2" || rows[1][4] != n2.Chinese() || rows[1][5] != "有效" {
		t.Fatalf("workers: %q", rows)
	}
	if strings.Contains(b.PageText(), "陈静") {
		t.Fatal("the demo 单位's worker is shown to another 单位")
	}
	b.Screenshot("unit-workers")
	typ, sheet := fetchXLSX(t, b, Evaluate[string](b, `document.querySelector("#workers-export").getAttribute("href")`), "")
	if typ != xlsxType || len(sheet) != 3 || sheet[0][0] != "姓名" || sheet[1][2] != "Q8" || sheet[1][4] != q8.String() || sheet[2][2] != "N2" {
		t.Fatalf("export %s: %q", typ, sheet)
	}
	wantNoConsoleErrors(t, b)
}

// Exam staff import a session's scores from Excel: the template lists the
// seated candidate; a sheet with one row for a stranger shows the report
// (on the page and as Excel) and records nothing; confirmed, the good row
// is recorded and the application goes back to the officer.
func TestExamScoresFromExcel(t *testing.T) {
	r, officer, number, appURL := pAcceptedForExam(t)

	staff := NewBrowser(t)
	staff.Desktop()
	staff.Open(r.srv.URL + "/login")
	logIn(t, staff, "exam")
	for _, s := range []struct{ subject, start, end string }{{"理论知识考试", "09:00", "11:00"}, {"实际操作技能考试", "13:00", "15:00"}} {
		staff.Choose("气瓶充装（P）")
		staff.Choose(s.subject)
		staff.setValue("#date", r.today.String())
		staff.setValue("#start", s.start)
		staff.setValue("#end", s.end)
		staff.Fill("考场地址", "上海市普陀区真北路1号 第一考场")
		staff.Fill("容量（人）", "30")
		wantStatus(t, "新增场次", staff.clickID("add-session"), 200)
	}
	wantStatus(t, "自动安排", staff.clickID("auto-assign"), 200)
	mustSee(t, staff, "安排座位 2 个")

	// The 工作台's 成绩导入: the theory session, its template.
	staff.Select("考试场次", "理论知识考试 "+r.today.Chinese()+" 09:00–11:00 上海市普陀区真北路1号 第一考场")
	wantStatus(t, "成绩导入", staff.clickID("scores-open"), 200)
	mustSee(t, staff, "成绩导入", "上传成绩表")
	typ, tmpl := fetchXLSX(t, staff, Evaluate[string](staff, `document.querySelector("#scores-template").getAttribute("href")`), "")
	if typ != xlsxType || len(tmpl) != 2 || strings.Join(tmpl[0], ",") != "申请号,准考证号,姓名,理论,实操" || tmpl[1][0] != number || tmpl[1][2] != "张伟" {
		t.Fatalf("template %s: %q", typ, tmpl)
	}
	ticket := tmpl[1][1]
	f := excelize.NewFile()
	for i, row := range [][]any{{"申请号", "准考证号", "姓名", "理论", "实操"}, {"", ticket, "张伟", 88, 76}, {"260101999999", "", "李四", 90, 90}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &row)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	staff.upload("file", r.file("成绩.xlsx", buf.Bytes()))
	wantStatus(t, "上传并检查", staff.clickID("scores-check"), 200)
	mustSee(t, staff, "共 2 行：可录入 1 行，有问题 1 处", "尚未录入任何成绩")
	if got := staff.TableRows("#score-report"); len(got) != 1 || strings.Join(got[0], "|") != "3|申请号|该考生不在本机构待录入成绩的考生名单中，请核对申请号" {
		t.Fatalf("report %q", got)
	}
	if got := staff.TableRows("#score-good"); len(got) != 1 || got[0][1] != number || got[0][3] != "88" {
		t.Fatalf("good rows %q", got)
	}
	staff.Screenshot("scores-report")
	typ, report := fetchXLSX(t, staff, "/exam/sessions/"+sessionOf(t, staff.Location())+"/scores/report.xlsx", "#scores-result form")
	if typ != xlsxType || len(report) != 2 || strings.Join(report[1], "|") != "3|申请号|该考生不在本机构待录入成绩的考生名单中，请核对申请号" {
		t.Fatalf("report download %s: %q", typ, report)
	}
	officer.Open(appURL)
	mustSee(t, officer, "待考试")

	wantStatus(t, "确认录入", staff.clickID("score-confirm"), 200)
	mustSee(t, staff, "已录入 1 名考生的考试成绩")
	officer.Open(appURL)
	mustSee(t, officer, "已受理", "理论 88 分，实操 76 分，考试合格")
	wantNoConsoleErrors(t, staff)
}

// sessionOf is the session id in a /exam/sessions/{id}/scores address.
func sessionOf(t *testing.T, location string) string {
	t.Helper()
	_, rest, ok := strings.Cut(location, "/exam/sessions/")
	id, _, _ := strings.Cut(rest, "/")
	if !ok || id == "" {
		t.Fatalf("not a session's page: %s", location)
	}
	return id
}
