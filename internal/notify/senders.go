package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"opcert/internal/auth"
)

// LogSender writes each message as a JSON line: the default where no SMS
// gateway is configured, and a record of what would have been sent, with
// any code masked (auth.MaskSMSCode): log files are kept and copied, and
// the code has no use once the message is out.
type LogSender struct {
	W io.Writer

	mu sync.Mutex
	n  int
}

// LogLine is one line a LogSender writes.
type LogLine struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Mobile  string    `json:"mobile"`
	Content string    `json:"content"`
}

// logFileMode: the lines hold mobile numbers, so besides the service only
// its group (the operators reading logs) may read them.
const logFileMode = 0o640

// OpenLogFile appends to the file at path, made if missing. Its mode is
// set to logFileMode whatever the umask, and narrowed if it was wider.
func OpenLogFile(path string) (*LogSender, func() error, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, logFileMode)
	if err != nil {
		return nil, nil, err
	}
	if err := f.Chmod(logFileMode); err != nil {
		f.Close()
		return nil, nil, err
	}
	return &LogSender{W: f}, f.Close, nil
}

// Send writes the line in one Write, so that instances appending to one
// file do not interleave their lines.
func (s *LogSender) Send(_ context.Context, to, body string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	now := time.Now().UTC()
	id := fmt.Sprintf("log-%d-%d", now.UnixNano(), s.n)
	line, err := json.Marshal(LogLine{ID: id, At: now, Mobile: to, Content: auth.MaskSMSCode(body)})
	if err != nil {
		return "", err
	}
	if _, err := s.W.Write(append(line, '\n')); err != nil {
		return "", err
	}
	return id, nil
}

// HTTPSender posts {"mobile","content"} as JSON to an SMS gateway with the
// key as a bearer token. A 2xx answer is delivered (its JSON "id", if any,
// is the provider's message id); a 4xx is the gateway refusing this message
// and is not retried; 5xx, timeouts and network errors are retried.
//
// 401, 403, 404, 408 and 429 are retried although they are 4xx: they say
// the key or URL is wrong or the gateway is busy, not that the message is,
// and giving up on them would drop every message queued until an operator
// fixes the configuration.
type HTTPSender struct {
	URL, Key string
	Client   *http.Client // 10 s timeout when nil
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

func (s *HTTPSender) Send(ctx context.Context, to, body string) (string, error) {
	payload, err := json.Marshal(map[string]string{"mobile": to, "content": body})
	if err != nil {
		return "", &PermanentError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(payload))
	if err != nil {
		return "", fmt.Errorf("短信网关地址有误：%w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+s.Key)
	c := s.Client
	if c == nil {
		c = defaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("短信网关无法连接：%w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		var r struct {
			ID string `json:"id"`
		}
		json.Unmarshal(b, &r) // the id is optional
		return r.ID, nil
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return "", fmt.Errorf("短信网关拒绝了密钥（HTTP %d），请检查 OPCERT_SMS_KEY", code)
	case code == http.StatusNotFound:
		return "", fmt.Errorf("短信网关地址不存在（HTTP 404），请检查 OPCERT_SMS_URL")
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return "", fmt.Errorf("短信网关繁忙：HTTP %d", code)
	case code >= 400 && code < 500:
		return "", &PermanentError{fmt.Errorf("短信网关拒绝发送：HTTP %d %s", code, strings.TrimSpace(string(b)))}
	}
	return "", fmt.Errorf("短信网关暂时不可用：HTTP %d", code)
}
