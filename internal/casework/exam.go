package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/document"
	"opcert/internal/exam"
	"opcert/internal/idcheck"
	"opcert/internal/notify"
	"opcert/internal/store"
	"opcert/internal/verify"
)

// NoticeAdmission is the 准考证, issued with each seating of an application
// (seed 000 2.1 注1: 受理通过后…查询考试安排，并打印准考证); the latest is the
// one delivered.
const NoticeAdmission = "admission.pdf"

// examDesk is an exam institution's sessions, the places in them and its
// candidates, as one arrangement needs them.
type examDesk struct {
	institution store.ExamInstitution
	examined    []catalog.NewCode
	board       *exam.Board
	candidates  []exam.Candidate
	loaded      map[int64]Loaded // the candidates' applications
	policy      application.Policy
}

func (d *examDesk) candidate(appID int64) (exam.Candidate, bool) {
	for _, c := range d.candidates {
		if c.ApplicationID == appID {
			return c, true
		}
	}
	return exam.Candidate{}, false
}

// institutionOf is the institution the exam staff member works for.
func (s *Service) institutionOf(ctx context.Context, who Actor) (store.ExamInstitution, error) {
	if !who.examiner() || who.InstitutionID == 0 {
		return store.ExamInstitution{}, Errorf(Forbidden, "只有考试机构工作人员可以使用此功能")
	}
	return s.store.ExamInstitutionByID(ctx, who.InstitutionID)
}

func sessionOf(r store.ExamSession) exam.Session {
	out := exam.Session{ID: r.ID, Institution: r.InstitutionID, Date: r.Date, Venue: r.Venue, Capacity: r.Capacity}
	out.Subject, _ = exam.ParseSubject(r.Subject)
	out.Start, _ = exam.ParseClock(r.Start)
	out.End, _ = exam.ParseClock(r.End)
	for _, code := range r.Items {
		out.Items = append(out.Items, catalogCode(code))
	}
	return out
}

func seatOf(r store.ExamSeat) exam.Seat {
	sub, _ := exam.ParseSubject(r.Subject)
	return exam.Seat{ApplicationID: r.ApplicationID, Subject: sub, Attempt: r.Attempt, SessionID: r.SessionID, Number: r.Seat, Waitlist: r.Waitlist}
}

