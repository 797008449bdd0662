package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"opcert/internal/audit"
	"opcert/internal/registry"
)

// WeldRegistration is a 焊工报名 as stored: the form as JSON and where it
// stands (open to 修改, locked by exam staff, scored).
type WeldRegistration struct {
	ID            int64
	Kind          string // new, renew
	IDNumber      string
	Name          string
	Mobile        string
	InstitutionID int64
	Data          []byte // weldexam.Registration
	// PhotoKey is the file key of the form's photo, given on every write
	// of Data: it is kept only as its keyed hash (photo_hmac), which the
	// file sweep looks up (WeldPhotosNamed), and never read back, the form
	// being where it is read.
	PhotoKey  string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	LockedAt  sql.NullTime
	LockedBy  int64
	ScoredAt  sql.NullTime
}

// Locked reports that exam staff took the registration in hand: the
// registrant can no longer change it.
func (r WeldRegistration) Locked() bool { return r.LockedAt.Valid }

// Scored reports that its scores were entered.
func (r WeldRegistration) Scored() bool { return r.ScoredAt.Valid }

// Refusals of welder registrations; nothing was written.
var (
	ErrWeldRegistered = errors.New("该身份证号已有尚未考试的同类报名，请点击“修改”查看或修改原报名")
	ErrWeldLocked     = errors.New("考试机构已锁定该报名，不能再修改；如需更正请联系考试机构")
	ErrWeldNotLocked  = errors.New("报名尚未锁定，请先锁定报名再安排考试或录入成绩")
	ErrWeldScored     = errors.New("该报名的成绩已录入，不能再次录入或调整考试安排")
	ErrSessionFull    = errors.New("该考试场次已满，请选择其他场次")
)

const weldColumns = `id, kind, id_number, name, mobile, institution_id, data, version, created_at, updated_at, locked_at, COALESCE(locked_by, 0), scored_at`

// scanWeld reads a registration and opens its sealed 证件号码, mobile and
// form.
func (db *DB) scanWeld(ctx context.Context, row interface{ Scan(...any) error }) (WeldRegistration, error) {
	var r WeldRegistration
	var data string
	err := row.Scan(&r.ID, &r.Kind, &r.IDNumber, &r.Name, &r.Mobile, &r.InstitutionID, &data, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.LockedAt, &r.LockedBy, &r.ScoredAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	for _, v := range []*string{&r.IDNumber, &r.Mobile, &data} {
		if *v, err = db.open(ctx, *v); err != nil {
			return r, fmt.Errorf("store: weld registration %d: %w", r.ID, err)
		}
	}
	r.Data = []byte(data)
	return r, nil
}

// sealedWeld is what a registration keeps of its registrant: sealed, and
// the HMAC of the 证件号码 it is found by.
type sealedWeld struct {
	idNumber, idHMAC, mobile, data, photoHMAC string
}

func (pk *personalKeys) sealWeld(r WeldRegistration) (sealedWeld, error) {
	out := sealedWeld{idHMAC: pk.idHMAC(r.IDNumber), photoHMAC: pk.photoHMAC(r.PhotoKey)}
	var err error
	if out.idNumber, err = pk.seal(r.IDNumber); err != nil {
		return out, err
	}
	if out.mobile, err = pk.seal(r.Mobile); err != nil {
		return out, err
	}
	out.data, err = pk.seal(string(r.Data))
	return out, err
}

// weldRegistered tells whether the person of this 证件号码 HMAC has a
// registration of the kind not yet scored.
func weldRegistered(ctx context.Context, tx *sql.Tx, idHMAC, kind string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM weld_registrations WHERE id_number_hmac = $1 AND kind = $2 AND scored_at IS NULL`, idHMAC, kind).Scan(&n)
	return n > 0, err
}

// AddWeldRegistration stores a new registration with its audit entry, in
// one transaction; one not yet scored of the same person and kind is
// refused (ErrWeldRegistered): it is to be changed, not doubled.
func (db *DB) AddWeldRegistration(ctx context.Context, r WeldRegistration, who audit.Entry) (WeldRegistration, error) {
	now := db.now().UTC()
	r.CreatedAt, r.UpdatedAt, r.Version = now, now, 1
	pk, err := db.personal(ctx)
	if err != nil {
		return r, err
	}
	sw, err := pk.sealWeld(r)
	if err != nil {
		return r, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if taken, err := weldRegistered(ctx, tx, sw.idHMAC, r.Kind); err != nil || taken {
			if err == nil {
				err = ErrWeldRegistered
			}
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO weld_registrations (kind, id_number, id_number_hmac, name, mobile, institution_id, data, photo_hmac, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id`, r.Kind, sw.idNumber, sw.idHMAC, r.Name, sw.mobile, r.InstitutionID, sw.data, sw.photoHMAC, now).Scan(&r.ID); err != nil {
			return err
		}
		who.Subject, who.After = fmt.Sprintf("weld_registration:%d", r.ID), r.Kind
		_, err := db.AppendAuditTx(ctx, tx, who)
		return err
	})
	return r, err
}

