// Package s3test starts a real S3-compatible server for tests: the Versity
// S3 gateway over a temporary folder (Apache-2.0, a Go program, built once
// by scripts/test.sh and cached). The adapter's unit tests keep using the
// in-process fake; what must hold against a real server — the cluster, the
// conformance of the S3 adapter — runs here.
package s3test

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Version is the gateway release scripts/test.sh builds.
const Version = "v1.8.0"

// Server is a running gateway, with no bucket yet: the adapter makes one
// with CreateBucket, as an operator provisions one in production.
type Server struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string

	bin, root, log string
	cmd            *exec.Cmd
}

// Binary is the gateway's path: OPCERT_TEST_S3_GATEWAY, or where
// scripts/test.sh caches it; "" when neither exists.
func Binary() string {
	if p := os.Getenv("OPCERT_TEST_S3_GATEWAY"); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "opcert", "bin", "versitygw-"+Version)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start runs a gateway for the test, stopped at its end. It skips without
// the binary, or fails when OPCERT_TEST_REQUIRE_S3=1 (make test sets it).
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("OPCERT_TEST_REQUIRE_S3") == "1" {
			t.Fatal("the S3 gateway is required but not built (run make test, which builds it)")
		}
		t.Skip("no S3 gateway: set OPCERT_TEST_S3_GATEWAY or run make test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Endpoint: ln.Addr().String(), AccessKey: "opcert" + token(6), SecretKey: token(20),
		bin: bin, root: t.TempDir(), log: filepath.Join(t.TempDir(), "versitygw.log")}
	ln.Close()
	t.Cleanup(s.Stop)
	s.Restart(t)
	return s
}

// Stop ends the server (a test of the file store being away); its objects
// stay in its folder.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Restart runs the server again on the same address and folder, and
// returns once it answers.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	logFile, err := os.OpenFile(s.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(s.bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--port", s.Endpoint, "posix", s.root)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	// Up when it answers HTTP: an anonymous request is refused (403).
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.log)
			t.Fatalf("the S3 gateway did not answer at %s: %v\n%s", s.Endpoint, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func token(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
