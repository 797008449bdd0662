package casework_test

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"opcert/internal/application"
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

// notYetSealed are the columns that still hold personal data in clear:
// the form (证件号码, mobile, address) and the decision notices made from
// it, the applicant's login and mobile and the messages addressed to it.
// Every other text column of every table must hold none of it. Columns in
// clear that this flow does not write are listed too, so that the list is
// the whole gap: the login limits' buckets (login:<account>) and audit
// entries of reclaimed accounts.
var notYetSealed = map[string]bool{
	"applications.data": true,
	"notices.data":      true, "notices.number": true,
	"users.login": true, "users.mobile": true,
	"outbox.recipient":      true,
	"rate_events.bucket":    true,
	"audit_log.before_data": true,
}

// The demo registry, an applicant's application carried to a granted
// certificate, a welder's 单个报名 and a 单位's confirmed 批量报名 leave no 证件号码 or mobile in clear in any column outside
// notYetSealed (read through SQL), nor, for the people whose data lives only
// in sealed columns, anywhere in the SQLite file and its WAL or in a
// pg_dump of the PostgreSQL schema.
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
			// A demo applicant asks for a login code.
			if err := db.IssueSMSCode(ctx, "13800000001", auth.SMSLogin, "246810"); err != nil {
				t.Fatal(err)
			}

			needles := append([]string{"110105198005010021", w.mobile, demo.Build(catalog.Default(), day("2026-11-23")).Unit().Phone}, registerWelders(t, w)...)
			for _, h := range demo.Build(catalog.Default(), day("2026-11-23")).Holdings {
				needles = append(needles, h.Holder.IDNumber)
				if h.Holder.Mobile != "" {
					needles = append(needles, h.Holder.Mobile)
				}
			}
			if found := storetest.InClear(t, db, needles, notYetSealed); len(found) > 0 {
				t.Errorf("personal data in clear:\n%s", strings.Join(found, "\n"))
			}
			// The people found in the columns not yet sealed are left out of
			// the byte-level search; the rest must be nowhere.
			uncovered := map[string]bool{}
			for _, f := range storetest.InClear(t, db, needles, nil) {
				_, n, _ := strings.Cut(f, ": ")
				uncovered[n] = true
			}
			var sealedOnly []string
			for _, n := range needles {
				if !uncovered[n] {
					sealedOnly = append(sealedOnly, n)
				}
			}
			sort.Strings(sealedOnly)
			if len(sealedOnly) < len(needles)/2 {
				t.Fatalf("only %d of %d people are in sealed columns only", len(sealedOnly), len(needles))
			}
			// The applicant's mobile, in users.mobile in clear, shows that the
			// search sees the data at all.
			search := append(sealedOnly, w.mobile)
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
			sawMobile := false
			for _, f := range found {
				if strings.Contains(f, w.mobile) {
					sawMobile = true
				} else {
					leaks = append(leaks, f)
				}
			}
			if !sawMobile {
				t.Errorf("the byte search did not find the applicant's mobile kept in clear in users.mobile: it sees nothing")
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
	key := must(w.s.SaveWeldPhoto(ctx, casework.Upload{Name: "photo.png", Size: int64(len(photo)), Body: bytes.NewReader(photo)}))
	cid, answer := captcha(t, w)
	form := welderForm(key)
	if _, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: form, CaptchaID: cid, CaptchaAnswer: answer}); err != nil {
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
