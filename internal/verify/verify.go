// Package verify signs what a certificate's QR code carries, so that anyone
// holding the published public keys can check offline that the certificate
// was issued by this service and has not been altered, and online see the
// item's current status (a revoked or renewed item shows as such).
//
// A token is base64url(payload JSON) "." base64url(Ed25519 signature of the
// payload bytes). The payload names the key that signed it (KeyID), so keys
// can be rotated while every certificate already printed still verifies
// with its own key.
package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
)

// Payload is what a certificate's QR code states. Nothing in it is more
// personal than what the printed certificate shows to whoever holds it,
// and the name is masked: a QR code photographed off a desk gives a
// stranger no full name or ID number.
type Payload struct {
	Version int    `json:"v"`
	KeyID   string `json:"kid"`
	Number  string `json:"no"`   // 证件编号
	Name    string `json:"name"` // masked (张*)
	Issuer  string `json:"iss"`  // 发证机关
	Issued  string `json:"date"` // 发证日期, YYYY-MM-DD
	Items   []Item `json:"items"`
}

// Item is one line of the certificate as printed.
type Item struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Until string `json:"until"` // 有效期至, YYYY-MM-DD
}

// PayloadVersion is the layout of Payload a token carries.
const PayloadVersion = 1

// Key is a signing key: its id and private key.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// KeyID is the id of a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign makes the token of p with k (p's KeyID and Version are set here).
func Sign(k Key, p Payload) (string, error) {
	p.Version, p.KeyID = PayloadVersion, k.ID
	body, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(k.Private, body)
	return b64.EncodeToString(body) + "." + b64.EncodeToString(sig), nil
}

// Strict: a token has one spelling, so no changed character still decodes.
var b64 = base64.RawURLEncoding.Strict()

// Refusals of a token, each said to the person who scanned it.
var (
	ErrMalformed  = errors.New("二维码内容不完整或不是本系统签发的证书二维码")
	ErrUnknownKey = errors.New("二维码的签发密钥不在本系统公布的密钥中，不能确认是本系统签发")
	ErrSignature  = errors.New("签名不符：二维码内容已被改动，不能作为证书核验依据")
)

// Open checks a token against the published keys and returns its payload.
func Open(token string, keys map[string]ed25519.PublicKey) (Payload, error) {
	body64, sig64, ok := strings.Cut(token, ".")
	if !ok {
		return Payload{}, ErrMalformed
	}
	body, err1 := b64.DecodeString(body64)
	sig, err2 := b64.DecodeString(sig64)
	if err1 != nil || err2 != nil || len(sig) != ed25519.SignatureSize {
		return Payload{}, ErrMalformed
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil || p.Version != PayloadVersion {
		return Payload{}, ErrMalformed
	}
	pub, ok := keys[p.KeyID]
	if !ok {
		return Payload{}, ErrUnknownKey
	}
	if !ed25519.Verify(pub, body, sig) {
		return Payload{}, ErrSignature
	}
	return p, nil
}

// PublishedKey is one entry of /.well-known/opcert-keys.json.
type PublishedKey struct {
	ID        string `json:"kid"`
	Algorithm string `json:"alg"`        // Ed25519
	PublicKey string `json:"public_key"` // base64url of the 32-byte key
	Created   string `json:"created"`    // YYYY-MM-DD
	Retired   string `json:"retired,omitempty"`
}

// KeySet is the published document: every key ever used, so that a
// certificate signed before a rotation still verifies.
type KeySet struct {
	Issuer string         `json:"issuer"`
	Keys   []PublishedKey `json:"keys"`
}

// Publish writes a public key for the key set.
func Publish(pub ed25519.PublicKey, created, retired string) PublishedKey {
	return PublishedKey{ID: KeyID(pub), Algorithm: "Ed25519", PublicKey: b64.EncodeToString(pub), Created: created, Retired: retired}
}

// PublicKeys reads a published key set into the map Open checks against.
func (s KeySet) PublicKeys() (map[string]ed25519.PublicKey, error) {
	out := map[string]ed25519.PublicKey{}
	for _, k := range s.Keys {
		raw, err := b64.DecodeString(k.PublicKey)
		if err != nil || len(raw) != ed25519.PublicKeySize || k.Algorithm != "Ed25519" || KeyID(raw) != k.ID {
			return nil, errors.New("verify: key " + k.ID + " is not a valid Ed25519 key of that id")
		}
		out[k.ID] = ed25519.PublicKey(raw)
	}
	return out, nil
}
