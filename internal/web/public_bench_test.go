package web_test

// BenchmarkPublicPaths measures the public paths through the whole handler
// (web.New's mux with every middleware, the request log and the metrics),
// on a generated registry with the fixtures opcert load uses: the public
// query as a page and through the API, the QR verification, the progress
// page, on SQLite and (with OPCERT_TEST_DATABASE_URL) PostgreSQL. Without
// the network and the load client, cpu-ns/op is the server's CPU per
// request; ns/op, on a machine with nothing else to do, is that plus the
// time PostgreSQL's backend works for it. B/op and allocs/op show what the
// collector gets.
//
//	go test ./internal/web -run '^$' -bench BenchmarkPublicPaths -benchmem
//
// Environment:
//
//	OPCERT_BENCH_HOLDERS  generated holders (default 200000; at least 20000,
//	                      for the applicants the fixtures need)
//	OPCERT_BENCH_DIR      folder caching the generated SQLite registries
//	                      (default: opcert load's cache)
//	OPCERT_TEST_DATABASE_URL  PostgreSQL server (the role needs CREATEDB):
//	                      its registry is cached as opcert load caches it,
//	                      the run database is opcert_bench_web_run
//
// All setup happens inside the benchmark, so go test without -bench never
// pays for it.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/loadtest"
	"opcert/internal/metrics"
	"opcert/internal/store"
	"opcert/internal/web"
)

type publicBench struct {
	srv http.Handler
	fx  loadtest.Fixtures
}

func newPublicBench(b testing.TB, d store.Dialect) (*publicBench, error) {
	ctx := context.Background()
	n := 200_000
	if s := os.Getenv("OPCERT_BENCH_HOLDERS"); s != "" {
		v, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || v < 1 || v > store.MaxGeneratedHolders {
			return nil, fmt.Errorf("OPCERT_BENCH_HOLDERS=%q: want a number from 1 to %d", s, store.MaxGeneratedHolders)
		}
		// The fixtures' applications need a holder due for 复审 today.
		n = max(v, 20_000)
	}
	cache := os.Getenv("OPCERT_BENCH_DIR")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		cache = filepath.Join(dir, "opcert-load")
	}
	run := b.TempDir()
	logf := func(format string, args ...any) { b.Logf(format, args...) }
	var e loadtest.Engine
	var err error
	if d == store.Postgres {
		base := os.Getenv("OPCERT_TEST_DATABASE_URL")
		if base == "" {
			b.Skip("PostgreSQL not configured: set OPCERT_TEST_DATABASE_URL")
		}
		const runDB = "opcert_bench_web_run"
		e, err = loadtest.PostgresEngineNamed(ctx, logf, base, run, n, runDB)
		// Dropped once the benchmark's connections are closed (cleanups
		// run last first).
		b.Cleanup(func() {
			if admin, err := sql.Open("pgx", base); err == nil {
				admin.Exec(`DROP DATABASE IF EXISTS ` + runDB + ` WITH (FORCE)`)
				admin.Close()
			}
		})
	} else {
		e, err = loadtest.SQLiteEngine(ctx, logf, cache, run, n)
	}
	if err != nil {
		return nil, err
	}
	today := civil.Today()
	fx, err := loadtest.Prepare(ctx, logf, e, loadtest.Counts{Holders: n, Queries: 1000, Applications: 1000, Logins: 1}, today)
	if err != nil {
		return nil, err
	}
	db, err := e.Open(ctx)
	if err != nil {
		return nil, err
	}
	b.Cleanup(func() { db.Close() })
	files, err := blob.NewLocal(filepath.Join(run, "files"))
	if err != nil {
		return nil, err
	}
	b.Cleanup(func() { files.Close() })
	// As opcert serve wires it, logging as text to nowhere: the formatting
	// is measured, not the writes.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := catalog.Default()
	todayFn := func() civil.Date { return civil.Of(time.Now()) }
	cases := casework.New(casework.Options{Store: db, Catalog: cat, Today: todayFn, Log: log, Files: files, RevisionCheckEvery: time.Second})
	srv, err := web.New(web.Options{Store: db, Catalog: cat, Logger: log, BaseURL: "http://127.0.0.1", Files: files, Cases: cases, Today: todayFn,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Metrics: metrics.New(db)})
	if err != nil {
		return nil, err
	}
	return &publicBench{srv: srv, fx: fx}, nil
}

// serve runs one request from the i-th visitor behind the trusted proxy (as
// opcert load's client sends them: the per-client limit would stop one
// client) and checks its answer.
func (pb *publicBench) serve(b *testing.B, i int, method, path, contentType, body string, want string) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = "127.0.0.1:40000"
	v := i % (1 << 17)
	r.Header.Set("X-Forwarded-For", "198."+strconv.Itoa(18+v>>16)+"."+strconv.Itoa(v>>8&0xff)+"."+strconv.Itoa(v&0xff))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	pb.srv.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(want)) {
		b.Fatalf("%s %s: status %d without %q: %.600s", method, path, w.Code, want, w.Body.String())
	}
}

// cpuTime is the CPU time (user and system) the process has used: on a
// machine shared with other work the wall time of a loop grows with the
// others' load, its CPU time much less.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op in the benchmark's loop and reports, beside ns/op, the
// process's CPU time per operation (the collector's included).
func measure(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	start := cpuTime(b)
	n := 0
	for ; b.Loop(); n++ {
		op(n)
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(n), "cpu-ns/op")
}

func BenchmarkPublicPaths(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) { benchPublicPaths(b, d) })
	}
}

func benchPublicPaths(b *testing.B, d store.Dialect) {
	pb, err := newPublicBench(b, d)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("query-html", func(b *testing.B) {
		measure(b, func(i int) {
			q := pb.fx.Queries[i%len(pb.fx.Queries)]
			form := url.Values{"name": {q.Name}, "id": {q.IDNumber}}.Encode()
			pb.serve(b, i, "POST", "/certificates/query", "application/x-www-form-urlencoded", form, "流动式起重机司机")
		})
	})
	b.Run("query-json", func(b *testing.B) {
		measure(b, func(i int) {
			q := pb.fx.Queries[i%len(pb.fx.Queries)]
			body, _ := json.Marshal(map[string]string{"name": q.Name, "id_number": q.IDNumber})
			pb.serve(b, i, "POST", "/api/v1/certificates/query", "application/json", string(body), `"items":[{"certificate_number"`)
		})
	})
	b.Run("verify-json", func(b *testing.B) {
		measure(b, func(i int) {
			body, _ := json.Marshal(map[string]string{"token": pb.fx.Checks[i%len(pb.fx.Checks)]})
			pb.serve(b, i, "POST", "/api/v1/certificates/verify", "application/json", string(body), `"items":[{"code"`)
		})
	})
	b.Run("progress", func(b *testing.B) {
		measure(b, func(i int) {
			pb.serve(b, i, "GET", "/p/"+pb.fx.Tokens[i%len(pb.fx.Tokens)], "", "", "办理记录")
		})
	})
}
