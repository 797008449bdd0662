package loadtest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"opcert/internal/civil"
	"opcert/internal/store"
)

// Config is one run of the load command.
type Config struct {
	Exe         string          // the opcert binary: runs serve, and the bare handler
	Engines     []store.Dialect // in this order
	DatabaseURL string          // PostgreSQL server (needs CREATEDB)
	CacheDir    string          // generated SQLite registries
	RunDir      string          // this run's data folders and server logs
	Counts      Counts
	Warmup      time.Duration
	Duration    time.Duration
	ReadC       int      // concurrent clients of the pages
	WriteC      int      // concurrent applicants
	ProfileDir  string   // when set, a CPU profile of the service per path
	Only        []string // when set, only the paths whose names contain one of these
	Logf        func(format string, args ...any)
}

// Row is one measured path.
type Row struct {
	Name    string
	Unit    string // what one operation is: a request, an application
	Stats   Stats
	PeakRSS int64 // VmHWM: with the pages of the database file mapped
	// PeakAnon is the largest anonymous resident memory sampled (WatchAnon):
	// what the server holds, without mapped file pages.
	PeakAnon int64
	Ratio    float64 // rate over the bare handler's rate in the same section
	CPU      CPUUse
	// InProcess: the operation ran in the load process itself, without
	// HTTP; the server columns do not apply.
	InProcess bool
}

// Section is one engine's rows.
type Section struct {
	Engine store.Dialect
	Rows   []Row
	Notes  []string
}

// Run measures every path on every engine.
func Run(ctx context.Context, cfg Config) ([]Section, error) {
	logf := cfg.Logf
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o750); err != nil {
			return nil, err
		}
	}
	blog, err := os.Create(filepath.Join(cfg.RunDir, "bare.log"))
	if err != nil {
		return nil, err
	}
	defer blog.Close()
	bare, err := Start(ctx, blog, nil, cfg.Exe, "load", "-serve-bare")
	if err != nil {
		return nil, err
	}
	defer bare.Stop()
	var out []Section
	for _, d := range cfg.Engines {
		sec, err := runEngine(ctx, cfg, d, bare)
		if err != nil {
			return out, fmt.Errorf("%s: %w", d, err)
		}
		out = append(out, sec)
		logf("%s done", d)
	}
	return out, nil
}

