package store_test

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// The two engines run the same statements, so the migrations of each
// dialect must build the same schema: the same tables, columns, keys and
// indexes. Each schema is written out as one line per fact in SQLite's
// vocabulary, and the two sets of lines must be equal.

// sqliteType is the SQLite declared type each PostgreSQL type is written as
// in migrations/sqlite. A PostgreSQL type missing here fails the test until
// someone decides how SQLite stores it.
var sqliteType = map[string]string{
	"bigint":                   "INTEGER",   // SQLite integers are 64-bit
	"integer":                  "INTEGER",   //
	"boolean":                  "INTEGER",   // 0 and 1
	"text":                     "TEXT",      //
	"jsonb":                    "TEXT",      // the JSON text
	"date":                     "TEXT",      // 'YYYY-MM-DD', sortable (0001_foundation)
	"timestamp with time zone": "TIMESTAMP", // the driver reads it back as time.Time
	"bytea":                    "BLOB",      //
}

// onDelete names PostgreSQL's pg_constraint.confdeltype codes as SQLite's
// pragma_foreign_key_list spells them.
var onDelete = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

// notMigrated lists tables that Migrate creates itself, with one statement
// for both engines, before any migration runs.
var notMigrated = []string{"schema_migrations"}

func TestSchemaParity(t *testing.T) {
	schemas := map[store.Dialect][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		schemas[db.Dialect()] = describeSchema(t, db)
	})
	if len(schemas) < 2 {
		t.Skip("needs both engines")
	}
	if diff := schemaDiff(schemas[store.SQLite], schemas[store.Postgres]); diff != "" {
		t.Errorf("the migrations build different schemas:\n%s", diff)
	}
}

// TestSchemaParitySeesDrift changes each engine's schema behind the
// migrations' back and checks that the description reports every change,
// so the normalising above cannot hide a real difference.
func TestSchemaParitySeesDrift(t *testing.T) {
	schemas := map[store.Dialect][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		switch db.Dialect() {
		case store.SQLite:
			storetest.Exec(t, db, `ALTER TABLE holders ADD COLUMN nickname TEXT`)
			storetest.Exec(t, db, `CREATE INDEX holders_drift ON holders (name) WHERE sex = 'F'`)
		case store.Postgres:
			storetest.Exec(t, db, `ALTER TABLE outbox ALTER COLUMN last_error DROP NOT NULL`)
			storetest.Exec(t, db, `ALTER TABLE outbox ALTER COLUMN attempts SET DEFAULT 1`)
			storetest.Exec(t, db, `ALTER TABLE enterprises ALTER COLUMN updated_at TYPE DATE`)
			storetest.Exec(t, db, `CREATE INDEX holders_drift ON holders (name) WHERE sex = 'M'`)
			storetest.Exec(t, db, `DROP INDEX sessions_expires`)
		}
		schemas[db.Dialect()] = describeSchema(t, db)
	})
	if len(schemas) < 2 {
		t.Skip("needs both engines")
	}
	diff := schemaDiff(schemas[store.SQLite], schemas[store.Postgres])
	for _, want := range []string{
		"+ column holders.nickname TEXT null",
		"+ index holders_drift on holders (name) where sex = 'F'",
		"- index holders_drift on holders (name) where sex = 'M'",
		"+ column outbox.last_error TEXT not null default ''",
		"- column outbox.last_error TEXT null default ''",
		"- column outbox.attempts INTEGER not null default 1",
		"- column enterprises.updated_at TEXT not null",
		"+ index sessions_expires on sessions (expires_at)",
	} {
		if !strings.Contains(diff, want+"\n") {
			t.Errorf("the difference does not report %q; it is:\n%s", want, diff)
		}
	}
}

