// Package blob keeps uploaded files: a local folder by default, an
// S3-compatible object store for scale-out. Keys are slash-separated paths
// such as applications/123/materials/ab12.pdf.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Store is where uploaded files live.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Delete(ctx context.Context, key string) error // a missing key is not an error
	Exists(ctx context.Context, key string) (bool, error)
}

// Info describes a stored file.
type Info struct {
	Size        int64
	ContentType string
}

// ErrNotFound is returned for a key that holds nothing.
var ErrNotFound = errors.New("blob: not found")

// ValidKey refuses keys that could reach outside the store or be read two
// ways: "..", absolute paths, empty segments, backslashes and NUL.
func ValidKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return fmt.Errorf("blob: invalid key %q", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("blob: invalid key %q", key)
		}
	}
	return nil
}
