package store

// A generated registry of any size for benchmarks and the load command
// (opcert load): set-based SQL inside the database (a recursive CTE on
// SQLite, generate_series on PostgreSQL) in one transaction, then the
// statistics a well-kept production database has (ANALYZE). Holder i
// (1…n) has
//
//   - 证件号码 region(6) + birth date(8) + sequence(3) + GB 11643 check
//     character: 18 characters, unique, and accepted by idcheck, so the
//     public query can look every generated holder up;
//   - one certificate, id i, whose number is the 证件号码 — except for one
//     holder in a hundred, whose certificate carries the number with a wrong
//     check character (the demo's 钱进 case: certificate number ≠ 证件号码).
//     Such a number is nobody's 证件号码, since the first 17 characters
//     identify the holder;
//   - two items: '2011:Q8' approved 2013–2019 (one in four superseded) and
//     '2019:Q2(限流动式起重机)' approved 2020–2025, each valid four years.
//
// All rows are inserted in primary-key order.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"opcert/internal/civil"
	"opcert/internal/registry"
)

const (
	// generatorVersion changes whenever the generated data changes, so that
	// cached databases of an older generator are rebuilt instead of reused.
	generatorVersion = 3
	// Birth dates cycle over generatedBirthDays days from 1960-01-01; the
	// three-digit sequence number is 2*(i / generatedBirthDays) + i%2 (odd =
	// 男), so (date, sequence) identifies the holder i and the 证件号码 are
	// unique up to MaxGeneratedHolders holders.
	generatedBirthDays = 14600
	// MaxGeneratedHolders is the largest registry GenerateRegistry writes.
	MaxGeneratedHolders = generatedBirthDays * 500
	// The two items every generated certificate carries.
	GeneratedOldItem = "2011:Q8"
	GeneratedNewItem = "2019:Q2(限流动式起重机)"
)

// generatedDistricts give the generated holders a Shanghai region code in
// their 证件号码 and an issuing 市场监督管理局 for their items.
var generatedDistricts = []struct{ code, name string }{
	{"310101", "黄浦区"}, {"310104", "徐汇区"}, {"310105", "长宁区"}, {"310106", "静安区"},
	{"310107", "普陀区"}, {"310109", "虹口区"}, {"310110", "杨浦区"}, {"310112", "闵行区"},
	{"310113", "宝山区"}, {"310114", "嘉定区"}, {"310115", "浦东新区"}, {"310116", "金山区"},
	{"310117", "松江区"}, {"310118", "青浦区"}, {"310120", "奉贤区"}, {"310151", "崇明区"},
}

const (
	generatedSurnames   = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"           // 20
	generatedGivenNames = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰建国志文红" // 30
)

// RegistryCacheName names a cached generated registry of n holders: it
// changes with the schema and the generator, so an old cache is never
// mistaken for a current one.
func RegistryCacheName(n int) string {
	migs, _ := (&DB{dialect: SQLite}).migrations()
	return fmt.Sprintf("holders-%d-m%d-g%d", n, len(migs), generatorVersion)
}

// GenerateRegistry writes n generated holders (described above) into an
// empty, migrated registry and gathers statistics on the three tables.
func (db *DB) GenerateRegistry(ctx context.Context, n int) error {
	if n < 1 || n > MaxGeneratedHolders {
		return fmt.Errorf("store: generate %d holders: want 1 to %d", n, MaxGeneratedHolders)
	}
	var err error
	switch db.dialect {
	case SQLite:
		err = db.generateSQLite(ctx, n)
	case Postgres:
		err = db.generatePostgres(ctx, n)
	}
	if err != nil {
		return err
	}
	// SQL cannot seal: the generated 证件号码 are sealed here, as at a start.
	if _, err := db.sealPlainPersonalData(ctx); err != nil {
		return err
	}
	q := `ANALYZE`
	if db.dialect == Postgres {
		// VACUUM too: the visibility map lets index-only scans skip the heap.
		q = `VACUUM (ANALYZE) holders, certificates, certificate_items`
	}
	_, err = db.w.ExecContext(ctx, q)
	return err
}

// Analyze gathers the planner statistics of every table, as a maintained
// production database has them (ANALYZE, PRAGMA optimize, autovacuum).
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.w.ExecContext(ctx, `ANALYZE`)
	return err
}

