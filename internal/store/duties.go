package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"opcert/internal/audit"
)

// DutySeparations are the 受理机关 that separate 受理, 审核 and 批准, by
// district code; a bureau not listed does not.
func (db *DB) DutySeparations(ctx context.Context) (map[string]bool, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT authority_code FROM duty_separation WHERE separated`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		out[code] = true
	}
	return out, rows.Err()
}

// DutySeparated reports whether the 受理机关 separates duties; read at
// each action, so a change by the admin holds on every instance at once.
func (db *DB) DutySeparated(ctx context.Context, code string) (bool, error) {
	var on bool
	err := db.queryRow(ctx, `SELECT separated FROM duty_separation WHERE authority_code = $1`, code).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return on, err
}

// SetDutySeparation turns a bureau's separation of duties on or off with
// its audit line, in one transaction; ErrNotFound for an unknown bureau.
func (db *DB) SetDutySeparation(ctx context.Context, code string, on bool, e audit.Entry) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM authorities WHERE code = $1`, code).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		var before bool
		err := tx.QueryRowContext(ctx, `SELECT separated FROM duty_separation WHERE authority_code = $1`, code).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO duty_separation (authority_code, separated, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (authority_code) DO UPDATE SET separated = excluded.separated, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			code, on, now, nullInt(e.ActorID)); err != nil {
			return err
		}
		e.Subject = "authority:" + code
		e.Before, e.After = fmt.Sprintf("separated=%v", before), fmt.Sprintf("separated=%v", on)
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
}

// DutyStep is a step separation of duties keeps apart (受理, 审核) and the
// officer who took it.
type DutyStep struct {
	Action    string
	ActorID   int64
	ActorName string
}

// DutySteps are the 受理 and 审核 steps of each application, oldest first,
// for the case page and a page of the queue.
func (db *DB) DutySteps(ctx context.Context, appIDs []int64) (map[int64][]DutyStep, error) {
	out := map[int64][]DutyStep{}
	if len(appIDs) == 0 {
		return out, nil
	}
	marks := make([]string, len(appIDs))
	args := make([]any, len(appIDs))
	for i, id := range appIDs {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT e.application_id, e.action, COALESCE(e.actor_id, 0), COALESCE(u.name, '')
		FROM application_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.application_id IN (`+strings.Join(marks, ", ")+`) AND e.action IN ('accept', 'accept_for_exam', 'review')
		ORDER BY e.application_id, e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st DutyStep
		if err := rows.Scan(&id, &st.Action, &st.ActorID, &st.ActorName); err != nil {
			return nil, err
		}
		out[id] = append(out[id], st)
	}
	return out, rows.Err()
}
