package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/sealed"
)

// ClaimLease is how long a claimed message stays with its sender. Past it,
// another instance may claim the message again, so that a sender that died
// mid-batch does not strand its messages. A sender must renew the lease (RenewClaim)
// before each send when little of it is left.
const ClaimLease = 2 * time.Minute

// A claim stays status 'pending' with claimed_until in the future rather than
// moving to a 'sending' status: the outbox status CHECK of migration 0002
// cannot be widened on SQLite without rebuilding the table, and a lease
// expiring by itself needs no job to turn 'sending' back into 'pending'.
// OutboxStats counts such rows as Sending.

// OutboxClaim is a message taken for sending by one sender.
type OutboxClaim struct {
	OutboxMessage
	// Attempts counts the tries including this one: it is raised when the
	// message is claimed, not when the result is known, so a message whose
	// sending crashes the sender every time still runs out of attempts.
	Attempts int
	// Lease is the claimed_until this claim wrote. It doubles as a fencing
	// token: a later claim by another sender always writes a later time, so
	// RenewClaim and MarkFailed compare it to tell whether the message is
	// still this sender's.
	Lease time.Time
}

// ErrTemplateTopic refuses a template for a message that is not a state
// change: the text of a login code is security wording kept in code.
var ErrTemplateTopic = errors.New("短信验证码的内容不能修改")

// Now is the store's clock (SetClock), for callers whose stamps must agree
// with the store's in tests.
func (db *DB) Now() time.Time { return db.now().UTC() }

// leaseFrom is when a claim taken now ends. PostgreSQL keeps microseconds, so
// the time is cut to them: the value read back must equal the one held in
// memory for the fencing comparison.
func leaseFrom(now time.Time) time.Time {
	return now.Add(ClaimLease).Truncate(time.Microsecond)
}

