package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"opcert/internal/audit"
)

// APIKey is a key of the open API as the admin sees it; the secret itself
// is never stored, only its hash (SecretHash is not read back).
type APIKey struct {
	ID         int64
	Name       string
	Prefix     string
	PerMinute  int
	Calls      int64 // calls served
	Refused    int64 // calls refused over the limit
	LastUsedAt time.Time
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while the key works
	// CallsThisMinute are the calls counted in the current window.
	CallsThisMinute int
}

// Revoked reports whether the key no longer opens the API.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// IssueAPIKey stores a new key by the hash of its secret, with the audit
// entry of its issue, in one transaction.
func (db *DB) IssueAPIKey(ctx context.Context, k APIKey, secretHash string, by int64, entry audit.Entry) (APIKey, error) {
	k.CreatedAt = db.now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_keys (name, prefix, secret_hash, per_minute, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			k.Name, k.Prefix, secretHash, k.PerMinute, nullInt(by), k.CreatedAt).Scan(&k.ID); err != nil {
			return err
		}
		entry.Subject = apiKeySubject(k.ID)
		_, err := db.AppendAuditTx(ctx, tx, entry)
		return err
	})
	return k, err
}

// ErrKeyRevoked refuses to revoke a key twice.
var ErrKeyRevoked = errors.New("该密钥已撤销")

// RevokeAPIKey ends a key, with the audit entry, in one transaction.
func (db *DB) RevokeAPIKey(ctx context.Context, id, by int64, entry audit.Entry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_keys WHERE id = $1`+db.forUpdate(), id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if revoked.Valid {
			return ErrKeyRevoked
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3`, db.now().UTC(), nullInt(by), id); err != nil {
			return err
		}
		entry.Subject = apiKeySubject(id)
		_, err = db.AppendAuditTx(ctx, tx, entry)
		return err
	})
}

func apiKeySubject(id int64) string { return "api_key:" + strconv.FormatInt(id, 10) }

const apiKeyColumns = `k.id, k.name, k.prefix, k.per_minute, k.calls, k.refused, k.last_used_at, k.created_at, k.revoked_at`

func scanAPIKey(sc interface{ Scan(...any) error }, k *APIKey, extra ...any) error {
	var last, revoked sql.NullTime
	dest := append([]any{&k.ID, &k.Name, &k.Prefix, &k.PerMinute, &k.Calls, &k.Refused, &last, &k.CreatedAt, &revoked}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	k.LastUsedAt, k.RevokedAt = last.Time, revoked.Time
	return nil
}

// APIKeys lists every key, newest first, with its calls in the current
// minute.
func (db *DB) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+apiKeyColumns+`, COALESCE(m.calls, 0)
		FROM api_keys k LEFT JOIN api_key_minutes m ON m.key_id = k.id AND m.minute = $1
		ORDER BY k.id DESC`, apiMinute(db.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		if err := scanAPIKey(rows, &k, &k.CallsThisMinute); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// APIKeyBySecretHash is the key whose secret hashes to hash, revoked or
// not; ErrNotFound for none.
func (db *DB) APIKeyBySecretHash(ctx context.Context, hash string) (APIKey, error) {
	var k APIKey
	err := scanAPIKey(db.sql.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k WHERE k.secret_hash = $1`, hash), &k)
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNotFound
	}
	return k, err
}

// CountAPIKeyCall counts one call of a key in the current minute and
// returns the calls of that minute so far, this one included, with the
// start of the next minute. The count is one upsert in the database, so
// instances sharing it share the limit; a call over limit is counted as
// refused, one within it as served.
func (db *DB) CountAPIKeyCall(ctx context.Context, id int64, limit int) (calls int, next time.Time, err error) {
	now := db.now().UTC()
	minute := apiMinute(now)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_key_minutes (key_id, minute, calls) VALUES ($1, $2, 1)
			ON CONFLICT (key_id, minute) DO UPDATE SET calls = api_key_minutes.calls + 1
			RETURNING calls`, id, minute).Scan(&calls); err != nil {
			return err
		}
		if calls == 1 {
			// The first call of a minute drops the key's past windows:
			// they limit nothing, and the totals are kept on the key.
			if _, err := tx.ExecContext(ctx, `DELETE FROM api_key_minutes WHERE key_id = $1 AND minute < $2`, id, minute); err != nil {
				return err
			}
		}
		column := "calls"
		if calls > limit {
			column = "refused"
		}
		_, err := tx.ExecContext(ctx, `UPDATE api_keys SET `+column+` = `+column+` + 1, last_used_at = $1 WHERE id = $2`, now, id)
		return err
	})
	return calls, minute.Add(time.Minute), err
}

// apiMinute is the start of the one-minute window t falls in.
func apiMinute(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }
