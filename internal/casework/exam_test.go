package casework_test

import (
	"bytes"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/exam"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// examStaff is an exam staff account of a new institution examining items.
func examStaff(t *testing.T, db *store.DB, login, institution string, items ...string) casework.Actor {
	t.Helper()
	if err := db.PutExamInstitution(ctx, store.ExamInstitution{Name: institution, Items: items}); err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, e := range must(db.ExamInstitutions(ctx)) {
		if e.Name == institution {
			id = e.ID
		}
	}
	u := must(db.CreateUser(ctx, auth.User{Login: login, Name: login, Role: auth.RoleExaminer, PasswordHash: "x", InstitutionID: id}))
	return casework.Actor{UserID: u.ID, Role: auth.RoleExaminer, InstitutionID: id, IP: "192.0.2.9"}
}

func session(subject, date, start, end, capacity string, items ...string) casework.ExamSessionInput {
	return casework.ExamSessionInput{Items: items, Subject: subject, Date: date, Start: start, End: end, Venue: "上海市普陀区真北路1号 第一考场", Capacity: capacity}
}

// A 新办 N1 accepted for its exam (受理（待考试）) is seated by the city's
// institution, moved by hand, scored after the exam — failing the practical
// once, passing the 补考 — and reaches the officer's decision, each step in
// the application's history with the applicant told by SMS.
func TestExamArrangementToDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorldNamed(t, db, "2026-11-23", "王强")
		staff := examStaff(t, db, "exam", "上海市特种设备作业人员考试中心", "A", "N1", "P", "R3")
		elsewhere := examStaff(t, db, "exam-2", "另一考试机构", "N1")
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})

		if _, err := w.s.AddExamSession(ctx, staff, session("practical", "2026-11-20", "09:00", "08:00", "0", "A")); len(casework.FieldErrors(err)) != 4 {
			t.Fatalf("a wrong session: %v", casework.FieldErrors(err))
		}
		theory := must(w.s.AddExamSession(ctx, staff, session("theory", "2026-12-01", "09:00", "11:00", "1", "N1")))
		practical := must(w.s.AddExamSession(ctx, staff, session("practical", "2026-12-01", "13:00", "15:00", "5", "N1")))
		later := must(w.s.AddExamSession(ctx, staff, session("theory", "2026-12-03", "09:00", "11:00", "5", "N1")))

		desk := must(w.s.ExamDesk(ctx, staff))
		if len(desk.Candidates) != 1 || desk.Candidates[0].State != "待安排" || len(desk.Sessions) != 3 || desk.Institution != "上海市特种设备作业人员考试中心" {
			t.Fatalf("desk %+v", desk)
		}
		if d := must(w.s.ExamDesk(ctx, elsewhere)); len(d.Candidates) != 1 {
			t.Fatalf("another institution examining N1 sees %d candidates", len(d.Candidates))
		}
		got := must(w.s.AutoAssign(ctx, staff))
		if got != (casework.Arranged{Seated: 2}) {
			t.Fatalf("auto: %+v", got)
		}
		if m := w.lastSMS(t); m.Topic != "exam_scheduled" || !strings.Contains(m.Body, "理论知识考试 2026年12月01日 09:00–11:00 上海市普陀区真北路1号 第一考场 座位号1") ||
			!strings.Contains(m.Body, "打印准考证") {
			t.Fatalf("SMS %+v", m)
		}
		// Once seated here, the other institution no longer sees it.
		if d := must(w.s.ExamDesk(ctx, elsewhere)); len(d.Candidates) != 0 {
			t.Fatalf("seated here, still a candidate elsewhere: %+v", d.Candidates)
		}
		if _, err := w.s.ExamCandidate(ctx, elsewhere, a.ID); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another institution opens the candidate: %v", err)
		}
		// The applicant's 考试安排 and 准考证.
		view := must(w.s.ExamArrangementOf(ctx, w.applicant, a.ID))
		if !view.Show || !view.Ticket || len(view.Places) != 2 || view.Places[0].Seat != 1 || view.Places[0].Institution != "上海市特种设备作业人员考试中心" {
			t.Fatalf("applicant's view %+v", view)
		}
		pdf := must(w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAdmission, func(p string) string { return "https://x" + p }))
		if pdf.Title != "准考证" || !bytes.HasPrefix(pdf.PDF, []byte("%PDF")) {
			t.Fatalf("准考证 %q %d bytes", pdf.Title, len(pdf.PDF))
		}

		// By hand to the later theory session: recorded, a new 准考证.
		if err := w.s.MoveCandidate(ctx, staff, a.ID, theory.ID); casework.ErrorCode(err) != casework.Invalid || !strings.Contains(casework.ErrorMessage(err), "已安排在此场次") {
			t.Fatalf("move to its own session: %v", err)
		}
		if err := w.s.MoveCandidate(ctx, staff, a.ID, later.ID); err != nil {
			t.Fatal(err)
		}
		ev := must(db.Events(ctx, a.ID))
		if last := ev[len(ev)-1]; last.Action != exam.EventMoved || !strings.Contains(last.Note, "调至 2026年12月03日 09:00–11:00") {
			t.Fatalf("history %+v", last)
		}
		if n := must(w.s.Notices(ctx, w.applicant, a.ID)); n[len(n)-1].Kind != casework.NoticeAdmission {
			t.Fatalf("notices %+v", n)
		}

		// Exam staff change the application only through its scores.
		if _, err := w.s.Act(ctx, staff, a.ID, a.Version, application.ActionRecordExam, application.Input{Theory: "90", Practical: "90"}); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("examiner's Act: %v", err)
		}
		// Scores only after the exam.
		a = must(db.ApplicationIn(ctx, a.ID, ""))
		if _, err := w.s.RecordScores(ctx, staff, a.ID, a.Version, casework.ExamScores{Theory: "90", Practical: "90"}); casework.ErrorCode(err) != casework.Invalid ||
			!strings.Contains(casework.ErrorMessage(err), "考试后才能录入成绩") {
			t.Fatalf("scores before the exam: %v", err)
		}
		after := service(t, db, "2026-12-03")
		failed := must(after.RecordScores(ctx, staff, a.ID, a.Version, casework.ExamScores{Theory: "90", Practical: "60"}))
		if failed.Status != application.StatusExamining || w.lastSMS(t).Topic != "exam_failed" {
			t.Fatalf("failed practical: %s %+v", failed.Status, w.lastSMS(t))
		}
		c := must(after.ExamCandidate(ctx, staff, a.ID))
		if c.State != "补考待安排" || len(c.Needed) != 1 || c.Needed[0] != exam.Practical || c.Carried == nil || *c.Carried != exam.Theory || c.CarriedMark != 90 {
			t.Fatalf("after the failed practical: %+v", c)
		}
		retake := must(after.AddExamSession(ctx, staff, session("practical", "2026-12-10", "13:00", "15:00", "5", "N1")))
		if got := must(after.AutoAssign(ctx, staff)); got.Seated != 1 {
			t.Fatalf("补考 seated: %+v", got)
		}
		late := service(t, db, "2026-12-10")
		a = must(db.ApplicationIn(ctx, a.ID, ""))
		if _, err := late.RecordScores(ctx, staff, a.ID, a.Version, casework.ExamScores{Theory: "95", Practical: "80"}); !strings.Contains(casework.ErrorMessage(err), "沿用首次考试的 90 分") {
			t.Fatalf("theory typed in the practical 补考: %v", err)
		}
		passed := must(late.RecordScores(ctx, staff, a.ID, a.Version, casework.ExamScores{Practical: "80"}))
		if passed.Status != application.StatusAccepted || passed.Due.IsZero() || w.lastSMS(t).Topic != "exam_recorded" {
			t.Fatalf("passed: %+v", passed)
		}
		results := must(db.ExamResultsOf(ctx, a.ID))
		if len(results) != 2 || !results[1].Passed || results[1].Institution != "上海市特种设备作业人员考试中心" || results[1].ExamDate != day("2026-12-10") || results[1].Theory.Int64 != 90 {
			t.Fatalf("recorded %+v", results)
		}
		// The officer decides next; the exam staff keep a read-only view.
		cf := must(late.CaseFile(ctx, w.officer, a.ID))
		if len(cf.Actions) == 0 || cf.Actions[0] != application.ActionApprove {
			t.Fatalf("officer's actions %v", cf.Actions)
		}
		if c := must(late.ExamCandidate(ctx, staff, a.ID)); c.Waiting || c.State != "考试合格" {
			t.Fatalf("after passing: %+v", c)
		}
		if d := must(late.ExamDesk(ctx, staff)); len(d.Candidates) != 0 {
			t.Fatalf("passed, still a candidate: %+v", d.Candidates)
		}
		_, _ = retake, practical
	})
}

