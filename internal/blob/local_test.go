package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestLocalRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key := "applications/1/申请表.pdf"
	if err := l.Put(ctx, key, bytes.NewReader([]byte("%PDF-1.4 x")), 10, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	rc, info, err := l.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "%PDF-1.4 x" || info.Size != 10 || info.ContentType != "application/pdf" {
		t.Fatalf("got %q %+v", b, info)
	}
	if err := l.Put(ctx, key, bytes.NewReader([]byte("new")), 3, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := l.Exists(ctx, key); !ok {
		t.Fatal("Exists = false")
	}
	if err := l.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, key); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
	if _, _, err := l.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open deleted: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "applications", "1"))
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestLocalRefusesEscapingKeys(t *testing.T) {
	l, _ := NewLocal(t.TempDir())
	defer l.Close()
	for _, k := range []string{"", "/etc/passwd", "../x", "a/../../x", "a//b", `a\b`, "a/\x00", "a/./b"} {
		if err := l.Put(context.Background(), k, bytes.NewReader(nil), 0, ""); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
}

func TestLocalShortWriteLeavesNothing(t *testing.T) {
	ctx := context.Background()
	l, _ := NewLocal(t.TempDir())
	defer l.Close()
	if err := l.Put(ctx, "a/b.pdf", bytes.NewReader([]byte("abc")), 10, "application/pdf"); err == nil {
		t.Fatal("short write accepted")
	}
	if ok, _ := l.Exists(ctx, "a/b.pdf"); ok {
		t.Fatal("half a file stored")
	}
}
