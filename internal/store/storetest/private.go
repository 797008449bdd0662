package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// PrivatePostgres is a PostgreSQL server of one test's own, which it may
// stop and start (a database restarted under load) without disturbing the
// shared server the other tests use.
type PrivatePostgres struct {
	URL  string // of its postgres database
	bin  string
	data string
	port int
	as   string // the user the server runs as ("" for this process's)
}

// StartPostgres initialises and starts a private server with the binaries
// of the Debian package (as make test installs them); it skips without
// them unless PostgreSQL tests are required. As root, the server runs as
// the postgres user, since initdb refuses root.
func StartPostgres(t testing.TB) *PrivatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("OPCERT_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PostgreSQL binaries are required but /usr/lib/postgresql/*/bin is empty")
		}
		t.Skip("no PostgreSQL binaries")
	}
	sort.Strings(bins)
	p := &PrivatePostgres{bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "opcert-private-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.as = "postgres"
	}
	p.data = filepath.Join(dir, "data")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p.run(t, filepath.Join(p.bin, "initdb"), "-D", p.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
	p.Start(t)
	t.Cleanup(func() { p.pgctl(nil, "stop", "-m", "immediate") })
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	return p
}

// Start starts the server (again) and waits until it accepts connections.
func (p *PrivatePostgres) Start(t testing.TB) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100", p.port, filepath.Dir(p.data))
	if err := p.pgctl(t, "start", "-w", "-l", filepath.Join(filepath.Dir(p.data), "pg.log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(filepath.Dir(p.data), "pg.log"))
		t.Fatalf("PostgreSQL did not start: %v\n%s", err, log)
	}
}

// Log is the server's log so far.
func (p *PrivatePostgres) Log() string {
	raw, _ := os.ReadFile(filepath.Join(filepath.Dir(p.data), "pg.log"))
	return string(raw)
}

// Stop stops the server at once: connections are cut, as in a crash or a
// failover (immediate mode does no shutdown checkpoint).
func (p *PrivatePostgres) Stop(t testing.TB) {
	t.Helper()
	if err := p.pgctl(t, "stop", "-w", "-m", "immediate"); err != nil {
		t.Fatal(err)
	}
}

func (p *PrivatePostgres) pgctl(t testing.TB, args ...string) error {
	args = append([]string{"-D", p.data}, args...)
	out, err := p.command(filepath.Join(p.bin, "pg_ctl"), args...).CombinedOutput()
	if err != nil && t != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return err
}

func (p *PrivatePostgres) run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := p.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(name), err, out)
	}
}

// command runs name as the server's user.
func (p *PrivatePostgres) command(name string, args ...string) *exec.Cmd {
	if p.as == "" {
		return exec.Command(name, args...)
	}
	line := name
	for _, a := range args {
		line += " '" + a + "'"
	}
	return exec.Command("su", p.as, "-s", "/bin/sh", "-c", line)
}
