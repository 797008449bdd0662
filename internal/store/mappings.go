package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/catalog"
)

// mappingRevision names the counter raised by every mapping decision.
const mappingRevision = "mapping_decisions"

// MappingRevision is raised by every decision; a catalogue built at another
// revision is out of date.
func (db *DB) MappingRevision(ctx context.Context) (int64, error) {
	return db.counter(ctx, mappingRevision)
}

// StoredDecision is a decision as stored: its lines as written, for the
// catalogue to read (catalog.ParseQualifications).
type StoredDecision struct {
	Old                    catalog.OldCode
	Kind                   catalog.MappingKind
	Targets, OptionalExtra string
	Source                 string
	DecidedBy              string // the admin's name
	DecidedAt              time.Time
}

// MappingDecisions lists the stored decisions by old code.
func (db *DB) MappingDecisions(ctx context.Context) ([]StoredDecision, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT d.old_code, d.kind, d.targets, d.optional_extra, d.source, d.decided_at, COALESCE(u.name, '')
		FROM mapping_decisions d LEFT JOIN users u ON u.id = d.decided_by ORDER BY d.old_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredDecision
	for rows.Next() {
		var d StoredDecision
		var old, kind string
		if err := rows.Scan(&old, &kind, &d.Targets, &d.OptionalExtra, &d.Source, &d.DecidedAt, &d.DecidedBy); err != nil {
			return nil, err
		}
		d.Old, d.Kind = catalog.OldCode(old), catalog.MappingKind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}

func joinLines(qs []catalog.Qualification) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = q.String()
	}
	return strings.Join(parts, "、")
}

// PutMappingDecision stores a decision (replacing an earlier one for the
// old item), raises the revision and writes the audit line (e: actor and
// action), in one transaction.
func (db *DB) PutMappingDecision(ctx context.Context, userID int64, d catalog.MappingDecision, e audit.Entry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := raise(ctx, tx, mappingRevision); err != nil {
			return err
		}
		var kind, targets, extras, source string
		err := tx.QueryRowContext(ctx, `SELECT kind, targets, optional_extra, source FROM mapping_decisions WHERE old_code = $1`, string(d.Old)).
			Scan(&kind, &targets, &extras, &source)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			e.Before = decisionState(kind, targets, extras, source)
		}
		after := decisionState(string(d.Kind), joinLines(d.Targets), joinLines(d.OptionalExtra), d.Source)
		if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_decisions (old_code, kind, targets, optional_extra, source, decided_at, decided_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (old_code) DO UPDATE SET kind = excluded.kind, targets = excluded.targets, optional_extra = excluded.optional_extra,
				source = excluded.source, decided_at = excluded.decided_at, decided_by = excluded.decided_by`,
			string(d.Old), string(d.Kind), joinLines(d.Targets), joinLines(d.OptionalExtra), d.Source, db.now().UTC(), nullInt(userID)); err != nil {
			return err
		}
		e.Subject, e.After = "mapping:"+string(d.Old), after
		_, err = db.AppendAuditTx(ctx, tx, e)
		return err
	})
}

func decisionState(kind, targets, extras, source string) string {
	return fmt.Sprintf(`{"kind":%q,"targets":%q,"optional_extra":%q,"source":%q}`, kind, targets, extras, source)
}