// desk loads an institution's sessions, every place in them, and its
// candidates: the applications waiting for their exam (待考试) whose items
// it examines and arranges (exam.IsCandidate), unless their current places
// are at another institution.
func (s *Service) desk(ctx context.Context, who Actor) (*examDesk, error) {
	inst, err := s.institutionOf(ctx, who)
	if err != nil {
		return nil, err
	}
	d := &examDesk{institution: inst, board: &exam.Board{}, loaded: map[int64]Loaded{}, policy: s.currentPolicy(ctx)}
	for _, code := range inst.Items {
		d.examined = append(d.examined, catalogCode(code))
	}
	sessions, err := s.store.ExamSessions(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	ours := map[int64]bool{}
	for _, r := range sessions {
		d.board.Sessions = append(d.board.Sessions, sessionOf(r))
		ours[r.ID] = true
	}
	seats, err := s.store.ExamSeats(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range seats {
		d.board.Seats = append(d.board.Seats, seatOf(r))
	}
	waiting, err := s.store.ExamWaiting(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range waiting {
		c, ok, err := s.candidateOf(ctx, d, a, ours)
		if err != nil {
			return nil, err
		}
		if ok {
			d.candidates = append(d.candidates, c)
		}
	}
	return d, nil
}

// candidateOf is an application as a candidate of the desk's institution,
// if it is one.
func (s *Service) candidateOf(ctx context.Context, d *examDesk, a store.Application, ours map[int64]bool) (exam.Candidate, bool, error) {
	l := Loaded{Application: a}
	if err := json.Unmarshal(a.Data, &l.Form); err != nil {
		return exam.Candidate{}, false, fmt.Errorf("application %d: form: %w", a.ID, err)
	}
	items := l.Form.Targets(s.catalog)
	if !exam.IsCandidate(l.Form.Matter, items, d.examined, s.catalog) {
		return exam.Candidate{}, false, nil
	}
	c := exam.Candidate{ApplicationID: a.ID, Number: a.Number, Name: l.Form.Applicant.Name, Items: items, AcceptedOn: a.AcceptedOn}
	var err error
	if c.Attempts, err = s.attempts(ctx, a.ID); err != nil {
		return exam.Candidate{}, false, err
	}
	places, err := s.store.ExamSeatsOf(ctx, a.ID)
	if err != nil {
		return exam.Candidate{}, false, err
	}
	for _, p := range places {
		if p.Attempt != c.Attempt() {
			continue
		}
		if !ours[p.SessionID] {
			return exam.Candidate{}, false, nil // arranged by another institution
		}
		c.Seats = append(c.Seats, seatOf(p))
	}
	d.loaded[a.ID] = l
	return c, true, nil
}

// loadForExam gives exam staff an application they examine: a candidate of
// their institution, or one with places in its sessions (examined before).
func (s *Service) loadForExam(ctx context.Context, who Actor, id int64) (Loaded, error) {
	inst, err := s.institutionOf(ctx, who)
	if err != nil {
		return Loaded{}, err
	}
	a, err := s.store.ApplicationIn(ctx, id, "")
	if errors.Is(err, store.ErrNotFound) {
		return Loaded{}, Errorf(NotFound, "申请不存在")
	}
	if err != nil {
		return Loaded{}, err
	}
	sessions, err := s.store.ExamSessions(ctx, inst.ID)
	if err != nil {
		return Loaded{}, err
	}
	ours := map[int64]bool{}
	for _, x := range sessions {
		ours[x.ID] = true
	}
	d := &examDesk{institution: inst, loaded: map[int64]Loaded{}, policy: s.currentPolicy(ctx)}
	for _, code := range inst.Items {
		d.examined = append(d.examined, catalogCode(code))
	}
	if a.Status == application.StatusExamining {
		if _, ok, err := s.candidateOf(ctx, d, a, ours); err != nil || ok {
			return d.loaded[a.ID], err
		}
	}
	places, err := s.store.ExamSeatsOf(ctx, a.ID)
	if err != nil {
		return Loaded{}, err
	}
	for _, p := range places {
		if ours[p.SessionID] {
			out := Loaded{Application: a}
			err := json.Unmarshal(a.Data, &out.Form)
			return out, err
		}
	}
	return Loaded{}, Errorf(NotFound, "申请不存在")
}

// ExamSessionInput is a 考试场次 as exam staff typed it.
type ExamSessionInput = exam.SessionInput

// AddExamSession creates a 考试场次 of the staff member's institution, each
// mistake told at its field.
func (s *Service) AddExamSession(ctx context.Context, who Actor, in ExamSessionInput) (exam.Session, error) {
	inst, err := s.institutionOf(ctx, who)
	if err != nil {
		return exam.Session{}, err
	}
	var examined []catalog.NewCode
	for _, code := range inst.Items {
		examined = append(examined, catalogCode(code))
	}
	sess, ps := exam.NewSession(in, examined, s.today(), s.catalog)
	if len(ps) > 0 {
		return exam.Session{}, refusal(ps)
	}
	r := store.ExamSession{InstitutionID: inst.ID, Subject: string(sess.Subject), Date: sess.Date, Start: sess.Start.String(), End: sess.End.String(),
		Venue: sess.Venue, Capacity: sess.Capacity, CreatedBy: who.UserID}
	for _, code := range sess.Items {
		r.Items = append(r.Items, string(code))
	}
	saved, err := s.store.AddExamSession(ctx, r, *who.audit("add_exam_session"))
	if err != nil {
		return exam.Session{}, err
	}
	return sessionOf(saved), nil
}

// ExamDesk is the exam staff's 工作台: the institution, the items it holds
// sessions for, its sessions with their occupation, and its candidates.
type ExamDesk struct {
	Institution string
	Items       []catalog.NewCode
	Sessions    []DeskSession
	Candidates  []DeskCandidate
}

// DeskSession is a session with its seats taken and its waitlist.
type DeskSession struct {
	exam.Session
	Seated, Waiting int
}

// DeskCandidate is a candidate with where it stands and its places.
type DeskCandidate struct {
	exam.Candidate
	State  string
	Places []DeskPlace
}

// DeskPlace is one subject of a candidate: its session and seat, its
// waitlist rank, or neither yet.
type DeskPlace struct {
	Subject exam.Subject
	Session *exam.Session
	Seat    int
	Rank    int // waitlist position, 0 when seated or unplaced
}

// ExamDesk loads the 工作台 of the staff member's institution.
func (s *Service) ExamDesk(ctx context.Context, who Actor) (ExamDesk, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return ExamDesk{}, err
	}
	out := ExamDesk{Institution: d.institution.Name, Items: exam.SessionItems(d.examined, s.catalog)}
	for _, x := range d.board.Sessions {
		// A welding session's seats are the welder registrations'.
		welders, err := s.store.WeldSeatsIn(ctx, x.ID)
		if err != nil {
			return ExamDesk{}, err
		}
		out.Sessions = append(out.Sessions, DeskSession{Session: x, Seated: d.board.Seated(x.ID) + len(welders), Waiting: len(d.board.Waiting(x.ID))})
	}
	for _, c := range d.candidates {
		out.Candidates = append(out.Candidates, s.deskCandidate(d, c))
	}
	return out, nil
}

func (s *Service) deskCandidate(d *examDesk, c exam.Candidate) DeskCandidate {
	out := DeskCandidate{Candidate: c, State: exam.State(c, d.policy)}
	for _, sub := range exam.Needed(c, d.policy) {
		p := DeskPlace{Subject: sub}
		if seat, ok := c.Seat(sub); ok {
			if x, ok := d.board.Session(seat.SessionID); ok {
				p.Session = &x
			}
			p.Seat = seat.Number
			if !seat.Seated() {
				p.Rank = d.board.Rank(seat)
			}
		}
		out.Places = append(out.Places, p)
	}
	return out
}

// Arranged is what an automatic arrangement did.
type Arranged struct {
	Seated, Waitlisted int
	// Unplaced counts the candidates some subject of whom no session could
	// take, full or not: a session for their items is missing.
	Unplaced int
}

// AutoAssign seats the institution's candidates (exam.AutoAssign: 受理
// order, sessions by date, capacity, the waitlist when full), and writes
// the places with each application's history line, 准考证 and SMS in one
// transaction.
func (s *Service) AutoAssign(ctx context.Context, who Actor) (Arranged, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return Arranged{}, err
	}
	moves := exam.AutoAssign(d.board, d.candidates, s.today(), d.policy)
	var out Arranged
	for _, m := range moves {
		if m.To.Seated() {
			out.Seated++
		} else {
			out.Waitlisted++
		}
	}
	for _, c := range d.candidates {
		for _, sub := range exam.Needed(c, d.policy) {
			if !slices.ContainsFunc(d.board.Seats, func(x exam.Seat) bool {
				return x.ApplicationID == c.ApplicationID && x.Subject == sub && x.Attempt == c.Attempt()
			}) {
				out.Unplaced++
				break
			}
		}
	}
	if len(moves) == 0 {
		return out, nil
	}
	return out, s.arrange(ctx, who, d, moves)
}

// MoveCandidate seats a candidate by hand in a session (exam.MoveTo); the
// seat it leaves goes to the first on that session's waitlist, in the same
// transaction. Both moves are recorded in the applications' histories.
func (s *Service) MoveCandidate(ctx context.Context, who Actor, appID, sessionID int64) error {
	d, err := s.desk(ctx, who)
	if err != nil {
		return err
	}
	c, ok := d.candidate(appID)
	if !ok {
		return Errorf(NotFound, "该考生不在本机构的待考名单中")
	}
	moves, pr := exam.MoveTo(d.board, c, sessionID, s.today(), d.policy)
	if pr != nil {
		return refusal(*pr)
	}
	return s.arrange(ctx, who, d, moves)
}

// arrange writes moves already applied to the desk's board.
func (s *Service) arrange(ctx context.Context, who Actor, d *examDesk, moves []exam.Move) error {
	byApp := map[int64][]exam.Move{}
	var order []int64
	for _, m := range moves {
		if _, ok := byApp[m.To.ApplicationID]; !ok {
			order = append(order, m.To.ApplicationID)
		}
		byApp[m.To.ApplicationID] = append(byApp[m.To.ApplicationID], m)
	}
	key, err := s.store.SigningKey(ctx, s.signing)
	if err != nil {
		return err
	}
	scheduled := notifyRenderer(ctx, s, "exam_scheduled")
	waitlisted := notifyRenderer(ctx, s, "exam_waitlisted")
	var changes []store.SeatingChange
	for _, id := range order {
		c, ok := d.candidate(id)
		l, loaded := d.loaded[id]
		if !ok || !loaded {
			return fmt.Errorf("exam: move of application %d, not a candidate", id)
		}
		ch := store.SeatingChange{ApplicationID: id}
		seatedNow := false
		for _, m := range byApp[id] {
			ch.Places = append(ch.Places, store.SeatPlace{Seat: store.ExamSeat{ApplicationID: id, Subject: string(m.To.Subject), Attempt: m.To.Attempt,
				SessionID: m.To.SessionID, Seat: m.To.Number, Waitlist: m.To.Waitlist}, Action: exam.EventOf(m), Note: exam.Note(m, d.board)})
			seatedNow = seatedNow || m.To.Seated()
		}
		places := s.placesAfter(d, c)
		vars := map[string]string{"事项": l.Form.Matter.Label(), "考试安排": arrangementText(places, d.board)}
		if seatedNow {
			ticket, err := s.ticket(d, c, l, places, key)
			if err != nil {
				return err
			}
			ch.Ticket, ch.SMSTopic, ch.SMS = &ticket, "exam_scheduled", scheduled(l.Number, vars)
		} else {
			ch.SMSTopic, ch.SMS = "exam_waitlisted", waitlisted(l.Number, vars)
		}
		changes = append(changes, ch)
	}
	err = s.store.ArrangeExams(ctx, d.institution.ID, who.UserID, changes, who.audit("exam_arrange"))
	switch {
	case errors.Is(err, store.ErrSeatTaken):
		return &Error{Code: Conflict, Field: "session", Label: "考试场次", Message: store.ErrSeatTaken.Error()}
	case errors.Is(err, store.ErrNotWaiting):
		return &Error{Code: Conflict, Field: "session", Label: "考试场次", Message: store.ErrNotWaiting.Error()}
	case errors.Is(err, store.ErrNotFound):
		return Errorf(NotFound, "考试场次不存在")
	case err != nil:
		return err
	}
	s.log.Info("exams arranged", "institution_id", d.institution.ID, "moves", len(moves), "applications", len(changes), "actor_id", who.UserID)
	return nil
}

// notifyRenderer reads a topic's template once and fills it for each
// application with its 申请号.
func notifyRenderer(ctx context.Context, s *Service, topic string) func(number string, vars map[string]string) string {
	render := notify.Renderer(ctx, s.store, topic)
	return func(number string, vars map[string]string) string {
		vars["申请号"] = number
		return render(vars)
	}
}

// placesAfter are a candidate's current places on the board, theory first.
func (s *Service) placesAfter(d *examDesk, c exam.Candidate) []exam.Seat {
	var out []exam.Seat
	for _, sub := range exam.Subjects {
		for _, x := range d.board.Seats {
			if x.ApplicationID == c.ApplicationID && x.Attempt == c.Attempt() && x.Subject == sub {
				out = append(out, x)
			}
		}
	}
	return out
}

// arrangementText is the {考试安排} of the SMS: each subject's time, venue
// and seat, or its waitlist rank.
func arrangementText(places []exam.Seat, b *exam.Board) string {
	var parts []string
	for _, p := range places {
		x, _ := b.Session(p.SessionID)
		if p.Seated() {
			parts = append(parts, fmt.Sprintf("%s %s %s 座位号%d", p.Subject.Label(), x.When(), x.Venue, p.Number))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s 场次候补第%d位", p.Subject.Label(), x.Date.Chinese(), b.Rank(p)))
		}
	}
	return strings.Join(parts, "；")
}

// admissionPrefix makes a 准考证号 of the 申请号.
const admissionPrefix = "ZK"

// ticket is the 准考证 as the places now stand: only seated subjects are
// printed. Its QR code carries the signed ticket, so an invigilator's scan
// shows whether the seats printed are still the candidate's (a ticket
// printed before a move shows 已调整).
func (s *Service) ticket(d *examDesk, c exam.Candidate, l Loaded, places []exam.Seat, key verify.Key) (store.Notice, error) {
	var items []string
	for _, q := range c.Items {
		items = append(items, q.String()+" "+q.Name(s.catalog))
	}
	t := &document.AdmissionTicketData{Number: admissionPrefix + l.Number, Name: l.Form.Applicant.Name, IDNumber: idcheck.MaskNumber(l.Form.Applicant.IDNumber),
		Items: strings.Join(items, "、"), Application: l.Number, Institution: d.institution.Name, IssuedOn: s.today().Chinese(),
		Notes: []string{
			"请携带本准考证和本人有效身份证件原件，于考试开始前30分钟到达考场，凭证入场。",
			fmt.Sprintf("理论知识考试和实际操作技能考试均为百分制，%d分合格；特种设备安全管理（A）只考理论知识。", d.policy.ExamPassMark),
			"考试安排如有调整，将以短信通知，请以网上办事系统中最新打印的准考证为准。",
		}}
	if c.Retake() {
		t.Notes = append([]string{"本次为补考，只考上次不合格的科目。"}, t.Notes...)
	}
	for _, p := range places {
		if !p.Seated() {
			continue
		}
		x, _ := d.board.Session(p.SessionID)
		t.Sittings = append(t.Sittings, document.Sitting{Subject: p.Subject.Label(), When: x.When(), Venue: x.Venue, Seat: strconv.Itoa(p.Number)})
	}
	signed := verify.Payload{Kind: verify.KindAdmission, Number: t.Number, Name: idcheck.MaskName(l.Form.Applicant.Name), Issuer: d.institution.Name, Issued: s.today().String()}
	for _, q := range c.Items {
		signed.Items = append(signed.Items, verify.Item{Code: q.String(), Name: q.Name(s.catalog)})
	}
	for _, x := range t.Sittings {
		signed.Sittings = append(signed.Sittings, verify.Sitting{Subject: x.Subject, When: x.When, Venue: x.Venue, Seat: x.Seat})
	}
	token, err := verify.Sign(key, signed)
	if err != nil {
		return store.Notice{}, err
	}
	return notice(NoticeAdmission, "准考证", t.Number, noticeContent{Admission: t, PhotoKey: l.Form.PhotoKey, QRPath: "/v/" + token}), nil
}

// ExamCandidate is one candidate as exam staff see it: its places, the
// sessions it can be moved to, the scores recorded, and whether scores can
// be entered now.
type ExamCandidate struct {
	Loaded
	DeskCandidate
	// Waiting: still a candidate (待考试); otherwise examined before and
	// shown read only.
	Waiting bool
	Choices map[exam.Subject][]DeskSession
	Needed  []exam.Subject
	// Carried is the subject not retaken in a 补考 and its score.
	Carried     *exam.Subject
	CarriedMark int
}

// ExamCandidate loads a candidate of the staff member's institution.
func (s *Service) ExamCandidate(ctx context.Context, who Actor, appID int64) (ExamCandidate, error) {
	l, err := s.Load(ctx, who, appID)
	if err != nil {
		return ExamCandidate{}, err
	}
	d, err := s.desk(ctx, who)
	if err != nil {
		return ExamCandidate{}, err
	}
	out := ExamCandidate{Loaded: l, Choices: map[exam.Subject][]DeskSession{}}
	c, ok := d.candidate(appID)
	if !ok {
		// Examined before: its scores and places, nothing to do.
		c = exam.Candidate{ApplicationID: l.ID, Number: l.Number, Name: l.Form.Applicant.Name, Items: l.Form.Targets(s.catalog)}
		if c.Attempts, err = s.attempts(ctx, l.ID); err != nil {
			return ExamCandidate{}, err
		}
		out.DeskCandidate = DeskCandidate{Candidate: c, State: exam.State(c, d.policy)}
		return out, nil
	}
	out.Waiting, out.DeskCandidate, out.Needed = true, s.deskCandidate(d, c), exam.Needed(c, d.policy)
	for _, sub := range out.Needed {
		for _, x := range exam.Choices(d.board, c, sub, s.today(), d.policy) {
			out.Choices[sub] = append(out.Choices[sub], DeskSession{Session: x, Seated: d.board.Seated(x.ID), Waiting: len(d.board.Waiting(x.ID))})
		}
	}
	if n := len(c.Attempts); n > 0 && len(out.Needed) == 1 {
		other := exam.Theory
		mark := c.Attempts[n-1].Theory
		if out.Needed[0] == exam.Theory {
			other, mark = exam.Practical, c.Attempts[n-1].Practical
		}
		if !(other == exam.Practical && slices.ContainsFunc(c.Items, func(q catalog.Qualification) bool { return q.Code == "A" })) {
			out.Carried, out.CarriedMark = &other, mark
		}
	}
	return out, nil
}

// ExamSessionRoster is a session with the candidates seated and waiting.
type ExamSessionRoster struct {
	Session exam.Session
	Items   string
	Seated  []RosterLine
	Waiting []RosterLine
}

// RosterLine is one candidate of a session.
type RosterLine struct {
	ApplicationID int64
	Number        string
	Name          string
	IDNumber      string // masked
	Seat, Rank    int
	Retake        bool
}

// ExamSession loads a session of the staff member's institution with its
// roster; seeing the candidates' names is audited.
func (s *Service) ExamSession(ctx context.Context, who Actor, id int64) (ExamSessionRoster, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return ExamSessionRoster{}, err
	}
	x, ok := d.board.Session(id)
	if !ok {
		return ExamSessionRoster{}, Errorf(NotFound, "考试场次不存在")
	}
	out := ExamSessionRoster{Session: x, Items: x.ItemList(s.catalog)}
	line := func(seat exam.Seat) (RosterLine, error) {
		l, ok := d.loaded[seat.ApplicationID]
		if !ok {
			a, err := s.store.ApplicationIn(ctx, seat.ApplicationID, "")
			if err != nil {
				return RosterLine{}, err
			}
			l = Loaded{Application: a}
			if err := json.Unmarshal(a.Data, &l.Form); err != nil {
				return RosterLine{}, err
			}
		}
		return RosterLine{ApplicationID: l.ID, Number: l.Number, Name: l.Form.Applicant.Name, IDNumber: idcheck.MaskNumber(l.Form.Applicant.IDNumber),
			Seat: seat.Number, Retake: seat.Attempt > 1}, nil
	}
	var seated []exam.Seat
	for _, seat := range d.board.Seats {
		if seat.SessionID == id && seat.Seated() {
			seated = append(seated, seat)
		}
	}
	slices.SortFunc(seated, func(a, b exam.Seat) int { return a.Number - b.Number })
	for _, seat := range seated {
		r, err := line(seat)
		if err != nil {
			return ExamSessionRoster{}, err
		}
		out.Seated = append(out.Seated, r)
	}
	for i, seat := range d.board.Waiting(id) {
		r, err := line(seat)
		if err != nil {
			return ExamSessionRoster{}, err
		}
		r.Rank = i + 1
		out.Waiting = append(out.Waiting, r)
	}
	if err := s.RecordView(ctx, who, "view_exam_session", fmt.Sprintf("exam_session:%d", id)); err != nil {
		return ExamSessionRoster{}, err
	}
	return out, nil
}

