package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"

	"opcert/internal/audit"
	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/idcheck"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

func applicant(t *testing.T, db *store.DB, name, id, mobile string) (int64, int64) {
	t.Helper()
	u, err := db.RegisterApplicant(ctx, person(name, id), mobile, "hash")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, u.HolderID
}

func draft(t *testing.T, db *store.DB, userID, holderID int64) store.Application {
	t.Helper()
	a, err := db.CreateDraft(ctx, store.Application{ApplicantID: userID, HolderID: holderID, Matter: "renew", AuthorityCode: "",
		Status: "draft", Step: "commitment", Data: []byte(`{"a":1}`), DraftExpiresOn: civil.MustParse("2026-12-07")})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var yes, no = true, false

func submit(db *store.DB, a store.Application, items ...store.AppItem) (store.Application, error) {
	return db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: a.ApplicantID, ActorID: a.ApplicantID, Version: a.Version,
		From: []string{"draft"}, To: "submitted", Action: "submit", AssignNumber: true, Items: items, ItemsActive: &yes,
		SMS: "已提交", SMSTopic: "submitted"})
}

func TestDraftsBelongToTheirApplicant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u1, h1 := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		u2, _ := applicant(t, db, "李四", "110105194912310038", "13900000002")
		a := draft(t, db, u1, h1)
		if _, err := db.ApplicationOf(ctx, a.ID, u2); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("other applicant: err = %v", err)
		}
		got, err := db.ApplicationOf(ctx, a.ID, u1)
		if err != nil || string(got.Data) == "" || got.Status != "draft" || got.DraftExpiresOn != civil.MustParse("2026-12-07") {
			t.Fatalf("own draft: %+v %v", got, err)
		}
		got.Data = []byte(`{"a":2}`)
		saved, err := db.SaveDraft(ctx, got, []string{"draft"})
		if err != nil || saved.Version != 2 {
			t.Fatalf("save: %+v %v", saved, err)
		}
		// A page built from version 1 cannot overwrite version 2.
		if _, err := db.SaveDraft(ctx, got, []string{"draft"}); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale save: %v", err)
		}
		stranger := saved
		stranger.ApplicantID = u2
		if _, err := db.SaveDraft(ctx, stranger, []string{"draft"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("stranger's save: %v", err)
		}
		list, _ := db.Applications(ctx, u1, nil)
		if len(list) != 1 {
			t.Fatalf("list = %d", len(list))
		}
		if list, _ := db.Applications(ctx, u2, nil); len(list) != 0 {
			t.Fatalf("other applicant sees %d applications", len(list))
		}
	})
}

