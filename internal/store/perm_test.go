//go:build unix

package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"opcert/internal/store"
)

// The database, its -wal and -shm files and its backups hold every person's
// 证件号码 and phone: 0600 whatever the umask (here none at all), and an
// older, wider file is narrowed when opened.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "opcert.db")
	mode := func(p string) fs.FileMode {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	db, err := store.Open(ctx, "", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m := mode(p); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
		}
	}
	backup := filepath.Join(dir, "backup.db")
	if err := db.BackupTo(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if m := mode(backup); m != 0o600 {
		t.Errorf("backup: mode %v, want 0600", m)
	}
	if st, _ := os.Stat(backup); st.Size() == 0 {
		t.Error("backup is empty")
	}
	if err := db.BackupTo(ctx, backup); err == nil {
		t.Error("a backup overwrote an existing file")
	}
	db.Close()

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	db, err = store.Open(ctx, "", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err == nil && mode(p) != 0o600 {
			t.Errorf("reopened %s: mode %v, want 0600", filepath.Base(p), mode(p))
		}
	}
}
