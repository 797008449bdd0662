package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
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

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/jobs"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/upload"
	"opcert/internal/weldexam"
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
		if got := strings.Join(ran, " "); got != "expire_drafts overdue_corrections reminders expire_sessions expire_logins prune_outbox expire_weld_batches sweep_files" {
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
				files, age, dir := fileStore(t, kind, old)
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

// fileStore is a file store of the kind (local, s3) for the sweep tests,
// with age, which makes a stored file look written at old, and the local
// store's folder.
func fileStore(t *testing.T, kind string, old time.Time) (files blob.Store, age func(key string), dir string) {
	t.Helper()
	ctx := context.Background()
	switch kind {
	case "local":
		dir = t.TempDir()
		l, err := blob.NewLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		return l, func(key string) {
			p := filepath.Join(dir, filepath.FromSlash(key))
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}, dir
	case "s3":
		clock := &settableTime{}
		srv := httptest.NewServer(gofakes3.New(s3mem.New(s3mem.WithTimeSource(clock))).Server())
		t.Cleanup(srv.Close)
		s, err := blob.NewS3(ctx, blob.S3Config{Endpoint: srv.URL, Bucket: "opcert", AccessKey: "a", SecretKey: "b", Region: "us-east-1", CreateBucket: true})
		if err != nil {
			t.Fatal(err)
		}
		// Written again with the server's clock set back.
		return s, func(key string) {
			clock.set(old)
			defer clock.set(time.Time{})
			if err := s.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "application/pdf"); err != nil {
				t.Fatal(err)
			}
		}, ""
	}
	t.Fatalf("no file store %q", kind)
	return nil, nil, ""
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

// welderForm is a filled 考试申请表 of seed 000 四.2 of a male welder born
// 1980 (n makes his 身份证号), with its photo.
func welderForm(t *testing.T, n int, photo string) weldexam.Registration {
	t.Helper()
	first17 := fmt.Sprintf("11010519800101%03d", 2*n+1)
	check, err := idcheck.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return weldexam.Registration{Kind: weldexam.New, Name: "王焊工", Sex: "男", Nature: "首次考试", Address: "上海市普陀区真北路1号", Education: "初中",
		Postcode: "200333", IDNumber: first17 + string(check), Mobile: "13800000123", PhotoKey: photo, WorkType: "金属焊", WeldingYears: "7",
		Items: []string{"SAW-1G(K)-07/08/19"}, Employer: "上海焊接工程有限公司", CreditCode: "91310000MA00003490",
		UnitTypes: []string{"安装"}, District: "310107", EmployerAddress: "上海市普陀区中山北路2号", Contact: "李四", ContactPhone: "021-62000000",
		Entrust: "是", Work: []weldexam.WorkRow{{Period: "2018.03—2026.06", Employer: "上海焊接工程有限公司", Work: "压力管道焊接"}},
		Training: "经单位安全教育和焊接培训，能独立承担焊接工作", Materials: weldexam.Materials}
}

// The 焊工报名 form uploads its photo before the form is submitted. The
// sweep removes, once older than jobs.FileGrace, the photos no
// registration names — of a form given up, or replaced by a 修改 — and
// keeps the photo of every registration, one written before photos were
// indexed included, every young photo (a form still being typed) and
// anything in the folder outside the layout. A form left open past the
// sweep is sent back to upload its photo again. Both engines, both file
// stores.
func TestSweepFilesRemovesAbandonedWeldPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.PutExamInstitution(ctx, store.ExamInstitution{Name: "上海市特种设备作业人员考试中心", Items: []string{"金属焊接操作"}}); err != nil {
			t.Fatal(err)
		}
		for i, kind := range []string{"local", "s3"} {
			t.Run(kind, func(t *testing.T) {
				now := time.Now()
				old := now.Add(-jobs.FileGrace - time.Hour)
				files, age, _ := fileStore(t, kind, old)
				cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return civil.MustParse("2026-12-02") }, Log: slog.New(slog.DiscardHandler), Files: files})
				uploadPhoto := func() string {
					t.Helper()
					photo := testfixture.Photo()
					content, err := upload.Spool(bytes.NewReader(photo), int64(len(photo)))
					if err != nil {
						t.Fatal(err)
					}
					key, err := cases.SaveWeldPhoto(ctx, casework.Upload{Name: "photo.png", Content: content})
					if err != nil {
						t.Fatal(err)
					}
					return key
				}
				register := func(f weldexam.Registration) (casework.Welder, string, error) {
					cid, err := cases.NewCaptcha(ctx)
					if err != nil {
						t.Fatal(err)
					}
					answer, err := db.CaptchaAnswer(ctx, cid)
					if err != nil {
						t.Fatal(err)
					}
					return cases.RegisterWelder(ctx, casework.WeldSubmission{Form: f, CaptchaID: cid, CaptchaAnswer: answer})
				}
				// Registered, then 修改 with another photo.
				first := uploadPhoto()
				reg, token, err := register(welderForm(t, 3*i, first))
				if err != nil {
					t.Fatal(err)
				}
				second := uploadPhoto()
				changed := reg.Form
				changed.PhotoKey = second
				if _, err := cases.ModifyWelder(ctx, token, reg.Version, changed, "192.0.2.1"); err != nil {
					t.Fatal(err)
				}
				// Registered before photos were indexed.
				kept := uploadPhoto()
				legacy, _, err := register(welderForm(t, 3*i+1, kept))
				if err != nil {
					t.Fatal(err)
				}
				storetest.Exec(t, db, `UPDATE weld_registrations SET photo_hmac = NULL WHERE id = $1`, legacy.ID)
				abandoned := uploadPhoto()
				young := uploadPhoto()
				foreign := casework.WeldPhotoFolder + "notes/" + kind + ".txt"
				if err := files.Put(ctx, foreign, bytes.NewReader([]byte("x")), 1, "text/plain"); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{first, second, kept, abandoned, foreign} {
					age(k)
				}
				r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
				for round := range 2 { // the second with the legacy registration indexed
					if err := r.SweepFiles(ctx); err != nil {
						t.Fatal(err)
					}
					for key, want := range map[string]bool{first: false, second: true, kept: true, abandoned: false, young: true, foreign: true} {
						if ok, err := files.Exists(ctx, key); err != nil || ok != want {
							t.Errorf("round %d: %s: exists = %v (%v), want %v", round, key, ok, err, want)
						}
					}
				}
				var indexed bool
				storetest.InTx(t, db, func(tx *sql.Tx) error {
					return tx.QueryRow(`SELECT photo_hmac IS NOT NULL AND photo_hmac <> '' FROM weld_registrations WHERE id = $1`, legacy.ID).Scan(&indexed)
				})
				if !indexed {
					t.Error("the registration from before photos were indexed was not indexed")
				}
				// The page of the given-up form, submitted at last.
				_, _, err = register(welderForm(t, 3*i+2, abandoned))
				if fe := casework.FieldErrors(err); len(fe) != 1 || fe[0].Field != "photo" || fe[0].Message != "照片已失效，请重新上传" {
					t.Errorf("a form naming a swept photo: %+v (%v)", fe, err)
				}
			})
		}
	})
}

