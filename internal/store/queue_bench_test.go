package store

// BenchmarkQueue measures the officers' work queue with 100,000 submitted
// applications (it must stay fast at 100,000 applications: paged, indexed):
//
//	go test ./internal/store -run '^$' -bench BenchmarkQueue -benchmem
//
// OPCERT_TEST_DATABASE_URL adds the PostgreSQL sub-benchmark;
// OPCERT_BENCH_QUEUE_APPS sets another number of applications (the test
// command's compile-and-run check uses a few).

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"opcert/internal/civil"
)

// queueApps is the number of generated applications.
func queueApps(b *testing.B) int {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("OPCERT_BENCH_QUEUE_APPS")); err == nil && v >= len(queueDistricts) {
		n = v
	}
	return n
}

var queueDistricts = []string{"310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
	"310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151"}

func queueSetup(b *testing.B, db *DB) {
	ctx := context.Background()
	now := db.now().UTC()
	for _, c := range queueDistricts {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO authorities (code, name, district) VALUES ($1, $1, $1) ON CONFLICT (code) DO NOTHING`, c); err != nil {
			b.Fatal(err)
		}
	}
	var holderID, userID int64
	if err := db.w.QueryRowContext(ctx, `INSERT INTO holders (id_type, id_number, name, created_at) VALUES ('居民身份证', 'Q0000000000000000X', '基准', $1) RETURNING id`, now).Scan(&holderID); err != nil {
		b.Fatal(err)
	}
	if err := db.w.QueryRowContext(ctx, `INSERT INTO users (login, name, role, password_hash, holder_id, mobile, created_at) VALUES ('q', '基准', 'applicant', 'x', $1, '13900000000', $2) RETURNING id`, holderID, now).Scan(&userID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.sealPlainPersonalData(ctx); err != nil {
		b.Fatal(err)
	}
	// Statuses and districts cycle; due dates spread over a year around today.
	var q string
	switch db.dialect {
	case SQLite:
		q = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1)
		INSERT INTO applications (number, applicant_id, holder_id, matter, authority_code, status, step, data, version, created_at, updated_at, submitted_at, due_on)
		SELECT printf('26%010d', i), $2, $3, 'renew', $4, CASE i % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' WHEN 2 THEN 'correction' ELSE 'completed' END,
			'review', '{}', 1, $5, $5, $5, date('2026-06-01', '+' || (i % 365) || ' days') FROM s`
	case Postgres:
		q = `INSERT INTO applications (number, applicant_id, holder_id, matter, authority_code, status, step, data, version, created_at, updated_at, submitted_at, due_on)
		SELECT '26' || lpad(i::text, 10, '0'), $2, $3, 'renew', $4, CASE i % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' WHEN 2 THEN 'correction' ELSE 'completed' END,
			'review', '{}', 1, $5, $5, $5, DATE '2026-06-01' + (i % 365) FROM generate_series(1, $1::int) i`
	}
	per := queueApps(b) / len(queueDistricts)
	for _, c := range queueDistricts {
		if _, err := db.w.ExecContext(ctx, q, per, userID, holderID, c, now); err != nil {
			b.Fatal(err)
		}
		// Numbers must stay unique across districts.
		if _, err := db.w.ExecContext(ctx, `UPDATE applications SET number = number || $1 WHERE authority_code = $2`, c, c); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.w.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkQueue(b *testing.B) {
	for _, d := range []Dialect{SQLite, Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := benchEngine(b, d, "queue")
			queueSetup(b, db)
			today := civil.MustParse("2026-11-22")
			for name, f := range map[string]QueueFilter{
				"district":         {AuthorityCode: "310104", Page: 1, Size: 50},
				"district-status":  {AuthorityCode: "310104", Statuses: []string{"submitted"}, Page: 3, Size: 50},
				"district-overdue": {AuthorityCode: "310104", Statuses: []string{"accepted"}, OverdueOn: today, Page: 1, Size: 50},
				"admin-all":        {Page: 1, Size: 50},
			} {
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						apps, total, err := db.Queue(context.Background(), f)
						if err != nil || len(apps) == 0 || total == 0 {
							b.Fatalf("queue: %d of %d, %v", len(apps), total, err)
						}
					}
				})
			}
		})
	}
}

// benchPostgresSchema is a fresh schema for one benchmark run, dropped after.
func benchPostgresSchema(b *testing.B, name string) string {
	base := os.Getenv("OPCERT_TEST_DATABASE_URL")
	if base == "" {
		b.Skip("PostgreSQL not configured: set OPCERT_TEST_DATABASE_URL or run make bench")
	}
	schema := fmt.Sprintf("bench_%s_%d", name, queueApps(b))
	admin, err := Open(context.Background(), base, "")
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	admin.sql.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
	if _, err := admin.sql.Exec(`CREATE SCHEMA ` + schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if a, err := Open(context.Background(), base, ""); err == nil {
			a.sql.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// benchEngine is a migrated, empty database of the engine for a benchmark
// (a schema named after it on PostgreSQL), closed at its end.
func benchEngine(b *testing.B, d Dialect, name string) *DB {
	b.Helper()
	dsn, path := "", filepath.Join(b.TempDir(), name+".db")
	if d == Postgres {
		dsn, path = benchPostgresSchema(b, name), ""
	}
	db, err := Open(context.Background(), dsn, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}
