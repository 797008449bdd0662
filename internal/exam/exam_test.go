package exam

import (
	"fmt"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/civil"
)

var (
	today  = civil.MustParse("2026-11-23")
	policy = application.ShanghaiPolicy()
	// The demo city institution's items (demo.examInstitutions).
	city = []catalog.NewCode{"A", "G1", "G2", "G3", "R1", "R2", "P", "T", "Q1", "Q2", "Y1", "Y2", "N1", "N2", "金属焊接操作", "非金属焊接操作"}
)

func q(s string) catalog.Qualification {
	v, err := catalog.ParseQualification(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestNewSession(t *testing.T) {
	good := SessionInput{Items: []string{"P"}, Subject: "theory", Date: "2026-12-05", Start: "09:00", End: "11:00", Venue: "上海市普陀区某路1号 第一考场", Capacity: "30"}
	s, ps := NewSession(good, city, today, nil)
	if len(ps) > 0 || s.Capacity != 30 || s.Start != 9*60 || s.End != 11*60 || s.Date != civil.MustParse("2026-12-05") || s.When() != "2026年12月05日 09:00–11:00" {
		t.Fatalf("good session: %+v %v", s, ps)
	}
	with := func(f func(*SessionInput)) SessionInput { in := good; f(&in); return in }
	for _, tc := range []struct {
		rule, field, msg string
		in               SessionInput
		examined         []catalog.NewCode
	}{
		{"items are required", "items", "请选择考试项目", with(func(in *SessionInput) { in.Items = nil }), city},
		{"only items the institution examines", "items", "“Q2”不是本机构在此安排考试的项目", with(func(in *SessionInput) { in.Items = []string{"Q2"} }), []catalog.NewCode{"P"}},
		{"seed 000 2.1 注2: R3 is arranged by its institution, no 准考证", "items", "“R3”不是本机构在此安排考试的项目", with(func(in *SessionInput) { in.Items = []string{"R3"} }), []catalog.NewCode{"R3"}},
		{"seed 000 2.1 注3: 安全阀校验 by the chosen institution", "items", "“F”不是本机构在此安排考试的项目", with(func(in *SessionInput) { in.Items = []string{"F"} }), []catalog.NewCode{"F"}},
		{"welding sessions only where welding is examined", "items", "“金属焊接操作”不是本机构在此安排考试的项目", with(func(in *SessionInput) { in.Items = []string{"金属焊接操作"} }), []catalog.NewCode{"P"}},
		{"a subject is required", "subject", "请选择理论知识考试或实际操作技能考试", with(func(in *SessionInput) { in.Subject = "oral" }), city},
		{"SOURCES §3 (S11): A has no practical exam", "subject", "特种设备安全管理（A）只考理论知识，不设实际操作技能考试", with(func(in *SessionInput) { in.Items, in.Subject = []string{"A"}, "practical" }), city},
		{"a date is required", "date", "请填写考试日期", with(func(in *SessionInput) { in.Date = "" }), city},
		{"the date as a date", "date", "考试日期格式应为 2026-12-05", with(func(in *SessionInput) { in.Date = "12月5日" }), city},
		{"not in the past", "date", "考试日期不能早于今天（2026年11月23日）", with(func(in *SessionInput) { in.Date = "2026-11-22" }), city},
		{"start time", "start", "请按 09:00 的格式填写开始时间", with(func(in *SessionInput) { in.Start = "9点" }), city},
		{"end after start", "end", "结束时间应晚于开始时间", with(func(in *SessionInput) { in.End = "09:00" }), city},
		{"a venue", "venue", "请填写考场地址", with(func(in *SessionInput) { in.Venue = "  " }), city},
		{"capacity at least 1", "capacity", "容量应为 1 到 500 之间的整数", with(func(in *SessionInput) { in.Capacity = "0" }), city},
		{"capacity bounded", "capacity", "容量应为 1 到 500 之间的整数", with(func(in *SessionInput) { in.Capacity = "3000" }), city},
	} {
		_, ps := NewSession(tc.in, tc.examined, today, nil)
		if len(ps) != 1 || ps[0].Field != tc.field || ps[0].Message != tc.msg {
			t.Errorf("%s: %+v", tc.rule, ps)
		}
	}
	// A session of today is allowed (scores are entered once it is held).
	if _, ps := NewSession(with(func(in *SessionInput) { in.Date = today.String() }), city, today, nil); len(ps) > 0 {
		t.Errorf("session today: %v", ps)
	}
	if c, ok := ParseClock("9:30"); !ok || c.String() != "09:30" {
		t.Errorf("ParseClock(9:30) = %v %v", c, ok)
	}
}

func failed(theory, practical int, on string) application.ExamResult {
	return application.ExamResult{Theory: theory, Practical: practical, ExamDate: civil.MustParse(on)}
}

// The subjects still to sit follow the pass mark and the one 补考 of
// application.ExamVerdict (SOURCES.md §3, S11; DESIGN.md).
func TestNeeded(t *testing.T) {
	passed := application.ExamResult{Theory: 80, Practical: 80, Passed: true}
	for _, tc := range []struct {
		rule     string
		items    string
		attempts []application.ExamResult
		want     string
	}{
		{"first exam: both subjects", "P", nil, "[theory practical]"},
		{"A: theory only", "A", nil, "[theory]"},
		{"practical failed: its 补考 only", "P", []application.ExamResult{failed(80, 60, "2026-12-01")}, "[practical]"},
		{"theory failed: its 补考 only", "N1", []application.ExamResult{failed(50, 90, "2026-12-01")}, "[theory]"},
		{"both failed: no 补考", "P", []application.ExamResult{failed(50, 60, "2026-12-01")}, "[]"},
		{"the 补考 failed: no second", "P", []application.ExamResult{failed(80, 60, "2026-12-01"), failed(80, 65, "2026-12-08")}, "[]"},
		{"A failed: A has no 补考", "A", []application.ExamResult{failed(60, 0, "2026-12-01")}, "[]"},
		{"passed: nothing more", "P", []application.ExamResult{passed}, "[]"},
	} {
		c := Candidate{Items: []catalog.Qualification{q(tc.items)}, Attempts: tc.attempts}
		if got := fmt.Sprint(Needed(c, policy)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.rule, got, tc.want)
		}
	}
}

// IsCandidate: 新办/增项 of general items examined by the institution
// (seed 000 2.1 注1–3).
func TestIsCandidate(t *testing.T) {
	items := func(s ...string) []catalog.Qualification {
		var out []catalog.Qualification
		for _, x := range s {
			out = append(out, q(x))
		}
		return out
	}
	for _, tc := range []struct {
		rule     string
		m        application.Matter
		items    []catalog.Qualification
		examined []catalog.NewCode
		want     bool
	}{
		{"新办 P at the city's institution", application.MatterNew, items("P"), city, true},
		{"增项 too", application.MatterAdd, items("Q2(限桥式起重机)"), city, true},
		{"复审 is not examined after 受理", application.MatterRenew, items("P"), city, false},
		{"R3: its institution notifies (注2)", application.MatterNew, items("R3"), []catalog.NewCode{"R3"}, false},
		{"客运索道: the applicant contacts the chosen institution (注3)", application.MatterNew, items("S1"), []catalog.NewCode{"S1", "S2"}, false},
		{"an institution that does not examine every item", application.MatterNew, items("P", "N1"), []catalog.NewCode{"P"}, false},
	} {
		if got := IsCandidate(tc.m, tc.items, tc.examined, nil); got != tc.want {
			t.Errorf("%s: %v", tc.rule, got)
		}
	}
}

func session(id int64, subject Subject, date string, start string, capacity int, items ...catalog.NewCode) Session {
	c, _ := ParseClock(start)
	return Session{ID: id, Items: items, Subject: subject, Date: civil.MustParse(date), Start: c, End: c + 120, Venue: fmt.Sprintf("考场%d", id), Capacity: capacity}
}

func cand(id int64, accepted string, item string, attempts ...application.ExamResult) Candidate {
	return Candidate{ApplicationID: id, Number: fmt.Sprintf("2611%08d", id), Items: []catalog.Qualification{q(item)}, AcceptedOn: civil.MustParse(accepted), Attempts: attempts}
}

// places renders the board as "app:subject@session#seat" or "~n" for a
// waitlist place, in the order of the moves.
func places(moves []Move) string {
	var out []string
	for _, m := range moves {
		s := fmt.Sprintf("%d:%s@%d", m.To.ApplicationID, m.To.Subject, m.To.SessionID)
		if m.To.Seated() {
			s += fmt.Sprintf("#%d", m.To.Number)
		} else {
			s += fmt.Sprintf("~%d", m.To.Waitlist)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// AutoAssign: by item, candidates in the order of 受理, sessions in date
// order, within capacity, the rest on the waitlist.
func TestAutoAssign(t *testing.T) {
	for _, tc := range []struct {
		rule       string
		sessions   []Session
		seats      []Seat
		candidates []Candidate
		want       string
	}{
		{"earliest session first, seats in order, capacity kept, then the next session",
			[]Session{session(2, Theory, "2026-12-10", "09:00", 5, "P"), session(1, Theory, "2026-12-05", "09:00", 2, "P")}, nil,
			[]Candidate{cand(1, "2026-11-20", "A"), cand(2, "2026-11-21", "A"), cand(3, "2026-11-22", "A")},
			""}, // no session examines A
		{"first come first served: 受理 order, not list order",
			[]Session{session(1, Theory, "2026-12-05", "09:00", 2, "A")}, nil,
			[]Candidate{cand(3, "2026-11-22", "A"), cand(1, "2026-11-20", "A"), cand(2, "2026-11-21", "A")},
			"1:theory@1#1 2:theory@1#2 3:theory@1~1"},
		{"a full session overflows into the next by date",
			[]Session{session(2, Theory, "2026-12-10", "09:00", 5, "A"), session(1, Theory, "2026-12-05", "09:00", 1, "A")}, nil,
			[]Candidate{cand(1, "2026-11-20", "A"), cand(2, "2026-11-21", "A")},
			"1:theory@1#1 2:theory@2#1"},
		{"both subjects for P, A theory only",
			[]Session{session(1, Theory, "2026-12-05", "09:00", 5, "A", "P"), session(2, Practical, "2026-12-05", "13:00", 5, "P")}, nil,
			[]Candidate{cand(1, "2026-11-20", "P"), cand(2, "2026-11-21", "A")},
			"1:theory@1#1 1:practical@2#1 2:theory@1#2"},
		{"a taken seat stays taken; the lowest free one is given",
			[]Session{session(1, Theory, "2026-12-05", "09:00", 3, "A")}, []Seat{{ApplicationID: 9, Subject: Theory, Attempt: 1, SessionID: 1, Number: 1}},
			[]Candidate{cand(1, "2026-11-20", "A")},
			"1:theory@1#2"},
		{"a seated candidate is not moved",
			[]Session{session(1, Theory, "2026-12-05", "09:00", 3, "A"), session(2, Theory, "2026-12-04", "09:00", 3, "A")}, []Seat{{ApplicationID: 1, Subject: Theory, Attempt: 1, SessionID: 1, Number: 1}},
			[]Candidate{cand(1, "2026-11-20", "A")},
			""},
		{"a waitlisted candidate takes a seat in a session added later",
			[]Session{session(1, Theory, "2026-12-05", "09:00", 1, "A"), session(2, Theory, "2026-12-12", "09:00", 1, "A")},
			[]Seat{{ApplicationID: 9, Subject: Theory, Attempt: 1, SessionID: 1, Number: 1}, {ApplicationID: 1, Subject: Theory, Attempt: 1, SessionID: 1, Waitlist: 1}},
			[]Candidate{cand(1, "2026-11-20", "A")},
			"1:theory@2#1"},
		{"sessions already held are not filled",
			[]Session{session(1, Theory, "2026-11-20", "09:00", 5, "A")}, nil,
			[]Candidate{cand(1, "2026-11-10", "A")},
			""},
		{"SOURCES §3 (S11): the 补考 is not on the day of the failed exam",
			[]Session{session(1, Practical, "2026-12-01", "13:00", 5, "P"), session(2, Practical, "2026-12-08", "13:00", 5, "P")}, nil,
			[]Candidate{cand(1, "2026-11-20", "P", failed(80, 60, "2026-12-01"))},
			"1:practical@2#1"},
		{"theory and practical of one candidate do not overlap",
			[]Session{session(1, Theory, "2026-12-05", "09:00", 5, "P"), session(2, Practical, "2026-12-05", "10:00", 5, "P"), session(3, Practical, "2026-12-05", "13:00", 5, "P")}, nil,
			[]Candidate{cand(1, "2026-11-20", "P")},
			"1:theory@1#1 1:practical@3#1"},
	} {
		b := &Board{Sessions: tc.sessions, Seats: tc.seats}
		if got := places(AutoAssign(b, tc.candidates, today, policy)); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.rule, got, tc.want)
		}
	}
}

// By hand: a free seat or a refusal; the seat left goes to the first on
// the waitlist.
func TestMoveTo(t *testing.T) {
	sessions := []Session{session(1, Theory, "2026-12-05", "09:00", 1, "P"), session(2, Theory, "2026-12-12", "09:00", 2, "P"), session(3, Practical, "2026-12-12", "09:00", 2, "P"),
		session(4, Theory, "2026-12-19", "09:00", 2, "N1")}
	board := func() *Board {
		return &Board{Sessions: sessions, Seats: []Seat{
			{ApplicationID: 1, Subject: Theory, Attempt: 1, SessionID: 1, Number: 1},
			{ApplicationID: 2, Subject: Theory, Attempt: 1, SessionID: 1, Waitlist: 1},
			{ApplicationID: 3, Subject: Theory, Attempt: 1, SessionID: 1, Waitlist: 2},
		}}
	}
	b := board()
	moves, pr := MoveTo(b, cand(1, "2026-11-20", "P"), 2, today, policy)
	if pr != nil || places(moves) != "1:theory@2#1 2:theory@1#1" || !moves[1].Promoted() {
		t.Fatalf("move with promotion: %s %v", places(moves), pr)
	}
	if got := Note(moves[0], b); got != "理论知识考试由 2026年12月05日 09:00–11:00 考场1 调至 2026年12月12日 09:00–11:00 考场2，座位号 1" {
		t.Errorf("note %q", got)
	}
	if got := Note(moves[1], b); got != "理论知识考试候补转为正式安排：2026年12月05日 09:00–11:00 考场1，座位号 1" {
		t.Errorf("note %q", got)
	}
	if w := b.Waiting(1); len(w) != 1 || w[0].ApplicationID != 3 {
		t.Errorf("waitlist after promotion: %+v", w)
	}
	for _, tc := range []struct {
		rule string
		c    Candidate
		to   int64
		msg  string
	}{
		{"full", cand(2, "2026-11-21", "P"), 1, "该场次已满（容量 1 人），请选择其他场次；自动安排会将考生列入候补"},
		{"already there", cand(1, "2026-11-20", "P"), 1, "该考生已安排在此场次（座位号 1）"},
		{"another item's session", cand(2, "2026-11-21", "P"), 4, "该场次不考该考生申请的项目"},
		{"no such session", cand(2, "2026-11-21", "P"), 99, "请选择考试场次"},
		{"a subject not needed in the 补考", cand(2, "2026-11-21", "P", failed(80, 60, "2026-12-01")), 2, "该考生本次无需参加理论知识考试"},
	} {
		if _, pr := MoveTo(board(), tc.c, tc.to, today, policy); pr == nil || pr.Message != tc.msg || pr.Field != "session" {
			t.Errorf("%s: %+v", tc.rule, pr)
		}
	}
}

func TestState(t *testing.T) {
	c := cand(1, "2026-11-20", "P")
	if got := State(c, policy); got != "待安排" {
		t.Errorf("new: %s", got)
	}
	c.Seats = []Seat{{Subject: Theory, Attempt: 1, Number: 3}, {Subject: Practical, Attempt: 1, Waitlist: 1}}
	if got := State(c, policy); got != "候补" {
		t.Errorf("waitlisted practical: %s", got)
	}
	c.Seats[1] = Seat{Subject: Practical, Attempt: 1, Number: 2}
	if got := State(c, policy); got != "已安排" {
		t.Errorf("seated: %s", got)
	}
	c.Attempts = []application.ExamResult{failed(80, 60, "2026-12-01")}
	if got := State(c, policy); got != "补考待安排" {
		t.Errorf("补考: %s", got)
	}
	c.Attempts = append(c.Attempts, failed(80, 60, "2026-12-08"))
	if got := State(c, policy); got != "考试不合格，不能补考" {
		t.Errorf("补考 failed: %s", got)
	}
}

func TestCheckScores(t *testing.T) {
	b := &Board{Sessions: []Session{session(1, Theory, "2026-11-20", "09:00", 5, "A", "P"), session(2, Practical, "2026-11-21", "09:00", 5, "P"), session(3, Practical, "2026-11-30", "09:00", 5, "P")}}
	p := cand(1, "2026-11-10", "P")
	p.Seats = []Seat{{ApplicationID: 1, Subject: Theory, Attempt: 1, SessionID: 1, Number: 1}, {ApplicationID: 1, Subject: Practical, Attempt: 1, SessionID: 2, Number: 1}}
	got, ps := CheckScores(p, ScoreInput{Theory: "85", Practical: " 72 "}, b, today, policy)
	if len(ps) > 0 || got != (Scores{Theory: 85, Practical: 72, Sat: civil.MustParse("2026-11-21")}) {
		t.Fatalf("P: %+v %v", got, ps)
	}
	a := cand(2, "2026-11-10", "A")
	a.Seats = []Seat{{ApplicationID: 2, Subject: Theory, Attempt: 1, SessionID: 1, Number: 2}}
	if got, ps := CheckScores(a, ScoreInput{Theory: "75"}, b, today, policy); len(ps) > 0 || got.Theory != 75 || got.Practical != 0 {
		t.Fatalf("A: %+v %v", got, ps)
	}
	// The 补考 of the practical exam: the theory score carries over.
	r := cand(3, "2026-11-10", "P", application.ExamResult{Theory: 88, Practical: 60, ExamDate: civil.MustParse("2026-11-21")})
	r.Seats = []Seat{{ApplicationID: 3, Subject: Practical, Attempt: 2, SessionID: 3, Number: 1}}
	if _, ps := CheckScores(r, ScoreInput{Practical: "80"}, b, civil.MustParse("2026-11-30"), policy); len(ps) > 0 {
		t.Fatalf("补考: %v", ps)
	}
	if got, _ := CheckScores(r, ScoreInput{Practical: "80"}, b, civil.MustParse("2026-11-30"), policy); got.Theory != 88 || got.Practical != 80 {
		t.Fatalf("补考 carries the theory score: %+v", got)
	}
	unseated := cand(4, "2026-11-10", "P")
	for _, tc := range []struct {
		rule  string
		c     Candidate
		in    ScoreInput
		on    civil.Date
		field string
		msg   string
	}{
		{"a whole number", p, ScoreInput{Theory: "八十五", Practical: "72"}, today, "theory", "请填写理论知识考试成绩（0–100 的整数）"},
		{"at most 100", p, ScoreInput{Theory: "85", Practical: "101"}, today, "practical", "请填写实际操作技能考试成绩（0–100 的整数）"},
		{"A has no practical exam", a, ScoreInput{Theory: "75", Practical: "80"}, today, "practical", "特种设备安全管理（A）只考理论知识，请勿填写实际操作技能考试成绩"},
		{"the 补考 is of the failed subject only", r, ScoreInput{Theory: "90", Practical: "80"}, civil.MustParse("2026-11-30"), "theory", "本次为补考，理论知识考试成绩沿用首次考试的 88 分，请勿填写"},
		{"after the exam only", r, ScoreInput{Practical: "80"}, civil.MustParse("2026-11-29"), "practical", "实际操作技能考试定于 2026年11月30日 举行，考试后才能录入成绩"},
		{"seated first", unseated, ScoreInput{Theory: "80", Practical: "80"}, today, "theory", "该考生尚未安排理论知识考试的考场，不能录入成绩"},
	} {
		_, ps := CheckScores(tc.c, tc.in, b, tc.on, policy)
		if len(ps) == 0 || ps[0].Field != tc.field || ps[0].Message != tc.msg {
			t.Errorf("%s: %+v", tc.rule, ps)
		}
	}
}
