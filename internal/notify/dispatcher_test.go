package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// clock is a settable time shared by the store handles of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// queue puts n state-change messages in the outbox, to 13900000000,
// 13900000001 and so on, due at the store's clock.
func queue(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		if err := store.EnqueueForTest(db, fmt.Sprintf("139%08d", i), "accepted", fmt.Sprintf("消息 %d", i)); err != nil {
			t.Fatal(err)
		}
	}
}

func record(t *testing.T, db *store.DB, mobile string) store.OutboxRecord {
	t.Helper()
	msgs, err := db.RecentOutbox(context.Background(), mobile, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox of %s: %v %v", mobile, msgs, err)
	}
	r, err := db.OutboxMessageByID(context.Background(), msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// senderFunc adapts a function to notify.Sender.
type senderFunc func(ctx context.Context, to, body string) (string, error)

func (f senderFunc) Send(ctx context.Context, to, body string) (string, error) {
	return f(ctx, to, body)
}

func TestRetriesUntilDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		db.SetClock(c.now)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer k" {
				t.Error("no key")
			}
			if calls.Add(1) <= 2 {
				http.Error(w, "busy", http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, `{"id":"gw-1"}`)
		}))
		defer srv.Close()
		queue(t, db, 1)
		d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}}
		ctx := context.Background()

		if sent, failed, err := d.RunOnce(ctx); sent != 0 || failed != 1 || err != nil {
			t.Fatalf("first try: sent %d failed %d %v", sent, failed, err)
		}
		r := record(t, db, "13900000000")
		if r.Status != "pending" || r.Attempts != 1 || !r.NextAttemptAt.Equal(c.now().Add(time.Minute)) || !strings.Contains(r.LastError, "HTTP 500") {
			t.Fatalf("after the first try: %+v", r)
		}
		// Not yet due: nothing is sent before the back-off has passed.
		c.add(59 * time.Second)
		if d.RunOnce(ctx); calls.Load() != 1 {
			t.Fatal("retried before the back-off")
		}
		c.add(time.Second)
		d.RunOnce(ctx) // second failure: next in 5 minutes
		c.add(5 * time.Minute)
		if sent, _, err := d.RunOnce(ctx); sent != 1 || err != nil {
			t.Fatalf("third try: sent %d %v", sent, err)
		}
		r = record(t, db, "13900000000")
		if r.Status != "sent" || r.Attempts != 3 || r.ProviderID != "gw-1" || !r.SentAt.Equal(c.now()) || !r.ClaimedUntil.IsZero() || calls.Load() != 3 {
			t.Fatalf("delivered: %+v, %d calls", r, calls.Load())
		}
		// Sent once: nothing more goes out later.
		c.add(24 * time.Hour)
		d.RunOnce(ctx)
		if calls.Load() != 3 {
			t.Fatal("a sent message was sent again")
		}
	})
}

func TestRefusedMessageIsNotRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		db.SetClock(c.now)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			http.Error(w, "手机号码格式错误", http.StatusBadRequest)
		}))
		defer srv.Close()
		queue(t, db, 1)
		d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}}
		if _, failed, err := d.RunOnce(context.Background()); err != nil || failed != 1 {
			t.Fatalf("failed %d err %v", failed, err)
		}
		r := record(t, db, "13900000000")
		if r.Status != "failed" || r.Attempts != 1 || !strings.Contains(r.LastError, "HTTP 400 手机号码格式错误") {
			t.Fatalf("%+v", r)
		}
		c.add(48 * time.Hour)
		d.RunOnce(context.Background())
		if calls.Load() != 1 {
			t.Fatal("a refused message was retried")
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		db.SetClock(c.now)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		queue(t, db, 1)
		d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}}
		var waited time.Duration
		for i := 1; i <= notify.MaxAttempts; i++ {
			if _, failed, err := d.RunOnce(context.Background()); failed != 1 || err != nil {
				t.Fatalf("attempt %d: failed %d %v", i, failed, err)
			}
			if i < notify.MaxAttempts {
				waited += notify.Backoff(i)
				c.add(notify.Backoff(i))
			}
		}
		r := record(t, db, "13900000000")
		if r.Status != "failed" || r.Attempts != notify.MaxAttempts || !strings.Contains(r.LastError, "HTTP 503") {
			t.Fatalf("%+v", r)
		}
		if waited < 8*time.Hour || waited > 12*time.Hour {
			t.Errorf("retried for %s; a message should keep trying for most of a working day", waited)
		}
		c.add(48 * time.Hour)
		d.RunOnce(context.Background())
		if calls.Load() != notify.MaxAttempts {
			t.Fatalf("%d calls", calls.Load())
		}
	})
}

