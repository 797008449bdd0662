package auth

import (
	"sync"
	"time"
)

// Limiter counts events per key in memory, for limits checked on every
// request of a public page, where a database write per request would cost
// more than the page. Each instance of a cluster counts on its own, so the
// limit a client meets is at most the number of instances times Max; the
// limits that matter against guessing (misses, failures) are in the
// database and shared.
type Limiter struct {
	limit RateLimit
	mu    sync.Mutex
	seen  map[string]*window
	swept time.Time
}

type window struct {
	start time.Time
	n     int
}

// NewLimiter allows limit.Max events per key in each limit.Window.
func NewLimiter(limit RateLimit) *Limiter {
	return &Limiter{limit: limit, seen: map[string]*window{}}
}

// Allow counts an event for key at now, unless the key has used up its
// window.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.limit.Window {
		// Forget the windows that have ended, so that a stream of new
		// addresses cannot grow the map without bound.
		for k, w := range l.seen {
			if now.Sub(w.start) >= l.limit.Window {
				delete(l.seen, k)
			}
		}
		l.swept = now
	}
	w := l.seen[key]
	if w == nil || now.Sub(w.start) >= l.limit.Window {
		w = &window{start: now}
		l.seen[key] = w
	}
	if w.n >= l.limit.Max {
		return false
	}
	w.n++
	return true
}

// Public 证书查询 (a name and a 证件号码 must both match). A hit tells the
// asker only what they already knew; a miss is what guessing an ID number
// from a name, a district and a birth date produces — a thousand of them
// recover the number — so misses bring a captcha, for the client and for
// the name asked about, whoever asks.
var (
	QueriesPerClient       = RateLimit{Max: 30, Window: time.Minute}
	QueryMissWindow        = time.Hour
	CaptchaAfterClientMiss = 3
	CaptchaAfterNameMiss   = 5
)
