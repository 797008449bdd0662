package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/sealed"
)

// ErrDuplicate is returned when a unique name (login, number) is taken.
var ErrDuplicate = errors.New("已存在")

// An account's login and mobile are kept sealed, found by login_hmac (the
// login as typed) and mobile_hmac (the mobile's digits): an applicant's
// login is their mobile, a 单位's its 统一社会信用代码 (migration 0121).

// keptAccount is how an account's login and mobile are written.
type keptAccount struct {
	login, loginHMAC   string
	mobile, mobileHMAC string // both "" for an account without a mobile
}

func (pk *personalKeys) keepAccount(u auth.User) (keptAccount, error) {
	k := keptAccount{loginHMAC: pk.loginHMAC(u.Login), mobileHMAC: pk.mobileHMAC(u.Mobile)}
	var err error
	if k.login, err = pk.seal(u.Login); err != nil {
		return k, err
	}
	k.mobile, err = pk.seal(u.Mobile)
	return k, err
}

// newAccount checks a new account and seals what of it is personal, with
// the keys, read before the transaction that inserts it.
func (db *DB) newAccount(ctx context.Context, u auth.User) (*personalKeys, keptAccount, error) {
	if err := u.Validate(); err != nil {
		return nil, keptAccount{}, err
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return nil, keptAccount{}, err
	}
	k, err := pk.keepAccount(u)
	return pk, k, err
}

// rowQuerier is a pool or a transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// insertUser writes u, kept as k, and sets its ID.
func insertUser(ctx context.Context, q rowQuerier, u *auth.User, k keptAccount) error {
	return q.QueryRowContext(ctx, `
		INSERT INTO users (login, login_hmac, name, role, password_hash, authority_code, holder_id, mobile, mobile_hmac, disabled, created_at, exam_institution_id, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		k.login, k.loginHMAC, u.Name, string(u.Role), u.PasswordHash, nullString(u.AuthorityCode), nullInt(u.HolderID),
		k.mobile, nullString(k.mobileHMAC), u.Disabled, u.CreatedAt, nullInt(u.InstitutionID), u.MustChangePassword).Scan(&u.ID)
}

// CreateUser stores a new account.
func (db *DB) CreateUser(ctx context.Context, u auth.User) (auth.User, error) {
	_, k, err := db.newAccount(ctx, u)
	if err != nil {
		return u, err
	}
	u.CreatedAt = db.now().UTC()
	err = insertUser(ctx, db.w, &u, k)
	if isUniqueViolation(err) {
		return u, ErrDuplicate
	}
	return u, err
}

// UserByLogin finds an account by its login name, as typed.
func (db *DB) UserByLogin(ctx context.Context, login string) (auth.User, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return auth.User{}, err
	}
	return db.userWhere(ctx, `login_hmac = $1`, pk.loginHMAC(login))
}

// UserByID finds an account by its ID.
func (db *DB) UserByID(ctx context.Context, id int64) (auth.User, error) {
	return db.userWhere(ctx, `id = $1`, id)
}

// UserByMobile finds an applicant account by its mobile number.
func (db *DB) UserByMobile(ctx context.Context, mobile string) (auth.User, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return auth.User{}, err
	}
	h := pk.mobileHMAC(mobile)
	if h == "" {
		return auth.User{}, ErrNotFound
	}
	return db.userWhere(ctx, `mobile_hmac = $1 AND role = 'applicant'`, h)
}

// userWhere reads the one account matching where (a hot read: every
// request's session comes here), its login and mobile opened.
func (db *DB) userWhere(ctx context.Context, where string, arg any) (auth.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, err
	}
	return u, db.openAccount(ctx, &u)
}

// openAccount opens the login and mobile of an account as scanUser read it.
func (db *DB) openAccount(ctx context.Context, u *auth.User) error {
	var err error
	if u.Login, err = db.open(ctx, u.Login); err != nil {
		return err
	}
	u.Mobile, err = db.open(ctx, u.Mobile)
	return err
}

// kept is v as it is to be copied into another row (an audit line, an
// outbox message): sealed as read, or sealed now if it was still in clear.
func (pk *personalKeys) kept(v string) (string, error) {
	if sealed.IsSealed(v) {
		return v, nil
	}
	return pk.seal(v)
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
