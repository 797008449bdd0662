package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/idcheck"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// storeClock is a store storeClock the test moves by hand.
type storeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *storeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *storeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// newProxiedServer is the demo service behind a reverse proxy at 127.0.0.1
// (trusted when trust is set); each visitor's address comes in
// X-Forwarded-For.
func newProxiedServer(t *testing.T, trust bool, log ...io.Writer) (*httptest.Server, *store.DB, *storeClock) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	c := &storeClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, civil.ChinaTime)}
	db.SetClock(c.now)
	logger := scannedLogger(t)
	if len(log) > 0 {
		logger = slog.New(slog.NewTextHandler(log[0], nil))
	}
	o := web.Options{Store: db, Catalog: cat, Logger: logger, Today: func() civil.Date { return today }, Demo: true, Files: testFiles(t)}
	if trust {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}
	s, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, db, c
}

// visitor is a browser at its own address behind the proxy.
type visitor struct {
	*browser
	addr string
}

func (v visitor) login(form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest("POST", v.srv.URL+"/login/password", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", v.addr)
	return v.do(req)
}

var captchaIDRE = regexp.MustCompile(`name="captcha_id" value="([^"]+)"`)

// solve answers the captcha the page shows, as a person reading it would.
func solve(t *testing.T, db *store.DB, body string) url.Values {
	t.Helper()
	m := captchaIDRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no captcha on the page:\n%s", body)
	}
	answer, err := db.CaptchaAnswer(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"captcha_id": {m[1]}, "captcha": {answer}}
}

func with(a, b url.Values) url.Values {
	out := url.Values{}
	for _, v := range []url.Values{a, b} {
		for k, vs := range v {
			out[k] = vs
		}
	}
	return out
}

// Wrong passwords slow the one who types them and bring a captcha; they
// never lock the owner out (OWASP ASVS 2.2.1): the owner, elsewhere, gets
// in with the right password and the captcha answered, and by SMS code
// without any.
func TestPasswordFailuresSlowTheGuesserNotTheOwner(t *testing.T) {
	srv, db, clk := newProxiedServer(t, true)
	guesser := visitor{newBrowser(t, srv), "203.0.113.7"}
	owner := visitor{newBrowser(t, srv), "198.51.100.20"}
	wrong := url.Values{"login": {"13800000001"}, "password": {"wrong-pass1"}}

	for i := range 3 {
		resp, body := guesser.login(wrong)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: %d", i+1, resp.StatusCode)
		}
		mustContain(t, body, "手机号（登录名）或密码不正确", `value="13800000001"`)
		if shown := captchaIDRE.MatchString(body); shown != (i == 2) {
			t.Fatalf("try %d: captcha shown %v", i+1, shown)
		}
	}
	// The guesser's next try on this account must wait, and waits longer
	// after each failure.
	resp, body := guesser.login(wrong)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("at once after 3 failures: %d", resp.StatusCode)
	}
	mustContain(t, body, "请 1 秒后再试，或使用短信验证码登录")
	clk.add(time.Second)
	resp, body = guesser.login(wrong)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("after the wait, without the captcha: %d", resp.StatusCode)
	}
	mustContain(t, body, "图形验证码：请输入图中的6位数字")
	resp, body = guesser.login(with(wrong, solve(t, db, body)))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("4th wrong password: %d", resp.StatusCode)
	}
	resp, body = guesser.login(with(wrong, solve(t, db, body)))
	mustContain(t, body, "请 2 秒后再试")
	// A captcha is answered once, and a wrong answer checks no password.
	clk.add(2 * time.Second)
	stale := solve(t, db, body)
	guesser.login(with(wrong, stale))
	clk.add(4 * time.Second)
	resp, body = guesser.login(with(url.Values{"login": {"13800000001"}, "password": {demo.Password}}, stale))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a used captcha: %d", resp.StatusCode)
	}
	mustContain(t, body, "图形验证码不正确或已过期")

	// The guesser fails once more just before the owner comes.
	clk.add(8 * time.Second)
	resp, body = guesser.login(with(wrong, solve(t, db, body)))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("another wrong password after the wait: %d", resp.StatusCode)
	}

	// The owner, elsewhere, does not wait: the account asks for a captcha,
	// and with it the right password gets in.
	right := url.Values{"login": {"13800000001"}, "password": {demo.Password}}
	resp, body = owner.login(right)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("owner without captcha: %d", resp.StatusCode)
	}
	resp, _ = owner.login(with(right, solve(t, db, body)))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner with the captcha: %d", resp.StatusCode)
	}
	// The guesser gained nothing by the owner's login: still waiting.
	resp, _ = guesser.login(wrong)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("guesser after the owner's login: %d", resp.StatusCode)
	}
}

