package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"opcert/internal/audit"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

// Personal data (证件号码, names) of holders is read and written only in this
// file, so that encryption at rest with a keyed hash for look-ups can be added
// here without touching callers (DESIGN.md, Architecture).

// ImportStats counts what an import wrote.
type ImportStats struct {
	Holders, Certificates, Items int
}

// ImportHoldings writes holders with their certificates in one transaction:
// either all of them are stored or none is. A holder already present (same
// 证件类型 and 证件号码) is updated; a certificate already present has its
// items replaced by the given ones, so importing the same file twice changes
// nothing. A certificate number registered to another person is refused.
func (db *DB) ImportHoldings(ctx context.Context, hs []registry.Holding) (ImportStats, error) {
	var st ImportStats
	for i, h := range hs {
		if err := h.Validate(); err != nil {
			return st, fmt.Errorf("第 %d 位持证人（%s）：%w", i+1, h.Holder.Name, err)
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		st = ImportStats{}
		for _, h := range hs {
			if _, err := db.putHolding(ctx, tx, h, &st); err != nil {
				return fmt.Errorf("持证人 %s：%w", h.Holder.Name, err)
			}
		}
		return nil
	})
	return st, err
}

// PutHolding stores one holding (see ImportHoldings) and returns it with IDs.
func (db *DB) PutHolding(ctx context.Context, h registry.Holding) (registry.Holding, error) {
	if err := h.Validate(); err != nil {
		return h, err
	}
	var out registry.Holding
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.putHolding(ctx, tx, h, &ImportStats{})
		return err
	})
	return out, err
}

// holderFor is the holder of this ID, created when the registry does not
// know them yet; a different name is ErrNameMismatch. Everyone who becomes
// a holder other than by the registry's import (which updates what it
// finds, putHolding) comes through here: an applicant registering, a
// welder scored, a 单位's batch confirmed.
func (db *DB) holderFor(ctx context.Context, tx *sql.Tx, now time.Time, h registry.Holder) (int64, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	var name string
	err = tx.QueryRowContext(ctx, `SELECT id, name FROM holders WHERE id_number_hmac = $1 AND id_type = $2`, pk.idHMAC(h.IDNumber), string(h.IDType)).Scan(&id, &name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		sealedID, err := pk.seal(h.IDNumber)
		if err != nil {
			return 0, err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO holders (id_type, id_number, id_number_hmac, name, sex, birth_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			string(h.IDType), sealedID, pk.idHMAC(h.IDNumber), h.Name, h.Sex, h.BirthDate, now).Scan(&id)
		return id, err
	case err != nil:
		return 0, err
	case name != h.Name:
		return 0, ErrNameMismatch
	}
	return id, nil
}

func (db *DB) putHolding(ctx context.Context, tx *sql.Tx, h registry.Holding, st *ImportStats) (registry.Holding, error) {
	now := db.now().UTC()
	hd := h.Holder
	// Read before the transaction began (Migrate made the first key), so
	// this only reads.
	pk, err := db.personal(ctx)
	if err != nil {
		return h, err
	}
	sealedID, err := pk.seal(hd.IDNumber)
	if err != nil {
		return h, err
	}
	sealedMobile, err := pk.seal(hd.Mobile)
	if err != nil {
		return h, err
	}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO holders (id_type, id_number, id_number_hmac, name, sex, birth_date, mobile, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id_number_hmac, id_type) DO UPDATE SET name = excluded.name, sex = excluded.sex, birth_date = excluded.birth_date,
			mobile = CASE WHEN excluded.mobile <> '' THEN excluded.mobile ELSE holders.mobile END
		RETURNING id`,
		string(hd.IDType), sealedID, pk.idHMAC(hd.IDNumber), hd.Name, hd.Sex, hd.BirthDate, sealedMobile, now).Scan(&hd.ID)
	if err != nil {
		return h, err
	}
	h.Holder = hd
	st.Holders++
	for ci := range h.Certificates {
		c := &h.Certificates[ci]
		var owner int64
		var ended map[endedKey]endedItem
		err := tx.QueryRowContext(ctx, `SELECT id, holder_id FROM certificates WHERE number_hmac = $1`, pk.numberHMAC(c.Number)).Scan(&c.ID, &owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var sealedNumber string
			if sealedNumber, err = pk.seal(c.Number); err != nil {
				return h, err
			}
			err = tx.QueryRowContext(ctx, `
				INSERT INTO certificates (holder_id, number, number_hmac, archive_no, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				hd.ID, sealedNumber, pk.numberHMAC(c.Number), c.ArchiveNo, now).Scan(&c.ID)
			if err != nil {
				return h, err
			}
		case err != nil:
			return h, err
		case owner != hd.ID:
			return h, fmt.Errorf("证书编号 %s 已登记在另一位持证人名下", c.Number)
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE certificates SET archive_no = $1 WHERE id = $2`, c.ArchiveNo, c.ID); err != nil {
				return h, err
			}
			if ended, err = endingsOf(ctx, tx, c.ID); err != nil {
				return h, err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM certificate_items WHERE certificate_id = $1`, c.ID); err != nil {
				return h, err
			}
		}
		st.Certificates++
		for ii := range c.Items {
			it := &c.Items[ii]
			// A 撤销 or 注销 decided here outlives a re-import of the
			// registry (行政许可法 第六十九条、第七十条): the file, exported
			// before the decision or from a system that does not know it,
			// does not bring the item back into force.
			e, wasEnded := ended[endedKey{it.Ref.String(), it.WeldCode, it.ApprovedOn}]
			if wasEnded {
				it.Status = registry.ItemRevoked
			}
			err := tx.QueryRowContext(ctx, `
				INSERT INTO certificate_items (certificate_id, item, weld_code, scope, issued_by, approved_on, valid_until, status, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				c.ID, it.Ref, it.WeldCode, it.Scope, it.IssuedBy, it.ApprovedOn, it.ValidUntil, string(it.Status), now).Scan(&it.ID)
			if err != nil {
				return h, err
			}
			if wasEnded {
				if _, err := tx.ExecContext(ctx, `INSERT INTO item_endings (item_id, kind, reason, basis, decided_on, decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					it.ID, string(e.Kind), e.Reason, e.Basis, e.On, nullInt(e.by), e.at); err != nil {
					return h, err
				}
				it.Ending = &e.Ending
			}
			st.Items++
		}
	}
	return h, nil
}

