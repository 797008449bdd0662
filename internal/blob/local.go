package blob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"mime"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
)

// Local keeps files in a folder on this machine. Every access goes through
// os.Root, so no key, symbolic link or ".." inside the folder can reach a
// file outside it, even if ValidKey were bypassed.
//
// Layout: the key applications/123/materials/abc.pdf is the file of that
// path under the folder, so an operator can find and read it directly.
// Next to it, .abc.pdf.type holds the content type given to Put (a sidecar:
// the type was checked from the content when the file was uploaded and is
// served as checked; guessing it again from the name would trust the name)
// unless the key's extension already says that type (typeOfExtension).
// Files being written are named .tmp-<random>. Neither name can be a key,
// since ValidKey refuses segments starting with ".".
//
// A folder cannot hold both a/b and a/b/c (a/b is a file or a folder),
// which S3 allows; the application's keys never need both.
type Local struct {
	root *os.Root
}

// NewLocal opens the folder dir, creating it if needed.
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

// Close releases the folder.
func (l *Local) Close() error { return l.root.Close() }

const sidecarSuffix = ".type"

func sidecarOf(key string) string {
	return path.Join(path.Dir(key), "."+path.Base(key)+sidecarSuffix)
}

// Put writes to temporary files and renames them into place: rename is
// atomic, so a reader, a crash or a cancelled upload sees the old file or
// the new one, never half of one. The content type is renamed into place
// first; a crash between the two renames can leave the new type beside the
// old content, which matters only when a key is overwritten with another
// type (the application's keys end in the type's extension, so never).
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	dir := path.Dir(key)
	if err := l.root.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	data, err := l.writeTemp(dir, &exactReader{ctx: ctx, r: r, size: size})
	if err != nil {
		return err
	}
	defer l.root.Remove(data) // fails harmlessly once renamed
	if typeOfExtension[path.Ext(key)] == contentType {
		// The name says the type: a sidecar would be a second file
		// created, synced and renamed for every upload, a third of Put's
		// system time. One left by an earlier Put of another type goes.
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := l.root.Remove(sidecarOf(key)); err != nil && !notExist(err) {
			return err
		}
	} else {
		meta, err := l.writeTemp(dir, strings.NewReader(contentType))
		if err != nil {
			return err
		}
		defer l.root.Remove(meta)
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := l.root.Rename(meta, sidecarOf(key)); err != nil {
			return err
		}
	}
	if err := l.root.Rename(data, key); err != nil {
		return err
	}
	// The renames are durable only once the folder itself is synced.
	if d, err := l.root.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// writeTemp copies r into a new temporary file in dir, synced to disk, and
// returns its name; on failure nothing is left behind.
func (l *Local) writeTemp(dir string, r io.Reader) (string, error) {
	name := path.Join(dir, ".tmp-"+rand.Text())
	f, err := l.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		l.root.Remove(name)
		return "", err
	}
	return name, nil
}

func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	f, err := l.root.Open(key)
	if notExist(err) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = ErrNotFound
	}
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	return f, Info{Size: st.Size(), ContentType: l.contentType(key)}, nil
}

// contentType reads the sidecar. Without one the key's extension says the
// type: one of typeOfExtension when Put was given that type, otherwise (a
// file copied in by hand, or written before sidecars existed) the system's
// guess is the only hint left.
func (l *Local) contentType(key string) string {
	if b, err := l.root.ReadFile(sidecarOf(key)); err == nil && len(b) > 0 && len(b) < 256 {
		return string(b)
	}
	if t := typeOfExtension[path.Ext(key)]; t != "" {
		return t
	}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return defaultContentType
}

// typeOfExtension is the type of the files the service stores, by the
// extension their keys end in (the upload's kind, checked from the
// content): Put writes no sidecar for them, so the table is fixed here
// rather than taken from the machine's mime.types, which another instance
// may not share.
var typeOfExtension = map[string]string{
	".pdf":  "application/pdf",
	".jpg":  "image/jpeg",
	".png":  "image/png",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if st, err := l.root.Stat(key); err == nil && st.IsDir() {
		return nil
	}
	if err := l.root.Remove(key); err != nil && !notExist(err) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	if err := l.root.Remove(sidecarOf(key)); err != nil && !notExist(err) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

func (l *Local) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidKey(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	st, err := l.root.Stat(key)
	switch {
	case notExist(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return !st.IsDir(), nil
}

// notExist also covers a key running through a file ("a.pdf/b"): that key
// holds nothing either.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// errStopWalk ends a walk whose consumer stopped reading.
var errStopWalk = errors.New("blob: walk stopped")

// List walks the folder from the deepest folder the prefix names. The
// store's own files (names starting with ".") are not keys and are not
// yielded.
func (l *Local) List(ctx context.Context, prefix string) iter.Seq2[Object, error] {
	return func(yield func(Object, error) bool) {
		start := "."
		if i := strings.LastIndex(prefix, "/"); i > 0 {
			start = prefix[:i]
		}
		if !fs.ValidPath(start) {
			yield(Object{}, fmt.Errorf("blob: list %q: invalid prefix", prefix))
			return
		}
		err := fs.WalkDir(l.root.FS(), start, func(name string, d fs.DirEntry, err error) error {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if err != nil {
				if notExist(err) { // deleted meanwhile, or a prefix that names no folder
					return nil
				}
				return err
			}
			if name != start && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !strings.HasPrefix(name, prefix) {
				return nil
			}
			info, err := d.Info()
			if notExist(err) {
				return nil
			}
			if err != nil {
				return err
			}
			if !yield(Object{Key: name, Size: info.Size(), ModTime: info.ModTime()}, nil) {
				return errStopWalk
			}
			return nil
		})
		if err != nil && err != errStopWalk {
			yield(Object{}, fmt.Errorf("blob: list %q: %w", prefix, err))
		}
	}
}

// RemoveStale removes temporary files (.tmp-…) written before the given
// time, which only a Put that was stopped by a crash leaves, and content
// types (.name.type) whose file is gone: a Put stopped between its two
// renames, or a Delete between its two removes. Put writes a fresh
// temporary file and renames it into place, so a Put still running has
// nothing older than it began.
func (l *Local) RemoveStale(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := fs.WalkDir(l.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if notExist(err) {
				return nil
			}
			return err
		}
		base := d.Name()
		if d.IsDir() || !strings.HasPrefix(base, ".") {
			return nil
		}
		info, err := d.Info()
		if notExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !info.ModTime().Before(before) {
			return nil
		}
		// The suffix is checked first: the key tmp-x has the content type
		// .tmp-x.type, while temporary names have no dot after .tmp-.
		switch {
		case strings.HasSuffix(base, sidecarSuffix):
			key := path.Join(path.Dir(name), strings.TrimSuffix(base[1:], sidecarSuffix))
			if _, err := l.root.Stat(key); !notExist(err) {
				return nil
			}
		case !strings.HasPrefix(base, ".tmp-"):
			return nil
		}
		if err := l.root.Remove(name); err != nil && !notExist(err) {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("blob: remove stale files: %w", err)
	}
	return n, nil
}
