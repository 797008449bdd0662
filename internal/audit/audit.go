// Package audit is the tamper-evident record of what officers and admins do
// and of every time an officer views an applicant's personal data, hash-
// chained so that any edit or deletion is detectable (GB/T 22239-2019 level
// 3: audit records protected from deletion, change and overwriting).
//
// Each entry carries the hash of the one before it and a hash over all of
// its own fields, so editing a row, deleting one, or reordering rows breaks
// the chain at that row. What the rows alone cannot show is rows cut off the
// end: a truncated log is a shorter valid chain. For that, operators record
// the head hash that verification prints (in a ticket, a mail, a paper
// register: anywhere the database's users cannot rewrite) and later verify
// against it; a recorded head vouches for every entry up to it.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"iter"
	"strconv"
	"time"
)

// Genesis is the PrevHash of the first entry, so the first entry is chained
// like every other and cannot be replaced without breaking the second.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one audited action.
type Entry struct {
	Seq       int64
	At        time.Time
	ActorID   int64
	ActorRole string
	Action    string // e.g. view_application, approve, transfer
	Subject   string // e.g. application:123, holder:45
	Before    string // state before, when the action changed something
	After     string
	IP        string
	PrevHash  string
	Hash      string
}

// ComputeHash is SHA-256 over every field but Hash, in a fixed order and
// each length-prefixed, so that no two different entries encode alike (with
// plain concatenation "ab"+"c" and "a"+"bc" would hash the same). Times are
// taken in UTC so the hash does not depend on the server's time zone.
func (e Entry) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(strconv.FormatInt(e.ActorID, 10))
	field(e.ActorRole)
	field(e.Action)
	field(e.Subject)
	field(e.Before)
	field(e.After)
	field(e.IP)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// BrokenChainError names the first row where the chain does not hold: the
// rows before it are intact, the ones from it on cannot be trusted.
type BrokenChainError struct {
	Seq    int64
	Reason string
}

func (e *BrokenChainError) Error() string {
	return fmt.Sprintf("审计日志第 %d 条：%s", e.Seq, e.Reason)
}

// Chain checks entries in order, one at a time, so a long log can be
// verified while it streams from the database.
type Chain struct {
	next    int64
	prev    string
	Checked int
}

// NewChain starts a verification at the first entry.
func NewChain() *Chain { return &Chain{next: 1, prev: Genesis} }

// Add checks the next entry. Order matters: a missing seq is reported as a
// deletion before the hashes are compared, so the operator is told what
// happened rather than only that a hash differs.
func (c *Chain) Add(e Entry) error {
	switch {
	case e.Seq != c.next:
		if e.Seq > c.next {
			return &BrokenChainError{Seq: c.next, Reason: fmt.Sprintf("缺失（下一条为第 %d 条），记录被删除或顺序被打乱", e.Seq)}
		}
		return &BrokenChainError{Seq: c.next, Reason: fmt.Sprintf("序号错乱（此处为第 %d 条），记录被修改或顺序被打乱", e.Seq)}
	case e.PrevHash != c.prev:
		return &BrokenChainError{Seq: e.Seq, Reason: "与前一条的哈希不符，之前的记录被删除、修改或调换"}
	case e.ComputeHash() != e.Hash:
		return &BrokenChainError{Seq: e.Seq, Reason: "内容与哈希不符，记录被修改"}
	}
	c.next, c.prev = e.Seq+1, e.Hash
	c.Checked++
	return nil
}

// Head is the hash of the last entry checked (Genesis for an empty log).
func (c *Chain) Head() string { return c.prev }

// Verify checks a whole log in order. It cannot tell a log whose tail was
// cut off from a shorter one; use VerifySeq with a recorded head for that.
func Verify(entries []Entry) error {
	c := NewChain()
	for _, e := range entries {
		if err := c.Add(e); err != nil {
			return err
		}
	}
	return nil
}

// VerifySeq checks a log as it streams, in seq order, and returns how many
// entries hold and the head hash. head, when not empty, is a head recorded
// earlier outside the database: it must be one of the entries, else the log
// was cut back past it (or the recorded value is wrong). An error from the
// stream is returned as it is.
func VerifySeq(entries iter.Seq2[Entry, error], head string) (checked int, last string, err error) {
	c := NewChain()
	seen := head == "" || head == Genesis
	for e, err := range entries {
		if err != nil {
			return c.Checked, c.Head(), err
		}
		if err := c.Add(e); err != nil {
			return c.Checked, c.Head(), err
		}
		seen = seen || e.Hash == head
	}
	if !seen {
		return c.Checked, c.Head(), &BrokenChainError{Seq: c.next,
			Reason: fmt.Sprintf("此前记录的最新哈希 %s 不在日志中：日志末尾的记录被删除（或记录的哈希有误）", head)}
	}
	return c.Checked, c.Head(), nil
}
