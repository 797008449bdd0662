package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/registry"
)

// WeldBatch is a 单位's uploaded 批量报名 workbook as read, waiting for the
// 单位 to confirm its report.
type WeldBatch struct {
	ID         int64
	CreditCode string // the uploading 单位
	UploadedBy int64
	Filename   string
	// Rows are the rows read, []weldexam.BatchRow as JSON, until the
	// confirmation: then each registration made holds its own form, and
	// the batch keeps its record (who, file, counts) without them.
	Rows        []byte
	RowCount    int
	CreatedAt   time.Time
	ConfirmedAt sql.NullTime
	Registered  int
}

// ErrBatchConfirmed refuses a second confirmation of one upload.
var ErrBatchConfirmed = errors.New("该批量报名已确认，不能重复确认；如需再报名其他考生，请重新上传表格")

// AddWeldBatch keeps an uploaded workbook's rows, sealed (证件号码 and
// mobiles of every candidate), with the audit entry of the upload, in one
// transaction.
func (db *DB) AddWeldBatch(ctx context.Context, b WeldBatch, who audit.Entry) (WeldBatch, error) {
	b.CreatedAt = db.now().UTC()
	pk, err := db.personal(ctx)
	if err != nil {
		return b, err
	}
	rows, err := pk.seal(string(b.Rows))
	if err != nil {
		return b, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO weld_batches (credit_code, uploaded_by, filename, rows_json, row_count, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, b.CreditCode, b.UploadedBy, b.Filename, rows, b.RowCount, b.CreatedAt).Scan(&b.ID); err != nil {
			return err
		}
		who.Subject, who.After = fmt.Sprintf("weld_batch:%d", b.ID), fmt.Sprintf("%d rows", b.RowCount)
		_, err := db.AppendAuditTx(ctx, tx, who)
		return err
	})
	return b, err
}

// WeldBatchOf loads an upload of the 单位 of this credit code; another
// 单位's is ErrNotFound, as if it did not exist.
func (db *DB) WeldBatchOf(ctx context.Context, id int64, creditCode string) (WeldBatch, error) {
	var b WeldBatch
	var rows string
	err := db.queryRow(ctx, `SELECT id, credit_code, uploaded_by, filename, rows_json, row_count, created_at, confirmed_at, registered
		FROM weld_batches WHERE id = $1 AND credit_code = $2`, id, creditCode).
		Scan(&b.ID, &b.CreditCode, &b.UploadedBy, &b.Filename, &rows, &b.RowCount, &b.CreatedAt, &b.ConfirmedAt, &b.Registered)
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrNotFound
	}
	if err != nil {
		return b, err
	}
	if rows, err = db.open(ctx, rows); err != nil {
		return b, fmt.Errorf("store: weld batch %d: %w", b.ID, err)
	}
	b.Rows = []byte(rows)
	return b, nil
}

// WeldPeople is what the store knows of some people by 身份证号: who has a
// registration of a kind not yet scored (AddWeldRegistration refuses a
// second), and the registry's name of those it holds.
type WeldPeople struct {
	Registered map[string]bool
	Names      map[string]string
}

// batchChunk bounds the numbers of one IN list.
const batchChunk = 500

