package exam

import (
	"cmp"
	"fmt"
	"slices"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/civil"
)

// Candidate is an accepted 新办 or 增项 application waiting for its exam
// (the officer's 受理（待考试）, seed 000 2.1 注1), as the exam institution
// sees it.
type Candidate struct {
	ApplicationID int64
	Number        string // 申请号
	Name          string
	Items         []catalog.Qualification // the items examined
	AcceptedOn    civil.Date
	// Attempts are the scores recorded for the application, oldest first;
	// the 补考 rule counts them.
	Attempts []application.ExamResult
	// Seats are the candidate's places for the current attempt.
	Seats []Seat
}

// Seat is a candidate's place for one subject of one attempt: a seat of a
// session, or a place on its waitlist.
type Seat struct {
	ApplicationID int64
	Subject       Subject
	Attempt       int
	SessionID     int64
	Number        int // the seat, 0 while on the waitlist
	Waitlist      int // the waitlist order (lower first), 0 when seated
}

// Seated reports a seat rather than a waitlist place.
func (s Seat) Seated() bool { return s.Number > 0 }

// IsCandidate reports whether an institution examining examined sees an
// application of these items as its candidate: 新办 and 增项 are examined
// after 受理 (seed 000 2.1 注1; application.NeedsExamAfterAcceptance), the
// items are arranged here (ArrangedHere) and the institution examines them
// all.
func IsCandidate(m application.Matter, items []catalog.Qualification, examined []catalog.NewCode, cat *catalog.Catalog) bool {
	if m != application.MatterNew && m != application.MatterAdd || len(items) == 0 {
		return false
	}
	for _, q := range items {
		if !ArrangedHere(q.Code, cat) || !slices.Contains(examined, q.Code) {
			return false
		}
	}
	return true
}

// Attempt is the attempt the candidate is at: 1 for the first exam, 2 for
// the 补考.
func (c Candidate) Attempt() int { return len(c.Attempts) + 1 }

// Retake reports whether the current attempt is the 补考.
func (c Candidate) Retake() bool { return len(c.Attempts) > 0 }

// theoryOnly: A 特种设备安全管理 has the knowledge exam only (SOURCES.md §3, S11).
func theoryOnly(items []catalog.Qualification) bool {
	for _, q := range items {
		if q.Code != "A" {
			return false
		}
	}
	return len(items) > 0
}

// Needed are the subjects the candidate still has to sit: both at first
// (A: theory only); after one failed subject with a 补考 left, that subject
// alone; none once passed or with no 补考 left (application.ExamVerdict:
// both failed, a failed 补考, or A).
func Needed(c Candidate, p application.Policy) []Subject {
	n := len(c.Attempts)
	if n == 0 {
		if theoryOnly(c.Items) {
			return []Subject{Theory}
		}
		return []Subject{Theory, Practical}
	}
	last := c.Attempts[n-1]
	if last.Passed {
		return nil
	}
	out, err := application.ExamVerdict(c.Items, last.Theory, last.Practical, p, c.Attempts[:n-1])
	if err != nil || !out.Retake {
		return nil
	}
	if last.Theory < p.ExamPassMark {
		return []Subject{Theory}
	}
	return []Subject{Practical}
}

// seat is the candidate's place for a subject in the current attempt.
func (c Candidate) seat(sub Subject) (Seat, bool) {
	for _, s := range c.Seats {
		if s.Subject == sub && s.Attempt == c.Attempt() {
			return s, true
		}
	}
	return Seat{}, false
}

// Seat is the candidate's place for a subject in the current attempt.
func (c Candidate) Seat(sub Subject) (Seat, bool) { return c.seat(sub) }

