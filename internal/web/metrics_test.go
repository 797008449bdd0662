package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/metrics"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// Requests are counted by route pattern (never by path, so no 申请号 or
// token becomes a label), each answer carries its request id, the log line
// names it, and a trusted proxy's id is kept so the two logs join; the
// outbox depth, the jobs and the database pools are read at each scrape.
func TestMetricsAndRequestIDs(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m := metrics.New(db)
	s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Today: func() civil.Date { return today },
		Files: testFiles(t), Metrics: m, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	get := func(path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	home := get("/")
	id := home.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) || get("/").Header.Get("X-Request-Id") == id {
		t.Fatalf("request ids %q", id)
	}
	get("/p/abcdefghijklmnop")
	get("/p/qrstuvwxyzabcdef")
	get("/no/such/page")
	if got := get("/", "X-Request-Id", "proxy-7f3a").Header.Get("X-Request-Id"); got != "proxy-7f3a" {
		t.Errorf("the trusted proxy's id was replaced by %q", got)
	}
	if got := get("/", "X-Request-Id", "bad id<script>").Header.Get("X-Request-Id"); got == "bad id<script>" {
		t.Error("an id with markup was kept")
	}
	if !strings.Contains(logs.String(), `"request_id":"`+id+`"`) {
		t.Errorf("the log does not name request %s", id)
	}
	m.ObserveJob("reminders", nil, 20*time.Millisecond)
	m.ObserveJob("sweep_files", io.ErrUnexpectedEOF, time.Second)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`opcert_http_requests_total{method="GET",route="GET /{$}",status="200"} 4`,
		`opcert_http_requests_total{method="GET",route="GET /p/{token}",status="404"} 2`,
		`opcert_http_request_duration_seconds_count{route="GET /{$}"} 4`,
		`opcert_job_runs_total{job="reminders",result="ok"} 1`,
		`opcert_job_runs_total{job="sweep_files",result="error"} 1`,
		`opcert_job_last_success_timestamp_seconds{job="reminders"}`,
		`opcert_sms_outbox_messages{state="pending"}`,
		`opcert_sms_outbox_oldest_pending_seconds`,
		`go_sql_max_open_connections{db_name="opcert",pool="write"} 1`,
		`go_sql_open_connections{db_name="opcert",pool="read"}`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "abcdefghijklmnop") || strings.Contains(body, "/no/such/page") {
		t.Error("a path became a label")
	}
	if strings.Contains(body, `opcert_job_last_success_timestamp_seconds{job="sweep_files"}`) {
		t.Error("a failed run counted as a success")
	}
}
