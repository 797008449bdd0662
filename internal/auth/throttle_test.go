package auth

import (
	"testing"
	"time"
)

// Failures slow the guesser down and bring a captcha, never a lock (OWASP
// ASVS 2.2.1): the waits double from the third failure of one client on one
// account and stop growing at a minute.
func TestLoginFailures(t *testing.T) {
	last := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		f       LoginFailures
		after   time.Duration // since the last failure
		wait    time.Duration
		captcha bool
	}{
		{LoginFailures{}, 0, 0, false},
		{LoginFailures{Account: 2, Client: 2, Pair: 2}, 0, 0, false},
		{LoginFailures{Account: 3, Client: 3, Pair: 3}, 0, time.Second, true},
		{LoginFailures{Account: 3, Client: 3, Pair: 3}, time.Second, 0, true},
		{LoginFailures{Account: 4, Client: 4, Pair: 4}, 500 * time.Millisecond, 1500 * time.Millisecond, true},
		{LoginFailures{Account: 8, Client: 8, Pair: 8}, 0, 32 * time.Second, true},
		{LoginFailures{Account: 9, Client: 9, Pair: 9}, 0, time.Minute, true},
		{LoginFailures{Account: 40, Client: 40, Pair: 40}, 0, time.Minute, true},
		{LoginFailures{Account: 40, Client: 40, Pair: 40}, time.Minute, 0, true},
		// The owner at another address: the account's failures ask a
		// captcha, the guesser's wait is not theirs.
		{LoginFailures{Account: 7}, 0, 0, true},
		// One client failing on many accounts.
		{LoginFailures{Client: 10, Pair: 1}, 0, 0, true},
		{LoginFailures{Client: 9, Account: 1, Pair: 1}, 0, 0, false},
	} {
		c.f.LastTry = last
		if got := c.f.RetryWait(last.Add(c.after)); got != c.wait {
			t.Errorf("%+v after %v: wait %v, want %v", c.f, c.after, got, c.wait)
		}
		if got := c.f.CaptchaNeeded(); got != c.captcha {
			t.Errorf("%+v: captcha %v, want %v", c.f, got, c.captcha)
		}
	}
}

func TestNewCaptchaAnswer(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		a := NewCaptchaAnswer()
		if len(a) != 6 || a[0] < '0' || a[5] > '9' {
			t.Fatalf("answer %q", a)
		}
		seen[a] = true
	}
	if len(seen) < 45 {
		t.Fatalf("only %d distinct answers of 50", len(seen))
	}
}
