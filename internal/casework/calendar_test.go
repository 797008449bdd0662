package casework_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/workday"
)

var ctx = context.Background()

func day(s string) civil.Date { return civil.MustParse(s) }

// service is one instance of the service on db, on a fixed day.
func service(t testing.TB, db *store.DB, today string) *casework.Service {
	d := day(today)
	files, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db.SetClock(func() time.Time { return d.Time().Add(10 * time.Hour) })
	if err := db.PutAuthorities(ctx, authority.Shanghai(catalog.Default())); err != nil {
		panic(err)
	}
	return casework.New(casework.Options{Store: db, Today: func() civil.Date { return d }, Log: slog.New(slog.DiscardHandler), Files: files})
}

// caseAt puts an application into status with the given deadlines, as the
// officers' actions leave it.
func caseAt(t *testing.T, db *store.DB, n int, status string, due, correction workday.Deadline) store.Application {
	t.Helper()
	id := fmt.Sprintf("11010519491231%03d", n)
	id = id[:17] + checkChar(id[:17])
	u, err := db.RegisterApplicant(ctx, registry.Holder{Name: "𠮷" + fmt.Sprint(n), IDType: registry.IDResident, IDNumber: id, Sex: "女",
		BirthDate: day("1949-12-31")}, fmt.Sprintf("139000000%02d", n), "hash")
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.CreateDraft(ctx, store.Application{ApplicantID: u.ID, HolderID: u.HolderID, Matter: "renew", AuthorityCode: "310104",
		Status: "draft", Step: "review", Data: []byte(`{}`), DraftExpiresOn: day("2026-12-30")})
	if err != nil {
		t.Fatal(err)
	}
	a, err = db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: u.ID, ActorID: u.ID, Version: a.Version, From: []string{"draft"},
		To: status, Action: "submit", AssignNumber: true, Due: due, CorrectionDue: correction})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkChar is the GB 11643 check character of the first 17 digits.
func checkChar(s string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range s {
		sum += int(c-'0') * w[i]
	}
	return string("10X98765432"[sum%11])
}

// must stops the test on an error of a call whose result it needs (a
// panic in a test fails it with the error and the line).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A deadline across 2026→2027 without the 2027 notice is counted Monday to
// Friday and marked provisional; an admin's import on one instance is seen
// at once by the other, counts it again in one transaction, writes the
// history line and audit entry, and tells the applicant whose date moved
// (DESIGN.md, legal deadlines; 行政许可法 第四十二条, 第八十二条).
func TestImportRecountsProvisionalDeadlines(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dbA, dbB := storetest.Pair(t, engine)
			a, b := service(t, dbA, "2026-12-15"), service(t, dbB, "2026-12-15")
			calB := must(b.Calendar(ctx))
			if calB.Has(2027) {
				t.Fatal("2027 before any import")
			}
			p := application.ShanghaiPolicy()
			decision := must(application.DecisionDeadline(day("2026-12-15"), 0, calB, p))
			if decision.Date != day("2027-01-12") || fmt.Sprint(decision.Assumed) != "[2027]" {
				t.Fatalf("decision deadline %+v, want 2027-01-12 assumed 2027", decision)
			}
			correction := must(application.CorrectionDeadline(day("2026-12-15"), calB, p))
			final := must(application.AcceptDeadline(day("2026-12-15"), calB, p))
			accepted := caseAt(t, dbA, 1, "accepted", decision, workday.Deadline{})
			correcting := caseAt(t, dbA, 2, "correction", workday.Deadline{}, correction)
			untouched := caseAt(t, dbA, 3, "submitted", final, workday.Deadline{})
			// A case no longer under way keeps its history as it was.
			closed := caseAt(t, dbA, 4, "withdrawn", decision, workday.Deadline{})

			stored := must(dbB.ApplicationIn(ctx, accepted.ID, ""))
			if stored.Due.Date != decision.Date || stored.Due.From != day("2026-12-15") || stored.Due.Workdays != 20 || !stored.Due.Provisional() {
				t.Fatalf("stored deadline %+v", stored.Due)
			}
			if got := must(dbB.ProvisionalDeadlines(ctx)); len(got) != 2 {
				t.Fatalf("provisional deadlines: %d, want 2", len(got))
			}

			y := must(workday.ParseYearData(testfixture.Fictional2027))
			preview := must(a.PreviewHolidayYear(ctx, y))
			if len(preview.Recounts) != 2 || preview.Moved() != 2 || preview.Replaces {
				t.Fatalf("preview %+v", preview)
			}
			if again := must(dbA.ApplicationIn(ctx, accepted.ID, "")); !again.Due.Provisional() {
				t.Fatal("the preview changed the application")
			}

			adminUser := must(dbA.CreateUser(ctx, auth.User{Login: "admin", Name: "管理员", Role: auth.RoleAdmin, PasswordHash: "x"}))
			admin := casework.Actor{UserID: adminUser.ID, Role: auth.RoleAdmin, IP: "192.0.2.1"}
			done := must(a.ImportHolidayYear(ctx, admin, y))
			if len(done.Recounts) != 2 || done.Moved() != 2 {
				t.Fatalf("import %+v", done)
			}
			// The other instance sees the year at its next look, with no
			// restart.
			if !must(b.Calendar(ctx)).Has(2027) {
				t.Fatal("the other instance does not see 2027")
			}
			// 元旦 2027-01-01 is off in the imported year: one day later.
			got := must(dbB.ApplicationIn(ctx, accepted.ID, ""))
			if got.Due.Date != day("2027-01-13") || got.Due.Provisional() || got.Version != accepted.Version+1 {
				t.Fatalf("recounted decision deadline %+v (version %d)", got.Due, got.Version)
			}
			if got := must(dbB.ApplicationIn(ctx, correcting.ID, "")); got.CorrectionDue.Date != day("2027-01-06") || got.CorrectionDue.Provisional() {
				t.Fatalf("recounted 补正期限 %+v", got.CorrectionDue)
			}
			if got := must(dbB.ApplicationIn(ctx, untouched.ID, "")); got.Due.Date != final.Date || got.Version != untouched.Version {
				t.Fatalf("a final deadline was touched: %+v", got)
			}
			if got := must(dbB.ApplicationIn(ctx, closed.ID, "")); !got.Due.Provisional() {
				t.Fatalf("a closed case was recounted: %+v", got.Due)
			}
			if left := must(dbB.ProvisionalDeadlines(ctx)); len(left) != 0 {
				t.Fatalf("%d provisional deadlines left", len(left))
			}

			events := must(dbB.Events(ctx, accepted.ID))
			last := events[len(events)-1]
			if last.Action != "recompute_deadline" || last.ActorID != adminUser.ID || last.From != "accepted" || last.To != "accepted" ||
				last.Note != "已导入2027年节假日安排（测试用虚构安排（非国务院办公厅通知））：法定期限由 2027年01月12日（暂定） 确定为 2027年01月13日" {
				t.Fatalf("history line %+v", last)
			}

			entries := must(dbB.AuditEntriesFrom(ctx, 1, 100))
			var lines []string
			for _, e := range entries {
				lines = append(lines, e.Action+" "+e.Subject)
			}
			want := fmt.Sprintf("import_holiday_year holiday_year:2027,recompute_deadline application:%d,recompute_deadline application:%d", accepted.ID, correcting.ID)
			if strings.Join(lines, ",") != want {
				t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(lines, ","), want)
			}
			if !strings.Contains(entries[1].Before, "2027-01-12(assumed 2027)") || !strings.Contains(entries[1].After, "due=2027-01-13") {
				t.Fatalf("audit of the recount: %+v", entries[1])
			}
			if _, _, err := dbB.VerifyAudit(ctx, ""); err != nil {
				t.Fatal(err)
			}

			msgs := must(dbB.RecentOutbox(ctx, "13900000001", 5))
			if len(msgs) != 1 || msgs[0].Topic != "deadline_changed" ||
				msgs[0].Body != "【特种设备作业人员资格认定】国务院办公厅已公布节假日安排，您的申请（申请号 "+accepted.Number+"）的许可决定期限调整为2027年01月13日。" {
				t.Fatalf("SMS to the accepted case's applicant: %+v", msgs)
			}
			msgs = must(dbB.RecentOutbox(ctx, "13900000002", 5))
			if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "的补正期限调整为2027年01月06日") {
				t.Fatalf("SMS to the correcting applicant: %+v", msgs)
			}
			if msgs := must(dbB.RecentOutbox(ctx, "13900000003", 5)); len(msgs) != 0 {
				t.Fatalf("SMS to an applicant whose date did not move: %+v", msgs)
			}

			years := must(b.CalendarOverview(ctx))
			if years.Years[0].Year != 2027 || years.Years[0].Embedded || years.Years[0].ImportedBy != fmt.Sprintf("admin:%d", adminUser.ID) || years.Provisional != 0 || len(years.Awaited) != 0 {
				t.Fatalf("overview %+v", years.Years[0])
			}
		})
	}
}

