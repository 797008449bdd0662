package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"opcert/internal/loadtest"
	"opcert/internal/store"
)

// cmdLoad is opcert load: the service on loopback on a generated registry,
// measured path by path against a bare net/http handler (loadtest).
func cmdLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	holders := fs.Int("holders", 1_000_000, "generated holders in the registry (generated once per size, then cached)")
	engines := fs.String("engine", "", "sqlite, postgres or sqlite,postgres (default: both when a database URL is given, else sqlite)")
	dbURL := fs.String("database-url", os.Getenv("OPCERT_DATABASE_URL"), "PostgreSQL server for the postgres runs; the role needs CREATEDB (env OPCERT_DATABASE_URL)")
	cache := fs.String("cache", defaultLoadCache(), "folder of the cached generated SQLite registries")
	duration := fs.Duration("duration", 5*time.Second, "measured time of each path")
	warmup := fs.Duration("warmup", time.Second, "unmeasured time before each path")
	readC := fs.Int("c", 32, "concurrent clients of the pages")
	writeC := fs.Int("cw", 8, "concurrent applicants (submit and the applicant paths)")
	drafts := fs.Int("drafts", 5000, "prepared drafts for the submit path")
	applicants := fs.Int("applicants", 1500, "fresh applicants for each applicant path")
	profile := fs.String("profile", "", "save CPU profiles of the service (ENGINE-N.pprof) and of the load process (ENGINE-N-load.pprof) for each path in this folder, N in table order")
	only := fs.String("only", "", "measure only the paths whose names contain one of these comma-separated words (e.g. query,home)")
	out := fs.String("o", "", "also write the report (Markdown) to this file")
	keep := fs.Bool("keep", false, "keep the run's data folders and server logs (printed at the end)")
	serveBare := fs.Bool("serve-bare", false, "serve only the bare handler (the load command starts itself so)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serveBare {
		return serveBareHandler(ctx, stdout)
	}
	var ds []store.Dialect
	switch {
	case *engines == "" && *dbURL != "":
		ds = []store.Dialect{store.SQLite, store.Postgres}
	case *engines == "":
		ds = []store.Dialect{store.SQLite}
	default:
		for e := range strings.SplitSeq(*engines, ",") {
			switch d := store.Dialect(strings.TrimSpace(e)); d {
			case store.SQLite, store.Postgres:
				ds = append(ds, d)
			default:
				return fmt.Errorf("-engine: %q is neither sqlite nor postgres", e)
			}
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	runDir, err := os.MkdirTemp("", "opcert-load-")
	if err != nil {
		return err
	}
	defer func() {
		if *keep {
			fmt.Fprintln(stderr, "== kept", runDir)
			return
		}
		os.RemoveAll(runDir)
	}()
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "== "+format+"\n", a...) }
	cfg := loadtest.Config{Exe: exe, Engines: ds, DatabaseURL: *dbURL, CacheDir: *cache, RunDir: runDir,
		Counts: loadtest.Counts{Holders: *holders, Queries: 10_000, Applications: min(100_000, max(*holders/10, 1000)),
			Logins: *applicants, Sessions: *applicants, Drafts: *drafts},
		Warmup: *warmup, Duration: *duration, ReadC: *readC, WriteC: *writeC, ProfileDir: *profile, Logf: logf}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	started := time.Now()
	secs, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	var report strings.Builder
	fmt.Fprintf(&report, "opcert load %s\n\n", strings.Join(args, " "))
	fmt.Fprintf(&report, "%s, %s, %d CPUs (%s), %s; %d holders; each path %v after %v of warm-up; closed loop, the client in the same machine.\n",
		started.UTC().Format("2006-01-02 15:04 UTC"), runtime.Version(), runtime.NumCPU(), cpuModel(), runtime.GOOS+"/"+runtime.GOARCH,
		*holders, *duration, *warmup)
	loadtest.Markdown(&report, secs)
	fmt.Fprint(stdout, report.String())
	if *out != "" {
		return os.WriteFile(*out, []byte(report.String()), 0o644)
	}
	return nil
}

// defaultLoadCache is $XDG_CACHE_HOME/opcert-load (or ~/.cache/opcert-load):
// a generated registry of a million holders takes tens of seconds to build
// and hundreds of megabytes, and belongs to no repository.
func defaultLoadCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "opcert-load")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

// serveBareHandler serves a constant body from net/http in the service's
// server settings on a loopback port: the ceiling the load command measures
// the service against.
func serveBareHandler(ctx context.Context, stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	fmt.Fprintf(stdout, "bare handler: http://%s/\n", ln.Addr())
	return serveUntilDone(ctx, httpServer(h), ln, func() {})
}