// A message whose every try ended without a result (the sender died
// mid-send each time) is given up once its attempts are used.
func TestCrashingMessageRunsOutOfAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		db.SetClock(c.now)
		queue(t, db, 1)
		for range notify.MaxAttempts {
			if claims, err := db.ClaimOutbox(context.Background(), 1); err != nil || len(claims) != 1 {
				t.Fatalf("claim: %v %v", claims, err)
			}
			c.add(store.ClaimLease + time.Second) // the sender died; the lease runs out
		}
		var calls int
		d := &notify.Dispatcher{Store: db, Sender: senderFunc(func(context.Context, string, string) (string, error) {
			calls++
			return "x", nil
		})}
		if sent, failed, err := d.RunOnce(context.Background()); sent != 0 || failed != 1 || err != nil || calls != 0 {
			t.Fatalf("sent %d failed %d err %v calls %d", sent, failed, err, calls)
		}
		if r := record(t, db, "13900000000"); r.Status != "failed" || !strings.Contains(r.LastError, "未完成") {
			t.Fatalf("%+v", r)
		}
	})
}

// openTwo opens two handles on one fresh database, as two instances of the
// service would.
func openTwo(t *testing.T, d store.Dialect) (*store.DB, *store.DB) {
	t.Helper()
	ctx := context.Background()
	var url, path string
	if d == store.Postgres {
		url = storetest.PostgresSchema(t)
	} else {
		path = filepath.Join(t.TempDir(), "opcert.db")
	}
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, url, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// Two instances draining the same outbox send each message exactly once.
func TestConcurrentDispatchersSendOnce(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			a, b := openTwo(t, engine)
			const n = 60
			queue(t, a, n)
			var mu sync.Mutex
			got := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var p struct{ Mobile, Content string }
				if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
					t.Error(err)
				}
				mu.Lock()
				got[p.Mobile]++
				mu.Unlock()
				time.Sleep(time.Millisecond) // let the two overlap
				fmt.Fprintf(w, `{"id":"gw-%s"}`, p.Mobile)
			}))
			defer srv.Close()
			var wg sync.WaitGroup
			var sent [2]int
			start := make(chan struct{})
			for i, db := range []*store.DB{a, b} {
				wg.Go(func() {
					<-start
					d := &notify.Dispatcher{Store: db, Sender: &notify.HTTPSender{URL: srv.URL, Key: "k"}, Batch: 4}
					for range n {
						s, _, err := d.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						sent[i] += s
					}
				})
			}
			close(start)
			wg.Wait()
			if len(got) != n || sent[0]+sent[1] != n {
				t.Fatalf("delivered to %d numbers, %v sent, want %d", len(got), sent, n)
			}
			for m, k := range got {
				if k != 1 {
					t.Errorf("%s got %d messages", m, k)
				}
			}
			if st, err := a.OutboxStats(context.Background()); err != nil || st.Sent != n || st.Pending+st.Sending+st.Failed != 0 {
				t.Fatalf("stats %+v %v", st, err)
			}
			t.Logf("instance a sent %d, b sent %d", sent[0], sent[1])
		})
	}
}

