package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one ordered schema change, named NNNN_what.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

func (db *DB) migrations() ([]Migration, error) {
	dir := path.Join("migrations", string(db.dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s is not named NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("store: two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

// Migrate applies the migrations not yet applied, each in its own
// transaction, and returns the names it applied. On PostgreSQL an advisory
// lock makes instances starting together take turns.
//
// It then seals the personal data still in clear (see sealedColumns) if
// no sweep of the same columns went through before, on
// the write pool once the migrations' connection is back: SQLite's is its
// only write connection. Instances starting together may both try a row;
// each update changes the row only if it is still as read.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	done, err := db.migrate(ctx)
	if err != nil {
		return done, err
	}
	if _, err := db.sealPlainPersonalDataOnce(ctx); err != nil {
		return done, fmt.Errorf("store: seal personal data: %w", err)
	}
	return done, nil
}

func (db *DB) migrate(ctx context.Context) ([]string, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if db.dialect == Postgres {
		const lockID = 0x6f70636572 // "opcer"
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
			return nil, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()
	var done []string
	for _, m := range all {
		if applied[m.Version] {
			continue
		}
		if err := applyMigration(ctx, conn, m, db.now().UTC()); err != nil {
			return done, err
		}
		done = append(done, m.Name)
	}
	return done, nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, m Migration, at any) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("store: migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, at); err != nil {
		return err
	}
	return tx.Commit()
}