// State says where the candidate stands, for the staff's list.
func State(c Candidate, p application.Policy) string {
	need := Needed(c, p)
	if len(need) == 0 {
		if n := len(c.Attempts); n > 0 && c.Attempts[n-1].Passed {
			return "考试合格"
		}
		return "考试不合格，不能补考"
	}
	seated, waiting := 0, 0
	for _, sub := range need {
		if s, ok := c.seat(sub); ok && s.Seated() {
			seated++
		} else if ok {
			waiting++
		}
	}
	prefix := ""
	if c.Retake() {
		prefix = "补考"
	}
	switch {
	case seated == len(need):
		return prefix + "已安排"
	case waiting > 0:
		return prefix + "候补"
	case seated > 0:
		return prefix + "部分安排"
	}
	return prefix + "待安排"
}

// fits says why session s cannot take the candidate for its subject, or
// nil. others are the candidate's other seats, with the sessions they are in.
func fits(c Candidate, s Session, today civil.Date, p application.Policy, others []Session) *application.Problem {
	refuse := func(msg string) *application.Problem {
		return &application.Problem{Field: "session", Label: "考试场次", Message: msg}
	}
	if !slices.Contains(Needed(c, p), s.Subject) {
		return refuse("该考生本次无需参加" + s.Subject.Label())
	}
	if !s.Examines(c.Items) {
		return refuse("该场次不考该考生申请的项目")
	}
	if s.Date.Before(today) {
		return refuse("该场次已于 " + s.Date.Chinese() + " 举行，不能再安排")
	}
	// A 补考 is not on the day of the failed exam (SOURCES.md §3, S11).
	if n := len(c.Attempts); n > 0 && !s.Date.After(c.Attempts[n-1].ExamDate) {
		return refuse("补考应安排在原考试（" + c.Attempts[n-1].ExamDate.Chinese() + "）之后，不能在同一天")
	}
	for _, o := range others {
		if o.ID != s.ID && o.Subject != s.Subject && o.overlaps(s) {
			return refuse("与该考生已安排的" + o.Subject.Label() + "（" + o.When() + "）时间冲突")
		}
	}
	return nil
}

// Move is a change of one candidate's place for one subject: From is the
// place left (nil for a first placement), To the new one.
type Move struct {
	From *Seat
	To   Seat
}

// Promoted reports the first waitlisted candidate taking a freed seat of
// the same session.
func (m Move) Promoted() bool {
	return m.From != nil && !m.From.Seated() && m.From.SessionID == m.To.SessionID
}

// Board is the occupation of an institution's sessions: every seat and
// waitlist place in them.
type Board struct {
	Sessions []Session
	Seats    []Seat
}

func (b *Board) session(id int64) (Session, bool) {
	for _, s := range b.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return Session{}, false
}

// Seated counts the seats taken in a session.
func (b *Board) Seated(id int64) int {
	n := 0
	for _, s := range b.Seats {
		if s.SessionID == id && s.Seated() {
			n++
		}
	}
	return n
}

// Waiting lists a session's waitlist in its order.
func (b *Board) Waiting(id int64) []Seat {
	var out []Seat
	for _, s := range b.Seats {
		if s.SessionID == id && !s.Seated() {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Seat) int { return cmp.Compare(a.Waitlist, b.Waitlist) })
	return out
}

// freeSeat is the lowest free seat number of a session, 0 when full.
func (b *Board) freeSeat(s Session) int {
	taken := map[int]bool{}
	for _, x := range b.Seats {
		if x.SessionID == s.ID && x.Seated() {
			taken[x.Number] = true
		}
	}
	for n := 1; n <= s.Capacity; n++ {
		if !taken[n] {
			return n
		}
	}
	return 0
}

func (b *Board) nextWaitlist(id int64) int {
	n := 0
	for _, s := range b.Seats {
		if s.SessionID == id {
			n = max(n, s.Waitlist)
		}
	}
	return n + 1
}

// put records a move on the board.
func (b *Board) put(m Move) {
	b.Seats = slices.DeleteFunc(b.Seats, func(s Seat) bool {
		return s.ApplicationID == m.To.ApplicationID && s.Subject == m.To.Subject && s.Attempt == m.To.Attempt
	})
	b.Seats = append(b.Seats, m.To)
}

