package web_test

import (
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