// ExamScores are a candidate's scores as typed.
type ExamScores = exam.ScoreInput

// RecordScores enters a candidate's scores after its exams (exam.CheckScores:
// seated, held, 0–100, only the subjects sat) and records them as the
// officer's 录入考试成绩 does, through application.Decide: passed, the
// application moves on to the decision with its 20 working days; failed,
// it waits for its 补考 or for the 不予许可. version is the application's
// version the page was built from.
func (s *Service) RecordScores(ctx context.Context, who Actor, appID int64, version int, in ExamScores) (store.Application, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return store.Application{}, err
	}
	c, ok := d.candidate(appID)
	if !ok {
		return store.Application{}, Errorf(NotFound, "该考生不在本机构的待考名单中")
	}
	scores, ps := exam.CheckScores(c, in, d.board, s.today(), d.policy)
	if len(ps) > 0 {
		return store.Application{}, refusal(ps)
	}
	l, ch, err := s.scoreChange(ctx, who, d, c, scores)
	if err != nil {
		return store.Application{}, err
	}
	return s.apply(ctx, who, l, version, ch)
}

// scoreChange decides the recording of scores exam.CheckScores accepted for
// a candidate of the desk, as the officer's 录入考试成绩 does
// (application.Decide): by hand or from a score sheet, the same change.
func (s *Service) scoreChange(ctx context.Context, who Actor, d *examDesk, c exam.Candidate, scores exam.Scores) (Loaded, application.Change, error) {
	l := d.loaded[c.ApplicationID]
	input := application.Input{Theory: strconv.Itoa(scores.Theory), Practical: strconv.Itoa(scores.Practical)}
	ch, err := s.decideSat(ctx, who, l, application.ActionRecordExam, input, application.ExamSitting{Institution: d.institution.Name, Date: scores.Sat})
	return l, ch, err
}

