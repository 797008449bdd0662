package store

import "database/sql"

// RawSQL hands the connection pool to the schema tests of store_test, which
// read each engine's catalogue directly.
func RawSQL(db *DB) *sql.DB { return db.sql }

func RawWriter(db *DB) *sql.DB { return db.w }
