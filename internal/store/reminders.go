package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

// ExpiringItem is an item nearing 有效期至 with whom to tell.
type ExpiringItem struct {
	HolderID int64
	Item     registry.Item
	Mobile   string // the holder's account mobile, else the one on record
}

// ExpiringItems lists up to limit valid items whose 有效期至 falls from day to
// before day+3 months and whose due reminder (registry.Item.ReminderDue) has
// not been sent, nearest first. Holders with no mobile are left out: there
// is no one to tell.
//
// after is the last item of the batch before (zero for the first): a batch
// reads on from it rather than from the window's start, so a run over n
// due items reads each once, not n/limit times.
func (db *DB) ExpiringItems(ctx context.Context, day civil.Date, after registry.Item, limit int) ([]ExpiringItem, error) {
	if after.ID == 0 {
		after.ValidUntil = day
	}
	rows, err := db.sql.QueryContext(ctx, `
		SELECT h.id, i.id, i.item, i.weld_code, i.valid_until, COALESCE(NULLIF(u.mobile, ''), h.mobile)
		FROM certificate_items i
		JOIN certificates c ON c.id = i.certificate_id
		JOIN holders h ON h.id = c.holder_id
		LEFT JOIN users u ON u.holder_id = h.id AND u.role = 'applicant' AND NOT u.disabled
		WHERE i.status = 'valid' AND i.valid_until >= $1 AND i.valid_until < $2
		  AND (i.valid_until > $5 OR i.valid_until = $5 AND i.id > $6)
		  AND COALESCE(NULLIF(u.mobile, ''), h.mobile) <> ''
		  AND NOT EXISTS (SELECT 1 FROM expiry_reminders r WHERE r.holder_id = h.id AND r.item = i.item AND r.weld_code = i.weld_code
		                  AND r.valid_until = i.valid_until AND r.kind = '1m')
		  AND (i.valid_until < $3 OR NOT EXISTS (SELECT 1 FROM expiry_reminders r WHERE r.holder_id = h.id AND r.item = i.item
		                  AND r.weld_code = i.weld_code AND r.valid_until = i.valid_until AND r.kind = '3m'))
		ORDER BY i.valid_until, i.id LIMIT $4`, day, day.AddMonths(3), day.AddMonths(1), limit, after.ValidUntil, after.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExpiringItem
	for rows.Next() {
		var e ExpiringItem
		var item string
		if err := rows.Scan(&e.HolderID, &e.Item.ID, &item, &e.Item.WeldCode, &e.Item.ValidUntil, &e.Mobile); err != nil {
			return nil, err
		}
		// The account's mobile and the registry's are both sealed.
		if e.Mobile, err = db.open(ctx, e.Mobile); err != nil {
			return nil, err
		}
		ref, err := catalog.ParseItemRef(item)
		if err != nil {
			return nil, err
		}
		e.Item.Ref, e.Item.Status = ref, registry.ItemValid
		out = append(out, e)
	}
	return out, rows.Err()
}

// RenewalsUnderWay are the 复审 applications of these holders that are
// under way: submitted and not yet decided or withdrawn (their items are
// active), forms opened.
func (db *DB) RenewalsUnderWay(ctx context.Context, holderIDs []int64) ([]Application, error) {
	if len(holderIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(holderIDs))
	marks := make([]string, len(holderIDs))
	for i, id := range holderIDs {
		args[i] = id
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	return db.queryApplications(ctx, `SELECT `+appColumns+` FROM applications a
		WHERE a.holder_id IN (`+strings.Join(marks, ", ")+`) AND a.matter = 'renew'
		  AND EXISTS (SELECT 1 FROM application_items i WHERE i.application_id = a.id AND i.active)
		ORDER BY a.id`, args...)
}

// SendExpiryReminder records the reminder of kind for the item and queues
// its SMS in one transaction; sent is false when it had been recorded
// already (another instance, an earlier run), and then nothing is queued.
func (db *DB) SendExpiryReminder(ctx context.Context, e ExpiringItem, kind, body string) (sent bool, err error) {
	now := db.now().UTC()
	pk, err := db.personal(ctx)
	if err != nil {
		return false, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO expiry_reminders (holder_id, item, weld_code, valid_until, kind, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, e.HolderID, e.Item.Ref.String(), e.Item.WeldCode, e.Item.ValidUntil, kind, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		sent = true
		return enqueue(ctx, tx, pk, now, "sms", e.Mobile, "expiry_reminder", body)
	})
	return sent, err
}

// ExpiringDraft is a draft about to be deleted.
type ExpiringDraft struct {
	ID, ApplicantID int64
	Matter          string
	ExpiresOn       civil.Date
}

// ExpiringDrafts lists drafts whose last day falls from from to to and whose
// applicant has not been reminded of that last day.
func (db *DB) ExpiringDrafts(ctx context.Context, from, to civil.Date) ([]ExpiringDraft, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT a.id, a.applicant_id, a.matter, a.draft_expires_on FROM applications a
		WHERE a.status = 'draft' AND a.draft_expires_on >= $1 AND a.draft_expires_on <= $2
		  AND NOT EXISTS (SELECT 1 FROM draft_reminders r WHERE r.application_id = a.id AND r.expires_on = a.draft_expires_on)
		ORDER BY a.id`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExpiringDraft
	for rows.Next() {
		var d ExpiringDraft
		if err := rows.Scan(&d.ID, &d.ApplicantID, &d.Matter, &d.ExpiresOn); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SendDraftReminder records the reminder for the draft's last day and
// queues its SMS in one transaction, once (see SendExpiryReminder).
func (db *DB) SendDraftReminder(ctx context.Context, d ExpiringDraft, body string) (sent bool, err error) {
	now := db.now().UTC()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO draft_reminders (application_id, expires_on, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			d.ID, d.ExpiresOn, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		sent = true
		return enqueueToApplicant(ctx, tx, now, d.ApplicantID, "draft_expiring", body)
	})
	return sent, err
}
