package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/audit"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/workday"
)

// Application is an application as stored: the columns the service queries
// on, and the form itself as JSON that the application package owns.
type Application struct {
	ID             int64
	Number         string // 申请号; empty while a draft
	ApplicantID    int64
	HolderID       int64
	Matter         application.Matter
	AuthorityCode  string
	Status         application.Status
	Step           string
	Data           []byte
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SubmittedAt    time.Time
	DraftExpiresOn civil.Date
	// CorrectionDue is the 补正期限 while the application is back with the
	// applicant; Due the authority's current legal deadline (受理 or 决定).
	// Either may be provisional (暂定) while a year it reaches has no notice.
	CorrectionDue workday.Deadline
	PublicToken   string // opens the public progress page (QR codes on notices)
	Due           workday.Deadline
	AcceptedOn    civil.Date
	DecidedOn     civil.Date
	// DecisionOpinion is the 审批意见 of the decision (准予许可, 不予许可).
	DecisionOpinion string
}

// AppItem is one item an application is for; while the application is
// active no other application of the same person may be for it.
type AppItem struct {
	Qualification string
	WeldCode      string
}

// Errors an application change can meet.
var (
	ErrStale           = errors.New("申请已在其他页面或由他人修改，请刷新后重试")
	ErrActiveElsewhere = errors.New("同一作业项目已有正在办理的申请")
	ErrExamResultTaken = errors.New("所选的考试成绩已被其他申请使用或已不可用，请重新选择")
	// ErrMaterialsChanged: the files changed while the application was being
	// submitted; nothing was submitted.
	ErrMaterialsChanged = errors.New("申请材料在提交时发生了变化，本次未提交，请核对材料后重新提交")
	// ErrNotEditable: the application left the applicant's hands (submitted)
	// before the file change; nothing was changed.
	ErrNotEditable = errors.New("申请已提交，材料不能再修改；受理机关要求补正时才能修改")
)

const appColumns = `id, COALESCE(number, ''), applicant_id, holder_id, matter, COALESCE(authority_code, ''), status, step, data, version,
	created_at, updated_at, submitted_at, draft_expires_on, COALESCE(public_token, ''), accepted_on, decided_on,
	due_on, due_from, due_workdays, due_assumed, correction_deadline, correction_from, correction_workdays, correction_assumed, decision_opinion`

// applicationRow holds what a row of appColumns is scanned into besides the
// Application's own fields.
type applicationRow struct {
	submitted                     sql.NullTime
	data                          any
	dueAssumed, correctionAssumed string
}

// dest is where a row of appColumns is scanned, in its order.
func (r *applicationRow) dest(a *Application) []any {
	return []any{&a.ID, &a.Number, &a.ApplicantID, &a.HolderID, &a.Matter, &a.AuthorityCode, &a.Status, &a.Step, &r.data, &a.Version,
		&a.CreatedAt, &a.UpdatedAt, &r.submitted, &a.DraftExpiresOn, &a.PublicToken, &a.AcceptedOn, &a.DecidedOn,
		&a.Due.Date, &a.Due.From, &a.Due.Workdays, &r.dueAssumed,
		&a.CorrectionDue.Date, &a.CorrectionDue.From, &a.CorrectionDue.Workdays, &r.correctionAssumed, &a.DecisionOpinion}
}

// finishApplication opens the form of a scanned row and sets the fields
// that need converting.
func (db *DB) finishApplication(ctx context.Context, a *Application, r *applicationRow) error {
	var form string
	switch d := r.data.(type) {
	case string:
		form = d
	case []byte:
		form = string(d)
	}
	form, err := db.openText(ctx, form)
	if err != nil {
		return fmt.Errorf("store: the form of application %d: %w", a.ID, err)
	}
	a.Data = []byte(form)
	a.SubmittedAt = r.submitted.Time
	a.Due.Assumed, a.CorrectionDue.Assumed = parseYears(r.dueAssumed), parseYears(r.correctionAssumed)
	return nil
}

// scanApplication reads a row of appColumns, the form opened.
func (db *DB) scanApplication(ctx context.Context, row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var r applicationRow
	err := row.Scan(r.dest(&a)...)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	return a, db.finishApplication(ctx, &a, &r)
}

// formatYears and parseYears keep a deadline's assumed years as "2027,2028".
func formatYears(ys []int) string {
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ",")
}

func parseYears(s string) []int {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		if y, err := strconv.Atoi(strings.TrimSpace(part)); err == nil {
			out = append(out, y)
		}
	}
	return out
}

// deadlineArgs are the four columns of a deadline, in the order the
// applications table has them.
func deadlineArgs(d workday.Deadline) []any {
	if d.IsZero() {
		return []any{nil, nil, 0, ""}
	}
	return []any{d.Date, d.From, d.Workdays, formatYears(d.Assumed)}
}

