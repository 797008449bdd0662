package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Uses of a server key.
const keySMSCode = "sms_code"

// SetSecretKey makes the store derive its keys from secret (the operator's
// OPCERT_SECRET_KEY) instead of the ones it generates and keeps in
// server_keys. Every instance of a cluster must then be given the same.
func (db *DB) SetSecretKey(secret []byte) {
	db.keysMu.Lock()
	defer db.keysMu.Unlock()
	db.secret = append([]byte(nil), secret...)
	db.keys = nil
}

// key returns the secret key of a use. A configured secret gives each use
// its own key (HMAC of the use's name), so that one leaked key does not
// yield the others. Otherwise the key is read from server_keys, made there
// first by whichever instance needs it first: the others read the same row.
func (db *DB) key(ctx context.Context, use string) ([]byte, error) {
	db.keysMu.Lock()
	defer db.keysMu.Unlock()
	if k, ok := db.keys[use]; ok {
		return k, nil
	}
	var k []byte
	if db.secret != nil {
		m := hmac.New(sha256.New, db.secret)
		m.Write([]byte("opcert key: " + use))
		k = m.Sum(nil)
	} else {
		fresh := make([]byte, 32)
		rand.Read(fresh)
		if _, err := db.w.ExecContext(ctx, `INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
			use, hex.EncodeToString(fresh), db.now().UTC()); err != nil {
			return nil, fmt.Errorf("store: make the %s key: %w", use, err)
		}
		var stored string
		if err := db.keyReads.QueryRowContext(ctx, `SELECT secret FROM server_keys WHERE name = $1`, use).Scan(&stored); err != nil {
			return nil, fmt.Errorf("store: read the %s key: %w", use, err)
		}
		var err error
		if k, err = hex.DecodeString(stored); err != nil || len(k) < 32 {
			return nil, fmt.Errorf("store: the %s key in server_keys is not 32 bytes of hex", use)
		}
	}
	if db.keys == nil {
		db.keys = map[string][]byte{}
	}
	db.keys[use] = k
	return k, nil
}
