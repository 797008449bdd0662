package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"opcert/internal/auth"
	"opcert/internal/notify"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func queue(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		// An SMS code is the simplest message the store queues by itself.
		if err := db.IssueSMSCode(context.Background(), fmt.Sprintf("139%08d", i), auth.SMSLogin, "123456"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRetriesUntilDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
		db.SetClock(c.now)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer k" {
				t.Error("no key")
			}
			if calls.Add(1) <= 2 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			fmt.Fprint(w, `{"id":"gw-1"}`)
		}))
		defer srv.Close()
		queue(t, db, 1)
		d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}, Log: slog.New(slog.DiscardHandler)}
		ctx := context.Background()
		for range 3 {
			d.RunOnce(ctx)
			c.add(31 * time.Minute) // past each back-off
		}
		msgs, _ := db.RecentOutbox(ctx, "", 1)
		m, attempts, _, _ := db.OutboxMessageByID(ctx, msgs[0].ID)
		if m.Status != "sent" || attempts != 3 || calls.Load() != 3 {
			t.Fatalf("status %s attempts %d calls %d", m.Status, attempts, calls.Load())
		}
		// Sent once: nothing more is sent later.
		d.RunOnce(ctx)
		if calls.Load() != 3 {
			t.Fatal("a sent message was sent again")
		}
	})
}

func TestRefusedMessageIsNotRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad number", http.StatusBadRequest)
		}))
		defer srv.Close()
		queue(t, db, 1)
		d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}, Log: slog.New(slog.DiscardHandler)}
		if _, failed, err := d.RunOnce(context.Background()); err != nil || failed != 1 {
			t.Fatalf("failed %d err %v", failed, err)
		}
		msgs, _ := db.RecentOutbox(context.Background(), "", 1)
		m, _, lastErr, _ := db.OutboxMessageByID(context.Background(), msgs[0].ID)
		if m.Status != "failed" || !strings.Contains(lastErr, "HTTP 400") {
			t.Fatalf("status %s err %q", m.Status, lastErr)
		}
	})
}

// Two instances draining the same outbox send each message exactly once.
func TestConcurrentDispatchersSendOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		got := map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var p struct{ Mobile string }
			json.NewDecoder(r.Body).Decode(&p)
			mu.Lock()
			got[p.Mobile]++
			mu.Unlock()
		}))
		defer srv.Close()
		queue(t, db, 40)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}, Log: slog.New(slog.DiscardHandler), Batch: 5}
				for range 10 {
					if _, _, err := d.RunOnce(context.Background()); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if len(got) != 40 {
			t.Fatalf("delivered to %d numbers, want 40", len(got))
		}
		for m, n := range got {
			if n != 1 {
				t.Errorf("%s got %d messages", m, n)
			}
		}
	})
}

func TestLogSender(t *testing.T) {
	var b bytes.Buffer
	s := &notify.LogSender{W: &b}
	id, err := s.Send(context.Background(), "13800000001", "已提交")
	var line map[string]string
	if err != nil || json.Unmarshal(b.Bytes(), &line) != nil || line["mobile"] != "13800000001" || line["content"] != "已提交" || line["id"] != id {
		t.Fatalf("%q %v", b.String(), err)
	}
}

func TestTemplates(t *testing.T) {
	for topic, body := range notify.Defaults {
		if err := notify.ValidateTemplate(body); err != nil {
			t.Errorf("default %s: %v", topic, err)
		}
	}
	out, err := notify.Render("申请号 {申请号}，{受理机关}", map[string]string{"申请号": "261122000001", "受理机关": "徐汇区市场监督管理局"})
	if err != nil || out != "申请号 261122000001，徐汇区市场监督管理局" {
		t.Fatalf("%q %v", out, err)
	}
	for body, want := range map[string]string{"": "不能为空", "{姓名}": "不认识的占位符", "{申请号": "缺少右括号", strings.Repeat("字", 301): "不能超过"} {
		if err := notify.ValidateTemplate(body); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", body, err)
		}
	}
}
