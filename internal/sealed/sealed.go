// Package sealed encrypts personal data (证件号码, phone numbers, addresses)
// for keeping at rest, and makes the keyed hashes it is looked up by. A
// sealed value names the key that sealed it, so keys can be replaced while
// values sealed with the old ones are still read and re-sealed in batches.
//
// A sealed value is "v1:<key id>:<base64 of nonce|ciphertext|tag>", with
// AES-256-GCM (NIST SP 800-38D) or SM4-GCM (GB/T 32907 block cipher in the
// same mode, RFC 8998) as the key's cipher says. "v1:<key id>" is the
// additional authenticated data, so a value cannot be passed off as sealed
// under another key.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm4"
)

// Cipher names the authenticated cipher of a key.
type Cipher string

const (
	AES256GCM Cipher = "AES-256-GCM"
	SM4GCM    Cipher = "SM4-GCM"
)

// ParseCipher reads the operator's choice (OPCERT_DATA_CIPHER): empty or
// AES for AES-256-GCM, SM4 for SM4-GCM (商用密码).
func ParseCipher(s string) (Cipher, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "AES", "AES-256-GCM", "AES256":
		return AES256GCM, nil
	case "SM4", "SM4-GCM":
		return SM4GCM, nil
	}
	return "", fmt.Errorf("个人数据加密算法 %q 不支持：可选 AES（AES-256-GCM，默认）或 SM4（SM4-GCM）", s)
}

// KeySize is the length of a key's secret: AES-256 uses all of it, SM4
// (a 128-bit cipher) the first half.
const KeySize = 32

// Key is one data key.
type Key struct {
	ID     string // letters and digits, stored in every value it seals
	Cipher Cipher
	Secret []byte // KeySize bytes
}

// Errors of Open.
var (
	ErrUnknownKey = errors.New("sealed: value sealed with a key this keyring does not hold")
	ErrTampered   = errors.New("sealed: value damaged or altered (authentication failed)")
	ErrNotSealed  = errors.New("sealed: value is not a v1 sealed value")
)

func newAEAD(c Cipher, secret []byte) (cipher.AEAD, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("sealed: key is %d bytes, want %d", len(secret), KeySize)
	}
	var b cipher.Block
	var err error
	switch c {
	case AES256GCM:
		b, err = aes.NewCipher(secret)
	case SM4GCM:
		b, err = sm4.NewCipher(secret[:16])
	default:
		return nil, fmt.Errorf("sealed: unknown cipher %q", c)
	}
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// Keyring seals with its current key and opens with any of its keys.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring holds keys and seals with the one named current.
func NewKeyring(current string, keys ...Key) (*Keyring, error) {
	k := &Keyring{current: current, aeads: map[string]cipher.AEAD{}}
	for _, key := range keys {
		if !validID(key.ID) {
			return nil, fmt.Errorf("sealed: key id %q: want 1 to 16 letters or digits", key.ID)
		}
		a, err := newAEAD(key.Cipher, key.Secret)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %s: %w", key.ID, err)
		}
		k.aeads[key.ID] = a
	}
	if _, ok := k.aeads[current]; !ok {
		return nil, fmt.Errorf("sealed: current key %q is not among the keys", current)
	}
	return k, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 16 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Current is the id of the key new values are sealed with.
func (k *Keyring) Current() string { return k.current }

// Seal seals plain with the current key. The empty string stays empty: it
// holds nothing personal, and columns use it for "none on record".
func (k *Keyring) Seal(plain string) (string, error) { return k.SealWith(k.current, plain) }

// SealWith seals plain with the key named id.
func (k *Keyring) SealWith(id, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	a, ok := k.aeads[id]
	if !ok {
		return "", ErrUnknownKey
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	rand.Read(nonce) // never fails (crypto/rand)
	prefix := "v1:" + id
	out := a.Seal(nonce, nonce, []byte(plain), []byte(prefix))
	return prefix + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// KeyID is the id of the key that sealed v.
func KeyID(v string) (string, bool) {
	rest, ok := strings.CutPrefix(v, "v1:")
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, ":")
	return id, ok
}

// IsSealed tells whether v is a sealed value (or the empty string, which
// seals to itself).
func IsSealed(v string) bool {
	_, ok := KeyID(v)
	return ok || v == ""
}

// Open returns the plaintext of a value Seal made.
func (k *Keyring) Open(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	id, ok := KeyID(v)
	if !ok {
		return "", ErrNotSealed
	}
	a, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("%w (%s)", ErrUnknownKey, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(v[len("v1:"+id+":"):])
	if err != nil || len(raw) < a.NonceSize()+a.Overhead() {
		return "", ErrTampered
	}
	plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], []byte("v1:"+id))
	if err != nil {
		return "", ErrTampered
	}
	return string(plain), nil
}

// Index makes blind indexes: HMAC-SHA256 under a key of its own, so that
// equal values are found by equal hashes without the values being kept in
// clear, and the hashes cannot be recomputed from a guessed 证件号码
// without the key.
type Index struct{ key []byte }

// NewIndex returns the index of a key.
func NewIndex(key []byte) Index { return Index{key: append([]byte(nil), key...)} }

// Of is the hex HMAC-SHA256 of a normalised value; "" for "" (nothing on
// record is looked up by nothing).
func (i Index) Of(normalised string) string {
	if normalised == "" {
		return ""
	}
	m := hmac.New(sha256.New, i.key)
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}

// IDNumber normalises a 证件号码 as it is compared: without surrounding
// space, letters upper-cased (the check character X of GB 11643 is
// written x as often as X).
func IDNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Mobile normalises a phone number to its digits.
func Mobile(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
