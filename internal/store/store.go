// Package store keeps opcert's data in SQL: SQLite (one file, WAL) as the
// embedded default and PostgreSQL for scale-out. Both engines run the same
// statements ($1 placeholders, RETURNING, ON CONFLICT work in both) and the
// same test suite; only the schema files differ by dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"

	"opcert/internal/authority"
	"opcert/internal/sealed"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Pools are the connection pools by use, for monitoring: "read" and
// "write" on SQLite, one "shared" pool on PostgreSQL, and "keys" on both.
func (db *DB) Pools() map[string]*sql.DB {
	if db.w == db.sql {
		return map[string]*sql.DB{"shared": db.sql, "keys": db.keyReads}
	}
	return map[string]*sql.DB{"read": db.sql, "write": db.w, "keys": db.keyReads}
}

// DB is opcert's database.
type DB struct {
	sql *sql.DB // reads
	// w takes every write: on SQLite a pool of one connection, so that
	// writers queue in Go for the single write lock instead of in SQLite's
	// busy handler, which sleeps 1, 2, 5 … up to 100 ms between tries
	// (sqliteDefaultBusyCallback) and so turned a few contending
	// submissions into tails of hundreds of milliseconds. On PostgreSQL it
	// is the same pool as sql.
	w *sql.DB
	// keyReads is a pool of one connection of its own that the keys are
	// read through (data keys, server keys). The callers that need the keys
	// often hold a connection already (rows still open, a transaction) and
	// wait, while one of them reads the keys, for the lock the reader holds:
	// read through the main pools, a burst of such callers filled every
	// connection and the reader waited for one of theirs for ever.
	keyReads *sql.DB
	dialect  Dialect
	now      func() time.Time

	// stmts are the statements of the reads every page makes, prepared
	// once (database/sql then prepares each on every connection once):
	// SQLite compiles a statement on every call otherwise, often more time
	// than running it.
	stmtMu sync.RWMutex
	stmts  map[string]*sql.Stmt

	authorities    atomic.Pointer[[]authority.Authority] // Authorities, once read
	authoritiesRev atomic.Int64                          // the revision they were read at

	keysMu sync.Mutex
	secret []byte            // SetSecretKey; nil: keys kept in server_keys
	keys   map[string][]byte // by use, once read

	dataMu      sync.Mutex
	dataCipher  sealed.Cipher // of data keys made from now on
	data        *personalKeys // once read, at dataAt
	dataAt      time.Time
	dataReading bool // a fresh read runs (personal)
}

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("记录不存在")

// Open connects to PostgreSQL when url starts with postgres:// or
// postgresql://, else opens (creating) the SQLite file at sqlitePath.
func Open(ctx context.Context, url, sqlitePath string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	if url != "" {
		return nil, fmt.Errorf("store: database URL must start with postgres:// (got %q); leave it empty for the embedded SQLite file", redact(url))
	}
	return openSQLite(ctx, sqlitePath)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	return openSQLiteWith(ctx, path, false)
}

// openSQLiteKeepingStat4 is openSQLite without dropStat4, for the benchmark
// that shows what the samples cost.
func openSQLiteKeepingStat4(ctx context.Context, path string) (*DB, error) {
	return openSQLiteWith(ctx, path, true)
}

