package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"opcert/internal/auth"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/jobs"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// Seed 000 3.5: drafts are kept 15 days after the last save; past that the
// job deletes the draft and its files.
func TestExpireDraftsDeletesFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		files, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.RegisterApplicant(ctx, registry.Holder{Name: "张三", IDType: registry.IDResident, IDNumber: "11010519491231002X"}, "13900000001", "h")
		if err != nil {
			t.Fatal(err)
		}
		mk := func(expires string) (store.Application, string) {
			a, err := db.CreateDraft(ctx, store.Application{ApplicantID: u.ID, HolderID: u.HolderID, Matter: "renew", Status: "draft", Step: "materials",
				Data: []byte(`{}`), DraftExpiresOn: civil.MustParse(expires)})
			if err != nil {
				t.Fatal(err)
			}
			key := "applications/" + expires + "/a.pdf"
			if err := files.Put(ctx, key, bytes.NewReader([]byte("%PDF-1.4")), 8, "application/pdf"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.AddMaterial(ctx, store.Material{ApplicationID: a.ID, Material: "id_card", BlobKey: key, Filename: "a.pdf", ContentType: "application/pdf", Size: 8, SHA256: "x"}); err != nil {
				t.Fatal(err)
			}
			return a, key
		}
		old, oldKey := mk("2026-12-06")
		live, liveKey := mk("2026-12-07")
		cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return civil.MustParse("2026-12-07") }, Log: slog.New(slog.DiscardHandler)})
		var ran []string
		r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler), Observe: func(job string, err error, _ time.Duration) {
			if err != nil {
				t.Errorf("job %s: %v", job, err)
			}
			ran = append(ran, job)
		}}
		r.Once(ctx)
		// Each job is reported to the metrics under its name.
		if got := strings.Join(ran, " "); got != "expire_drafts overdue_corrections reminders expire_sessions expire_logins prune_outbox sweep_files" {
			t.Errorf("jobs observed: %s", got)
		}
		if _, err := db.ApplicationOf(ctx, old.ID, u.ID); err == nil {
			t.Error("expired draft kept")
		}
		if ok, _ := files.Exists(ctx, oldKey); ok {
			t.Error("file of expired draft kept")
		}
		if _, err := db.ApplicationOf(ctx, live.ID, u.ID); err != nil {
			t.Errorf("draft on its last day deleted: %v", err)
		}
		if ok, _ := files.Exists(ctx, liveKey); !ok {
			t.Error("file of live draft deleted")
		}
		// The applicant is told (every change notifies, DESIGN.md): of the
		// deletion, and that the draft on its last day goes tomorrow.
		msgs, err := db.RecentOutbox(ctx, "13900000001", 5)
		if err != nil || len(msgs) != 2 || msgs[1].Topic != "draft_expired" || msgs[1].Body != "【特种设备作业人员资格认定】您暂存的复审申请超过15天未提交，已按规定删除。如需办理，请重新申请。" ||
			msgs[0].Topic != "draft_expiring" || !strings.Contains(msgs[0].Body, "将于2026年12月08日按规定删除") {
			t.Errorf("SMS = %+v, %v", msgs, err)
		}
	})
}

// Anonymous requests fill qr_logins, sms_codes and rate_events; the
// periodic run empties them of what no one can use any more.
func TestOncePrunesLoginRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		db.SetClock(func() time.Time { return start })
		if err := db.CreateQRLogin(ctx, "t", "p"); err != nil {
			t.Fatal(err)
		}
		db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "123456")
		db.Allow(ctx, "sms:13900000001", auth.SMSPerMobile)
		db.SetClock(func() time.Time { return start.Add(48 * time.Hour) })
		cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return civil.Of(start) }, Log: slog.New(slog.DiscardHandler)})
		files, _ := blob.NewLocal(t.TempDir())
		(&jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler)}).Once(ctx)
		if p, err := db.DeleteExpiredLogins(ctx); err != nil || p != (store.LoginsPruned{}) {
			t.Errorf("rows left after the run: %+v %v", p, err)
		}
		if st, _, _ := db.PollQRLogin(ctx, "t", "p"); st != store.QRExpired {
			t.Errorf("QR login state %v", st)
		}
	})
}

// settableTime is the fake S3 server's clock, which stamps LastModified.
type settableTime struct {
	mu sync.Mutex
	t  time.Time
}

func (s *settableTime) set(t time.Time) { s.mu.Lock(); s.t = t; s.mu.Unlock() }
func (s *settableTime) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.t.IsZero() {
		return time.Now()
	}
	return s.t
}
func (s *settableTime) Since(t time.Time) time.Duration { return s.Now().Sub(t) }