// GeneratedRegistrySQLite returns the path of a SQLite database in dir
// holding n generated holders, generating it first when it is missing. A
// file is built under a temporary name and renamed when complete, so an
// interrupted run never leaves a half-filled cache; generated reports
// whether this call built it.
func GeneratedRegistrySQLite(ctx context.Context, dir string, n int) (path string, generated bool, err error) {
	path = filepath.Join(dir, RegistryCacheName(n)+".db")
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	}
	tmp := path + ".building"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	db, err := openSQLite(ctx, tmp)
	if err != nil {
		return "", false, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return "", false, err
	}
	if err := db.GenerateRegistry(ctx, n); err != nil {
		db.Close()
		return "", false, err
	}
	if _, err := db.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		db.Close()
		return "", false, err
	}
	if err := db.Close(); err != nil {
		return "", false, err
	}
	// The last connection to close checkpoints and removes the WAL; an
	// empty leftover is harmless, anything else would be lost data.
	if fi, err := os.Stat(tmp + "-wal"); err == nil && fi.Size() > 0 {
		return "", false, fmt.Errorf("%s-wal not checkpointed (%d bytes)", tmp, fi.Size())
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	return path, true, os.Rename(tmp, path)
}

// CopySQLite copies a closed SQLite database file (no WAL beside it) to
// dst, so that a run can change the copy and keep the cached original.
func CopySQLite(src, dst string) error {
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("store: %s has a write-ahead log; close it before copying", src)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// generatedCase writes CASE expr WHEN 0 THEN 'v0' WHEN 1 THEN 'v1' … END;
// the values are constants of this file.
func generatedCase(expr string, vals func(k int) string) string {
	var sb strings.Builder
	sb.WriteString("CASE " + expr)
	for k := range generatedDistricts {
		fmt.Fprintf(&sb, " WHEN %d THEN '%s'", k, vals(k))
	}
	sb.WriteString(" END")
	return sb.String()
}

// generatedName gives holder i a two- or three-character Chinese name.
func generatedName(i string) string {
	return fmt.Sprintf(`substr('%[2]s', 1 + %[1]s %% 20, 1) || substr('%[3]s', 1 + (%[1]s / 20) %% 30, 1) ||
		CASE WHEN %[1]s %% 3 = 0 THEN '' ELSE substr('%[3]s', 1 + (%[1]s / 600) %% 30, 1) END`,
		i, generatedSurnames, generatedGivenNames)
}

// generatedCheckIndex is the GB 11643 weighted sum of the first 17 digits
// of p modulo 11: '10X98765432' at that index (from 1) is the check
// character. toInt casts one character to an integer in the dialect.
func generatedCheckIndex(p string, toInt func(string) string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	terms := make([]string, len(weights))
	for k, w := range weights {
		terms[k] = fmt.Sprintf("%s * %d", toInt(fmt.Sprintf("substr(%s, %d, 1)", p, k+1)), w)
	}
	return "(" + strings.Join(terms, " + ") + ") % 11"
}

func (db *DB) generateSQLite(ctx context.Context, n int) error {
	region := generatedCase("i % 16", func(k int) string { return generatedDistricts[k].code })
	issuer := generatedCase("id % 16", func(k int) string { return generatedDistricts[k].name + "市场监督管理局" })
	check := generatedCheckIndex("p", func(s string) string { return "CAST(" + s + " AS INTEGER)" })
	created := time.Date(2025, 1, 2, 8, 0, 0, 0, time.UTC)
	days := strconv.Itoa(generatedBirthDays)
	stmts := []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1),
		g(i, birth) AS (SELECT i, date('1960-01-01', '+' || (i % ` + days + `) || ' days') FROM n),
		p(i, birth, p) AS (SELECT i, birth, ` + region + ` || strftime('%Y%m%d', birth) || printf('%03d', 2 * (i / ` + days + `) + i % 2) FROM g)
		INSERT INTO holders (id, id_type, id_number, name, sex, birth_date, created_at)
		SELECT i, '` + string(registry.IDResident) + `', p || substr('10X98765432', 1 + ` + check + `, 1),
		       ` + generatedName("i") + `,
		       CASE i % 2 WHEN 1 THEN '男' ELSE '女' END,
		       birth, $2
		FROM p`,
		`INSERT INTO certificates (id, holder_id, number, archive_no, created_at)
		SELECT id, id,
		       CASE WHEN id % 100 = 37 THEN substr(id_number, 1, 17) || substr('0X98765432' || '1', instr('10X98765432', substr(id_number, 18, 1)), 1) ELSE id_number END,
		       'TS3' || printf('%012d', id), $1
		FROM holders ORDER BY id`,
		`WITH k(j) AS (VALUES (0), (1)),
		a(id, j, approved) AS (
		    SELECT c.id, k.j, CASE k.j WHEN 0 THEN date('2013-01-01', '+' || (c.id % 2400) || ' days')
		                               ELSE date('2020-01-01', '+' || (c.id % 2190) || ' days') END
		    FROM certificates c, k)
		INSERT INTO certificate_items (id, certificate_id, item, weld_code, issued_by, approved_on, valid_until, status, updated_at)
		SELECT 2 * id - 1 + j, id, CASE j WHEN 0 THEN '` + GeneratedOldItem + `' ELSE '` + GeneratedNewItem + `' END, '',
		       ` + issuer + `, approved, date(approved, '+4 years', '-1 day'),
		       CASE WHEN j = 0 AND id % 4 = 0 THEN 'superseded' ELSE 'valid' END, $1
		FROM a ORDER BY id, j`,
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A big page cache for the load only: the indexes on 证件号码 and on the
	// certificate number are filled in random order. The setting dies with
	// the connection.
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -1048576`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, stmts[0], n, created); err != nil {
		return fmt.Errorf("holders: %w", err)
	}
	if _, err := tx.ExecContext(ctx, stmts[1], created); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	if _, err := tx.ExecContext(ctx, stmts[2], created); err != nil {
		return fmt.Errorf("certificate_items: %w", err)
	}
	return tx.Commit()
}