// endedKey names an item across a re-import: its item, welding code and
// 批准日期 (the row ids are made anew).
type endedKey struct {
	ref, weldCode string
	approvedOn    civil.Date
}

type endedItem struct {
	registry.Ending
	by int64
	at time.Time
}

// endingsOf are the decisions ending items of a certificate, by item.
func endingsOf(ctx context.Context, tx *sql.Tx, certificateID int64) (map[endedKey]endedItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.item, i.weld_code, i.approved_on, e.kind, e.reason, e.basis, e.decided_on, COALESCE(e.decided_by, 0), e.created_at
		FROM item_endings e JOIN certificate_items i ON i.id = e.item_id WHERE i.certificate_id = $1`, certificateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[endedKey]endedItem{}
	for rows.Next() {
		var k endedKey
		var e endedItem
		var kind string
		if err := rows.Scan(&k.ref, &k.weldCode, &k.approvedOn, &kind, &e.Reason, &e.Basis, &e.On, &e.by, &e.at); err != nil {
			return nil, err
		}
		e.Kind = registry.EndingKind(kind)
		out[k] = e
	}
	return out, rows.Err()
}

// HoldingByIDNumber finds a person by 证件号码 with every certificate that is
// theirs or that carries that number (the certificate number is the holder's
// 证件号码 on 2019-format certificates). ErrNotFound when there is neither.
func (db *DB) HoldingByIDNumber(ctx context.Context, idNumber string) (registry.Holding, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return registry.Holding{}, err
	}
	return db.holding(ctx, nil, holdingByIDNumberSQL, pk.idHMAC(idNumber), pk.numberHMAC(idNumber))
}

// QueryMisses counts the recent public queries that matched nothing
// (auth.QueryMissWindow), from the asker's address and about the name
// asked: the captcha rule of the public 证书查询 (auth.CaptchaAfterClientMiss).
type QueryMisses struct{ ByClient, ByName int }

// Asker is who asks a public query: their address and the name they ask
// about, whose misses the query reads.
type Asker struct{ Client, Name string }

// HoldingForQuery is HoldingByIDNumber for the public 证书查询, with the
// asker's recent misses read in the same statement: on SQLite a statement
// of its own cost as much as half the look-up. The holding is read whatever
// the misses; the caller decides whether it may be shown.
func (db *DB) HoldingForQuery(ctx context.Context, idNumber string, who Asker) (registry.Holding, QueryMisses, error) {
	var m QueryMisses
	pk, err := db.personal(ctx)
	if err != nil {
		return registry.Holding{}, m, err
	}
	byClient, byName := pk.queryMissBuckets(who.Client, who.Name)
	h, err := db.holding(ctx, &m, holdingForQuerySQL, pk.idHMAC(idNumber), pk.numberHMAC(idNumber), byClient, byName, db.queryMissesSince())
	return h, m, err
}

// holding runs a holding statement (holdingByIDNumberSQL, or
// holdingForQuerySQL when misses is not nil, whose two last columns are
// the misses).
func (db *DB) holding(ctx context.Context, misses *QueryMisses, query string, args ...any) (registry.Holding, error) {
	var h registry.Holding
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	// One row's columns, scanned into the same variables row after row
	// (each variable scanned into is allocated once, not once a row).
	var r struct {
		holderID, certID, itemID                       sql.NullInt64
		idType, sealedID, name, sex                    sql.NullString
		birth, approved, until, endedOn                civil.Date
		number, archiveNo, item, weld, scope, issuedBy sql.NullString
		status, endKind, endReason, endBasis           sql.NullString
	}
	dest := []any{&r.holderID, &r.idType, &r.sealedID, &r.name, &r.sex, &r.birth,
		&r.certID, &r.number, &r.archiveNo,
		&r.itemID, &r.item, &r.weld, &r.scope, &r.issuedBy, &r.approved, &r.until, &r.status,
		&r.endKind, &r.endReason, &r.endBasis, &r.endedOn}
	if misses != nil {
		dest = append(dest, &misses.ByClient, &misses.ByName)
	}
	for first := true; rows.Next(); first = false {
		if err := rows.Scan(dest...); err != nil {
			return h, err
		}
		// Every row repeats the holder (none: no holder has the number).
		if first && r.holderID.Valid {
			h.Holder = registry.Holder{ID: r.holderID.Int64, IDType: registry.IDType(r.idType.String), Name: r.name.String, Sex: r.sex.String, BirthDate: r.birth}
			if h.Holder.IDNumber, err = db.open(ctx, r.sealedID.String); err != nil {
				return h, err
			}
		}
		if !r.certID.Valid {
			continue
		}
		k := slices.IndexFunc(h.Certificates, func(c registry.Certificate) bool { return c.ID == r.certID.Int64 })
		if k < 0 {
			c := registry.Certificate{ID: r.certID.Int64, ArchiveNo: r.archiveNo.String}
			if c.Number, err = db.open(ctx, r.number.String); err != nil {
				return h, err
			}
			k, h.Certificates = len(h.Certificates), append(h.Certificates, c)
		}
		if !r.itemID.Valid {
			continue
		}
		last := &h.Certificates[k]
		ref, err := catalog.ParseItemRef(r.item.String)
		if err != nil {
			return h, fmt.Errorf("store: certificate %s: %w", last.Number, err)
		}
		it := registry.Item{
			ID: r.itemID.Int64, Ref: ref, WeldCode: r.weld.String, Scope: r.scope.String, IssuedBy: r.issuedBy.String,
			ApprovedOn: r.approved, ValidUntil: r.until, Status: registry.ItemStatus(r.status.String),
		}
		if r.endKind.Valid {
			it.Ending = &registry.Ending{Kind: registry.EndingKind(r.endKind.String), Reason: r.endReason.String, Basis: r.endBasis.String, On: r.endedOn}
		}
		last.Items = append(last.Items, it)
	}
	if err := rows.Err(); err != nil {
		return h, err
	}
	if h.Holder.ID == 0 && len(h.Certificates) == 0 {
		return h, ErrNotFound
	}
	// In the order they were registered: the rows come in the order the
	// engine found them (sorting a few rows here costs less than a sort
	// step in the statement).
	slices.SortFunc(h.Certificates, func(a, b registry.Certificate) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range h.Certificates {
		slices.SortFunc(c.Items, func(a, b registry.Item) int { return cmp.Compare(a.ID, b.ID) })
	}
	return h, nil
}

// CountHolders tells whether the registry is empty (demo seeding).
func (db *DB) CountHolders(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM holders`).Scan(&n)
	return n, err
}