// A 批量报名 upload never confirmed is deleted weldexam.UnconfirmedBatchKept
// after its upload, with the audit entry of the deletion; a younger one
// stays, and a confirmed one keeps its record (file, counts) without its
// rows, which the confirmation cleared.
func TestOnceDeletesUnconfirmedWeldBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return start })
		const code = "91310116607444444X"
		u, err := db.RegisterUnit(ctx, enterprise.Unit{CreditCode: code, Name: "上海金山石化焊接工程有限公司", Address: "上海市金山区卫零路55号", Contact: "王师傅", Phone: "13912340000"}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		upload := func(name string) store.WeldBatch {
			t.Helper()
			b, err := db.AddWeldBatch(ctx, store.WeldBatch{CreditCode: code, UploadedBy: u.ID, Filename: name, Rows: []byte(`[{"line":2,"cells":{"身份证":"310107197001010115"}}]`), RowCount: 1},
				audit.Entry{ActorID: u.ID, ActorRole: "unit", Action: "weld_batch_upload"})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		given := upload("放弃.xlsx")
		confirmed := upload("确认.xlsx")
		if err := db.ConfirmWeldBatch(ctx, confirmed.ID, code, nil, audit.Entry{ActorID: u.ID, ActorRole: "unit", Action: "weld_batch_register"}); err != nil {
			t.Fatal(err)
		}
		db.SetClock(func() time.Time { return start.Add(time.Hour) })
		young := upload("新.xlsx")
		// Its last moment: still kept.
		db.SetClock(func() time.Time { return start.Add(weldexam.UnconfirmedBatchKept) })
		cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return civil.Of(start) }, Log: slog.New(slog.DiscardHandler)})
		files, _ := blob.NewLocal(t.TempDir())
		r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler)}
		r.Once(ctx)
		if _, err := db.WeldBatchOf(ctx, given.ID, code); err != nil {
			t.Fatalf("deleted on its last moment: %v", err)
		}
		db.SetClock(func() time.Time { return start.Add(weldexam.UnconfirmedBatchKept + time.Minute) })
		r.Once(ctx)
		if _, err := db.WeldBatchOf(ctx, given.ID, code); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unconfirmed upload kept past its days: %v", err)
		}
		if b, err := db.WeldBatchOf(ctx, young.ID, code); err != nil || string(b.Rows) == "" {
			t.Errorf("a younger upload: %+v %v", b, err)
		}
		if b, err := db.WeldBatchOf(ctx, confirmed.ID, code); err != nil || !b.ConfirmedAt.Valid || b.Filename != "确认.xlsx" || b.RowCount != 1 || b.UploadedBy != u.ID || len(b.Rows) != 0 {
			t.Errorf("the confirmed upload: %+v %v", b, err)
		}
		e, err := db.AuditEntries(ctx, fmt.Sprintf("weld_batch:%d", given.ID), 5)
		if err != nil || len(e) != 2 || e[0].Action != "weld_batch_expired" || e[0].ActorRole != "system" || e[0].ActorID != 0 || e[1].Action != "weld_batch_upload" {
			t.Errorf("audit of the deletion: %+v %v", e, err)
		}
		if _, _, err := db.VerifyAudit(ctx, ""); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
