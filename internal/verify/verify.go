// Package verify signs what a certificate's QR code carries, so that anyone
// holding the published public keys can check offline that the certificate
// was issued by this service and has not been altered, and online see the
// item's current status (a revoked or renewed item shows as such).
//
// A token is base64url(payload JSON) "." base64url(signature of the payload
// bytes): Ed25519, or SM2 with SM3 where China's commercial cryptography is
// required. The payload names the key that signed it (KeyID), so keys
// can be rotated while every certificate already printed still verifies
// with its own key.
package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Payload is what a certificate's QR code states. Nothing in it is more
// personal than what the printed certificate shows to whoever holds it,
// and the name is masked: a QR code photographed off a desk gives a
// stranger no full name or ID number.
type Payload struct {
	Version int    `json:"v"`
	KeyID   string `json:"kid"`
	// Kind is what the code is printed on: "" a certificate, KindAdmission
	// a 准考证.
	Kind   string `json:"kind,omitempty"`
	Number string `json:"no"`   // 证件编号, or 准考证号
	Name   string `json:"name"` // masked (张*)
	Issuer string `json:"iss"`  // 发证机关, or the 考试机构
	Issued string `json:"date"` // 发证日期 (打印日期 of a 准考证), YYYY-MM-DD
	Items  []Item `json:"items"`
	// Sittings are a 准考证's seats as printed.
	Sittings []Sitting `json:"sit,omitempty"`
}

// KindAdmission marks a 准考证's payload.
const KindAdmission = "admission"

// Sitting is one subject's seat on a 准考证: 考试科目, 考试时间, 考场, 座位号.
type Sitting struct {
	Subject string `json:"subject"`
	When    string `json:"when"`
	Venue   string `json:"venue"`
	Seat    string `json:"seat"`
}

// Item is one line of the certificate as printed (or an item a 准考证
// examines, without a date).
type Item struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Until string `json:"until,omitempty"` // 有效期至, YYYY-MM-DD
}

// PayloadVersion is the layout of Payload a token carries.
const PayloadVersion = 1

// Algorithm is the signature scheme of a key. Ed25519 is the default;
// SM2 (GB/T 32918.2-2016, with SM3 and the standard's default user id
// 1234567812345678) is for deployments that must use China's commercial
// cryptography (密码法, GM/T 0054-2018 for government systems).
type Algorithm string

const (
	Ed25519 Algorithm = "Ed25519"
	SM2     Algorithm = "SM2"
)

// ParseAlgorithm reads a configured algorithm name.
func ParseAlgorithm(name string) (Algorithm, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "", "ED25519":
		return Ed25519, nil
	case "SM2":
		return SM2, nil
	}
	return "", fmt.Errorf("签名算法 %q 不支持：可选 Ed25519 或 SM2", name)
}

// Key is a signing key: its id, scheme and private key.
type Key struct {
	ID        string
	Algorithm Algorithm
	Private   crypto.Signer // ed25519.PrivateKey or *sm2.PrivateKey
}

// PublicKey is a published key a token is checked against.
type PublicKey struct {
	Algorithm Algorithm
	Key       crypto.PublicKey // ed25519.PublicKey or *ecdsa.PublicKey on the SM2 curve
}

// GenerateKey makes a new signing key of the scheme.
func GenerateKey(alg Algorithm) (Key, error) {
	var priv crypto.Signer
	switch alg {
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return Key{}, err
		}
		priv = k
	case SM2:
		k, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return Key{}, err
		}
		priv = k
	default:
		return Key{}, fmt.Errorf("verify: unknown algorithm %q", alg)
	}
	k := Key{Algorithm: alg, Private: priv}
	k.ID = KeyID(k.Public())
	return k, nil
}

// Public is the key's public half.
func (k Key) Public() PublicKey { return PublicKey{Algorithm: k.Algorithm, Key: k.Private.Public()} }

// Bytes is the public key as published: the 32 raw bytes for Ed25519, the
// DER SubjectPublicKeyInfo for SM2 (what GmSSL and smx509 read).
func (p PublicKey) Bytes() ([]byte, error) {
	switch p.Algorithm {
	case Ed25519:
		k, ok := p.Key.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("verify: not an Ed25519 key")
		}
		return k, nil
	case SM2:
		return smx509.MarshalPKIXPublicKey(p.Key)
	}
	return nil, fmt.Errorf("verify: unknown algorithm %q", p.Algorithm)
}

// ParsePublicKey reads a public key as Bytes wrote it.
func ParsePublicKey(alg Algorithm, raw []byte) (PublicKey, error) {
	switch alg {
	case Ed25519:
		if len(raw) != ed25519.PublicKeySize {
			return PublicKey{}, errors.New("verify: an Ed25519 key is 32 bytes")
		}
		return PublicKey{Algorithm: alg, Key: ed25519.PublicKey(raw)}, nil
	case SM2:
		k, err := smx509.ParsePKIXPublicKey(raw)
		if err != nil {
			return PublicKey{}, err
		}
		ec, ok := k.(*ecdsa.PublicKey)
		if !ok || !sm2.IsSM2PublicKey(ec) {
			return PublicKey{}, errors.New("verify: not an SM2 public key")
		}
		return PublicKey{Algorithm: alg, Key: ec}, nil
	}
	return PublicKey{}, fmt.Errorf("verify: unknown algorithm %q", alg)
}

