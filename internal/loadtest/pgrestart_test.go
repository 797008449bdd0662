package loadtest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opcert/internal/blob"
	"opcert/internal/civil"
	"opcert/internal/store/storetest"
)

// PostgreSQL is stopped at once (connections cut, as in a crash or a
// failover) while applicants submit, and started again two seconds later.
// The service keeps running: the requests that needed the database
// meanwhile get the busy page (系统繁忙, nothing saved lost), /healthz says
// the database is unreachable, the service reconnects by itself, later
// submissions are acknowledged, and every acknowledged one is there whole.
func TestPostgresRestartedUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a database server")
	}
	pg := storetest.StartPostgres(t)
	ctx := context.Background()
	logf := func(string, ...any) {}
	runDir := t.TempDir()
	e, err := PostgresEngine(ctx, logf, pg.URL, runDir, 6000)
	if err != nil {
		t.Fatal(err)
	}
	fx, err := Prepare(ctx, logf, e, Counts{Holders: 6000, Sessions: 300}, civil.Today())
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Sessions) < 100 {
		t.Fatalf("only %d applicants prepared", len(fx.Sessions))
	}
	fixturesUpTo := lastApplication(t, e)
	svc := newTestService(t, e, runDir)
	srv := svc.start()
	defer srv.Stop()
	c := NewClient("http://"+svc.addr, 8)
	defer c.Close()
	flow := fx.Flow
	flow.C = c
	sessions := NewPool(fx.Sessions)
	load := submitting(ctx, flow, sessions, 6)

	time.Sleep(1500 * time.Millisecond)
	pg.Stop(t)
	before := load.count()
	time.Sleep(time.Second)
	if r, err := c.Get(ctx, "/healthz", ""); err != nil || r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "unreachable") {
		t.Errorf("/healthz with the database away: %+v %v", r.Status, err)
	}
	time.Sleep(time.Second)
	pg.Start(t)
	deadline := time.Now().Add(30 * time.Second)
	for load.count() <= before {
		if time.Now().After(deadline) {
			_, failures := load.finish()
			t.Logf("%d failures, %d applicants left; last: %v", len(failures), sessions.Left(), failures[len(failures)-1])
			log, _ := os.ReadFile(svc.log.Name())
			lines := strings.Split(strings.TrimSpace(string(log)), "\n")
			t.Fatalf("no submission acknowledged within 30 s of the database's return (%d before); the service's last log lines:\n%s\nPostgreSQL's log:\n%s",
				before, strings.Join(lines[max(0, len(lines)-4):], "\n"), pg.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	acked, failures := load.finish()
	if len(failures) == 0 {
		t.Error("no request failed while the database was away: the outage was not exercised")
	}
	for _, err := range failures {
		if !strings.Contains(err.Error(), "系统繁忙") && !strings.Contains(err.Error(), "数据库") {
			t.Errorf("a request failed other than with the busy page: %v", err)
		}
	}
	t.Logf("%d acknowledged (%d before the stop), %d requests failed", len(acked), before, len(failures))

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
	checkSubmitted(t, db, files, fixturesUpTo, acked, flow.IDScan.Data)
}