func runEngine(ctx context.Context, cfg Config, d store.Dialect, bare *Process) (Section, error) {
	logf := cfg.Logf
	sec := Section{Engine: d}
	var e Engine
	var err error
	switch d {
	case store.SQLite:
		e, err = SQLiteEngine(ctx, logf, cfg.CacheDir, cfg.RunDir, cfg.Counts.Holders)
	case store.Postgres:
		if cfg.DatabaseURL == "" {
			return sec, ErrNoPostgres
		}
		e, err = PostgresEngine(ctx, logf, cfg.DatabaseURL, cfg.RunDir, cfg.Counts.Holders)
	}
	if err != nil {
		return sec, err
	}
	today := civil.Today()
	start := time.Now()
	fx, err := Prepare(ctx, logf, e, cfg.Counts, today)
	if err != nil {
		return sec, err
	}
	logf("%s: fixtures in %v", d, time.Since(start).Round(time.Millisecond))
	slog, err := os.Create(filepath.Join(cfg.RunDir, string(d)+"-serve.log"))
	if err != nil {
		return sec, err
	}
	defer slog.Close()
	// A real (non-demo) service needs its public address; the links it makes
	// are not followed here.
	// Behind a proxy at 127.0.0.1, as a real deployment is: the load client
	// speaks for many visitors (Client.Visitors).
	args := []string{"serve", "--addr", "127.0.0.1:0", "--base-url", "http://127.0.0.1", "--trusted-proxies", "127.0.0.1"}
	if cfg.ProfileDir != "" {
		args = append(args, "--pprof-addr", "127.0.0.1:0")
	}
	srv, err := Start(ctx, slog, e.Env(), cfg.Exe, args...)
	if err != nil {
		return sec, err
	}
	defer srv.Stop()
	sec.Notes = append(sec.Notes, fmt.Sprintf("cold start: %v from starting opcert serve on the %d-holder database to accepting requests", srv.Started.Round(time.Millisecond), cfg.Counts.Holders))
	c := NewClient(srv.URL, cfg.ReadC)
	c.Visitors = true
	defer c.Close()
	flow := fx.Flow
	flow.C = c

	wanted := func(name string) bool {
		if len(cfg.Only) == 0 {
			return true
		}
		for _, o := range cfg.Only {
			if strings.Contains(name, o) {
				return true
			}
		}
		return false
	}
	// The drafts that "submit" submits, prepared through the pages at the
	// applicants' concurrency just before it (not measured), so that the
	// pages before it are measured on a database at rest.
	draftPool := NewPool[Draft](nil)
	prepare := func() error {
		start := time.Now()
		drafts, err := prepareDrafts(ctx, &flow, fx.ForDrafts, cfg.WriteC)
		if err != nil {
			return err
		}
		logf("%s: %d drafts prepared in %v", d, len(drafts), time.Since(start).Round(time.Millisecond))
		draftPool = NewPool(drafts)
		return nil
	}

	bc := NewClient(bare.URL, cfg.ReadC)
	bc.Visitors = true // the same headers as the service gets
	defer bc.Close()
	var n atomic.Uint64
	pick := func(k int) int { return int(n.Add(1)-1) % k }
	sessionPool, loginPool := NewPool(fx.Sessions), NewPool(fx.Logins)
	// The look-ups of the pages run again in this process, without HTTP,
	// templates or the client: the ceiling the database engine alone
	// leaves a page on this machine.
	var local *store.DB
	defer func() {
		if local != nil {
			local.Close()
		}
	}()
	openLocal := func() error {
		if local != nil {
			return nil
		}
		var err error
		local, err = e.Open(ctx)
		return err
	}
	type target struct {
		name, unit string
		p          *Process
		c          int
		op         Op
		before     func() error // fixtures made first, not measured
	}
	targets := []target{
		{"bare net/http handler (the limit)", "req", bare, cfg.ReadC, page(bc, func() string { return "/" }, "", "ok"), nil},
		{"public certificate query (HTML)", "req", srv, cfg.ReadC, func(ctx context.Context, _ int) error {
			q := fx.Queries[pick(len(fx.Queries))]
			r, err := c.PostForm(ctx, "/certificates/query", "", url.Values{"name": {q.Name}, "id": {q.IDNumber}})
			if err == nil {
				err = r.Expect(http.StatusOK, "流动式起重机司机")
			}
			return err
		}, nil},
		{"public certificate query (JSON API)", "req", srv, cfg.ReadC, func(ctx context.Context, _ int) error {
			q := fx.Queries[pick(len(fx.Queries))]
			body, _ := json.Marshal(map[string]string{"name": q.Name, "id_number": q.IDNumber})
			r, err := c.PostJSON(ctx, "/api/v1/certificates/query", body)
			if err == nil {
				err = r.Expect(http.StatusOK, `"items":[{"certificate_number"`)
			}
			return err
		}, nil},
		{queryLookUpName, "req", nil, cfg.ReadC, func(ctx context.Context, _ int) error {
			q := fx.Queries[pick(len(fx.Queries))]
			h, _, err := local.HoldingForQuery(ctx, q.IDNumber, store.Asker{Client: "127.0.0.1", Name: q.Name})
			if err == nil && len(h.Certificates) == 0 {
				err = fmt.Errorf("no certificates for a holder of the registry")
			}
			return err
		}, openLocal},
		{"certificate QR verification (JSON API)", "req", srv, cfg.ReadC, func(ctx context.Context, _ int) error {
			body, _ := json.Marshal(map[string]string{"token": fx.Checks[pick(len(fx.Checks))]})
			r, err := c.PostJSON(ctx, "/api/v1/certificates/verify", body)
			if err == nil {
				err = r.Expect(http.StatusOK, `"items":[{"code"`)
			}
			if err == nil && bytes.Contains(r.Body, []byte(`"status":"unknown"`)) {
				err = fmt.Errorf("a signed line is not in the registry: %s", r.Body)
			}
			return err
		}, nil},
		{"progress page /p/…", "req", srv, cfg.ReadC, page(c, func() string { return "/p/" + fx.Tokens[pick(len(fx.Tokens))] }, "", "办理记录"), nil},
		{progressLookUpName, "req", nil, cfg.ReadC, func(ctx context.Context, _ int) error {
			_, events, err := local.ApplicationProgress(ctx, fx.Tokens[pick(len(fx.Tokens))])
			if err == nil && len(events) == 0 {
				err = fmt.Errorf("a submitted application without history")
			}
			return err
		}, openLocal},
		{"home page", "req", srv, cfg.ReadC, page(c, func() string { return "/" }, "", "证书查询"), nil},
		{fmt.Sprintf("officers' queue (%d applications)", fx.QueueTotal), "req", srv, cfg.ReadC,
			page(c, func() string { return "/officer" }, fx.Officer, "个工作日"), nil},
		{submitName, "req", srv, cfg.WriteC, func(ctx context.Context, _ int) error {
			d, err := draftPool.Take()
			if err != nil {
				return err
			}
			return flow.Submit(ctx, d)
		}, prepare},
		{"applicant path without login (draft, photo, 1 MB upload, submit)", "application", srv, cfg.WriteC, func(ctx context.Context, _ int) error {
			s, err := sessionPool.Take()
			if err != nil {
				return err
			}
			return flow.Whole(ctx, "", s)
		}, nil},
		{"whole applicant path (login, draft, photo, 1 MB upload, submit)", "application", srv, cfg.WriteC, func(ctx context.Context, _ int) error {
			l, err := loginPool.Take()
			if err != nil {
				return err
			}
			return flow.Whole(ctx, l, "")
		}, nil},
	}
	// The bare handler runs before the first path and again after each,
	// and a path's ratio is over the mean of the runs on either side of it:
	// on a shared machine the ceiling moves during a section.
	measure := func(i int, t target) (Row, error) {
		row := Row{Name: t.name, Unit: t.unit, InProcess: t.p == nil}
		pid := 0
		if t.p != nil {
			pid = t.p.PID()
			if err := t.p.ResetPeak(); err != nil {
				return row, fmt.Errorf("reset peak memory: %w", err)
			}
		}
		cpu := make(chan cpuWindow, 1)
		go func() { cpu <- sampleWindow(ctx, pid, cfg.Warmup, cfg.Duration) }()
		profiled := make(chan error, 2)
		if cfg.ProfileDir != "" && t.p != nil && t.p.Pprof != "" {
			file := filepath.Join(cfg.ProfileDir, fmt.Sprintf("%s-%d", d, i))
			go func() { profiled <- profile(ctx, t.p.Pprof, file, cfg.Warmup, cfg.Duration) }()
		} else {
			profiled <- nil
		}
		if cfg.ProfileDir != "" {
			file := filepath.Join(cfg.ProfileDir, fmt.Sprintf("%s-%d-load.pprof", d, i))
			go func() { profiled <- profileSelf(ctx, file, cfg.Warmup, cfg.Duration) }()
		} else {
			profiled <- nil
		}
		stopWatch := func() int64 { return 0 }
		if t.p != nil {
			stopWatch = t.p.WatchAnon(20 * time.Millisecond)
		}
		row.Stats = Loop(ctx, t.c, cfg.Warmup, cfg.Duration, t.op)
		row.PeakAnon = stopWatch()
		for range 2 {
			if err := <-profiled; err != nil {
				logf("%s: profile of %s: %v", d, t.name, err)
			}
		}
		if w := <-cpu; w.err != nil {
			logf("%s: CPU time of %s: %v", d, t.name, w.err)
		} else {
			row.CPU = w.from.use(w.to, row.Stats.Ops)
		}
		var err error
		if t.p != nil {
			row.PeakRSS, err = t.p.PeakRSS()
		}
		return row, err
	}
	targets = slices.DeleteFunc(targets, func(t target) bool { return t.p != bare && !wanted(t.name) })
	bareRow, err := measure(0, targets[0])
	if err != nil {
		return sec, err
	}
	bares := []Row{bareRow}
	for i, t := range targets[1:] {
		if t.before != nil {
			if err := t.before(); err != nil {
				return sec, err
			}
		}
		row, err := measure(i+1, t)
		if err != nil {
			return sec, err
		}
		next, err := measure(0, targets[0])
		if err != nil {
			return sec, err
		}
		bares = append(bares, next)
		if limit := (bares[i].Stats.Rate() + next.Stats.Rate()) / 2; limit > 0 {
			row.Ratio = row.Stats.Rate() / limit
		}
		sec.Rows = append(sec.Rows, row)
		logf("%s: %-70s %s", d, t.name, row.summary())
		if st := row.Stats; st.FirstError != nil {
			sec.Notes = append(sec.Notes, fmt.Sprintf("%s: %d errors, the first: %v", t.name, st.Errors, st.FirstError))
		}
		if st := row.Stats; st.Exhausted {
			sec.Notes = append(sec.Notes, fmt.Sprintf("%s: the prepared fixtures ran out after %v; the rate is over that time", t.name, st.Elapsed.Round(time.Millisecond)))
		}
		if ctx.Err() != nil {
			return sec, ctx.Err()
		}
	}
	// The bare row shown is its median run, with the spread of its rate.
	slices.SortFunc(bares, func(a, b Row) int { return cmp.Compare(a.Stats.Rate(), b.Stats.Rate()) })
	median := bares[len(bares)/2]
	median.Ratio = 1
	median.Name = fmt.Sprintf("%s, median of %d runs (%.0f–%.0f req/s)", median.Name, len(bares), bares[0].Stats.Rate(), bares[len(bares)-1].Stats.Rate())
	sec.Rows = append([]Row{median}, sec.Rows...)
	logf("%s: %-70s %s", d, median.Name, median.summary())
	return sec, nil
}

