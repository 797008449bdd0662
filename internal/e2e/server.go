package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
)

// StartTimeout bounds how long StartServer waits for the 已启动 line.
const StartTimeout = 60 * time.Second

// StopTimeout bounds how long the cleanup of StartServer waits for the
// process to exit after SIGTERM. The server gives in-flight requests 30 s.
const StopTimeout = 40 * time.Second

// readyPrefix starts the line `opcert serve` prints once it listens.
const readyPrefix = "opcert 已启动: "

var binary string // set by Main

// Main builds the opcert binary once into a temporary folder, runs the tests
// and removes the folder. Call it from TestMain. With OPCERT_E2E_BINARY set
// it tests that binary instead of building one.
func Main(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if p := os.Getenv("OPCERT_E2E_BINARY"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: OPCERT_E2E_BINARY:", err)
			return 1
		}
		binary = abs
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "opcert-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin, err := Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	binary = bin
	return m.Run()
}

// Build compiles opcert/cmd/opcert into dir and returns the binary's path.
func Build(dir string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go tool not found: %w", err)
	}
	bin := filepath.Join(dir, "opcert")
	start := time.Now()
	cmd := exec.Command(goTool, "build", "-o", bin, "opcert/cmd/opcert")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build opcert/cmd/opcert: %w\n%s", err, out)
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s in %s\n", bin, time.Since(start).Round(time.Millisecond))
	return bin, nil
}

// Binary is the path of the opcert binary under test ("" before Main).
func Binary() string { return binary }

// Server is a running `opcert serve --demo` process.
type Server struct {
	// URL is the address the server printed, without the final slash:
	// srv.URL + "/certificates/query".
	URL string
	// DataDir is the server's --data folder (SQLite file and uploads).
	DataDir string

	cmd    *exec.Cmd
	stdout *lineWatcher
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // the result of Wait, once exited is closed
}

// StartServer starts the binary built by Main with
// `serve --demo --addr 127.0.0.1:0 --data DIR` (DIR a fresh temporary
// folder), followed by args (a repeated flag overrides the default). It
// waits up to StartTimeout for the 已启动 line and reads the URL from it.
//
// At cleanup it sends SIGTERM and fails the test unless the process exits
// with status 0 (a graceful shutdown) within StopTimeout. The server's log
// (its stderr) is shown when the server fails to start or stop, and when
// the test has failed.
func StartServer(t testing.TB, args ...string) *Server {
	t.Helper()
	if binary == "" {
		t.Fatal("e2e: no opcert binary: call e2e.Main(m) from TestMain")
	}
	s := &Server{
		DataDir: t.TempDir(),
		stdout:  newLineWatcher(readyPrefix),
		stderr:  &syncBuffer{},
		exited:  make(chan struct{}),
	}
	argv := append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", s.DataDir}, args...)
	s.cmd = exec.Command(binary, argv...)
	s.cmd.Env = serverEnv()
	s.cmd.Stdout = s.stdout
	s.cmd.Stderr = s.stderr
	s.cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("e2e: start %s: %v", binary, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.stop(t) })

	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case line := <-s.stdout.found:
		s.URL = strings.TrimRight(strings.TrimSpace(strings.TrimPrefix(line, readyPrefix)), "/")
		if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
			t.Fatalf("e2e: unexpected start line %q", line)
		}
		t.Logf("e2e: opcert listening at %s (started in %s)", s.URL, time.Since(start).Round(time.Millisecond))
		return s
	case <-s.exited:
		t.Fatalf("e2e: opcert serve exited before it listened: %v\nstdout:\n%s\nstderr:\n%s", s.err, s.stdout.String(), s.stderr.String())
	case <-timer.C:
		t.Fatalf("e2e: opcert serve did not print %q within %s\nstdout:\n%s\nstderr:\n%s", readyPrefix, StartTimeout, s.stdout.String(), s.stderr.String())
	}
	return nil
}

// stop sends SIGTERM and checks for a clean exit.
func (s *Server) stop(t testing.TB) {
	t.Helper()
	if s.URL == "" {
		return // StartServer has reported why it did not start
	}
	select {
	case <-s.exited:
		t.Errorf("e2e: opcert serve exited before the end of the test: %v\nstderr:\n%s", s.err, s.stderr.String())
		return
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("e2e: SIGTERM: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(StopTimeout):
		s.cmd.Process.Kill()
		<-s.exited
		t.Errorf("e2e: opcert serve did not exit within %s of SIGTERM\nstderr:\n%s", StopTimeout, s.stderr.String())
		return
	}
	s.checkNoPersonalData(t)
	code := s.cmd.ProcessState.ExitCode()
	switch {
	case code != 0:
		// ExitCode is -1 when a signal killed the process: the SIGTERM
		// handler was missing.
		t.Errorf("e2e: opcert serve did not shut down gracefully: %v (exit code %d)\nstderr:\n%s", s.err, code, s.stderr.String())
	case t.Failed():
		t.Logf("e2e: opcert serve log:\n%s", s.stderr.String())
	}
}

// typedMobiles are the mobiles the browser tests type that are not the
// demo's.
var typedMobiles = []string{"13800000123"}

// checkNoPersonalData fails the test for each line of the server's log
// that holds a demo 证件号码 or mobile, one the tests typed, or any valid
// resident ID number (DESIGN.md: personal data never goes into the logs).
// Every server of the suite is checked when it stops, so the test whose
// traffic wrote the line is the one that fails.
func (s *Server) checkNoPersonalData(t testing.TB) {
	t.Helper()
	for _, leak := range demo.Build(catalog.Default(), civil.Today()).LeaksIn(s.stderr.String(), typedMobiles...) {
		t.Errorf("e2e: personal data in the server log: %s", leak)
	}
}

// Log returns what the server has written to stderr so far (its slog
// output), for example to check that personal data is not logged.
func (s *Server) Log() string { return s.stderr.String() }

// Stdout returns what the server has written to stdout so far: the demo
// accounts banner and the 已启动 line.
func (s *Server) Stdout() string { return s.stdout.String() }

// Get fetches path (e.g. "/healthz") without a browser and without
// following redirects. It returns the response, whose body is already read
// and closed, and the body.
func (s *Server) Get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(s.URL + path)
	if err != nil {
		t.Fatalf("e2e: GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("e2e: GET %s: read body: %v", path, err)
	}
	return resp, string(body)
}

// serverEnv is this process's environment without OPCERT_* settings, so
// the server runs on its own SQLite file whatever the developer's shell has.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPCERT_") {
			env = append(env, kv)
		}
	}
	return env
}

// syncBuffer is a bytes.Buffer safe for the exec copier and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineWatcher keeps all output and reports the first line that starts with
// prefix on found.
type lineWatcher struct {
	syncBuffer
	prefix  string
	partial []byte
	found   chan string
	sent    bool
}

func newLineWatcher(prefix string) *lineWatcher {
	return &lineWatcher{prefix: prefix, found: make(chan string, 1)}
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if w.sent {
		return n, err
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimRight(w.partial[:i], "\r"))
		w.partial = w.partial[i+1:]
		if strings.HasPrefix(line, w.prefix) {
			w.found <- line
			w.sent, w.partial = true, nil
			break
		}
	}
	return n, err
}
