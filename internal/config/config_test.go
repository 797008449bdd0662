package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.5 ,::1,")
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	if strings.Join(s, " ") != "10.0.0.0/8 192.168.1.5/32 ::1/128" {
		t.Fatalf("got %v", s)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.example"); err == nil || !strings.Contains(err.Error(), `"proxy.example" 不是 IP 地址`) {
		t.Fatalf("a host name: %v", err)
	}
}

func parse(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	finish := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return finish()
}

// The secret the service's keys derive from comes from the environment
// only (never a flag, which the process list shows) and is refused when
// too short to resist guessing.
func TestSecretKey(t *testing.T) {
	t.Setenv("OPCERT_SECRET_KEY", "")
	if c, err := parse(t); err != nil || c.SecretKey != "" {
		t.Fatalf("unset: %q %v", c.SecretKey, err)
	}
	t.Setenv("OPCERT_SECRET_KEY", "short")
	if _, err := parse(t); err == nil || !strings.Contains(err.Error(), "OPCERT_SECRET_KEY") {
		t.Fatalf("a short key: %v", err)
	}
	long := strings.Repeat("ab", 16)
	t.Setenv("OPCERT_SECRET_KEY", long)
	if c, err := parse(t); err != nil || c.SecretKey != long {
		t.Fatalf("a 32-character key: %q %v", c.SecretKey, err)
	}
}

// The fallback faces default to Debian's fonts-hanazono; the environment
// replaces the list, and an empty value means none.
func TestFallbackFonts(t *testing.T) {
	c, err := parse(t)
	if err != nil || strings.Join(c.FallbackFonts, " ") != "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf /usr/share/fonts/truetype/hanazono/HanaMinB.ttf" {
		t.Fatalf("default: %q %v", c.FallbackFonts, err)
	}
	t.Setenv("OPCERT_FALLBACK_FONTS", "/opt/a.ttf:/opt/b.ttf")
	if c, err := parse(t); err != nil || strings.Join(c.FallbackFonts, " ") != "/opt/a.ttf /opt/b.ttf" {
		t.Fatalf("from the environment: %q %v", c.FallbackFonts, err)
	}
	t.Setenv("OPCERT_FALLBACK_FONTS", "")
	if c, err := parse(t); err != nil || len(c.FallbackFonts) != 0 {
		t.Fatalf("empty: %q %v", c.FallbackFonts, err)
	}
	if c, err := parse(t, "--fallback-fonts", "/x.ttf"); err != nil || strings.Join(c.FallbackFonts, " ") != "/x.ttf" {
		t.Fatalf("flag: %q %v", c.FallbackFonts, err)
	}
}

// The metrics listener and the signing scheme are checked when read, with
// the fix in the message.
func TestMetricsAddressAndSigningAlgorithm(t *testing.T) {
	if c, err := parse(t, "--metrics-addr", "127.0.0.1:9100", "--signing-algorithm", "sm2"); err != nil || c.MetricsAddr != "127.0.0.1:9100" || c.SigningAlgorithm != "SM2" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := parse(t, "--metrics-addr", "9100"); err == nil || !strings.Contains(err.Error(), "地址:端口") {
		t.Fatalf("a port alone: %v", err)
	}
	if _, err := parse(t, "--signing-algorithm", "RSA"); err == nil || !strings.Contains(err.Error(), "Ed25519 或 SM2") {
		t.Fatalf("RSA: %v", err)
	}
	if c, err := parse(t); err != nil || c.SigningAlgorithm != "Ed25519" || c.MetricsAddr != "" {
		t.Fatalf("defaults %+v %v", c, err)
	}
}
