package store_test

import (
	"errors"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/civil"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// waitingForExam is an application accepted for its exam (受理（待考试）).
func waitingForExam(t *testing.T, db *store.DB, name, id, mobile string) store.Application {
	t.Helper()
	u, h := applicant(t, db, name, id, mobile)
	a, err := submit(db, draft(t, db, u, h), store.AppItem{Qualification: "P"})
	if err != nil {
		t.Fatal(err)
	}
	a, err = db.Apply(ctx, store.Transition{ID: a.ID, ActorID: 0, Version: a.Version, From: []string{"submitted"}, To: "examining", Action: "accept_for_exam",
		AcceptedOn: civil.MustParse("2026-11-20")})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func institution(t *testing.T, db *store.DB, name string) store.ExamInstitution {
	t.Helper()
	if err := db.PutExamInstitution(ctx, store.ExamInstitution{Name: name, Items: []string{"A", "P"}}); err != nil {
		t.Fatal(err)
	}
	list, err := db.ExamInstitutions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("institution %s not stored", name)
	return store.ExamInstitution{}
}

func seat(app int64, subject string, session int64, n, wait int) store.SeatPlace {
	return store.SeatPlace{Seat: store.ExamSeat{ApplicationID: app, Subject: subject, Attempt: 1, SessionID: session, Seat: n, Waitlist: wait}, Action: "exam_seat", Note: "安排"}
}

func TestExamSessionsAndSeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		inst := institution(t, db, "考试中心")
		other := institution(t, db, "另一考试中心")
		staff, err := db.CreateUser(ctx, auth.User{Login: "exam1", Name: "考务", Role: auth.RoleExaminer, PasswordHash: "h", InstitutionID: inst.ID})
		if err != nil {
			t.Fatal(err)
		}
		if u, err := db.UserByLogin(ctx, "exam1"); err != nil || u.InstitutionID != inst.ID {
			t.Fatalf("examiner's institution: %+v %v", u, err)
		}
		if _, err := db.CreateUser(ctx, auth.User{Login: "exam2", Name: "考务", Role: auth.RoleExaminer, PasswordHash: "h"}); err == nil {
			t.Fatal("an examiner without an institution was stored")
		}
		who := audit.Entry{ActorID: staff.ID, ActorRole: "examiner", Action: "add_exam_session"}
		s1, err := db.AddExamSession(ctx, store.ExamSession{InstitutionID: inst.ID, Items: []string{"A", "P"}, Subject: "theory", Date: civil.MustParse("2026-12-05"),
			Start: "09:00", End: "11:00", Venue: "第一考场", Capacity: 1, CreatedBy: staff.ID}, who)
		if err != nil {
			t.Fatal(err)
		}
		s0, err := db.AddExamSession(ctx, store.ExamSession{InstitutionID: inst.ID, Items: []string{"P"}, Subject: "practical", Date: civil.MustParse("2026-12-01"),
			Start: "13:00", End: "15:00", Venue: "实操考场", Capacity: 2, CreatedBy: staff.ID}, who)
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := db.AddExamSession(ctx, store.ExamSession{InstitutionID: other.ID, Items: []string{"P"}, Subject: "theory", Date: civil.MustParse("2026-12-05"),
			Start: "09:00", End: "11:00", Venue: "别处", Capacity: 9}, who)
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.ExamSessions(ctx, inst.ID)
		if err != nil || len(list) != 2 || list[0].ID != s0.ID || list[1].Items[1] != "P" || list[1].Date != civil.MustParse("2026-12-05") || list[1].Start != "09:00" {
			t.Fatalf("sessions by date: %+v %v", list, err)
		}

		a := waitingForExam(t, db, "张三", "11010519491231002X", "13900000001")
		b := waitingForExam(t, db, "李四", "110105194912310038", "13900000002")
		if w, err := db.ExamWaiting(ctx); err != nil || len(w) != 2 {
			t.Fatalf("waiting: %d %v", len(w), err)
		}
		ticket := &store.Notice{Kind: "admission.pdf", Title: "准考证", Number: "ZK" + a.Number, Data: []byte(`{}`)}
		err = db.ArrangeExams(ctx, inst.ID, staff.ID, []store.SeatingChange{
			{ApplicationID: a.ID, Places: []store.SeatPlace{seat(a.ID, "theory", s1.ID, 1, 0), seat(a.ID, "practical", s0.ID, 1, 0)}, Ticket: ticket, SMSTopic: "exam_scheduled", SMS: "已安排考试"},
			{ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "theory", s1.ID, 0, 1)}, SMSTopic: "exam_waitlisted", SMS: "已列入候补"},
		}, &who)
		if err != nil {
			t.Fatal(err)
		}
		seats, _ := db.ExamSeats(ctx, inst.ID)
		if len(seats) != 3 {
			t.Fatalf("seats %+v", seats)
		}
		if n, err := db.NoticeOf(ctx, a.ID, "admission.pdf"); err != nil || n.EventID == 0 || n.Number != "ZK"+a.Number {
			t.Fatalf("准考证: %+v %v", n, err)
		}
		if msgs, _ := db.RecentOutbox(ctx, "13900000002", 1); len(msgs) != 1 || msgs[0].Topic != "exam_waitlisted" {
			t.Fatalf("SMS %+v", msgs)
		}
		if ev, _ := db.Events(ctx, a.ID); ev[len(ev)-1].Action != "exam_seat" || ev[len(ev)-1].To != "examining" {
			t.Fatalf("history %+v", ev)
		}

		// A seat already taken, a place over capacity, a session of another
		// institution: nothing is written.
		for name, ch := range map[string]store.SeatingChange{
			"taken":             {ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "practical", s0.ID, 1, 0)}, SMS: "x"},
			"over capacity":     {ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "practical", s0.ID, 3, 0)}, SMS: "x"},
			"same waitlist row": {ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "practical", s1.ID, 0, 1)}, SMS: "x"},
		} {
			if err := db.ArrangeExams(ctx, inst.ID, staff.ID, []store.SeatingChange{ch}, nil); !errors.Is(err, store.ErrSeatTaken) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if err := db.ArrangeExams(ctx, inst.ID, staff.ID, []store.SeatingChange{{ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "theory", foreign.ID, 1, 0)}}}, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another institution's session: %v", err)
		}
		if got, _ := db.ExamSeatsOf(ctx, b.ID); len(got) != 1 || got[0].Waitlist != 1 {
			t.Fatalf("a refused arrangement changed b's places: %+v", got)
		}

		// One arrangement moves a away and gives b its seat: the seat is
		// freed before it is taken.
		err = db.ArrangeExams(ctx, inst.ID, staff.ID, []store.SeatingChange{
			{ApplicationID: a.ID, Places: []store.SeatPlace{seat(a.ID, "theory", foreign.ID, 0, 0)}},
		}, nil)
		if err == nil {
			t.Fatal("a place in another institution's session was written")
		}
		s2, _ := db.AddExamSession(ctx, store.ExamSession{InstitutionID: inst.ID, Items: []string{"P"}, Subject: "theory", Date: civil.MustParse("2026-12-12"),
			Start: "09:00", End: "11:00", Venue: "第二考场", Capacity: 5}, who)
		err = db.ArrangeExams(ctx, inst.ID, staff.ID, []store.SeatingChange{
			{ApplicationID: a.ID, Places: []store.SeatPlace{seat(a.ID, "theory", s2.ID, 1, 0)}},
			{ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "theory", s1.ID, 1, 0)}},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ExamSeatsOf(ctx, b.ID); len(got) != 1 || got[0].Seat != 1 || got[0].SessionID != s1.ID {
			t.Fatalf("b after the move: %+v", got)
		}
		if got, _ := db.ExamSessionsOf(ctx, a.ID); len(got) != 2 {
			t.Fatalf("a's sessions: %+v", got)
		}

		// Once scored or decided, an application is not arranged any more.
		b2, _ := db.ApplicationIn(ctx, b.ID, "")
		if _, err := db.Apply(ctx, store.Transition{ID: b.ID, Version: b2.Version, From: []string{"examining"}, To: "accepted", Action: "record_exam"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ArrangeExams(ctx, inst.ID, staff.ID, []store.SeatingChange{{ApplicationID: b.ID, Places: []store.SeatPlace{seat(b.ID, "practical", s0.ID, 2, 0)}}}, nil); !errors.Is(err, store.ErrNotWaiting) {
			t.Fatalf("arranged after the score: %v", err)
		}
	})
}