// holdingByIDNumberSQL is HoldingByIDNumber's one statement, the look-up
// every applicant page and the public query make (prepared once, see
// DB.stmts): the holder by the blind index of the 证件号码 ($1), joined to
// their certificates and the one numbered by it ($2), with the items and
// their endings. The single row it joins from gives one row of NULLs when
// there is neither holder nor certificate. One statement rather than the
// holder first and then the certificates: on SQLite each statement run
// costs about as much as the index searches it makes. holdingForQuerySQL
// is the same with the misses of the asker's client ($3) and name ($4)
// since $5 in that row, and as its two last columns.
const (
	holdingByIDNumberSQL = holdingColumns + `
		FROM (SELECT 1 AS one) q` + holdingJoins
	holdingForQuerySQL = holdingColumns + `, q.by_client, q.by_name
		FROM (SELECT ` + queryMissCountsSQL + `) q` + holdingJoins

	holdingColumns = `SELECT h.id, h.id_type, h.id_number, h.name, h.sex, h.birth_date,
		       c.id, c.number, c.archive_no,
		       i.id, i.item, i.weld_code, i.scope, i.issued_by, i.approved_on, i.valid_until, i.status,
		       e.kind, e.reason, e.basis, e.decided_on`
	holdingJoins = `
		LEFT JOIN holders h ON h.id = (SELECT id FROM holders WHERE id_number_hmac = $1 ORDER BY id LIMIT 1)
		LEFT JOIN certificates c ON c.holder_id = h.id OR c.number_hmac = $2
		LEFT JOIN certificate_items i ON i.certificate_id = c.id
		LEFT JOIN item_endings e ON e.item_id = i.id`
)