// SMS login is never held back by password failures on the account.
func TestSMSLoginOpenDespitePasswordFailures(t *testing.T) {
	srv, db, clk := newProxiedServer(t, true)
	guesser := visitor{newBrowser(t, srv), "203.0.113.7"}
	for range 12 {
		guesser.login(url.Values{"login": {"13800000001"}, "password": {"wrong-pass1"}})
		clk.add(time.Minute)
	}
	b := newBrowser(t, srv)
	b.post("/login/sms", url.Values{"mobile": {"13800000001"}, "action": {"send_code"}})
	resp, _ := b.post("/login/sms", url.Values{"mobile": {"13800000001"}, "code": {latestCode(t, db, "13800000001")}, "action": {"login"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("SMS login after password failures: %d", resp.StatusCode)
	}
}

// Behind a trusted proxy, one client's failures on many accounts bring it a
// captcha and leave the other people behind the same proxy alone; without
// the proxy trusted, an X-Forwarded-For the client writes itself changes
// nothing.
func TestClientFailuresBehindAProxy(t *testing.T) {
	for _, trust := range []bool{true, false} {
		t.Run("trusted="+strconv.FormatBool(trust), func(t *testing.T) {
			srv, _, clk := newProxiedServer(t, trust)
			for i := range 30 {
				// A script spreads its guesses over accounts and, untrusted,
				// invents a new address for each.
				addr := "203.0.113.7"
				if !trust {
					addr = "192.0.2." + strconv.Itoa(i+1)
				}
				v := visitor{newBrowser(t, srv), addr}
				v.login(url.Values{"login": {"139000000" + strconv.Itoa(10+i)}, "password": {"wrong-pass1"}})
				clk.add(time.Second)
			}
			colleague := visitor{newBrowser(t, srv), "203.0.113.99"}
			resp, body := colleague.login(url.Values{"login": {"13800000002"}, "password": {demo.Password}})
			if trust && resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("another person behind the proxy: %d\n%s", resp.StatusCode, body)
			}
			if !trust && (resp.StatusCode != http.StatusUnprocessableEntity || !captchaIDRE.MatchString(body)) {
				t.Fatalf("untrusted proxy, all one client: %d, captcha %v", resp.StatusCode, captchaIDRE.MatchString(body))
			}
		})
	}
}

// The captcha's picture and its spoken version are drawn from the stored
// digits; once answered (or unknown) there is nothing to draw.
func TestCaptchaPictureAndAudio(t *testing.T) {
	srv, db, _ := newProxiedServer(t, true)
	v := visitor{newBrowser(t, srv), "203.0.113.7"}
	var body string
	for range 3 {
		_, body = v.login(url.Values{"login": {"13800000001"}, "password": {"wrong-pass1"}})
	}
	id := captchaIDRE.FindStringSubmatch(body)[1]
	mustContain(t, body, `src="/captcha/`+id+`"`, `href="/captcha/`+id+`/audio"`, "收听语音验证码")
	for path, magic := range map[string]string{"/captcha/" + id: "\x89PNG", "/captcha/" + id + "?v=2": "\x89PNG", "/captcha/" + id + "/audio": "RIFF"} {
		resp, got := v.get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(got, magic) || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, got[:min(8, len(got))])
		}
	}
	if ok, err := db.SolveCaptcha(context.Background(), id, "not-it"); ok || err != nil {
		t.Fatalf("wrong answer solved: %v %v", ok, err)
	}
	for _, path := range []string{"/captcha/" + id, "/captcha/unknown", "/captcha/" + id + "/audio"} {
		if resp, _ := v.get(path); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s after use: %d", path, resp.StatusCode)
		}
	}
}