// Two staff seating two candidates in the same seat at once: one wins, the
// other is told the seat was taken, on both engines.
func TestArrangeExamsConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		inst := institution(t, db, "考试中心")
		s, err := db.AddExamSession(ctx, store.ExamSession{InstitutionID: inst.ID, Items: []string{"P"}, Subject: "theory", Date: civil.MustParse("2026-12-05"),
			Start: "09:00", End: "11:00", Venue: "第一考场", Capacity: 1}, audit.Entry{Action: "add_exam_session"})
		if err != nil {
			t.Fatal(err)
		}
		apps := []store.Application{
			waitingForExam(t, db, "张三", "11010519491231002X", "13900000001"),
			waitingForExam(t, db, "李四", "110105194912310038", "13900000002"),
		}
		errs := make(chan error, len(apps))
		for _, a := range apps {
			go func() {
				errs <- db.ArrangeExams(ctx, inst.ID, 0, []store.SeatingChange{{ApplicationID: a.ID, Places: []store.SeatPlace{seat(a.ID, "theory", s.ID, 1, 0)}, SMS: "已安排", SMSTopic: "exam_scheduled"}}, nil)
			}()
		}
		var taken, ok int
		for range apps {
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrSeatTaken):
				taken++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || taken != 1 {
			t.Fatalf("%d seated, %d refused", ok, taken)
		}
		if seats, _ := db.ExamSeats(ctx, inst.ID); len(seats) != 1 {
			t.Fatalf("seats %+v", seats)
		}
	})
}
