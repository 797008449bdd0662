package sealed

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The ciphers give the published answers: AES-256-GCM Test Case 16 of
// McGrew and Viega, "The Galois/Counter Mode of Operation" (the vectors
// NIST SP 800-38D refers to), and SM4-GCM of RFC 8998 Appendix A.1 (whose
// 128-bit key is the first half of the 32-byte secret here).
func TestKnownAnswers(t *testing.T) {
	tests := []struct {
		cipher                           Cipher
		key, nonce, aad, plain, sealedCT string
	}{
		{AES256GCM,
			"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
			"cafebabefacedbaddecaf888",
			"feedfacedeadbeeffeedfacedeadbeefabaddad2",
			"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
			"522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" +
				"76fc6ece0f4e1768cddf8853bb2d551b"},
		{SM4GCM,
			"0123456789abcdeffedcba9876543210" + "00000000000000000000000000000000",
			"00001234567800000000abcd",
			"feedfacedeadbeeffeedfacedeadbeefabaddad2",
			"aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccddddddddddddddddeeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
			"17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d" +
				"83de3541e4c2b58177e065a9bf7b62ec"},
	}
	for _, tt := range tests {
		a, err := newAEAD(tt.cipher, unhex(t, tt.key))
		if err != nil {
			t.Fatal(err)
		}
		got := a.Seal(nil, unhex(t, tt.nonce), unhex(t, tt.plain), unhex(t, tt.aad))
		if want := unhex(t, tt.sealedCT); !bytes.Equal(got, want) {
			t.Errorf("%s: got %x, want %x", tt.cipher, got, want)
		}
	}
}

// HMAC-SHA256 of RFC 4231 test case 2.
func TestIndexKnownAnswer(t *testing.T) {
	got := NewIndex([]byte("Jefe")).Of("what do ya want for nothing?")
	if want := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if NewIndex([]byte("Jefe")).Of("") != "" {
		t.Error("the index of nothing must be empty")
	}
}

func keyring(t *testing.T, current string, keys ...Key) *Keyring {
	t.Helper()
	k, err := NewKeyring(current, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	k1 = Key{ID: "k1", Cipher: AES256GCM, Secret: bytes.Repeat([]byte{1}, KeySize)}
	k2 = Key{ID: "k2", Cipher: SM4GCM, Secret: bytes.Repeat([]byte{2}, KeySize)}
)

func TestSealOpen(t *testing.T) {
	ring := keyring(t, "k1", k1, k2)
	for _, plain := range []string{"11010519491231002X", "13812345678", "上海市徐汇区漕溪北路𠀀号", "7"} {
		for _, id := range []string{"k1", "k2"} {
			v, err := ring.SealWith(id, plain)
			if err != nil {
				t.Fatal(err)
			}
			if len(plain) > 4 && strings.Contains(v, plain) || !strings.HasPrefix(v, "v1:"+id+":") {
				t.Errorf("sealed %q as %q", plain, v)
			}
			if got, ok := KeyID(v); !ok || got != id {
				t.Errorf("KeyID(%q) = %q, %v", v, got, ok)
			}
			again, _ := ring.SealWith(id, plain)
			if again == v {
				t.Errorf("sealing twice gave the same value (nonce reused): %s", v)
			}
			got, err := ring.Open(v)
			if err != nil || got != plain {
				t.Errorf("Open(%q) = %q, %v; want %q", v, got, err, plain)
			}
		}
	}
	if v, err := ring.Seal(""); v != "" || err != nil {
		t.Errorf("Seal(\"\") = %q, %v", v, err)
	}
	if v, err := ring.Open(""); v != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", v, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	ring := keyring(t, "k1", k1, k2)
	v, _ := ring.Seal("11010519491231002X")
	raw, _ := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(v, "v1:k1:"))
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return "v1:k1:" + base64.RawStdEncoding.EncodeToString(b)
	}
	tests := []struct {
		name, value string
		want        error
	}{
		{"a nonce bit flipped", flip(0), ErrTampered},
		{"a ciphertext bit flipped", flip(13), ErrTampered},
		{"a tag bit flipped", flip(len(raw) - 1), ErrTampered},
		{"truncated", v[:len(v)-4], ErrTampered},
		{"not base64", "v1:k1:***", ErrTampered},
		{"relabelled to another key", "v1:k2:" + strings.TrimPrefix(v, "v1:k1:"), ErrTampered},
		{"an unknown key", "v1:k9:" + strings.TrimPrefix(v, "v1:k1:"), ErrUnknownKey},
		{"plaintext", "11010519491231002X", ErrNotSealed},
	}
	for _, tt := range tests {
		if got, err := ring.Open(tt.value); !errors.Is(err, tt.want) {
			t.Errorf("%s: Open = %q, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	// The same id with another secret (a wrong OPCERT_SECRET_KEY) opens nothing.
	other := keyring(t, "k1", Key{ID: "k1", Cipher: AES256GCM, Secret: bytes.Repeat([]byte{9}, KeySize)})
	if _, err := other.Open(v); !errors.Is(err, ErrTampered) {
		t.Errorf("a wrong key opened the value: %v", err)
	}
}

func TestNewKeyringRefuses(t *testing.T) {
	for name, keys := range map[string][]Key{
		"no current key": {k2},
		"short secret":   {{ID: "k1", Cipher: AES256GCM, Secret: []byte("short")}},
		"bad id":         {{ID: "k:1", Cipher: AES256GCM, Secret: k1.Secret}},
		"bad cipher":     {{ID: "k1", Cipher: "DES", Secret: k1.Secret}},
	} {
		if _, err := NewKeyring("k1", keys...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseCipher(t *testing.T) {
	for in, want := range map[string]Cipher{"": AES256GCM, "aes": AES256GCM, "AES-256-GCM": AES256GCM, "SM4": SM4GCM, "sm4-gcm": SM4GCM} {
		if got, err := ParseCipher(in); err != nil || got != want {
			t.Errorf("ParseCipher(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseCipher("DES"); err == nil || !strings.Contains(err.Error(), "SM4") {
		t.Errorf("ParseCipher(DES) = %v", err)
	}
}

func TestNormalise(t *testing.T) {
	if got := IDNumber(" 11010519491231002x "); got != "11010519491231002X" {
		t.Errorf("IDNumber = %q", got)
	}
	if got := Mobile("138-1234 5678"); got != "13812345678" {
		t.Errorf("Mobile = %q", got)
	}
}
