package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"opcert/internal/authority"
	"opcert/internal/enterprise"
)

// PutAuthorities inserts or renames the 受理机关.
func (db *DB) PutAuthorities(ctx context.Context, as []authority.Authority) error {
	defer db.authorities.Store(nil)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range as {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO authorities (code, name, district) VALUES ($1, $2, $3)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, district = excluded.district`,
				a.Code, a.Name, a.District); err != nil {
				return err
			}
		}
		return nil
	})
}

// Authorities lists the 受理机关 by code. They are read once and kept until
// the authorities' revision moves: every instance writes the same names
// from its catalogue when it starts (PutAuthorities), and an admin's change
// of a window's contact (PutAuthorityContact) raises the revision, so every
// instance reads the list again at its next look and the pages ask the
// database only for one counter.
func (db *DB) Authorities(ctx context.Context) ([]authority.Authority, error) {
	rev, err := db.counter(ctx, authoritiesRevision)
	if err != nil {
		return nil, err
	}
	if as := db.authorities.Load(); as != nil && db.authoritiesRev.Load() == rev {
		return slices.Clone(*as), nil
	}
	as, err := db.readAuthorities(ctx)
	if err != nil {
		return nil, err
	}
	db.authorities.Store(&as)
	db.authoritiesRev.Store(rev)
	return slices.Clone(as), nil
}

func (db *DB) readAuthorities(ctx context.Context) ([]authority.Authority, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT code, name, district, address, phone, hours FROM authorities ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []authority.Authority
	for rows.Next() {
		var a authority.Authority
		if err := rows.Scan(&a.Code, &a.Name, &a.District, &a.Address, &a.Phone, &a.Hours); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PutEnterprises inserts or updates employers by 统一社会信用代码.
func (db *DB) PutEnterprises(ctx context.Context, es []enterprise.Enterprise) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range es {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO enterprises (credit_code, name, address, district_code, updated_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, address = excluded.address,
					district_code = excluded.district_code, updated_at = excluded.updated_at`,
				e.CreditCode, e.Name, e.Address, e.DistrictCode, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Enterprises is the embedded enterprise directory backed by the database.
func (db *DB) Enterprises() enterprise.Directory { return enterpriseTable{db} }

type enterpriseTable struct{ db *DB }

func (t enterpriseTable) ByCreditCode(ctx context.Context, code string) (enterprise.Enterprise, error) {
	return t.one(ctx, `WHERE credit_code = $1`, code)
}

func (t enterpriseTable) ByName(ctx context.Context, name string) (enterprise.Enterprise, error) {
	return t.one(ctx, `WHERE name = $1`, name)
}

func (t enterpriseTable) one(ctx context.Context, where string, arg string) (enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	err := t.db.sql.QueryRowContext(ctx, `SELECT credit_code, name, address, district_code FROM enterprises `+where+` ORDER BY credit_code LIMIT 1`, arg).
		Scan(&e.CreditCode, &e.Name, &e.Address, &e.DistrictCode)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	return e, err
}