// ClaimOutbox takes up to limit messages due for sending. On PostgreSQL
// FOR UPDATE SKIP LOCKED lets several instances claim side by side without
// taking the same message or waiting on each other; on SQLite the
// transaction takes the write lock at BEGIN (_txlock=immediate), so claimers
// run one after another and the second sees the first one's lease.
func (db *DB) ClaimOutbox(ctx context.Context, limit int) ([]OutboxClaim, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := db.now().UTC()
	lease := leaseFrom(now)
	var out []OutboxClaim
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		q := `SELECT id, channel, recipient, topic, body, status, created_at, attempts FROM outbox
			WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
			ORDER BY id LIMIT $2`
		if db.dialect == Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		rows, err := tx.QueryContext(ctx, q, now, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c OutboxClaim
			if err := rows.Scan(&c.ID, &c.Channel, &c.Recipient, &c.Topic, &c.Body, &c.Status, &c.CreatedAt, &c.Attempts); err != nil {
				rows.Close()
				return err
			}
			c.Attempts++
			c.Lease = lease
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		args := []any{lease}
		marks := make([]string, len(out))
		for i, c := range out {
			args = append(args, c.ID)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.openRecipients(ctx, out)
}

// openRecipients opens the claims' recipients for the sender; one still in
// clear (queued by an older version, sealed at the next start) is sent as
// it is. A recipient that cannot be opened (altered in the database) gives
// its message up at once rather than failing every batch it is claimed in.
func (db *DB) openRecipients(ctx context.Context, claims []OutboxClaim) ([]OutboxClaim, error) {
	out := claims[:0]
	for _, c := range claims {
		if !sealed.IsSealed(c.Recipient) {
			out = append(out, c)
			continue
		}
		to, err := db.open(ctx, c.Recipient)
		if errors.Is(err, sealed.ErrTampered) {
			if err := db.MarkFailed(ctx, c, fmt.Errorf("收件人号码无法解密：%w", err), time.Time{}, auth.MaskSMSCode(c.Body)); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		c.Recipient = to
		out = append(out, c)
	}
	return out, nil
}

// ReleaseClaims gives back claims no try was made for (a sender shutting
// down mid-batch), so another instance sends them now rather than after
// their lease; the claim's attempt is not counted. A claim that is no
// longer the caller's (its lease ran out and another sender took it) is
// left alone.
func (db *DB) ReleaseClaims(ctx context.Context, claims []OutboxClaim) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range claims {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1
				WHERE id = $1 AND status = 'pending' AND claimed_until = $2`, c.ID, c.Lease); err != nil {
				return err
			}
		}
		return nil
	})
}

// RenewClaim extends c's lease from now and reports whether the message is
// still c's: false when another sender claimed it after c's lease ran out
// (then c must not be sent), or when it is no longer pending.
func (db *DB) RenewClaim(ctx context.Context, c *OutboxClaim) (bool, error) {
	lease := leaseFrom(db.now().UTC())
	res, err := db.w.ExecContext(ctx, `UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND status = 'pending' AND claimed_until = $3`,
		lease, c.ID, c.Lease)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n == 1 {
		c.Lease = lease
	}
	return n == 1, nil
}

// MarkSent records a message the provider accepted at the given time, with
// the provider's message id, and keeps kept as its text from then on (the
// dispatcher masks the code of a code message: auth.MaskSMSCode). It is not
// fenced by the lease: a message that went out is recorded as sent even if
// its lease ran out meanwhile, since leaving it pending would send it again.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time, providerID, kept string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = $1, provider_id = $2, claimed_until = NULL, body = $4
		WHERE id = $3 AND status <> 'sent'`, at.UTC(), providerID, id, kept)
	return err
}

// maxErrorRunes bounds last_error; cut by characters, since a cut through a
// multi-byte character is text PostgreSQL refuses to store.
const maxErrorRunes = 500

// MarkFailed records a failed try of c: the message is tried again from
// nextAttempt, or, when nextAttempt is zero, given up for good (status
// 'failed', the error kept in last_error, and kept as its text, as
// MarkSent). Nothing is written when c's lease was taken over by another
// sender, which now owns the message.
func (db *DB) MarkFailed(ctx context.Context, c OutboxClaim, cause error, nextAttempt time.Time, kept string) error {
	msg := "未知错误"
	if cause != nil {
		msg = cause.Error()
	}
	if utf8.RuneCountInString(msg) > maxErrorRunes {
		msg = string([]rune(msg)[:maxErrorRunes])
	}
	msg = strings.ToValidUTF8(msg, "?")
	status, body := "pending", c.Body
	if nextAttempt.IsZero() {
		status, nextAttempt, body = "failed", db.now(), kept
	}
	_, err := db.w.ExecContext(ctx, `UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, claimed_until = NULL, body = $6
		WHERE id = $4 AND status = 'pending' AND claimed_until = $5`,
		status, msg, nextAttempt.UTC(), c.ID, c.Lease, body)
	return err
}

// OutboxStats is the state of the outbox, for the development page.
type OutboxStats struct {
	Pending int // due now or waiting for a retry
	Sending int // claimed by a sender whose lease has not run out
	Sent    int
	Failed  int // given up for good
	// OldestPending is when the oldest message still to send was queued
	// (zero when none): a time long past means no sender is running.
	OldestPending time.Time
}

// OutboxStats counts messages by delivery state.
func (db *DB) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var s OutboxStats
	rows, err := db.sql.QueryContext(ctx, `SELECT status, CASE WHEN status = 'pending' AND claimed_until > $1 THEN 1 ELSE 0 END AS claimed, COUNT(*)
		FROM outbox GROUP BY status, claimed`, db.now().UTC())
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var claimed, n int
		if err := rows.Scan(&status, &claimed, &n); err != nil {
			return s, err
		}
		switch {
		case status == "pending" && claimed == 1:
			s.Sending += n
		case status == "pending":
			s.Pending += n
		case status == "sent":
			s.Sent += n
		case status == "failed":
			s.Failed += n
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	// ORDER BY … LIMIT rather than MIN(): SQLite returns an aggregate of a
	// TIMESTAMP column as text, which does not scan into a time.
	err = db.sql.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1`).Scan(&s.OldestPending)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return s, err
}

// OutboxRecord is a message with its delivery record.
type OutboxRecord struct {
	OutboxMessage
	Attempts      int
	NextAttemptAt time.Time
	ClaimedUntil  time.Time // zero when not claimed
	SentAt        time.Time // zero until sent
	LastError     string
	ProviderID    string // the gateway's message id
}

const recordColumns = `id, channel, recipient, topic, body, status, created_at, attempts, next_attempt_at, claimed_until, sent_at, last_error, provider_id`

type rowScanner interface{ Scan(dest ...any) error }

func scanRecord(row rowScanner) (OutboxRecord, error) {
	var r OutboxRecord
	var claimed, sent sql.NullTime
	err := row.Scan(&r.ID, &r.Channel, &r.Recipient, &r.Topic, &r.Body, &r.Status, &r.CreatedAt,
		&r.Attempts, &r.NextAttemptAt, &claimed, &sent, &r.LastError, &r.ProviderID)
	r.ClaimedUntil, r.SentAt = claimed.Time, sent.Time
	return r, err
}

// OutboxMessageByID returns one message with its delivery record.
func (db *DB) OutboxMessageByID(ctx context.Context, id int64) (OutboxRecord, error) {
	r, err := scanRecord(db.sql.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Recipient, err = db.open(ctx, r.Recipient)
	return r, err
}

// OutboxFilter narrows OutboxRecords; empty fields match all.
type OutboxFilter struct {
	Recipient string
	Status    string // pending, sent or failed
}

// OutboxRecords lists the newest messages with their delivery records, for
// the development page.
func (db *DB) OutboxRecords(ctx context.Context, f OutboxFilter, limit int) ([]OutboxRecord, error) {
	var where []string
	var args []any
	if f.Recipient != "" {
		pk, err := db.personal(ctx)
		if err != nil {
			return nil, err
		}
		args = append(args, pk.mobileHMAC(f.Recipient))
		where = append(where, fmt.Sprintf("recipient_hmac = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("status = $%d", len(args)))
	}
	q := `SELECT ` + recordColumns + ` FROM outbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	out, err := scanAll(scanRecord)(db.sql.QueryContext(ctx, q, args...))
	if err != nil {
		return nil, err
	}
	if err := openEach(ctx, db, out, func(m *OutboxRecord) *string { return &m.Recipient }); err != nil {
		return nil, err
	}
	return out, nil
}

// SMSTemplate is an admin's text of a state-change message.
type SMSTemplate struct {
	Topic, Body string
	UpdatedAt   time.Time
	UpdatedBy   int64 // 0 for the texts seeded by migration 0005
}

// SMSTemplate returns the stored template of a topic, or ErrNotFound.
func (db *DB) SMSTemplate(ctx context.Context, topic string) (SMSTemplate, error) {
	t := SMSTemplate{Topic: topic}
	var by sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT body, updated_at, updated_by FROM sms_templates WHERE topic = $1`, topic).
		Scan(&t.Body, &t.UpdatedAt, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	t.UpdatedBy = by.Int64
	return t, err
}

// SMSTemplates returns the stored templates, body by topic.
func (db *DB) SMSTemplates(ctx context.Context) (map[string]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT topic, body FROM sms_templates`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var t, b string
		if err := rows.Scan(&t, &b); err != nil {
			return nil, err
		}
		out[t] = b
	}
	return out, rows.Err()
}

// PutSMSTemplate stores an admin's edit of a template. The text itself is
// checked by notify.ValidateTemplate before it gets here.
func (db *DB) PutSMSTemplate(ctx context.Context, topic, body string, adminID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return putSMSTemplate(ctx, tx, db.now().UTC(), topic, body, adminID) })
}

