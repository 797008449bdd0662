package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/civil"
)

// ExamSession is a 考试场次 of an exam institution.
type ExamSession struct {
	ID            int64
	InstitutionID int64
	Items         []string // 2019 item codes
	Subject       string   // theory, practical
	Date          civil.Date
	Start, End    string // HH:MM
	Venue         string
	Capacity      int
	CreatedBy     int64
	CreatedAt     time.Time
}

// ErrSeatTaken: a seat or waitlist place was given to someone else since
// the arrangement was worked out; nothing was written.
var ErrSeatTaken = errors.New("座位已被其他工作人员同时安排，本次安排未保存，请刷新后重试")

// ErrNotWaiting: an application is no longer waiting for its exam (its
// score was recorded, or it was decided, meanwhile); nothing was written.
var ErrNotWaiting = errors.New("申请已不在待考试状态，本次安排未保存，请刷新后重试")

// AddExamSession stores a new session, with the audit entry of its creation
// in the same transaction.
func (db *DB) AddExamSession(ctx context.Context, s ExamSession, who audit.Entry) (ExamSession, error) {
	s.CreatedAt = db.now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO exam_sessions (institution_id, items, subject, exam_date, starts_at, ends_at, venue, capacity, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			s.InstitutionID, strings.Join(s.Items, ","), s.Subject, s.Date, s.Start, s.End, s.Venue, s.Capacity, nullInt(s.CreatedBy), s.CreatedAt).Scan(&s.ID)
		if err != nil {
			return err
		}
		who.Subject = fmt.Sprintf("exam_session:%d", s.ID)
		who.After = fmt.Sprintf("%s %s %s %s–%s %s 容量%d", strings.Join(s.Items, ","), s.Subject, s.Date, s.Start, s.End, s.Venue, s.Capacity)
		_, err = db.AppendAuditTx(ctx, tx, who)
		return err
	})
	return s, err
}

const examSessionColumns = `id, institution_id, items, subject, exam_date, starts_at, ends_at, venue, capacity, COALESCE(created_by, 0), created_at`