// A crash between an upload's file and its row, or a draft deleted before
// its files, leaves files no row names. The sweep removes them once older
// than jobs.FileGrace, and keeps every file a row names (materials, the
// form's photo, kept notice PDFs, the photo a certificate cites), every
// young file (an upload under way: its row comes after its file) and
// anything outside the service's layout. Both engines, both file stores.
func TestSweepFilesRemovesOnlyOldUnnamedFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, err := db.RegisterApplicant(context.Background(), registry.Holder{Name: "张三", IDType: registry.IDResident, IDNumber: "11010519491231002X"}, "13900000001", "h")
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"local", "s3"} {
			t.Run(kind, func(t *testing.T) {
				ctx := context.Background()
				now := time.Now()
				old := now.Add(-jobs.FileGrace - time.Hour)
				var files blob.Store
				var age func(key string)
				var dir string // the local folder
				switch kind {
				case "local":
					dir = t.TempDir()
					l, err := blob.NewLocal(dir)
					if err != nil {
						t.Fatal(err)
					}
					files = l
					age = func(key string) {
						p := filepath.Join(dir, filepath.FromSlash(key))
						if err := os.Chtimes(p, old, old); err != nil {
							t.Fatal(err)
						}
					}
				case "s3":
					clock := &settableTime{}
					srv := httptest.NewServer(gofakes3.New(s3mem.New(s3mem.WithTimeSource(clock))).Server())
					t.Cleanup(srv.Close)
					s, err := blob.NewS3(ctx, blob.S3Config{Endpoint: srv.URL, Bucket: "opcert", AccessKey: "a", SecretKey: "b", Region: "us-east-1", CreateBucket: true})
					if err != nil {
						t.Fatal(err)
					}
					files = s
					// Written again with the server's clock set back.
					age = func(key string) {
						clock.set(old)
						defer clock.set(time.Time{})
						if err := s.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "application/pdf"); err != nil {
							t.Fatal(err)
						}
					}
				}
				put := func(key string) string {
					t.Helper()
					if err := files.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "application/pdf"); err != nil {
						t.Fatal(err)
					}
					return key
				}
				suffix := kind + string(db.Dialect())
				a, err := db.CreateDraft(ctx, store.Application{ApplicantID: u.ID, HolderID: u.HolderID, Matter: "renew", Status: "draft", Step: "materials",
					Data: []byte(`{}`), DraftExpiresOn: civil.MustParse("2026-12-30")})
				if err != nil {
					t.Fatal(err)
				}
				app := fmt.Sprintf("applications/%d/", a.ID)
				material := put(app + "materials/m-" + suffix + ".pdf")
				photo := put(app + "photo-" + suffix + ".jpg")
				notice := put(app + "notices/n-" + suffix + ".pdf")
				certPhoto := put(app + "photo-cert-" + suffix + ".jpg")
				orphan := put(app + "materials/crashed-" + suffix + ".pdf")
				young := put(app + "materials/uploading-" + suffix + ".pdf")
				gone := put(fmt.Sprintf("applications/%d/materials/x-%s.pdf", a.ID+1000, suffix)) // its draft was deleted
				foreign := put("applications/2026-12-06/" + suffix + ".pdf")
				other := put("exports/" + suffix + ".csv")
				if _, err := db.AddMaterial(ctx, store.Material{ApplicationID: a.ID, Material: "id_card", BlobKey: material, Filename: "a.pdf", ContentType: "application/pdf", Size: 1, SHA256: "x"}); err != nil {
					t.Fatal(err)
				}
				storetest.Exec(t, db, `UPDATE applications SET data = $1 WHERE id = $2`, fmt.Sprintf(`{"photo_key":%q}`, photo), a.ID)
				n, err := db.AddNotice(ctx, store.Notice{ApplicationID: a.ID, Kind: "certificate.pdf", Title: "证书", Number: "1",
					Data: fmt.Appendf(nil, `{"photo_key":%q,"qr_path":"/p/x"}`, certPhoto)})
				if err != nil {
					t.Fatal(err)
				}
				if ok, err := db.SetNoticePDF(ctx, n.ID, notice, "sha"); err != nil || !ok {
					t.Fatal(ok, err)
				}
				for _, k := range []string{material, photo, notice, certPhoto, orphan, gone, foreign, other} {
					age(k)
				}
				// What a crash in the middle of a local Put leaves.
				var stale string
				if kind == "local" {
					stale = filepath.Join(dir, "applications", fmt.Sprint(a.ID), "materials", ".tmp-CRASHED")
					os.WriteFile(stale, []byte("half"), 0o600)
					os.Chtimes(stale, old, old)
				}
				cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return civil.Of(now) }, Log: slog.New(slog.DiscardHandler), Files: files})
				r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
				if err := r.SweepFiles(ctx); err != nil {
					t.Fatal(err)
				}
				for key, want := range map[string]bool{material: true, photo: true, notice: true, certPhoto: true, young: true, foreign: true, other: true,
					orphan: false, gone: false} {
					if ok, err := files.Exists(ctx, key); err != nil || ok != want {
						t.Errorf("%s: exists = %v (%v), want %v", key, ok, err, want)
					}
				}
				if _, err := os.Stat(stale); stale != "" && !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("temporary file of a crashed upload kept: %v", err)
				}
			})
		}
	})
}

// The sweep lists every stored file, so the ten-minute round runs it only
// every jobs.FileSweepEvery.
func TestFileSweepIsSpaced(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	dir := t.TempDir()
	files, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return civil.Of(now) }, Log: slog.New(slog.DiscardHandler), Files: files})
	r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	r.Once(ctx)
	key := "applications/999/materials/left.pdf"
	if err := files.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-jobs.FileGrace - time.Hour)
	os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), old, old)
	r.Once(ctx)
	if ok, _ := files.Exists(ctx, key); !ok {
		t.Fatal("swept again on the next round")
	}
	now = now.Add(jobs.FileSweepEvery)
	r.Once(ctx)
	if ok, _ := files.Exists(ctx, key); ok {
		t.Fatal("not swept after FileSweepEvery")
	}
}
