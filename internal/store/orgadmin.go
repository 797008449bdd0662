package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"opcert/internal/audit"
	"opcert/internal/authority"
)

// authoritiesRevision names the counter raised by every change of an
// authority's contact.
const authoritiesRevision = "authorities"

// counter reads a revision counter (0 before its first raise).
func (db *DB) counter(ctx context.Context, name string) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT value FROM counters WHERE name = $1`, name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func raise(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`, name)
	return err
}

// PutAuthorityContact stores a 受理机关's window contact with its audit
// line (e: actor and action) and raises the authorities' revision, in one
// transaction.
func (db *DB) PutAuthorityContact(ctx context.Context, code string, c authority.Contact, e audit.Entry) error {
	defer db.authorities.Store(nil)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var before authority.Contact
		err := tx.QueryRowContext(ctx, `SELECT address, phone, hours FROM authorities WHERE code = $1`+db.forUpdate(), code).
			Scan(&before.Address, &before.Phone, &before.Hours)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE authorities SET address = $1, phone = $2, hours = $3 WHERE code = $4`, c.Address, c.Phone, c.Hours, code); err != nil {
			return err
		}
		if err := raise(ctx, tx, authoritiesRevision); err != nil {
			return err
		}
		e.Subject, e.Before, e.After = "authority:"+code, contactState(before), contactState(c)
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
}

func contactState(c authority.Contact) string {
	return fmt.Sprintf(`{"address":%q,"phone":%q,"hours":%q}`, c.Address, c.Phone, c.Hours)
}

func institutionState(e ExamInstitution) string {
	return fmt.Sprintf(`{"name":%q,"items":%q,"contact":%q}`, e.Name, strings.Join(e.Items, ","), e.Contact)
}

// SaveExamInstitution adds an institution (e.ID 0) or changes one, with
// its audit line, in one transaction; ErrDuplicate when another has the
// name. Institutions are read from the database on every look, so every
// instance sees the change at once.
func (db *DB) SaveExamInstitution(ctx context.Context, inst ExamInstitution, e audit.Entry) (ExamInstitution, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if inst.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO exam_institutions (name, items, contact, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
				inst.Name, strings.Join(inst.Items, ","), inst.Contact, db.now().UTC()).Scan(&inst.ID); err != nil {
				return err
			}
		} else {
			var before ExamInstitution
			var items string
			err := tx.QueryRowContext(ctx, `SELECT id, name, items, contact FROM exam_institutions WHERE id = $1`+db.forUpdate(), inst.ID).
				Scan(&before.ID, &before.Name, &items, &before.Contact)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			before.Items = strings.Split(items, ",")
			e.Before = institutionState(before)
			if _, err := tx.ExecContext(ctx, `UPDATE exam_institutions SET name = $1, items = $2, contact = $3 WHERE id = $4`,
				inst.Name, strings.Join(inst.Items, ","), inst.Contact, inst.ID); err != nil {
				return err
			}
		}
		e.Subject, e.After = fmt.Sprintf("exam_institution:%d", inst.ID), institutionState(inst)
		_, err := db.AppendAuditTx(ctx, tx, e)
		return err
	})
	if isUniqueViolation(err) {
		return inst, ErrDuplicate
	}
	return inst, err
}