// A dispatcher renews its lease before a send when little is left, so a
// slow batch is not taken over by another instance half-way.
func TestDispatcherRenewsLease(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			a, b := openTwo(t, engine)
			c := newClock()
			a.SetClock(c.now)
			b.SetClock(c.now)
			queue(t, a, 2)
			got := map[string]int{}
			var other *notify.Dispatcher
			calls := 0
			slow := senderFunc(func(ctx context.Context, to, body string) (string, error) {
				got[to]++
				calls++
				switch calls {
				case 1:
					c.add(90 * time.Second) // 30 s of the lease left
				case 2:
					c.add(60 * time.Second) // past the first lease
					if sent, _, err := other.RunOnce(ctx); sent != 0 || err != nil {
						t.Errorf("the other instance sent %d (%v) while the lease was renewed", sent, err)
					}
				}
				return "ok", nil
			})
			other = &notify.Dispatcher{Store: b, Sender: senderFunc(func(ctx context.Context, to, body string) (string, error) {
				got[to]++
				return "other", nil
			})}
			d := &notify.Dispatcher{Store: a, Sender: slow}
			if sent, _, err := d.RunOnce(context.Background()); sent != 2 || err != nil {
				t.Fatalf("sent %d %v", sent, err)
			}
			for m, k := range got {
				if k != 1 {
					t.Errorf("%s got %d messages", m, k)
				}
			}
		})
	}
}

// A dispatcher that lost its lease (it stalled and another instance claimed
// the rest of its batch) skips those messages instead of sending them too.
func TestDispatcherSkipsLostClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		db.SetClock(c.now)
		queue(t, db, 3)
		var calls int
		d := &notify.Dispatcher{Store: db, Sender: senderFunc(func(ctx context.Context, to, body string) (string, error) {
			calls++
			c.add(store.ClaimLease + time.Second)
			// Another instance claims the two left, as ClaimOutbox would.
			storetest.Exec(t, db, `UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id <> $2`,
				c.now().Add(store.ClaimLease), record(t, db, to).ID)
			return "ok", nil
		})}
		if sent, _, err := d.RunOnce(context.Background()); sent != 1 || err != nil || calls != 1 {
			t.Fatalf("sent %d err %v calls %d", sent, err, calls)
		}
		for _, m := range []string{"13900000001", "13900000002"} {
			if r := record(t, db, m); r.Status != "pending" || r.ClaimedUntil.IsZero() {
				t.Fatalf("%s: %+v", m, r)
			}
		}
	})
}

// A message the gateway took just as the service stops is still recorded
// as sent, or it would go out again after the restart.
func TestShutdownRecordsWhatWasSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		queue(t, db, 2)
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		d := &notify.Dispatcher{Store: db, Sender: senderFunc(func(context.Context, string, string) (string, error) {
			calls++
			cancel()
			return "gw-9", nil
		})}
		sent, _, err := d.RunOnce(ctx)
		if sent != 1 || !errors.Is(err, context.Canceled) || calls != 1 {
			t.Fatalf("sent %d err %v calls %d", sent, err, calls)
		}
		if r := record(t, db, "13900000000"); r.Status != "sent" || r.ProviderID != "gw-9" {
			t.Fatalf("%+v", r)
		}
		if r := record(t, db, "13900000001"); r.Status != "pending" {
			t.Fatalf("%+v", r)
		}
	})
}

func TestRunDrainsBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		queue(t, db, 7)
		var n atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		d := &notify.Dispatcher{Store: db, Batch: 2, Sender: senderFunc(func(context.Context, string, string) (string, error) {
			if n.Add(1) == 7 {
				close(done)
			}
			return "", nil
		})}
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			d.Run(ctx, time.Hour) // only going on after a full batch brings the rest before the next tick
		}()
		defer func() { cancel(); <-stopped }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("sent %d of 7", n.Load())
		}
	})
}

