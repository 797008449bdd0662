// Package notify sends the text messages queued in the outbox: every state
// change of an application queues one in the same transaction as the change
// (issue 4, Notifications), and a Dispatcher drains the queue with retries.
// Senders: a log file (the default) and an HTTP SMS gateway.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"opcert/internal/store"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, to, body string) (providerID string, err error)
}

// PermanentError is a refusal a retry cannot change (the gateway rejected
// the number or the text).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// LogSender writes each message as a JSON line: the default where no SMS
// gateway is configured, and a record of what would have been sent.
type LogSender struct {
	mu sync.Mutex
	W  io.Writer
	n  int
}

func (s *LogSender) Send(_ context.Context, to, body string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	id := fmt.Sprintf("log-%d-%d", time.Now().UnixNano(), s.n)
	line, _ := json.Marshal(map[string]string{"id": id, "mobile": to, "content": body, "at": time.Now().UTC().Format(time.RFC3339)})
	_, err := s.W.Write(append(line, '\n'))
	return id, err
}

// HTTPSender posts {"mobile","content"} to an SMS gateway with a bearer key.
// 2xx is delivered; 4xx is permanent; 5xx and network errors are retried.
type HTTPSender struct {
	URL, Key string
	Client   *http.Client
}

func (s *HTTPSender) Send(ctx context.Context, to, body string) (string, error) {
	payload, _ := json.Marshal(map[string]string{"mobile": to, "content": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(payload))
	if err != nil {
		return "", &PermanentError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.Key)
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		var r struct {
			ID string `json:"id"`
		}
		json.Unmarshal(b, &r)
		return r.ID, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return "", &PermanentError{fmt.Errorf("短信网关拒绝：HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(b)))}
	}
	return "", fmt.Errorf("短信网关暂时不可用：HTTP %d", resp.StatusCode)
}

// Dispatcher drains the outbox.
type Dispatcher struct {
	Store  *store.DB
	Sender Sender
	Log    *slog.Logger
	Batch  int
}

// RunOnce sends what is due now.
func (d *Dispatcher) RunOnce(ctx context.Context) (sent, failed int, err error) {
	batch := d.Batch
	if batch <= 0 {
		batch = 50
	}
	msgs, err := d.Store.ClaimOutbox(ctx, batch)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range msgs {
		id, serr := d.Sender.Send(ctx, m.Recipient, m.Body)
		if serr == nil {
			if err := d.Store.MarkSent(ctx, m.ID, id); err != nil {
				return sent, failed, err
			}
			sent++
			continue
		}
		var perm *PermanentError
		if err := d.Store.MarkFailed(ctx, m.ID, serr, errors.As(serr, &perm)); err != nil {
			return sent, failed, err
		}
		failed++
		d.Log.Warn("sms not sent", "outbox_id", m.ID, "topic", m.Topic, "err", serr)
	}
	return sent, failed, nil
}

// Run sends every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("sms dispatcher", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Placeholders a template may use.
var Placeholders = []string{"{申请号}", "{事项}", "{受理机关}", "{期限}", "{理由}"}

// MaxTemplateLength keeps a message within a few SMS segments.
const MaxTemplateLength = 300

// ValidateTemplate checks an admin's template: known placeholders only and
// not too long, with messages the admin understands.
func ValidateTemplate(body string) error {
	if strings.TrimSpace(body) == "" {
		return errors.New("短信内容不能为空")
	}
	if n := utf8.RuneCountInString(body); n > MaxTemplateLength {
		return fmt.Errorf("短信内容不能超过 %d 字（现为 %d 字）", MaxTemplateLength, n)
	}
	rest := body
	for {
		i := strings.Index(rest, "{")
		if i < 0 {
			return nil
		}
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return fmt.Errorf("占位符“%s”缺少右括号", rest[i:])
		}
		ph := rest[i : i+j+1]
		known := false
		for _, p := range Placeholders {
			known = known || p == ph
		}
		if !known {
			return fmt.Errorf("不认识的占位符“%s”，可用的有：%s", ph, strings.Join(Placeholders, "、"))
		}
		rest = rest[i+j+1:]
	}
}

// Render fills a template.
func Render(body string, vars map[string]string) (string, error) {
	if err := ValidateTemplate(body); err != nil {
		return "", err
	}
	for _, p := range Placeholders {
		body = strings.ReplaceAll(body, p, vars[strings.Trim(p, "{}")])
	}
	return body, nil
}

// Defaults are the built-in texts of each state change, used until an admin
// edits one (seed 000 3.5: 受理机关在材料预审、受理、审批时会有相应的短信息).
var Defaults = map[string]string{
	"submitted":           "【特种设备作业人员资格认定】您的{事项}申请已提交，受理机构：{受理机关}。可在“办件查询”查看办理进度。",
	"correction":          "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）需要补正材料，请于{期限}前登录网上办事系统查看补正告知书并补正。",
	"accepted":            "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理。",
	"examining":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理，请及时查询考试安排并打印准考证。",
	"not_accepted":        "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）不予受理，理由：{理由}。",
	"approved":            "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）准予许可，请登录网上办事系统下载决定书。",
	"denied":              "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）不予许可，理由：{理由}。",
	"awaiting_collection": "【特种设备作业人员资格认定】您的证书（申请号 {申请号}）已制作完成，待领取。",
	"completed":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已办结。",
	"abandoned":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）未在补正期限{期限}前补正，视为放弃行政许可申请。",
}

// Message is the text of a state change: the admin's template for the
// topic, or the built-in one when there is none or it no longer renders.
func Message(ctx context.Context, db *store.DB, topic string, vars map[string]string) string {
	body := Defaults[topic]
	if stored, err := db.SMSTemplates(ctx); err == nil && stored[topic] != "" {
		body = stored[topic]
	}
	if out, err := Render(body, vars); err == nil {
		return out
	}
	out, _ := Render(Defaults[topic], vars)
	return out
}