const (
	submitName         = "submit of a prepared draft"
	queryLookUpName    = "look-up of the public query alone (store.HoldingForQuery in the load process, no HTTP)"
	progressLookUpName = "look-up of the progress page alone (store.ApplicationProgress in the load process, no HTTP)"
)

// page is an operation that gets the page path returns and checks that it
// answered 200 with want in it.
func page(c *Client, path func() string, session, want string) Op {
	return func(ctx context.Context, _ int) error {
		r, err := c.Get(ctx, path(), session)
		if err == nil {
			err = r.Expect(http.StatusOK, want)
		}
		return err
	}
}

// prepareDrafts walks every session's applicant to the 核对信息 page.
func prepareDrafts(ctx context.Context, f *Flow, sessions []string, c int) ([]Draft, error) {
	pool := NewPool(sessions)
	var mu sync.Mutex
	var drafts []Draft
	var first error
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				s, err := pool.Take()
				if err != nil {
					return
				}
				d, err := f.Prepare(ctx, s)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					drafts = append(drafts, d)
				}
				mu.Unlock()
				if err != nil || ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return drafts, first
}

func (r Row) summary() string {
	return fmt.Sprintf("%8.1f %s/s  p50 %6.1f ms  p99 %6.1f ms  ratio %.3f  peak anon %4d MB  RSS %4d MB  CPU/op server %s load %s machine %s idle %2.0f%%  errors %d",
		r.Stats.Rate(), r.Unit, ms(r.Stats.P50), ms(r.Stats.P99), r.Ratio, r.PeakAnon>>20, r.PeakRSS>>20,
		micro(r.CPU.Server), micro(r.CPU.Client), micro(r.CPU.Machine), 100*r.CPU.Idle, r.Stats.Errors)
}