// CreateDraft stores a new draft and returns it with its ID.
func (db *DB) CreateDraft(ctx context.Context, a Application) (Application, error) {
	now := db.now().UTC()
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
	form, err := db.sealText(ctx, string(a.Data))
	if err != nil {
		return a, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO applications (applicant_id, holder_id, matter, authority_code, status, step, data, version, created_at, updated_at, draft_expires_on)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, $9) RETURNING id`,
			a.ApplicantID, a.HolderID, a.Matter, nullString(a.AuthorityCode), a.Status, a.Step, form, now, a.DraftExpiresOn).Scan(&a.ID)
		if err != nil {
			return err
		}
		return addEvent(ctx, tx, now, a.ID, a.ApplicantID, "create", "", string(a.Status), "")
	})
	return a, err
}

// ApplicationOf returns an application only to its own applicant: another
// person's number gives ErrNotFound, the same as a number that does not
// exist, so nothing about it leaks.
func (db *DB) ApplicationOf(ctx context.Context, id, applicantID int64) (Application, error) {
	return db.scanApplication(ctx, db.queryRow(ctx, `SELECT `+appColumns+` FROM applications WHERE id = $1 AND applicant_id = $2`, id, applicantID))
}

// Applications lists an applicant's applications, newest edit first,
// optionally only those in some statuses.
func (db *DB) Applications(ctx context.Context, applicantID int64, statuses []string) ([]Application, error) {
	q := `SELECT ` + appColumns + ` FROM applications WHERE applicant_id = $1`
	args := []any{applicantID}
	if len(statuses) > 0 {
		var ph []string
		for _, s := range statuses {
			args = append(args, s)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		q += ` AND status IN (` + strings.Join(ph, ", ") + `)`
	}
	return db.queryApplications(ctx, q+` ORDER BY updated_at DESC, id DESC`, args...)
}

// SaveDraft writes the form of an application still in the applicant's
// hands (a draft, or one reopened for 补正). version must be the one the
// page was built from; a change made meanwhile elsewhere gives ErrStale and
// nothing is overwritten.
func (db *DB) SaveDraft(ctx context.Context, a Application, editable []string) (Application, error) {
	now := db.now().UTC()
	form, err := db.sealText(ctx, string(a.Data))
	if err != nil {
		return a, err
	}
	ph := make([]string, len(editable))
	args := []any{form, a.Step, nullString(a.AuthorityCode), now, a.DraftExpiresOn, a.ID, a.ApplicantID, a.Version}
	for i, s := range editable {
		args = append(args, s)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	res, err := db.w.ExecContext(ctx, `
		UPDATE applications SET data = $1, step = $2, authority_code = $3, updated_at = $4, draft_expires_on = $5, version = version + 1
		WHERE id = $6 AND applicant_id = $7 AND version = $8 AND status IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return a, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.ApplicationOf(ctx, a.ID, a.ApplicantID); err != nil {
			return a, err
		}
		return a, ErrStale
	}
	a.Version++
	a.UpdatedAt = now
	return a, nil
}

// Transition is one state change of an application, applied atomically
// with its items, history line and SMS.
type Transition struct {
	ID, ActorID int64
	ApplicantID int64 // when set, the application must be this applicant's
	Version     int
	From        []string // statuses the change may start from
	To          string
	Action      string
	Note        string
	// Opinion is the 审批意见 or 初审意见 of the step, on its history line;
	// DecisionOpinion is kept with the decision on the application.
	Opinion, DecisionOpinion string
	AssignNumber             bool      // 提交: give the 申请号 now
	Items                    []AppItem // replace the items (on 提交)
	ItemsActive              *bool     // set the items' active flag
	Data                     []byte    // replace the form, when not nil
	SMS                      string    // text to queue for the applicant's mobile
	SMSTopic                 string
	// SMSFor, when set, gives the text instead of SMS once the 申请号 is
	// known (the first 提交 assigns it inside the transaction).
	SMSFor func(number string) string
	// SetAuthority sends the application to this 受理机关 (on the first
	// 提交; afterwards only a transfer changes it).
	SetAuthority  string
	CorrectionDue workday.Deadline // the 补正期限; zero clears it
	// AuthorityCode, when set, limits the change to that 受理机关's
	// applications (an officer acts for one district only).
	AuthorityCode string
	Due           workday.Deadline // the next legal deadline; zero clears it
	AcceptedOn    civil.Date       // set on 受理
	DecidedOn     civil.Date       // set on 准予/不予许可
	// Grant writes the registry in the same transaction as 准予许可.
	Grant *Grant
	// UseExamResults are the passed results the application cites (welding):
	// each is consumed by it, so no other application can cite it
	// (ErrExamResultTaken). ReleaseExamResults gives them back when the
	// application ends without a decision on its merits.
	UseExamResults     []int64
	ReleaseExamResults bool
	// RecordExam is a score recorded for the application (passed or not:
	// every score is kept, the 补考 rule counts them).
	RecordExam *ExamResult
	// LeaveExamAfter, when set, gives up the application's seats and
	// waitlist places in sessions after this day (it no longer sits them).
	LeaveExamAfter civil.Date
	// Notices are the documents the action issues, recorded with its
	// history line.
	Notices []Notice
	// RequireMaterials are the material keys that must each have a file when
	// the change is written (提交 checked them before; a deletion since
	// gives ErrMaterialsChanged).
	RequireMaterials []string
	// Audit, when set, is appended to the audit log in the same
	// transaction, with Before and After filled in from the statuses.
	Audit *audit.Entry
	// UnitWorker, when set (on 提交), replaces the 单位 that may follow the
	// applicant's certificate items: the credit code they named and agreed
	// to share with, or none ("").
	UnitWorker *UnitWorker
}

