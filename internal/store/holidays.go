package store

import (
	"context"
)

// PutHolidayYear stores an imported year of the working-day calendar.
func (db *DB) PutHolidayYear(ctx context.Context, year int, data []byte, by string) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO holiday_years (year, data, imported_at, imported_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (year) DO UPDATE SET data = excluded.data, imported_at = excluded.imported_at, imported_by = excluded.imported_by`,
		year, string(data), db.now().UTC(), by)
	return err
}

// HolidayYears returns the imported years' data, by year.
func (db *DB) HolidayYears(ctx context.Context) ([][]byte, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT data FROM holiday_years ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, []byte(s))
	}
	return out, rows.Err()
}
