package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterCountsPerKeyAndWindow(t *testing.T) {
	l := NewLimiter(RateLimit{Max: 2, Window: time.Minute})
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true}, {"a", time.Second, true}, {"a", 2 * time.Second, false},
		{"b", 2 * time.Second, true},
		{"a", 59 * time.Second, false}, {"a", time.Minute, true},
	} {
		if got := l.Allow(c.key, t0.Add(c.at)); got != c.want {
			t.Errorf("%s at %v: %v, want %v", c.key, c.at, got, c.want)
		}
	}
	// A stream of new keys does not stay in memory past its window.
	for i := range 1000 {
		l.Allow(fmt.Sprint(i), t0.Add(2*time.Minute))
	}
	l.Allow("late", t0.Add(4*time.Minute))
	if n := len(l.seen); n != 1 {
		t.Fatalf("%d windows kept", n)
	}
}
