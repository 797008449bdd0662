package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// ExamInstitution is a 考试机构 and the 2019 item codes it examines.
type ExamInstitution struct {
	ID      int64
	Name    string
	Items   []string
	Contact string
}

// PutExamInstitution adds an institution, or updates the one of that name.
func (db *DB) PutExamInstitution(ctx context.Context, e ExamInstitution) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO exam_institutions (name, items, contact, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET items = excluded.items, contact = excluded.contact`,
		e.Name, strings.Join(e.Items, ","), e.Contact, db.now().UTC())
	return err
}

// ExamInstitutions lists the institutions by name.
func (db *DB) ExamInstitutions(ctx context.Context) ([]ExamInstitution, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, name, items, contact FROM exam_institutions ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExamInstitution
	for rows.Next() {
		var e ExamInstitution
		var items string
		if err := rows.Scan(&e.ID, &e.Name, &items, &e.Contact); err != nil {
			return nil, err
		}
		e.Items = strings.Split(items, ",")
		out = append(out, e)
	}
	return out, rows.Err()
}

// ExamInstitutionByID finds an institution.
func (db *DB) ExamInstitutionByID(ctx context.Context, id int64) (ExamInstitution, error) {
	var e ExamInstitution
	var items string
	err := db.sql.QueryRowContext(ctx, `SELECT id, name, items, contact FROM exam_institutions WHERE id = $1`, id).Scan(&e.ID, &e.Name, &items, &e.Contact)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	e.Items = strings.Split(items, ",")
	return e, err
}
