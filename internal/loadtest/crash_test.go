package loadtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"opcert/internal/application"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/jobs"
	"opcert/internal/store"
)

// The service is killed (SIGKILL, no shutdown) at random moments while
// applicants prepare and submit applications with a photo and a 1 MB scan,
// and started again on the same SQLite folder each time. Afterwards every
// submission the service acknowledged exists, once, with its files whole
// (checksums), no submitted application lacks a file or a 申请号, and the
// cleanup job leaves no file that no row names.
func TestKilledWhileApplicantsSubmit(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the service")
	}
	ctx := context.Background()
	logf := func(string, ...any) {}
	runDir := t.TempDir()
	e, err := SQLiteEngine(ctx, logf, t.TempDir(), runDir, 3000)
	if err != nil {
		t.Fatal(err)
	}
	today := civil.Today()
	fx, err := Prepare(ctx, logf, e, Counts{Holders: 3000, Sessions: 120}, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Sessions) < 60 {
		t.Fatalf("only %d applicants prepared", len(fx.Sessions))
	}
	// The fixtures' own applications (the queue's filler, without files)
	// are not this test's.
	fixturesUpTo := lastApplication(t, e)
	svc := newTestService(t, e, runDir)
	start := svc.start
	srv := start()

	c := NewClient("http://"+svc.addr, 8)
	defer c.Close()
	flow := fx.Flow
	flow.C = c
	sessions := NewPool(fx.Sessions)

	load := submitting(ctx, flow, sessions, 6)
	const kills = 4
	for i := range kills {
		time.Sleep(time.Duration(300+rand.IntN(1200)) * time.Millisecond)
		srv.cmd.Process.Kill()
		<-srv.done
		srv = start()
		t.Logf("kill %d: %d acknowledged so far", i+1, load.count())
	}
	time.Sleep(time.Second)
	acked, _ := load.finish()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if len(acked) == 0 {
		t.Fatal("no submission was acknowledged")
	}

	db, err := e.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := blob.NewLocal(filepath.Join(e.DataDir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	submitted := checkSubmitted(t, db, files, fixturesUpTo, acked, flow.IDScan.Data)
	t.Logf("%d acknowledged, %d submitted in all, %d kills", len(acked), len(submitted), kills)

	// The cleanup job, a day later, removes what the kills left (temporary
	// uploads, files whose row never committed), and nothing else.
	cases := casework.New(casework.Options{Store: db, Files: files, Log: slog.New(slog.DiscardHandler)})
	runner := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Now().Add(jobs.FileGrace + time.Hour) }}
	if err := runner.SweepFiles(ctx); err != nil {
		t.Fatal(err)
	}
	byApp := map[int64][]string{}
	for o, err := range files.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		id, ok := casework.ApplicationOfFile(o.Key)
		if !ok {
			t.Errorf("a file outside the layout stayed: %s", o.Key)
			continue
		}
		byApp[id] = append(byApp[id], o.Key)
	}
	var ids []int64
	for id := range byApp {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(len(ids), store.MaxFileMentions)
		used, err := cases.FilesInUse(ctx, ids[:n])
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids[:n] {
			for _, key := range byApp[id] {
				if !used[key] {
					t.Errorf("an orphan file stayed after the cleanup: %s", key)
				}
			}
		}
		ids = ids[n:]
	}
	filepath.WalkDir(filepath.Join(e.DataDir, "files"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("a temporary upload stayed: %s", path)
		}
		return nil
	})
}

// loadRun is applicants preparing and submitting applications, each
// worker taking the next fresh applicant until stopped or out of them.
type loadRun struct {
	mu       sync.Mutex
	acked    []string // paths of the applications the service said were submitted
	failures []error  // the requests that failed, in order
	stop     chan struct{}
	wg       sync.WaitGroup
}