// Grant is what 准予许可 writes into the registry: new lines on the
// holder's certificate (numbered with their 证件号码) and the lines they
// replace, marked 已换发.
type Grant struct {
	Items     []registry.Item
	Supersede []int64 // registry item IDs renewed or reissued
}

// Apply performs a Transition. ErrStale when the application changed since
// the page was shown or is no longer in a state the action starts from;
// ErrActiveElsewhere (wrapped, naming the other application) when an item is
// already under way in another application.
func (db *DB) Apply(ctx context.Context, t Transition) (Application, error) {
	outs, err := db.ApplyAll(ctx, []Transition{t})
	if err != nil {
		return Application{}, err
	}
	return outs[0], nil
}

// ApplyAll performs the Transitions in one transaction, each as Apply
// would: all are written, or, at the first refusal, none.
func (db *DB) ApplyAll(ctx context.Context, ts []Transition) ([]Application, error) {
	now := db.now().UTC()
	// The forms are sealed inside the transaction with keys read before it.
	if _, err := db.personal(ctx); err != nil {
		return nil, err
	}
	var outs []Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		outs = outs[:0]
		for _, t := range ts {
			var out Application
			if err := db.applyTx(ctx, tx, now, t, &out); err != nil {
				return err
			}
			outs = append(outs, out)
		}
		return nil
	})
	return outs, err
}

