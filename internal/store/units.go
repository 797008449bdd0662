package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/enterprise"
	"opcert/internal/registry"
)

// ErrUnitTaken refuses a second account for one 统一社会信用代码.
var ErrUnitTaken = errors.New("该统一社会信用代码已注册单位账号，请直接登录；如忘记密码，请联系系统管理员")

// ErrUnitPending refuses a registration of a code another registration
// awaits 审核 for: the administrator decides that one first, and frees
// the code if its registrant is not the company.
var ErrUnitPending = errors.New("该统一社会信用代码已有单位注册正在审核中。如并非贵单位注册，请联系系统管理员：管理员核对营业执照后将作出审核不通过并释放该代码，贵单位即可注册")

// UnitLicence is the 营业执照 scan a 单位 registered with, in the file store.
type UnitLicence struct {
	Key, Filename, ContentType string
}

// UnitRecord is a 单位 account's profile with where the check of its
// registration stands.
type UnitRecord struct {
	UserID int64
	enterprise.Unit
	Check       enterprise.CheckStatus
	Reason      string    // the last refusal's reason; kept after a correction
	SubmittedAt time.Time // registered, or last corrected and resubmitted
	CheckedAt   time.Time // the last decision; zero before any
	CheckedBy   int64
	Licence     UnitLicence
}

// unitColumns are the columns scanUnit reads, in its order.
const unitColumns = `user_id, credit_code, name, address, contact, phone, check_status, check_reason, created_at, submitted_at, checked_at, COALESCE(checked_by, 0), licence_key, licence_name, licence_type`

// scanUnit reads a units row; its phone is still sealed.
func scanUnit(row rowScanner) (UnitRecord, error) {
	var u UnitRecord
	var status string
	var submitted, checked sql.NullTime
	err := row.Scan(&u.UserID, &u.CreditCode, &u.Name, &u.Address, &u.Contact, &u.Phone, &status, &u.Reason, &u.SubmittedAt, &submitted, &checked, &u.CheckedBy,
		&u.Licence.Key, &u.Licence.Filename, &u.Licence.ContentType)
	u.Check, u.CheckedAt = enterprise.CheckStatus(status), checked.Time
	if submitted.Valid { // rows older than the check have only created_at
		u.SubmittedAt = submitted.Time
	}
	return u, err
}

// RegisterUnit creates a 单位 account counted as checked, its login name
// the unit's credit code, with the unit's profile, in one transaction: for
// accounts whose 营业执照 was checked outside this service (the demo's, a
// migration's). Registrations on the site go through SubmitUnit. The
// 联系电话 is kept sealed: it is often the contact's own mobile.
func (db *DB) RegisterUnit(ctx context.Context, un enterprise.Unit, passwordHash string) (auth.User, error) {
	return db.registerUnit(ctx, UnitSubmission{Unit: un, PasswordHash: passwordHash}, enterprise.CheckApproved)
}

// UnitSubmission is a 单位 registering on the site, to be checked.
type UnitSubmission struct {
	Unit         enterprise.Unit
	PasswordHash string
	Licence      UnitLicence
	// Gives decides, inside the transaction and at the store's clock,
	// whether an earlier registration of the same code gives way
	// (enterprise.Lapsed); Freed
	// is the audit line of its release (actor and action; Subject and
	// Before are filled in).
	Gives func(earlier UnitRecord, now time.Time) bool
	Freed audit.Entry
}

// SubmitUnit creates a 单位 account awaiting 审核 (待审核) with its
// 营业执照. An earlier registration of the code that gives way is released
// in the same transaction (see releaseUnit); one that does not refuses
// the new one: ErrUnitPending while it awaits 审核, ErrUnitTaken otherwise.
func (db *DB) SubmitUnit(ctx context.Context, s UnitSubmission) (auth.User, error) {
	return db.registerUnit(ctx, s, enterprise.CheckPending)
}

