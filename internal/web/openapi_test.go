package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"opcert/internal/store"
)

// The OpenAPI 3.1 document is checked with pb33f/libopenapi-validator,
// which validates 3.1 documents and their JSON Schema 2020-12 schemas.
var (
	openAPIOnce      sync.Once
	openAPIValidator validator.Validator
	openAPIErr       error
)

func documentValidator(t *testing.T) validator.Validator {
	t.Helper()
	openAPIOnce.Do(func() {
		spec, err := os.ReadFile("openapi.json")
		if err != nil {
			openAPIErr = err
			return
		}
		doc, err := libopenapi.NewDocument(spec)
		if err != nil {
			openAPIErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			openAPIErr = errs[0]
			return
		}
		openAPIValidator = v
	})
	if openAPIErr != nil {
		t.Fatal(openAPIErr)
	}
	return openAPIValidator
}

// checkAgainstDocument validates a real answer of the API against the
// document: every answer's status, headers and body, and the request too
// when the service accepted it (a refused request is wrong on purpose).
func checkAgainstDocument(t *testing.T, method, path string, reqBody []byte, key string, a apiAnswer) {
	t.Helper()
	v := documentValidator(t)
	req, _ := http.NewRequest(method, "http://opcert.test"+path, bytes.NewReader(reqBody))
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp := &http.Response{StatusCode: a.resp.StatusCode, Header: a.resp.Header, Body: io.NopCloser(bytes.NewReader(a.raw)), Request: req}
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("%s %s → %d does not match openapi.json: %s %s", method, path, a.resp.StatusCode, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s", se.Error())
			}
		}
	}
	if a.resp.StatusCode < 300 {
		req, _ = http.NewRequest(method, "http://opcert.test"+path, bytes.NewReader(reqBody))
		if reqBody != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if ok, errs := v.ValidateHttpRequest(req); !ok {
			for _, e := range errs {
				t.Errorf("%s %s: the accepted request does not match openapi.json: %s %s", method, path, e.Message, e.Reason)
			}
		}
	}
}

// The document served is the one in the repository, and it is a valid
// OpenAPI 3.1 document.
func TestOpenAPIDocumentIsServedAndValid(t *testing.T) {
	srv := newAPIServer(t)
	a := apiCall(t, srv.URL, "GET", "/api/v1/openapi.json", "", nil)
	spec, _ := os.ReadFile("openapi.json")
	if a.resp.StatusCode != 200 || !bytes.Equal(a.raw, spec) {
		t.Fatalf("served document differs from openapi.json: %d", a.resp.StatusCode)
	}
	if a.body["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v", a.body["openapi"])
	}
	if ok, errs := documentValidator(t).ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("document: %s %s", e.Message, e.Reason)
		}
	}
}

// Every operation of the document answers, for real, each status the
// document lists for it (but 500), and each answer matches the document
// (apiCall validates them all). A status listed and never produced, or
// produced and not listed, fails.
func TestAPIAnswersMatchDocument(t *testing.T) {
	srv := newAPIServer(t)
	admin := newBrowser(t, srv.Server)
	login(t, admin, "admin")
	secret := issueKey(t, admin, "检验所", 2)
	zhang := demoData().Applicants[0]
	seen := map[string]bool{}
	call := func(method, path, key string, body any) apiAnswer {
		t.Helper()
		a := apiCall(t, srv.URL, method, path, key, body)
		seen[method+" "+path+" "+itoa(int64(a.resp.StatusCode))] = true
		return a
	}
	certPath := approvedCertificate(t, srv.db, newBrowser(t, srv.Server), newBrowser(t, srv.Server))
	token := strings.TrimPrefix(certPath, "/v/")
	var app store.Application
	for id := int64(1); id < 20 && app.PublicToken == ""; id++ {
		app, _ = appByID(srv.db, id)
	}
	if app.PublicToken == "" {
		t.Fatal("no submitted application")
	}

	call("GET", "/api/v1/catalog", "", nil)
	call("GET", "/api/v1/openapi.json", "", nil)

	q := "/api/v1/certificates/query"
	call("POST", q, "", map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber})
	call("POST", q, "", map[string]string{"name": zhang.Name})
	call("POST", q, "", `[1]`)
	call("POST", q, "opk_unknown", map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber})
	for range 4 {
		call("POST", q, "", map[string]string{"name": "李四", "id_number": zhang.IDNumber})
	}

	v := "/api/v1/certificates/verify"
	call("POST", v, "", map[string]string{"token": token})
	call("POST", v, "", map[string]string{"token": ""})
	call("POST", v, "", map[string]string{"token": "abc.def"})
	call("POST", v, "opk_unknown", map[string]string{"token": token})

	st := "/api/v1/applications/status"
	call("POST", st, "", map[string]string{"number": app.Number, "token": app.PublicToken})
	call("POST", st, "", map[string]string{"number": app.Number})
	call("POST", st, "", map[string]string{"number": app.Number, "token": "wrong"})
	call("POST", st, "opk_unknown", map[string]string{"number": app.Number, "token": app.PublicToken})

	big := `{"name": "` + strings.Repeat("张", 100<<10) + `"}`
	for _, p := range []string{q, v, st} {
		call("POST", p, "", big)
	}

	// Over the key's limit of 2 a minute, on each operation: the count is
	// per key, so only the first two calls of the whole run pass.
	srvClock(t, srv)
	call("POST", q, secret, map[string]string{"name": zhang.Name, "id_number": zhang.IDNumber})
	call("POST", v, secret, map[string]string{"token": token})
	for _, p := range []string{q, v, st} {
		if a := call("POST", p, secret, map[string]string{}); a.resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s over the limit: %d %s", p, a.resp.StatusCode, a.raw)
		}
	}

	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	spec, _ := os.ReadFile("openapi.json")
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	var missing []string
	listed := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for status := range op.Responses {
				k := strings.ToUpper(method) + " " + path + " " + status
				listed[k] = true
				if status != "500" && !seen[k] {
					missing = append(missing, k)
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("documented but never answered: %v", missing)
	}
	for k := range seen {
		if !listed[k] {
			t.Errorf("answered but not documented: %s", k)
		}
	}
}

// srvClock fixes the store's clock at its present minute's start, so a
// key's minute does not turn while the test counts.
func srvClock(t *testing.T, srv *apiServer) {
	t.Helper()
	at := srv.db.Now().Truncate(time.Minute).Add(5 * time.Second)
	srv.db.SetClock(func() time.Time { return at })
}
