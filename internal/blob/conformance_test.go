package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"opcert/internal/s3test"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
)

// conformance is what every Store must do. It runs on the local folder and
// on an S3 server (gofakes3 in-process, the protocol MinIO speaks), so the
// application can move between them without noticing.
func conformance(t *testing.T, s Store) {
	ctx := context.Background()
	put := func(t *testing.T, key string, body []byte, ct string) {
		t.Helper()
		if err := s.Put(ctx, key, bytes.NewReader(body), int64(len(body)), ct); err != nil {
			t.Fatalf("Put %s: %v", key, err)
		}
	}
	get := func(t *testing.T, key string) ([]byte, Info) {
		t.Helper()
		rc, info, err := s.Open(ctx, key)
		if err != nil {
			t.Fatalf("Open %s: %v", key, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		return b, info
	}
	exists := func(t *testing.T, key string) bool {
		t.Helper()
		ok, err := s.Exists(ctx, key)
		if err != nil {
			t.Fatalf("Exists %s: %v", key, err)
		}
		return ok
	}

	t.Run("round trip", func(t *testing.T) {
		key := "applications/123/materials/abc.pdf"
		body := []byte("%PDF-1.4 申请表")
		put(t, key, body, "application/pdf")
		got, info := get(t, key)
		if !bytes.Equal(got, body) || info != (Info{Size: int64(len(body)), ContentType: "application/pdf"}) {
			t.Fatalf("got %q %+v", got, info)
		}
		if !exists(t, key) {
			t.Fatal("Exists = false after Put")
		}
	})

	t.Run("Chinese names in keys", func(t *testing.T) {
		for _, key := range []string{"applications/7/申请表.pdf", "申请人/张三/身份证 正面.jpg", "applications/7/材料（补正）/学历证明-1.docx"} {
			put(t, key, []byte(key), "image/jpeg")
			if got, _ := get(t, key); string(got) != key {
				t.Errorf("%s: got %q", key, got)
			}
		}
		// A key is a name, not a prefix: its neighbour stays missing.
		if exists(t, "applications/7/申请表") {
			t.Error("a prefix of a key exists")
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		key := "applications/8/photo.png"
		put(t, key, bytes.Repeat([]byte("long old content "), 100), "image/png")
		put(t, key, []byte("new"), "image/jpeg")
		got, info := get(t, key)
		if string(got) != "new" || info.Size != 3 || info.ContentType != "image/jpeg" {
			t.Fatalf("after overwrite: %q %+v", got, info)
		}
		// Back to the type its name says (the local store keeps no sidecar
		// for that, and must not serve the earlier one).
		put(t, key, []byte("png again"), "image/png")
		if got, info = get(t, key); string(got) != "png again" || info.ContentType != "image/png" {
			t.Fatalf("after the second overwrite: %q %+v", got, info)
		}
		// A name saying one type and content checked as another: the
		// content's type is served.
		put(t, "applications/8/scan.pdf", []byte("text"), "text/plain")
		if _, info = get(t, "applications/8/scan.pdf"); info.ContentType != "text/plain" {
			t.Fatalf("a .pdf stored as text/plain is served as %q", info.ContentType)
		}
	})

	t.Run("empty object and default type", func(t *testing.T) {
		put(t, "applications/9/empty", nil, "")
		got, info := get(t, "applications/9/empty")
		if len(got) != 0 || info.Size != 0 || info.ContentType != "application/octet-stream" {
			t.Fatalf("got %q %+v", got, info)
		}
	})

	t.Run("missing and deleted keys", func(t *testing.T) {
		key := "applications/10/gone.pdf"
		if _, _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open missing: %v, want ErrNotFound", err)
		}
		if exists(t, key) {
			t.Fatal("missing key exists")
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete missing: %v", err)
		}
		put(t, key, []byte("x"), "application/pdf")
		for range 2 {
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		if _, _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open deleted: %v, want ErrNotFound", err)
		}
		if exists(t, key) {
			t.Fatal("deleted key exists")
		}
		// A "folder" holding keys is not itself a key.
		put(t, "applications/10/materials/a.pdf", []byte("a"), "application/pdf")
		if exists(t, "applications/10/materials") {
			t.Fatal("folder reported as a key")
		}
		if _, _, err := s.Open(ctx, "applications/10/materials"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open folder: %v", err)
		}
		if _, _, err := s.Open(ctx, "applications/10/materials/a.pdf/b"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open below a file: %v", err)
		}
	})

	t.Run("bad keys refused everywhere", func(t *testing.T) {
		for _, key := range badKeys {
			if err := s.Put(ctx, key, strings.NewReader("x"), 1, "text/plain"); err == nil {
				t.Errorf("Put %q accepted", key)
			}
			if _, _, err := s.Open(ctx, key); err == nil || errors.Is(err, ErrNotFound) {
				t.Errorf("Open %q: %v, want a key error", key, err)
			}
			if _, err := s.Exists(ctx, key); err == nil {
				t.Errorf("Exists %q accepted", key)
			}
			if err := s.Delete(ctx, key); err == nil {
				t.Errorf("Delete %q accepted", key)
			}
		}
	})

	t.Run("11 MB round trip", func(t *testing.T) {
		// Larger than upload.MaxSize, so the store never limits what the
		// upload rules allow, and large enough to span many reads.
		big := make([]byte, 11<<20)
		for i := range big {
			big[i] = byte(i*7 + i>>13)
		}
		put(t, "applications/11/big.pdf", big, "application/pdf")
		got, info := get(t, "applications/11/big.pdf")
		if sha256.Sum256(got) != sha256.Sum256(big) || info.Size != int64(len(big)) {
			t.Fatalf("got %d bytes, info %+v", len(got), info)
		}
	})

	t.Run("unknown size", func(t *testing.T) {
		if err := s.Put(ctx, "applications/12/u.pdf", strings.NewReader("no length given"), -1, "application/pdf"); err != nil {
			t.Fatal(err)
		}
		if got, info := get(t, "applications/12/u.pdf"); string(got) != "no length given" || info.Size != 15 {
			t.Fatalf("got %q %+v", got, info)
		}
	})

	t.Run("wrong size keeps the old content", func(t *testing.T) {
		key := "applications/13/a.pdf"
		put(t, key, []byte("good"), "application/pdf")
		if err := s.Put(ctx, key, strings.NewReader("abc"), 10, "application/pdf"); err == nil {
			t.Error("a reader shorter than size was accepted")
		}
		if got, _ := get(t, key); string(got) != "good" {
			t.Errorf("after a short Put: %q", got)
		}
		if err := s.Put(ctx, "applications/13/b.pdf", strings.NewReader("abcdef"), 3, "application/pdf"); err == nil {
			t.Error("a reader longer than size was accepted")
		}
		if exists(t, "applications/13/b.pdf") {
			t.Error("a long Put left an object")
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		key := "applications/14/c.pdf"
		if err := s.Put(cancelled, key, strings.NewReader("x"), 1, "application/pdf"); !errors.Is(err, context.Canceled) {
			t.Errorf("Put: %v, want context.Canceled", err)
		}
		if exists(t, key) {
			t.Error("Put with a cancelled context stored the file")
		}
		put(t, key, []byte("kept"), "application/pdf")
		if _, _, err := s.Open(cancelled, key); !errors.Is(err, context.Canceled) {
			t.Errorf("Open: %v, want context.Canceled", err)
		}
		if _, err := s.Exists(cancelled, key); !errors.Is(err, context.Canceled) {
			t.Errorf("Exists: %v, want context.Canceled", err)
		}
		if err := s.Delete(cancelled, key); !errors.Is(err, context.Canceled) {
			t.Errorf("Delete: %v, want context.Canceled", err)
		}
		// Cancelled half-way: the upload is abandoned and the file that
		// was there stays whole.
		mid, cancelMid := context.WithCancel(ctx)
		defer cancelMid()
		r := &cancelAfter{r: bytes.NewReader(make([]byte, 11<<20)), n: 1 << 20, cancel: cancelMid}
		if err := s.Put(mid, key, r, 11<<20, "application/pdf"); err == nil {
			t.Error("Put cancelled half-way succeeded")
		}
		if got, _ := get(t, key); string(got) != "kept" {
			t.Errorf("after a cancelled overwrite: %d bytes", len(got))
		}
	})

	t.Run("list", func(t *testing.T) {
		before := time.Now().Add(-time.Minute)
		want := map[string]int{"list/a/1.pdf": 1, "list/a/b/2.pdf": 22, "list/ab/3.pdf": 333, "list/申请表.pdf": 4}
		for k, n := range want {
			put(t, k, bytes.Repeat([]byte("x"), n), "application/pdf")
		}
		put(t, "other/list/4.pdf", []byte("y"), "application/pdf")
		list := func(prefix string) map[string]int {
			t.Helper()
			got := map[string]int{}
			for o, err := range s.List(ctx, prefix) {
				if err != nil {
					t.Fatalf("List %q: %v", prefix, err)
				}
				if err := ValidKey(o.Key); err != nil {
					t.Errorf("List %q yielded a store file: %v", prefix, err)
				}
				if o.ModTime.Before(before) || o.ModTime.After(time.Now().Add(time.Minute)) {
					t.Errorf("%s: ModTime %v, just written", o.Key, o.ModTime)
				}
				got[o.Key] = int(o.Size)
			}
			return got
		}
		if got := list("list/"); !maps.Equal(got, want) {
			t.Errorf("List(list/) = %v, want %v", got, want)
		}
		// A prefix is text, not a folder: list/a matches list/ab too.
		if got := list("list/a"); len(got) != 3 || got["list/ab/3.pdf"] != 333 {
			t.Errorf("List(list/a) = %v", got)
		}
		if got := list("list/a/"); len(got) != 2 {
			t.Errorf("List(list/a/) = %v", got)
		}
		if got := list("nothing/here/"); len(got) != 0 {
			t.Errorf("List of a missing prefix = %v", got)
		}
		all := list("")
		for k := range want {
			if _, ok := all[k]; !ok {
				t.Errorf("List(\"\") misses %s", k)
			}
		}
		if _, ok := all["other/list/4.pdf"]; !ok {
			t.Error("List(\"\") misses other/list/4.pdf")
		}
		s.Delete(ctx, "list/ab/3.pdf")
		if got := list("list/ab"); len(got) != 0 {
			t.Errorf("deleted key listed: %v", got)
		}
		// A consumer may stop early.
		n := 0
		for range s.List(ctx, "list/") {
			n++
			break
		}
		if n != 1 {
			t.Errorf("stopped listing yielded %d", n)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		var lerr error
		for _, err := range s.List(cancelled, "list/") {
			lerr = err
		}
		if !errors.Is(lerr, context.Canceled) {
			t.Errorf("List with a cancelled context: %v", lerr)
		}
	})

	t.Run("concurrent writers", func(t *testing.T) {
		// Readers see one writer's file whole, never a mix.
		key := "applications/15/same.pdf"
		var wg sync.WaitGroup
		bodies := make([][]byte, 6)
		for i := range bodies {
			bodies[i] = bytes.Repeat([]byte{byte('a' + i)}, 256<<10+i)
			wg.Go(func() {
				if err := s.Put(ctx, key, bytes.NewReader(bodies[i]), int64(len(bodies[i])), fmt.Sprintf("text/x-%d", i)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, _ := get(t, key)
		for _, b := range bodies {
			if bytes.Equal(got, b) {
				return
			}
		}
		t.Fatalf("got %d bytes matching no writer", len(got))
	})
}

var badKeys = []string{
	"", "/etc/passwd", "../x", "a/../../x", "a/..", "..", "a//b", "a/", `a\b`, `..\x`, "a/\x00b", "a/./b", ".",
	"a/\nb", "a/.hidden", ".tmp-x", "a/.b.pdf.type", "a/\xff.pdf", strings.Repeat("长", 100), strings.Repeat("a/", 600) + "b",
}

// cancelAfter cancels its context once n bytes have been read, the way a
// client that disconnects mid-upload does.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	n, err := c.r.Read(p[:min(len(p), max(c.n, 1))])
	c.n -= n
	return n, err
}

func TestLocalConformance(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conformance(t, l)
}

func newFakeS3(t *testing.T) string {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestS3Conformance(t *testing.T) {
	u := newFakeS3(t)
	s, err := NewS3(context.Background(), S3Config{Endpoint: u, Bucket: "opcert", AccessKey: "a", SecretKey: "b", Region: "us-east-1", CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s)
}

// The adapter against a real S3-compatible server (the Versity gateway),
// not only the in-process fake: what production buckets do is what counts.
func TestS3ConformanceRealServer(t *testing.T) {
	srv := s3test.Start(t)
	s, err := NewS3(context.Background(), S3Config{Endpoint: srv.Endpoint, Bucket: "opcert", AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		Region: "us-east-1", CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s)
}

func TestS3Config(t *testing.T) {
	ctx := context.Background()
	u := newFakeS3(t)
	host := strings.TrimPrefix(u, "http://")
	if _, err := NewS3(ctx, S3Config{Endpoint: host, Bucket: "missing", AccessKey: "a", SecretKey: "b", Region: "us-east-1"}); err == nil {
		t.Error("a missing bucket was accepted without CreateBucket")
	}
	if _, err := NewS3(ctx, S3Config{Endpoint: host, Bucket: "made", AccessKey: "a", SecretKey: "b", Region: "us-east-1", CreateBucket: true}); err != nil {
		t.Fatal(err)
	}
	// host:port form, bucket now present.
	if _, err := NewS3(ctx, S3Config{Endpoint: host, Bucket: "made", AccessKey: "a", SecretKey: "b", Region: "us-east-1"}); err != nil {
		t.Error(err)
	}
	for _, cfg := range []S3Config{{Endpoint: host}, {Bucket: "x"}, {Endpoint: "ftp://h:1", Bucket: "x"}, {Endpoint: u + "/path", Bucket: "x"}} {
		if _, err := NewS3(ctx, cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// An upload that stopped half-way leaves its parts in the bucket, unseen
// but kept; RemoveStale aborts those begun before the given time.
func TestS3RemoveStale(t *testing.T) {
	ctx := context.Background()
	s, err := NewS3(ctx, S3Config{Endpoint: newFakeS3(t), Bucket: "opcert", AccessKey: "a", SecretKey: "b", Region: "us-east-1", CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	core := minio.Core{Client: s.client}
	for _, key := range []string{"applications/1/a.pdf", "applications/2/b.pdf"} {
		if _, err := core.NewMultipartUpload(ctx, "opcert", key, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pending := func() int {
		n := 0
		for u := range s.client.ListIncompleteUploads(ctx, "opcert", "", true) {
			if u.Err != nil {
				t.Fatal(u.Err)
			}
			n++
		}
		return n
	}
	if n, err := s.RemoveStale(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 || pending() != 2 {
		t.Fatalf("uploads begun just now removed: %d, %v; %d left", n, err, pending())
	}
	if n, err := s.RemoveStale(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 || pending() != 0 {
		t.Fatalf("RemoveStale = %d, %v; %d left", n, err, pending())
	}
}
