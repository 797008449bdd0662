package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
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
	Public    ed25519.PublicKey
	CreatedAt time.Time
	RetiredAt time.Time // zero while it signs
}

var b64 = base64.RawURLEncoding

// SigningKey is the key that signs new certificates: the newest one not
// retired, made here the first time one is needed. Two instances making
// the first key at once leave two keys, both published, the newer signing.
func (db *DB) SigningKey(ctx context.Context) (verify.Key, error) {
	k, err := db.currentSigningKey(ctx)
	if !errors.Is(err, ErrNotFound) {
		return k, err
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error { return db.newSigningKey(ctx, tx) }); err != nil {
		return verify.Key{}, err
	}
	return db.currentSigningKey(ctx)
}

func (db *DB) currentSigningKey(ctx context.Context) (verify.Key, error) {
	var id, seed string
	err := db.sql.QueryRowContext(ctx, `SELECT id, private_key FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, id LIMIT 1`).Scan(&id, &seed)
	if errors.Is(err, sql.ErrNoRows) {
		return verify.Key{}, ErrNotFound
	}
	if err != nil {
		return verify.Key{}, err
	}
	raw, err := b64.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return verify.Key{}, fmt.Errorf("store: signing key %s: the stored seed is not %d bytes", id, ed25519.SeedSize)
	}
	return verify.Key{ID: id, Private: ed25519.NewKeyFromSeed(raw)}, nil
}

func (db *DB) newSigningKey(ctx context.Context, tx *sql.Tx) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, public_key, private_key, created_at) VALUES ($1, $2, $3, $4, $5)`,
		verify.KeyID(pub), "Ed25519", b64.EncodeToString(pub), b64.EncodeToString(priv.Seed()), db.now().UTC())
	return err
}

// RotateSigningKey retires the signing key and makes a new one, audited in
// the same transaction; the old key stays published for the certificates it
// signed.
func (db *DB) RotateSigningKey(ctx context.Context, e audit.Entry) (string, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL`, db.now().UTC()); err != nil {
			return err
		}
		if err := db.newSigningKey(ctx, tx); err != nil {
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
	rows, err := db.sql.QueryContext(ctx, `SELECT id, public_key, created_at, retired_at FROM signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublicSigningKey
	for rows.Next() {
		var k PublicSigningKey
		var pub string
		var retired sql.NullTime
		if err := rows.Scan(&k.ID, &pub, &k.CreatedAt, &retired); err != nil {
			return nil, err
		}
		raw, err := b64.DecodeString(pub)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("store: signing key %s: bad public key", k.ID)
		}
		k.Public, k.RetiredAt = raw, retired.Time
		out = append(out, k)
	}
	return out, rows.Err()
}
