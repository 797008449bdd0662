package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// apiServer is a demo server whose log is kept, to check what queries
// leave in it.
type apiServer struct {
	*httptest.Server
	db  *store.DB
	log *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	return newAPIServerOn(t, db)
}

// newAPIServerOn serves db: two of them on one database are two instances
// behind a load balancer.
func newAPIServerOn(t *testing.T, db *store.DB) *apiServer {
	t.Helper()
	logs := &lockedBuffer{}
	t.Cleanup(func() {
		for _, leak := range demo.Build(catalog.Default(), today).LeaksIn(logs.String(), typedNumbers...) {
			t.Errorf("personal data in the server log: %s", leak)
		}
	})
	s, err := web.New(web.Options{Store: db, Catalog: catalog.Default(), Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Today: func() civil.Date { return today }, Demo: true, Files: testFiles(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &apiServer{srv, db, logs}
}

// apiAnswer is one answer of the API, its body decoded.
type apiAnswer struct {
	resp *http.Response
	raw  []byte
	body map[string]any
}

func (a apiAnswer) code() string { s, _ := a.body["code"].(string); return s }

// apiCall calls the API as a program would (no browser headers), with key
// as its bearer secret if not empty.
func apiCall(t *testing.T, base, method, path, key string, body any) apiAnswer {
	t.Helper()
	var reqBody []byte
	switch b := body.(type) {
	case nil:
	case string:
		reqBody = []byte(b)
	default:
		reqBody, _ = json.Marshal(b)
	}
	var rd io.Reader
	if reqBody != nil {
		rd = bytes.NewReader(reqBody)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := apiAnswer{resp: resp, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	checkAgainstDocument(t, method, path, reqBody, key, out)
	return out
}

// The API finds a holder by 姓名 + 证件号码 and by 姓名 + 证书编号 or 档案编号,
// never by a name alone, and answers with the name and numbers masked as
// the page shows them; the log keeps them masked too.
func TestAPICertificateQuery(t *testing.T) {
	srv := newAPIServer(t)
	zhang := demoData().Applicants[0]
	h, err := srv.db.HoldingByIDNumber(context.Background(), zhang.IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	archive := h.Certificates[0].ArchiveNo
	for _, q := range []map[string]string{
		{"name": zhang.Name, "id_number": zhang.IDNumber},
		{"name": zhang.Name, "certificate_number": zhang.IDNumber},
		{"name": zhang.Name, "certificate_number": strings.ToLower(archive)},
	} {
		a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", q)
		if a.resp.StatusCode != 200 {
			t.Fatalf("%v: %d %s", q, a.resp.StatusCode, a.raw)
		}
		holder := a.body["holder"].(map[string]any)
		if holder["name"] != "张*" || holder["id_number"] != zhang.IDNumber[:4]+"**********"+zhang.IDNumber[14:] {
			t.Errorf("holder %v", holder)
		}
		if strings.Contains(string(a.raw), zhang.IDNumber) || strings.Contains(string(a.raw), zhang.Name) {
			t.Errorf("%v: the answer carries the full name or ID number: %s", q, a.raw)
		}
		if !strings.Contains(string(a.raw), `"name":"流动式起重机司机"`) || !strings.Contains(string(a.raw), `"status_label":"有效（即将到期）"`) ||
			!strings.Contains(string(a.raw), `"status":"expiring"`) || !strings.Contains(string(a.raw), `"issued_by":"徐汇区市场监督管理局"`) {
			t.Errorf("%v: items %s", q, a.raw)
		}
	}
	for _, c := range []struct {
		q     map[string]string
		field string
	}{
		{map[string]string{"name": zhang.Name}, "id_number"},
		{map[string]string{"id_number": zhang.IDNumber}, "name"},
		{map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber, "certificate_number": archive}, "certificate_number"},
		{map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber[:17] + "0"}, "id_number"},
	} {
		a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", c.q)
		fields, _ := a.body["fields"].([]any)
		if a.resp.StatusCode != 400 || a.code() != "invalid_input" || len(fields) == 0 || fields[0].(map[string]any)["field"] != c.field {
			t.Errorf("%v: %d %s", c.q, a.resp.StatusCode, a.raw)
		}
	}
	if a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", map[string]string{"name": "李四", "id_number": zhang.IDNumber}); a.resp.StatusCode != 404 || a.code() != "not_found" || strings.Contains(string(a.raw), "起重机") {
		t.Errorf("wrong name: %d %s", a.resp.StatusCode, a.raw)
	}
	if a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", `{"name": "张伟", "phone": "1"}`); a.resp.StatusCode != 400 || a.code() != "invalid_json" {
		t.Errorf("unknown field: %d %s", a.resp.StatusCode, a.raw)
	}
	if a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", `张伟`); a.resp.StatusCode != 400 || a.code() != "invalid_json" {
		t.Errorf("not JSON: %d %s", a.resp.StatusCode, a.raw)
	}
	logs := srv.log.String()
	if !strings.Contains(logs, "certificate query") || !strings.Contains(logs, "via=api") || !strings.Contains(logs, "name=张*") {
		t.Errorf("queries not logged: %s", logs)
	}
	if strings.Contains(logs, zhang.IDNumber) || strings.Contains(logs, archive) || strings.Contains(logs, "张伟") {
		t.Errorf("the log carries a number or name in clear: %s", logs)
	}
}

// After misses an anonymous caller answers a captcha, as on the page;
// the picture's address comes with the refusal.
func TestAPIAnonymousMissesAskForCaptcha(t *testing.T) {
	srv := newAPIServer(t)
	zhang := demoData().Applicants[0]
	var last apiAnswer
	for range 4 {
		last = apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", map[string]string{"name": "李四", "id_number": zhang.IDNumber})
	}
	if last.resp.StatusCode != http.StatusForbidden || last.code() != "captcha_required" || last.body["challenge_image"] == "" {
		t.Fatalf("after misses: %d %s", last.resp.StatusCode, last.raw)
	}
	// Answered, the query goes through.
	id := last.body["challenge"].(string)
	digits, err := srv.db.CaptchaAnswer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber, "captcha_id": id, "captcha_answer": digits})
	if a.resp.StatusCode != 200 {
		t.Fatalf("with the captcha answered: %d %s", a.resp.StatusCode, a.raw)
	}
}

