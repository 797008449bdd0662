package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// The photo of a 焊工报名 is uploaded while its form is still being typed
// and named by a registration only once the form is submitted or a 修改
// saved; a form given up, or a photo a 修改 replaced, leaves a file no
// registration names. The form is sealed, so each registration keeps the
// keyed hash of its photo's key as well (photo_hmac), by which the file
// sweep asks whether some registration still names a stored photo.

// photoHMAC is the blind index of a photo's file key; "" for no photo.
func (pk *personalKeys) photoHMAC(key string) string { return pk.index.Of(key) }

// WeldPhotosNamed is the set of the given photo keys (at most
// MaxFileMentions) that some registration's form names. Registrations
// written before photo_hmac existed are not seen here until
// IndexWeldPhotos has read their forms.
func (db *DB) WeldPhotosNamed(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	if len(keys) > MaxFileMentions {
		return nil, fmt.Errorf("store: WeldPhotosNamed of %d keys, at most %d", len(keys), MaxFileMentions)
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return nil, err
	}
	byHMAC := make(map[string][]string, len(keys))
	args := make([]any, 0, len(keys))
	marks := make([]string, 0, len(keys))
	for _, k := range keys {
		h := pk.photoHMAC(k)
		if h == "" {
			continue
		}
		if _, seen := byHMAC[h]; !seen {
			args = append(args, h)
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
		byHMAC[h] = append(byHMAC[h], k)
	}
	if len(args) == 0 {
		return out, nil
	}
	err = db.eachRow(ctx, `SELECT DISTINCT photo_hmac FROM weld_registrations WHERE photo_hmac IN (`+strings.Join(marks, ", ")+`)`, args, func(rows *sql.Rows) error {
		var h string
		if err := rows.Scan(&h); err != nil {
			return err
		}
		for _, k := range byHMAC[h] {
			out[k] = true
		}
		return nil
	})
	return out, err
}

// IndexWeldPhotos gives the registrations written before photo_hmac
// existed the hash of their photo's key, photoOf reading the key from a
// form (the store does not read forms), and returns the keys it read: a
// registration changed since it was read is left for the next call, so
// the caller counts these keys as named whether or not their hash was
// written. After the first call, normally none is left, and the call is
// one look-up.
func (db *DB) IndexWeldPhotos(ctx context.Context, photoOf func(form []byte) (string, error)) ([]string, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return nil, err
	}
	var keys []string
	for after := int64(0); ; {
		type unindexed struct {
			id          int64
			data, photo string
		}
		var batch []unindexed
		err := db.eachRow(ctx, `SELECT id, data FROM weld_registrations WHERE photo_hmac IS NULL AND id > $1 ORDER BY id LIMIT `+strconv.Itoa(resealBatch),
			[]any{after}, func(rows *sql.Rows) error {
				var u unindexed
				err := rows.Scan(&u.id, &u.data)
				batch = append(batch, u)
				return err
			})
		if err != nil || len(batch) == 0 {
			return keys, err
		}
		for i := range batch {
			u := &batch[i]
			form, err := db.openText(ctx, u.data)
			if err != nil {
				return keys, fmt.Errorf("store: weld registration %d: %w", u.id, err)
			}
			if u.photo, err = photoOf([]byte(form)); err != nil {
				return keys, fmt.Errorf("store: form of weld registration %d: %w", u.id, err)
			}
			if u.photo != "" {
				keys = append(keys, u.photo)
			}
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			for _, u := range batch {
				// A form changed since it was read keeps its change (and a
				// 修改 writes its own hash).
				if _, err := tx.ExecContext(ctx, `UPDATE weld_registrations SET photo_hmac = $1 WHERE id = $2 AND photo_hmac IS NULL AND data = $3`,
					pk.photoHMAC(u.photo), u.id, u.data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return keys, err
		}
		after = batch[len(batch)-1].id
	}
}
