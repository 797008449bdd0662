package web_test

import (
	"github.com/xuri/excelize/v2"

	"context"

	"net/http"
	"net/url"
	"opcert/internal/auth"
	"opcert/internal/demo"
	"opcert/internal/store"
	"strconv"
	"strings"
	"testing"
)

// historyOf is the 办理记录 table of a page.
func historyOf(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="history"`)
	if i < 0 {
		t.Fatal("no 办理记录 on the page")
	}
	j := strings.Index(page[i:], "</table>")
	return page[i : i+j]
}

// The 办理记录 names who did each step: the officer's name and 受理机关 in
// the back office; the applicant sees the 受理机关 only and not the
// officer's note for the record (the 再次补正说明).
func TestHistoryNamesWhoActed(t *testing.T) {
	applicantB, o, app, id := correctedOnce(t)
	if resp, body := officerAct(t, o, id, url.Values{"action": {"request_correction"}, "ask-field:education": {"1"}, "reason-field:education": {"学历不符"},
		"justification": {"需核实学历"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second round: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, page := o.get("/officer/applications/" + strconv.FormatInt(id, 10))
	h := historyOf(t, page)
	mustContain(t, h, "办理人", "徐汇区受理员（徐汇区市场监督管理局）", "退回补正", "再次补正说明：需核实学历", "申请人", "提交")

	_, view := applicantB.get(app)
	h = historyOf(t, view)
	mustContain(t, h, "徐汇区市场监督管理局", "退回补正", "申请人")
	for _, secret := range []string{"徐汇区受理员", "需核实学历"} {
		if strings.Contains(h, secret) {
			t.Errorf("the applicant's 办理记录 shows %q", secret)
		}
	}
}

// 准予许可 asks for an 审批意见 and a confirmation: without the opinion the
// page stays with the message at the field; with it, the confirmation
// shows the applicant, the items and the opinion; 返回修改 gives the form
// back as typed; 确认 decides and the 办理记录 shows the opinion.
func TestDecisionAsksOpinionAndConfirmation(t *testing.T) {
	srv, db := newDemoServer(t, true)
	applicantB := newBrowser(t, srv)
	app, id := submitQ8(t, applicantB)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	if resp, body := officerAct(t, o, id, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("受理: %d %s", resp.StatusCode, errorsOf(body))
	}
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	_, page := o.get(path)
	mustContain(t, page, `id="opinion-approve"`, "审批意见")
	ver := version(t, page)

	resp, body := o.post(path+"/act", url.Values{"version": {ver}, "action": {"approve"}, "opinion": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("without 审批意见: %d", resp.StatusCode)
	}
	mustContain(t, body, `href="#opinion-approve"`, "请填写审批意见", `id="opinion-approve-error"`)

	opinion := "材料齐全，符合复审条件，同意准予许可 <b>"
	resp, body = o.post(path+"/act", url.Values{"version": {ver}, "action": {"approve"}, "opinion": {opinion}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmation: %d %s", resp.StatusCode, errorsOf(body))
	}
	mustContain(t, body, "确认准予许可？", "张伟", "Q2(限流动式起重机)", "材料齐全，符合复审条件，同意准予许可 &lt;b&gt;", `value="confirm"`, "返回修改")
	if a, _ := db.ApplicationIn(context.Background(), id, ""); a.Status != "accepted" {
		t.Fatalf("decided before the confirmation: %s", a.Status)
	}

	resp, body = o.post(path+"/act", url.Values{"version": {ver}, "action": {"approve"}, "opinion": {opinion}, "step": {"back"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("返回修改: %d", resp.StatusCode)
	}
	mustContain(t, body, ">材料齐全，符合复审条件，同意准予许可 &lt;b&gt;</textarea>")

	resp, body = o.post(path+"/act", url.Values{"version": {ver}, "action": {"approve"}, "opinion": {opinion}, "step": {"confirm"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("确认: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, page = o.get(path)
	mustContain(t, historyOf(t, page), "准予许可", "徐汇区受理员（徐汇区市场监督管理局）", "材料齐全，符合复审条件，同意准予许可")
	_, view := applicantB.get(app)
	mustContain(t, historyOf(t, view), "审批意见：材料齐全，符合复审条件")

	// A second confirmation from the page as it was is stale now.
	if resp, _ := o.post(path+"/act", url.Values{"version": {ver}, "action": {"approve"}, "opinion": {opinion}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("confirmation of a decided application: %d", resp.StatusCode)
	}
}

// 不予许可 keeps its 理由 and asks for the 审批意见 too; both messages show at
// their fields, and what was typed stays.
func TestDenialNeedsReasonAndOpinion(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}})
	resp, body := officerAct(t, o, id, url.Values{"action": {"deny"}, "reason": {""}, "opinion": {"不同意"}, "step": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("deny without 理由: %d", resp.StatusCode)
	}
	mustContain(t, body, `href="#reason-deny"`, "请填写理由", ">不同意</textarea>")
	resp, body = officerAct(t, o, id, url.Values{"action": {"deny"}, "reason": {"工作经历不满足要求"}, "opinion": {""}, "step": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("deny without 审批意见: %d", resp.StatusCode)
	}
	mustContain(t, body, `href="#opinion-deny"`, "请填写审批意见", `value="工作经历不满足要求"`)
	resp, body = officerAct(t, o, id, url.Values{"action": {"deny"}, "reason": {"工作经历不满足要求"}, "opinion": {"同意不予许可"}, "step": {""}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmation: %d", resp.StatusCode)
	}
	mustContain(t, body, "确认不予许可？", "工作经历不满足要求", "同意不予许可")
}

// Only staff decide, and only their own district's applications.
func TestDecisionWrongRoleAndDistrict(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	applicantB := newBrowser(t, srv)
	_, id := submitQ8(t, applicantB)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}})
	path := "/officer/applications/" + strconv.FormatInt(id, 10) + "/act"
	if resp, _ := applicantB.post(path, url.Values{"action": {"approve"}, "opinion": {"同意"}, "version": {"4"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an applicant: %d", resp.StatusCode)
	}
	far := newBrowser(t, srv)
	login(t, far, "officer-310115")
	for _, step := range []string{"", "confirm", "back"} {
		if resp, body := far.post(path, url.Values{"action": {"approve"}, "opinion": {"同意"}, "version": {"4"}, "step": {step}}); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "张伟") {
			t.Errorf("another district, step %q: %d", step, resp.StatusCode)
		}
	}
}

// currentVersion is the application's version, for a post from a page
// that offers no form.
func currentVersion(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	a, err := db.ApplicationIn(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(a.Version)
}

// addOfficer creates another officer of the district with the demo password.
func addOfficer(t *testing.T, db *store.DB, login, name, code string) {
	t.Helper()
	h, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(context.Background(), auth.User{Login: login, Name: name, Role: auth.RoleOfficer, AuthorityCode: code, PasswordHash: h}); err != nil {
		t.Fatal(err)
	}
}

// An admin turns on 徐汇区's separation of duties (audited); then the officer
// who 受理'd cannot 审核, a second officer 审核s with a 初审意见 (not shown to
// the applicant), neither of them may 批准, and a third one does. The queue
// says who may act.
func TestSeparationOfDuties(t *testing.T) {
	srv, db := newDemoServer(t, true)
	addOfficer(t, db, "officer-310104-b", "李审核", "310104")
	addOfficer(t, db, "officer-310104-c", "王批准", "310104")
	applicantB := newBrowser(t, srv)
	app, id := submitQ8(t, applicantB)
	acceptor, reviewer, approver := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
	login(t, acceptor, "officer-310104")
	login(t, reviewer, "officer-310104-b")
	login(t, approver, "officer-310104-c")

	if resp, _ := acceptor.get("/admin/duties"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an officer opens /admin/duties: %d", resp.StatusCode)
	}
	if resp, _ := acceptor.post("/admin/duties", url.Values{"authority": {"310104"}, "separated": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an officer sets the duties: %d", resp.StatusCode)
	}
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page := admin.get("/admin/duties")
	mustContain(t, page, "徐汇区市场监督管理局", `id="set-310104"`, "未实行")
	if resp, body := admin.post("/admin/duties", url.Values{"authority": {"999999"}, "separated": {"1"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择受理机关") {
		t.Errorf("an unknown bureau: %d", resp.StatusCode)
	}
	resp, body := admin.post("/admin/duties", url.Values{"authority": {"310104"}, "separated": {"1"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set: %d", resp.StatusCode)
	}
	mustContain(t, body, "徐汇区市场监督管理局已实行受理、审核、批准分离", `<td data-label="审批分离" id="duty-310104">已实行</td>`)
	entries, _ := db.AuditEntries(context.Background(), "authority:310104", 5)
	if len(entries) != 1 || entries[0].Action != "set_duty_separation" || entries[0].Before != "separated=false" || entries[0].After != "separated=true" {
		t.Fatalf("audit %+v", entries)
	}

	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	if resp, body := officerAct(t, acceptor, id, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("受理: %d %s", resp.StatusCode, errorsOf(body))
	}
	// The acceptor is not offered 审核 and is told why; a forged post is refused.
	_, page = acceptor.get(path)
	mustContain(t, page, "您受理了该申请，不能再审核，请由其他工作人员审核", "待审核：须由受理人徐汇区受理员以外的工作人员办理")
	if strings.Contains(page, `id="do-review"`) || strings.Contains(page, `id="do-approve"`) {
		t.Error("the acceptor is offered 审核 or 准予许可")
	}
	if resp, body := officerAct(t, acceptor, id, url.Values{"action": {"review"}, "opinion": {"同意"}, "version": {currentVersion(t, db, id)}}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "您受理了该申请，不能再审核") {
		t.Errorf("the acceptor reviews: %d %s", resp.StatusCode, errorsOf(body))
	}
	// No decision before 审核, not even by a third officer.
	if resp, body := officerAct(t, approver, id, url.Values{"action": {"approve"}, "version": {currentVersion(t, db, id)}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "须先经审核") {
		t.Errorf("approve before 审核: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, queue := reviewer.get("/officer")
	mustContain(t, queue, "待审核：您可办理")
	_, queue = acceptor.get("/officer")
	mustContain(t, queue, "待审核：须由受理人徐汇区受理员以外的工作人员办理")

	if resp, body := officerAct(t, reviewer, id, url.Values{"action": {"review"}, "opinion": {""}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写初审意见") {
		t.Errorf("审核 without 初审意见: %d %s", resp.StatusCode, errorsOf(body))
	}
	if resp, body := officerAct(t, reviewer, id, url.Values{"action": {"review"}, "opinion": {"材料齐全，建议准予许可"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("审核: %d %s", resp.StatusCode, errorsOf(body))
	}
	for _, b := range []*browser{acceptor, reviewer} {
		if resp, body := officerAct(t, b, id, url.Values{"action": {"approve"}, "version": {currentVersion(t, db, id)}}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "不能再批准（准予许可）") {
			t.Errorf("approve by the acceptor or reviewer: %d %s", resp.StatusCode, errorsOf(body))
		}
	}
	_, queue = approver.get("/officer")
	mustContain(t, queue, "已审核（待批准）", "待批准：您可办理")
	if resp, body := officerAct(t, approver, id, url.Values{"action": {"approve"}, "opinion": {"同意准予许可"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("批准: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, page = approver.get(path)
	mustContain(t, historyOf(t, page), "徐汇区受理员（徐汇区市场监督管理局）", "李审核（徐汇区市场监督管理局）", "材料齐全，建议准予许可", "王批准（徐汇区市场监督管理局）", "同意准予许可")
	_, view := applicantB.get(app)
	h := historyOf(t, view)
	mustContain(t, h, "审核", "准予许可")
	if strings.Contains(h, "建议准予许可") {
		t.Error("the applicant sees the 初审意见")
	}

	// Off again: the next application goes 受理 → 准予许可 by one officer.
	admin.post("/admin/duties", url.Values{"authority": {"310104"}, "separated": {"0"}})
	if _, page := acceptor.get("/admin/duties"); strings.Contains(page, "已实行") {
		t.Error("an officer sees the admin page")
	}
}

// The dashboard: an officer's own bureau as a table, an SVG chart and a
// spreadsheet; another bureau's officer does not count it; an admin sees
// the city with each bureau; an applicant is refused.
func TestDashboardPages(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	applicantB := newBrowser(t, srv)
	submitQ8(t, applicantB)
	if resp, _ := applicantB.get("/officer/dashboard"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an applicant: %d", resp.StatusCode)
	}
	if resp, _ := applicantB.get("/officer/dashboard.xlsx"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an applicant's export: %d", resp.StatusCode)
	}
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	_, page := o.get("/officer/dashboard")
	mustContain(t, page, "办件统计 · 徐汇区市场监督管理局", `<svg role="img"`, `<rect x="190"`,
		`<td data-label="项目">已提交</td><td data-label="数值">1</td>`, `<td data-label="项目">本周到期</td>`, `id="dashboard-total">1<`)
	if strings.Contains(page, "各受理机关") {
		t.Error("an officer sees the city's table")
	}
	resp, body := o.get("/officer/dashboard.xlsx")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("统计")
	found := false
	for _, r := range rows {
		if len(r) == 2 && r[0] == "已提交" && r[1] == "1" {
			found = true
		}
	}
	if !found || rows[0][0] != "徐汇区市场监督管理局" {
		t.Errorf("the sheet: %v", rows)
	}

	far := newBrowser(t, srv)
	login(t, far, "officer-310115")
	_, page = far.get("/officer/dashboard")
	mustContain(t, page, "浦东新区市场监督管理局", `<td data-label="项目">已提交</td><td data-label="数值">0</td>`)

	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page = admin.get("/officer/dashboard")
	mustContain(t, page, "办件统计 · 全市", "各受理机关", "<td data-label=\"受理机关\">徐汇区市场监督管理局</td><td>1</td>", `<td data-label="项目">已提交</td><td data-label="数值">1</td>`)
	_, body = admin.get("/officer/dashboard.xlsx")
	x, err = excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if by, _ := x.GetRows("各受理机关"); len(by) != 17 {
		t.Errorf("the city's sheet has %d rows", len(by))
	}
}

// The printable application: everything on one page for the case file,
// with print CSS, linked from the case page, audited; nobody else's.
func TestPrintApplication(t *testing.T) {
	srv, db := newDemoServer(t, true)
	applicantB := newBrowser(t, srv)
	_, id := submitQ8(t, applicantB)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}})
	officerAct(t, o, id, url.Values{"action": {"approve"}, "opinion": {"同意准予许可"}})
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	_, page := o.get(path)
	mustContain(t, page, `href="`+path+`/print"`, "打印申请")
	resp, page := o.get(path + "/print")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("print: %d", resp.StatusCode)
	}
	mustContain(t, page, `href="/static/print.css"`, "特种设备安全管理和作业人员资格认定申请", `id="print-authority">徐汇区市场监督管理局`,
		`id="print-name">张伟`, demoApplicant(t, 0).IDNumber, "Q2(限流动式起重机)", "身份证信息", "身份证.pdf",
		`id="print-opinion">同意准予许可`, "徐汇区受理员（徐汇区市场监督管理局）", "打印人：徐汇区受理员")
	mustContain(t, historyOf(t, page), "提交", "受理", "准予许可", "同意准予许可")
	entries, _ := db.AuditEntries(context.Background(), "application:"+strconv.FormatInt(id, 10), 1)
	if len(entries) != 1 || entries[0].Action != "print_application" {
		t.Errorf("audit %+v", entries)
	}
	if resp, body := o.get("/static/print.css"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "@media print") {
		t.Errorf("print.css: %d", resp.StatusCode)
	}
	far := newBrowser(t, srv)
	login(t, far, "officer-310115")
	if resp, body := far.get(path + "/print"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "张伟") {
		t.Errorf("another district prints: %d", resp.StatusCode)
	}
	if resp, _ := applicantB.get(path + "/print"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the applicant prints the officer's page: %d", resp.StatusCode)
	}
}