// UpdateWeldRegistration writes the registrant's 修改 over version r.Version;
// a locked registration is refused (ErrWeldLocked), one changed meanwhile
// too (ErrStale).
func (db *DB) UpdateWeldRegistration(ctx context.Context, r WeldRegistration, who audit.Entry) (WeldRegistration, error) {
	now := db.now().UTC()
	pk, err := db.personal(ctx)
	if err != nil {
		return WeldRegistration{}, err
	}
	sw, err := pk.sealWeld(r)
	if err != nil {
		return WeldRegistration{}, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE weld_registrations SET name = $1, mobile = $2, data = $3, photo_hmac = $4, version = version + 1, updated_at = $5
			WHERE id = $6 AND version = $7 AND locked_at IS NULL`, r.Name, sw.mobile, sw.data, sw.photoHMAC, now, r.ID, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			cur, err := db.scanWeld(ctx, tx.QueryRowContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations WHERE id = $1`, r.ID))
			switch {
			case err != nil:
				return err
			case cur.Locked():
				return ErrWeldLocked
			}
			return ErrStale
		}
		who.Subject, who.After = fmt.Sprintf("weld_registration:%d", r.ID), fmt.Sprintf("version %d", r.Version+1)
		_, err = db.AppendAuditTx(ctx, tx, who)
		return err
	})
	if err != nil {
		return WeldRegistration{}, err
	}
	return db.WeldRegistration(ctx, r.ID)
}

// WeldRegistration loads one registration.
func (db *DB) WeldRegistration(ctx context.Context, id int64) (WeldRegistration, error) {
	return db.scanWeld(ctx, db.sql.QueryRowContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations WHERE id = $1`, id))
}

// LatestWeldRegistration is a person's newest registration of a kind,
// found by the HMAC of the 证件号码 (any case of its X).
func (db *DB) LatestWeldRegistration(ctx context.Context, idNumber, kind string) (WeldRegistration, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return WeldRegistration{}, err
	}
	return db.scanWeld(ctx, db.sql.QueryRowContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations WHERE id_number_hmac = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`,
		pk.idHMAC(idNumber), kind))
}

// WeldRegistrations lists an institution's registrations, newest first.
func (db *DB) WeldRegistrations(ctx context.Context, institutionID int64) ([]WeldRegistration, error) {
	return db.weldRegistrations(ctx, `WHERE institution_id = $1 ORDER BY id DESC`, institutionID)
}