func (db *DB) generatePostgres(ctx context.Context, n int) error {
	region := generatedCase("i % 16", func(k int) string { return generatedDistricts[k].code })
	issuer := generatedCase("id % 16", func(k int) string { return generatedDistricts[k].name + "市场监督管理局" })
	check := generatedCheckIndex("p", func(s string) string { return s + "::int" })
	created := time.Date(2025, 1, 2, 8, 0, 0, 0, time.UTC)
	days := strconv.Itoa(generatedBirthDays)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO holders (id, id_type, id_number, name, sex, birth_date, created_at)
			SELECT i, '`+string(registry.IDResident)+`', p || substr('10X98765432', 1 + `+check+`, 1),
			       `+generatedName("i")+`,
			       CASE i % 2 WHEN 1 THEN '男' ELSE '女' END,
			       birth, $2
			FROM (SELECT i, birth, `+region+` || to_char(birth, 'YYYYMMDD') || lpad((2 * (i / `+days+`) + i % 2)::text, 3, '0') AS p
			      FROM (SELECT i, DATE '1960-01-01' + i % `+days+` AS birth FROM generate_series(1, $1::int) AS i) g) p
			ORDER BY i`, n, created); err != nil {
			return fmt.Errorf("holders: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO certificates (id, holder_id, number, archive_no, created_at)
			SELECT id, id,
			       CASE WHEN id % 100 = 37 THEN substr(id_number, 1, 17) || substr('0X98765432' || '1', strpos('10X98765432', substr(id_number, 18, 1)), 1) ELSE id_number END,
			       'TS3' || lpad(id::text, 12, '0'), $1
			FROM holders ORDER BY id`, created); err != nil {
			return fmt.Errorf("certificates: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO certificate_items (id, certificate_id, item, weld_code, issued_by, approved_on, valid_until, status, updated_at)
			SELECT 2 * id - 1 + j, id, CASE j WHEN 0 THEN '`+GeneratedOldItem+`' ELSE '`+GeneratedNewItem+`' END, '',
			       `+issuer+`, approved, (approved + interval '4 years' - interval '1 day')::date,
			       CASE WHEN j = 0 AND id % 4 = 0 THEN 'superseded' ELSE 'valid' END, $1
			FROM (SELECT c.id, k.j, CASE k.j WHEN 0 THEN DATE '2013-01-01' + (c.id % 2400)::int
			                                 ELSE DATE '2020-01-01' + (c.id % 2190)::int END AS approved
			      FROM certificates c CROSS JOIN (VALUES (0), (1)) AS k(j)) a
			ORDER BY id, j`, created); err != nil {
			return fmt.Errorf("certificate_items: %w", err)
		}
		// Keep the identity columns ahead of the explicit ids.
		for _, t := range []string{"holders", "certificates", "certificate_items"} {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM `+t+`))`, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// errGeneratedSize is returned when a generated database does not hold
// the holders its name promises.
var errGeneratedSize = errors.New("store: generated registry has the wrong size")

// CheckGenerated tells whether the registry holds exactly n holders, as a
// cached generated database must.
func (db *DB) CheckGenerated(ctx context.Context, n int) error {
	var got int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM holders`).Scan(&got); err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("%w: %d holders, want %d", errGeneratedSize, got, n)
	}
	return nil
}

// GenerateApplications adds n submitted applications of one applicant for
// the back-office queue and the public progress page: the 16 districts,
// four statuses and deadlines over a year from today in turn, each with
// its 提交 line of history and one item (N1, of the generated holder i,
// active until completed), so that the tables and their statistics look
// like a service's in use. data is the form every one of them carries; the
// public token of application i is i in hexadecimal (GeneratedPublicToken).
// The registry must hold at least n holders.
func (db *DB) GenerateApplications(ctx context.Context, n int, applicantID, holderID int64, data []byte, today civil.Date) error {
	now := db.now().UTC()
	var q string
	switch db.dialect {
	case SQLite:
		q = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1)
		INSERT INTO applications (number, applicant_id, holder_id, matter, authority_code, status, step, data, version,
			created_at, updated_at, submitted_at, due_on, public_token)
		SELECT printf('00%010d', i), $2, $3, 'renew', ` + generatedCase("i % 16", func(k int) string { return generatedDistricts[k].code }) + `,
			CASE i % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' WHEN 2 THEN 'correction' ELSE 'completed' END,
			'review', $4, 2, $5, $5, $5, date($6, '+' || (i % 365) || ' days'), printf('%032x', i) FROM s`
	case Postgres:
		q = `INSERT INTO applications (number, applicant_id, holder_id, matter, authority_code, status, step, data, version,
			created_at, updated_at, submitted_at, due_on, public_token)
		SELECT '00' || lpad(i::text, 10, '0'), $2, $3, 'renew', ` + generatedCase("i % 16", func(k int) string { return generatedDistricts[k].code }) + `,
			CASE i % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' WHEN 2 THEN 'correction' ELSE 'completed' END,
			'review', $4, 2, $5, $5, $5, $6::date + (i % 365), lpad(to_hex(i), 32, '0') FROM generate_series(1, $1::int) i`
	}
	// One sealed form for all of them: SQL cannot seal, and the start-up
	// pass sealing n rows would slow every start of a load run.
	form, err := db.sealText(ctx, string(data))
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, q, n, applicantID, holderID, form, now, today); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO application_events (application_id, at, actor_id, action, from_status, to_status, note)
			SELECT id, submitted_at, applicant_id, 'submit', 'draft', 'submitted', '' FROM applications
			WHERE applicant_id = $1 AND number LIKE '00%'`, applicantID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO application_items (application_id, holder_id, qualification, weld_code, active)
			SELECT id, CAST(substr(number, 3) AS INTEGER), 'N1', '', status <> 'completed' FROM applications
			WHERE applicant_id = $1 AND number LIKE '00%'`, applicantID)
		return err
	})
}

