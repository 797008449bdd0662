package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// SQLite connections keep the statements they have run. The driver
// compiles the SQL of every Exec and Query given as a string and throws the
// compiled statement away afterwards, and inside a transaction every
// statement is such a call: compiling SQL was a fifth of the CPU of a
// submission (opcert load's profile of the submit path), more than running
// it. The hot reads outside transactions are prepared once (DB.prepared);
// this covers the rest, writes above all, on every SQLite connection.

// stmtCacheSize is how many statements a connection keeps, the least
// recently run dropped first: the store has a few hundred distinct
// statements, migrations and one-off admin reads among them, and a page
// or a transaction runs a few dozen.
const stmtCacheSize = 128

// sqliteDriver is the registered SQLite driver, whose connections
// openCachingSQLite wraps.
var sqliteDriver = func() driver.Driver {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	return db.Driver()
}()

// openCachingSQLite is sql.Open("sqlite", dsn) with connections that keep
// their statements.
func openCachingSQLite(dsn string) *sql.DB {
	return sql.OpenDB(cachingConnector{dsn: dsn})
}

type cachingConnector struct{ dsn string }

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, byQuery: map[string]*list.Element{}, recent: list.New()}, nil
}

func (cachingConnector) Driver() driver.Driver { return sqliteDriver }

// cachingConn is a driver connection with its statements kept by SQL text.
// database/sql uses a connection from one goroutine at a time, so it needs
// no lock; but a statement whose rows are still open (a loop that runs
// another statement per row, on the same connection inside a transaction)
// cannot run again until they close: meanwhile the same SQL runs as the
// driver would run it uncached.
type cachingConn struct {
	driver.Conn
	byQuery map[string]*list.Element // of *cachedStmt
	recent  *list.List               // most recently run first
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool // its rows are open
}

// statement is the kept statement of query, prepared now if it is not kept
// yet; nil when it is busy.
func (c *cachingConn) statement(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.recent.MoveToFront(e)
		return cs, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.byQuery[query] = c.recent.PushFront(cs)
	for e := c.recent.Back(); c.recent.Len() > stmtCacheSize && e != nil; {
		prev := e.Prev()
		if old := e.Value.(*cachedStmt); !old.busy {
			c.recent.Remove(e)
			delete(c.byQuery, old.query)
			old.stmt.Close()
		}
		e = prev
	}
	return cs, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, stmt: cs}, nil
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// Close finalizes the kept statements first: SQLite does not close a
// connection with statements left.
func (c *cachingConn) Close() error {
	var err error
	for e := c.recent.Front(); e != nil; e = e.Next() {
		err = errors.Join(err, e.Value.(*cachedStmt).stmt.Close())
	}
	c.byQuery, c.recent = nil, list.New()
	return errors.Join(err, c.Conn.Close())
}

// cachedRows are the rows of a kept statement, which may run again once
// they are closed.
type cachedRows struct {
	driver.Rows
	stmt   *cachedStmt
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}
