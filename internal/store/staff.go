package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"opcert/internal/audit"
	"opcert/internal/auth"
)

// userColumns are the columns scanUser reads, in its order.
const userColumns = `id, login, name, role, password_hash, authority_code, holder_id, mobile, disabled, created_at, exam_institution_id, must_change_password`

func scanUser(row rowScanner) (auth.User, error) {
	var u auth.User
	var role string
	var authority sql.NullString
	var holder, institution sql.NullInt64
	err := row.Scan(&u.ID, &u.Login, &u.Name, &role, &u.PasswordHash, &authority, &holder, &u.Mobile, &u.Disabled, &u.CreatedAt, &institution, &u.MustChangePassword)
	u.Role, u.AuthorityCode, u.HolderID, u.InstitutionID = auth.Role(role), authority.String, holder.Int64, institution.Int64
	return u, err
}

// UserFilter selects the accounts the admin's list shows: by role (all
// staff roles when empty), by 受理机关 and by 考试机构.
type UserFilter struct {
	Role          auth.Role
	AuthorityCode string
	InstitutionID int64
	Limit         int
}

// Users lists accounts by role, 受理机关 and login. Without a role it lists
// the staff (officers, exam staff, admins): applicants, who may be
// hundreds of thousands, are listed only when asked for. Logins are
// sealed, so the database orders by role and 受理机关 and the page's order
// within them is made here (of the first limit accounts, by id, when
// there are more).
func (db *DB) Users(ctx context.Context, f UserFilter) ([]auth.User, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Role != "" {
		where = append(where, "role = "+arg(string(f.Role)))
	} else {
		where = append(where, "role <> 'applicant'")
	}
	if f.AuthorityCode != "" {
		where = append(where, "authority_code = "+arg(f.AuthorityCode))
	}
	if f.InstitutionID != 0 {
		where = append(where, "exam_institution_id = "+arg(f.InstitutionID))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	q := `SELECT ` + userColumns + ` FROM users WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY role, authority_code, id LIMIT ` + arg(limit)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := db.openAccount(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b auth.User) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.AuthorityCode, b.AuthorityCode), cmp.Compare(a.Login, b.Login))
	})
	return out, nil
}

// CreateStaffUser stores an account an admin created, with its audit line
// (e: the actor; Subject and After are filled in), in one transaction.
func (db *DB) CreateStaffUser(ctx context.Context, u auth.User, e audit.Entry) (auth.User, error) {
	_, k, err := db.newAccount(ctx, u)
	if err != nil {
		return u, err
	}
	u.CreatedAt = db.now().UTC()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, &u, k); err != nil {
			return err
		}
		e.Subject, e.After = fmt.Sprintf("user:%d", u.ID), accountState(u, k.login)
		_, err := db.AppendAuditTx(ctx, tx, e)
		return err
	})
	if isUniqueViolation(err) {
		return u, ErrDuplicate
	}
	return u, err
}

// accountState is what the audit log records of an account: never its
// password hash, and its login as sealed in users (an applicant's is their
// mobile). The line is hash-chained, so the login stays sealed with the
// key of the day it was written: keys are never deleted, it stays readable.
func accountState(u auth.User, sealedLogin string) string {
	return fmt.Sprintf(`{"login":%q,"name":%q,"role":%q,"authority_code":%q,"institution_id":%d,"disabled":%t,"must_change_password":%t}`,
		sealedLogin, u.Name, u.Role, u.AuthorityCode, u.InstitutionID, u.Disabled, u.MustChangePassword)
}

// lockUser reads an account inside a transaction, locking its row on
// PostgreSQL, and opens it with pk; sealedLogin is its login as kept.
func (db *DB) lockUser(ctx context.Context, tx *sql.Tx, pk *personalKeys, id int64) (u auth.User, sealedLogin string, err error) {
	u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+db.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", ErrNotFound
	}
	if err != nil {
		return u, "", err
	}
	if sealedLogin, err = pk.kept(u.Login); err != nil {
		return u, "", err
	}
	if u.Login, err = pk.open(u.Login); err != nil {
		return u, "", err
	}
	u.Mobile, err = pk.open(u.Mobile)
	return u, sealedLogin, err
}

// SetUserDisabled disables or enables an account. check decides, from the
// account and the ids of the active admins as they stand inside the
// transaction (the admins' rows locked on PostgreSQL, so that two admins
// disabling each other at once cannot leave none), whether the change may
// be made. Disabling ends the account's sessions at once; the audit line
// (e: the actor and action) is written in the same transaction.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disable bool, check func(target auth.User, activeAdmins []int64) error, e audit.Entry) (auth.User, error) {
	var u auth.User
	err := db.withPersonalKeys(ctx, func(pk *personalKeys) error {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE role = 'admin' AND disabled = $1 ORDER BY id`+db.forUpdate(), false)
			if err != nil {
				return err
			}
			var active []int64
			for rows.Next() {
				var aid int64
				if err := rows.Scan(&aid); err != nil {
					rows.Close()
					return err
				}
				active = append(active, aid)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			var login string
			if u, login, err = db.lockUser(ctx, tx, pk, id); err != nil {
				return err
			}
			if err := check(u, active); err != nil {
				return err
			}
			before := accountState(u, login)
			u.Disabled = disable
			if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, disable, id); err != nil {
				return err
			}
			if disable {
				if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
					return err
				}
			}
			e.Subject, e.Before, e.After = fmt.Sprintf("user:%d", id), before, accountState(u, login)
			_, err = db.AppendAuditTx(ctx, tx, e)
			return err
		})
	})
	return u, err
}

// SetUserPassword replaces an account's password hash. mustChange marks it
// one-time (an admin's reset); check may refuse from the account as it
// stands. Every session of the account but keepSession (the token hash of
// the browser changing its own password; "" for none) ends, since whoever
// knew the old password may be logged in with it. The audit line (e) is
// written in the same transaction, without any hash.
func (db *DB) SetUserPassword(ctx context.Context, id int64, hash string, mustChange bool, keepSession string, check func(auth.User) error, e audit.Entry) (auth.User, error) {
	var u auth.User
	err := db.withPersonalKeys(ctx, func(pk *personalKeys) error {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			var login string
			if u, login, err = db.lockUser(ctx, tx, pk, id); err != nil {
				return err
			}
			if check != nil {
				if err := check(u); err != nil {
					return err
				}
			}
			before := accountState(u, login)
			u.PasswordHash, u.MustChangePassword = hash, mustChange
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3`, hash, mustChange, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, id, keepSession); err != nil {
				return err
			}
			e.Subject, e.Before, e.After = fmt.Sprintf("user:%d", id), before, accountState(u, login)
			_, err = db.AppendAuditTx(ctx, tx, e)
			return err
		})
	})
	return u, err
}
