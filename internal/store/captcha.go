package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"opcert/internal/auth"
)

// NewCaptcha stores a captcha to be answered before expires.
func (db *DB) NewCaptcha(ctx context.Context, id, answer string, expires time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO captchas (id, answer, expires_at) VALUES ($1, $2, $3)`, id, answer, expires.UTC())
	return err
}

// CaptchaAnswer is what the captcha's picture shows; ErrNotFound once it
// has expired or been answered.
func (db *DB) CaptchaAnswer(ctx context.Context, id string) (string, error) {
	var answer string
	err := db.sql.QueryRowContext(ctx, `SELECT answer FROM captchas WHERE id = $1 AND expires_at > $2`, id, db.now().UTC()).Scan(&answer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return answer, err
}

// SolveCaptcha uses up a captcha and tells whether answer was right. Right
// or wrong, the captcha is gone: each picture gets one guess.
func (db *DB) SolveCaptcha(ctx context.Context, id, answer string) (bool, error) {
	var want string
	err := db.w.QueryRowContext(ctx, `DELETE FROM captchas WHERE id = $1 AND expires_at > $2 RETURNING answer`, id, db.now().UTC()).Scan(&want)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return auth.SameHash(want, answer), nil
}

// LoginFailures counts the recent failed password logins bearing on a try
// of account from client (auth.LoginFailures).
func (db *DB) LoginFailures(ctx context.Context, account, client string) (auth.LoginFailures, error) {
	var f auth.LoginFailures
	pk, err := db.personal(ctx)
	if err != nil {
		return f, err
	}
	since := db.now().UTC().Add(-auth.LoginFailureWindow)
	pair := pk.rateBucket(pairBucket(account, client))
	for _, c := range []struct {
		bucket string
		n      *int
	}{{pk.rateBucket("login:" + account), &f.Account}, {pk.rateBucket("login-ip:" + client), &f.Client}, {pair, &f.Pair}} {
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at > $2`, c.bucket, since).Scan(c.n); err != nil {
			return f, err
		}
	}
	if f.Pair > 0 {
		err := db.sql.QueryRowContext(ctx, `SELECT at FROM rate_events WHERE bucket = $1 ORDER BY at DESC LIMIT 1`, pair).Scan(&f.LastTry)
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// RecordLoginFailure counts a wrong password for the account, the client
// and the two together, in one transaction.
func (db *DB) RecordLoginFailure(ctx context.Context, account, client string) error {
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, b := range []string{"login:" + account, "login-ip:" + client, pairBucket(account, client)} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rate_events (bucket, at) VALUES ($1, $2)`, pk.rateBucket(b), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearLoginFailures forgets an account's failures once its owner has
// logged in from client; other clients' waits and counts stay, so a
// guesser gains nothing from the owner's login.
func (db *DB) ClearLoginFailures(ctx context.Context, account, client string) error {
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `DELETE FROM rate_events WHERE bucket IN ($1, $2)`, pk.rateBucket("login:"+account), pk.rateBucket(pairBucket(account, client)))
	return err
}

func pairBucket(account, client string) string { return "login-pair:" + account + "|" + client }

// queryMissBuckets are the rate_events buckets of a public query's misses:
// from the client and about the name, kept as their blind names.
func (pk *personalKeys) queryMissBuckets(client, name string) (byClient, byName string) {
	return pk.rateBucket("query-miss-ip:" + client), pk.rateBucket("query-miss-name:" + name)
}

// queryMissesSince starts the window of the misses that count.
func (db *DB) queryMissesSince() time.Time { return db.now().UTC().Add(-auth.QueryMissWindow) }

// queryMissCountsSQL are the counts of QueryMisses, as two columns
// by_client and by_name, of the buckets $3 and $4 since $5: two searches of
// the index on (bucket, at).
const queryMissCountsSQL = `(SELECT COUNT(*) FROM rate_events WHERE bucket = $3 AND at > $5) AS by_client,
		(SELECT COUNT(*) FROM rate_events WHERE bucket = $4 AND at > $5) AS by_name`

// RecordQueryMiss counts a public query that matched nothing.
func (db *DB) RecordQueryMiss(ctx context.Context, client, name string) error {
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	byClient, byName := pk.queryMissBuckets(client, name)
	_, err = db.w.ExecContext(ctx, `INSERT INTO rate_events (bucket, at) VALUES ($1, $3), ($2, $3)`, byClient, byName, now)
	return err
}
