package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/sealed"
)

// personalKeys are the data keys (see migration 0100) and the blind index.
type personalKeys struct {
	ring  *sealed.Keyring
	index sealed.Index
}

// keysFresh is how long an instance seals with the key it read before
// looking again, so that every instance moves to a key another one made
// (opcert keys rotate-data) within it.
const keysFresh = time.Minute

// SetDataCipher chooses the cipher of data keys made from now on
// (OPCERT_DATA_CIPHER); values keep the cipher of the key that sealed them.
func (db *DB) SetDataCipher(c sealed.Cipher) {
	db.dataMu.Lock()
	defer db.dataMu.Unlock()
	db.dataCipher = c
}

// personal returns the data keys, making the first one when there is none
// (Migrate does, before anything else needs them: making a key writes, and
// inside a transaction SQLite's one write connection would be held). Keys
// read over a minute ago are returned as they are while a fresh read runs
// aside: callers are often inside a transaction, and on PostgreSQL a
// transaction waiting for a second connection of a full pool, while the
// others wait for it, would never end.
func (db *DB) personal(ctx context.Context) (*personalKeys, error) {
	db.dataMu.Lock()
	defer db.dataMu.Unlock()
	if db.data != nil {
		if time.Since(db.dataAt) >= keysFresh && !db.dataReading {
			db.dataReading = true
			go db.refreshPersonalKeys()
		}
		return db.data, nil
	}
	pk, err := db.loadPersonalKeys(ctx)
	if errors.Is(err, errNoDataKey) {
		if err = db.addDataKey(ctx, 1, db.dataCipher); err == nil {
			pk, err = db.loadPersonalKeys(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	db.data, db.dataAt = pk, time.Now()
	return pk, nil
}

func (db *DB) refreshPersonalKeys() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pk, err := db.loadPersonalKeys(ctx)
	db.dataMu.Lock()
	defer db.dataMu.Unlock()
	db.dataReading = false
	if err == nil {
		db.data, db.dataAt = pk, time.Now()
	}
}

// forgetPersonalKeys makes the next personal read the keys again.
func (db *DB) forgetPersonalKeys() {
	db.dataMu.Lock()
	defer db.dataMu.Unlock()
	db.data = nil
}

var errNoDataKey = errors.New("store: no data key yet")

func (db *DB) loadPersonalKeys(ctx context.Context) (*personalKeys, error) {
	rows, err := db.keyReads.QueryContext(ctx, `SELECT id, cipher, source, check_value FROM data_keys ORDER BY id`)
	if err != nil {
		return nil, err
	}
	type row struct {
		id                    int64
		cipher, source, check string
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.cipher, &r.source, &r.check); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, errNoDataKey
	}
	var keys []sealed.Key
	var index sealed.Index
	for i, r := range found {
		secret, err := db.dataKeySecret(ctx, r.id, r.source)
		if err != nil {
			return nil, err
		}
		if checkValue(secret) != r.check {
			return nil, fmt.Errorf("store: 个人数据密钥 k%d 与加密时不同：OPCERT_SECRET_KEY 须与加密个人数据时的相同", r.id)
		}
		if i == 0 {
			// The blind index keeps the first key's: every HMAC column would
			// have to be recomputed, with lookups meanwhile trying both, to
			// change it.
			m := hmac.New(sha256.New, secret)
			m.Write([]byte("opcert blind index"))
			index = sealed.NewIndex(m.Sum(nil))
		}
		keys = append(keys, sealed.Key{ID: dataKeyID(r.id), Cipher: sealed.Cipher(r.cipher), Secret: secret})
	}
	ring, err := sealed.NewKeyring(dataKeyID(found[len(found)-1].id), keys...)
	if err != nil {
		return nil, err
	}
	return &personalKeys{ring: ring, index: index}, nil
}

func dataKeyID(id int64) string { return "k" + strconv.FormatInt(id, 10) }

func checkValue(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("opcert data key check"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// dataKeySecret is the secret of data key id: derived from the configured
// OPCERT_SECRET_KEY, or read from server_keys.
func (db *DB) dataKeySecret(ctx context.Context, id int64, source string) ([]byte, error) {
	name := "data:" + dataKeyID(id)
	switch source {
	case "secret":
		if db.secret == nil {
			return nil, fmt.Errorf("store: 个人数据密钥 %s 由 OPCERT_SECRET_KEY 派生：请设置加密时的 OPCERT_SECRET_KEY", dataKeyID(id))
		}
		m := hmac.New(sha256.New, db.secret)
		m.Write([]byte("opcert key: " + name))
		return m.Sum(nil), nil
	case "stored":
		var stored string
		if err := db.keyReads.QueryRowContext(ctx, `SELECT secret FROM server_keys WHERE name = $1`, name).Scan(&stored); err != nil {
			return nil, fmt.Errorf("store: read the data key %s: %w", name, err)
		}
		k, err := hex.DecodeString(stored)
		if err != nil || len(k) != sealed.KeySize {
			return nil, fmt.Errorf("store: the data key %s in server_keys is not 32 bytes of hex", name)
		}
		return k, nil
	}
	return nil, fmt.Errorf("store: data key %s has an unknown source %q", name, source)
}

// addDataKey makes data key id with the configured cipher. Two instances
// making the first key together make the same one: the stored secret and
// the row are both inserted only if absent.
func (db *DB) addDataKey(ctx context.Context, id int64, c sealed.Cipher) error {
	if c == "" {
		c = sealed.AES256GCM
	}
	source := "stored"
	if db.secret != nil {
		source = "secret"
	} else {
		fresh := make([]byte, sealed.KeySize)
		rand.Read(fresh)
		if _, err := db.w.ExecContext(ctx, `INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
			"data:"+dataKeyID(id), hex.EncodeToString(fresh), db.now().UTC()); err != nil {
			return fmt.Errorf("store: make data key %s: %w", dataKeyID(id), err)
		}
	}
	secret, err := db.dataKeySecret(ctx, id, source)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO data_keys (id, cipher, source, check_value, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
		id, string(c), source, checkValue(secret), db.now().UTC())
	return err
}

// RotateDataKey makes a new data key, current from now on (other instances
// take it within a minute), audits it as e, and returns its id.
// ResealPersonalData then re-seals what older keys sealed.
func (db *DB) RotateDataKey(ctx context.Context, e audit.Entry) (string, error) {
	if _, err := db.personal(ctx); err != nil {
		return "", err
	}
	var last int64
	if err := db.sql.QueryRowContext(ctx, `SELECT MAX(id) FROM data_keys`).Scan(&last); err != nil {
		return "", err
	}
	if err := db.addDataKey(ctx, last+1, db.cipherOf()); err != nil {
		return "", err
	}
	db.forgetPersonalKeys()
	pk, err := db.personal(ctx)
	if err != nil {
		return "", err
	}
	e.Action, e.Subject = "rotate_data_key", "data_keys"
	e.After = fmt.Sprintf(`{"id":%q,"cipher":%q}`, pk.ring.Current(), db.cipherOf())
	if _, err := db.AppendAudit(ctx, e); err != nil {
		return "", err
	}
	return pk.ring.Current(), nil
}

func (db *DB) cipherOf() sealed.Cipher {
	db.dataMu.Lock()
	defer db.dataMu.Unlock()
	if db.dataCipher == "" {
		return sealed.AES256GCM
	}
	return db.dataCipher
}

// sealedColumn is a column of personal data kept sealed, with the HMAC
// column it is found by, if it is looked up.
type sealedColumn struct {
	table, column string
	hmac          string              // "" when never looked up
	normalise     func(string) string // of the value before its HMAC
}

// sealedColumns are every column of personal data kept sealed.
var sealedColumns = []sealedColumn{
	{"holders", "id_number", "id_number_hmac", sealed.IDNumber},
	{"holders", "mobile", "", nil},
	{"certificates", "number", "number_hmac", exactly},
	{"applications", "data", "", nil},
	{"notices", "data", "", nil},
	{"notices", "number", "", nil},
	{"users", "login", "login_hmac", exactly},
	{"users", "mobile", "mobile_hmac", sealed.Mobile},
	{"outbox", "recipient", "recipient_hmac", sealed.Mobile},
	{"weld_registrations", "id_number", "id_number_hmac", sealed.IDNumber},
	{"weld_registrations", "mobile", "", nil},
	{"weld_registrations", "data", "", nil},
	{"weld_batches", "rows_json", "", nil},
	{"units", "phone", "", nil},
}

// rowKeys names the key column of the tables whose rows are not keyed by
// id, so that sealing walks them in order all the same.
var rowKeys = map[string]string{"units": "user_id"}

func rowKey(table string) string {
	if k, ok := rowKeys[table]; ok {
		return k
	}
	return "id"
}

// exactly is the normalisation of certificate numbers and logins, looked
// up as typed (a 单位's credit code is tried upper-cased by the login
// itself, casework.LoginPassword).
func exactly(s string) string { return s }

// resealBatch is how many rows one transaction re-seals, so that serving
// goes on between batches.
const resealBatch = 500

// sealPlainPersonalData seals the personal data still in clear: the rows
// written before sealing existed, or by SQL that cannot seal (the load
// test's generated registry), and records the sweep (sweptColumns). It
// reads every sealed column of every row.
func (db *DB) sealPlainPersonalData(ctx context.Context) (int, error) {
	n, err := db.reseal(ctx, "v1:%", nil)
	if err != nil {
		return n, err
	}
	m, err := db.hashPlainBuckets(ctx)
	if err != nil {
		return n + m, err
	}
	// Instances starting together may both sweep; the first record stays.
	_, err = db.w.ExecContext(ctx, `INSERT INTO personal_data_sweeps (columns, swept_at) VALUES ($1, $2) ON CONFLICT (columns) DO NOTHING`,
		sweptColumns(), db.now().UTC())
	return n + m, err
}

// sealPlainPersonalDataOnce is sealPlainPersonalData at a start: skipped
// when a sweep of the same columns went through before. Everything the
// service writes is sealed as written (TestNoPersonalDataInClear), so
// only a database from before sealing, or from before a column was
// sealed, holds any in clear.
func (db *DB) sealPlainPersonalDataOnce(ctx context.Context) (int, error) {
	// The keys are loaded and checked either way: a start with another
	// OPCERT_SECRET_KEY than the data was sealed with is refused here, not
	// at the first read.
	if _, err := db.personal(ctx); err != nil {
		return 0, err
	}
	var one int
	err := db.sql.QueryRowContext(ctx, `SELECT 1 FROM personal_data_sweeps WHERE columns = $1`, sweptColumns()).Scan(&one)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return db.sealPlainPersonalData(ctx)
}

// sweptColumns names what a sweep covers: the seal's format and every
// sealed column, and the rate buckets' blind names.
func sweptColumns() string {
	var b strings.Builder
	b.WriteString("v1")
	for _, c := range sealedColumns {
		b.WriteString(" " + c.table + "." + c.column)
	}
	b.WriteString(" rate_events.bucket")
	return b.String()
}

// hashPlainBuckets renames the rate-limit buckets written in clear (by a
// version before rateBucket) to their blind names. Every event of a
// bucket gets the same name, so one update per bucket keeps its count.
// The blind index does not change with the data key, so rotation leaves
// buckets alone.
func (db *DB) hashPlainBuckets(ctx context.Context) (int, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT bucket FROM rate_events WHERE bucket NOT LIKE '#%' LIMIT `+strconv.Itoa(resealBatch))
		if err != nil {
			return total, err
		}
		var plain []string
		for rows.Next() {
			var b string
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return total, err
			}
			plain = append(plain, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		if len(plain) == 0 {
			return total, nil
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			for _, b := range plain {
				if _, err := tx.ExecContext(ctx, `UPDATE rate_events SET bucket = $1 WHERE bucket = $2`, pk.rateBucket(b), b); err != nil {
					return fmt.Errorf("store: hash rate bucket: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(plain)
	}
}

// ResealPersonalData re-seals, in batches, every value not sealed with the
// current data key, and returns how many it re-sealed; progress, if not
// nil, hears of each batch.
func (db *DB) ResealPersonalData(ctx context.Context, progress func(table, column string, n int)) (int, error) {
	db.forgetPersonalKeys()
	pk, err := db.personal(ctx)
	if err != nil {
		return 0, err
	}
	return db.reseal(ctx, "v1:"+pk.ring.Current()+":%", progress)
}

func (db *DB) reseal(ctx context.Context, keep string, progress func(table, column string, n int)) (int, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range sealedColumns {
		var after int64
		key := rowKey(c.table)
		for {
			type change struct {
				id                int64
				old, sealed, hmac string
			}
			var batch []change
			rows, err := db.sql.QueryContext(ctx, `SELECT `+key+`, `+c.column+` FROM `+c.table+` WHERE `+key+` > $1 AND `+c.column+` <> '' AND `+c.column+` NOT LIKE $2 ORDER BY `+key+` LIMIT `+strconv.Itoa(resealBatch), after, keep)
			if err != nil {
				return total, err
			}
			for rows.Next() {
				var ch change
				if err := rows.Scan(&ch.id, &ch.old); err != nil {
					rows.Close()
					return total, err
				}
				batch = append(batch, ch)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return total, err
			}
			if len(batch) == 0 {
				break
			}
			for i := range batch {
				ch := &batch[i]
				plain := ch.old
				if strings.HasPrefix(ch.old, "v1:") {
					if plain, err = pk.ring.Open(ch.old); err != nil {
						return total, fmt.Errorf("store: %s.%s of row %d: %w", c.table, c.column, ch.id, err)
					}
				}
				if ch.sealed, err = pk.ring.Seal(plain); err != nil {
					return total, err
				}
				if c.hmac != "" {
					ch.hmac = pk.index.Of(c.normalise(plain))
				}
			}
			err = db.inTx(ctx, func(tx *sql.Tx) error {
				for _, ch := range batch {
					set, args := c.column+` = $1`, []any{ch.sealed, ch.id, ch.old}
					if c.hmac != "" {
						set, args = set+`, `+c.hmac+` = $4`, append(args, ch.hmac)
					}
					// A row changed since it was read keeps the change.
					if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+set+` WHERE `+key+` = $2 AND `+c.column+` = $3`, args...); err != nil {
						return fmt.Errorf("store: seal %s.%s of row %d: %w", c.table, c.column, ch.id, err)
					}
				}
				return nil
			})
			if err != nil {
				return total, err
			}
			total += len(batch)
			after = batch[len(batch)-1].id
			if progress != nil {
				progress(c.table, c.column, len(batch))
			}
		}
	}
	return total, nil
}

// The helpers below seal and open with keys fetched before a transaction.

func (pk *personalKeys) seal(plain string) (string, error) { return pk.ring.Seal(plain) }

func (pk *personalKeys) idHMAC(idNumber string) string {
	return pk.index.Of(sealed.IDNumber(idNumber))
}

func (pk *personalKeys) mobileHMAC(mobile string) string {
	return pk.index.Of(sealed.Mobile(mobile))
}

func (pk *personalKeys) numberHMAC(number string) string { return pk.index.Of(number) }

func (pk *personalKeys) loginHMAC(login string) string { return pk.index.Of(login) }

// rateBucket is the name a rate-limit bucket is kept under: its kind as
// the caller wrote it ("login", "sms", "query-miss-name" …), what it
// counts (a login, a mobile, a name, an address) as its blind index, so
// that the limits count as before with nothing personal in rate_events.
// The leading '#' tells such names from the ones an older version wrote
// in clear (hashPlainBuckets); no kind the service writes begins with it.
func (pk *personalKeys) rateBucket(bucket string) string {
	kind, what, _ := strings.Cut(bucket, ":")
	return "#" + kind + ":" + pk.index.Of(what)
}

// open returns the plaintext of a sealed value with these keys. Inside a
// transaction, where the keys cannot be read again, a value sealed with a
// newer key fails with sealed.ErrUnknownKey: withPersonalKeys runs the
// transaction again with them.
func (pk *personalKeys) open(v string) (string, error) {
	plain, err := pk.ring.Open(v)
	if err != nil {
		return "", fmt.Errorf("store: open personal data: %w", err)
	}
	return plain, nil
}

// withPersonalKeys runs f with the data keys, and once more with the keys
// read again when f met a value sealed with a key made since they were
// read (another instance's rotation within the minute). f is a whole
// transaction, rolled back when it fails, so running it again is safe.
func (db *DB) withPersonalKeys(ctx context.Context, f func(pk *personalKeys) error) error {
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	err = f(pk)
	if !errors.Is(err, sealed.ErrUnknownKey) {
		return err
	}
	db.forgetPersonalKeys()
	if pk, err = db.personal(ctx); err != nil {
		return err
	}
	return f(pk)
}

// open returns the plaintext of a sealed column; a key this instance has
// not read yet (made by another within the minute) is read first.
func (db *DB) open(ctx context.Context, v string) (string, error) {
	pk, err := db.personal(ctx)
	if err != nil {
		return "", err
	}
	plain, err := pk.ring.Open(v)
	if errors.Is(err, sealed.ErrUnknownKey) {
		db.forgetPersonalKeys()
		if pk, err = db.personal(ctx); err != nil {
			return "", err
		}
		plain, err = pk.ring.Open(v)
	}
	if err != nil {
		return "", fmt.Errorf("store: open personal data: %w", err)
	}
	return plain, nil
}

// scanAll reads every row of a query with scan and closes the rows, so
// that the sealed fields can then be opened (openEach) with no connection
// held: scanAll(scan)(db.sql.QueryContext(…)).
func scanAll[T any](scan func(rowScanner) (T, error)) func(*sql.Rows, error) ([]T, error) {
	return func(rows *sql.Rows, err error) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
}

// openEach opens the sealed field of every element of out, in place: the
// rows of a list are read first and opened after, so that no connection is
// held while keys are read.
func openEach[T any](ctx context.Context, db *DB, out []T, field func(*T) *string) error {
	for i := range out {
		f := field(&out[i])
		v, err := db.open(ctx, *f)
		if err != nil {
			return err
		}
		*f = v
	}
	return nil
}
