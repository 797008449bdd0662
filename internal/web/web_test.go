package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"opcert/internal/blob"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

var today = civil.MustParse("2026-11-22")

func newServer(t *testing.T) (*httptest.Server, demo.Data) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: scannedLogger(t), Today: func() civil.Date { return today }, Files: testFiles(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, demo.Build(cat, today)
}

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestHomeListsServicesAndDistricts(t *testing.T) {
	srv, d := newServer(t)
	resp, body := get(t, srv, "/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, body, "新办", "增项", "复审", "补证", "焊工考试报名", "证书查询", "办件查询")
	for _, a := range d.Authorities {
		mustContain(t, body, a.Name)
	}
	if len(d.Authorities) != 16 {
		t.Fatalf("authorities = %d", len(d.Authorities))
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv, _ := newServer(t)
	resp, _ := get(t, srv, "/")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	srv, _ := newServer(t)
	req, _ := http.NewRequest("POST", srv.URL+"/certificates/query", strings.NewReader("name=x"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "请求被拒绝") {
		t.Fatalf("status %d body %s", resp.StatusCode, b)
	}
}

func TestHealthz(t *testing.T) {
	srv, _ := newServer(t)
	resp, body := get(t, srv, "/healthz")
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestCatalogAPI(t *testing.T) {
	srv, _ := newServer(t)
	resp, body := get(t, srv, "/api/v1/catalog")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
		Mapping []struct {
			OldCode string `json:"old_code"`
			Kind    string `json:"kind"`
		} `json:"mapping"`
		Districts []any `json:"districts"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, it := range doc.Items {
		codes[it.Code] = true
	}
	for _, c := range []string{"A", "G1", "G2", "G3", "R1", "R2", "R3", "P", "T", "Q1", "Q2", "S1", "S2", "Y1", "Y2", "N1", "N2", "F", "金属焊接操作", "非金属焊接操作"} {
		if !codes[c] {
			t.Errorf("2019 item %s missing", c)
		}
	}
	kinds := map[string]string{}
	for _, m := range doc.Mapping {
		kinds[m.OldCode] = m.Kind
	}
	for old, kind := range map[string]string{"Q8": "direct", "G4": "direct", "Q4": "choice", "G2": "choice", "S2": "direct_optional_extra", "G6": "cancelled", "Q10": "cancelled"} {
		if kinds[old] != kind {
			t.Errorf("mapping %s kind = %q, want %q", old, kinds[old], kind)
		}
	}
	if len(doc.Mapping) != 55 || len(doc.Districts) != 16 {
		t.Errorf("mapping %d districts %d", len(doc.Mapping), len(doc.Districts))
	}
}

func TestGuides(t *testing.T) {
	srv, _ := newServer(t)
	resp, body := get(t, srv, "/guide/renew?authority=310110")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, body, "复审", "杨浦区市场监督管理局", "G6、D1、D2、D3、T3、Q1、Q2、Q10、N3")
	for _, p := range []string{"/guide/new", "/guide/add", "/guide/reissue", "/guide/welder", "/guide/track"} {
		if resp, _ := get(t, srv, p); resp.StatusCode != 200 {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
	}
	if resp, body := get(t, srv, "/guide/nonsense"); resp.StatusCode != 404 || !strings.Contains(body, "页面不存在") {
		t.Errorf("unknown guide: %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv, "/guide/renew?authority=999999"); resp.StatusCode != 404 {
		t.Errorf("unknown authority: %d", resp.StatusCode)
	}
	resp, _ = get(t, srv, "/guide?matter=renew&authority=310110")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/guide/renew?authority=310110" {
		t.Errorf("chooser: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = get(t, srv, "/guide?matter=bogus&authority=310110")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("chooser with bad matter: %d", resp.StatusCode)
	}
	mustContain(t, body, "申请事项：请选择申请事项", "焊工考试报名", `<option value="310110" selected>`)
}

// query asks the public 证书查询, as its form does (a POST).
func query(t *testing.T, srv *httptest.Server, name, id string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/certificates/query", strings.NewReader(url.Values{"name": {name}, "id": {id}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestCertificateQuery(t *testing.T) {
	srv, d := newServer(t)
	zhang := d.Applicants[0]
	resp, body := query(t, srv, zhang.Name, zhang.IDNumber)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, body, "张*", "流动式起重机司机", "Q8", "徐汇区市场监督管理局", "有效（即将到期）")
	if strings.Contains(body, zhang.IDNumber) && !strings.Contains(body, `value="`+zhang.IDNumber+`"`) {
		t.Error("full ID number shown outside the input the user typed it in")
	}

	// The name must match too: a number alone reveals nothing.
	_, body = query(t, srv, "李四", zhang.IDNumber)
	mustContain(t, body, "未查询到证书")
	if strings.Contains(body, "流动式起重机司机") {
		t.Error("items shown for a wrong name")
	}
}

func TestCertificateQueryErrorsNameTheField(t *testing.T) {
	srv, d := newServer(t)
	zhang := d.Applicants[0]
	wrong := zhang.IDNumber[:17] + map[bool]string{true: "1", false: "2"}[zhang.IDNumber[17] != '1']
	cases := []struct {
		name, id, want string
	}{
		{"", zhang.IDNumber, "姓名：请输入姓名"},
		{zhang.Name, "", "证件号码：请输入证件号码"},
		{zhang.Name, wrong, "校验码"},
		{zhang.Name, "310104198202300011", "出生日期"},
	}
	for _, c := range cases {
		resp, body := query(t, srv, c.name, c.id)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%q/%q: status %d", c.name, c.id, resp.StatusCode)
		}
		mustContain(t, body, "请修改以下内容", c.want)
		// What was typed stays in the form.
		if c.id != "" {
			mustContain(t, body, `value="`+c.id+`"`)
		}
	}
}

func TestNotFoundPageIsChinese(t *testing.T) {
	srv, _ := newServer(t)
	resp, body := get(t, srv, "/no/such/page")
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, body, "页面不存在", "返回首页")
}

func testFiles(t *testing.T) *blob.Local {
	t.Helper()
	l, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func demoData() demo.Data { return demo.Build(catalog.Default(), today) }
