package store

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"time"

	"opcert/internal/audit"
)

// auditLockID serialises appenders on PostgreSQL: two transactions reading
// the same head would both write seq N+1 on it and fork the chain (one of
// them would then fail on the primary key, losing the audited action).
const auditLockID = 0x61756474 // "audt"

// auditPage is how many entries verification reads per query, so a log of
// millions of rows is checked in constant memory.
const auditPage = 1000

const auditColumns = `seq, at, actor_id, actor_role, action, subject, before_data, after_data, ip, prev_hash, hash`

// AppendAudit appends one entry in its own transaction: for events that
// change nothing else, such as an officer viewing personal data.
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
// its audit line are saved together or not at all. Seq, PrevHash and Hash
// are assigned here; At defaults to now.
//
// On PostgreSQL it holds a lock until the transaction ends, so every other
// audited change waits for this one to commit: call it after the change's
// own row updates (never before locking more rows, which could deadlock
// against a transaction waiting here) and keep the rest of the
// transaction short. On SQLite the transaction already holds the database's
// write lock from BEGIN (_txlock=immediate).
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
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At.Format(time.RFC3339Nano), e.ActorID, e.ActorRole, e.Action, e.Subject, e.Before, e.After, e.IP, e.PrevHash, e.Hash)
	return e, err
}

// AuditEntriesFrom returns up to limit entries with seq >= fromSeq, oldest
// first: the pages in which verification (or an export) reads the log.
func (db *DB) AuditEntriesFrom(ctx context.Context, fromSeq int64, limit int) ([]audit.Entry, error) {
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, fromSeq, limit)
}

// AuditEntries lists entries about a subject, newest first (the history
// shown to admins).
func (db *DB) AuditEntries(ctx context.Context, subject string, limit int) ([]audit.Entry, error) {
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE subject = $1 ORDER BY seq DESC LIMIT $2`, subject, limit)
}

// auditLog streams the whole log in seq order, a page at a time.
func (db *DB) auditLog(ctx context.Context) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		from := int64(1)
		for {
			page, err := db.AuditEntriesFrom(ctx, from, auditPage)
			if err != nil {
				yield(audit.Entry{}, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < auditPage {
				return
			}
			from = page[len(page)-1].Seq + 1
		}
	}
}

// VerifyAudit checks the whole log and returns how many entries hold and
// the head hash, which operators record outside the database. head, when
// not empty, is such a recorded hash: it must still be in the chain, which
// catches rows cut off the end (a shorter log is otherwise a valid chain).
// A broken chain is an *audit.BrokenChainError.
func (db *DB) VerifyAudit(ctx context.Context, head string) (checked int, last string, err error) {
	return audit.VerifySeq(db.auditLog(ctx), head)
}

func (db *DB) queryAudit(ctx context.Context, q string, args ...any) ([]audit.Entry, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
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
		e.At = auditTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// auditTime reads "at" back. The column holds exactly the text that was
// hashed; text edited into anything else (even the same instant written
// differently) reads as the zero time, so the entry's hash no longer
// matches and the edit is reported rather than silently normalised.
func auditTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.UTC().Format(time.RFC3339Nano) != s {
		return time.Time{}
	}
	return t
}
