// Package loadtest is the machinery of the load command (opcert load): a
// closed-loop HTTP client, the service started as a child process on a
// generated database, the peak memory of that process, and the paths of
// the service that the command measures against a bare net/http handler
// on the same machine with the same client.
//
// Ratios to the bare handler, not absolute rates, are the result: the
// machines this runs on are shared and noisy, and the bare handler's rate
// measured in the same run is the ceiling of client, loopback and kernel.
package loadtest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrExhausted ends a worker early: the fixtures it consumes (prepared
// drafts, fresh accounts) have run out.
var ErrExhausted = errors.New("loadtest: fixtures exhausted")

// Op is one operation of a worker: a request, or a whole applicant path.
type Op func(ctx context.Context, worker int) error

// Stats is what a closed loop measured.
type Stats struct {
	Concurrency int
	Ops         int // completed without error in the measured window
	Errors      int
	FirstError  error
	Elapsed     time.Duration
	P50, P99    time.Duration
	Exhausted   bool // some worker ran out of fixtures before the end
}

// Rate is operations per second.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Ops) / s.Elapsed.Seconds()
}

// Loop runs op from c goroutines, each starting the next operation as soon
// as its last one ends (a closed loop: the offered load is what the
// service can take), for warmup and then for d. The operations that end
// inside the measured window count, wherever they started: counting only
// those that also start inside it would take about one operation's length
// off each worker's window, and an operation as long as the window (the
// whole applicant path on a slow machine) would never count at all.
func Loop(ctx context.Context, c int, warmup, d time.Duration, op Op) Stats {
	start := time.Now()
	from, until := start.Add(warmup), start.Add(warmup+d)
	type sample struct {
		end time.Time
		lat time.Duration
	}
	type worker struct {
		done      []sample
		errs      int
		first     error
		exhausted bool
		last      time.Time
	}
	ws := make([]worker, c)
	var wg sync.WaitGroup
	for i := range c {
		wg.Go(func() {
			w := &ws[i]
			for {
				t0 := time.Now()
				if !t0.Before(until) || ctx.Err() != nil {
					return
				}
				err := op(ctx, i)
				t1 := time.Now()
				if errors.Is(err, ErrExhausted) {
					w.exhausted, w.last = true, t0
					return
				}
				if t1.Before(from) || t1.After(until) {
					continue
				}
				if err != nil {
					w.errs++
					if w.first == nil {
						w.first = err
					}
					continue
				}
				w.done = append(w.done, sample{t1, t1.Sub(t0)})
			}
		})
	}
	wg.Wait()
	s := Stats{Concurrency: c, Elapsed: d}
	end := until
	for _, w := range ws {
		s.Errors += w.errs
		if s.FirstError == nil {
			s.FirstError = w.first
		}
		if w.exhausted {
			s.Exhausted = true
			// The window ends where the first worker ran dry: after that
			// fewer workers run and the rate would not be at c.
			if w.last.Before(end) {
				end = w.last
			}
		}
	}
	if s.Exhausted {
		s.Elapsed = max(end.Sub(from), 0)
	}
	var all []time.Duration
	for _, w := range ws {
		for _, x := range w.done {
			if !x.end.After(end) {
				all = append(all, x.lat)
			}
		}
	}
	s.Ops = len(all)
	slices.Sort(all)
	s.P50, s.P99 = percentile(all, 0.50), percentile(all, 0.99)
	return s
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)) * p)
	return sorted[min(i, len(sorted)-1)]
}