// schemaDiff lists the lines only SQLite has (+) and only PostgreSQL has (-).
func schemaDiff(sqlite, postgres []string) string {
	var b strings.Builder
	for _, l := range sqlite {
		if !slices.Contains(postgres, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	for _, l := range postgres {
		if !slices.Contains(sqlite, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	return b.String()
}

// describeSchema writes the schema as sorted lines:
//
//	column T.c TYPE null|not null [default D]
//	primary key T (a,b)
//	unique T (a,b)                          (a UNIQUE constraint)
//	foreign key T (a) references R (b) on delete ACTION
//	index NAME on T (a,b) [unique] [where PREDICATE]
func describeSchema(t *testing.T, db *store.DB) []string {
	t.Helper()
	var lines []string
	var err error
	switch db.Dialect() {
	case store.SQLite:
		lines, err = describeSQLite(store.RawSQL(db))
	case store.Postgres:
		lines, err = describePostgres(store.RawSQL(db))
	}
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return lines
}

func column(table, name, typ string, notNull bool, def string) string {
	l := fmt.Sprintf("column %s.%s %s ", table, name, typ)
	if notNull {
		l += "not null"
	} else {
		l += "null"
	}
	if def != "" {
		l += " default " + def
	}
	return l
}

func index(table, name, cols string, unique bool, where string) string {
	l := fmt.Sprintf("index %s on %s (%s)", name, table, cols)
	if unique {
		l += " unique"
	}
	if where != "" {
		l += " where " + where
	}
	return l
}

func describeSQLite(db *sql.DB) ([]string, error) {
	tables, err := strs(db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tb := range tables {
		if slices.Contains(notMigrated, tb) {
			continue
		}
		out = append(out, "table "+tb)
		rows, err := db.Query(`SELECT name, type, "notnull", coalesce(dflt_value, ''), pk FROM pragma_table_info(?) ORDER BY cid`, tb)
		if err != nil {
			return nil, err
		}
		pk := map[int]string{}
		for rows.Next() {
			var name, typ, def string
			var notNull bool
			var pkPos int
			if err := rows.Scan(&name, &typ, &notNull, &def, &pkPos); err != nil {
				rows.Close()
				return nil, err
			}
			if pkPos > 0 {
				pk[pkPos] = name
				// SQLite lets a primary key column other than INTEGER PRIMARY
				// KEY hold NULL, a quirk its documentation keeps for old
				// files; opcert never writes NULL keys, so a key is not null
				// as on PostgreSQL.
				notNull = true
			}
			out = append(out, column(tb, name, strings.ToUpper(typ), notNull, literal(def)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		var pkCols []string
		for i := 1; i <= len(pk); i++ {
			pkCols = append(pkCols, pk[i])
		}
		if len(pkCols) > 0 {
			out = append(out, fmt.Sprintf("primary key %s (%s)", tb, strings.Join(pkCols, ",")))
		}

		type idx struct {
			name, origin string
			unique       bool
		}
		var idxs []idx
		rows, err = db.Query(`SELECT name, origin, "unique" FROM pragma_index_list(?)`, tb)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var i idx
			if err := rows.Scan(&i.name, &i.origin, &i.unique); err != nil {
				rows.Close()
				return nil, err
			}
			idxs = append(idxs, i)
		}
		rows.Close()
		for _, i := range idxs {
			// An expression in an index has no column name, here as on
			// PostgreSQL (indkey 0), so both leave it out.
			cols, err := strs(db, `SELECT name FROM pragma_index_info(?) WHERE name IS NOT NULL ORDER BY seqno`, i.name)
			if err != nil {
				return nil, err
			}
			switch i.origin {
			case "pk": // written as the primary key line
			case "u":
				out = append(out, fmt.Sprintf("unique %s (%s)", tb, strings.Join(cols, ",")))
			default:
				var ddl string
				if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, i.name).Scan(&ddl); err != nil {
					return nil, err
				}
				where := ""
				if k := strings.LastIndex(strings.ToUpper(ddl), " WHERE "); k >= 0 {
					where = predicate(ddl[k+len(" WHERE "):], nil)
				}
				out = append(out, index(tb, i.name, strings.Join(cols, ","), i.unique, where))
			}
		}

		rows, err = db.Query(`SELECT "from", "table", coalesce("to", ''), on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, tb)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var from, ref, to, del string
			if err := rows.Scan(&from, &ref, &to, &del); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, fmt.Sprintf("foreign key %s (%s) references %s (%s) on delete %s", tb, from, ref, to, del))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func describePostgres(db *sql.DB) ([]string, error) {
	var out []string
	tables, err := strs(db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	for _, tb := range tables {
		if !slices.Contains(notMigrated, tb) {
			out = append(out, "table "+tb)
		}
	}

	booleans := map[string][]string{}
	rows, err := db.Query(`SELECT table_name, column_name, data_type, is_nullable = 'NO', coalesce(column_default, ''), is_identity = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tb, name, typ, def string
		var notNull, identity bool
		if err := rows.Scan(&tb, &name, &typ, &notNull, &def, &identity); err != nil {
			rows.Close()
			return nil, err
		}
		if slices.Contains(notMigrated, tb) {
			continue
		}
		mapped, ok := sqliteType[typ]
		if !ok {
			mapped = "unmapped PostgreSQL type " + typ
		}
		if typ == "boolean" {
			booleans[tb] = append(booleans[tb], name)
		}
		// Every SQLite INTEGER PRIMARY KEY is numbered by the engine when left
		// out, so SQLite cannot say which keys are meant to be generated; an
		// identity on PostgreSQL is therefore not written as a default.
		if identity || strings.HasPrefix(def, "nextval(") {
			def = ""
		}
		out = append(out, column(tb, name, mapped, notNull, literal(def)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	const attnames = `(SELECT string_agg(a.attname, ',' ORDER BY k.ord)
		FROM unnest(%s) WITH ORDINALITY k(att, ord) JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.att)`
	rows, err = db.Query(`SELECT t.relname, c.contype, ` + fmt.Sprintf(attnames, "c.conkey", "c.conrelid") + `,
			coalesce(r.relname, ''), coalesce(` + fmt.Sprintf(attnames, "c.confkey", "c.confrelid") + `, ''), c.confdeltype
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		LEFT JOIN pg_class r ON r.oid = c.confrelid
		WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tb, typ, cols, ref, refCols, del string
		if err := rows.Scan(&tb, &typ, &cols, &ref, &refCols, &del); err != nil {
			rows.Close()
			return nil, err
		}
		if slices.Contains(notMigrated, tb) {
			continue
		}
		switch typ {
		case "p":
			out = append(out, fmt.Sprintf("primary key %s (%s)", tb, cols))
		case "u":
			out = append(out, fmt.Sprintf("unique %s (%s)", tb, cols))
		case "f":
			out = append(out, fmt.Sprintf("foreign key %s (%s) references %s (%s) on delete %s", tb, cols, ref, refCols, onDelete[del]))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Indexes that back a primary key or UNIQUE constraint are written as
	// those constraints above, as SQLite's automatic indexes are.
	rows, err = db.Query(`SELECT t.relname, i.relname, x.indisunique, coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
			` + fmt.Sprintf(attnames, "x.indkey::int2[]", "x.indrelid") + `
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u'))`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tb, name, where, cols string
		var unique bool
		if err := rows.Scan(&tb, &name, &unique, &where, &cols); err != nil {
			rows.Close()
			return nil, err
		}
		if slices.Contains(notMigrated, tb) {
			continue
		}
		out = append(out, index(tb, name, cols, unique, predicate(where, booleans[tb])))
	}
	rows.Close()
	return out, rows.Err()
}

var (
	cast   = regexp.MustCompile(`::[a-z_]+( [a-z_]+)*`)
	spaces = regexp.MustCompile(`\s+`)
)

// literal writes a PostgreSQL default as SQLite's pragma shows it: without
// the cast PostgreSQL adds ('pending'::text), booleans as 0 and 1.
func literal(def string) string {
	def = cast.ReplaceAllString(def, "")
	switch strings.ToLower(def) {
	case "false":
		return "0"
	case "true":
		return "1"
	}
	return def
}

// predicate writes an index predicate in one spelling: without parentheses
// and casts, single-spaced, keywords in lower case, and a bare boolean column
// (PostgreSQL's "WHERE active") as SQLite's "active = 1".
func predicate(p string, booleans []string) string {
	p = strings.NewReplacer("(", " ", ")", " ").Replace(cast.ReplaceAllString(p, ""))
	p = strings.TrimSpace(spaces.ReplaceAllString(p, " "))
	var terms []string
	for _, or := range splitWord(p, "OR") {
		var ands []string
		for _, term := range splitWord(or, "AND") {
			switch {
			case slices.Contains(booleans, term) || bareColumn.MatchString(term):
				// A bare column is a boolean test on either engine
				// (SQLite: WHERE active, its 0/1 integer).
				term += " = 1"
			case strings.HasPrefix(strings.ToUpper(term), "NOT ") && slices.Contains(booleans, term[4:]):
				term = term[4:] + " = 0"
			}
			ands = append(ands, literal(term))
		}
		terms = append(terms, strings.Join(ands, " and "))
	}
	return strings.Join(terms, " or ")
}

var bareColumn = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// splitWord splits p at the keyword word in any case.
func splitWord(p, word string) []string {
	var out []string
	for {
		k := strings.Index(strings.ToUpper(p), " "+word+" ")
		if k < 0 {
			return append(out, strings.TrimSpace(p))
		}
		out = append(out, strings.TrimSpace(p[:k]))
		p = p[k+len(word)+2:]
	}
}

func strs(db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