// GeneratedPublicToken is the public token GenerateApplications gives its
// application i (from 1).
func GeneratedPublicToken(i int) string { return fmt.Sprintf("%032x", i) }

// HoldersWithItemDue lists, in order, up to limit holders with a valid item
// whose 有效期至 falls in [from, to]: the people who may apply for 复审.
func (db *DB) HoldersWithItemDue(ctx context.Context, from, to civil.Date, limit int) ([]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT DISTINCT c.holder_id FROM certificate_items i JOIN certificates c ON c.id = i.certificate_id
		WHERE i.status = 'valid' AND i.valid_until >= $1 AND i.valid_until <= $2
		ORDER BY c.holder_id LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// MarkGeneratedRemindersSent records the expiry reminders due on day
// (registry.Item.ReminderDue: three months and one month before 有效期至)
// as sent, without queueing their SMS: a registry in service sent them on
// the days they fell due, so its daily job finds only the day's new ones.
// A freshly generated registry would otherwise have every due reminder of
// the holders with a mobile sent by the first run of the job, which is not
// what a load measurement of the pages is about.
func (db *DB) MarkGeneratedRemindersSent(ctx context.Context, day civil.Date) (int64, error) {
	sentAt := "$3"
	if db.dialect == Postgres {
		sentAt = "CAST($3 AS TIMESTAMPTZ)"
	}
	var n int64
	for _, k := range []struct {
		kind   string
		before civil.Date
	}{{"3m", day.AddMonths(3)}, {"1m", day.AddMonths(1)}} {
		res, err := db.w.ExecContext(ctx, `INSERT INTO expiry_reminders (holder_id, item, weld_code, valid_until, kind, sent_at)
			SELECT c.holder_id, i.item, i.weld_code, i.valid_until, '`+k.kind+`', `+sentAt+`
			FROM certificate_items i JOIN certificates c ON c.id = i.certificate_id
			WHERE i.status = 'valid' AND i.valid_until >= $1 AND i.valid_until < $2
			ON CONFLICT DO NOTHING`, day, k.before, db.now().UTC())
		if err != nil {
			return n, err
		}
		added, _ := res.RowsAffected()
		n += added
	}
	return n, nil
}