func scanExamSession(row interface{ Scan(...any) error }) (ExamSession, error) {
	var s ExamSession
	var items string
	err := row.Scan(&s.ID, &s.InstitutionID, &items, &s.Subject, &s.Date, &s.Start, &s.End, &s.Venue, &s.Capacity, &s.CreatedBy, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	s.Items = strings.Split(items, ",")
	return s, err
}

// ExamSessions lists an institution's sessions by day and time.
func (db *DB) ExamSessions(ctx context.Context, institutionID int64) ([]ExamSession, error) {
	return db.examSessions(ctx, `WHERE institution_id = $1 ORDER BY exam_date, starts_at, id`, institutionID)
}

// ExamSessionsOf lists the sessions an application has places in.
func (db *DB) ExamSessionsOf(ctx context.Context, appID int64) ([]ExamSession, error) {
	return db.examSessions(ctx, `WHERE id IN (SELECT session_id FROM exam_seats WHERE application_id = $1) ORDER BY exam_date, starts_at, id`, appID)
}

func (db *DB) examSessions(ctx context.Context, where string, args ...any) ([]ExamSession, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+examSessionColumns+` FROM exam_sessions `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExamSession
	for rows.Next() {
		s, err := scanExamSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ExamSeat is an application's place for one subject of one attempt: a
// seat of a session, or (Seat 0) a place on its waitlist.
type ExamSeat struct {
	ApplicationID int64
	Subject       string
	Attempt       int
	SessionID     int64
	Seat          int
	Waitlist      int
	PlacedAt      time.Time
}

const examSeatColumns = `application_id, subject, attempt, session_id, COALESCE(seat, 0), COALESCE(waitlist, 0), placed_at`

// ExamSeats lists every place in an institution's sessions.
func (db *DB) ExamSeats(ctx context.Context, institutionID int64) ([]ExamSeat, error) {
	return db.examSeats(ctx, `WHERE session_id IN (SELECT id FROM exam_sessions WHERE institution_id = $1) ORDER BY session_id, seat, waitlist`, institutionID)
}

// ExamSeatsOf lists an application's places, every attempt.
func (db *DB) ExamSeatsOf(ctx context.Context, appID int64) ([]ExamSeat, error) {
	return db.examSeats(ctx, `WHERE application_id = $1 ORDER BY attempt, subject`, appID)
}

func (db *DB) examSeats(ctx context.Context, where string, args ...any) ([]ExamSeat, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+examSeatColumns+` FROM exam_seats `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExamSeat
	for rows.Next() {
		var s ExamSeat
		if err := rows.Scan(&s.ApplicationID, &s.Subject, &s.Attempt, &s.SessionID, &s.Seat, &s.Waitlist, &s.PlacedAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ExamWaiting lists the applications waiting for their exam (待考试), in
// the order they were accepted: the exam system picks its candidates among
// them by their items.
func (db *DB) ExamWaiting(ctx context.Context) ([]Application, error) {
	return db.queryApplications(ctx, `SELECT `+appColumns+` FROM applications WHERE status = 'examining' ORDER BY accepted_on, number, id`)
}

// SeatingChange is what one arrangement does to one application: its new
// places, each with its history line, and the 准考证 and SMS that follow.
type SeatingChange struct {
	ApplicationID int64
	Places        []SeatPlace
	// Ticket is the 准考证 as it now stands, recorded with the last
	// history line; nil when the application holds no seat.
	Ticket   *Notice
	SMSTopic string
	SMS      string
}

// SeatPlace is one new place and its history line.
type SeatPlace struct {
	Seat   ExamSeat
	Action string // exam_seat, exam_waitlist, exam_move
	Note   string
}

// ArrangeExams writes an arrangement of an institution's sessions in one
// transaction: each application's places replace its earlier ones for the
// same subject and attempt, its history records each, its 准考证 is issued
// and its SMS queued. A seat someone else took meanwhile gives ErrSeatTaken,
// an application decided or scored meanwhile ErrNotWaiting; then nothing is
// written.
func (db *DB) ArrangeExams(ctx context.Context, institutionID, actorID int64, changes []SeatingChange, who *audit.Entry) error {
	now := db.now().UTC()
	// Sessions, then applications, each in id order: two arrangements at
	// once on PostgreSQL wait for each other instead of deadlocking.
	var sessionIDs, appIDs []int64
	for _, ch := range changes {
		appIDs = append(appIDs, ch.ApplicationID)
		for _, p := range ch.Places {
			sessionIDs = append(sessionIDs, p.Seat.SessionID)
		}
	}
	slices.Sort(sessionIDs)
	slices.Sort(appIDs)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		capacity := map[int64]int{}
		for _, id := range slices.Compact(sessionIDs) {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT capacity FROM exam_sessions WHERE id = $1 AND institution_id = $2`+db.forUpdate(), id, institutionID).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			capacity[id] = n
		}
		applicants := map[int64]int64{}
		for _, id := range slices.Compact(appIDs) {
			var status string
			var applicant int64
			err := tx.QueryRowContext(ctx, `SELECT status, applicant_id FROM applications WHERE id = $1`+db.forUpdate(), id).Scan(&status, &applicant)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if status != "examining" {
				return ErrNotWaiting
			}
			applicants[id] = applicant
		}
		for _, ch := range changes {
			for _, p := range ch.Places {
				if p.Seat.Seat > capacity[p.Seat.SessionID] {
					return ErrSeatTaken
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM exam_seats WHERE application_id = $1 AND subject = $2 AND attempt = $3`,
					ch.ApplicationID, p.Seat.Subject, p.Seat.Attempt); err != nil {
					return err
				}
			}
		}
		// Inserted once every place left is free: a seat given up in this
		// arrangement may be taken in it (the waitlist moving up).
		for _, ch := range changes {
			var eventID int64
			for _, p := range ch.Places {
				_, err := tx.ExecContext(ctx, `INSERT INTO exam_seats (application_id, subject, attempt, session_id, seat, waitlist, placed_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, ch.ApplicationID, p.Seat.Subject, p.Seat.Attempt, p.Seat.SessionID,
					nullInt(int64(p.Seat.Seat)), nullInt(int64(p.Seat.Waitlist)), now)
				if isUniqueViolation(err) {
					return ErrSeatTaken
				}
				if err != nil {
					return err
				}
				if eventID, err = addEventID(ctx, tx, now, ch.ApplicationID, actorID, p.Action, "examining", "examining", p.Note); err != nil {
					return err
				}
				if who != nil {
					e := *who
					e.Action, e.Subject, e.After = p.Action, fmt.Sprintf("application:%d", ch.ApplicationID), p.Note
					if _, err := db.AppendAuditTx(ctx, tx, e); err != nil {
						return err
					}
				}
			}
			if ch.Ticket != nil {
				if err := db.addNotices(ctx, tx, now, ch.ApplicationID, eventID, []Notice{*ch.Ticket}); err != nil {
					return err
				}
			}
			if ch.SMS != "" {
				if err := enqueueToApplicant(ctx, tx, now, applicants[ch.ApplicationID], ch.SMSTopic, ch.SMS); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ExamWaitlistRank is a waitlist place's position in its session, 1 for
// the next to be seated.
func (db *DB) ExamWaitlistRank(ctx context.Context, sessionID int64, waitlist int) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM exam_seats WHERE session_id = $1 AND waitlist IS NOT NULL AND waitlist <= $2`, sessionID, waitlist).Scan(&n)
	return n, err
}
