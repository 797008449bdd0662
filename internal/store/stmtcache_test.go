package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// The statements a SQLite connection keeps run again with their new
// arguments, never with the last ones; one still being read is not reused
// underneath its reader; more statements than are kept still all run; and
// the connections close with their statements.
func TestSQLiteConnectionsKeepTheirStatements(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLite(ctx, filepath.Join(t.TempDir(), "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
			return err
		}
		// The same INSERT kept and run again: each row has its own value,
		// a NULL included (no binding left from the run before).
		for i, v := range []any{"甲", nil, "𠮷"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO t (id, v) VALUES ($1, $2)`, i+1, v); err != nil {
				return err
			}
		}
		var got []string
		const from = `SELECT id, COALESCE(v, 'NULL') FROM t WHERE id >= $1 ORDER BY id`
		rows, err := tx.QueryContext(ctx, from, 1)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			// The same SELECT while its rows are open, on the same connection.
			inner, err := tx.QueryContext(ctx, from, id)
			if err != nil {
				return err
			}
			n := 0
			for ; inner.Next(); n++ {
			}
			if err := inner.Close(); err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%d %s %d", id, v, n))
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if want := "[1 甲 3 2 NULL 2 3 𠮷 1]"; fmt.Sprint(got) != want {
			t.Errorf("rows read with the statement run again inside: %v, want %v", got, want)
		}
		// More distinct statements than a connection keeps, then the first
		// again.
		for i := range stmtCacheSize + 20 {
			var n int
			if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) + %d FROM t`, i)).Scan(&n); err != nil {
				return err
			}
			if n != 3+i {
				t.Fatalf("statement %d: %d", i, n)
			}
		}
		var v string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(v, 'NULL') FROM t WHERE id = $1`, 3).Scan(&v); err != nil || v != "𠮷" {
			t.Errorf("after the cache turned over: %q, %v", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close with kept statements: %v", err)
	}
}