func submitting(ctx context.Context, flow Flow, sessions *Pool[string], workers int) *loadRun {
	r := &loadRun{stop: make(chan struct{})}
	for range workers {
		r.wg.Go(func() {
			for {
				select {
				case <-r.stop:
					return
				default:
				}
				s, err := sessions.Take()
				if err != nil {
					return
				}
				// A failed request leaves the applicant's draft as it was;
				// the worker goes on with the next applicant.
				d, err := flow.Prepare(ctx, s)
				if err == nil {
					err = flow.Submit(ctx, d)
				}
				r.mu.Lock()
				if err == nil {
					r.acked = append(r.acked, d.Path)
				} else {
					r.failures = append(r.failures, err)
				}
				r.mu.Unlock()
				if err != nil {
					// As a person would, wait before trying again; and the
					// fresh applicants last through an outage.
					time.Sleep(500 * time.Millisecond)
				}
			}
		})
	}
	return r
}

func (r *loadRun) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.acked)
}

// finish stops the workers and returns what was acknowledged and what
// failed.
func (r *loadRun) finish() ([]string, []error) {
	close(r.stop)
	r.wg.Wait()
	return r.acked, r.failures
}

// checkSubmitted fails unless every acknowledged application is submitted
// with its 申请号, and every submitted application after the fixtures' has
// its scan (read back intact) and its photo.
func checkSubmitted(t *testing.T, db *store.DB, files blob.Store, after int64, acked []string, scanData []byte) map[int64]store.Application {
	t.Helper()
	ctx := context.Background()
	scan := sha256.Sum256(scanData)
	wantScan := hex.EncodeToString(scan[:])
	submitted := map[int64]store.Application{}
	numbers := map[string]int64{}
	for {
		ids, err := db.ApplicationIDsAfter(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		for _, id := range ids {
			a, err := db.ApplicationIn(ctx, id, "")
			if err != nil {
				continue // a draft
			}
			submitted[id] = a
			if a.Number == "" {
				t.Errorf("application %d submitted without a 申请号", id)
			}
			if other, dup := numbers[a.Number]; dup {
				t.Errorf("申请号 %s given to %d and %d", a.Number, other, id)
			}
			numbers[a.Number] = id
		}
	}
	for _, path := range acked {
		id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/applications/"), 10, 64)
		if a, ok := submitted[id]; !ok || a.Status != application.StatusSubmitted {
			t.Errorf("acknowledged %s is not submitted", path)
		}
	}
	for id, a := range submitted {
		ms, err := db.Materials(ctx, id)
		if err != nil || len(ms) != 1 {
			t.Errorf("application %d: materials %v %v", id, ms, err)
			continue
		}
		if got := sha256Of(t, files, ms[0].BlobKey); got != wantScan || ms[0].SHA256 != wantScan {
			t.Errorf("application %d: the scan reads back as %s (row %s), uploaded %s", id, got, ms[0].SHA256, wantScan)
		}
		var f application.Form
		if err := json.Unmarshal(a.Data, &f); err != nil || f.PhotoKey == "" {
			t.Errorf("application %d: no photo (%v)", id, err)
		} else if ok, _ := files.Exists(ctx, f.PhotoKey); !ok {
			t.Errorf("application %d: photo %s missing", id, f.PhotoKey)
		}
	}
	return submitted
}

// testService is opcert serve on an engine, built from this checkout, on
// a fixed loopback address so that it can be started again after a kill.
type testService struct {
	t         *testing.T
	e         Engine
	exe, addr string
	log       *os.File
}

func newTestService(t *testing.T, e Engine, runDir string) *testService {
	t.Helper()
	svc := &testService{t: t, e: e, exe: buildOpcert(t)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc.addr = ln.Addr().String()
	ln.Close()
	if svc.log, err = os.Create(filepath.Join(runDir, "serve.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.log.Close() })
	return svc
}

func (svc *testService) start() *Process {
	svc.t.Helper()
	p, err := Start(context.Background(), svc.log, append(svc.e.Env(), "OPCERT_FALLBACK_FONTS="), svc.exe, "serve", "--addr", svc.addr, "--base-url", "http://127.0.0.1")
	if err != nil {
		svc.t.Fatal(err)
	}
	return p
}

func lastApplication(t *testing.T, e Engine) int64 {
	t.Helper()
	db, err := e.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var last int64
	for {
		ids, err := db.ApplicationIDsAfter(context.Background(), last, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			return last
		}
		last = ids[len(ids)-1]
	}
}

func sha256Of(t *testing.T, files blob.Store, key string) string {
	t.Helper()
	r, _, err := files.Open(context.Background(), key)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	defer r.Close()
	h := sha256.New()
	io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil))
}