// ApplicantExam is the 考试安排 of an application as its applicant sees it.
type ApplicantExam struct {
	// Show: the application is examined after 受理 and has been accepted.
	Show        bool
	Arrangement application.Arrangement
	Notice      string // how the exam is arranged (application.ExamNotice)
	Places      []ApplicantPlace
	Ticket      bool // a 准考证 has been issued
}

// ApplicantPlace is one subject of the current attempt.
type ApplicantPlace struct {
	Subject     string
	When, Venue string
	Institution string
	Seat, Rank  int
}

// ExamArrangementOf is the 考试安排 of an application (seed 000 2.1 注1:
// 受理通过后需及时…查询考试安排，并打印准考证).
func (s *Service) ExamArrangementOf(ctx context.Context, who Actor, appID int64) (ApplicantExam, error) {
	l, err := s.Load(ctx, who, appID)
	if err != nil {
		return ApplicantExam{}, err
	}
	targets := l.Form.Targets(s.catalog)
	out := ApplicantExam{Arrangement: application.ExamArrangement(targets), Notice: application.ExamNotice(targets, l.Form.ExamInstitution)}
	out.Show = l.Status == application.StatusExamining && application.NeedsExamAfterAcceptance(l.Form.Matter, targets, s.catalog)
	if !out.Show || out.Arrangement != application.ArrangedByExamSystem {
		return out, nil
	}
	if out.Places, err = s.placesNow(ctx, l.ID); err != nil {
		return ApplicantExam{}, err
	}
	if _, err := s.store.NoticeOf(ctx, l.ID, NoticeAdmission); err == nil {
		out.Ticket = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return ApplicantExam{}, err
	}
	return out, nil
}

