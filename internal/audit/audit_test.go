package audit

import (
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var out []Entry
	prev := Genesis
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: time.Date(2026, 11, 22, 9, i, 0, 123456789, time.UTC), ActorID: 7, ActorRole: "officer",
			Action: "approve", Subject: "application:1", Before: `{"status":"accepted"}`, After: `{"status":"approved"}`,
			IP: "127.0.0.1", PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func stream(es []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestIntactChainVerifies(t *testing.T) {
	es := chain(5)
	if err := Verify(es); err != nil {
		t.Fatal(err)
	}
	if err := Verify(nil); err != nil {
		t.Fatalf("empty log: %v", err)
	}
	n, head, err := VerifySeq(stream(es), es[2].Hash)
	if err != nil || n != 5 || head != es[4].Hash {
		t.Fatalf("VerifySeq = %d %s %v", n, head, err)
	}
	if n, head, err := VerifySeq(stream(nil), Genesis); err != nil || n != 0 || head != Genesis {
		t.Fatalf("empty log against its recorded (genesis) head: %d %s %v", n, head, err)
	}
}

// Every field is covered by the hash, and every kind of edit or deletion is
// reported at the first row that no longer holds.
func TestTamperingIsDetected(t *testing.T) {
	cases := []struct {
		name   string
		mutate func([]Entry) []Entry
		seq    int64
		reason string
	}{
		{"seq", func(es []Entry) []Entry { es[2].Seq = 9; return es }, 3, "缺失"},
		{"at", func(es []Entry) []Entry { es[2].At = es[2].At.Add(time.Nanosecond); return es }, 3, "内容与哈希不符"},
		{"at zone only", func(es []Entry) []Entry { es[2].At = es[2].At.In(time.FixedZone("CST", 8*3600)); return es }, 0, ""},
		{"actor id", func(es []Entry) []Entry { es[4].ActorID = 8; return es }, 5, "内容与哈希不符"},
		{"actor role", func(es []Entry) []Entry { es[0].ActorRole = "admin"; return es }, 1, "内容与哈希不符"},
		{"action", func(es []Entry) []Entry { es[2].Action = "reject"; return es }, 3, "内容与哈希不符"},
		{"subject", func(es []Entry) []Entry { es[1].Subject = "application:2"; return es }, 2, "内容与哈希不符"},
		{"before", func(es []Entry) []Entry { es[1].Before = ""; return es }, 2, "内容与哈希不符"},
		{"after", func(es []Entry) []Entry { es[1].After = `{"status":"rejected"}`; return es }, 2, "内容与哈希不符"},
		{"ip", func(es []Entry) []Entry { es[3].IP = "10.0.0.1"; return es }, 4, "内容与哈希不符"},
		{"prev hash", func(es []Entry) []Entry { es[3].PrevHash = es[1].Hash; return es }, 4, "与前一条的哈希不符"},
		{"hash", func(es []Entry) []Entry { es[3].Hash = es[2].Hash; return es }, 4, "内容与哈希不符"},
		// Moving text between adjacent fields keeps the concatenation the
		// same; the length prefixes still tell them apart.
		{"shifted field boundary", func(es []Entry) []Entry {
			es[1].Before, es[1].After = es[1].Before+es[1].After[:1], es[1].After[1:]
			return es
		}, 2, "内容与哈希不符"},
		// Someone who edits a row and recomputes its hash breaks the link
		// from the next row instead.
		{"edited and rehashed", func(es []Entry) []Entry { es[1].After = "x"; es[1].Hash = es[1].ComputeHash(); return es }, 3, "与前一条的哈希不符"},
		{"deleted first", func(es []Entry) []Entry { return es[1:] }, 1, "缺失"},
		{"deleted middle", func(es []Entry) []Entry { return slices.Delete(es, 2, 3) }, 3, "缺失"},
		{"deleted middle and renumbered", func(es []Entry) []Entry {
			es = slices.Delete(es, 2, 3)
			for i := 2; i < len(es); i++ {
				es[i].Seq--
			}
			return es
		}, 3, "与前一条的哈希不符"},
		{"swapped rows", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 2, "缺失"},
		{"swapped contents, seqs kept", func(es []Entry) []Entry {
			es[1], es[2] = es[2], es[1]
			es[1].Seq, es[2].Seq = 2, 3
			return es
		}, 2, "与前一条的哈希不符"},
		{"duplicated row", func(es []Entry) []Entry { return slices.Insert(es, 2, es[1]) }, 3, "序号错乱"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.mutate(chain(5)))
			if c.seq == 0 {
				if err != nil {
					t.Fatalf("the same instant in another zone is no edit: %v", err)
				}
				return
			}
			var be *BrokenChainError
			if !errors.As(err, &be) || be.Seq != c.seq || !strings.Contains(be.Reason, c.reason) {
				t.Fatalf("err = %v, want broken at %d (%s)", err, c.seq, c.reason)
			}
		})
	}
}

// A log cut back at the end is still a valid chain: from the rows alone it
// cannot be told from a shorter log. Only a head recorded elsewhere shows it.
func TestTruncationNeedsARecordedHead(t *testing.T) {
	full := chain(5)
	recorded := full[4].Hash
	for _, keep := range []int{4, 1, 0} {
		cut := full[:keep]
		if err := Verify(cut); err != nil {
			t.Fatalf("keep %d: a cut tail alone looks intact, got %v", keep, err)
		}
		n, _, err := VerifySeq(stream(cut), recorded)
		var be *BrokenChainError
		if !errors.As(err, &be) || be.Seq != int64(keep+1) || n != keep {
			t.Fatalf("keep %d against the recorded head: %d %v", keep, n, err)
		}
	}
	// Rows appended after the head was recorded are fine.
	if _, _, err := VerifySeq(stream(full), full[2].Hash); err != nil {
		t.Fatal(err)
	}
	// A mistyped head is reported, not silently ignored.
	if _, _, err := VerifySeq(stream(full), "abc"); err == nil {
		t.Fatal("unknown head accepted")
	}
}

func TestVerifySeqStopsOnStreamError(t *testing.T) {
	boom := errors.New("connection lost")
	es := chain(3)
	n, _, err := VerifySeq(func(yield func(Entry, error) bool) {
		if yield(es[0], nil) {
			yield(Entry{}, boom)
		}
	}, "")
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
}

func TestHashIsStable(t *testing.T) {
	// A change to the encoding would make every stored chain fail; this
	// pins it.
	e := Entry{Seq: 1, At: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), ActorID: 1, ActorRole: "officer",
		Action: "accept", Subject: "application:1", After: "status=accepted", IP: "::1", PrevHash: Genesis}
	if got := e.ComputeHash(); got != stableHash {
		t.Fatalf("hash = %s", got)
	}
}

const stableHash = "06b09316e4a5e8b943ddc02b69407de67ccec9e1d776cccb3dd72ae8048d845a"
