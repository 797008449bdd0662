package web_test

import (
	"github.com/xuri/excelize/v2"

	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"opcert/internal/notify"
	"opcert/internal/registry"
)

func officerAct(t *testing.T, b *browser, id int64, fields url.Values) (*http.Response, string) {
	t.Helper()
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	if fields.Get("version") == "" {
		_, page := b.get(path)
		fields.Set("version", version(t, page))
	}
	// A decision goes straight through its confirmation page here, with an
	// 审批意见 unless the test gives one (TestDecisionAsksOpinionAndConfirmation
	// walks the page itself).
	if a := fields.Get("action"); a == "approve" || a == "deny" {
		if _, ok := fields["opinion"]; !ok {
			fields.Set("opinion", "同意")
		}
		if _, ok := fields["step"]; !ok {
			fields.Set("step", "confirm")
		}
	}
	return b.post(path+"/act", fields)
}

// The whole back-office round, without the browser: an
// officer of 徐汇区 asks for 补正 on two materials, the applicant corrects
// only those, the officer accepts and approves, and the registry shows the
// renewed item valid four more years.
func TestOfficerCorrectionAcceptApprove(t *testing.T) {
	srv, db := newDemoServer(t, true)
	applicantB := newBrowser(t, srv)
	app, id := submitQ8(t, applicantB)
	officer := newBrowser(t, srv)
	login(t, officer, "officer-310104")

	_, queue := officer.get("/officer")
	mustContain(t, queue, "徐汇区市场监督管理局", "张伟", "Q2(限流动式起重机)", "剩余 5 个工作日")

	resp, body := officerAct(t, officer, id, url.Values{"action": {"request_correction"},
		"ask-material:id_card": {"1"}, "reason-material:id_card": {"身份证照片不清晰"},
		"ask-material:education": {"1"}, "reason-material:education": {"请上传学历证明"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("补正: %d %s", resp.StatusCode, errorsOf(body))
	}
	// The applicant corrects only those two and resubmits.
	_, body = applicantB.get(app + "/edit/materials")
	mustContain(t, body, "身份证照片不清晰", "请上传学历证明")
	uploadMaterial(t, applicantB, app, "id_card", "身份证清晰.pdf", minimalPDF)
	uploadMaterial(t, applicantB, app, "education", "学历证明.pdf", minimalPDF)
	_, review := applicantB.get(app + "/edit/review")
	if resp, _ := applicantB.post(app+"/submit", url.Values{"version": {version(t, review)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", resp.StatusCode)
	}
	// Out of turn: approving before 受理 is refused.
	resp, body = officerAct(t, officer, id, url.Values{"action": {"approve"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("approve before 受理: %d", resp.StatusCode)
	}
	if resp, body = officerAct(t, officer, id, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("受理: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, page := officer.get("/officer/applications/" + strconv.FormatInt(id, 10))
	mustContain(t, page, "已受理", "剩余 20 个工作日")
	if resp, body = officerAct(t, officer, id, url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("准予许可: %d %s", resp.StatusCode, errorsOf(body))
	}
	h, err := db.HoldingByIDNumber(context.Background(), demoApplicant(t, 0).IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	var renewed, old registry.Item
	for _, it := range h.Items() {
		if it.Ref.String() == "2019:Q2(限流动式起重机)" {
			renewed = it
		}
		if it.Ref.String() == "2011:Q8" {
			old = it
		}
	}
	if old.Status != registry.ItemSuperseded {
		t.Errorf("old Q8 status = %s, want superseded", old.Status)
	}
	if renewed.ValidUntil != old.ValidUntil.AddYears(4) || renewed.ApprovedOn != today || renewed.Status != registry.ItemValid {
		t.Errorf("renewed = %+v (old until %s)", renewed, old.ValidUntil)
	}
	// The documents issued so far open for the applicant and the officer.
	_, view := applicantB.get(app)
	mustContain(t, view, "补正告知书", "受理通知书", "准予许可决定书", "特种设备安全管理和作业人员证")
	for _, kind := range []string{"correction.pdf", "acceptance.pdf", "decision.pdf", "certificate.pdf"} {
		if resp, body := applicantB.get(app + "/notices/" + kind); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("applicant %s: %d", kind, resp.StatusCode)
		}
		if resp, _ := officer.get("/officer/applications/" + strconv.FormatInt(id, 10) + "/notices/" + kind); resp.StatusCode != 200 {
			t.Errorf("officer %s: %d", kind, resp.StatusCode)
		}
	}
	if resp, _ := applicantB.get(app + "/notices/not-accepted.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a notice never issued: %d", resp.StatusCode)
	}
	msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 10)
	var topics []string
	for _, m := range msgs {
		topics = append(topics, m.Topic)
	}
	// The resubmission after 补正 has its own message, not the 提交 one again.
	if got := strings.Join(topics, ","); !strings.HasPrefix(got, "approved,accepted,resubmitted,correction,submitted") {
		t.Errorf("SMS topics (newest first) = %s", got)
	}
}

func demoApplicant(t *testing.T, i int) struct{ IDNumber string } {
	t.Helper()
	return struct{ IDNumber string }{demoApplicants(t)[i]}
}

func TestOfficerOfAnotherDistrictSeesNothing(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	other := newBrowser(t, srv)
	login(t, other, "officer-310115")
	_, queue := other.get("/officer")
	if strings.Contains(queue, "张伟") {
		t.Error("浦东新区 queue lists a 徐汇区 application")
	}
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	for _, p := range []string{path, path + "/files/1"} {
		if resp, body := other.get(p); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "张伟") {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := other.post(path+"/act", url.Values{"action": {"accept"}, "version": {"3"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("act on another district's application: %d", resp.StatusCode)
	}
	// An admin sees every district.
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	if _, queue := admin.get("/officer"); !strings.Contains(queue, "张伟") {
		t.Error("admin does not see the application")
	}
	// An applicant is not staff.
	applicant := newBrowser(t, srv)
	login(t, applicant, "13800000002")
	if resp, _ := applicant.get("/officer"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("applicant on /officer: %d", resp.StatusCode)
	}
}

// Two officers press the same button on the same page at once (受理, then
// 准予许可): exactly one wins each time, the other is told the application
// changed, and nothing is applied twice: one accept, one new registry line.
func TestConcurrentActionsApplyOnce(t *testing.T) {
	srv, db := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	a, b := newBrowser(t, srv), newBrowser(t, srv)
	login(t, a, "officer-310104")
	login(t, b, "admin")
	race := func(action string) {
		t.Helper()
		_, page := a.get("/officer/applications/" + strconv.FormatInt(id, 10))
		ver := version(t, page)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, br := range []*browser{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, _ := officerAct(t, br, id, url.Values{"action": {action}, "version": {ver}})
				codes[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		wins := 0
		for _, c := range codes {
			if c == http.StatusSeeOther {
				wins++
			} else if c != http.StatusConflict {
				t.Errorf("%s: loser got %d, want 409", action, c)
			}
		}
		if wins != 1 {
			t.Fatalf("%s: codes = %v, want exactly one success", action, codes)
		}
	}
	race("accept")
	race("approve")
	ev, _ := db.Events(context.Background(), id)
	count := map[string]int{}
	for _, e := range ev {
		count[e.Action]++
	}
	if count["accept"] != 1 || count["approve"] != 1 {
		t.Fatalf("events = %v", count)
	}
	h, _ := db.HoldingByIDNumber(context.Background(), demoApplicant(t, 0).IDNumber)
	lines := 0
	for _, it := range h.Items() {
		if it.Ref.String() == "2019:Q2(限流动式起重机)" {
			lines++
		}
	}
	if lines != 1 {
		t.Fatalf("renewed lines in the registry = %d, want 1", lines)
	}
}

func TestCorrectionNeedsReasons(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	resp, body := officerAct(t, o, id, url.Values{"action": {"request_correction"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "一次性告知") {
		t.Fatalf("empty correction: %d", resp.StatusCode)
	}
	resp, body = officerAct(t, o, id, url.Values{"action": {"request_correction"}, "ask-field:education": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "学历") {
		t.Fatalf("correction without reason: %d", resp.StatusCode)
	}
	resp, _ = officerAct(t, o, id, url.Values{"action": {"not_accept"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("不予受理 without reason: %d", resp.StatusCode)
	}
}

func demoApplicants(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, a := range demoData().Applicants {
		out = append(out, a.IDNumber)
	}
	return out
}

// 新办 of a general item: 受理 sends it to the exam; the officer records
// the scores by hand (until the exam system reports them) and then decides.
func TestNewApplicationExamThenDecision(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	resp, body := b.post("/apply", url.Values{"authority": {"310104"}, "matter": {"new"}, "item": {"N1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("新办 N1: %d %s", resp.StatusCode, errorsOf(body))
	}
	app := strings.TrimSuffix(resp.Header.Get("Location"), "/edit/commitment")
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	fillBasic(t, b, app)
	for _, key := range []string{"id_card", "education", "health"} {
		uploadMaterial(t, b, app, key, key+".pdf", minimalPDF)
	}
	_, review := b.get(app + "/edit/review")
	if resp, body := b.post(app+"/submit", url.Values{"version": {version(t, review)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, errorsOf(body))
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(app, "/applications/"), 10, 64)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	if resp, body := officerAct(t, o, id, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "受理（待考试）") && !strings.Contains(body, "应选择") {
		t.Fatalf("plain 受理 of a 新办: %d %s", resp.StatusCode, errorsOf(body))
	}
	if resp, body := officerAct(t, o, id, url.Values{"action": {"accept_for_exam"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("受理 for exam: %d %s", resp.StatusCode, errorsOf(body))
	}
	// A failed subject is recorded too, and leaves one 补考 (SOURCES.md §3, S11).
	if resp, body := officerAct(t, o, id, url.Values{"action": {"record_exam"}, "theory": {"69"}, "practical": {"90"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("failed exam: %d %s", resp.StatusCode, errorsOf(body))
	}
	if _, page := o.get("/officer/applications/" + strconv.FormatInt(id, 10)); !strings.Contains(page, "理论知识考试 69 分，未达到 70 分合格线；可补考一次") || !strings.Contains(page, "待考试") {
		t.Fatalf("after the failed exam: %s", errorsOf(page))
	}
	if msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 1); msgs[0].Topic != "exam_failed" || !strings.Contains(msgs[0].Body, "可补考一次") {
		t.Fatalf("SMS %+v", msgs)
	}
	if resp, body := officerAct(t, o, id, url.Values{"action": {"record_exam"}, "theory": {"80"}, "practical": {"75"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("passed exam: %d %s", resp.StatusCode, errorsOf(body))
	}
	if resp, body := officerAct(t, o, id, url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", resp.StatusCode, errorsOf(body))
	}
	h, _ := db.HoldingByIDNumber(context.Background(), demoApplicant(t, 0).IDNumber)
	found := false
	for _, it := range h.Items() {
		if it.Ref.String() == "2019:N1" && it.ApprovedOn == today && it.ValidUntil == today.AddYears(4).AddDays(-1) {
			found = true
		}
	}
	if !found {
		t.Fatal("new N1 line not in the registry")
	}
}

func TestAdminTransfer(t *testing.T) {
	srv, db := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	_, page := admin.get(path)
	if resp, _ := admin.post(path+"/transfer", url.Values{"to": {"310115"}, "version": {version(t, page)}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("transfer without reason: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(path+"/transfer", url.Values{"to": {"310115"}, "reason": {"单位注册地址已迁至浦东新区"}, "version": {version(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer: %d", resp.StatusCode)
	}
	xh, pd := newBrowser(t, srv), newBrowser(t, srv)
	login(t, xh, "officer-310104")
	login(t, pd, "officer-310115")
	if resp, _ := xh.get(path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("old district still sees it: %d", resp.StatusCode)
	}
	if resp, body := pd.get(path); resp.StatusCode != 200 || !strings.Contains(body, "单位注册地址已迁至浦东新区") {
		t.Errorf("new district: %d", resp.StatusCode)
	}
	// Officers cannot transfer.
	_, page = pd.get(path)
	if resp, _ := pd.post(path+"/transfer", url.Values{"to": {"310104"}, "reason": {"x"}, "version": {version(t, page)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("officer transfer: %d", resp.StatusCode)
	}
	_ = db
}

// 一次性告知: a second 补正 round about something the first did not ask
// needs a written justification.
func TestSecondCorrectionRoundNeedsJustification(t *testing.T) {
	_, o, _, id := correctedOnce(t)
	// The same material again needs no justification; a new one does.
	resp, body := officerAct(t, o, id, url.Values{"action": {"request_correction"}, "ask-field:education": {"1"}, "reason-field:education": {"学历不符"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "再次补正说明") {
		t.Fatalf("new target without justification: %d %s", resp.StatusCode, errorsOf(body))
	}
	resp, body = officerAct(t, o, id, url.Values{"action": {"request_correction"}, "ask-field:education": {"1"}, "reason-field:education": {"学历不符"},
		"justification": {"补正后的身份证显示的出生日期与学历证明不一致，需核实学历"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with justification: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, page := o.get("/officer/applications/" + strconv.FormatInt(id, 10))
	mustContain(t, page, "再次补正说明：补正后的身份证显示的出生日期与学历证明不一致")
}

// Every officer view of personal data and every action is in the audit
// log, and the chain verifies.
func TestOfficerViewsAndActionsAreAudited(t *testing.T) {
	srv, db := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}}) // views the page first, then acts
	entries, err := db.AuditEntries(context.Background(), "application:"+strconv.FormatInt(id, 10), 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action+"|"+e.Before+"|"+e.After)
	}
	if got := strings.Join(actions, ","); got != "accept|status=submitted|status=accepted,view_application||" {
		t.Fatalf("audit = %s", got)
	}
	if n, _, err := db.VerifyAudit(context.Background(), ""); err != nil || n != 2 {
		t.Fatalf("verify: %d %v", n, err)
	}
}

func TestAdminEditsSMSTemplates(t *testing.T) {
	srv, db := newDemoServer(t, true)
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page := admin.get("/admin/sms-templates")
	mustContain(t, page, "短信模板", "{申请号}")
	form := url.Values{}
	for _, topic := range notify.Topics {
		form.Set("body-"+topic, "申请 {申请号} 状态变化")
	}
	form.Set("body-accepted", "您好{姓名}")
	resp, body := admin.post("/admin/sms-templates", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不认识的占位符“{姓名}”") {
		t.Fatalf("bad template: %d", resp.StatusCode)
	}
	form.Set("body-accepted", "【测试】{申请号} 已由{受理机关}受理")
	if resp, body := admin.post("/admin/sms-templates", form); resp.StatusCode != 200 || !strings.Contains(body, "短信模板已保存") {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, id := submitQ8(t, newBrowser(t, srv))
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}})
	msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 1)
	if !strings.HasPrefix(msgs[0].Body, "【测试】") || !strings.Contains(msgs[0].Body, "徐汇区市场监督管理局受理") {
		t.Fatalf("SMS = %q", msgs[0].Body)
	}
	// Officers cannot edit templates.
	if resp, _ := o.get("/admin/sms-templates"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer: %d", resp.StatusCode)
	}
}

func TestQueueFilters(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	submitQ8(t, newBrowser(t, srv)) // due in 5 working days
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	for q, want := range map[string]bool{
		"days=5": true, "days=4": false, "overdue=1": false, "status=submitted": true, "status=accepted": false,
		"matter=renew": true, "matter=new": false, "item=" + url.QueryEscape("Q2(限流动式起重机)"): true, "item=N1": false,
	} {
		_, body := o.get("/officer?" + q)
		if strings.Contains(body, "张伟") != want {
			t.Errorf("%s: listed = %v, want %v", q, !want, want)
		}
	}
}

func TestOfficerSeesPhotoAndForm(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	o, other := newBrowser(t, srv), newBrowser(t, srv)
	login(t, o, "officer-310104")
	login(t, other, "officer-310115")
	if resp, _ := o.get(path + "/photo"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, body := o.get(path + "/form.pdf"); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("form: %d", resp.StatusCode)
	}
	for _, p := range []string{path + "/photo", path + "/form.pdf"} {
		if resp, _ := other.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s from another district: %d", p, resp.StatusCode)
		}
	}
}

// The one search box finds an application by 申请号, 证件号码 or name; the
// filtered list downloads as a spreadsheet, the export audited.
func TestQueueSearchAndExport(t *testing.T) {
	srv, db := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	a, err := db.ApplicationIn(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	zhang := demoApplicant(t, 0)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	for q, want := range map[string]bool{
		a.Number: true, "261231999999": false, zhang.IDNumber: true, strings.ToLower(zhang.IDNumber): true,
		"110105194912310038": false, "张伟": true, "李娜": false,
	} {
		_, body := o.get("/officer?q=" + url.QueryEscape(q))
		if strings.Contains(body, "<td data-label=\"申请人\">张伟</td>") != want {
			t.Errorf("search %q: listed = %v, want %v", q, !want, want)
		}
	}
	// Another district's officer finds nothing, whatever is typed.
	far := newBrowser(t, srv)
	login(t, far, "officer-310115")
	if _, body := far.get("/officer?q=" + a.Number); strings.Contains(body, "张伟") {
		t.Error("another district's officer found the application")
	}

	_, page := o.get("/officer?q=" + url.QueryEscape("张伟"))
	mustContain(t, strings.ToLower(page), `id="queue-export"`, "q=%e5%bc%a0%e4%bc%9f")
	resp, body := o.get("/officer/export.xlsx?q=" + url.QueryEscape("张伟"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("办件")
	if len(rows) != 2 || rows[0][0] != "申请号" || rows[1][0] != a.Number || rows[1][1] != "张伟" || !strings.Contains(rows[1][7], "剩余") {
		t.Fatalf("export rows %q", rows)
	}
	entries, _ := db.AuditEntriesFrom(context.Background(), 0, 1000)
	var audited bool
	for _, e := range entries {
		audited = audited || (e.Action == "export_queue" && strings.Contains(e.Subject, "张伟"))
	}
	if !audited {
		t.Error("export not audited")
	}
	applicant := newBrowser(t, srv)
	login(t, applicant, "13800000002")
	if resp, _ := applicant.get("/officer/export.xlsx"); resp.StatusCode == http.StatusOK {
		t.Error("an applicant exported the queue")
	}
}

// correctedOnce is 张伟's Q8 复审 after one 补正 round about the ID scan,
// re-submitted with a new scan: the officer of 徐汇区 has it again.
func correctedOnce(t *testing.T) (applicant, officer *browser, app string, id int64) {
	t.Helper()
	srv, _ := newDemoServer(t, true)
	applicant = newBrowser(t, srv)
	app, id = submitQ8(t, applicant)
	officer = newBrowser(t, srv)
	login(t, officer, "officer-310104")
	if resp, _ := officerAct(t, officer, id, url.Values{"action": {"request_correction"}, "ask-material:id_card": {"1"}, "reason-material:id_card": {"不清晰"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first round: %d", resp.StatusCode)
	}
	uploadMaterial(t, applicant, app, "id_card", "新.pdf", minimalPDF)
	_, review := applicant.get(app + "/edit/review")
	applicant.post(app+"/submit", url.Values{"version": {version(t, review)}})
	return applicant, officer, app, id
}
