package casework_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/demo"
	"opcert/internal/importer"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/weldexam"
)

// inClearMarker is written into a column kept in clear that holds nothing
// personal (a 受理机关's office hours), for the byte-level search to find:
// it shows that the search sees the data at all.
const inClearMarker = "plain-text-marker-5f1c9e"

// The demo registry, an applicant's application carried to a granted
// certificate, a welder's 单个报名 and a 单位's confirmed 批量报名 leave no
// 证件号码 or mobile in clear in any column (read through SQL), nor anywhere
// in the SQLite file and its WAL or in a pg_dump of the PostgreSQL schema.
func TestNoPersonalDataInClear(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			var db *store.DB
			var err error
			var path, url string
			switch d {
			case store.SQLite:
				path = filepath.Join(t.TempDir(), "opcert.db")
				db, err = store.Open(ctx, "", path)
			case store.Postgres:
				url = storetest.PostgresSchema(t)
				db, err = store.Open(ctx, url, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, err := demo.Load(ctx, db, catalog.Default(), day("2026-11-23")); err != nil {
				t.Fatal(err)
			}
			w := newWorld(t, db, "2026-11-23")
			a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
			a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
			a = w.act(t, w.officer, a, application.ActionRecordExam, application.Input{Theory: "88", Practical: "90"})
			w.act(t, w.officer, a, application.ActionApprove, application.Input{Opinion: "同意"})
			// A demo applicant asks for a login code and fails a password
			// login (the limits' buckets); then the holder behind the
			// account registers again and stops it (the notice to the
			// account's mobile, the audit line naming it).
			if err := db.IssueSMSCode(ctx, "13800000001", auth.SMSLogin, "246810"); err != nil {
				t.Fatal(err)
			}
			if err := db.RecordLoginFailure(ctx, "name:13800000001", "203.0.113.9"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Allow(ctx, "sms:13800000001", auth.SMSPerMobile); err != nil {
				t.Fatal(err)
			}
			reclaimed := demo.Build(catalog.Default(), day("2026-11-23")).Applicants[0]
			h, err := db.HoldingByIDNumber(ctx, reclaimed.IDNumber)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ReclaimApplicant(ctx, h.Holder, "13700000077", "hash", store.Reclaim{
				Notice: "账号已停用", Audit: audit.Entry{ActorRole: "applicant", Action: "account_reclaimed"}}); err != nil {
				t.Fatal(err)
			}
			// The applicant changes their password: the audit line names the
			// account by its login, their mobile.
			if _, err := db.SetUserPassword(ctx, w.applicant.UserID, "hash2", false, "", nil,
				audit.Entry{ActorID: w.applicant.UserID, ActorRole: "applicant", Action: "change_password"}); err != nil {
				t.Fatal(err)
			}
			storetest.Exec(t, db, `UPDATE authorities SET hours = $1`, inClearMarker)

			needles := append([]string{"110105198005010021", w.mobile, "13700000077", demo.Build(catalog.Default(), day("2026-11-23")).Unit().Phone}, registerWelders(t, w)...)
			for _, h := range demo.Build(catalog.Default(), day("2026-11-23")).Holdings {
				needles = append(needles, h.Holder.IDNumber)
				if h.Holder.Mobile != "" {
					needles = append(needles, h.Holder.Mobile)
				}
			}
			if found := storetest.InClear(t, db, needles, nil); len(found) > 0 {
				t.Errorf("personal data in clear:\n%s", strings.Join(found, "\n"))
			}
			search := append(slices.Clone(needles), inClearMarker)
			var found []string
			if d == store.SQLite {
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				found = storetest.FileInClear(t, path, search)
			} else {
				found = storetest.DumpInClear(t, url, search)
			}
			var leaks []string
			sawMarker := false
			for _, f := range found {
				if strings.Contains(f, inClearMarker) {
					sawMarker = true
				} else {
					leaks = append(leaks, f)
				}
			}
			if !sawMarker {
				t.Errorf("the byte search did not find the marker kept in clear in authorities.hours: it sees nothing")
			}
			if len(leaks) > 0 {
				t.Errorf("personal data in clear:\n%s", strings.Join(leaks, "\n"))
			}
		})
	}
}

// registerWelders makes a welder's 单个报名 and a 单位's 批量报名 of two,
// confirmed, as the exam system's and the 单位's pages do, and returns the
// 证件号码 and phone numbers they hold.
func registerWelders(t *testing.T, w *world) []string {
	t.Helper()
	examStaff(t, w.db, "weld-exam", "上海市特种设备作业人员考试中心", "金属焊接操作", "非金属焊接操作")
	photo := testfixture.Photo()
	key := must(w.s.SaveWeldPhoto(ctx, *sentFile("photo.png", photo)))
	cid, answer := captcha(t, w)
	form := welderForm(key)
	if _, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: form, CaptchaID: cid, CaptchaAnswer: answer}); err != nil {
		t.Fatal(err)
	}
	// 修改: a code to the registration's phone (its limits' buckets, the
	// message to it).
	if _, err := w.s.SendWeldCode(ctx, string(form.Kind), form.IDNumber, "203.0.113.10"); err != nil {
		t.Fatal(err)
	}
	unit := unitAccount(t, w, "91310000MA00003490", "上海焊接工程有限公司")
	rows := testfixture.WeldBatchRows(2)
	b := must(w.s.ReadWeldBatch(ctx, unit, "报名.xlsx", must(importer.WeldBatchWorkbook(rows, catalog.Default()))))
	if done := must(w.s.ConfirmWeldBatch(ctx, unit, b.ID, 2)); done.Registered != 2 {
		t.Fatalf("batch: %+v", done)
	}
	needles := []string{form.IDNumber, form.Mobile, form.ContactPhone, must(w.s.UnitOf(ctx, unit)).Phone}
	for _, r := range rows {
		needles = append(needles, r[weldexam.ColIDNumber], r[weldexam.ColMobile])
	}
	return needles
}