// PrivateBytes is what is stored of a private key: the Ed25519 seed, or
// the SM2 key in SEC 1 DER.
func (k Key) PrivateBytes() ([]byte, error) {
	switch priv := k.Private.(type) {
	case ed25519.PrivateKey:
		return priv.Seed(), nil
	case *sm2.PrivateKey:
		return smx509.MarshalSM2PrivateKey(priv)
	}
	return nil, fmt.Errorf("verify: key %s has no known private form", k.ID)
}

// ParsePrivateKey reads a stored private key; its id is computed again, so
// a stored id that does not belong to the key is caught.
func ParsePrivateKey(id string, alg Algorithm, raw []byte) (Key, error) {
	k := Key{Algorithm: alg}
	switch alg {
	case Ed25519:
		if len(raw) != ed25519.SeedSize {
			return Key{}, fmt.Errorf("verify: signing key %s: the stored seed is not %d bytes", id, ed25519.SeedSize)
		}
		k.Private = ed25519.NewKeyFromSeed(raw)
	case SM2:
		priv, err := smx509.ParseSM2PrivateKey(raw)
		if err != nil {
			return Key{}, fmt.Errorf("verify: signing key %s: %w", id, err)
		}
		k.Private = priv
	default:
		return Key{}, fmt.Errorf("verify: signing key %s: unknown algorithm %q", id, alg)
	}
	if k.ID = KeyID(k.Public()); k.ID != id {
		return Key{}, fmt.Errorf("verify: signing key %s: the stored key has id %s", id, k.ID)
	}
	return k, nil
}

// KeyID is the id of a public key: the first 8 bytes of the SHA-256 of its
// published bytes, in hex.
func KeyID(pub PublicKey) string {
	raw, err := pub.Bytes()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// Sign makes the token of p with k (p's KeyID and Version are set here).
func Sign(k Key, p Payload) (string, error) {
	p.Version, p.KeyID = PayloadVersion, k.ID
	body, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	var sig []byte
	switch k.Algorithm {
	case Ed25519:
		sig, err = k.Private.Sign(nil, body, crypto.Hash(0))
	case SM2:
		sig, err = k.Private.Sign(rand.Reader, body, sm2.NewSM2SignerOption(true, nil))
	default:
		err = fmt.Errorf("verify: unknown algorithm %q", k.Algorithm)
	}
	if err != nil {
		return "", err
	}
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

// maxSignature bounds the signature part: 64 bytes for Ed25519, at most 72
// for an SM2 signature in DER.
const maxSignature = 72

// Open checks a token against the published keys and returns its payload.
func Open(token string, keys map[string]PublicKey) (Payload, error) {
	body64, sig64, ok := strings.Cut(token, ".")
	if !ok {
		return Payload{}, ErrMalformed
	}
	body, err1 := b64.DecodeString(body64)
	sig, err2 := b64.DecodeString(sig64)
	if err1 != nil || err2 != nil || len(sig) == 0 || len(sig) > maxSignature {
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
	if !pub.verifies(body, sig) {
		return Payload{}, ErrSignature
	}
	return p, nil
}

func (p PublicKey) verifies(body, sig []byte) bool {
	switch k := p.Key.(type) {
	case ed25519.PublicKey:
		return p.Algorithm == Ed25519 && len(sig) == ed25519.SignatureSize && ed25519.Verify(k, body, sig)
	case *ecdsa.PublicKey:
		return p.Algorithm == SM2 && sm2.VerifyASN1WithSM2(k, nil, body, sig)
	}
	return false
}

// PublishedKey is one entry of /.well-known/opcert-keys.json.
type PublishedKey struct {
	ID        string `json:"kid"`
	Algorithm string `json:"alg"`        // Ed25519 or SM2
	PublicKey string `json:"public_key"` // base64url: the 32-byte key (Ed25519), DER SubjectPublicKeyInfo (SM2)
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
func Publish(pub PublicKey, created, retired string) (PublishedKey, error) {
	raw, err := pub.Bytes()
	if err != nil {
		return PublishedKey{}, err
	}
	return PublishedKey{ID: KeyID(pub), Algorithm: string(pub.Algorithm), PublicKey: b64.EncodeToString(raw), Created: created, Retired: retired}, nil
}

// PublicKeys reads a published key set into the map Open checks against.
func (s KeySet) PublicKeys() (map[string]PublicKey, error) {
	out := map[string]PublicKey{}
	for _, k := range s.Keys {
		raw, err := b64.DecodeString(k.PublicKey)
		if err != nil {
			return nil, errors.New("verify: key " + k.ID + " is not base64url")
		}
		pub, err := ParsePublicKey(Algorithm(k.Algorithm), raw)
		if err != nil || KeyID(pub) != k.ID {
			return nil, errors.New("verify: key " + k.ID + " is not a valid " + k.Algorithm + " key of that id")
		}
		out[k.ID] = pub
	}
	return out, nil
}
