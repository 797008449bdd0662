package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// Users lists accounts by role and login. Without a role it lists the
// staff (officers, exam staff, admins): applicants, who may be hundreds of
// thousands, are listed only when asked for.
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
		` ORDER BY role, authority_code, login LIMIT ` + arg(limit)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateStaffUser stores an account an admin created, with its audit line
// (e: the actor; Subject and After are filled in), in one transaction.
func (db *DB) CreateStaffUser(ctx context.Context, u auth.User, e audit.Entry) (auth.User, error) {
	if err := u.Validate(); err != nil {
		return u, err
	}
	u.CreatedAt = db.now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO users (login, name, role, password_hash, authority_code, holder_id, mobile, disabled, created_at, exam_institution_id, must_change_password)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			u.Login, u.Name, string(u.Role), u.PasswordHash, nullString(u.AuthorityCode), nullInt(u.HolderID),
			u.Mobile, u.Disabled, u.CreatedAt, nullInt(u.InstitutionID), u.MustChangePassword).Scan(&u.ID)
		if err != nil {
			return err
		}
		e.Subject, e.After = fmt.Sprintf("user:%d", u.ID), accountState(u)
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
	if isUniqueViolation(err) {
		return u, ErrDuplicate
	}
	return u, err
}

// accountState is what the audit log records of an account: never its
// password hash.
func accountState(u auth.User) string {
	return fmt.Sprintf(`{"login":%q,"name":%q,"role":%q,"authority_code":%q,"institution_id":%d,"disabled":%t,"must_change_password":%t}`,
		u.Login, u.Name, u.Role, u.AuthorityCode, u.InstitutionID, u.Disabled, u.MustChangePassword)
}

// lockUser reads an account inside a transaction, locking its row on
// PostgreSQL.
func (db *DB) lockUser(ctx context.Context, tx *sql.Tx, id int64) (auth.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+db.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// SetUserDisabled disables or enables an account. check decides, from the
// account and the ids of the active admins as they stand inside the
// transaction (the admins' rows locked on PostgreSQL, so that two admins
// disabling each other at once cannot leave none), whether the change may
// be made. Disabling ends the account's sessions at once; the audit line
// (e: the actor and action) is written in the same transaction.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disable bool, check func(target auth.User, activeAdmins []int64) error, e audit.Entry) (auth.User, error) {
	var u auth.User
	err := db.inTx(ctx, func(tx *sql.Tx) error {
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
		if u, err = db.lockUser(ctx, tx, id); err != nil {
			return err
		}
		if err := check(u, active); err != nil {
			return err
		}
		before := accountState(u)
		u.Disabled = disable
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, disable, id); err != nil {
			return err
		}
		if disable {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		e.Subject, e.Before, e.After = fmt.Sprintf("user:%d", id), before, accountState(u)
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
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
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = db.lockUser(ctx, tx, id); err != nil {
			return err
		}
		if check != nil {
			if err := check(u); err != nil {
				return err
			}
		}
		before := accountState(u)
		u.PasswordHash, u.MustChangePassword = hash, mustChange
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3`, hash, mustChange, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, id, keepSession); err != nil {
			return err
		}
		e.Subject, e.Before, e.After = fmt.Sprintf("user:%d", id), before, accountState(u)
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
	return u, err
}
