package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"opcert/internal/auth"
)

// ErrDuplicate is returned when a unique name (login, number) is taken.
var ErrDuplicate = errors.New("已存在")

// CreateUser stores a new account.
func (db *DB) CreateUser(ctx context.Context, u auth.User) (auth.User, error) {
	if err := u.Validate(); err != nil {
		return u, err
	}
	u.CreatedAt = db.now().UTC()
	err := db.w.QueryRowContext(ctx, `
		INSERT INTO users (login, name, role, password_hash, authority_code, holder_id, mobile, disabled, created_at, exam_institution_id, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		u.Login, u.Name, string(u.Role), u.PasswordHash, nullString(u.AuthorityCode), nullInt(u.HolderID),
		u.Mobile, u.Disabled, u.CreatedAt, nullInt(u.InstitutionID), u.MustChangePassword).Scan(&u.ID)
	if isUniqueViolation(err) {
		return u, ErrDuplicate
	}
	return u, err
}

// UserByLogin finds an account by its login name.
func (db *DB) UserByLogin(ctx context.Context, login string) (auth.User, error) {
	var u auth.User
	var role string
	var authority sql.NullString
	var holder, institution sql.NullInt64
	err := db.queryRow(ctx, `
		SELECT id, login, name, role, password_hash, authority_code, holder_id, mobile, disabled, created_at, exam_institution_id, must_change_password
		FROM users WHERE login = $1`, login).
		Scan(&u.ID, &u.Login, &u.Name, &role, &u.PasswordHash, &authority, &holder, &u.Mobile, &u.Disabled, &u.CreatedAt, &institution, &u.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.Role, u.AuthorityCode, u.HolderID, u.InstitutionID = auth.Role(role), authority.String, holder.Int64, institution.Int64
	return u, err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
func nullInt(n int64) sql.NullInt64      { return sql.NullInt64{Int64: n, Valid: n != 0} }

// isUniqueViolation recognises a unique-constraint failure in either engine
// without importing driver internals.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}