// applyTx writes one Transition inside tx, leaving the application after
// it in out.
func (db *DB) applyTx(ctx context.Context, tx *sql.Tx, now time.Time, t Transition, out *Application) error {
	q := `SELECT ` + appColumns + ` FROM applications WHERE id = $1`
	args := []any{t.ID}
	if t.ApplicantID != 0 {
		q += ` AND applicant_id = $2`
		args = append(args, t.ApplicantID)
	}
	// The row is locked for the transaction (SQLite: its one writer), so
	// a material added or deleted meanwhile waits for this change and
	// then sees its outcome.
	a, err := db.scanApplication(ctx, tx.QueryRowContext(ctx, q+db.forUpdate(), args...))
	if err != nil {
		return err
	}
	if t.AuthorityCode != "" && a.AuthorityCode != t.AuthorityCode {
		return ErrNotFound
	}
	if a.Version != t.Version || !contains(t.From, string(a.Status)) {
		return ErrStale
	}
	assign := t.AssignNumber && a.Number == ""
	if t.Data != nil {
		a.Data = t.Data
	}
	if t.SetAuthority != "" {
		a.AuthorityCode = t.SetAuthority
	}
	submitted := sql.NullTime{Time: a.SubmittedAt, Valid: !a.SubmittedAt.IsZero()}
	if t.To == "submitted" && !submitted.Valid {
		submitted = sql.NullTime{Time: now, Valid: true}
	}
	form, err := db.sealText(ctx, string(a.Data))
	if err != nil {
		return err
	}
	// The day of arrival in China (from which the dashboard counts the
	// working days to 受理), the days of 受理 and of the decision, the
	// 审批意见 and a new 受理机关 are written by the same statement as the
	// status, each only when the change sets it: on PostgreSQL every
	// statement is a round trip, on SQLite one more step of the one writer.
	var submittedOn civil.Date
	if t.To == "submitted" && a.SubmittedAt.IsZero() {
		submittedOn = civil.Of(now)
	}
	vals := append([]any{t.To, nullString(a.Number), form, now, submitted, a.ID}, deadlineArgs(t.Due)...)
	vals = append(vals, deadlineArgs(t.CorrectionDue)...)
	vals = append(vals, submittedOn, t.AcceptedOn, t.DecidedOn, nullString(t.DecisionOpinion), nullString(t.SetAuthority))
	if _, err := tx.ExecContext(ctx, `
			UPDATE applications SET status = $1, number = $2, data = $3, version = version + 1, updated_at = $4, submitted_at = $5,
				draft_expires_on = NULL, due_on = $7, due_from = $8, due_workdays = $9, due_assumed = $10,
				correction_deadline = $11, correction_from = $12, correction_workdays = $13, correction_assumed = $14,
				submitted_on = COALESCE($15, submitted_on), accepted_on = COALESCE($16, accepted_on),
				decided_on = COALESCE($17, decided_on), decision_opinion = COALESCE($18, decision_opinion),
				authority_code = COALESCE($19, authority_code)
			WHERE id = $6`, vals...); err != nil {
		return err
	}
	if t.Grant != nil {
		if err := db.grant(ctx, tx, now, a.HolderID, *t.Grant); err != nil {
			return err
		}
	}
	if err := examResultsOfChange(ctx, tx, a, t); err != nil {
		return err
	}
	if !t.LeaveExamAfter.IsZero() {
		if _, err := tx.ExecContext(ctx, `DELETE FROM exam_seats WHERE application_id = $1
				AND session_id IN (SELECT id FROM exam_sessions WHERE exam_date > $2)`, a.ID, t.LeaveExamAfter); err != nil {
			return err
		}
	}
	if err := materialsStillThere(ctx, tx, a.ID, t.RequireMaterials); err != nil {
		return err
	}
	if t.Items != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM application_items WHERE application_id = $1`, a.ID); err != nil {
			return err
		}
		for _, it := range t.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO application_items (application_id, holder_id, qualification, weld_code, active) VALUES ($1, $2, $3, $4, $5)`,
				a.ID, a.HolderID, it.Qualification, it.WeldCode, false); err != nil {
				return err
			}
		}
	}
	if t.ItemsActive != nil {
		if *t.ItemsActive {
			if err := activeElsewhere(ctx, tx, a); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE application_items SET active = $1 WHERE application_id = $2`, *t.ItemsActive, a.ID); err != nil {
			if isUniqueViolation(err) {
				return ErrActiveElsewhere
			}
			return err
		}
	}
	eventID, err := addEventID(ctx, tx, now, a.ID, t.ActorID, t.Action, string(a.Status), t.To, t.Note)
	if err != nil {
		return err
	}
	if t.Opinion != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE application_events SET opinion = $1 WHERE id = $2`, t.Opinion, eventID); err != nil {
			return err
		}
	}
	if err := db.addNotices(ctx, tx, now, a.ID, eventID, t.Notices); err != nil {
		return err
	}
	if t.UnitWorker != nil {
		if err := putUnitWorker(ctx, tx, now, a, *t.UnitWorker); err != nil {
			return err
		}
	}
	if t.Audit != nil {
		e := *t.Audit
		e.Subject = fmt.Sprintf("application:%d", a.ID)
		e.Before, e.After = "status="+string(a.Status), "status="+t.To
		if t.Note != "" {
			e.After += "; " + t.Note
		}
		if t.Opinion != "" {
			e.After += "; 意见：" + t.Opinion
		}
		if _, err := db.AppendAuditTx(ctx, tx, e); err != nil {
			return err
		}
	}
	// The applicant's mobile is read before the 申请号 is taken, so that
	// the statements under the day's counter lock are as few as they can be.
	var to recipient
	if t.SMS != "" || t.SMSFor != nil {
		if to, err = applicantRecipient(ctx, tx, a.ApplicantID); err != nil {
			return err
		}
	}
	if assign {
		// The 申请号 comes last: the day's counter row stays locked from
		// here to the commit, and every submission of the day waits for
		// it (on PostgreSQL; SQLite has one writer anyway). Taken first,
		// it was held through every statement above and submissions ran
		// one at a time. A transaction that fails earlier takes no
		// number, so the numbers of a day stay dense. On PostgreSQL the
		// counter and the application's number are one statement: each
		// round trip under the lock is one every other submission waits
		// for (the counter's statement was 6.4 ms of waiting per
		// submission at 8 at once, pg_stat_statements under opcert load).
		if db.dialect == Postgres {
			*out, err = db.scanApplication(ctx, tx.QueryRowContext(ctx, numberedByCounterSQL,
				numberCounter(now), numberPrefix(now), newPublicToken(), a.ID))
		} else {
			var number string
			if number, err = nextNumber(ctx, tx, now); err != nil {
				return err
			}
			*out, err = db.scanApplication(ctx, tx.QueryRowContext(ctx, `UPDATE applications SET number = $1, public_token = $2 WHERE id = $3 RETURNING `+appColumns,
				number, newPublicToken(), a.ID))
		}
	} else {
		*out, err = db.scanApplication(ctx, tx.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE id = $1`, a.ID))
	}
	if err != nil {
		return err
	}
	// The SMS names the 申请号, known only now on the first 提交.
	sms := t.SMS
	if t.SMSFor != nil {
		sms = t.SMSFor(out.Number)
	}
	if sms == "" {
		return nil
	}
	return enqueueKept(ctx, tx, now, "sms", to.mobile, to.mobileHMAC, t.SMSTopic, sms)
}

// numberedByCounterSQL takes the day's next 申请号 from its counter and
// gives it, with the public token, to the application, as nextNumber and
// the update after it do on SQLite: the date's digits ($2), then the
// sequence in six digits or more.
const numberedByCounterSQL = `WITH n AS (
		INSERT INTO counters (name, value) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
		RETURNING value)
	UPDATE applications SET number = $2 || CASE WHEN n.value > 999999 THEN n.value::text ELSE lpad(n.value::text, 6, '0') END,
		public_token = $3
	FROM n WHERE applications.id = $4 RETURNING ` + appColumns

// materialsStillThere is ErrMaterialsChanged unless each of the keys has a
// file on the application, asked in one statement whatever their number.
func materialsStillThere(ctx context.Context, tx *sql.Tx, applicationID int64, keys []string) error {
	distinct := slices.Compact(slices.Sorted(slices.Values(keys)))
	if len(distinct) == 0 {
		return nil
	}
	args := []any{applicationID}
	ph := make([]string, len(distinct))
	for i, k := range distinct {
		args = append(args, k)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	q := `SELECT COUNT(DISTINCT material) FROM materials WHERE application_id = $1 AND material IN (` + strings.Join(ph, ", ") + `)`
	var n int
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return err
	}
	if n != len(distinct) {
		return ErrMaterialsChanged
	}
	return nil
}

func examResultsOfChange(ctx context.Context, tx *sql.Tx, a Application, t Transition) error {
	for _, id := range t.UseExamResults {
		res, err := tx.ExecContext(ctx, `UPDATE exam_results SET used_by = $1
			WHERE id = $2 AND holder_id = $3 AND passed AND (used_by IS NULL OR used_by = $1)`, a.ID, id, a.HolderID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrExamResultTaken
		}
	}
	if t.ReleaseExamResults {
		if _, err := tx.ExecContext(ctx, `UPDATE exam_results SET used_by = NULL WHERE used_by = $1 AND passed`, a.ID); err != nil {
			return err
		}
	}
	if r := t.RecordExam; r != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exam_results (holder_id, qualification, weld_code, exam_date, theory, practical, passed, institution, used_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, a.HolderID, r.Qualification, r.WeldCode, r.ExamDate, r.Theory, r.Practical, r.Passed, r.Institution, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// ActiveItem is an item of a person's application under way.
type ActiveItem struct {
	Qualification, WeldCode string
	ApplicationID           int64
	Number                  string
}

// ActiveItems lists the items of the person's applications under way.
func (db *DB) ActiveItems(ctx context.Context, holderID int64) ([]ActiveItem, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT i.qualification, i.weld_code, i.application_id, COALESCE(a.number, '')
		FROM application_items i JOIN applications a ON a.id = i.application_id
		WHERE i.holder_id = $1 AND i.active ORDER BY i.application_id`, holderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ActiveItem
	for rows.Next() {
		var it ActiveItem
		if err := rows.Scan(&it.Qualification, &it.WeldCode, &it.ApplicationID, &it.Number); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ActiveConflict names the other application already under way for an item.
type ActiveConflict struct {
	ApplicationID int64
	Number        string
	Qualification string
}

func (e *ActiveConflict) Error() string {
	return fmt.Sprintf("作业项目 %s 已有正在办理的申请（申请号 %s），不能重复申请", e.Qualification, e.Number)
}

func (e *ActiveConflict) Unwrap() error { return ErrActiveElsewhere }

func activeElsewhere(ctx context.Context, tx *sql.Tx, a Application) error {
	var c ActiveConflict
	err := tx.QueryRowContext(ctx, `
		SELECT o.application_id, COALESCE(ap.number, ''), o.qualification
		FROM application_items mine
		JOIN application_items o ON o.holder_id = mine.holder_id AND o.qualification = mine.qualification AND o.weld_code = mine.weld_code
			AND o.active AND o.application_id <> mine.application_id
		JOIN applications ap ON ap.id = o.application_id
		WHERE mine.application_id = $1 LIMIT 1`, a.ID).Scan(&c.ApplicationID, &c.Number, &c.Qualification)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return &c
}

// nextNumber gives the 申请号: twelve digits like the seed's 002070200052,
// here the date (YYMMDD) and a six-digit sequence of that day.
func nextNumber(ctx context.Context, tx *sql.Tx, now time.Time) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO counters (name, value) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
		RETURNING value`, numberCounter(now)).Scan(&n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%06d", numberPrefix(now), n), nil
}

// numberCounter names the counter of the day's 申请号 (the day in China).
func numberCounter(now time.Time) string { return "application:" + civil.Of(now).String() }

// numberPrefix is the date part of the day's 申请号, YYMMDD.
func numberPrefix(now time.Time) string {
	day := civil.Of(now)
	return fmt.Sprintf("%02d%02d%02d", day.Year%100, day.Month, day.Day)
}

func addEvent(ctx context.Context, tx *sql.Tx, now time.Time, appID, actorID int64, action, from, to, note string) error {
	_, err := addEventID(ctx, tx, now, appID, actorID, action, from, to, note)
	return err
}

func addEventID(ctx context.Context, tx *sql.Tx, now time.Time, appID, actorID int64, action, from, to, note string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO application_events (application_id, at, actor_id, action, from_status, to_status, note, actor_authority)
		VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT authority_code FROM users WHERE id = $3)) RETURNING id`, appID, now, nullInt(actorID), action, from, to, note).Scan(&id)
	return id, err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Event is one line of an application's history, with who acted: the
// account's name and role, and the 受理机关 it acted for then.
type Event struct {
	At                     time.Time
	ActorID                int64
	Action, From, To, Note string
	ActorName, ActorRole   string
	ActorAuthority         string // district code; "" for the applicant, the system and admins
	Opinion                string // the 审批意见 or 初审意见 given with the step
}

// eventColumns are the columns of an Event, from application_events e
// joined with the acting account u.
const eventColumns = `e.at, COALESCE(e.actor_id, 0), e.action, e.from_status, e.to_status, e.note,
	COALESCE(u.name, ''), COALESCE(u.role, ''), COALESCE(e.actor_authority, ''), e.opinion`

// Events lists an application's history, oldest first.
func (db *DB) Events(ctx context.Context, appID int64) ([]Event, error) {
	rows, err := db.query(ctx, `SELECT `+eventColumns+`
		FROM application_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.application_id = $1 ORDER BY e.id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.ActorID, &e.Action, &e.From, &e.To, &e.Note, &e.ActorName, &e.ActorRole, &e.ActorAuthority, &e.Opinion); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Material is one uploaded file of an application.
type Material struct {
	ID            int64
	ApplicationID int64
	Material      string
	BlobKey       string
	Filename      string
	ContentType   string
	Size          int64
	SHA256        string
	UploadedAt    time.Time
}

// AddMaterial records an uploaded file (the file itself is already in the
// blob store under m.BlobKey) while the application is in the applicant's
// hands (a draft, or back for 补正): checked on the locked row, in the same
// order as 提交, so a file cannot slip in after the submission
// (ErrNotEditable).
func (db *DB) AddMaterial(ctx context.Context, m Material) (Material, error) {
	m.UploadedAt = db.now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.editable(ctx, tx, m.ApplicationID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `
			INSERT INTO materials (application_id, material, blob_key, filename, content_type, size, sha256, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			m.ApplicationID, m.Material, m.BlobKey, m.Filename, m.ContentType, m.Size, m.SHA256, m.UploadedAt).Scan(&m.ID)
	})
	return m, err
}

// editable locks the application row and checks it is still the
// applicant's to change.
func (db *DB) editable(ctx context.Context, tx *sql.Tx, appID int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = $1`+db.forUpdate(), appID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if !application.Status(status).EditableByApplicant() {
		return ErrNotEditable
	}
	return nil
}

// forUpdate locks the rows a transaction reads to change on PostgreSQL;
// SQLite's transactions already run one writer at a time.
func (db *DB) forUpdate() string {
	if db.dialect == Postgres {
		return ` FOR UPDATE`
	}
	return ""
}

// Materials lists an application's files in upload order.
func (db *DB) Materials(ctx context.Context, appID int64) ([]Material, error) {
	rows, err := db.query(ctx, `SELECT id, application_id, material, blob_key, filename, content_type, size, sha256, uploaded_at
		FROM materials WHERE application_id = $1 ORDER BY id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Material
	for rows.Next() {
		var m Material
		if err := rows.Scan(&m.ID, &m.ApplicationID, &m.Material, &m.BlobKey, &m.Filename, &m.ContentType, &m.Size, &m.SHA256, &m.UploadedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteMaterial removes a file record of an application and returns it so
// the caller can delete the blob.
//
// Like AddMaterial it waits for, and respects, a submission under way
// (ErrNotEditable).
func (db *DB) DeleteMaterial(ctx context.Context, appID, materialID int64) (Material, error) {
	var m Material
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.editable(ctx, tx, appID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `DELETE FROM materials WHERE id = $1 AND application_id = $2
			RETURNING id, application_id, material, blob_key, filename, content_type, size, sha256, uploaded_at`, materialID, appID).
			Scan(&m.ID, &m.ApplicationID, &m.Material, &m.BlobKey, &m.Filename, &m.ContentType, &m.Size, &m.SHA256, &m.UploadedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return m, err
}

// ExpiredDraft is a draft past its keeping date, with its files.
type ExpiredDraft struct {
	ID          int64
	ApplicantID int64
	Matter      string
	BlobKeys    []string
}

// DeleteExpiredDrafts removes drafts whose keeping date is before today
// (seed 000 3.5: 暂存倒计时为负时，系统将自动进行删除) and returns the blob keys
// of their files for the caller to delete. The rows go first: a file left
// behind by a crash is harmless; a row pointing at a missing file is not.
//
// message, when not nil, gives the SMS telling the applicant, queued in the
// same transaction ("" for none).
func (db *DB) DeleteExpiredDrafts(ctx context.Context, today civil.Date, message func(ExpiredDraft) string) ([]ExpiredDraft, error) {
	now := db.now().UTC()
	var out []ExpiredDraft
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.applicant_id, a.matter, m.blob_key FROM applications a LEFT JOIN materials m ON m.application_id = a.id
			WHERE a.status = 'draft' AND a.draft_expires_on < $1 ORDER BY a.id`, today)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, applicant int64
			var matter string
			var key sql.NullString
			if err := rows.Scan(&id, &applicant, &matter, &key); err != nil {
				rows.Close()
				return err
			}
			if len(out) == 0 || out[len(out)-1].ID != id {
				out = append(out, ExpiredDraft{ID: id, ApplicantID: applicant, Matter: matter})
			}
			if key.Valid {
				out[len(out)-1].BlobKeys = append(out[len(out)-1].BlobKeys, key.String)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id = $1`, d.ID); err != nil {
				return err
			}
			if message == nil {
				continue
			}
			if sms := message(d); sms != "" {
				if err := enqueueToApplicant(ctx, tx, now, d.ApplicantID, "draft_expired", sms); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// ExamResult is a recorded exam outcome of a person.
type ExamResult struct {
	ID                int64
	HolderID          int64
	Qualification     string
	WeldCode          string
	ExamDate          civil.Date
	Theory, Practical sql.NullInt64
	Passed            bool
	Institution       string
	UsedBy            int64
}

// AddExamResult records a result (demo data now, the exam system later).
func (db *DB) AddExamResult(ctx context.Context, r ExamResult) (ExamResult, error) {
	err := db.w.QueryRowContext(ctx, `INSERT INTO exam_results (holder_id, qualification, weld_code, exam_date, theory, practical, passed, institution)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.HolderID, r.Qualification, r.WeldCode, r.ExamDate, r.Theory, r.Practical, r.Passed, r.Institution).Scan(&r.ID)
	return r, err
}

// PassedExamResults lists a person's passed results not yet used by an
// application, newest first.
func (db *DB) PassedExamResults(ctx context.Context, holderID int64) ([]ExamResult, error) {
	return db.examResults(ctx, `WHERE holder_id = $1 AND passed AND used_by IS NULL ORDER BY exam_date DESC, id DESC`, holderID)
}

// ExamResultsOf lists the results an application cites or had recorded,
// oldest first.
func (db *DB) ExamResultsOf(ctx context.Context, appID int64) ([]ExamResult, error) {
	return db.examResults(ctx, `WHERE used_by = $1 ORDER BY id`, appID)
}

func (db *DB) examResults(ctx context.Context, where string, args ...any) ([]ExamResult, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, holder_id, qualification, weld_code, exam_date, theory, practical, passed, institution, COALESCE(used_by, 0)
		FROM exam_results `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExamResult
	for rows.Next() {
		var r ExamResult
		if err := rows.Scan(&r.ID, &r.HolderID, &r.Qualification, &r.WeldCode, &r.ExamDate, &r.Theory, &r.Practical, &r.Passed, &r.Institution, &r.UsedBy); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OverdueCorrections lists applications whose 补正 deadline passed before
// today: 《市场监督管理行政许可程序暂行规定》 counts them as withdrawn
// (申请人无正当理由逾期不予补正的，视为放弃行政许可申请). A provisional (暂定)
// deadline is left out: taking an application as abandoned is a legal
// consequence and must rest on the final date, which the import of the
// missing year gives.
func (db *DB) OverdueCorrections(ctx context.Context, today civil.Date) ([]Application, error) {
	return db.queryApplications(ctx, `SELECT `+appColumns+` FROM applications
		WHERE status = 'correction' AND correction_deadline IS NOT NULL AND correction_deadline < $1 AND correction_assumed = '' ORDER BY id`, today)
}

// newPublicToken is 16 random bytes: unguessable, so the progress page of
// an application opens only from its notices.
func newPublicToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// progressByTokenSQL reads an application found by the token of its
// notices' QR codes and its history in one statement: the progress page is
// public and scanned often, and each statement has a fixed cost (on SQLite
// the start and end of a read, on PostgreSQL a round trip) as large as the
// reading. The application's columns come again on each line of its
// history; only the first line's are scanned.
const progressByTokenSQL = `SELECT a.*, ` + eventColumns + `
	FROM (SELECT ` + appColumns + ` FROM applications WHERE public_token = $1) a
	LEFT JOIN application_events e ON e.application_id = a.id LEFT JOIN users u ON u.id = e.actor_id
	ORDER BY e.id`

// ApplicationProgress finds an application from the QR code of one of its
// notices, with its history oldest first.
func (db *DB) ApplicationProgress(ctx context.Context, token string) (Application, []Event, error) {
	if token == "" {
		return Application{}, nil, ErrNotFound
	}
	rows, err := db.query(ctx, progressByTokenSQL, token)
	if err != nil {
		return Application{}, nil, err
	}
	defer rows.Close()
	var (
		a       Application
		row     applicationRow
		events  []Event
		at      sql.NullTime
		actorID int64
		// The history's columns are NULL for an application without one.
		action, from, to, note, name, role, authority, opinion sql.NullString
	)
	appDest := row.dest(&a)
	dest := append(appDest, &at, &actorID, &action, &from, &to, &note, &name, &role, &authority, &opinion)
	skip := make([]any, len(appDest))
	for n := 0; rows.Next(); n++ {
		if n == 1 {
			for i := range skip {
				dest[i] = &skip[i]
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return Application{}, nil, err
		}
		if action.Valid {
			events = append(events, Event{At: at.Time, ActorID: actorID, Action: action.String, From: from.String, To: to.String, Note: note.String,
				ActorName: name.String, ActorRole: role.String, ActorAuthority: authority.String, Opinion: opinion.String})
		}
	}
	if err := rows.Err(); err != nil {
		return Application{}, nil, err
	}
	if a.ID == 0 {
		return Application{}, nil, ErrNotFound
	}
	// The form is opened with the connection given back (see openEach).
	rows.Close()
	if err := db.finishApplication(ctx, &a, &row); err != nil {
		return Application{}, nil, err
	}
	return a, events, nil
}

// grant writes approved items to the holder's certificate, numbered with
// their 证件号码 (2019-format certificates, SOURCES.md §3), creating it when
// the holder has none under that number yet.
func (db *DB) grant(ctx context.Context, tx *sql.Tx, now time.Time, holderID int64, g Grant) error {
	for _, id := range g.Supersede {
		res, err := tx.ExecContext(ctx, `UPDATE certificate_items SET status = 'superseded', updated_at = $1
			WHERE id = $2 AND status = 'valid' AND certificate_id IN (SELECT id FROM certificates WHERE holder_id = $3)`, now, id, holderID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: registry item %d is not a valid item of holder %d", id, holderID)
		}
	}
	var sealedNumber string
	if err := tx.QueryRowContext(ctx, `SELECT id_number FROM holders WHERE id = $1`, holderID).Scan(&sealedNumber); err != nil {
		return err
	}
	// The holder's 证件号码 is the number of the certificate (read while the
	// transaction holds the write lock, so the keys are only read).
	number, err := db.open(ctx, sealedNumber)
	if err != nil {
		return err
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	var certID int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM certificates WHERE number_hmac = $1 AND holder_id = $2`, pk.numberHMAC(number), holderID).Scan(&certID)
	if errors.Is(err, sql.ErrNoRows) {
		var sealed string
		if sealed, err = pk.seal(number); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO certificates (holder_id, number, number_hmac, archive_no, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id`,
			holderID, sealed, pk.numberHMAC(number), now).Scan(&certID)
	}
	if err != nil {
		return err
	}
	for _, it := range g.Items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO certificate_items (certificate_id, item, weld_code, scope, issued_by, approved_on, valid_until, status, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'valid', $8)`, certID, it.Ref, it.WeldCode, it.Scope, it.IssuedBy, it.ApprovedOn, it.ValidUntil, now); err != nil {
			return err
		}
	}
	return nil
}

// QueueFilter selects an officer's work queue.
type QueueFilter struct {
	AuthorityCode string   // "" for an admin: every district
	Statuses      []string // none: everything not a draft
	Matter        string
	Item          string // a qualification applied for, e.g. Q2(限流动式起重机)
	OverdueOn     civil.Date
	DueBy         civil.Date // deadline on or before this day (the "days left" filter)
	// Number, HolderIDNumber and HolderName find one application by its
	// 申请号, or a person's by their 证件号码 or name (exact).
	Number, HolderIDNumber, HolderName string
	Page, Size                         int
}

// Queue lists applications for the back office, nearest deadline first,
// a page at a time: the count from the index on authority, status and
// deadline, the page in the order of applications_queue_order (0011), whose
// expression the ORDER BY repeats so that both engines read the page from
// it instead of sorting.
func (db *DB) Queue(ctx context.Context, f QueueFilter) ([]Application, int, error) {
	where := []string{"status <> 'draft'"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.AuthorityCode != "" {
		where = append(where, "authority_code = "+arg(f.AuthorityCode))
	}
	if len(f.Statuses) > 0 {
		var ph []string
		for _, s := range f.Statuses {
			ph = append(ph, arg(s))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Matter != "" {
		where = append(where, "matter = "+arg(f.Matter))
	}
	if f.Item != "" {
		where = append(where, "id IN (SELECT application_id FROM application_items WHERE qualification = "+arg(f.Item)+")")
	}
	if !f.OverdueOn.IsZero() {
		where = append(where, "due_on < "+arg(f.OverdueOn))
	}
	if !f.DueBy.IsZero() {
		where = append(where, "due_on <= "+arg(f.DueBy))
	}
	if f.Number != "" {
		where = append(where, "number = "+arg(f.Number))
	}
	if f.HolderIDNumber != "" {
		pk, err := db.personal(ctx)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, "holder_id IN (SELECT id FROM holders WHERE id_number_hmac = "+arg(pk.idHMAC(f.HolderIDNumber))+")")
	}
	if f.HolderName != "" {
		where = append(where, "holder_id IN (SELECT id FROM holders WHERE name = "+arg(f.HolderName)+")")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	out, err := db.queryApplications(ctx, `SELECT `+appColumns+` FROM applications WHERE `+cond+
		fmt.Sprintf(` ORDER BY due_on IS NULL, due_on, id LIMIT %d OFFSET %d`, f.Size, (f.Page-1)*f.Size), args...)
	return out, total, err
}

// ApplicationIDsAfter lists up to limit application ids greater than
// after, in order: a backup walks every application with it.
func (db *DB) ApplicationIDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM applications WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ApplicationIn returns a submitted application of one 受理机关 ("" for an
// admin: any). Another district's application is ErrNotFound, as if it did
// not exist.
func (db *DB) ApplicationIn(ctx context.Context, id int64, authorityCode string) (Application, error) {
	q := `SELECT ` + appColumns + ` FROM applications WHERE id = $1 AND status <> 'draft'`
	args := []any{id}
	if authorityCode != "" {
		q += ` AND authority_code = $2`
		args = append(args, authorityCode)
	}
	return db.scanApplication(ctx, db.sql.QueryRowContext(ctx, q, args...))
}

// Transfer moves an application to another 受理机关 (an admin's decision,
// recorded with its reason in the history), telling the applicant by SMS
// when sms is not empty.
func (db *DB) Transfer(ctx context.Context, id int64, version int, to string, actorID int64, reason string, who audit.Entry, sms string) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := db.scanApplication(ctx, tx.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE id = $1 AND status <> 'draft'`, id))
		if err != nil {
			return err
		}
		if a.Version != version {
			return ErrStale
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET authority_code = $1, version = version + 1, updated_at = $2 WHERE id = $3`, to, now, id); err != nil {
			return err
		}
		note := fmt.Sprintf("由 %s 转至 %s：%s", a.AuthorityCode, to, reason)
		if err := addEvent(ctx, tx, now, id, actorID, "transfer", string(a.Status), string(a.Status), note); err != nil {
			return err
		}
		who.Action, who.Subject = "transfer", fmt.Sprintf("application:%d", id)
		who.Before, who.After = "authority="+a.AuthorityCode, "authority="+to+"; "+reason
		if _, err := db.AppendAuditTx(ctx, tx, who); err != nil {
			return err
		}
		if sms == "" {
			return nil
		}
		return enqueueToApplicant(ctx, tx, now, a.ApplicantID, "transferred", sms)
	})
}

// queryApplications runs a query selecting appColumns.
func (db *DB) queryApplications(ctx context.Context, q string, args ...any) ([]Application, error) {
	return db.queryApplicationsOn(ctx, db.sql, q, args...)
}

// queryer is the database or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryApplicationsOn runs a query selecting appColumns on the database
// or a transaction.
func (db *DB) queryApplicationsOn(ctx context.Context, on queryer, q string, args ...any) ([]Application, error) {
	rows, err := on.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := db.scanApplication(ctx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
