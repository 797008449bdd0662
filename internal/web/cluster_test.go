package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/notify"
	"opcert/internal/s3test"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// instance is one `opcert serve` process of a cluster.
type instance struct {
	name, addr, smsLog, logFile string
	cmd                         *exec.Cmd
}

// Two `opcert serve` processes share one PostgreSQL database and one real
// S3-compatible server, each behind a reverse proxy that names the client
// in X-Forwarded-For (OPCERT_TRUSTED_PROXIES). An applicant submits with
// uploads through the first, an officer decides through the second, the
// applicant downloads the files and the certificate through the first;
// the timed jobs and the SMS sender of both ran, and each reminder and each
// message exists and was sent exactly once.
func TestTwoInstancesShareOneDatabaseAndOneS3Server(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	dsn := storetest.PostgresSchema(t)
	s3 := s3test.Start(t)
	ctx := context.Background()
	bucket := blob.S3Config{Endpoint: s3.Endpoint, Bucket: "opcert-cluster", AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, Region: "us-east-1", CreateBucket: true}
	if _, err := blob.NewS3(ctx, bucket); err != nil { // provisioned by the operator, as in production
		t.Fatal(err)
	}
	bin := buildOpcert(t)
	env := []string{
		"OPCERT_DATABASE_URL=" + dsn, "OPCERT_DEMO=1", "OPCERT_TODAY=" + today.String(), "OPCERT_LOG_FORMAT=json",
		"OPCERT_S3_ENDPOINT=" + s3.Endpoint, "OPCERT_S3_BUCKET=" + bucket.Bucket, "OPCERT_S3_ACCESS_KEY=" + s3.AccessKey, "OPCERT_S3_SECRET_KEY=" + s3.SecretKey,
		"OPCERT_TRUSTED_PROXIES=127.0.0.1", "OPCERT_FALLBACK_FONTS=",
	}
	// The first loads the demo data into the empty database; the second
	// finds it there.
	a := startInstance(t, bin, "a", env)
	b := startInstance(t, bin, "b", env)
	proxyA, proxyB := frontProxy(t, a, "203.0.113.7"), frontProxy(t, b, "203.0.113.9")

	db, err := store.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	applicant, officer := newBrowser(t, proxyA), newBrowser(t, proxyB)
	_, id := submitQ8(t, applicant)
	login(t, officer, "officer-310104")
	for _, act := range []string{"accept", "approve"} {
		if resp, body := officerAct(t, officer, id, url.Values{"action": {act}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s through b: %d %s", act, resp.StatusCode, errorsOf(body))
		}
	}

	// The files, uploaded through a and kept in S3, download through a.
	materials, err := db.Materials(ctx, id)
	if err != nil || len(materials) == 0 {
		t.Fatalf("materials %v %v", materials, err)
	}
	app := "/applications/" + strconv.FormatInt(id, 10)
	for _, m := range materials {
		resp, body := applicant.get(app + "/files/" + strconv.FormatInt(m.ID, 10))
		if resp.StatusCode != http.StatusOK || int64(len(body)) != m.Size {
			t.Fatalf("file %s through a: %d, %d bytes of %d", m.Filename, resp.StatusCode, len(body), m.Size)
		}
	}
	if resp, pdf := applicant.get(app + "/notices/certificate.pdf"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("certificate through a: %d", resp.StatusCode)
	}
	n, err := db.NoticeOf(ctx, id, casework.NoticeCertificate)
	if err != nil || n.PDFKey == "" {
		t.Fatalf("the certificate PDF is not kept: %+v %v", n, err)
	}
	if ok, err := mustS3(t, bucket).Exists(ctx, n.PDFKey); err != nil || !ok {
		t.Fatalf("the kept PDF %s is not in the S3 bucket: %v", n.PDFKey, err)
	}

	// The client each instance saw is the one its proxy named.
	entries, err := db.AuditEntriesFrom(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var accepted bool
	for _, e := range entries {
		if e.Action == "accept" && e.Subject == "application:"+strconv.FormatInt(id, 10) {
			accepted = true
			if e.IP != "203.0.113.9" {
				t.Errorf("the officer's 受理 was recorded from %q, not the client behind the proxy", e.IP)
			}
		}
	}
	if !accepted {
		t.Error("no audit entry of the 受理")
	}

	// Both instances ran their jobs at start; each reminder (one per item
	// due) was written once, and every message was sent once, by one of
	// them.
	waitFor(t, 30*time.Second, "every SMS sent", func() bool {
		s, err := db.OutboxStats(ctx)
		return err == nil && s.Pending == 0 && s.Sending == 0 && s.Sent > 0
	})
	var reminders int
	rows, err := store.QueryForTest(db, `SELECT recipient_hmac, body, COUNT(*) FROM outbox WHERE topic = 'expiry_reminder' GROUP BY recipient_hmac, body`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var to, body string
		var n int
		rows.Scan(&to, &body, &n)
		reminders++
		if n != 1 {
			t.Errorf("%d times to %s: %s", n, to, body)
		}
	}
	rows.Close()
	if reminders == 0 {
		t.Error("no expiry reminder: the demo has an item due within 3 months")
	}
	sent := map[string]string{}
	for _, inst := range []*instance{a, b} {
		for _, line := range smsLines(t, inst.smsLog) {
			if other, dup := sent[line.ID]; dup {
				t.Errorf("message %s sent by %s and by %s", line.ID, other, inst.name)
			}
			sent[line.ID] = inst.name
		}
	}
	if s, _ := db.OutboxStats(ctx); len(sent) != s.Sent {
		t.Errorf("%d messages sent per the logs, %d per the outbox", len(sent), s.Sent)
	}
	for _, inst := range []*instance{a, b} {
		if !strings.Contains(readFile(t, inst.logFile), `"msg":"listening"`) {
			t.Errorf("instance %s did not log that it listened", inst.name)
		}
	}
}

// buildOpcert compiles the command once per test binary run.
func buildOpcert(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "opcert")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/opcert")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startInstance(t *testing.T, bin, name string, env []string) *instance {
	t.Helper()
	dir := t.TempDir()
	inst := &instance{name: name, addr: freeAddr(t), smsLog: filepath.Join(dir, "sms.log"), logFile: filepath.Join(dir, "opcert.log")}
	out, err := os.Create(inst.logFile)
	if err != nil {
		t.Fatal(err)
	}
	inst.cmd = exec.Command(bin, "serve")
	inst.cmd.Env = append(os.Environ(), env...)
	inst.cmd.Env = append(inst.cmd.Env, "OPCERT_ADDR="+inst.addr, "OPCERT_DATA="+dir, "OPCERT_SMS_LOG="+inst.smsLog)
	inst.cmd.Stdout, inst.cmd.Stderr = out, out
	if err := inst.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		inst.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { inst.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			inst.cmd.Process.Kill()
			<-done
		}
		out.Close()
	})
	waitFor(t, 60*time.Second, "instance "+name+" healthy", func() bool {
		resp, err := http.Get("http://" + inst.addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return inst
}

// frontProxy is a reverse proxy before one instance that, like the last
// proxy of a chain (a CDN before the load balancer), names the client it
// saw in X-Forwarded-For.
func frontProxy(t *testing.T, inst *instance, client string) *httptest.Server {
	target, _ := url.Parse("http://" + inst.addr)
	p := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.Out.Header.Set("X-Forwarded-For", client)
	}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for: %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func smsLines(t *testing.T, path string) []notify.LogLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []notify.LogLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l notify.LogLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func mustS3(t *testing.T, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