// TemplateEdit is one template an admin changed, with the audit line of the
// change.
type TemplateEdit struct {
	Topic, Body string
	Audit       audit.Entry
}

// PutSMSTemplates stores an admin's edits and their audit lines in one
// transaction: all of them or none.
func (db *DB) PutSMSTemplates(ctx context.Context, adminID int64, edits []TemplateEdit) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range edits {
			if err := putSMSTemplate(ctx, tx, now, e.Topic, e.Body, adminID); err != nil {
				return err
			}
			if _, err := db.AppendAuditTx(ctx, tx, e.Audit); err != nil {
				return err
			}
		}
		return nil
	})
}

func putSMSTemplate(ctx context.Context, tx *sql.Tx, now time.Time, topic, body string, adminID int64) error {
	switch {
	case strings.TrimSpace(topic) == "":
		return errors.New("store: SMS template without topic")
	case topic == "sms_code":
		return ErrTemplateTopic
	case strings.TrimSpace(body) == "":
		return errors.New("短信内容不能为空")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sms_templates (topic, body, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (topic) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		topic, body, now, nullInt(adminID))
	return err
}

// OutboxKept is how long a message is kept after it was sent or given up:
// long enough for an applicant's "I never got the SMS" to be looked into
// (the admin's 短信记录), no longer, since every message names a person
// and their mobile (PIPL art. 19: kept for the shortest time the purpose
// needs). It is longer than any per-number limit looks back.
const OutboxKept = 180 * 24 * time.Hour

// PruneOutbox deletes the messages sent or given up over OutboxKept ago,
// and returns how many. Pending messages stay, however old.
func (db *DB) PruneOutbox(ctx context.Context) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM outbox WHERE status <> 'pending' AND COALESCE(sent_at, next_attempt_at) < $1`,
		db.now().UTC().Add(-OutboxKept))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
