package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// browser is a client with its own cookies that does not follow redirects,
// so tests see where each step sends the person.
type browser struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t, srv, c}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func newDemoServer(t *testing.T, demoMode bool) (*httptest.Server, *store.DB) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	files := testFiles(t)
	if err := demo.PutFiles(context.Background(), files); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: scannedLogger(t), Today: func() civil.Date { return today }, Demo: demoMode, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, db
}

var codeRE = regexp.MustCompile(`验证码为 (\d{6})`)

func latestCode(t *testing.T, db *store.DB, mobile string) string {
	t.Helper()
	msgs, err := db.RecentOutbox(context.Background(), mobile, 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no SMS for %s: %v", mobile, err)
	}
	m := codeRE.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("no code in %q", msgs[0].Body)
	}
	return m[1]
}

func TestPasswordLoginAndLogout(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	resp, _ := b.post("/login/password", url.Values{"login": {"13800000001"}, "password": {demo.Password}, "next": {"/guide/renew"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/guide/renew" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := b.get("/")
	mustContain(t, body, "您好，张伟", "退出")
	b.post("/logout", nil)
	_, body = b.get("/")
	if strings.Contains(body, "您好") {
		t.Fatal("still logged in after 退出")
	}
}

// The home page a visitor sees is rendered once and kept; a logged-in
// person's is not, and neither leaks into the other.
func TestHomePageForVisitorsAndAccounts(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	visitor, person := newBrowser(t, srv), newBrowser(t, srv)
	resp, first := person.post("/login/password", url.Values{"login": {"13800000001"}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d %s", resp.StatusCode, first)
	}
	_, mine := person.get("/")
	mustContain(t, mine, "您好，张伟")
	for range 2 {
		_, page := visitor.get("/")
		mustContain(t, page, "登录", "证书查询", "徐汇区市场监督管理局")
		if strings.Contains(page, "您好") {
			t.Fatal("a visitor sees a logged-in page")
		}
		_, mine = person.get("/")
		mustContain(t, mine, "您好，张伟")
	}
	_, chosen := visitor.get("/?authority=310104")
	mustContain(t, chosen, `<option value="310104" selected>`)
}

// While as many passwords are being hashed as there are cores, a login
// waits auth.PasswordWait and is then told the system is busy, with the
// login it typed kept; once a slot is free the same login goes through.
func TestPasswordLoginWhenHashingIsBusy(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	defer func(w time.Duration) { auth.PasswordWait = w }(auth.PasswordWait)
	auth.PasswordWait = time.Millisecond
	release := auth.TakeAllHashSlotsForTest()
	resp, body := b.post("/login/password", url.Values{"login": {"13800000001"}, "password": {demo.Password}})
	release()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("busy: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mustContain(t, body, "系统繁忙", `value="13800000001"`)
	if strings.Contains(body, demo.Password) {
		t.Fatal("the password is shown again")
	}
	resp, _ = b.post("/login/password", url.Values{"login": {"13800000001"}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the busy moment: %d", resp.StatusCode)
	}
}

// Logins are kept sealed and found by their HMACs: an applicant's mobile
// logs in written as the SMS forms take it, staff and 单位 names exactly
// as they are (a user name in another case is someone else).
func TestPasswordLoginByMobileAndByName(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	for _, c := range []struct {
		login, hello string
	}{
		{"13800000001", "您好，张伟"}, {"138 0000 0001", "您好，张伟"}, {"+86 138-0000-0001", "您好，张伟"},
		{"officer-310104", "您好，徐汇区受理员"}, {"admin", "您好，系统管理员"},
	} {
		b := newBrowser(t, srv)
		if resp, body := b.post("/login/password", url.Values{"login": {c.login}, "password": {demo.Password}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("login %q: %d %s", c.login, resp.StatusCode, body)
			continue
		}
		_, body := b.get("/")
		mustContain(t, body, c.hello)
	}
	for _, login := range []string{"Officer-310104", "x13800000001", "1380000000"} {
		_, body := newBrowser(t, srv).post("/login/password", url.Values{"login": {login}, "password": {demo.Password}})
		mustContain(t, body, "手机号（登录名）或密码不正确")
	}
}

func TestPasswordLoginRefusals(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	resp, body := b.post("/login/password", url.Values{"login": {""}, "password": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, body, "请修改以下内容", "手机号或登录名：请输入手机号或登录名", "密码：请输入密码")
	// An unknown account gets the same words as a wrong password.
	_, body = b.post("/login/password", url.Values{"login": {"13899999999"}, "password": {"whatever1"}})
	mustContain(t, body, "手机号（登录名）或密码不正确")
}

func TestSMSLogin(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	_, body := b.post("/login/sms", url.Values{"mobile": {"138 0000 0002"}, "action": {"send_code"}})
	mustContain(t, body, "验证码已发送至 138****0002", `value="13800000002"`)
	code := latestCode(t, db, "13800000002")
	resp, body := b.post("/login/sms", url.Values{"mobile": {"13800000002"}, "code": {"000000"}, "action": {"login"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "验证码不正确") {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	resp, _ = b.post("/login/sms", url.Values{"mobile": {"13800000002"}, "code": {code}, "action": {"login"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right code: %d", resp.StatusCode)
	}
	_, body = b.get("/")
	mustContain(t, body, "您好，李娜")
	// Resending at once is refused with the wait stated.
	_, body = b.post("/login/sms", url.Values{"mobile": {"13800000002"}, "action": {"send_code"}})
	mustContain(t, body, "秒后再重新获取")
	// A bad number names the field.
	_, body = b.post("/login/sms", url.Values{"mobile": {"12345"}, "action": {"send_code"}})
	mustContain(t, body, "手机号：")
}

func TestRegister(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	form := url.Values{"name": {"周新"}, "id_type": {"居民身份证"}, "id_number": {"110105198001010016"}, "mobile": {"13912345678"},
		"password": {"Newpass2026"}, "password2": {"Newpass2026"}, "next": {"/guide/new"}}
	form.Set("action", "send_code")
	_, body := b.post("/register", form)
	mustContain(t, body, "验证码已发送", `value="周新"`, `value="110105198001010016"`)
	form.Set("action", "register")
	form.Set("code", latestCode(t, db, "13912345678"))
	resp, _ := b.post("/register", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/guide/new" {
		t.Fatalf("register: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get("/")
	mustContain(t, body, "您好，周新")
	u, err := db.UserByMobile(context.Background(), "13912345678")
	if err != nil || u.HolderID == 0 {
		t.Fatalf("account: %+v %v", u, err)
	}
}

func TestRegisterRefusals(t *testing.T) {
	srv, db := newDemoServer(t, true)
	zhang := demo.Build(catalog.Default(), today).Applicants[0]
	wrongCheck := "110105198001010017"
	cases := []struct {
		name string
		form url.Values
		want []string
	}{
		{"wrong ID checksum", url.Values{"name": {"周新"}, "id_type": {"居民身份证"}, "id_number": {wrongCheck}, "mobile": {"13912345678"}, "code": {"1"}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}},
			[]string{"证件号码：身份证号码最后一位校验码", `value="` + wrongCheck + `"`, `value="周新"`}},
		{"impossible birth date", url.Values{"name": {"周新"}, "id_type": {"居民身份证"}, "id_number": {"110105198002300015"}, "mobile": {"13912345678"}, "code": {"1"}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}},
			[]string{"证件号码：", "不存在"}},
		{"missing fields", url.Values{"id_type": {"居民身份证"}},
			[]string{"姓名：请输入姓名", "证件号码：请输入证件号码", "手机号：", "短信验证码：请输入短信验证码", "密码："}},
		{"weak password", url.Values{"name": {"周新"}, "id_type": {"居民身份证"}, "id_number": {"110105198001010016"}, "mobile": {"13912345678"}, "code": {"1"}, "password": {"short"}, "password2": {"short"}},
			[]string{"密码：密码至少8位"}},
		{"passwords differ", url.Values{"name": {"周新"}, "id_type": {"居民身份证"}, "id_number": {"110105198001010016"}, "mobile": {"13912345678"}, "code": {"1"}, "password": {"Newpass2026"}, "password2": {"Newpass2027"}},
			[]string{"确认密码：两次输入的密码不一致"}},
		{"wrong SMS code", url.Values{"name": {"周新"}, "id_type": {"居民身份证"}, "id_number": {"110105198001010016"}, "mobile": {"13912345678"}, "code": {"999999"}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}},
			[]string{"短信验证码："}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			c.form.Set("action", "register")
			resp, body := b.post("/register", c.form)
			if resp.StatusCode == http.StatusSeeOther {
				t.Fatal("registered")
			}
			mustContain(t, body, append([]string{"请修改以下内容"}, c.want...)...)
			if strings.Contains(body, "Newpass2026") {
				t.Error("password echoed back into the page")
			}
		})
	}
	t.Run("someone else's ID number", func(t *testing.T) {
		b := newBrowser(t, srv)
		f := url.Values{"name": {"冒名"}, "id_type": {"居民身份证"}, "id_number": {zhang.IDNumber}, "mobile": {"13912345670"}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}}
		f.Set("action", "send_code")
		b.post("/register", f)
		f.Set("action", "register")
		f.Set("code", latestCode(t, db, "13912345670"))
		_, body := b.post("/register", f)
		mustContain(t, body, "姓名：姓名与证件号码不一致")
	})
}

func TestQRLogin(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	desktop, phone, stranger := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
	_, body := desktop.get("/login/qr?next=/guide/renew")
	m := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no token on the QR page")
	}
	token := m[1]
	mustContain(t, body, "扫码登录", "data:image/png;base64,", "/login/qr/confirm?t=")
	check := "/login/qr/check?t=" + url.QueryEscape(token) + "&next=/guide/renew"
	_, body = desktop.get(check)
	mustContain(t, body, "尚未在手机上确认登录")

	// The phone must be logged in to confirm.
	resp, _ := phone.get("/login/qr/confirm?t=" + url.QueryEscape(token))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("phone not logged in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	phone.post("/login/password", url.Values{"login": {"13800000003"}, "password": {demo.Password}})
	_, body = phone.get("/login/qr/confirm?t=" + url.QueryEscape(token))
	mustContain(t, body, "王强", "确认登录")
	_, body = phone.post("/login/qr/confirm", url.Values{"t": {token}})
	mustContain(t, body, "已确认登录")

	// Another browser without the desktop's poll cookie cannot take it.
	_, body = stranger.get(check)
	mustContain(t, body, "二维码已过期或已使用")

	resp, _ = desktop.get(check)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/guide/renew" {
		t.Fatalf("desktop after confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = desktop.get("/")
	mustContain(t, body, "您好，王强")
	_, body = stranger.get("/")
	if strings.Contains(body, "您好") {
		t.Fatal("stranger logged in")
	}
	// Single use.
	resp, body = desktop.get(check)
	mustContain(t, body, "二维码已过期或已使用")
}

func TestDevSMSOnlyInDemo(t *testing.T) {
	srv, _ := newDemoServer(t, false)
	if resp, _ := newBrowser(t, srv).get("/dev/sms"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("dev page outside demo: %d", resp.StatusCode)
	}
	srv2, _ := newDemoServer(t, true)
	b := newBrowser(t, srv2)
	b.post("/login/sms", url.Values{"mobile": {"13800000005"}, "action": {"send_code"}})
	_, body := b.get("/dev/sms?mobile=13800000005")
	mustContain(t, body, "短信发件箱", "13800000005", "登录验证码为")
}

func TestSessionExtendNeedsLogin(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	if resp, _ := b.post("/session/extend", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", resp.StatusCode)
	}
	b.post("/login/password", url.Values{"login": {"admin"}, "password": {demo.Password}})
	resp, body := b.post("/session/extend", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"ends"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
