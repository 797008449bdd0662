package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"opcert/internal/application"
	"opcert/internal/audit"
)

// policyRevision names the counter raised by every change of a policy
// value, so each instance knows its cached policy is out of date.
const policyRevision = "policy_values"

// PolicyRow is a stored policy value with who set it and when.
type PolicyRow struct {
	application.PolicyValue
	SetAt time.Time
	SetBy string // the admin's name; "" for the initial values
}

// PolicyRows lists every policy value, by key and effective day.
func (db *DB) PolicyRows(ctx context.Context) ([]PolicyRow, error) {
	return queryPolicyRows(ctx, db.sql)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryPolicyRows(ctx context.Context, q querier) ([]PolicyRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.key, p.value, p.effective_from, p.note, p.set_at, COALESCE(u.name, '')
		FROM policy_values p LEFT JOIN users u ON u.id = p.set_by ORDER BY p.key, p.effective_from`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicyRow
	for rows.Next() {
		var r PolicyRow
		var key string
		if err := rows.Scan(&key, &r.Value, &r.EffectiveFrom, &r.Note, &r.SetAt, &r.SetBy); err != nil {
			return nil, err
		}
		r.Key = application.PolicyKey(key)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Values are the rows' values.
func Values(rows []PolicyRow) []application.PolicyValue {
	out := make([]application.PolicyValue, len(rows))
	for i, r := range rows {
		out[i] = r.PolicyValue
	}
	return out
}

// PolicyRevision is raised by every change of a policy value; a cached
// policy read at another revision is out of date.
func (db *DB) PolicyRevision(ctx context.Context) (int64, error) {
	return db.counter(ctx, policyRevision)
}

// PutPolicyValue stores a policy value (replacing one of its key and day),
// raises the revision and writes the audit line (e: actor and action), in
// one transaction. decide reads the rows as they stand inside the
// transaction (another admin's change made meanwhile included: raising the
// revision first makes a second change wait for the first) and returns the
// row to store, or its refusal.
func (db *DB) PutPolicyValue(ctx context.Context, userID int64, decide func(rows []application.PolicyValue) (application.PolicyValue, error), e audit.Entry) (application.PolicyValue, error) {
	var v application.PolicyValue
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := raise(ctx, tx, policyRevision); err != nil {
			return err
		}
		rows, err := queryPolicyRows(ctx, tx)
		if err != nil {
			return err
		}
		if v, err = decide(Values(rows)); err != nil {
			return err
		}
		before := ""
		for _, r := range rows {
			if r.Key == v.Key && r.EffectiveFrom == v.EffectiveFrom {
				before = policyState(r.PolicyValue)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_values (key, value, effective_from, note, set_at, set_by) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (key, effective_from) DO UPDATE SET value = excluded.value, note = excluded.note, set_at = excluded.set_at, set_by = excluded.set_by`,
			string(v.Key), v.Value, v.EffectiveFrom, v.Note, db.now().UTC(), nullInt(userID)); err != nil {
			return err
		}
		e.Subject, e.Before, e.After = "policy:"+string(v.Key), before, policyState(v)
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
	return v, err
}

func policyState(v application.PolicyValue) string {
	return fmt.Sprintf(`{"value":%q,"effective_from":%q,"note":%q}`, v.Value, v.EffectiveFrom, v.Note)
}
