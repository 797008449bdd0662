package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"opcert/internal/auth"
	"opcert/internal/enterprise"
	"opcert/internal/registry"
)

// ErrUnitTaken refuses a second account for one 统一社会信用代码.
var ErrUnitTaken = errors.New("该统一社会信用代码已注册单位账号，请直接登录；如忘记密码，请联系系统管理员")

// RegisterUnit creates a 单位 account, its login name the unit's credit
// code, with the unit's profile, in one transaction. The 联系电话 is kept
// sealed: it is often the contact's own mobile.
func (db *DB) RegisterUnit(ctx context.Context, un enterprise.Unit, passwordHash string) (auth.User, error) {
	now := db.now().UTC()
	u := auth.User{Login: un.CreditCode, Name: un.Name, Role: auth.RoleUnit, PasswordHash: passwordHash, CreatedAt: now}
	pk, k, err := db.newAccount(ctx, u)
	if err != nil {
		return u, err
	}
	phone, err := pk.seal(un.Phone)
	if err != nil {
		return u, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM units WHERE credit_code = $1) + (SELECT COUNT(*) FROM users WHERE login_hmac = $2)`,
			un.CreditCode, k.loginHMAC).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrUnitTaken
		}
		if err := insertUser(ctx, tx, &u, k); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO units (user_id, credit_code, name, address, contact, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.ID, un.CreditCode, un.Name, un.Address, un.Contact, phone, now)
		return err
	})
	if isUniqueViolation(err) {
		return u, ErrUnitTaken
	}
	return u, err
}

// UnitOf is the profile of a 单位 account; ErrNotFound for any other.
func (db *DB) UnitOf(ctx context.Context, userID int64) (enterprise.Unit, error) {
	var un enterprise.Unit
	err := db.queryRow(ctx, `SELECT credit_code, name, address, contact, phone FROM units WHERE user_id = $1`, userID).
		Scan(&un.CreditCode, &un.Name, &un.Address, &un.Contact, &un.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return un, ErrNotFound
	}
	if err != nil {
		return un, err
	}
	un.Phone, err = db.open(ctx, un.Phone)
	return un, err
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
