package store

import (
	"context"
	"database/sql"
	"errors"

	"opcert/internal/auth"
	"opcert/internal/enterprise"
)

// ErrUnitTaken refuses a second account for one 统一社会信用代码.
var ErrUnitTaken = errors.New("该统一社会信用代码已注册单位账号，请直接登录；如忘记密码，请联系系统管理员")

// RegisterUnit creates a 单位 account, its login name the unit's credit
// code, with the unit's profile, in one transaction.
func (db *DB) RegisterUnit(ctx context.Context, un enterprise.Unit, passwordHash string) (auth.User, error) {
	now := db.now().UTC()
	u := auth.User{Login: un.CreditCode, Name: un.Name, Role: auth.RoleUnit, PasswordHash: passwordHash, CreatedAt: now}
	if err := u.Validate(); err != nil {
		return u, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM units WHERE credit_code = $1) + (SELECT COUNT(*) FROM users WHERE login = $1)`,
			un.CreditCode).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrUnitTaken
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (login, name, role, password_hash, mobile, disabled, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, u.Login, u.Name, string(u.Role), u.PasswordHash, "", false, now).Scan(&u.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO units (user_id, credit_code, name, address, contact, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.ID, un.CreditCode, un.Name, un.Address, un.Contact, un.Phone, now)
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
	return un, err
}
