package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
)

// Local keeps files in a folder. os.Root confines every access to it, so
// no key, however crafted, reaches a file outside.
type Local struct {
	root *os.Root
}

// NewLocal opens (creating) the folder.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Local{root: root}, nil
}

// contentTypeSuffix names the sidecar file holding a file's content type:
// the type was checked from the content at upload and is served as checked.
const contentTypeSuffix = ".type"

// Put writes to a temporary file and renames it into place, so a crash or a
// failed upload never leaves half a file under the key.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := l.root.MkdirAll(path.Dir(key), 0o750); err != nil {
		return err
	}
	b := make([]byte, 8)
	rand.Read(b)
	tmp := key + ".tmp-" + hex.EncodeToString(b)
	f, err := l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, contextReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("blob: wrote %d bytes of %d", n, size)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = l.root.WriteFile(key+contentTypeSuffix, []byte(contentType), 0o640)
	}
	if err == nil {
		err = l.root.Rename(tmp, key)
	}
	if err != nil {
		l.root.Remove(tmp)
	}
	return err
}

func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := l.root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	ct, _ := l.root.ReadFile(key + contentTypeSuffix)
	info := Info{Size: st.Size(), ContentType: string(ct)}
	if info.ContentType == "" {
		info.ContentType = "application/octet-stream"
	}
	return f, info, nil
}

func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := l.root.Remove(key + contentTypeSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (l *Local) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidKey(key); err != nil {
		return false, err
	}
	_, err := l.root.Stat(key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Close releases the folder.
func (l *Local) Close() error { return l.root.Close() }

// contextReader stops a long copy when the request is cancelled.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
