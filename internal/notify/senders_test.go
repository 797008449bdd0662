package notify_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opcert/internal/notify"
)

func TestLogSender(t *testing.T) {
	var b bytes.Buffer
	s := &notify.LogSender{W: &b}
	var ids []string
	for _, m := range []struct{ to, body string }{{"13800000001", "您的申请已提交。"}, {"13800000002", "含\"引号\"与\n换行"}} {
		id, err := s.Send(context.Background(), m.to, m.body)
		if err != nil || id == "" {
			t.Fatal(id, err)
		}
		ids = append(ids, id)
	}
	sc := bufio.NewScanner(&b)
	var lines []notify.LogLine
	for sc.Scan() {
		var l notify.LogLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 2 || lines[0].Mobile != "13800000001" || lines[0].Content != "您的申请已提交。" || lines[0].ID != ids[0] ||
		lines[1].Content != "含\"引号\"与\n换行" || lines[1].ID != ids[1] || ids[0] == ids[1] || time.Since(lines[0].At) > time.Minute {
		t.Fatalf("%+v", lines)
	}
}

func TestOpenLogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "sms.log")
	for range 2 { // reopened, the file is appended to
		s, closeFn, err := notify.OpenLogFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Send(context.Background(), "13800000001", "已受理"); err != nil {
			t.Fatal(err)
		}
		if err := closeFn(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || strings.Count(string(b), "\n") != 2 {
		t.Fatalf("%q %v", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm()&0o007 != 0 {
		t.Errorf("the log of mobile numbers is readable by all: %v", fi.Mode())
	}
}

func TestHTTPSender(t *testing.T) {
	var status int
	var body string
	var got struct {
		auth, ctype     string
		mobile, content string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.auth, got.ctype = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		var p map[string]string
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &p); err != nil || len(p) != 2 || r.Method != http.MethodPost {
			t.Errorf("%s %q", r.Method, b)
		}
		got.mobile, got.content = p["mobile"], p["content"]
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	s := &notify.HTTPSender{URL: srv.URL, Key: "secret"}
	for _, c := range []struct {
		status    int
		body      string
		id        string
		retry     bool // a failure to try again
		permanent bool // a failure given up at once
	}{
		{200, `{"id":"m-1"}`, "m-1", false, false},
		{202, ``, "", false, false},
		{400, `bad number`, "", false, true},
		{422, `text refused`, "", false, true},
		{401, ``, "", true, false},
		{403, ``, "", true, false},
		{404, ``, "", true, false},
		{429, ``, "", true, false},
		{500, ``, "", true, false},
		{503, ``, "", true, false},
	} {
		status, body = c.status, c.body
		id, err := s.Send(context.Background(), "13800000001", "您的申请已受理。")
		var perm *notify.PermanentError
		switch {
		case got.auth != "Bearer secret" || !strings.HasPrefix(got.ctype, "application/json") || got.mobile != "13800000001" || got.content != "您的申请已受理。":
			t.Errorf("%d: request %+v", c.status, got)
		case id != c.id:
			t.Errorf("%d: id %q", c.status, id)
		case !c.retry && !c.permanent && err != nil:
			t.Errorf("%d: %v", c.status, err)
		case (c.retry || c.permanent) && err == nil:
			t.Errorf("%d: no error", c.status)
		case c.permanent != errors.As(err, &perm):
			t.Errorf("%d: permanent = %v (%v)", c.status, !c.permanent, err)
		}
	}
}

func TestHTTPSenderTimeoutIsRetried(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	s := &notify.HTTPSender{URL: srv.URL, Key: "k", Client: &http.Client{Timeout: 50 * time.Millisecond}}
	_, err := s.Send(context.Background(), "13800000001", "x")
	var perm *notify.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("timeout: %v", err)
	}
	// Nothing listening: retried as well.
	s = &notify.HTTPSender{URL: "http://127.0.0.1:1/sms", Key: "k"}
	if _, err := s.Send(context.Background(), "13800000001", "x"); err == nil || errors.As(err, &perm) {
		t.Fatalf("refused connection: %v", err)
	}
}
