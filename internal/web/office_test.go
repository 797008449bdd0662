package web_test

import (
	"context"
	"net/http"
	"net/url"
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
	srv, _ := newDemoServer(t, true)
	applicantB := newBrowser(t, srv)
	app, id := submitQ8(t, applicantB)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	if resp, _ := officerAct(t, o, id, url.Values{"action": {"request_correction"}, "ask-material:id_card": {"1"}, "reason-material:id_card": {"不清晰"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first round: %d", resp.StatusCode)
	}
	uploadMaterial(t, applicantB, app, "id_card", "新.pdf", minimalPDF)
	_, review := applicantB.get(app + "/edit/review")
	applicantB.post(app+"/submit", url.Values{"version": {version(t, review)}})
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
