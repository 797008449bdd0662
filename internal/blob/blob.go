// Package blob keeps uploaded files: a local folder by default (Local), an
// S3-compatible bucket when several instances share no disk (S3). Both
// behave the same way, which conformance_test.go checks on each.
//
// Keys are slash-separated paths chosen by the application, such as
// applications/123/materials/ab12.pdf. The original file name of an upload
// belongs in the database, not in the key; a key may still hold Chinese
// characters (申请表.pdf) and both stores keep them as they are.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"
	"unicode/utf8"
)

// Store is where uploaded files live.
//
// Put stores exactly size bytes read from r under key, replacing what the
// key held; a reader that ends early or holds more than size bytes is an
// error and leaves the previous content in place. size -1 means unknown.
// A cancelled ctx stops the copy and stores nothing.
//
// Open returns ErrNotFound for a key that holds nothing. Delete of a key
// that holds nothing is not an error, so a retried clean-up job succeeds.
//
// List yields every stored file whose key starts with prefix ("" for all),
// in no promised order; a file deleted while the listing runs may or may
// not be yielded. It is for clean-up: finding files no row names.
//
// RemoveStale removes what Puts that never finished left behind, begun
// before the given time (Local's temporary files, S3's incomplete
// multipart uploads), and says how many it removed. A Put still running
// began after that time and is left alone.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Delete(ctx context.Context, key string) error
	Exists(ctx context.Context, key string) (bool, error)
	List(ctx context.Context, prefix string) iter.Seq2[Object, error]
	RemoveStale(ctx context.Context, before time.Time) (int, error)
}

// Object is a stored file as List yields it. ModTime is when its content
// was written (the store's clock).
type Object struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Info describes a stored file. ContentType is what Put was given, or
// application/octet-stream when it was given none.
type Info struct {
	Size        int64
	ContentType string
}

// ErrNotFound is returned by Open for a key that holds nothing.
var ErrNotFound = errors.New("blob: not found")

// Key limits. S3 allows 1024 bytes of key; a Linux file name is at most 255
// bytes, and Local needs room next to each file for its temporary and
// content-type names (see local.go), hence 200 per segment.
const (
	maxKeyLen     = 1024
	maxSegmentLen = 200
)

// ValidKey refuses keys that could reach outside the store or name the same
// file two ways: empty keys and segments ("a//b"), "." and "..", absolute
// paths, backslashes (a separator on Windows), NUL and other control
// characters, and text that is not UTF-8 (S3 keys are UTF-8).
//
// Segments starting with "." are refused as well: Local keeps its temporary
// and content-type files under such names, so no key can collide with them.
// The rule holds for S3 too, so a key works the same in either store.
func ValidKey(key string) error {
	bad := func(why string) error { return fmt.Errorf("blob: invalid key %q: %s", key, why) }
	switch {
	case key == "":
		return bad("empty")
	case len(key) > maxKeyLen:
		return bad("too long")
	case !utf8.ValidString(key):
		return bad("not UTF-8")
	case strings.HasPrefix(key, "/"):
		return bad("absolute path")
	case strings.ContainsRune(key, '\\'):
		return bad("backslash")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return bad("control character")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return bad("empty segment")
		case seg == "." || seg == "..":
			return bad("dot segment")
		case strings.HasPrefix(seg, "."):
			return bad("segment starts with a dot (reserved for the store)")
		case len(seg) > maxSegmentLen:
			return bad("segment too long")
		}
	}
	return nil
}

const defaultContentType = "application/octet-stream"

// exactReader yields what r holds, failing when that is not size bytes:
// a short read means a broken upload, a long one a caller's mistake, and
// neither may replace a good file.
type exactReader struct {
	ctx  context.Context
	r    io.Reader
	size int64 // -1: unknown
	n    int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
	if e.size >= 0 && int64(len(p)) > e.size-e.n+1 {
		p = p[:e.size-e.n+1]
	}
	n, err := e.r.Read(p)
	e.n += int64(n)
	if e.size >= 0 && e.n > e.size {
		return n, fmt.Errorf("blob: reader holds more than the declared %d bytes", e.size)
	}
	if err == io.EOF && e.size >= 0 && e.n < e.size {
		return n, fmt.Errorf("blob: reader ended after %d of the declared %d bytes: %w", e.n, e.size, io.ErrUnexpectedEOF)
	}
	return n, err
}