// A login code is a password for five minutes. It goes out in clear (the
// person must read it), but once sent neither the outbox nor the SMS log
// holds it; nor does a code message given up. In demo mode (KeepCodes)
// the outbox is the phone and keeps it.
func TestSentCodesAreNotKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		db.SetClock(c.now)
		code := "604817"
		if err := db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, code); err != nil {
			t.Fatal(err)
		}
		if r := record(t, db, "13900000001"); !strings.Contains(r.Body, code) {
			t.Fatalf("a pending message must keep its code to be sent: %q", r.Body)
		}
		var log bytes.Buffer
		var got string
		sender := senderFunc(func(ctx context.Context, to, body string) (string, error) {
			got = body
			return (&notify.LogSender{W: &log}).Send(ctx, to, body)
		})
		if sent, _, err := (&notify.Dispatcher{Store: db, Sender: sender}).RunOnce(ctx); err != nil || sent != 1 {
			t.Fatalf("sent %d, %v", sent, err)
		}
		if !strings.Contains(got, code) {
			t.Fatalf("the person got %q, without the code", got)
		}
		r := record(t, db, "13900000001")
		if r.Status != "sent" || strings.Contains(r.Body, code) || !strings.Contains(r.Body, "验证码为 ******") {
			t.Errorf("outbox after sending: %s %q", r.Status, r.Body)
		}
		if strings.Contains(log.String(), code) || !strings.Contains(log.String(), "******") {
			t.Errorf("SMS log holds the code: %s", log.String())
		}

		// Refused for good by the gateway: given up, masked too.
		db.IssueSMSCode(ctx, "13900000002", auth.SMSRegister, code)
		refuse := senderFunc(func(context.Context, string, string) (string, error) {
			return "", &notify.PermanentError{Err: errors.New("号码无效")}
		})
		if _, failed, err := (&notify.Dispatcher{Store: db, Sender: refuse}).RunOnce(ctx); err != nil || failed != 1 {
			t.Fatalf("failed %d, %v", failed, err)
		}
		if r := record(t, db, "13900000002"); r.Status != "failed" || strings.Contains(r.Body, code) {
			t.Errorf("given up: %s %q", r.Status, r.Body)
		}
		// A retry keeps it: the message is still to be sent.
		c.add(time.Minute)
		db.IssueSMSCode(ctx, "13900000003", auth.SMSLogin, code)
		busy := senderFunc(func(context.Context, string, string) (string, error) { return "", errors.New("网关繁忙") })
		(&notify.Dispatcher{Store: db, Sender: busy}).RunOnce(ctx)
		if r := record(t, db, "13900000003"); r.Status != "pending" || !strings.Contains(r.Body, code) {
			t.Errorf("to retry: %s %q", r.Status, r.Body)
		}

		c.add(time.Minute)
		db.IssueSMSCode(ctx, "13900000004", auth.SMSLogin, code)
		demo := &notify.Dispatcher{Store: db, Sender: &notify.LogSender{W: &log}, KeepCodes: true}
		demo.RunOnce(ctx)
		if r := record(t, db, "13900000004"); r.Status != "sent" || !strings.Contains(r.Body, code) {
			t.Errorf("demo outbox after sending: %s %q", r.Status, r.Body)
		}
		if strings.Contains(log.String(), code) {
			t.Errorf("SMS log holds the code in demo mode: %s", log.String())
		}
	})
}

// A sender stopping mid-batch (shutdown) gives back the messages it had not
// tried: another instance sends them at once, their attempts uncounted;
// the one it sent is not sent again.
func TestShutdownReleasesUntriedClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		db.SetClock(c.now)
		queue(t, db, 3)
		ctx, stop := context.WithCancel(context.Background())
		var sent []string
		first := &notify.Dispatcher{Store: db, Sender: senderFunc(func(_ context.Context, to, _ string) (string, error) {
			sent = append(sent, to)
			stop() // the shutdown arrives while the first message goes out
			return "p-" + to, nil
		})}
		if n, _, err := first.RunOnce(ctx); n != 1 || !errors.Is(err, context.Canceled) {
			t.Fatalf("first sender: %d sent, %v", n, err)
		}
		var other []string
		second := &notify.Dispatcher{Store: db, Sender: senderFunc(func(_ context.Context, to, _ string) (string, error) {
			other = append(other, to)
			return "q-" + to, nil
		})}
		if n, _, err := second.RunOnce(context.Background()); n != 2 || err != nil {
			t.Fatalf("the second sender, before any lease ran out: %d sent, %v", n, err)
		}
		if len(sent) != 1 || len(other) != 2 || other[0] == sent[0] || other[1] == sent[0] {
			t.Fatalf("first sent %v, second %v", sent, other)
		}
		for _, to := range other {
			if r := record(t, db, to); r.Status != "sent" || r.Attempts != 1 {
				t.Errorf("%s: %s after %d attempts", to, r.Status, r.Attempts)
			}
		}
	})
}