func (db *DB) registerUnit(ctx context.Context, s UnitSubmission, status enterprise.CheckStatus) (auth.User, error) {
	un := s.Unit
	now := db.now().UTC()
	u := auth.User{Login: un.CreditCode, Name: un.Name, Role: auth.RoleUnit, PasswordHash: s.PasswordHash, CreatedAt: now}
	pk, k, err := db.newAccount(ctx, u)
	if err != nil {
		return u, err
	}
	phone, err := pk.seal(un.Phone)
	if err != nil {
		return u, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		earlier, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units WHERE credit_code = $1`+db.forUpdate(), un.CreditCode))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case s.Gives != nil && s.Gives(earlier, now):
			if err := db.releaseUnit(ctx, tx, pk, earlier, s.Freed); err != nil {
				return err
			}
		case earlier.Check == enterprise.CheckPending:
			return ErrUnitPending
		default:
			return ErrUnitTaken
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login_hmac = $1`, k.loginHMAC).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrUnitTaken
		}
		if err := insertUser(ctx, tx, &u, k); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO units (user_id, credit_code, name, address, contact, phone, created_at, check_status, submitted_at, licence_key, licence_name, licence_type)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9, $10, $11)`,
			u.ID, un.CreditCode, un.Name, un.Address, un.Contact, phone, now, string(status), s.Licence.Key, s.Licence.Filename, s.Licence.ContentType)
		return err
	})
	if isUniqueViolation(err) {
		return u, ErrUnitTaken
	}
	return u, err
}

// releaseUnit frees the credit code of a registration that was never
// checked: its profile leaves units (the audit line keeps it, with the
// 营业执照's key, which stays in the file store as the evidence of the
// decision), and its account is disabled, logged out and given a login no
// one types, so that the real company can register the code.
func (db *DB) releaseUnit(ctx context.Context, tx *sql.Tx, pk *personalKeys, r UnitRecord, e audit.Entry) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM units WHERE user_id = $1`, r.UserID); err != nil {
		return err
	}
	freed := fmt.Sprintf("released-unit-%d", r.UserID)
	login, err := pk.seal(freed)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET login = $1, login_hmac = $2, disabled = $3 WHERE id = $4`, login, pk.loginHMAC(freed), true, r.UserID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, r.UserID); err != nil {
		return err
	}
	e.Subject = fmt.Sprintf("user:%d", r.UserID)
	e.Before = unitState(r)
	_, err = db.AppendAuditTx(ctx, tx, e)
	return err
}

// unitState is what the audit log records of a registration; the phone as
// sealed in units.
func unitState(r UnitRecord) string {
	b, _ := json.Marshal(map[string]string{"credit_code": r.CreditCode, "name": r.Name, "address": r.Address, "contact": r.Contact, "phone": r.Phone,
		"check_status": string(r.Check), "check_reason": r.Reason, "licence_key": r.Licence.Key})
	return string(b)
}

// UnitOf is the profile of a 单位 account; ErrNotFound for any other.
func (db *DB) UnitOf(ctx context.Context, userID int64) (enterprise.Unit, error) {
	r, err := db.UnitRecordOf(ctx, userID)
	return r.Unit, err
}

// UnitRecordOf is a 单位 account's profile and check; ErrNotFound for any
// other account.
func (db *DB) UnitRecordOf(ctx context.Context, userID int64) (UnitRecord, error) {
	r, err := scanUnit(db.queryRow(ctx, `SELECT `+unitColumns+` FROM units WHERE user_id = $1`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Phone, err = db.open(ctx, r.Phone)
	return r, err
}

// PendingUnits are the registrations awaiting 审核, the oldest first.
func (db *DB) PendingUnits(ctx context.Context) ([]UnitRecord, error) {
	out, err := scanAll(scanUnit)(db.sql.QueryContext(ctx, `SELECT `+unitColumns+` FROM units WHERE check_status = $1 ORDER BY COALESCE(submitted_at, created_at), user_id`, string(enterprise.CheckPending)))
	if err == nil {
		err = openEach(ctx, db, out, func(r *UnitRecord) *string { return &r.Phone })
	}
	return out, err
}

// UnitDecision is an administrator's decision on a registration.
type UnitDecision struct {
	UserID  int64
	Approve bool
	Reason  string // of a refusal
	// Release frees the code with the refusal (releaseUnit).
	Release bool
	// Check decides, from the registration as it stands inside the
	// transaction (locked on PostgreSQL, so that two administrators
	// deciding at once cannot both), whether it may be decided.
	Check func(UnitRecord) error
	// Message is the SMS to send with the decision, from the registration
	// as decided: recipient "" for none (a fixed line).
	Message func(UnitRecord) (recipient, topic, body string)
	Audit   audit.Entry // actor and action; Subject, Before and After are filled in
}

// DecideUnit writes a decision, its audit line and its SMS in one
// transaction, and returns the registration as decided.
func (db *DB) DecideUnit(ctx context.Context, d UnitDecision) (UnitRecord, error) {
	var out UnitRecord
	now := db.now().UTC()
	err := db.withPersonalKeys(ctx, func(pk *personalKeys) error {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			r, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units WHERE user_id = $1`+db.forUpdate(), d.UserID))
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if err := d.Check(r); err != nil {
				return err
			}
			sealedPhone := r.Phone
			if r.Phone, err = pk.open(r.Phone); err != nil {
				return err
			}
			before := r
			before.Phone = sealedPhone
			r.Check, r.CheckedAt, r.CheckedBy = enterprise.CheckApproved, now, d.Audit.ActorID
			if !d.Approve {
				r.Check, r.Reason = enterprise.CheckRefused, d.Reason
			}
			if _, err := tx.ExecContext(ctx, `UPDATE units SET check_status = $1, check_reason = $2, checked_at = $3, checked_by = $4 WHERE user_id = $5`,
				string(r.Check), r.Reason, now, nullInt(r.CheckedBy), r.UserID); err != nil {
				return err
			}
			if d.Message != nil {
				if to, topic, body := d.Message(r); to != "" && body != "" {
					if err := enqueue(ctx, tx, pk, now, "sms", to, topic, body); err != nil {
						return err
					}
				}
			}
			e := d.Audit
			e.Subject, e.Before = fmt.Sprintf("user:%d", r.UserID), unitState(before)
			after := r
			after.Phone = sealedPhone
			e.After = unitState(after)
			if _, err := db.AppendAuditTx(ctx, tx, e); err != nil {
				return err
			}
			if d.Release {
				released := d.Audit
				released.Action = "release_unit"
				after.Phone = sealedPhone
				if err := db.releaseUnit(ctx, tx, pk, after, released); err != nil {
					return err
				}
			}
			out = r
			return nil
		})
	})
	return out, err
}

