package loadtest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"opcert/internal/upload"
)

// The 1 MB scan the applicant path uploads must pass the upload checks, or
// the path would measure a refusal.
func TestPaddedPDFIsAccepted(t *testing.T) {
	f, err := upload.CheckBytes("身份证信息", "身份证.pdf", PaddedPDF(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != upload.PDF || f.Size != 1<<20 {
		t.Fatalf("accepted as %s of %d bytes, want pdf of %d", f.Kind, f.Size, 1<<20)
	}
}

// A loop counts what succeeded and what failed, and stops when the
// fixtures run out, its window ending there.
func TestLoopCountsAndStopsWhenExhausted(t *testing.T) {
	var calls atomic.Int64
	boom := errors.New("boom")
	st := Loop(context.Background(), 4, 0, time.Hour, func(context.Context, int) error {
		switch n := calls.Add(1); {
		case n > 200:
			return ErrExhausted
		case n%10 == 0:
			return boom
		}
		return nil
	})
	if !st.Exhausted || st.Concurrency != 4 {
		t.Fatalf("exhausted %v, concurrency %d", st.Exhausted, st.Concurrency)
	}
	if st.Errors == 0 || !errors.Is(st.FirstError, boom) {
		t.Fatalf("errors %d, first %v", st.Errors, st.FirstError)
	}
	if st.Ops == 0 || st.Ops+st.Errors > 200 || st.Elapsed >= time.Hour {
		t.Fatalf("ops %d + errors %d of 200 calls in %v", st.Ops, st.Errors, st.Elapsed)
	}
	if st.P50 > st.P99 {
		t.Fatalf("p50 %v above p99 %v", st.P50, st.P99)
	}
}

// An operation that began in the warm-up and ended in the measured window
// counts: an operation about as long as the window would otherwise never
// count, and a slow path would report a rate of none.
func TestLoopCountsAnOperationThatEndsInTheWindow(t *testing.T) {
	var calls atomic.Int64
	st := Loop(context.Background(), 2, 100*time.Millisecond, time.Hour, func(context.Context, int) error {
		if calls.Add(1) > 2 {
			return ErrExhausted
		}
		time.Sleep(200 * time.Millisecond)
		return nil
	})
	if st.Ops < 1 || st.Errors != 0 {
		t.Fatalf("ops %d, errors %d: the operations that ended in the window were not counted", st.Ops, st.Errors)
	}
}
