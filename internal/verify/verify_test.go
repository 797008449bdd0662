package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
)

// algorithms: every rule of a token holds for each scheme a deployment may
// configure.
var algorithms = []Algorithm{Ed25519, SM2}

func newKey(t *testing.T, alg Algorithm) (Key, PublicKey) {
	t.Helper()
	k, err := GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k, k.Public()
}

var sample = Payload{Number: "310104198203140012", Name: "张*", Issuer: "上海市徐汇区市场监督管理局", Issued: "2026-12-10",
	Items: []Item{{Code: "Q2", Name: "起重机司机（限流动式起重机）", Until: "2031-01-22"}}}

func eachAlgorithm(t *testing.T, f func(t *testing.T, alg Algorithm)) {
	for _, alg := range algorithms {
		t.Run(string(alg), func(t *testing.T) { f(t, alg) })
	}
}

// A verifier with only the published key set checks a token offline.
func TestOfflineVerificationWithThePublishedKeys(t *testing.T) {
	eachAlgorithm(t, func(t *testing.T, alg Algorithm) {
		k, pub := newKey(t, alg)
		token, err := Sign(k, sample)
		if err != nil {
			t.Fatal(err)
		}
		published, err := Publish(pub, "2026-12-01", "")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(KeySet{Issuer: "opcert", Keys: []PublishedKey{published}})
		var set KeySet
		if err := json.Unmarshal(raw, &set); err != nil {
			t.Fatal(err)
		}
		if set.Keys[0].Algorithm != string(alg) {
			t.Fatalf("published as %q", set.Keys[0].Algorithm)
		}
		keys, err := set.PublicKeys()
		if err != nil {
			t.Fatal(err)
		}
		p, err := Open(token, keys)
		if err != nil {
			t.Fatal(err)
		}
		if p.KeyID != k.ID || p.Number != sample.Number || len(p.Items) != 1 || p.Items[0].Until != "2031-01-22" {
			t.Fatalf("payload %+v", p)
		}
	})
}

// The SM2 signature is the standard's: a verifier that knows nothing of
// this package (gmsm's own check, SM3 with the default user id of GB/T
// 32918.2) accepts it, and one with another user id does not.
func TestSM2SignatureIsTheStandardOne(t *testing.T) {
	k, pub := newKey(t, SM2)
	token, _ := Sign(k, sample)
	body64, sig64, _ := strings.Cut(token, ".")
	body, _ := b64.DecodeString(body64)
	sig, _ := b64.DecodeString(sig64)
	ec := pub.Key.(*ecdsa.PublicKey)
	if !sm2.VerifyASN1WithSM2(ec, nil, body, sig) {
		t.Fatal("gmsm does not accept the signature with the default user id")
	}
	if sm2.VerifyASN1WithSM2(ec, []byte("opcert"), body, sig) {
		t.Fatal("the signature holds under another user id")
	}
}

// Any changed byte of a token fails: of the payload (the signature no
// longer matches) or of the signature.
func TestOneChangedByteFails(t *testing.T) {
	eachAlgorithm(t, func(t *testing.T, alg Algorithm) {
		k, pub := newKey(t, alg)
		token, _ := Sign(k, sample)
		keys := map[string]PublicKey{k.ID: pub}
		for i := range token {
			if token[i] == '.' {
				continue
			}
			b := []byte(token)
			b[i] ^= 0x01
			if _, err := Open(string(b), keys); err == nil {
				t.Fatalf("byte %d changed (%q → %q): still verifies", i, token[i], b[i])
			}
		}
		// An altered payload signed by nobody: the date pushed forward.
		_, sig, _ := strings.Cut(token, ".")
		p := sample
		p.Version, p.KeyID = PayloadVersion, k.ID
		p.Items = []Item{{Code: "Q2", Name: "起重机司机（限流动式起重机）", Until: "2039-01-22"}}
		forged, _ := json.Marshal(p)
		if _, err := Open(b64.EncodeToString(forged)+"."+sig, keys); !errors.Is(err, ErrSignature) {
			t.Fatalf("forged payload: %v", err)
		}
	})
}

// After a rotation the old key id stays published and its certificates
// still verify, also when the new key is of the other scheme; a key not
// published is refused.
func TestOldKeyStillVerifies(t *testing.T) {
	for _, pair := range [][2]Algorithm{{Ed25519, Ed25519}, {Ed25519, SM2}, {SM2, SM2}} {
		t.Run(string(pair[0])+"→"+string(pair[1]), func(t *testing.T) {
			old, oldPub := newKey(t, pair[0])
			cur, curPub := newKey(t, pair[1])
			before, _ := Sign(old, sample)
			after, _ := Sign(cur, sample)
			keys := map[string]PublicKey{old.ID: oldPub, cur.ID: curPub}
			for _, tok := range []string{before, after} {
				if _, err := Open(tok, keys); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Open(before, map[string]PublicKey{cur.ID: curPub}); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("unpublished key: %v", err)
			}
			// A key claiming another's id does not pass.
			if _, err := Open(before, map[string]PublicKey{old.ID: curPub}); !errors.Is(err, ErrSignature) {
				t.Fatalf("wrong key under the id: %v", err)
			}
		})
	}
}

// A stored key reads back as the same key; a stored id that is not the
// key's is caught.
func TestStoredKeysRoundTrip(t *testing.T) {
	eachAlgorithm(t, func(t *testing.T, alg Algorithm) {
		k, _ := newKey(t, alg)
		raw, err := k.PrivateBytes()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePrivateKey(k.ID, alg, raw)
		if err != nil || back.ID != k.ID {
			t.Fatalf("%+v %v", back, err)
		}
		token, _ := Sign(back, sample)
		if _, err := Open(token, map[string]PublicKey{k.ID: k.Public()}); err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePrivateKey("0000000000000000", alg, raw); err == nil {
			t.Error("a key stored under another id was accepted")
		}
	})
}

func TestMalformedTokens(t *testing.T) {
	k, pub := newKey(t, Ed25519)
	keys := map[string]PublicKey{k.ID: pub}
	for _, tok := range []string{"", "abc", "abc.def", "!!.!!", b64.EncodeToString([]byte(`{"v":9}`)) + "." + b64.EncodeToString(make([]byte, 64))} {
		if _, err := Open(tok, keys); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v", tok, err)
		}
	}
	raw := []byte(pub.Key.(ed25519.PublicKey))
	if _, err := (KeySet{Keys: []PublishedKey{{ID: "0000", Algorithm: "Ed25519", PublicKey: b64.EncodeToString(raw)}}}).PublicKeys(); err == nil {
		t.Error("a key published under the wrong id was accepted")
	}
	if _, err := (KeySet{Keys: []PublishedKey{{ID: KeyID(pub), Algorithm: "SM2", PublicKey: b64.EncodeToString(raw)}}}).PublicKeys(); err == nil {
		t.Error("an Ed25519 key published as SM2 was accepted")
	}
	if _, err := ParseAlgorithm("RSA"); err == nil {
		t.Error("RSA accepted")
	}
}
