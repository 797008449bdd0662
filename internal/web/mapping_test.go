package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// manualStart types in an out-of-town certificate on 手工录入 for 张伟 and
// returns the draft's path.
func manualStart(t *testing.T, b *browser, lines ...url.Values) string {
	t.Helper()
	id := demoApplicant(t, 0).IDNumber
	form := url.Values{"authority": {"310104"}, "matter": {"renew"}, "name": {"张伟"}, "cert_number": {id}, "id_type": {"居民身份证"},
		"id_number": {id}, "issued_by": {"苏州市市场监督管理局"}, "issued_on": {today.AddYears(-4).String()}}
	for i, l := range lines {
		form.Set("renew-"+strconv.Itoa(i+1), "1") // 选择复审 is ticked unless a line says otherwise
		for k, v := range l {
			form[k+"-"+strconv.Itoa(i+1)] = v
		}
	}
	resp, body := b.post("/apply/manual", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("手工录入: %d %s", resp.StatusCode, errorsOf(body))
	}
	return strings.TrimSuffix(resp.Header.Get("Location"), "/edit/commitment")
}

// A 换发 rule the catalogue has not confirmed (Q9 → Q2(限升降机)) is applied,
// and the officer is shown that it still needs confirming.
func TestOfficerSeesUnconfirmedMapping(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := manualStart(t, b, url.Values{"edition": {"2011"}, "code": {"Q9"}, "name": {"升降机司机"}, "category": {"起重机械作业"},
		"from": {today.AddYears(-4).AddMonths(2).String()}, "until": {today.AddMonths(2).String()}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	fillBasic(t, b, app)
	for _, m := range []string{"id_card", "orig_cert_photo", "orig_cert_first", "orig_cert_renewal"} {
		uploadMaterial(t, b, app, m, m+".pdf", minimalPDF)
	}
	_, review := b.get(app + "/edit/review")
	if strings.Contains(review, "对应关系待确认") {
		t.Error("the applicant is shown the officers' flag")
	}
	if resp, body := b.post(app+"/submit", url.Values{"version": {version(t, review)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, errorsOf(body))
	}
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	_, page := o.get("/officer/applications/" + strings.TrimPrefix(app, "/applications/"))
	mustContain(t, page, "对应关系待确认", "此对应关系尚未经权威来源确认，办理前请核实")
}

// An item already under way is greyed at selection with a link to its
// application, not refused only at the final 提交.
func TestItemUnderWayGreyedAtSelection(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app, _ := submitQ8(t, b)
	_, page := b.get("/apply?authority=310104&matter=renew")
	mustContain(t, page, "已有正在办理的申请（申请号", `href="`+app+`" class="under-way"`)
	if resp, body := b.post("/apply", url.Values{"authority": {"310104"}, "matter": {"renew"}, "item": {"0"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不可选择") && !strings.Contains(body, "已有正在办理的申请") {
		t.Fatalf("choosing it anyway: %d %s", resp.StatusCode, errorsOf(body))
	}
	// 新办 of an item under way is greyed the same way.
	resp, _ := b.post("/apply", url.Values{"authority": {"310104"}, "matter": {"new"}, "item": {"N1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("新办 N1: %d", resp.StatusCode)
	}
	n1 := strings.TrimSuffix(resp.Header.Get("Location"), "/edit/commitment")
	step(t, b, n1, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	fillBasic(t, b, n1)
	for _, key := range []string{"id_card", "education", "health"} {
		uploadMaterial(t, b, n1, key, key+".pdf", minimalPDF)
	}
	_, review := b.get(n1 + "/edit/review")
	b.post(n1+"/submit", url.Values{"version": {version(t, review)}})
	_, page = b.get("/apply?authority=310104&matter=new")
	mustContain(t, page, `href="`+n1+`" class="under-way"`)
}

// The documents issued are linked from the 办件查询 row itself (seed 001
// 第三部分: 点击“受理通知书”会下载…).
func TestNoticesLinkedFromTheList(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app, id := submitQ8(t, b)
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}})
	_, list := b.get("/applications")
	mustContain(t, list, `href="`+app+`/notices/acceptance.pdf" class="notice-link">受理通知书</a>`)
	if resp, body := b.get(app + "/notices/acceptance.pdf"); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("受理通知书 from the list: %d", resp.StatusCode)
	}
}

// The 手工录入 error summary links to the very input of each problem.
func TestManualErrorsLinkToTheirInputs(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	id := demoApplicant(t, 0).IDNumber
	form := url.Values{"authority": {"310104"}, "matter": {"renew"}, "name": {"张伟"}, "cert_number": {id}, "id_type": {"居民身份证"},
		"id_number": {id}, "issued_by": {"苏州市市场监督管理局"}, "issued_on": {today.AddYears(-4).String()},
		"edition-1": {"2011"}, "code-1": {"T1"}, "from-1": {today.AddYears(-4).AddMonths(2).String()}, "until-1": {today.AddMonths(2).String()}, "renew-1": {"1"},
		"edition-2": {"2011"}, "code-2": {"ZZ9"}, "from-2": {today.AddYears(-4).String()}, "until-2": {""}, "renew-2": {"1"}}
	resp, body := b.post("/apply/manual", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad line: %d", resp.StatusCode)
	}
	for _, anchor := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(body[strings.Index(body, "error-summary"):], -1) {
		if !strings.Contains(body, `id="`+anchor[1]+`"`) {
			t.Errorf("the summary links to #%s, which no element has", anchor[1])
		}
	}
	mustContain(t, body, `href="#code-2"`)
}
