// Package storetest opens throw-away databases for tests: a SQLite file in a
// temporary folder, and a fresh schema in the PostgreSQL server named by
// OPCERT_TEST_DATABASE_URL. The project's test command (make test) starts
// such a server; with OPCERT_TEST_REQUIRE_POSTGRES=1 (set by make test) a
// missing server fails the tests instead of skipping them.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"opcert/internal/store"
)

// Engines lists the engines to run a suite on.
func Engines() []store.Dialect { return []store.Dialect{store.SQLite, store.Postgres} }

// Each runs fn once per engine as subtests named sqlite and postgres.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Engines() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a migrated, empty database of the given engine, removed when
// the test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	ctx := context.Background()
	var db *store.DB
	var err error
	switch d {
	case store.SQLite:
		db, err = store.Open(ctx, "", filepath.Join(t.TempDir(), "opcert.db"))
	case store.Postgres:
		db, err = store.Open(ctx, PostgresSchema(t), "")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresSchema creates a fresh schema in the test server and returns a
// connection URL whose search_path points at it; the schema is dropped at
// cleanup. It skips (or fails, when PostgreSQL is required) without a server.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("OPCERT_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("OPCERT_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("OPCERT_TEST_DATABASE_URL is not set but PostgreSQL tests are required (run them through make test)")
		}
		t.Skip("PostgreSQL not configured: set OPCERT_TEST_DATABASE_URL or run make test")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs raw SQL on the test database, to play a person editing rows by
// hand (tamper tests). Test-only.
func Exec(t testing.TB, db *store.DB, query string, args ...any) {
	t.Helper()
	if err := store.ExecForTest(db, query, args...); err != nil {
		t.Fatal(err)
	}
}

// InTx runs fn in a transaction that commits when fn returns nil.
func InTx(t testing.TB, db *store.DB, fn func(tx *sql.Tx) error) error {
	t.Helper()
	return store.InTxForTest(db, fn)
}

// Pair returns two handles on one migrated, empty database of the given
// engine, as two instances of the service behind a load balancer see it.
func Pair(t testing.TB, d store.Dialect) (*store.DB, *store.DB) {
	t.Helper()
	ctx := context.Background()
	var dsn, path string
	switch d {
	case store.SQLite:
		path = filepath.Join(t.TempDir(), "opcert.db")
	case store.Postgres:
		dsn = PostgresSchema(t)
	}
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a := open()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return a, open()
}