// ErrItemNotInForce refuses to end an item already renewed or ended.
var ErrItemNotInForce = errors.New("该项目已换发、注销或撤销，不能再次撤销或注销")

// EndItem records a decision ending an item (撤销 or 注销) and marks it so,
// with the audit entry, in one transaction. The item's holder is returned

func (db *DB) EndItem(ctx context.Context, itemID int64, e registry.Ending, by int64, entry audit.Entry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM certificate_items WHERE id = $1`+db.forUpdate(), itemID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if registry.ItemStatus(status) != registry.ItemValid {
			return ErrItemNotInForce
		}
		now := db.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE certificate_items SET status = $1, updated_at = $2 WHERE id = $3`, string(registry.ItemRevoked), now, itemID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO item_endings (item_id, kind, reason, basis, decided_on, decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			itemID, string(e.Kind), e.Reason, e.Basis, e.On, nullInt(by), now); err != nil {
			return err
		}
		entry.Subject = fmt.Sprintf("certificate_item:%d", itemID)
		entry.Before = `{"status":"valid"}`
		_, err = db.AppendAuditTx(ctx, tx, entry)
		return err
	})
}

// HoldingByCertificateNumber is the record of the person holding the
// certificate numbered number (证件编号) or filed under it (档案编号): the
// public query by certificate number, for a certificate whose number is
// not the holder's present 证件号码.
func (db *DB) HoldingByCertificateNumber(ctx context.Context, number string) (registry.Holding, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return registry.Holding{}, err
	}
	var idNumber sql.NullString
	if err := db.queryRow(ctx, `SELECT `+holderOfCertificateSQL, pk.numberHMAC(number), number).Scan(&idNumber); err != nil {
		return registry.Holding{}, err
	}
	return db.holdingOfCertificate(ctx, idNumber)
}

// HoldingByCertificateForQuery is HoldingByCertificateNumber for the public
// 证书查询, with the asker's misses read in its first statement (see
// HoldingForQuery).
func (db *DB) HoldingByCertificateForQuery(ctx context.Context, number string, who Asker) (registry.Holding, QueryMisses, error) {
	var m QueryMisses
	pk, err := db.personal(ctx)
	if err != nil {
		return registry.Holding{}, m, err
	}
	byClient, byName := pk.queryMissBuckets(who.Client, who.Name)
	var idNumber sql.NullString
	err = db.queryRow(ctx, `SELECT `+holderOfCertificateSQL+`, `+queryMissCountsSQL, pk.numberHMAC(number), number, byClient, byName, db.queryMissesSince()).
		Scan(&idNumber, &m.ByClient, &m.ByName)
	if err != nil {
		return registry.Holding{}, m, err
	}
	h, err := db.holdingOfCertificate(ctx, idNumber)
	return h, m, err
}

// holdingOfCertificate is the holding of the sealed 证件号码 that
// holderOfCertificateSQL found, ErrNotFound for none.
func (db *DB) holdingOfCertificate(ctx context.Context, sealedID sql.NullString) (registry.Holding, error) {
	if !sealedID.Valid {
		return registry.Holding{}, ErrNotFound
	}
	idNumber, err := db.open(ctx, sealedID.String)
	if err != nil {
		return registry.Holding{}, err
	}
	return db.HoldingByIDNumber(ctx, idNumber)
}

// holderOfCertificateSQL is the sealed 证件号码 of the holder of the
// certificate whose number's blind index is $1 or whose 档案编号 is $2, as
// a column: NULL when there is none.
const holderOfCertificateSQL = `(SELECT h.id_number FROM certificates c JOIN holders h ON h.id = c.holder_id
		WHERE c.number_hmac = $1 OR (c.archive_no = $2 AND c.archive_no <> '') ORDER BY c.id LIMIT 1)`
