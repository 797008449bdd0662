package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"opcert/internal/audit"
	"opcert/internal/verify"
)

// PublicSigningKey is a signing key as published.
type PublicSigningKey struct {
	ID        string
	Public    verify.PublicKey
	CreatedAt time.Time
	RetiredAt time.Time // zero while it signs
}

var b64 = base64.RawURLEncoding

// SigningKey is the key that signs new certificates: the newest one not
// retired, made here (of scheme alg) the first time one is needed. Two
// instances making the first key at once leave two keys, both published,
// the newer signing.
func (db *DB) SigningKey(ctx context.Context, alg verify.Algorithm) (verify.Key, error) {
	k, err := db.currentSigningKey(ctx)
	if !errors.Is(err, ErrNotFound) {
		return k, err
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error { return db.newSigningKey(ctx, tx, alg) }); err != nil {
		return verify.Key{}, err
	}
	return db.currentSigningKey(ctx)
}

func (db *DB) currentSigningKey(ctx context.Context) (verify.Key, error) {
	var id, alg, private string
	err := db.sql.QueryRowContext(ctx, `SELECT id, algorithm, private_key FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, id LIMIT 1`).Scan(&id, &alg, &private)
	if errors.Is(err, sql.ErrNoRows) {
		return verify.Key{}, ErrNotFound
	}
	if err != nil {
		return verify.Key{}, err
	}
	raw, err := b64.DecodeString(private)
	if err != nil {
		return verify.Key{}, fmt.Errorf("store: signing key %s: the stored key is not base64url", id)
	}
	return verify.ParsePrivateKey(id, verify.Algorithm(alg), raw)
}

func (db *DB) newSigningKey(ctx context.Context, tx *sql.Tx, alg verify.Algorithm) error {
	k, err := verify.GenerateKey(alg)
	if err != nil {
		return err
	}
	pub, err := k.Public().Bytes()
	if err != nil {
		return err
	}
	priv, err := k.PrivateBytes()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, public_key, private_key, created_at) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, string(alg), b64.EncodeToString(pub), b64.EncodeToString(priv), db.now().UTC())
	return err
}

// RotateSigningKey retires the signing key and makes a new one of scheme
// alg, audited in the same transaction; the old key stays published for the
// certificates it signed.
func (db *DB) RotateSigningKey(ctx context.Context, alg verify.Algorithm, e audit.Entry) (string, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL`, db.now().UTC()); err != nil {
			return err
		}
		if err := db.newSigningKey(ctx, tx, alg); err != nil {
			return err
		}
		e.Action, e.Subject = "rotate_signing_key", "signing_keys"
		_, err := db.AppendAuditTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return "", err
	}
	k, err := db.currentSigningKey(ctx)
	return k.ID, err
}

// PublicSigningKeys lists every signing key ever used, oldest first.
func (db *DB) PublicSigningKeys(ctx context.Context) ([]PublicSigningKey, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, algorithm, public_key, created_at, retired_at FROM signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublicSigningKey
	for rows.Next() {
		var k PublicSigningKey
		var alg, pub string
		var retired sql.NullTime
		if err := rows.Scan(&k.ID, &alg, &pub, &k.CreatedAt, &retired); err != nil {
			return nil, err
		}
		raw, err := b64.DecodeString(pub)
		if err != nil {
			return nil, fmt.Errorf("store: signing key %s: bad public key", k.ID)
		}
		if k.Public, err = verify.ParsePublicKey(verify.Algorithm(alg), raw); err != nil {
			return nil, fmt.Errorf("store: signing key %s: %w", k.ID, err)
		}
		k.RetiredAt = retired.Time
		out = append(out, k)
	}
	return out, rows.Err()
}
