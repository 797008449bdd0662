package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/s3test"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// With the S3 server away an upload is refused at its field with a message
// that says so; nothing of it is recorded and the page keeps what was
// typed. When the server is back the same upload is taken, and the service
// needed no restart.
func TestUploadsWhileTheFileStoreIsAway(t *testing.T) {
	s3 := s3test.Start(t)
	ctx := context.Background()
	files, err := blob.NewS3(ctx, blob.S3Config{Endpoint: s3.Endpoint, Bucket: "opcert", AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, Region: "us-east-1", CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(ctx, db, cat, today); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: scannedLogger(t), Today: func() civil.Date { return today }, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)

	s3.Stop()
	code, body := step(t, b, app, "basic", url.Values{"action": {"upload_photo"}, "address_detail": {"漕溪北路8号"}}, "photo", "照片.png", photoPNG(t))
	if code == 200 || !strings.Contains(body, casework.FileStoreDownMessage) || !strings.Contains(body, `value="漕溪北路8号"`) {
		t.Fatalf("photo with the store away: %d %s", code, errorsOf(body))
	}
	body = uploadMaterial(t, b, app, "id_card", "身份证.pdf", minimalPDF)
	if !strings.Contains(body, casework.FileStoreDownMessage) {
		t.Fatalf("material with the store away: %s", errorsOf(body))
	}
	id := appID(t, app)
	if ms, err := db.Materials(ctx, id); err != nil || len(ms) != 0 {
		t.Fatalf("a material recorded while the store was away: %v %v", ms, err)
	}

	s3.Restart(t)
	code, body = step(t, b, app, "basic", url.Values{"action": {"upload_photo"}}, "photo", "照片.png", photoPNG(t))
	if code != 200 || !strings.Contains(body, "照片已上传") {
		t.Fatalf("photo once the store is back: %d %s", code, errorsOf(body))
	}
	uploadMaterial(t, b, app, "id_card", "身份证.pdf", minimalPDF)
	ms, err := db.Materials(ctx, id)
	if err != nil || len(ms) != 1 {
		t.Fatalf("materials once the store is back: %v %v", ms, err)
	}
	if ok, err := files.Exists(ctx, ms[0].BlobKey); err != nil || !ok {
		t.Fatalf("the material is not in the bucket: %v", err)
	}
}

// appID is the id in an application's path (/applications/123).
func appID(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/applications/"), 10, 64)
	if err != nil {
		t.Fatalf("application path %q", path)
	}
	return id
}
