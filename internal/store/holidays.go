package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"opcert/internal/audit"
	"opcert/internal/workday"
)

// calendarRevision names the counter raised by every import of a year, so
// each instance knows its cached calendar is out of date.
const calendarRevision = "holiday_years"

// HolidayYear is an imported year of the working-day calendar as stored.
type HolidayYear struct {
	Year       int
	Data       []byte // workday.YearData as JSON
	Source     string // the notice, e.g. 国办发明电〔2026〕x号
	ImportedAt time.Time
	ImportedBy string
}

// PutHolidayYear stores an imported year of the working-day calendar (the
// command line's import, which recomputes nothing: the web admin's import
// does, through ImportHolidayYear).
func (db *DB) PutHolidayYear(ctx context.Context, year int, data []byte, by string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return putHolidayYear(ctx, tx, db.now().UTC(), HolidayYear{Year: year, Data: data, ImportedBy: by})
	})
}

func putHolidayYear(ctx context.Context, tx *sql.Tx, now time.Time, y HolidayYear) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO holiday_years (year, data, source, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (year) DO UPDATE SET data = excluded.data, source = excluded.source, imported_at = excluded.imported_at, imported_by = excluded.imported_by`,
		y.Year, string(y.Data), y.Source, now, y.ImportedBy); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`, calendarRevision)
	return err
}

// HolidayYears returns the imported years' data, by year.
func (db *DB) HolidayYears(ctx context.Context) ([][]byte, error) {
	years, err := db.ImportedHolidayYears(ctx)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(years))
	for i, y := range years {
		out[i] = y.Data
	}
	return out, nil
}

// ImportedHolidayYears lists the imported years with who imported them.
func (db *DB) ImportedHolidayYears(ctx context.Context) ([]HolidayYear, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT year, data, source, imported_at, imported_by FROM holiday_years ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HolidayYear
	for rows.Next() {
		var y HolidayYear
		var data string
		if err := rows.Scan(&y.Year, &data, &y.Source, &y.ImportedAt, &y.ImportedBy); err != nil {
			return nil, err
		}
		y.Data = []byte(data)
		out = append(out, y)
	}
	return out, rows.Err()
}

// CalendarRevision is raised by every import of a holiday year; a cached
// calendar built at another revision must be loaded again.
func (db *DB) CalendarRevision(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = $1`, calendarRevision).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// DeadlineChange is what counting an application's provisional deadlines
// again decided: the new deadlines (unchanged ones given back as they were),
// the history line, and the SMS when a date moved.
type DeadlineChange struct {
	ApplicationID      int64
	Due, CorrectionDue workday.Deadline
	Note               string
	SMS, SMSTopic      string
}

// ProvisionalDeadlines lists the applications under way with a deadline
// counted over a year without its notice.
func (db *DB) ProvisionalDeadlines(ctx context.Context) ([]Application, error) {
	return db.queryApplicationsOn(ctx, db.sql, provisionalQuery)
}

const provisionalQuery = `SELECT ` + appColumns + ` FROM applications
	WHERE (due_assumed <> '' OR correction_assumed <> '') AND status IN ('submitted', 'correction', 'accepted', 'examining', 'reviewed') ORDER BY id`

// ImportHolidayYear stores an imported year and, in the same transaction,
// applies what decide makes of every open application with a provisional
// deadline (given as they stand inside the transaction): the new deadlines,
// a history line and an audit entry each, and the SMS. who is the admin's
// audit entry, completed here for the import and for each application.
// It returns the changes written.
func (db *DB) ImportHolidayYear(ctx context.Context, y HolidayYear, who audit.Entry, decide func([]Application) ([]DeadlineChange, error)) ([]DeadlineChange, error) {
	now := db.now().UTC()
	var out []DeadlineChange
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		y.ImportedBy = fmt.Sprintf("%s:%d", who.ActorRole, who.ActorID)
		if err := putHolidayYear(ctx, tx, now, y); err != nil {
			return err
		}
		e := who
		e.Action, e.Subject, e.After = "import_holiday_year", fmt.Sprintf("holiday_year:%d", y.Year), y.Source
		if _, err := db.AppendAuditTx(ctx, tx, e); err != nil {
			return err
		}
		apps, err := db.queryApplicationsOn(ctx, tx, provisionalQuery)
		if err != nil {
			return err
		}
		changes, err := decide(apps)
		if err != nil {
			return err
		}
		byID := make(map[int64]Application, len(apps))
		for _, a := range apps {
			byID[a.ID] = a
		}
		for _, c := range changes {
			a, ok := byID[c.ApplicationID]
			if !ok {
				return fmt.Errorf("store: deadline change for application %d, which has no provisional deadline", c.ApplicationID)
			}
			vals := append([]any{now, a.ID}, deadlineArgs(c.Due)...)
			if _, err := tx.ExecContext(ctx, `UPDATE applications SET version = version + 1, updated_at = $1,
					due_on = $3, due_from = $4, due_workdays = $5, due_assumed = $6,
					correction_deadline = $7, correction_from = $8, correction_workdays = $9, correction_assumed = $10
				WHERE id = $2`, append(vals, deadlineArgs(c.CorrectionDue)...)...); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, now, a.ID, who.ActorID, "recompute_deadline", string(a.Status), string(a.Status), c.Note); err != nil {
				return err
			}
			ae := who
			ae.Action, ae.Subject = "recompute_deadline", fmt.Sprintf("application:%d", a.ID)
			ae.Before = fmt.Sprintf("due=%s; correction=%s", describe(a.Due), describe(a.CorrectionDue))
			ae.After = fmt.Sprintf("due=%s; correction=%s", describe(c.Due), describe(c.CorrectionDue))
			if _, err := db.AppendAuditTx(ctx, tx, ae); err != nil {
				return err
			}
			if c.SMS != "" {
				if err := enqueueToApplicant(ctx, tx, now, a.ApplicantID, c.SMSTopic, c.SMS); err != nil {
					return err
				}
			}
		}
		out = changes
		return nil
	})
	return out, err
}

// describe is a deadline in an audit line: the date, and the years it
// assumed.
func describe(d workday.Deadline) string {
	if d.IsZero() {
		return "-"
	}
	if d.Provisional() {
		return d.Date.String() + "(assumed " + formatYears(d.Assumed) + ")"
	}
	return d.Date.String()
}

// enqueueToApplicant queues a message to an applicant account's mobile,
// copied as users keeps it (sealed, with its HMAC): no key is needed.
func enqueueToApplicant(ctx context.Context, tx *sql.Tx, now time.Time, applicantID int64, topic, body string) error {
	to, err := applicantRecipient(ctx, tx, applicantID)
	if err != nil {
		return err
	}
	return enqueueKept(ctx, tx, now, "sms", to.mobile, to.mobileHMAC, topic, body)
}

// recipient is where an SMS to a user goes: the mobile as stored (sealed)
// and its keyed hash, by which the outbox is searched.
type recipient struct{ mobile, mobileHMAC string }

func applicantRecipient(ctx context.Context, tx *sql.Tx, applicantID int64) (recipient, error) {
	var to recipient
	err := tx.QueryRowContext(ctx, `SELECT mobile, COALESCE(mobile_hmac, '') FROM users WHERE id = $1`, applicantID).Scan(&to.mobile, &to.mobileHMAC)
	return to, err
}
