package blob

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidKey(t *testing.T) {
	for _, k := range []string{"a", "applications/123/materials/abc.pdf", "申请表.pdf", "a/b c/d-e_f.(1).pdf", "a.b/c..d"} {
		if err := ValidKey(k); err != nil {
			t.Errorf("ValidKey(%q) = %v", k, err)
		}
	}
	for _, k := range badKeys {
		if ValidKey(k) == nil {
			t.Errorf("ValidKey(%q) accepted", k)
		}
	}
}

func TestLocalLayout(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := NewLocal(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key := "applications/1/materials/申请表.pdf"
	if err := l.Put(ctx, key, strings.NewReader("%PDF-1.4"), 8, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	// The file sits at its key's path, readable without the program.
	b, err := os.ReadFile(filepath.Join(dir, "files", "applications", "1", "materials", "申请表.pdf"))
	if err != nil || string(b) != "%PDF-1.4" {
		t.Fatalf("on disk: %q %v", b, err)
	}
	// Only the file (its name says its type): no temporary files left
	// over, after success or after failure.
	l.Put(ctx, key, strings.NewReader("short"), 99, "application/pdf")
	names := func() []string {
		entries, _ := os.ReadDir(filepath.Join(dir, "files", "applications", "1", "materials"))
		var n []string
		for _, e := range entries {
			n = append(n, e.Name())
		}
		return n
	}
	if got := strings.Join(names(), ","); got != "申请表.pdf" {
		t.Fatalf("folder holds %s", got)
	}
	if err := l.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 0 {
		t.Fatalf("left behind after Delete: %v", got)
	}
}

func TestLocalCannotLeaveItsFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	os.Mkdir(outside, 0o700)
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o600)
	l, err := NewLocal(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A symbolic link planted inside the folder (by an operator's mistake
	// or an attacker with some other foothold) still leads nowhere.
	if err := os.Symlink(outside, filepath.Join(dir, "files", "link")); err != nil {
		t.Skip(err)
	}
	if _, _, err := l.Open(ctx, "link/secret.txt"); err == nil {
		t.Error("read through a link out of the folder")
	}
	if err := l.Put(ctx, "link/new.txt", strings.NewReader("x"), 1, ""); err == nil {
		t.Error("wrote through a link out of the folder")
	}
	if _, err := os.Stat(filepath.Join(outside, "new.txt")); err == nil {
		t.Error("a file appeared outside the folder")
	}
}

func TestLocalWithoutSidecar(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, _ := NewLocal(dir)
	defer l.Close()
	// A file copied in by hand is served by its extension.
	os.MkdirAll(filepath.Join(dir, "a"), 0o700)
	os.WriteFile(filepath.Join(dir, "a", "x.pdf"), []byte("%PDF"), 0o600)
	rc, info, err := l.Open(ctx, "a/x.pdf")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if info.ContentType != "application/pdf" {
		t.Errorf("content type %q", info.ContentType)
	}
	os.WriteFile(filepath.Join(dir, "a", "y"), []byte("?"), 0o600)
	rc, info, _ = l.Open(ctx, "a/y")
	rc.Close()
	if info.ContentType != "application/octet-stream" {
		t.Errorf("content type %q", info.ContentType)
	}
	var buf bytes.Buffer
	if l.Put(ctx, "a/z", &buf, 0, "text/plain") != nil {
		t.Error("empty Put refused")
	}
}

// A file whose key's extension says its type has no sidecar: one file
// created, synced and renamed per upload, not two.
func TestLocalSidecarOnlyWhenTheNameDoesNotSayTheType(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, _ := NewLocal(dir)
	defer l.Close()
	for key, ct := range map[string]string{"a/x.pdf": "application/pdf", "a/y.pdf": "image/png", "a/z": "text/plain"} {
		if err := l.Put(ctx, key, strings.NewReader("x"), 1, ct); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	entries, _ := os.ReadDir(filepath.Join(dir, "a"))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".y.pdf.type", ".z.type", "x.pdf", "y.pdf", "z"}; !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
}

// A crash in the middle of Put leaves .tmp- files, and one between the two
// renames (or in Delete) a content type without its file; RemoveStale
// takes those once they are old, and nothing a key still needs.
func TestLocalRemoveStale(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A type the names do not say, so that each has its sidecar.
	for _, key := range []string{"a/kept.pdf", "a/tmp-x", "a/old.pdf"} {
		if err := l.Put(ctx, key, strings.NewReader("x"), 1, "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().Add(-24 * time.Hour)
	old := day.Add(-time.Hour)
	write := func(name string, mtime time.Time) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.WriteFile(p, []byte("?"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("a/.tmp-OLDONE", old)
	write("a/.tmp-FRESH", time.Now()) // a Put under way
	write("a/.gone.pdf.type", old)    // its file was never renamed into place
	write("a/.young.pdf.type", time.Now())
	write("a/.other", old) // not the store's: kept
	for _, name := range []string{"a/kept.pdf", "a/.kept.pdf.type", "a/.tmp-x.type", "a/tmp-x", "a/old.pdf", "a/.old.pdf.type"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	n, err := l.RemoveStale(ctx, day)
	if err != nil || n != 2 {
		t.Fatalf("RemoveStale = %d, %v; want the old temporary file and the orphan content type", n, err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "a"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, ","); got != ".kept.pdf.type,.old.pdf.type,.other,.tmp-FRESH,.tmp-x.type,.young.pdf.type,kept.pdf,old.pdf,tmp-x" {
		t.Errorf("left: %s", got)
	}
	if _, info, err := l.Open(ctx, "a/tmp-x"); err != nil || info.ContentType != "text/plain" {
		t.Errorf("a/tmp-x lost its content type: %+v %v", info, err)
	}
}
