package verify

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func newKey(t *testing.T, seed byte) (Key, ed25519.PublicKey) {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	priv := ed25519.NewKeyFromSeed(s)
	pub := priv.Public().(ed25519.PublicKey)
	return Key{ID: KeyID(pub), Private: priv}, pub
}

var sample = Payload{Number: "310104198203140012", Name: "张*", Issuer: "上海市徐汇区市场监督管理局", Issued: "2026-12-10",
	Items: []Item{{Code: "Q2", Name: "起重机司机（限流动式起重机）", Until: "2031-01-22"}}}

// A verifier with only the published key set checks a token offline.
func TestOfflineVerificationWithThePublishedKeys(t *testing.T) {
	k, pub := newKey(t, 1)
	token, err := Sign(k, sample)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(KeySet{Issuer: "opcert", Keys: []PublishedKey{Publish(pub, "2026-12-01", "")}})
	var set KeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
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
}

// Any changed byte of a token fails: of the payload (the signature no
// longer matches) or of the signature.
func TestOneChangedByteFails(t *testing.T) {
	k, pub := newKey(t, 1)
	token, _ := Sign(k, sample)
	keys := map[string]ed25519.PublicKey{k.ID: pub}
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
}

// After a rotation the old key id stays published and its certificates
// still verify; a key not published is refused.
func TestOldKeyStillVerifies(t *testing.T) {
	old, oldPub := newKey(t, 1)
	cur, curPub := newKey(t, 2)
	before, _ := Sign(old, sample)
	after, _ := Sign(cur, sample)
	keys := map[string]ed25519.PublicKey{old.ID: oldPub, cur.ID: curPub}
	for _, tok := range []string{before, after} {
		if _, err := Open(tok, keys); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(before, map[string]ed25519.PublicKey{cur.ID: curPub}); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unpublished key: %v", err)
	}
	// A key claiming another's id does not pass.
	if _, err := Open(before, map[string]ed25519.PublicKey{old.ID: curPub}); !errors.Is(err, ErrSignature) {
		t.Fatalf("wrong key under the id: %v", err)
	}
}

func TestMalformedTokens(t *testing.T) {
	k, pub := newKey(t, 1)
	keys := map[string]ed25519.PublicKey{k.ID: pub}
	for _, tok := range []string{"", "abc", "abc.def", "!!.!!", b64.EncodeToString([]byte(`{"v":9}`)) + "." + b64.EncodeToString(make([]byte, 64))} {
		if _, err := Open(tok, keys); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v", tok, err)
		}
	}
	if _, err := (KeySet{Keys: []PublishedKey{{ID: "0000", Algorithm: "Ed25519", PublicKey: b64.EncodeToString(pub)}}}).PublicKeys(); err == nil {
		t.Error("a key published under the wrong id was accepted")
	}
}