func (v visitor) query(form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest("POST", v.srv.URL+"/certificates/query", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", v.addr)
	return v.do(req)
}

// Guessing an ID number through the public 证书查询 — name known, district
// and birth date guessed, the rest tried — is stopped: after a few misses
// from a client, or about one name from anywhere, each query must answer a
// captcha first, and the queries of one client are limited per minute.
func TestCertificateQueryCannotBeBruteForced(t *testing.T) {
	var log bytes.Buffer
	srv, db, clk := newProxiedServer(t, true, &log)
	d := demo.Build(catalog.Default(), today)
	zhang := d.Applicants[0]
	guesses := plausibleIDs(zhang.IDNumber, 40)
	script := visitor{newBrowser(t, srv), "203.0.113.7"}
	for i := range 3 {
		resp, body := script.query(url.Values{"name": {zhang.Name}, "id": {guesses[i]}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("guess %d: %d\n%s", i+1, resp.StatusCode, log.String())
		}
		mustContain(t, body, "未查询到证书")
		if shown := captchaIDRE.MatchString(body); shown != (i == 2) {
			t.Fatalf("guess %d: captcha shown %v", i+1, shown)
		}
	}
	// Even the right number is not answered without the captcha.
	resp, body := script.query(url.Values{"name": {zhang.Name}, "id": {zhang.IDNumber}})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "流动式起重机司机") {
		t.Fatalf("right number without the captcha: %d", resp.StatusCode)
	}
	mustContain(t, body, "图形验证码：请输入图中的6位数字", `value="`+zhang.IDNumber+`"`)
	resp, body = script.query(with(url.Values{"name": {zhang.Name}, "id": {zhang.IDNumber}}, solve(t, db, body)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the captcha: %d", resp.StatusCode)
	}
	mustContain(t, body, "流动式起重机司机")

	// A botnet asking about the same name from new addresses each time
	// meets the captcha after the name's misses, wherever it asks from.
	clk.add(2 * time.Hour)
	for i := range 5 {
		visitor{newBrowser(t, srv), "192.0.2." + strconv.Itoa(i+1)}.query(url.Values{"name": {zhang.Name}, "id": {guesses[10+i]}})
	}
	resp, body = visitor{newBrowser(t, srv), "192.0.2.99"}.query(url.Values{"name": {zhang.Name}, "id": {guesses[20]}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !captchaIDRE.MatchString(body) {
		t.Fatalf("6th address asking about the name: %d", resp.StatusCode)
	}
	// Someone else's name from a fresh address is not held up.
	li := d.Applicants[1]
	resp, body = visitor{newBrowser(t, srv), "192.0.2.100"}.query(url.Values{"name": {li.Name}, "id": {li.IDNumber}})
	if resp.StatusCode != http.StatusOK || captchaIDRE.MatchString(body) {
		t.Fatalf("another name: %d", resp.StatusCode)
	}

	// One client's queries, hits or not, are limited per minute.
	clerk := visitor{newBrowser(t, srv), "198.51.100.8"}
	for i := range 30 {
		if resp, _ := clerk.query(url.Values{"name": {li.Name}, "id": {li.IDNumber}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("query %d of the minute: %d", i+1, resp.StatusCode)
		}
	}
	resp, body = clerk.query(url.Values{"name": {li.Name}, "id": {li.IDNumber}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("31st query in a minute: %d", resp.StatusCode)
	}
	mustContain(t, body, "查询过于频繁，请1分钟后再试")
	clk.add(time.Minute)
	if resp, _ := clerk.query(url.Values{"name": {li.Name}, "id": {li.IDNumber}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("the next minute: %d", resp.StatusCode)
	}
	// The log tells who asked and whether it matched, never the number.
	logged := log.String()
	mustContain(t, logged, "certificate query", "client=203.0.113.7", "found=false", "found=true", "id="+zhang.IDNumber[:4]+"**********"+zhang.IDNumber[14:])
	for _, id := range append(guesses[:21], zhang.IDNumber, li.IDNumber) {
		if strings.Contains(logged, id) || strings.Contains(logged, id[6:14]) {
			t.Fatalf("the log holds %s (or its birth date) in clear", id)
		}
	}
}

// A query in a URL would stay in history and logs: a GET with one is sent
// to the empty form at a clean address, unanswered.
func TestCertificateQueryIsNotAskedByURL(t *testing.T) {
	srv, _, _ := newProxiedServer(t, true)
	zhang := demo.Build(catalog.Default(), today).Applicants[0]
	resp, body := visitor{newBrowser(t, srv), "198.51.100.8"}.get("/certificates/query?" + url.Values{"name": {zhang.Name}, "id": {zhang.IDNumber}}.Encode())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/certificates/query" || strings.Contains(body, "流动式起重机司机") {
		t.Fatalf("GET with the query: %d %s, answered", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = visitor{newBrowser(t, srv), "198.51.100.8"}.get("/certificates/query")
	mustContain(t, body, `method="post" action="/certificates/query"`)
}

// plausibleIDs are valid resident ID numbers of the same district and birth
// date as id: what a guesser tries.
func plausibleIDs(id string, n int) []string {
	var out []string
	for seq := 100; len(out) < n; seq++ {
		first17 := id[:14] + strconv.Itoa(seq)
		c, _ := idcheck.ResidentIDCheckChar(first17)
		if g := first17 + string(c); g != id {
			out = append(out, g)
		}
	}
	return out
}