func TestSubmitNumbersAndRefusesSecondActiveApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, h := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		q2 := store.AppItem{Qualification: "Q2(限流动式起重机)"}
		d := draft(t, db, u, h)
		a, err := submit(db, d, q2)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^\d{12}$`).MatchString(a.Number) || a.Status != "submitted" || a.SubmittedAt.IsZero() {
			t.Fatalf("submitted = %+v", a)
		}
		// Submitting twice (a double click) changes nothing the second time.
		if _, err := submit(db, d, q2); !errors.Is(err, store.ErrStale) {
			t.Fatalf("second submit of the same page: %v", err)
		}
		b, err := submit(db, draft(t, db, u, h), q2, store.AppItem{Qualification: "N1"})
		var conflict *store.ActiveConflict
		if !errors.As(err, &conflict) || conflict.Number != a.Number || !errors.Is(err, store.ErrActiveElsewhere) {
			t.Fatalf("second active application: %v (%+v)", err, b)
		}
		msgs, _ := db.RecentOutbox(ctx, "13900000001", 5)
		if len(msgs) != 1 {
			t.Fatalf("SMS queued = %d, want 1 (the refused submit queues nothing)", len(msgs))
		}
		// Withdrawn, the item is free again.
		if _, err := db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: u, ActorID: u, Version: a.Version, From: []string{"submitted"},
			To: "withdrawn", Action: "withdraw", ItemsActive: &no}); err != nil {
			t.Fatal(err)
		}
		if _, err := submit(db, draft(t, db, u, h), q2); err != nil {
			t.Fatalf("after withdrawal: %v", err)
		}
		ev, _ := db.Events(ctx, a.ID)
		if len(ev) != 3 || ev[1].To != "submitted" || ev[2].To != "withdrawn" {
			t.Fatalf("events = %+v", ev)
		}
	})
}

// The progress page reads the application by its token and its history in
// one statement: what it reads is what the application's own reads give.
func TestApplicationProgressByToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, h := applicant(t, db, "𠮷䶮", "11010519491231002X", "13900000001")
		a, err := submit(db, draft(t, db, u, h), store.AppItem{Qualification: "Q2(限流动式起重机)"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: u, ActorID: u, Version: a.Version, From: []string{"submitted"},
			To: "withdrawn", Action: "withdraw", ItemsActive: &no}); err != nil {
			t.Fatal(err)
		}
		want, err := db.ApplicationOf(ctx, a.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		wantEvents, err := db.Events(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, events, err := db.ApplicationProgress(ctx, want.PublicToken)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("application by token\n got %+v\nwant %+v", got, want)
		}
		if !reflect.DeepEqual(events, wantEvents) || len(events) != 3 {
			t.Errorf("history by token\n got %+v\nwant %+v", events, wantEvents)
		}
		for _, token := range []string{"", "0123456789abcdef0123456789abcdef", want.PublicToken + "0"} {
			if _, _, err := db.ApplicationProgress(ctx, token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("token %q: %v, want not found", token, err)
			}
		}
	})
}

func TestExpiredDraftsDeletedWithTheirFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, h := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		old := draft(t, db, u, h)
		if _, err := db.AddMaterial(ctx, store.Material{ApplicationID: old.ID, Material: "form", BlobKey: "applications/x/1.pdf", Filename: "申请表.pdf", ContentType: "application/pdf", Size: 10, SHA256: "x"}); err != nil {
			t.Fatal(err)
		}
		kept, _ := db.CreateDraft(ctx, store.Application{ApplicantID: u, HolderID: h, Matter: "new", Status: "draft", Step: "commitment", Data: []byte(`{}`), DraftExpiresOn: civil.MustParse("2026-12-20")})
		gone, err := db.DeleteExpiredDrafts(ctx, civil.MustParse("2026-12-08"), func(d store.ExpiredDraft) string { return "删除" + d.Matter })
		if err != nil {
			t.Fatal(err)
		}
		if len(gone) != 1 || gone[0].ID != old.ID || len(gone[0].BlobKeys) != 1 || gone[0].BlobKeys[0] != "applications/x/1.pdf" {
			t.Fatalf("deleted = %+v", gone)
		}
		if _, err := db.ApplicationOf(ctx, old.ID, u); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired draft still there: %v", err)
		}
		if _, err := db.ApplicationOf(ctx, kept.ID, u); err != nil {
			t.Fatalf("live draft deleted: %v", err)
		}
		if ms, _ := db.Materials(ctx, old.ID); len(ms) != 0 {
			t.Fatalf("materials of deleted draft remain: %d", len(ms))
		}
	})
}

func TestPassedExamResults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, h := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		db.AddExamResult(ctx, store.ExamResult{HolderID: h, Qualification: "金属焊接操作", WeldCode: "SMAW-FeⅡ-1G-12-Fef3J", ExamDate: civil.MustParse("2026-10-10"), Passed: true, Institution: "上海市特种设备考试中心"})
		db.AddExamResult(ctx, store.ExamResult{HolderID: h, Qualification: "金属焊接操作", WeldCode: "GTAW-FeⅣ-6G-3/57-FefS-02/10/12", ExamDate: civil.MustParse("2026-10-11"), Passed: false, Institution: "上海市特种设备考试中心"})
		rs, err := db.PassedExamResults(ctx, h)
		if err != nil || len(rs) != 1 || rs[0].WeldCode != "SMAW-FeⅡ-1G-12-Fef3J" {
			t.Fatalf("results = %+v %v", rs, err)
		}
	})
}

// Submissions at once get the day's numbers 1…n, each once, whatever
// order their transactions commit in, and a refused submission takes none.
func TestSubmitNumbersDenseAndUniqueUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 24
		q2 := store.AppItem{Qualification: "Q2(限流动式起重机)"}
		drafts := make([]store.Application, n)
		for i := range drafts {
			id := fmt.Sprintf("3101041980010%04d", i)
			check, _ := idcheck.ResidentIDCheckChar(id[:17])
			u, h := applicant(t, db, "申请人", id[:17]+string(check), fmt.Sprintf("139%08d", i))
			drafts[i] = draft(t, db, u, h)
		}
		// One more for the first applicant: refused, its item is taken.
		refused := draft(t, db, drafts[0].ApplicantID, drafts[0].HolderID)
		all := append(drafts, refused)
		numbers := make([]string, n+1)
		errs := make([]error, n+1)
		var wg sync.WaitGroup
		for i := range all {
			wg.Go(func() {
				a, err := submit(db, all[i], q2)
				numbers[i], errs[i] = a.Number, err
				if err == nil && a.PublicToken == "" {
					errs[i] = fmt.Errorf("application %d has no public token", a.ID)
				}
			})
		}
		wg.Wait()
		// Of the first applicant's two applications for Q2, one is refused.
		got := map[string]bool{}
		refusals := 0
		for i, err := range errs {
			switch {
			case errors.Is(err, store.ErrActiveElsewhere) && (i == 0 || i == n):
				refusals++
			case err != nil:
				t.Fatalf("submit %d: %v", i, err)
			default:
				got[numbers[i]] = true
			}
		}
		if refusals != 1 {
			t.Fatalf("%d of the first applicant's two applications refused, want 1", refusals)
		}
		day := civil.Of(time.Now())
		for k := 1; k <= n; k++ {
			want := fmt.Sprintf("%02d%02d%02d%06d", day.Year%100, day.Month, day.Day, k)
			if !got[want] {
				t.Errorf("number %s missing; got %v", want, got)
			}
		}
		if len(got) != n {
			t.Errorf("%d numbers for %d submissions: %v", len(got), n, got)
		}
	})
}

// Many people scanning QR codes at once on an instance that has not read
// the data keys yet (just started, or another instance made a new key) all
// get their page: reading the keys never waits for a connection that the
// readers waiting for the keys hold.
func TestApplicationProgressReadsKeysUnderLoad(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			a, b := storetest.Pair(t, d)
			u, h := applicant(t, a, "𠮷䶮", "11010519491231002X", "13900000001")
			first, err := submit(a, draft(t, a, u, h), store.AppItem{Qualification: "Q2(限流动式起重机)"})
			if err != nil {
				t.Fatal(err)
			}
			progressAtOnce(t, b, first.PublicToken)

			// A key made on the other instance: b meets it in the form of
			// an application sealed after it.
			if _, err := a.RotateDataKey(ctx, audit.Entry{ActorID: u}); err != nil {
				t.Fatal(err)
			}
			u2, h2 := applicant(t, a, "李四", "110105194912310038", "13900000002")
			second, err := submit(a, draft(t, a, u2, h2), store.AppItem{Qualification: "Q2(限流动式起重机)"})
			if err != nil {
				t.Fatal(err)
			}
			progressAtOnce(t, b, second.PublicToken)
		})
	}
}

// progressAtOnce reads the progress of token from more goroutines than
// either engine's pool has connections. A deadlock ends at the deadline as
// an error instead of hanging the suite.
func progressAtOnce(t *testing.T, db *store.DB, token string) {
	t.Helper()
	deadline, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	const readers = 64
	start := make(chan struct{})
	errs := make(chan error, readers)
	for range readers {
		go func() {
			<-start
			_, _, err := db.ApplicationProgress(deadline, token)
			errs <- err
		}()
	}
	close(start)
	for range readers {
		if err := <-errs; err != nil {
			t.Fatalf("progress read with the keys unread: %v", err)
		}
	}
}

// A change writes the days and the 审批意见 it sets and leaves those of the
// earlier changes as they were: the dashboard counts the working days from
// arrival to 受理 and to the decision from them.
func TestTransitionsKeepTheDaysOfEarlierSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.PutAuthorities(ctx, authority.Shanghai(catalog.Default())); err != nil {
			t.Fatal(err)
		}
		u, h := applicant(t, db, "𠮷䶮", "11010519491231002X", "13900000001")
		d := draft(t, db, u, h)
		a, err := db.Apply(ctx, store.Transition{ID: d.ID, ApplicantID: u, ActorID: u, Version: d.Version, From: []string{"draft"},
			To: "submitted", Action: "submit", AssignNumber: true, SetAuthority: "310104"})
		if err != nil {
			t.Fatal(err)
		}
		accepted, decided := civil.MustParse("2026-12-04"), civil.MustParse("2026-12-18")
		a, err = db.Apply(ctx, store.Transition{ID: a.ID, Version: a.Version, From: []string{"submitted"}, To: "accepted", Action: "accept", AcceptedOn: accepted})
		if err != nil {
			t.Fatal(err)
		}
		a, err = db.Apply(ctx, store.Transition{ID: a.ID, Version: a.Version, From: []string{"accepted"}, To: "reviewed", Action: "review",
			DecidedOn: decided, DecisionOpinion: "准予许可"})
		if err != nil {
			t.Fatal(err)
		}
		// A later step that sets none of them.
		a, err = db.Apply(ctx, store.Transition{ID: a.ID, Version: a.Version, From: []string{"reviewed"}, To: "completed", Action: "complete"})
		if err != nil {
			t.Fatal(err)
		}
		if a.AuthorityCode != "310104" || a.AcceptedOn != accepted || a.DecidedOn != decided || a.DecisionOpinion != "准予许可" || a.SubmittedAt.IsZero() {
			t.Fatalf("after the last step: authority %q, accepted %v, decided %v, opinion %q, submitted %v",
				a.AuthorityCode, a.AcceptedOn, a.DecidedOn, a.DecisionOpinion, a.SubmittedAt)
		}
		counts, err := db.Dashboard(ctx, store.DashboardQuery{Authority: "310104", Today: decided, WeekEnd: decided, Since: civil.MustParse("2026-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 1 || counts[0].Submitted != 1 || len(counts[0].ToAcceptance) != 1 || counts[0].ToAcceptance[0].To != accepted ||
			counts[0].ToAcceptance[0].From.IsZero() {
			t.Fatalf("dashboard = %+v (the day of arrival must be written at 提交)", counts)
		}
	})
}

// 提交 counts on the files it found uploaded; one deleted meanwhile (from
// another tab) stops it, and nothing of the submission is written.
func TestSubmitRefusedWhenARequiredFileWentMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, h := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		d := draft(t, db, u, h)
		var scan store.Material
		for _, key := range []string{"photo", "scan"} {
			m, err := db.AddMaterial(ctx, store.Material{ApplicationID: d.ID, Material: key, BlobKey: "applications/x/" + key + ".pdf",
				Filename: key + ".pdf", ContentType: "application/pdf", Size: 10, SHA256: "x"})
			if err != nil {
				t.Fatal(err)
			}
			scan = m
		}
		submitWith := func(required ...string) (store.Application, error) {
			return db.Apply(ctx, store.Transition{ID: d.ID, ApplicantID: u, ActorID: u, Version: d.Version, From: []string{"draft"},
				To: "submitted", Action: "submit", AssignNumber: true, RequireMaterials: required, SMS: "已提交", SMSTopic: "submitted"})
		}
		if _, err := db.DeleteMaterial(ctx, d.ID, scan.ID); err != nil {
			t.Fatal(err)
		}
		for _, required := range [][]string{{"photo", "scan"}, {"scan"}, {"photo", "scan", "photo"}} {
			if _, err := submitWith(required...); !errors.Is(err, store.ErrMaterialsChanged) {
				t.Fatalf("required %v with the scan deleted: %v, want ErrMaterialsChanged", required, err)
			}
		}
		got, err := db.ApplicationOf(ctx, d.ID, u)
		if err != nil || got.Status != "draft" || got.Version != d.Version || got.Number != "" {
			t.Fatalf("after the refusals: %+v %v", got, err)
		}
		if msgs, _ := db.RecentOutbox(ctx, "13900000001", 5); len(msgs) != 0 {
			t.Fatalf("refused submissions queued %d SMS", len(msgs))
		}
		if _, err := submitWith("photo", "photo"); err != nil {
			t.Fatalf("required the photo, which is there: %v", err)
		}
	})
}

// The day's sequence is six digits, and more past 999 999 rather than cut
// short: both engines write the same 申请号.
func TestApplicationNumberPastSixDigits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, h := applicant(t, db, "张三", "11010519491231002X", "13900000001")
		a, err := submit(db, draft(t, db, u, h))
		if err != nil {
			t.Fatal(err)
		}
		day := civil.Of(time.Now())
		prefix := fmt.Sprintf("%02d%02d%02d", day.Year%100, day.Month, day.Day)
		if a.Number != prefix+"000001" {
			t.Fatalf("first number of the day = %q, want %s000001", a.Number, prefix)
		}
		if _, err := store.RawWriter(db).ExecContext(ctx, `UPDATE counters SET value = 999999 WHERE name = $1`, "application:"+day.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Apply(ctx, store.Transition{ID: a.ID, ApplicantID: u, ActorID: u, Version: a.Version, From: []string{"submitted"},
			To: "withdrawn", Action: "withdraw", ItemsActive: &no}); err != nil {
			t.Fatal(err)
		}
		b, err := submit(db, draft(t, db, u, h))
		if err != nil {
			t.Fatal(err)
		}
		if b.Number != prefix+"1000000" {
			t.Fatalf("number after 999999 = %q, want %s1000000", b.Number, prefix)
		}
		msgs, err := db.RecentOutbox(ctx, "13900000001", 5)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("SMS queued = %d %v, want one per submission", len(msgs), err)
		}
	})
}