// R3 is examined by 中国人民解放军海军特色医学中心, which notifies the applicant:
// no session, no seat and no 准考证 from the exam system (seed 000 2.1
// 注1–2); the applicant's 考试安排 says so.
func TestNoExamArrangementForR3(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	w := newWorld(t, db, "2026-11-23")
	staff := examStaff(t, db, "exam", "中国人民解放军海军特色医学中心", "R3")
	yangpu := must(db.CreateUser(ctx, auth.User{Login: "o-yp", Name: "o-yp", Role: auth.RoleOfficer, AuthorityCode: "310110", PasswordHash: "x"}))
	a := w.act(t, w.applicant, w.newApplicationOf(t, "R3"), application.ActionSubmit, application.Input{})
	a = w.act(t, casework.Actor{UserID: yangpu.ID, Role: auth.RoleOfficer, AuthorityCode: "310110"}, a, application.ActionAcceptForExam, application.Input{})
	if a.Status != application.StatusExamining {
		t.Fatalf("R3 accepted: %s", a.Status)
	}
	if d := must(w.s.ExamDesk(ctx, staff)); len(d.Candidates) != 0 || len(d.Items) != 0 {
		t.Fatalf("R3 institution's desk: %+v", d)
	}
	if _, err := w.s.AddExamSession(ctx, staff, session("theory", "2026-12-01", "09:00", "11:00", "5", "R3")); !strings.Contains(casework.ErrorMessage(err), "不是本机构在此安排考试的项目") {
		t.Fatalf("R3 session: %v", err)
	}
	view := must(w.s.ExamArrangementOf(ctx, w.applicant, a.ID))
	if !view.Show || view.Arrangement != application.ArrangedByR3Institution || view.Ticket || len(view.Places) != 0 || !strings.Contains(view.Notice, "海军特色医学中心") {
		t.Fatalf("applicant's view %+v", view)
	}
	if _, err := w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAdmission, func(p string) string { return p }); casework.ErrorCode(err) != casework.NotFound {
		t.Fatalf("准考证 of R3: %v", err)
	}
}

