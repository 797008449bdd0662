package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"opcert/internal/audit"
)

// auditLockID serialises appenders on PostgreSQL: two transactions reading
// the same head would fork the chain.
const auditLockID = 0x61756474 // "audt"

// AppendAudit appends one entry in its own transaction.
func (db *DB) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	var out audit.Entry
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
	return out, err
}

// AppendAuditTx appends inside the caller's transaction, so an action and
// its audit line are saved together or not at all.
func (db *DB) AppendAuditTx(ctx context.Context, tx *sql.Tx, e audit.Entry) (audit.Entry, error) {
	if db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockID); err != nil {
			return e, err
		}
	}
	var seq int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		seq, prev, err = 0, audit.Genesis, nil
	}
	if err != nil {
		return e, err
	}
	e.Seq, e.PrevHash = seq+1, prev
	if e.At.IsZero() {
		e.At = db.now()
	}
	e.At = e.At.UTC()
	e.Hash = e.ComputeHash()
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, subject, before_data, after_data, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At.Format(time.RFC3339Nano), e.ActorID, e.ActorRole, e.Action, e.Subject, e.Before, e.After, e.IP, e.PrevHash, e.Hash)
	return e, err
}

// VerifyAudit walks the whole log in order, a page at a time, and returns
// how many entries hold and the head hash. head, when not empty, is a hash
// recorded earlier: it must be in the chain, else rows were cut off.
func (db *DB) VerifyAudit(ctx context.Context, head string) (int, string, error) {
	c := audit.NewChain()
	seenHead := head == ""
	var from int64
	for {
		rows, err := db.sql.QueryContext(ctx, `SELECT seq, at, actor_id, actor_role, action, subject, before_data, after_data, ip, prev_hash, hash
			FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000`, from)
		if err != nil {
			return c.Checked, c.Head(), err
		}
		n := 0
		for rows.Next() {
			var e audit.Entry
			var at string
			if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorRole, &e.Action, &e.Subject, &e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash); err != nil {
				rows.Close()
				return c.Checked, c.Head(), err
			}
			if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
				rows.Close()
				return c.Checked, c.Head(), &audit.BrokenChainError{Seq: e.Seq, Reason: "时间格式被修改"}
			}
			if err := c.Add(e); err != nil {
				rows.Close()
				return c.Checked, c.Head(), err
			}
			seenHead = seenHead || e.Hash == head
			from, n = e.Seq, n+1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c.Checked, c.Head(), err
		}
		if n == 0 {
			break
		}
	}
	if !seenHead {
		return c.Checked, c.Head(), &audit.BrokenChainError{Seq: int64(c.Checked + 1), Reason: "记录的最新哈希不在日志中，日志末尾的记录被删除"}
	}
	return c.Checked, c.Head(), nil
}

// AuditEntries lists entries about a subject, newest first (the history
// shown to admins).
func (db *DB) AuditEntries(ctx context.Context, subject string, limit int) ([]audit.Entry, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, at, actor_id, actor_role, action, subject, before_data, after_data, ip, prev_hash, hash
		FROM audit_log WHERE subject = $1 ORDER BY seq DESC LIMIT $2`, subject, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorRole, &e.Action, &e.Subject, &e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}
