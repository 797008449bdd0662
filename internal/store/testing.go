package store

import (
	"context"
	"database/sql"
)

// ExecForTest runs raw SQL: tests use it to tamper with rows as a person
// with database access could. Not for the service.
func ExecForTest(db *DB, query string, args ...any) error {
	_, err := db.w.ExecContext(context.Background(), query, args...)
	return err
}

// InTxForTest exposes the store's transaction helper to tests of other
// packages that append inside a transaction.
func InTxForTest(db *DB, fn func(tx *sql.Tx) error) error {
	return db.inTx(context.Background(), fn)
}

// QueryForTest runs a raw read, for tests that count rows no method
// exposes (messages per recipient across instances). Not for the service.
func QueryForTest(db *DB, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(context.Background(), query, args...)
}

// EnqueueForTest queues a message as the service does (its recipient
// sealed), due now, for tests of the sender. Not for the service.
func EnqueueForTest(db *DB, recipient, topic, body string) error {
	ctx := context.Background()
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, pk, db.now().UTC(), "sms", recipient, topic, body) })
}

// OpenForTest opens a sealed value copied out of its table (an audit
// line's), as an auditor with the keys would. Not for the service.
func OpenForTest(db *DB, v string) (string, error) { return db.open(context.Background(), v) }