// 不予许可 while 待考试 gives up the seats still to come, for the waitlist.
func TestDenialGivesUpSeats(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	w := newWorldNamed(t, db, "2026-11-23", "王强")
	staff := examStaff(t, db, "exam", "上海市特种设备作业人员考试中心", "N1")
	a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
	a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
	must(w.s.AddExamSession(ctx, staff, session("theory", "2026-12-01", "09:00", "11:00", "1", "N1")))
	must(w.s.AutoAssign(ctx, staff))
	if seats := must(db.ExamSeatsOf(ctx, a.ID)); len(seats) != 1 {
		t.Fatalf("seats %+v", seats)
	}
	a = must(db.ApplicationIn(ctx, a.ID, ""))
	w.act(t, w.officer, a, application.ActionDeny, application.Input{Reason: "申请人书面放弃考试", Opinion: "同意不予许可"})
	if seats := must(db.ExamSeatsOf(ctx, a.ID)); len(seats) != 0 {
		t.Fatalf("seats after 不予许可: %+v", seats)
	}
}

// another is a second applicant in w's database, with the same staff.
func (w *world) another(t *testing.T, name, first17, mobile string) *world {
	t.Helper()
	u := must(w.db.RegisterApplicant(ctx, registry.Holder{Name: name, IDType: registry.IDResident, IDNumber: first17 + checkChar(first17),
		Sex: "女", BirthDate: day("1985-03-02")}, mobile, "hash"))
	w2 := *w
	w2.applicant, w2.holderID, w2.mobile, w2.name = casework.Actor{UserID: u.ID, Role: auth.RoleApplicant}, u.HolderID, mobile, name
	return &w2
}