// otherSessions are the sessions of a candidate's other seats on the board.
func (b *Board) otherSessions(appID int64, attempt int, sub Subject) []Session {
	var out []Session
	for _, s := range b.Seats {
		if s.ApplicationID == appID && s.Attempt == attempt && s.Subject != sub && s.Seated() {
			if x, ok := b.session(s.SessionID); ok {
				out = append(out, x)
			}
		}
	}
	return out
}

func (b *Board) placeOf(appID int64, attempt int, sub Subject) (Seat, bool) {
	for _, s := range b.Seats {
		if s.ApplicationID == appID && s.Attempt == attempt && s.Subject == sub {
			return s, true
		}
	}
	return Seat{}, false
}

// inOrder sorts sessions by day and time: assignment fills the earliest
// first.
func inOrder(list []Session) []Session {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b Session) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Start, b.Start), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// AutoAssign seats candidates for every subject they still need, first come
// first served: candidates in the order they were accepted (受理日期, then
// 申请号), each in the earliest session of the subject that examines their
// items and has a free seat. A candidate no session can seat is put on the
// waitlist of the earliest that could, and keeps that place until a seat
// frees (Leave) or a later session has room (the next AutoAssign). The
// board is updated; the moves are returned in order.
func AutoAssign(b *Board, candidates []Candidate, today civil.Date, p application.Policy) []Move {
	order := slices.Clone(candidates)
	slices.SortStableFunc(order, func(x, y Candidate) int {
		return cmp.Or(x.AcceptedOn.Compare(y.AcceptedOn), cmp.Compare(x.Number, y.Number), cmp.Compare(x.ApplicationID, y.ApplicationID))
	})
	sessions := inOrder(b.Sessions)
	var moves []Move
	for _, c := range order {
		for _, sub := range Needed(c, p) {
			cur, placed := b.placeOf(c.ApplicationID, c.Attempt(), sub)
			if placed && cur.Seated() {
				continue
			}
			others := b.otherSessions(c.ApplicationID, c.Attempt(), sub)
			var wait *Session
			seated := false
			for _, s := range sessions {
				if s.Subject != sub || fits(c, s, today, p, others) != nil {
					continue
				}
				if n := b.freeSeat(s); n > 0 {
					m := Move{To: Seat{ApplicationID: c.ApplicationID, Subject: sub, Attempt: c.Attempt(), SessionID: s.ID, Number: n}}
					if placed {
						m.From = &cur
					}
					b.put(m)
					moves = append(moves, m)
					seated = true
					break
				}
				if wait == nil {
					wait = &s
				}
			}
			if !seated && !placed && wait != nil {
				m := Move{To: Seat{ApplicationID: c.ApplicationID, Subject: sub, Attempt: c.Attempt(), SessionID: wait.ID, Waitlist: b.nextWaitlist(wait.ID)}}
				b.put(m)
				moves = append(moves, m)
			}
		}
	}
	return moves
}

// MoveTo seats the candidate, by hand, in session id for its subject: the
// lowest free seat, or refused when the session is full or does not fit
// the candidate. A seat the candidate leaves goes to the first on that
// session's waitlist (Leave), in the same change.
func MoveTo(b *Board, c Candidate, id int64, today civil.Date, p application.Policy) ([]Move, *application.Problem) {
	s, ok := b.session(id)
	if !ok {
		return nil, &application.Problem{Field: "session", Label: "考试场次", Message: "请选择考试场次"}
	}
	if pr := fits(c, s, today, p, b.otherSessions(c.ApplicationID, c.Attempt(), s.Subject)); pr != nil {
		return nil, pr
	}
	cur, placed := b.placeOf(c.ApplicationID, c.Attempt(), s.Subject)
	if placed && cur.Seated() && cur.SessionID == id {
		return nil, &application.Problem{Field: "session", Label: "考试场次", Message: fmt.Sprintf("该考生已安排在此场次（座位号 %d）", cur.Number)}
	}
	n := b.freeSeat(s)
	if n == 0 {
		return nil, &application.Problem{Field: "session", Label: "考试场次", Message: fmt.Sprintf("该场次已满（容量 %d 人），请选择其他场次；自动安排会将考生列入候补", s.Capacity)}
	}
	m := Move{To: Seat{ApplicationID: c.ApplicationID, Subject: s.Subject, Attempt: c.Attempt(), SessionID: id, Number: n}}
	if placed {
		m.From = &cur
	}
	b.put(m)
	moves := []Move{m}
	if placed && cur.Seated() {
		moves = append(moves, Leave(b, cur, today)...)
	}
	return moves, nil
}

