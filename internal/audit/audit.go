// Package audit is the tamper-evident record of what officers and admins do
// and of every time an officer views an applicant's personal data (issue 4,
// Audit). Each entry carries the hash of the one before it, so editing or
// deleting a row breaks the chain at that row; the newest hash (the head),
// written down elsewhere, also reveals rows cut off the end.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Genesis is the PrevHash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one audited action.
type Entry struct {
	Seq       int64
	At        time.Time
	ActorID   int64
	ActorRole string
	Action    string // e.g. view_application, approve, transfer
	Subject   string // e.g. application:123
	Before    string // state before, when the action changed something
	After     string
	IP        string
	PrevHash  string
	Hash      string
}

// ComputeHash is SHA-256 over every field but Hash, each length-prefixed so
// that no two different entries encode alike.
func (e Entry) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(fmt.Sprint(e.Seq))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(fmt.Sprint(e.ActorID))
	field(e.ActorRole)
	field(e.Action)
	field(e.Subject)
	field(e.Before)
	field(e.After)
	field(e.IP)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// BrokenChainError names the first row where the chain does not hold.
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

// Add checks the next entry.
func (c *Chain) Add(e Entry) error {
	switch {
	case e.Seq != c.next:
		return &BrokenChainError{Seq: c.next, Reason: fmt.Sprintf("缺失（下一条为第 %d 条），记录被删除", e.Seq)}
	case e.PrevHash != c.prev:
		return &BrokenChainError{Seq: e.Seq, Reason: "前一条的哈希不符，之前的记录被删除或修改"}
	case e.ComputeHash() != e.Hash:
		return &BrokenChainError{Seq: e.Seq, Reason: "内容与哈希不符，记录被修改"}
	}
	c.next, c.prev = e.Seq+1, e.Hash
	c.Checked++
	return nil
}

// Head is the hash of the last entry checked.
func (c *Chain) Head() string { return c.prev }

// Verify checks a whole log in order.
func Verify(entries []Entry) error {
	c := NewChain()
	for _, e := range entries {
		if err := c.Add(e); err != nil {
			return err
		}
	}
	return nil
}
