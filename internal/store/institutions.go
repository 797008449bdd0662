package store

import (
	"context"
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