func (db *DB) weldRegistrations(ctx context.Context, where string, args ...any) ([]WeldRegistration, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WeldRegistration
	for rows.Next() {
		r, err := db.scanWeld(ctx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LockWeldRegistration is exam staff taking a registration in hand, with
// the audit entry; locking it twice is harmless.
func (db *DB) LockWeldRegistration(ctx context.Context, id, institutionID, by int64, who audit.Entry) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE weld_registrations SET locked_at = $1, locked_by = $2, version = version + 1
			WHERE id = $3 AND institution_id = $4 AND locked_at IS NULL`, now, by, id, institutionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		who.Subject = fmt.Sprintf("weld_registration:%d", id)
		_, err = db.AppendAuditTx(ctx, tx, who)
		return err
	})
}

// WeldSeat is a registration's seat for one subject.
type WeldSeat struct {
	RegistrationID int64
	Subject        string
	SessionID      int64
	Seat           int
}

// WeldSeatsOf lists a registration's seats.
func (db *DB) WeldSeatsOf(ctx context.Context, regID int64) ([]WeldSeat, error) {
	return db.weldSeats(ctx, `WHERE registration_id = $1 ORDER BY subject DESC`, regID)
}

// WeldSeatsIn lists the welders seated in a session, by seat.
func (db *DB) WeldSeatsIn(ctx context.Context, sessionID int64) ([]WeldSeat, error) {
	return db.weldSeats(ctx, `WHERE session_id = $1 ORDER BY seat`, sessionID)
}

func (db *DB) weldSeats(ctx context.Context, where string, args ...any) ([]WeldSeat, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT registration_id, subject, session_id, seat FROM weld_seats `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WeldSeat
	for rows.Next() {
		var s WeldSeat
		if err := rows.Scan(&s.RegistrationID, &s.Subject, &s.SessionID, &s.Seat); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SeatWelder gives a locked, unscored registration the next seat of a
// session for the session's subject (replacing its seat for that subject),
// within the session's capacity counting the applications seated there
// too, with the audit entry.
// message, when not nil, is the SMS to the registrant's mobile of the
// seat given (its number is known only here), written with it.
func (db *DB) SeatWelder(ctx context.Context, regID, sessionID int64, who audit.Entry, topic string, message func(WeldSeat) string) (WeldSeat, error) {
	now := db.now().UTC()
	var out WeldSeat
	pk, err := db.personal(ctx)
	if err != nil {
		return out, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := db.scanWeld(ctx, tx.QueryRowContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations WHERE id = $1`, regID))
		if err != nil {
			return err
		}
		switch {
		case r.Scored():
			return ErrWeldScored
		case !r.Locked():
			return ErrWeldNotLocked
		}
		var subject string
		var capacity int
		err = tx.QueryRowContext(ctx, `SELECT subject, capacity FROM exam_sessions WHERE id = $1 AND institution_id = $2`, sessionID, r.InstitutionID).Scan(&subject, &capacity)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM weld_seats WHERE registration_id = $1 AND subject = $2`, regID, subject); err != nil {
			return err
		}
		var taken, last int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(seat), 0) FROM (
				SELECT seat FROM weld_seats WHERE session_id = $1
				UNION ALL SELECT seat FROM exam_seats WHERE session_id = $1 AND seat IS NOT NULL) AS s`, sessionID).Scan(&taken, &last); err != nil {
			return err
		}
		if taken >= capacity {
			return ErrSessionFull
		}
		out = WeldSeat{RegistrationID: regID, Subject: subject, SessionID: sessionID, Seat: last + 1}
		if _, err := tx.ExecContext(ctx, `INSERT INTO weld_seats (registration_id, subject, session_id, seat, placed_at) VALUES ($1, $2, $3, $4, $5)`,
			regID, subject, sessionID, out.Seat, now); err != nil {
			if isUniqueViolation(err) {
				return ErrSeatTaken
			}
			return err
		}
		if message != nil && r.Mobile != "" {
			if err := enqueue(ctx, tx, pk, now, "sms", r.Mobile, topic, message(out)); err != nil {
				return err
			}
		}
		who.Subject, who.After = fmt.Sprintf("weld_registration:%d", regID), fmt.Sprintf("%s session %d seat %d", subject, sessionID, out.Seat)
		_, err = db.AppendAuditTx(ctx, tx, who)
		return err
	})
	return out, err
}

// ScoreWelder records a locked registration's results, one per skill item,
// in exam_results for the holder of the registration's ID (created when
// the registry does not know them yet), and marks it scored, with the
// audit entry, in one transaction. A registration scored already is
// refused (ErrWeldScored).
func (db *DB) ScoreWelder(ctx context.Context, regID, by int64, h registry.Holder, results []ExamResult, who audit.Entry) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE weld_registrations SET scored_at = $1, scored_by = $2, version = version + 1
			WHERE id = $3 AND locked_at IS NOT NULL AND scored_at IS NULL`, now, by, regID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			r, err := db.scanWeld(ctx, tx.QueryRowContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations WHERE id = $1`, regID))
			switch {
			case err != nil:
				return err
			case !r.Locked():
				return ErrWeldNotLocked
			}
			return ErrWeldScored
		}
		holderID, err := db.holderFor(ctx, tx, now, h)
		if err != nil {
			return err
		}
		for _, r := range results {
			if _, err := tx.ExecContext(ctx, `INSERT INTO exam_results (holder_id, qualification, weld_code, exam_date, theory, practical, passed, institution, weld_registration_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, holderID, r.Qualification, r.WeldCode, r.ExamDate, r.Theory, r.Practical, r.Passed, r.Institution, regID); err != nil {
				return err
			}
		}
		who.Subject, who.After = fmt.Sprintf("weld_registration:%d", regID), fmt.Sprintf("%d results", len(results))
		_, err = db.AppendAuditTx(ctx, tx, who)
		return err
	})
}

// WeldResults lists the results recorded for a registration, in item order.
func (db *DB) WeldResults(ctx context.Context, regID int64) ([]ExamResult, error) {
	return db.examResults(ctx, `WHERE weld_registration_id = $1 ORDER BY id`, regID)
}

// GrantWeldAccess opens a registration to the holder of the token whose
// hash is given, until the time given (after an SMS code proved the
// registrant's phone); an earlier token stops working.
func (db *DB) GrantWeldAccess(ctx context.Context, id int64, tokenHash string, until time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE weld_registrations SET access_hash = $1, access_until = $2 WHERE id = $3`, tokenHash, until.UTC(), id)
	return err
}

// WeldRegistrationByAccess is the registration a token opens, while it
// works.
func (db *DB) WeldRegistrationByAccess(ctx context.Context, tokenHash string) (WeldRegistration, error) {
	if tokenHash == "" {
		return WeldRegistration{}, ErrNotFound
	}
	return db.scanWeld(ctx, db.sql.QueryRowContext(ctx, `SELECT `+weldColumns+` FROM weld_registrations WHERE access_hash = $1 AND access_until > $2`, tokenHash, db.now().UTC()))
}

// ExamSessionsIn loads sessions by id.
func (db *DB) ExamSessionsIn(ctx context.Context, ids []int64) ([]ExamSession, error) {
	var out []ExamSession
	for _, id := range ids {
		list, err := db.examSessions(ctx, `WHERE id = $1`, id)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}