// A full session puts the later candidate on its waitlist, told by SMS and
// shown in 考试安排; when the seated one is moved away, the first waiting
// takes the seat in the same change, with its 准考证 and SMS.
func TestWaitlistMovesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := newWorldNamed(t, db, "2026-11-23", "王强")
		second := first.another(t, "李娜", "11010519850302002", "13900000078")
		staff := examStaff(t, db, "exam", "上海市特种设备作业人员考试中心", "A")
		var apps []store.Application
		for _, w := range []*world{first, second} {
			a := w.act(t, w.applicant, w.newApplicationOf(t, "A"), application.ActionSubmit, application.Input{})
			apps = append(apps, w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{}))
		}
		full := must(first.s.AddExamSession(ctx, staff, session("theory", "2026-12-01", "09:00", "11:00", "1", "A")))
		got := must(first.s.AutoAssign(ctx, staff))
		if got != (casework.Arranged{Seated: 1, Waitlisted: 1}) {
			t.Fatalf("auto: %+v", got)
		}
		if m := second.lastSMS(t); m.Topic != "exam_waitlisted" || !strings.Contains(m.Body, "候补第1位") {
			t.Fatalf("waitlist SMS %+v", m)
		}
		view := must(second.s.ExamArrangementOf(ctx, second.applicant, apps[1].ID))
		if len(view.Places) != 1 || view.Places[0].Rank != 1 || view.Places[0].Seat != 0 || view.Ticket {
			t.Fatalf("waitlisted view %+v", view)
		}
		// A theory-only A candidate has no practical exam to arrange.
		if c := must(first.s.ExamCandidate(ctx, staff, apps[0].ID)); len(c.Needed) != 1 || c.Needed[0] != exam.Theory {
			t.Fatalf("A needs %v", c.Needed)
		}
		// By hand into the full session: refused at its field.
		err := first.s.MoveCandidate(ctx, staff, apps[1].ID, full.ID)
		if casework.ErrorCode(err) != casework.Invalid || !strings.Contains(casework.ErrorMessage(err), "该场次已满（容量 1 人）") || casework.FieldErrors(err)[0].Field != "session" {
			t.Fatalf("into the full session: %v", err)
		}
		later := must(first.s.AddExamSession(ctx, staff, session("theory", "2026-12-08", "09:00", "11:00", "5", "A")))
		if err := first.s.MoveCandidate(ctx, staff, apps[0].ID, later.ID); err != nil {
			t.Fatal(err)
		}
		if m := second.lastSMS(t); m.Topic != "exam_scheduled" || !strings.Contains(m.Body, "2026年12月01日 09:00–11:00") {
			t.Fatalf("promotion SMS %+v", m)
		}
		ev := must(db.Events(ctx, apps[1].ID))
		if last := ev[len(ev)-1]; last.Action != exam.EventSeated || !strings.Contains(last.Note, "候补转为正式安排") {
			t.Fatalf("promotion history %+v", last)
		}
		if view := must(second.s.ExamArrangementOf(ctx, second.applicant, apps[1].ID)); len(view.Places) != 1 || view.Places[0].Seat != 1 || !view.Ticket {
			t.Fatalf("promoted view %+v", view)
		}
		roster := must(first.s.ExamSession(ctx, staff, full.ID))
		if len(roster.Seated) != 1 || roster.Seated[0].Name != "李娜" || len(roster.Waiting) != 0 {
			t.Fatalf("roster %+v", roster)
		}
	})
}