func openSQLiteWith(ctx context.Context, path string, keepStat4 bool) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", err)
	}
	if err := privateFile(path); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", path, err)
	}
	// WAL lets readers run beside the single writer; _txlock=immediate takes
	// the write lock at BEGIN, so a transaction never fails with
	// SQLITE_BUSY half-way through; busy_timeout covers another process
	// (opcert backup) holding the lock. synchronous(FULL) syncs the WAL at
	// every commit: with NORMAL a commit is durable only at the next
	// checkpoint, so an application the applicant saw as 已提交 could vanish
	// on a power cut. It halves the submit rate measured by opcert load
	// (about 770/s to 390–450/s on 2 cores), well above a city's peak.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
	open := func(conns int, dsn string) (*sql.DB, error) {
		db := openCachingSQLite(dsn)
		// As many idle connections as open ones: database/sql keeps only two
		// idle by default, so under load it closes and reopens connections
		// (and re-applies the pragmas above) on most requests.
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		return db, nil
	}
	w, err := open(1, dsn)
	if err != nil {
		return nil, err
	}
	// Before the readers open, so that none of them has read the samples.
	if !keepStat4 {
		if err := dropStat4(ctx, w); err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	}
	// SQLite makes the -wal and -shm files with the database file's mode;
	// ones left by an older version may be wider.
	for _, side := range []string{path + "-wal", path + "-shm"} {
		if err := os.Chmod(side, dbFileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	// The readers do not map the file (mmap_size stays 0). Mapping it
	// once saved the public query's preads, but with its statements kept
	// prepared opcert load at a million holders measured no gain on the
	// query (HTML 0.14–0.16 of the bare handler mapped, 0.16–0.17 not)
	// and a loss on every path that writes: a reader that finds the
	// database changed since its last read transaction drops its map
	// (munmap under the pager's begin-read in the profile) and faults the
	// pages in again (applicant path 52–53 applications/s mapped, 56–64
	// not). The map also counted the file once per connection in resident
	// memory (5.5–8.9 GB against 0.1 GB).
	//
	// Two readers a core: one can wait in a pread while the other runs.
	// Each reader's page cache, schema and prepared statements live outside
	// the Go heap (5–6 MB a connection once the pages have been read), so
	// the eight readers this pool had on two cores held about 20 MB more
	// than four, and opcert load at a million holders measured no gain for
	// them (query HTML 0.14–0.17 of the bare handler with four against
	// 0.14–0.16 with eight, progress 0.23–0.26 against 0.20–0.26).
	r, err := open(max(4, 2*runtime.GOMAXPROCS(0)), dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	k, err := open(1, dsn)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{sql: r, w: w, keyReads: k, dialect: SQLite, now: time.Now}, nil
}

// dbFileMode is the mode of the database file, its -wal and -shm files and
// backups: they hold every person's 证件号码 and phone number, so only the
// service's own user may read them.
const dbFileMode = 0o600

// privateFile makes path, if missing, with dbFileMode whatever the umask,
// and narrows the mode of an existing file to it. SQLite opens an existing
// file as it is and creates a missing one 0644 less the umask.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, dbFileMode)
	if err != nil {
		return err
	}
	err = f.Chmod(dbFileMode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// dropStat4 keeps the planner statistics of ANALYZE (or PRAGMA optimize)
// in sqlite_stat1 and removes the samples in sqlite_stat4. The driver is
// built with SQLITE_ENABLE_STAT4, and then, as sqlite3_prepare_v2 documents,
// "if the parameter is compared to an indexed column" the statement "will
// be automatically recompiled … on the first sqlite3_step() call following
// any change to the bindings": every query by 证件号码, token or id was
// compiled twice, and the registry look-up prepared once was compiled on
// every call. Our look-ups are equalities on unique or near-unique keys,
// for which stat1's averages already give the index plans (bench_test.go
// shows them). It runs on the first connection, before the pool opens
// others, which read the statistics as they are now.
func dropStat4(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat4`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
		return err
	}
	// The statistics are read when the schema is; this reloads them.
	_, err = conn.ExecContext(ctx, `ANALYZE sqlite_schema`)
	return err
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	open := func(conns int) (*sql.DB, error) {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns) // see openSQLite
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: connect to %s: %w", redact(url), err)
		}
		return db, nil
	}
	db, err := open(20)
	if err != nil {
		return nil, err
	}
	k, err := open(1)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &DB{sql: db, w: db, keyReads: k, dialect: Postgres, now: time.Now}, nil
}

// redact hides the password of a connection URL for logs and errors.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}

// Dialect tells which engine this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close waits for open statements and closes the connections.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	err := db.sql.Close()
	if db.w != db.sql {
		err = errors.Join(err, db.w.Close())
	}
	return errors.Join(err, db.keyReads.Close())
}

// prepared is the read statement q, prepared once.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	// Every read of every page comes here: under load the readers share the
	// lock, and only a statement's first use takes it alone.
	db.stmtMu.RLock()
	st := db.stmts[q]
	db.stmtMu.RUnlock()
	if st != nil {
		return st, nil
	}
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st := db.stmts[q]; st != nil {
		return st, nil
	}
	st, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[q] = st
	return st, nil
}

// queryRow runs a hot read through its prepared statement.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.prepared(ctx, q)
	if err != nil {
		return db.sql.QueryRowContext(ctx, q, args...) // reports err on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a hot read through its prepared statement.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// Ping checks the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// SetClock replaces the clock used for created/updated stamps (tests, demo).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// inTx runs fn in one transaction: every multi-row change goes through here
// so that nothing is ever half-written.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		var keep errCommitThen
		if errors.As(err, &keep) {
			if cerr := tx.Commit(); cerr != nil {
				return cerr
			}
			return keep.err
		}
		return err
	}
	return tx.Commit()
}

// BackupTo writes a consistent copy of the SQLite database to path while
// the service runs (VACUUM INTO reads one snapshot). PostgreSQL is backed up
// with its own tools (pg_dump, base backups).
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("PostgreSQL 数据库请使用 pg_dump 或基础备份进行备份")
	}
	// VACUUM INTO writes into an empty file as it finds it, so the file is
	// made first with the database's own mode (and O_EXCL: an existing
	// backup is never overwritten).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, dbFileMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("备份文件 %s 已存在，请换一个文件名", path)
	}
	if err != nil {
		return err
	}
	err = f.Chmod(dbFileMode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, err = db.sql.ExecContext(ctx, `VACUUM INTO $1`, path)
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
