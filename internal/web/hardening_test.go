package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"opcert/internal/auth"
)

// After login the browser goes back only to a path of this service: a tab
// or newline that browsers drop, a backslash they turn into "/", a scheme,
// a host or "//" all send it home instead.
func TestLoginNextStaysOnTheSite(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	for next, want := range map[string]string{
		"/\t/evil.example":              "/",
		"/\n/evil.example":              "/",
		"//evil.example":                "/",
		"/\\evil.example":               "/",
		"/a\\b":                         "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/%2F%2Fevil.example":           "/",
		"/guide/renew?authority=310104": "/guide/renew?authority=310104",
		"/applications":                 "/applications",
	} {
		resp, _ := b.get("/login?next=" + url.QueryEscape(next))
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("next=%q: %d Location %q, want %q", next, resp.StatusCode, got, want)
		}
	}
}

// An upload spilled to a temporary file is removed when the request ends:
// net/http cleans only the request it parsed itself.
func TestUploadsLeaveNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app := renewalAtMaterials(t, b)
	big := append([]byte("%PDF-1.4\n"), make([]byte, 3<<20)...)
	for range 3 {
		uploadMaterial(t, b, app, "education", "学历.pdf", big)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
	if len(left) > 0 {
		t.Fatalf("%d multipart files left in the temporary folder", len(left))
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files left in the temporary folder: %s", strings.Join(names, ", "))
	}
}

// The 受理机构 is fixed at submission: a 补正 of 单位信息 that changes the
// district is shown to the officer as a change and does not move the case,
// and the applicant's next save does not undo an admin's transfer.
func TestAuthorityFixedAtSubmission(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app, id := submitQ8(t, b)
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	_, page := admin.get(path)
	if resp, _ := admin.post(path+"/transfer", url.Values{"to": {"310115"}, "reason": {"单位已迁址"}, "version": {version(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer: %d", resp.StatusCode)
	}
	pd := newBrowser(t, srv)
	login(t, pd, "officer-310115")
	officerAct(t, pd, id, url.Values{"action": {"request_correction"}, "ask-field:employer": {"1"}, "reason-field:employer": {"单位名称与营业执照不一致"}})
	code, body := step(t, b, app, "basic", url.Values{"action": {"sync_employer"}, "employer_name": {"上海闵行物流叉车有限公司"}, "credit_code": {""}}, "", "", nil)
	if code != 200 || !strings.Contains(body, "已同步单位信息") {
		t.Fatalf("sync in 补正: %d %s", code, errorsOf(body))
	}
	step(t, b, app, "basic", url.Values{"action": {"save"}}, "", "", nil)
	a, _ := appByID(db, id)
	if a.AuthorityCode != "310115" {
		t.Fatalf("the 补正 moved the case to %s", a.AuthorityCode)
	}
	_, page = pd.get(path)
	mustContain(t, page, `id="routed-elsewhere"`, "闵行区市场监督管理局")
}

// An officer's download of the 申请表 (full 证件号码, phone, photo) and of a
// notice is audited; asking for a file that does not exist is not a view.
func TestOfficerDownloadsAudited(t *testing.T) {
	srv, db := newDemoServer(t, true)
	_, id := submitQ8(t, newBrowser(t, srv))
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"accept"}})
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	for _, p := range []string{path + "/form.pdf", path + "/notices/acceptance.pdf"} {
		if resp, _ := o.get(p); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := o.get(path + "/files/999999"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing file: %d", resp.StatusCode)
	}
	entries, _ := db.AuditEntriesFrom(context.Background(), 1, 100)
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action+" "+e.Subject] = true
	}
	for _, want := range []string{"view_form application:" + strconv.FormatInt(id, 10), "view_notice application:" + strconv.FormatInt(id, 10) + "/notice:acceptance.pdf"} {
		if !seen[want] {
			t.Errorf("no audit line %q", want)
		}
	}
	if seen["view_material application:"+strconv.FormatInt(id, 10)+"/file:999999"] {
		t.Error("a file that does not exist was audited as viewed")
	}
}

// An Origin of this host but another scheme is another origin (RFC 6454),
// and a broken multipart body is told plainly, on the step.
func TestOriginSchemeAndMalformedUploads(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	req, _ := http.NewRequest("POST", srv.URL+app+"/edit/commitment", strings.NewReader("action=save"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://"+strings.TrimPrefix(srv.URL, "http://"))
	if resp, _ := b.do(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("https Origin on http: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", srv.URL+app+"/edit/materials?material=id_card", strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	resp, body := b.do(req)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "提交的内容无法识别") || !strings.Contains(body, `id="wizard-form"`) {
		t.Fatalf("malformed multipart: %d %s", resp.StatusCode, errorsOf(body))
	}
}

// Nothing tells a stranger which numbers are registered: 获取验证码 answers
// alike, limits included, and a password login of an unknown account costs
// the same password check as one of a real account.
func TestNoAccountEnumeration(t *testing.T) {
	srv, db := newDemoServer(t, true)
	for _, mobile := range []string{"13800000001", "13999999999"} {
		b := newBrowser(t, srv)
		var got []string
		for range 2 {
			resp, body := b.post("/login/sms", url.Values{"action": {"send_code"}, "mobile": {mobile}})
			msg := regexp.MustCompile(`(验证码已发送[^<。]*)`).FindString(body)
			got = append(got, strconv.Itoa(resp.StatusCode)+" "+msg)
		}
		if want := "200 验证码已发送至 " + mobile[:3] + "****" + mobile[7:] + "，5分钟内有效|429 验证码已发送，请 60 秒后再重新获取"; strings.Join(got, "|") != want {
			t.Errorf("%s: %q, want %q", mobile, got, want)
		}
	}
	if msgs, _ := db.RecentOutbox(context.Background(), "13999999999", 5); len(msgs) != 0 {
		t.Fatal("a code was sent to an unregistered number")
	}
	b := newBrowser(t, srv)
	for _, login := range []string{"13800000001", "13999999999"} {
		before := auth.PasswordChecks()
		resp, body := b.post("/login/password", url.Values{"login": {login}, "password": {"Wrong@2026x"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "手机号（登录名）或密码不正确") {
			t.Fatalf("%s: %d", login, resp.StatusCode)
		}
		if n := auth.PasswordChecks() - before; n != 1 {
			t.Errorf("login %s computed %d password checks, want 1 like any other", login, n)
		}
	}
}
