package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

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
		r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler)}
		r.Once(ctx)
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
		// The applicant is told (every change notifies, DESIGN.md).
		msgs, err := db.RecentOutbox(ctx, "13900000001", 5)
		if err != nil || len(msgs) != 1 || msgs[0].Topic != "draft_expired" || msgs[0].Body != "【特种设备作业人员资格认定】您暂存的复审申请超过15天未提交，已按规定删除。如需办理，请重新申请。" {
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
