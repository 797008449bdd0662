package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ClaimLease is how long a claimed message stays with its sender; past it,
// another sender may take it (the first one died).
const ClaimLease = 2 * time.Minute

// ClaimOutbox takes up to limit messages due for sending. On PostgreSQL
// FOR UPDATE SKIP LOCKED lets several instances claim side by side without
// taking the same message; on SQLite the write transaction serialises them.
func (db *DB) ClaimOutbox(ctx context.Context, limit int) ([]OutboxMessage, error) {
	now := db.now().UTC()
	var out []OutboxMessage
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		q := `SELECT id, channel, recipient, topic, body, status, created_at FROM outbox
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
			var m OutboxMessage
			if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Topic, &m.Body, &m.Status, &m.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_until = $1 WHERE id = $2`, now.Add(ClaimLease), m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// MarkSent records a delivered message.
func (db *DB) MarkSent(ctx context.Context, id int64, providerID string) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, provider_id = $2, claimed_until = NULL, last_error = '' WHERE id = $3`,
		db.now().UTC(), providerID, id)
	return err
}

// MaxAttempts is how often a message is tried before it is given up.
const MaxAttempts = 8

// retryAfter backs off: 1 min, 5 min, 30 min, then 2 h.
func retryAfter(attempt int) time.Duration {
	switch attempt {
	case 1:
		return time.Minute
	case 2:
		return 5 * time.Minute
	case 3:
		return 30 * time.Minute
	}
	return 2 * time.Hour
}

// MarkFailed records a failed try: retried later, unless permanent (the
// gateway refused the message itself) or out of attempts.
func (db *DB) MarkFailed(ctx context.Context, id int64, cause error, permanent bool) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var attempts int
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, id).Scan(&attempts); err != nil {
			return err
		}
		attempts++
		status := "pending"
		if permanent || attempts >= MaxAttempts {
			status = "failed"
		}
		msg := cause.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4, claimed_until = NULL WHERE id = $5`,
			status, attempts, msg, now.Add(retryAfter(attempts)), id)
		return err
	})
}

// OutboxStats counts messages by status, for the development page.
func (db *DB) OutboxStats(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// OutboxMessageByID returns one message with its delivery record.
func (db *DB) OutboxMessageByID(ctx context.Context, id int64) (OutboxMessage, int, string, error) {
	var m OutboxMessage
	var attempts int
	var lastErr string
	err := db.sql.QueryRowContext(ctx, `SELECT id, channel, recipient, topic, body, status, created_at, attempts, last_error FROM outbox WHERE id = $1`, id).
		Scan(&m.ID, &m.Channel, &m.Recipient, &m.Topic, &m.Body, &m.Status, &m.CreatedAt, &attempts, &lastErr)
	if errors.Is(err, sql.ErrNoRows) {
		return m, 0, "", ErrNotFound
	}
	return m, attempts, lastErr, err
}

// SMSTemplate is the editable text of a state-change message.
type SMSTemplate struct {
	Topic, Body string
	UpdatedAt   time.Time
}

// SMSTemplates lists the stored templates by topic.
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

// PutSMSTemplate stores an admin's edit of a template.
func (db *DB) PutSMSTemplate(ctx context.Context, topic, body string, adminID int64) error {
	if strings.TrimSpace(topic) == "" {
		return fmt.Errorf("store: template without topic")
	}
	_, err := db.sql.ExecContext(ctx, `INSERT INTO sms_templates (topic, body, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (topic) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		topic, body, db.now().UTC(), nullInt(adminID))
	return err
}