// placesNow are the places of an application's current attempt, theory
// first, as the 准考证 lists them.
func (s *Service) placesNow(ctx context.Context, appID int64) ([]ApplicantPlace, error) {
	var out []ApplicantPlace
	attempts, err := s.attempts(ctx, appID)
	if err != nil {
		return nil, err
	}
	places, err := s.store.ExamSeatsOf(ctx, appID)
	if err != nil {
		return nil, err
	}
	sessions, err := s.store.ExamSessionsOf(ctx, appID)
	if err != nil {
		return nil, err
	}
	institutions, err := s.store.ExamInstitutions(ctx)
	if err != nil {
		return nil, err
	}
	// Theory first, as the 准考证 lists them.
	slices.SortStableFunc(places, func(a, b store.ExamSeat) int {
		return slices.Index(exam.Subjects, exam.Subject(a.Subject)) - slices.Index(exam.Subjects, exam.Subject(b.Subject))
	})
	for _, p := range places {
		if p.Attempt != len(attempts)+1 {
			continue
		}
		seat := seatOf(p)
		ap := ApplicantPlace{Subject: seat.Subject.Label(), Seat: p.Seat}
		for _, r := range sessions {
			if r.ID != p.SessionID {
				continue
			}
			x := sessionOf(r)
			ap.When, ap.Venue = x.When(), x.Venue
			for _, e := range institutions {
				if e.ID == r.InstitutionID {
					ap.Institution = e.Name
				}
			}
		}
		if !seat.Seated() {
			if ap.Rank, err = s.store.ExamWaitlistRank(ctx, p.SessionID, p.Waitlist); err != nil {
				return nil, err
			}
		}
		out = append(out, ap)
	}
	return out, nil
}

// ByExamSystem reports an exam the exam system seats, with a 准考证.
func (a ApplicantExam) ByExamSystem() bool { return a.Arrangement == application.ArrangedByExamSystem }
