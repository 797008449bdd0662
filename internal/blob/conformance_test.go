package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// conformance is what every Store must do; it runs on the local folder and
// on an S3 server (gofakes3 in-process, the same protocol as MinIO).
func conformance(t *testing.T, s Store) {
	ctx := context.Background()
	key := "applications/7/materials/身份证.pdf"
	big := bytes.Repeat([]byte("0123456789"), 11<<17) // 11 MiB
	for _, body := range [][]byte{[]byte("%PDF-1.4 first"), big} {
		if err := s.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		rc, info, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, body) || info.Size != int64(len(body)) || info.ContentType != "application/pdf" {
			t.Fatalf("round trip: %d bytes, %+v", len(got), info)
		}
	}
	if ok, err := s.Exists(ctx, key); err != nil || !ok {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open missing: %v", err)
	}
	if ok, _ := s.Exists(ctx, key); ok {
		t.Fatal("deleted key exists")
	}
	if err := s.Put(ctx, "../escape", bytes.NewReader(nil), 0, ""); err == nil {
		t.Fatal("traversal key accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Put(cancelled, "applications/7/x.pdf", bytes.NewReader(big), int64(len(big)), "application/pdf"); err == nil {
		t.Fatal("put with a cancelled context succeeded")
	}
}

func TestLocalConformance(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conformance(t, l)
}

func TestS3Conformance(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	s, err := NewS3(context.Background(), S3Config{Endpoint: u.Host, Bucket: "opcert", AccessKey: "a", SecretKey: "b", Region: "us-east-1", CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s)
	if _, err := NewS3(context.Background(), S3Config{Endpoint: u.Host, Bucket: "missing", AccessKey: "a", SecretKey: "b", Region: "us-east-1"}); err == nil {
		t.Fatal("missing bucket accepted")
	}
}
