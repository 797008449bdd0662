package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// FileMentions is what the rows of one application say about stored
// files: the keys named in columns (materials, kept notice PDFs) and the
// JSON documents that may name more (the form, each notice's content),
// which only their owners can read.
type FileMentions struct {
	Keys    []string
	Form    []byte
	Notices [][]byte
}

// MaxFileMentions bounds the ids of one FileMentions call (PostgreSQL takes
// at most 65535 parameters, and the answer is held in memory).
const MaxFileMentions = 500

// FileMentions returns, for each of the given applications that has rows,
// what they say about files; the file sweep reads it to tell which files no
// row names. The three queries need no common snapshot: a row naming a file
// is written after the file, so a file old enough to be swept has all its
// rows already, and rows deleted meanwhile only free more files.
func (db *DB) FileMentions(ctx context.Context, ids []int64) (map[int64]*FileMentions, error) {
	out := map[int64]*FileMentions{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxFileMentions {
		return nil, fmt.Errorf("store: FileMentions of %d applications, at most %d", len(ids), MaxFileMentions)
	}
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	in := "(" + strings.Join(marks, ", ") + ")"
	of := func(id int64) *FileMentions {
		if out[id] == nil {
			out[id] = &FileMentions{}
		}
		return out[id]
	}
	err := db.eachRow(ctx, `SELECT id, data FROM applications WHERE id IN `+in, args, func(rows *sql.Rows) error {
		var id int64
		var data string
		if err := rows.Scan(&id, &data); err != nil {
			return err
		}
		form, err := db.openText(ctx, data)
		of(id).Form = []byte(form)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.eachRow(ctx, `SELECT application_id, blob_key FROM materials WHERE application_id IN `+in, args, func(rows *sql.Rows) error {
		var id int64
		var key string
		err := rows.Scan(&id, &key)
		of(id).Keys = append(of(id).Keys, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.eachRow(ctx, `SELECT application_id, COALESCE(pdf_key, ''), data FROM notices WHERE application_id IN `+in, args, func(rows *sql.Rows) error {
		var id int64
		var key, data string
		if err := rows.Scan(&id, &key, &data); err != nil {
			return err
		}
		content, err := db.openText(ctx, data)
		if err != nil {
			return err
		}
		m := of(id)
		if key != "" {
			m.Keys = append(m.Keys, key)
		}
		m.Notices = append(m.Notices, []byte(content))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachRow runs a query and calls fn on each row.
func (db *DB) eachRow(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