// Leave gives a freed seat to the first on its session's waitlist whose
// other seats do not clash with it; nothing when the session has been held.
func Leave(b *Board, freed Seat, today civil.Date) []Move {
	s, ok := b.session(freed.SessionID)
	if !ok || s.Date.Before(today) {
		return nil
	}
	for _, w := range b.Waiting(s.ID) {
		clash := false
		for _, o := range b.otherSessions(w.ApplicationID, w.Attempt, w.Subject) {
			clash = clash || o.overlaps(s)
		}
		if clash {
			continue
		}
		from := w
		m := Move{From: &from, To: Seat{ApplicationID: w.ApplicationID, Subject: w.Subject, Attempt: w.Attempt, SessionID: s.ID, Number: freed.Number}}
		b.put(m)
		return []Move{m}
	}
	return nil
}

// Note is the history line of a move, in the application's record (the
// applicant and the officer read it).
func Note(m Move, b *Board) string {
	to, _ := b.session(m.To.SessionID)
	var from Session
	if m.From != nil {
		from, _ = b.session(m.From.SessionID)
	}
	sub := m.To.Subject.Label()
	switch {
	case !m.To.Seated():
		return fmt.Sprintf("%s场次 %s 已满，列入候补", sub, to.When()+" "+to.Venue)
	case m.Promoted():
		return fmt.Sprintf("%s候补转为正式安排：%s，座位号 %d", sub, to.When()+" "+to.Venue, m.To.Number)
	case m.From != nil && m.From.Seated():
		return fmt.Sprintf("%s由 %s 调至 %s，座位号 %d", sub, from.When()+" "+from.Venue, to.When()+" "+to.Venue, m.To.Number)
	}
	return fmt.Sprintf("安排%s：%s，座位号 %d", sub, to.When()+" "+to.Venue, m.To.Number)
}

// Event actions of the application history (beside the state machine's).
const (
	EventSeated     = "exam_seat"     // 安排考试
	EventWaitlisted = "exam_waitlist" // 列入考试候补
	EventMoved      = "exam_move"     // 调整考试安排
)

// EventOf is the history action of a move.
func EventOf(m Move) string {
	switch {
	case !m.To.Seated():
		return EventWaitlisted
	case m.From != nil && m.From.Seated():
		return EventMoved
	}
	return EventSeated
}

// EventLabel names an exam event in the history, "" for another action.
func EventLabel(action string) string {
	switch action {
	case EventSeated:
		return "安排考试"
	case EventWaitlisted:
		return "列入考试候补"
	case EventMoved:
		return "调整考试安排"
	}
	return ""
}

// Choices are the sessions a candidate can be moved to by hand for a
// subject, full or not, by day and time.
func Choices(b *Board, c Candidate, sub Subject, today civil.Date, p application.Policy) []Session {
	var out []Session
	others := b.otherSessions(c.ApplicationID, c.Attempt(), sub)
	for _, s := range inOrder(b.Sessions) {
		if s.Subject == sub && fits(c, s, today, p, others) == nil {
			out = append(out, s)
		}
	}
	return out
}

// Free counts the free seats of a session.
func (b *Board) Free(s Session) int { return s.Capacity - b.Seated(s.ID) }

// Rank is a waitlist place's position, 1 for the next to be seated.
func (b *Board) Rank(w Seat) int {
	for i, x := range b.Waiting(w.SessionID) {
		if x.ApplicationID == w.ApplicationID && x.Subject == w.Subject && x.Attempt == w.Attempt {
			return i + 1
		}
	}
	return 0
}

// Session finds a session of the board.
func (b *Board) Session(id int64) (Session, bool) { return b.session(id) }
