package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The machine-facing endpoints of the real binary, without a browser.
func TestHealthzCatalogAndRedirect(t *testing.T) {
	srv := StartServer(t)

	if !strings.Contains(srv.Stdout(), "演示账号（密码均为 Demo@2026）") {
		t.Errorf("the demo banner is missing from stdout:\n%s", srv.Stdout())
	}

	resp, body := srv.Get(t, "/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}

	resp, body = srv.Get(t, "/api/v1/catalog")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("/api/v1/catalog = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var cat struct {
		Districts []struct{ Code, Name string } `json:"districts"`
	}
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		t.Fatalf("/api/v1/catalog: %v", err)
	}
	if len(cat.Districts) != 16 {
		t.Errorf("catalog districts = %d, want 16", len(cat.Districts))
	}
	for i, d := range cat.Districts {
		if i < len(districtBureaus) && d.Name+"市场监督管理局" != districtBureaus[i] {
			t.Errorf("catalog district %d = %s %s, want %s", i, d.Code, d.Name, districtBureaus[i])
		}
	}

	resp, _ = srv.Get(t, "/guide?authority=310110&matter=renew")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/guide/renew?authority=310110" {
		t.Errorf("/guide?… = %d Location %q, want 303 /guide/renew?authority=310110", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Demo mode keeps SMS login usable without a phone: once the sender has
// sent a code, /dev/sms (the demo's phone) still shows it, and it logs in;
// the SMS log file holds it masked, as in a real service.
func TestDemoSMSLoginThroughDevPage(t *testing.T) {
	srv := StartServer(t)
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, v url.Values) *http.Response {
		t.Helper()
		resp, err := c.PostForm(srv.URL+path, v)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	const mobile = "13800000001"
	if resp := post("/login/sms", url.Values{"mobile": {mobile}, "action": {"send_code"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("获取验证码: %d", resp.StatusCode)
	}
	// The code's own row must say sent: the daily reminders may have sent
	// this mobile another message already, and sms.log is read below.
	codeRE := regexp.MustCompile(`验证码为 (\d{6})[^\n]*data-label="状态">sent<`)
	var code string
	for deadline := time.Now().Add(20 * time.Second); code == ""; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the code never showed as sent on /dev/sms")
		}
		_, body := srv.Get(t, "/dev/sms?mobile="+mobile)
		if m := codeRE.FindStringSubmatch(body); m != nil {
			code = m[1]
		}
	}
	resp := post("/login/sms", url.Values{"mobile": {mobile}, "code": {code}})
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
		t.Fatalf("SMS login with the code from /dev/sms: %d", resp.StatusCode)
	}
	log, err := os.ReadFile(filepath.Join(srv.DataDir, "sms.log"))
	if err != nil || strings.Contains(string(log), code) || !strings.Contains(string(log), "验证码为 ******") {
		t.Errorf("sms.log: %v\n%s", err, log)
	}
}