// WeldPeopleOf looks the numbers up, a chunk at a time. Registrations and
// holders alike are found by the keyed hash of their sealed 证件号码.
func (db *DB) WeldPeopleOf(ctx context.Context, kind string, idNumbers []string) (WeldPeople, error) {
	out := WeldPeople{Registered: map[string]bool{}, Names: map[string]string{}}
	pk, err := db.personal(ctx)
	if err != nil {
		return out, err
	}
	for start := 0; start < len(idNumbers); start += batchChunk {
		chunk := idNumbers[start:min(start+batchChunk, len(idNumbers))]
		marks := make([]string, len(chunk))
		byHMAC := make(map[string][]string, len(chunk)) // the numbers as asked, of each HMAC
		hargs := make([]any, 0, len(chunk)+1)
		for i, id := range chunk {
			h := pk.idHMAC(id)
			byHMAC[h] = append(byHMAC[h], id)
			hargs = append(hargs, h)
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		in := strings.Join(marks, ", ")
		if err := db.scanPairs(ctx, `SELECT DISTINCT id_number_hmac, '' FROM weld_registrations WHERE id_number_hmac IN (`+in+`) AND kind = $`+fmt.Sprint(len(chunk)+1)+` AND scored_at IS NULL`,
			append(hargs, kind), func(h, _ string) {
				for _, id := range byHMAC[h] {
					out.Registered[id] = true
				}
			}); err != nil {
			return out, err
		}
		if err := db.scanPairs(ctx, `SELECT id_number_hmac, name FROM holders WHERE id_number_hmac IN (`+in+`) AND id_type = $`+fmt.Sprint(len(chunk)+1),
			append(hargs, string(registry.IDResident)), func(h, name string) {
				for _, id := range byHMAC[h] {
					out.Names[id] = name
				}
			}); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (db *DB) scanPairs(ctx context.Context, query string, args []any, each func(a, b string)) error {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		each(a, b)
	}
	return rows.Err()
}

// BatchWelder is one registration of a confirmed batch, with its holder.
type BatchWelder struct {
	Registration WeldRegistration
	Holder       registry.Holder
}

// ConfirmWeldBatch registers the welders of a batch of the 单位 of this
// credit code, all in one transaction or none: the batch marked confirmed
// and its rows cleared (a second confirmation is ErrBatchConfirmed,
// another 单位's batch ErrNotFound), each registration stored bound to the
// 单位 and the batch with its audit entry (refused as AddWeldRegistration
// refuses: one not yet scored of the same person and kind,
// ErrWeldRegistered), and each welder made the 单位's worker.
//
// The 单位 registers these candidates as their employer (the 组织机构代码
// of every row is its own): that is the agreement unit_workers records,
// so the 单位工作台 shows their progress and, once certified, their items'
// 有效期至. A later application of the worker naming another 单位, or not
// agreeing, replaces it.
func (db *DB) ConfirmWeldBatch(ctx context.Context, batchID int64, creditCode string, welders []BatchWelder, who audit.Entry) error {
	now := db.now().UTC()
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	sealedWelders := make([]sealedWeld, len(welders))
	for i, w := range welders {
		if sealedWelders[i], err = pk.sealWeld(w.Registration); err != nil {
			return err
		}
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE weld_batches SET confirmed_at = $1, registered = $2, rows_json = '' WHERE id = $3 AND credit_code = $4 AND confirmed_at IS NULL`,
			now, len(welders), batchID, creditCode)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var confirmed sql.NullTime
			err := tx.QueryRowContext(ctx, `SELECT confirmed_at FROM weld_batches WHERE id = $1 AND credit_code = $2`, batchID, creditCode).Scan(&confirmed)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return ErrBatchConfirmed
		}
		ids := make([]int64, 0, len(welders))
		for i, w := range welders {
			r, h, sw := w.Registration, w.Holder, sealedWelders[i]
			if taken, err := weldRegistered(ctx, tx, sw.idHMAC, r.Kind); err != nil || taken {
				if err == nil {
					err = ErrWeldRegistered
				}
				return err
			}
			var regID int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO weld_registrations (kind, id_number, id_number_hmac, name, mobile, institution_id, data, photo_hmac, version, created_at, updated_at, unit_credit_code, batch_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10, $11) RETURNING id`, r.Kind, sw.idNumber, sw.idHMAC, r.Name, sw.mobile, r.InstitutionID, sw.data, sw.photoHMAC, now, creditCode, batchID).Scan(&regID); err != nil {
				return err
			}
			holderID, err := db.holderFor(ctx, tx, now, h)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO unit_workers (holder_id, credit_code, agreed_at) VALUES ($1, $2, $3)
				ON CONFLICT (holder_id) DO UPDATE SET credit_code = excluded.credit_code, application_id = NULL, agreed_at = excluded.agreed_at`,
				holderID, creditCode, now); err != nil {
				return err
			}
			ids = append(ids, regID)
		}
		// The audit entries last: AppendAuditTx holds the log's lock to the end.
		for _, id := range ids {
			e := who
			e.Subject, e.After = fmt.Sprintf("weld_registration:%d", id), fmt.Sprintf("new weld_batch:%d", batchID)
			if _, err := db.AppendAuditTx(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// UnitWeldRegistrations are the registrations a 单位 made in its batches,
// newest first.
func (db *DB) UnitWeldRegistrations(ctx context.Context, creditCode string) ([]WeldRegistration, error) {
	return db.weldRegistrations(ctx, `WHERE unit_credit_code = $1 ORDER BY id DESC`, creditCode)
}

// ExpiredWeldBatch is an upload never confirmed, as
// DeleteUnconfirmedWeldBatches deleted it.
type ExpiredWeldBatch struct {
	ID         int64
	CreditCode string
	RowCount   int
	CreatedAt  time.Time
}

// DeleteUnconfirmedWeldBatches deletes the uploads uploaded before the
// time given and never confirmed, rows and all, each with its audit entry
// (who, the system's), in one transaction, and returns them. No
// registration names an unconfirmed upload: the confirmation is what makes
// them. A confirmation under way either comes first (the upload is
// confirmed and stays) or finds the upload gone.
func (db *DB) DeleteUnconfirmedWeldBatches(ctx context.Context, before time.Time, who audit.Entry) ([]ExpiredWeldBatch, error) {
	var out []ExpiredWeldBatch
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `DELETE FROM weld_batches WHERE confirmed_at IS NULL AND created_at < $1
			RETURNING id, credit_code, row_count, created_at`, before.UTC())
		if err != nil {
			return err
		}
		for rows.Next() {
			var b ExpiredWeldBatch
			if err := rows.Scan(&b.ID, &b.CreditCode, &b.RowCount, &b.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			out = append(out, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b ExpiredWeldBatch) int { return cmp.Compare(a.ID, b.ID) })
		// The audit entries last: AppendAuditTx holds the log's lock to the end.
		for _, b := range out {
			e := who
			e.Subject = fmt.Sprintf("weld_batch:%d", b.ID)
			e.Before = fmt.Sprintf("%d rows, uploaded %s, not confirmed", b.RowCount, b.CreatedAt.UTC().Format(time.RFC3339))
			e.After = "deleted"
			if _, err := db.AppendAuditTx(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