// micro shows a CPU time per operation: microseconds for a request,
// milliseconds for an application.
func micro(d time.Duration) string {
	if d >= 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", ms(d))
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
}

// rate is a rate as the report prints it: whole numbers, but a tenth
// below ten, so that a slow path's few operations a second do not print as
// none.
func rate(perSecond float64) string {
	if perSecond < 10 {
		return fmt.Sprintf("%.1f", perSecond)
	}
	return fmt.Sprintf("%.0f", perSecond)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Markdown writes the sections as tables.
func Markdown(w io.Writer, secs []Section) {
	for _, s := range secs {
		fmt.Fprintf(w, "\n### %s\n\n", s.Engine)
		fmt.Fprintln(w, "| path | c | rate | p50 | p99 | ratio to bare | server peak memory (anonymous) | server peak RSS | CPU per op: server | CPU per op: load process | CPU per op: machine | machine idle | errors |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, r := range s.Rows {
			anon, rss, server := fmt.Sprintf("%d MB", r.PeakAnon>>20), fmt.Sprintf("%d MB", r.PeakRSS>>20), micro(r.CPU.Server)
			if r.InProcess {
				anon, rss, server = "—", "—", "—"
			}
			fmt.Fprintf(w, "| %s | %d | %s %s/s | %.1f ms | %.1f ms | %.3f | %s | %s | %s | %s | %s | %.0f %% | %d |\n",
				r.Name, r.Stats.Concurrency, rate(r.Stats.Rate()), r.Unit, ms(r.Stats.P50), ms(r.Stats.P99), r.Ratio, anon, rss,
				server, micro(r.CPU.Client), micro(r.CPU.Machine), 100*r.CPU.Idle, r.Stats.Errors)
		}
		if len(s.Notes) > 0 {
			fmt.Fprintln(w)
			for _, n := range s.Notes {
				fmt.Fprintln(w, "- "+strings.ReplaceAll(n, "\n", " "))
			}
		}
	}
}

// profile saves a CPU profile (file.pprof) of the server's measured window
// and an execution trace (file.trace) of its first second, which shows
// what the goroutines wait on (go tool trace -pprof=syscall, sync, net).
func profile(ctx context.Context, addr, file string, warmup, d time.Duration) error {
	if err := sleep(ctx, warmup); err != nil {
		return err
	}
	traced := make(chan error, 1)
	go func() {
		traced <- fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/trace?seconds=1", addr), file+".trace")
	}()
	err := fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(int(d.Seconds()), 1)), file+".pprof")
	return errors.Join(err, <-traced)
}

// profileSelf saves a CPU profile of this process over the measured
// window: the load client's own cost, which the ratios charge to the path
// measured, and the paths run in process.
func profileSelf(ctx context.Context, file string, warmup, d time.Duration) error {
	if err := sleep(ctx, warmup); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	sleep(ctx, d) // cancelled: the profile so far is still saved
	pprof.StopCPUProfile()
	return f.Close()
}

// sleep waits d, or less if ctx ends first (then its error).
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func fetch(ctx context.Context, u, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profiler: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
