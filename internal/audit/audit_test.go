package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var out []Entry
	prev := Genesis
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: time.Date(2026, 11, 22, 9, i, 0, 0, time.UTC), ActorID: 7, ActorRole: "officer",
			Action: "view_application", Subject: "application:1", IP: "127.0.0.1", PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerify(t *testing.T) {
	if err := Verify(chain(5)); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		mutate func([]Entry) []Entry
		seq    int64
	}{
		"edited action":  {func(es []Entry) []Entry { es[2].Action = "approve"; return es }, 3},
		"edited after":   {func(es []Entry) []Entry { es[1].After = "x"; return es }, 2},
		"edited time":    {func(es []Entry) []Entry { es[0].At = es[0].At.Add(time.Second); return es }, 1},
		"edited actor":   {func(es []Entry) []Entry { es[4].ActorID = 8; return es }, 5},
		"rehashed edit":  {func(es []Entry) []Entry { es[1].Subject = "x"; es[1].Hash = es[1].ComputeHash(); return es }, 3},
		"deleted first":  {func(es []Entry) []Entry { return es[1:] }, 1},
		"deleted middle": {func(es []Entry) []Entry { return append(es[:2:2], es[3:]...) }, 3},
		"swapped":        {func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 2},
	}
	for name, c := range cases {
		err := Verify(c.mutate(chain(5)))
		var be *BrokenChainError
		if !errors.As(err, &be) || be.Seq != c.seq {
			t.Errorf("%s: err = %v, want broken at %d", name, err, c.seq)
		}
	}
	// A cut tail leaves a valid chain: only a head recorded elsewhere shows it.
	full, cut := NewChain(), NewChain()
	for _, e := range chain(5) {
		full.Add(e)
	}
	for _, e := range chain(4) {
		cut.Add(e)
	}
	if cut.Head() == full.Head() {
		t.Fatal("a truncated log has the same head")
	}
}