// Before 1 November nothing is asked for; from then on, while the next year
// is missing, officers and admins are asked for it.
func TestAwaitedYearsFollowTheImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if got := must(service(t, db, "2026-10-31").AwaitedYears(ctx)); len(got) != 0 {
			t.Fatalf("awaited on 10-31: %v", got)
		}
		s := service(t, db, "2026-11-01")
		if got := must(s.AwaitedYears(ctx)); fmt.Sprint(got) != "[2027]" {
			t.Fatalf("awaited on 11-01: %v", got)
		}
		must(s.ImportHolidayYear(ctx, casework.Actor{Role: "cli"}, must(workday.ParseYearData(testfixture.Fictional2027))))
		if got := must(s.AwaitedYears(ctx)); len(got) != 0 {
			t.Fatalf("awaited after the import: %v", got)
		}
	})
}

// The typed form: every wrong field at once, at its field, in Chinese.
func TestHolidayYearForm(t *testing.T) {
	_, err := casework.HolidayYearForm{Holidays: "2027-13-01 元旦", Workdays: "2027-01-04 元旦"}.Parse()
	fields := map[string]string{}
	for _, e := range casework.FieldErrors(err) {
		fields[e.Field] = e.Message
	}
	if casework.ErrorCode(err) != casework.Invalid || fields["year"] == "" || fields["source"] == "" ||
		!strings.Contains(fields["holidays"], "第 1 行的日期 2027-13-01 不存在") {
		t.Fatalf("errors %v", fields)
	}
	// A 调休 day that is a weekday, and missing fixed holidays, come from
	// the year's own checks.
	_, err = casework.HolidayYearForm{Year: 2027, Source: "测试", Holidays: "2027-01-01 元旦", Workdays: "2027-01-04 元旦"}.Parse()
	msg := casework.ErrorMessage(err)
	if !strings.Contains(msg, "调休上班日 2027-01-04 是星期一") || !strings.Contains(msg, "缺少法定节假日 2027-05-01（劳动节）") {
		t.Fatalf("message %q", msg)
	}
	y, err := casework.HolidayYearForm{Year: 2027, Source: "测试", Holidays: "2027-01-01 元旦\n2027-05-01 至 2027-05-02 劳动节\n2027-10-01 至 2027-10-03 国庆节"}.Parse()
	if err != nil || len(y.Holidays) != 6 {
		t.Fatalf("good form: %+v %v", y, err)
	}
}