// UnitCorrection is a refused 单位 correcting its registration: the
// profile but its code (its login), and a new 营业执照.
type UnitCorrection struct {
	UserID  int64
	Unit    enterprise.Unit
	Licence UnitLicence
	Check   func(UnitRecord) error // enterprise.CanResubmit, inside the transaction
	Audit   audit.Entry
}

// ResubmitUnit sends a corrected registration back for 审核 (待审核).
func (db *DB) ResubmitUnit(ctx context.Context, c UnitCorrection) error {
	now := db.now().UTC()
	return db.withPersonalKeys(ctx, func(pk *personalKeys) error {
		phone, err := pk.seal(c.Unit.Phone)
		if err != nil {
			return err
		}
		return db.inTx(ctx, func(tx *sql.Tx) error {
			r, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units WHERE user_id = $1`+db.forUpdate(), c.UserID))
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if err := c.Check(r); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE units SET name = $1, address = $2, contact = $3, phone = $4, check_status = $5, submitted_at = $6,
				licence_key = $7, licence_name = $8, licence_type = $9 WHERE user_id = $10`,
				c.Unit.Name, c.Unit.Address, c.Unit.Contact, phone, string(enterprise.CheckPending), now,
				c.Licence.Key, c.Licence.Filename, c.Licence.ContentType, c.UserID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1 WHERE id = $2`, c.Unit.Name, c.UserID); err != nil {
				return err
			}
			after := r
			after.Unit, after.Unit.CreditCode, after.Unit.Phone = c.Unit, r.CreditCode, phone
			after.Check, after.Licence = enterprise.CheckPending, c.Licence
			e := c.Audit
			e.Subject, e.Before, e.After = fmt.Sprintf("user:%d", c.UserID), unitState(r), unitState(after)
			_, err = db.AppendAuditTx(ctx, tx, e)
			return err
		})
	})
}

// UnitWorker is the 单位 a worker's submission lets follow their items.
type UnitWorker struct {
	CreditCode string // "" when the submission shares with no 单位
}

// putUnitWorker records, for the applicant of a, the 单位 their submission
// shares their items with, replacing what an earlier one said.
func putUnitWorker(ctx context.Context, tx *sql.Tx, now time.Time, a Application, w UnitWorker) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM unit_workers WHERE holder_id = $1`, a.HolderID); err != nil {
		return err
	}
	if w.CreditCode == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO unit_workers (holder_id, credit_code, application_id, agreed_at) VALUES ($1, $2, $3, $4)`,
		a.HolderID, w.CreditCode, a.ID, now)
	return err
}

// ShareWithUnit records, outside any application, that a holder shares
// their items with a 单位 (demo data; the service records it at 提交).
func (db *DB) ShareWithUnit(ctx context.Context, holderID int64, creditCode string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO unit_workers (holder_id, credit_code, agreed_at) VALUES ($1, $2, $3)
		ON CONFLICT (holder_id) DO UPDATE SET credit_code = excluded.credit_code, application_id = NULL, agreed_at = excluded.agreed_at`,
		holderID, creditCode, db.now().UTC())
	return err
}

// UnitWorkers are the holdings of the workers who share their items with
// the 单位 of this credit code, in the order they agreed; a worker without
// a certificate yet (a first application) comes with none.
func (db *DB) UnitWorkers(ctx context.Context, creditCode string) ([]registry.Holding, error) {
	rows, err := db.query(ctx, `SELECT h.id_number FROM unit_workers w JOIN holders h ON h.id = w.holder_id
		WHERE w.credit_code = $1 ORDER BY w.agreed_at, w.holder_id`, creditCode)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := openEach(ctx, db, ids, func(id *string) *string { return id }); err != nil {
		return nil, err
	}
	var out []registry.Holding
	for _, id := range ids {
		h, err := db.HoldingByIDNumber(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