// The page offers both ways in one form: 姓名 + 证件号码, or 姓名 + 证书编号
// (档案编号); the chosen way's number is required at its field, and what
// was typed stays.
func TestCertificateQueryByCertificateNumber(t *testing.T) {
	srv := newAPIServer(t)
	zhang := demoData().Applicants[0]
	h, err := srv.db.HoldingByIDNumber(context.Background(), zhang.IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(form url.Values) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/certificates/query", strings.NewReader(form.Encode()))
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
	_, body := newBrowser(t, srv.Server).get("/certificates/query")
	mustContain(t, body, "姓名＋证件号码", "姓名＋证书编号（档案编号）", `name="by" value="id" checked`, `id="certificate"`)

	resp, body := ask(url.Values{"by": {"certificate"}, "name": {zhang.Name}, "certificate": {strings.ToLower(h.Certificates[0].ArchiveNo)}})
	if resp.StatusCode != 200 {
		t.Fatalf("by archive number: %d", resp.StatusCode)
	}
	mustContain(t, body, "张*", "流动式起重机司机", "有效（即将到期）", `name="by" value="certificate" checked`)

	resp, body = ask(url.Values{"by": {"certificate"}, "name": {zhang.Name}, "id": {zhang.IDNumber}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("by certificate without one: %d", resp.StatusCode)
	}
	mustContain(t, body, "证书编号：请输入证书编号或档案编号", `value="`+zhang.IDNumber+`"`)

	_, body = ask(url.Values{"by": {"certificate"}, "name": {"李四"}, "certificate": {zhang.IDNumber}})
	mustContain(t, body, "未查询到与该姓名和证书编号相符的证书信息")
	if strings.Contains(body, "流动式起重机司机") {
		t.Error("items shown for a wrong name")
	}
}

// The signed QR payload is checked with the published keys and each line's
// standing is read today: after an admin revokes a line the API says
// 已撤销 for it; a changed character is refused with its code.
func TestAPIVerifiesSignedPayload(t *testing.T) {
	srv := newAPIServer(t)
	path := approvedCertificate(t, srv.db, newBrowser(t, srv.Server), newBrowser(t, srv.Server))
	token := strings.TrimPrefix(path, "/v/")
	a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/verify", "", map[string]string{"token": token})
	if a.resp.StatusCode != 200 || a.body["holder_name"] != "张*" || strings.Contains(string(a.raw), demoApplicant(t, 0).IDNumber) {
		t.Fatalf("verify: %d %s", a.resp.StatusCode, a.raw)
	}
	if !strings.Contains(string(a.raw), `"name":"叉车司机"`) || strings.Contains(string(a.raw), "已撤销") {
		t.Fatalf("before revocation: %s", a.raw)
	}
	// The whole address a QR reader gives is accepted too.
	if b := apiCall(t, srv.URL, "POST", "/api/v1/certificates/verify", "", map[string]string{"token": srv.URL + path}); b.resp.StatusCode != 200 {
		t.Fatalf("as an address: %d %s", b.resp.StatusCode, b.raw)
	}

	h, err := srv.db.HoldingByIDNumber(context.Background(), demoApplicant(t, 0).IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	var forklift int64
	for _, it := range h.Items() {
		if it.Ref.String() == "2011:N2" {
			forklift = it.ID
		}
	}
	admin := newBrowser(t, srv.Server)
	login(t, admin, "admin")
	if resp, _ := admin.post("/admin/certificates/items/"+itoa(forklift)+"/end", url.Values{"id": {demoApplicant(t, 0).IDNumber}, "kind": {"revoke"},
		"reason": {"以欺骗手段取得考试合格证明"}, "basis": {"《中华人民共和国行政许可法》第六十九条第二款"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	a = apiCall(t, srv.URL, "POST", "/api/v1/certificates/verify", "", map[string]string{"token": token})
	var lines struct {
		Items []struct{ Name, Status, StatusLabel string } `json:"items"`
	}
	json.Unmarshal(a.raw, &lines)
	var seen bool
	for _, l := range lines.Items {
		if l.Name == "叉车司机" {
			seen = true
			if l.Status != "revoked" {
				t.Errorf("revoked line: %+v (%s)", l, a.raw)
			}
		}
	}
	if !seen || !strings.Contains(string(a.raw), `"status_label":"已撤销"`) {
		t.Fatalf("after revocation: %s", a.raw)
	}
	// The query by name and number shows it too.
	q := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", map[string]string{"name": "张伟", "id_number": demoApplicant(t, 0).IDNumber})
	if !strings.Contains(string(q.raw), `"status":"revoked","status_label":"已撤销"`) {
		t.Fatalf("query after revocation: %s", q.raw)
	}

	b := []byte(token)
	b[len(b)/3] ^= 1
	for _, c := range []struct{ token, code string }{
		{string(b), ""},
		{"abc", "token_malformed"},
		{"", "invalid_input"},
	} {
		a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/verify", "", map[string]string{"token": c.token})
		if c.code == "" && (a.resp.StatusCode != 422 || strings.Contains(string(a.raw), "叉车")) || c.code != "" && a.code() != c.code {
			t.Errorf("token %q: %d %s", c.token, a.resp.StatusCode, a.raw)
		}
	}
}

// An application's status needs its 申请号 and the token of its notices'
// QR codes together: a 申请号 with a wrong token, or a token with another
// 申请号, finds nothing, with one answer for both.
func TestAPIApplicationStatus(t *testing.T) {
	srv := newAPIServer(t)
	_, id := submitQ8(t, newBrowser(t, srv.Server))
	app, err := appByID(srv.db, id)
	if err != nil || app.Number == "" || app.PublicToken == "" {
		t.Fatalf("application %+v %v", app, err)
	}
	a := apiCall(t, srv.URL, "POST", "/api/v1/applications/status", "", map[string]string{"number": app.Number, "token": app.PublicToken})
	if a.resp.StatusCode != 200 || a.body["number"] != app.Number || a.body["applicant_name"] != "张*" || a.body["status"] != "submitted" ||
		a.body["authority"] != "徐汇区市场监督管理局" || strings.Contains(string(a.raw), "张伟") {
		t.Fatalf("status: %d %s", a.resp.StatusCode, a.raw)
	}
	other := []byte(app.Number)
	other[len(other)-1] = map[bool]byte{true: '2', false: '1'}[other[len(other)-1] == '1']
	var messages []string
	for _, q := range []map[string]string{
		{"number": app.Number, "token": app.PublicToken[:len(app.PublicToken)-1]},
		{"number": app.Number, "token": "x" + app.PublicToken[1:]},
		{"number": string(other), "token": app.PublicToken},
	} {
		a := apiCall(t, srv.URL, "POST", "/api/v1/applications/status", "", q)
		if a.resp.StatusCode != 404 || a.code() != "not_found" || strings.Contains(string(a.raw), "张") {
			t.Errorf("%v: %d %s", q, a.resp.StatusCode, a.raw)
		}
		messages = append(messages, a.body["message"].(string))
	}
	if messages[0] != messages[1] || messages[1] != messages[2] {
		t.Errorf("the refusals tell which part was wrong: %v", messages)
	}
	if a := apiCall(t, srv.URL, "POST", "/api/v1/applications/status", "", map[string]string{"number": app.Number}); a.resp.StatusCode != 400 || a.code() != "invalid_input" {
		t.Errorf("without token: %d %s", a.resp.StatusCode, a.raw)
	}
	if !strings.Contains(srv.log.String(), "application status query") {
		t.Error("status queries are not logged")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var secretRE = regexp.MustCompile(`<code id="secret">(opk_[A-Za-z0-9_-]+)</code>`)

// issueKey issues a key on the admin page and returns its secret.
func issueKey(t *testing.T, admin *browser, name string, perMinute int) string {
	t.Helper()
	resp, body := admin.post("/admin/api-keys", url.Values{"name": {name}, "per_minute": {strconv.Itoa(perMinute)}})
	m := secretRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("issue: %d %s", resp.StatusCode, errorsOf(body))
	}
	return m[1]
}

// An admin issues a key (its secret shown once, only its hash stored),
// sees its usage and revokes it; each issue and revocation is audited; a
// revoked key is refused at once. Bad input is refused at its field; an
// officer may not manage keys.
func TestAdminManagesAPIKeys(t *testing.T) {
	srv := newAPIServer(t)
	admin := newBrowser(t, srv.Server)
	login(t, admin, "admin")
	_, page := admin.get("/admin/api-keys")
	mustContain(t, page, "开放接口（API）密钥", "尚未签发密钥", `action="/admin/api-keys"`)

	resp, page := admin.post("/admin/api-keys", url.Values{"name": {""}, "per_minute": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", resp.StatusCode)
	}
	mustContain(t, page, "使用单位：请填写使用单位或用途", "每分钟调用上限：请填写1至6000之间的整数")
	resp, page = admin.post("/admin/api-keys", url.Values{"name": {"上海𠀀检验所"}, "per_minute": {"六十"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `value="上海𠀀检验所"`) {
		t.Fatalf("what was typed is lost: %d", resp.StatusCode)
	}

	secret := issueKey(t, admin, "上海𠀀检验所", 60)
	if resp, page := admin.get("/admin/api-keys"); strings.Contains(page, secret) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("the secret is shown again, or the page may be cached")
	}
	zhang := demoData().Applicants[0]
	if a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", secret, map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber}); a.resp.StatusCode != 200 {
		t.Fatalf("with the key: %d %s", a.resp.StatusCode, a.raw)
	}
	_, page = admin.get("/admin/api-keys")
	mustContain(t, page, "上海𠀀检验所", secret[:10]+"…", `<td data-label="累计调用">1</td>`, `<td data-label="本分钟调用">1</td>`, "有效")

	// Only the hash is in the database.
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := srv.db.BackupTo(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(backup)
	sum := sha256.Sum256([]byte(secret))
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(secret[len("opk_"):])) || !bytes.Contains(raw, []byte(hex.EncodeToString(sum[:]))) {
		t.Fatal("the secret is stored in clear, or its hash is not stored")
	}

	officer := newBrowser(t, srv.Server)
	login(t, officer, "officer-310104")
	if resp, _ := officer.post("/admin/api-keys", url.Values{"name": {"x"}, "per_minute": {"5"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer issues: %d", resp.StatusCode)
	}
	if resp, _ := officer.post("/admin/api-keys/1/revoke", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer revokes: %d", resp.StatusCode)
	}

	resp, _ = admin.post("/admin/api-keys/1/revoke", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	_, page = admin.get(resp.Header.Get("Location"))
	mustContain(t, page, "已撤销该API密钥", "已撤销（")
	if resp, _ := admin.post("/admin/api-keys/1/revoke", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("revoking twice: %d", resp.StatusCode)
	}
	for _, key := range []string{secret, "opk_" + strings.Repeat("A", 43), "nonsense"} {
		a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", key, map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber})
		if a.resp.StatusCode != http.StatusUnauthorized || a.code() != "invalid_api_key" || strings.Contains(string(a.raw), "起重机") {
			t.Errorf("key %q: %d %s", key, a.resp.StatusCode, a.raw)
		}
	}
	entries, err := srv.db.AuditEntries(context.Background(), "api_key:1", 5)
	if err != nil || len(entries) != 2 || entries[0].Action != "revoke_api_key" || entries[1].Action != "issue_api_key" ||
		!strings.Contains(entries[1].After, "上海𠀀检验所") || strings.Contains(entries[1].After, secret) {
		t.Fatalf("audit %+v %v", entries, err)
	}
}

// A key's limit is counted in the database per minute: the call after
// the limit is refused with 429 and Retry-After, and a second instance
// with its own handle on the same database counts the same key (on both
// engines). The clocks are fixed, so the minute does not turn during the
// test.
func TestAPIKeyRateLimitAcrossInstances(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			one, two := storetest.Pair(t, engine)
			if _, _, err := demo.Load(context.Background(), one, catalog.Default(), today); err != nil {
				t.Fatal(err)
			}
			setClocks := func(at time.Time) {
				for _, db := range []*store.DB{one, two} {
					db.SetClock(func() time.Time { return at })
				}
			}
			setClocks(time.Date(2026, 11, 22, 2, 0, 15, 0, time.UTC))
			srv, second := newAPIServerOn(t, one), newAPIServerOn(t, two)
			admin := newBrowser(t, srv.Server)
			login(t, admin, "admin")
			secret := issueKey(t, admin, "检验所", 3)
			zhang := demoData().Applicants[0]
			q := map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber}
			for i, base := range []string{srv.URL, second.URL, srv.URL} {
				if a := apiCall(t, base, "POST", "/api/v1/certificates/query", secret, q); a.resp.StatusCode != 200 {
					t.Fatalf("call %d: %d %s", i+1, a.resp.StatusCode, a.raw)
				}
			}
			for _, base := range []string{second.URL, srv.URL} {
				a := apiCall(t, base, "POST", "/api/v1/applications/status", secret, map[string]string{"number": "1", "token": "x"})
				if a.resp.StatusCode != http.StatusTooManyRequests || a.code() != "rate_limited" || a.resp.Header.Get("Retry-After") != "45" {
					t.Fatalf("over the limit: %d %s (Retry-After %q)", a.resp.StatusCode, a.raw, a.resp.Header.Get("Retry-After"))
				}
			}
			_, page := admin.get("/admin/api-keys")
			mustContain(t, page, `<td data-label="累计调用">3</td>`, `<td data-label="超限被拒">2</td>`, `<td data-label="本分钟调用">5</td>`)

			// The next minute the key works again.
			setClocks(time.Date(2026, 11, 22, 2, 1, 0, 0, time.UTC))
			if a := apiCall(t, second.URL, "POST", "/api/v1/certificates/query", secret, q); a.resp.StatusCode != 200 {
				t.Fatalf("next minute: %d %s", a.resp.StatusCode, a.raw)
			}
		})
	}
}

// Anonymous calls share the public per-client limit of the query page; a
// key lifts its holder to the key's own limit and spares the captcha.
func TestAPIKeyLiftsThePublicLimit(t *testing.T) {
	srv := newAPIServer(t)
	srv.db.SetClock(func() time.Time { return time.Date(2026, 11, 22, 2, 0, 15, 0, time.UTC) })
	admin := newBrowser(t, srv.Server)
	login(t, admin, "admin")
	secret := issueKey(t, admin, "检验所", 100)
	zhang := demoData().Applicants[0]
	q := map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber}
	var anonymous apiAnswer
	for range 31 {
		anonymous = apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", "", q)
	}
	if anonymous.resp.StatusCode != http.StatusTooManyRequests || anonymous.code() != "rate_limited" || anonymous.resp.Header.Get("Retry-After") == "" {
		t.Fatalf("31st anonymous call: %d %s", anonymous.resp.StatusCode, anonymous.raw)
	}
	for i := range 40 {
		if a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", secret, q); a.resp.StatusCode != 200 {
			t.Fatalf("keyed call %d: %d %s", i+1, a.resp.StatusCode, a.raw)
		}
	}
	for range 6 {
		a := apiCall(t, srv.URL, "POST", "/api/v1/certificates/query", secret, map[string]string{"name": "李四", "id_number": zhang.IDNumber})
		if a.resp.StatusCode != http.StatusNotFound || a.code() != "not_found" || a.body["challenge"] != nil {
			t.Fatalf("keyed miss: %d %s", a.resp.StatusCode, a.raw)
		}
	}
}

// A GET of a POST operation is told so, with the query never read from
// the address; an unknown operation is a JSON 404.
func TestAPIWrongMethodAndUnknownPath(t *testing.T) {
	srv := newAPIServer(t)
	zhang := demoData().Applicants[0]
	resp, err := http.Get(srv.URL + "/api/v1/certificates/query?" + url.Values{"name": {zhang.Name}, "id_number": {zhang.IDNumber}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" || !strings.Contains(string(body), `"code":"method_not_allowed"`) || strings.Contains(string(body), "起重机") {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(srv.URL + "/api/v1/holders")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"code":"not_found"`) {
		t.Fatalf("unknown: %d %s", resp.StatusCode, body)
	}
}
