package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// Notice is a document issued for an application: 补正告知书, 受理通知书,
// 不予受理决定书, 准予/不予许可决定书, the certificate. Data is its content as
// issued; PDFKey, once set, the PDF first delivered.
type Notice struct {
	ID            int64
	ApplicationID int64
	EventID       int64
	Kind          string // correction.pdf, acceptance.pdf, not-accepted.pdf, decision.pdf, certificate.pdf
	Title         string
	Number        string
	IssuedAt      time.Time
	Data          []byte
	DataSHA256    string
	PDFKey        string
	PDFSHA256     string
}

// addNotices records the documents an action issues, in its transaction.
// Their content and number are sealed: both name the applicant (a
// certificate's number is most often the holder's 证件号码); the SHA-256
// is of the content as issued.
func (db *DB) addNotices(ctx context.Context, tx *sql.Tx, now time.Time, appID, eventID int64, list []Notice) error {
	for _, n := range list {
		sum := sha256.Sum256(n.Data)
		data, err := db.sealText(ctx, string(n.Data))
		if err != nil {
			return err
		}
		number, err := db.sealText(ctx, n.Number)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (application_id, event_id, kind, title, number, issued_at, data, data_sha256)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, appID, nullInt(eventID), n.Kind, n.Title, number, now, data, hex.EncodeToString(sum[:])); err != nil {
			return err
		}
	}
	return nil
}

// AddNotice records a document issued outside an action (one issued before
// documents were kept, issued on its first download).
func (db *DB) AddNotice(ctx context.Context, n Notice) (Notice, error) {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return db.addNotices(ctx, tx, now, n.ApplicationID, n.EventID, []Notice{n})
	})
	if err != nil {
		return n, err
	}
	return db.NoticeOf(ctx, n.ApplicationID, n.Kind)
}

const noticeColumns = `id, application_id, COALESCE(event_id, 0), kind, title, number, issued_at, data, data_sha256, COALESCE(pdf_key, ''), COALESCE(pdf_sha256, '')`

func (db *DB) scanNotice(ctx context.Context, row interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	var data string
	err := row.Scan(&n.ID, &n.ApplicationID, &n.EventID, &n.Kind, &n.Title, &n.Number, &n.IssuedAt, &data, &n.DataSHA256, &n.PDFKey, &n.PDFSHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return n, ErrNotFound
	}
	if err != nil {
		return n, err
	}
	if n.Number, err = db.openText(ctx, n.Number); err != nil {
		return n, err
	}
	if data, err = db.openText(ctx, data); err != nil {
		return n, err
	}
	n.Data = []byte(data)
	return n, nil
}

// Notices lists an application's documents in the order issued.
func (db *DB) Notices(ctx context.Context, appID int64) ([]Notice, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE application_id = $1 ORDER BY id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		n, err := db.scanNotice(ctx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoticeOf is the latest document of a kind issued for the application.
func (db *DB) NoticeOf(ctx context.Context, appID int64, kind string) (Notice, error) {
	return db.scanNotice(ctx, db.sql.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE application_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, appID, kind))
}

// SetNoticePDF keeps the PDF first delivered for a notice. It reports false
// when another delivery kept one first; that one stands.
func (db *DB) SetNoticePDF(ctx context.Context, id int64, key, sha string) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE notices SET pdf_key = $1, pdf_sha256 = $2 WHERE id = $3 AND pdf_key IS NULL`, key, sha, id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
