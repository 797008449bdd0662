package storetest

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"opcert/internal/store"
)

// InClear lists, as "table.column: needle", every text column of every
// table of db holding one of needles (证件号码, mobiles) in clear, read row
// by row through SQL. The tables of except are not looked at: the columns
// not yet kept sealed, named by the caller so that the gap is visible.
func InClear(t testing.TB, db *store.DB, needles []string, except map[string]bool) []string {
	t.Helper()
	var cols [][2]string
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (p.type = 'TEXT' OR p.type = '' OR p.type = 'BLOB')`
	if db.Dialect() == store.Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'bytea', 'character varying')`
	}
	rows, err := store.QueryForTest(db, q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tc [2]string
		if err := rows.Scan(&tc[0], &tc[1]); err != nil {
			t.Fatal(err)
		}
		if !except[tc[0]+"."+tc[1]] && !except[tc[0]] {
			cols = append(cols, tc)
		}
	}
	rows.Close()
	var found []string
	for _, tc := range cols {
		expr := `CAST(` + tc[1] + ` AS TEXT)`
		if db.Dialect() == store.Postgres {
			expr = tc[1] + `::text`
		}
		r, err := store.QueryForTest(db, `SELECT `+expr+` FROM `+tc[0])
		if err != nil {
			t.Fatalf("%s.%s: %v", tc[0], tc[1], err)
		}
		seen := map[string]bool{}
		for r.Next() {
			var v *string
			if err := r.Scan(&v); err != nil {
				t.Fatal(err)
			}
			for _, n := range needles {
				if v != nil && strings.Contains(*v, n) && !seen[n] {
					seen[n] = true
					found = append(found, fmt.Sprintf("%s.%s: %s", tc[0], tc[1], n))
				}
			}
		}
		r.Close()
	}
	sort.Strings(found)
	return found
}

// FileInClear lists the needles found in the bytes of the SQLite file at
// path and its WAL (pages the database may have freed included).
func FileInClear(t testing.TB, path string, needles []string) []string {
	t.Helper()
	var found []string
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				found = append(found, filepath.Base(p)+": "+n)
			}
		}
	}
	return found
}

// DumpInClear lists the needles found in pg_dump's output of the schema of
// the PostgreSQL database at url (as PostgresSchema made it).
func DumpInClear(t testing.TB, dbURL string, needles []string) []string {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	if len(bins) == 0 {
		t.Skip("no pg_dump")
	}
	sort.Strings(bins)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	if schema == "" {
		t.Fatalf("no search_path in the URL of the test schema")
	}
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command(bins[len(bins)-1], "--schema="+schema, "--data-only", "--dbname="+u.String()).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("pg_dump: %v\n%s", err, stderr)
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, n := range needles {
			if strings.Contains(line, n) {
				found = append(found, "dump: "+n+" in "+line[:min(len(line), 120)])
			}
		}
	}
	return found
}
