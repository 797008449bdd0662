package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

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
	s, err := web.New(web.Options{Store: db, Catalog: catalog.Default(), Logger: slog.New(slog.NewTextHandler(logs, nil)),
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
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
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
