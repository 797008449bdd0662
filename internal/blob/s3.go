package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names an S3-compatible bucket (MinIO, Ceph, a cloud's object
// storage) for scale-out, where instances share no disk.
type S3Config struct {
	// Endpoint is host:port. A URL (https://host:port) is accepted too; its
	// scheme then decides UseSSL.
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string
	UseSSL    bool
	// CreateBucket makes the bucket when it is missing (development and
	// tests). Production buckets are provisioned with their own access and
	// retention policies, so by default a missing bucket is an error and
	// nothing is created.
	CreateBucket bool
}

// S3 keeps files in an S3-compatible bucket. An object's content type is
// the object's Content-Type, so no sidecar is needed.
type S3 struct {
	client *minio.Client
	bucket string
}

// unknownSizePart bounds the memory of an upload of unknown size: minio-go
// otherwise buffers parts of about 537 MiB (5 TiB / 10 000 parts). 16 MiB
// parts still allow objects of 160 GB.
const unknownSizePart = 16 << 20

// NewS3 connects and checks that the bucket exists (creating it only with
// CreateBucket), so a wrong setting fails at start-up rather than at the
// first upload.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	endpoint, secure := cfg.Endpoint, cfg.UseSSL
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || strings.Trim(u.Path, "/") != "" {
			return nil, fmt.Errorf("blob: S3 endpoint %q: want host:port or http(s)://host:port", cfg.Endpoint)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	if endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("blob: S3 needs an endpoint and a bucket")
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %q: %w", cfg.Endpoint, err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: bucket %s: %w", cfg.Bucket, err)
	}
	if !ok {
		if !cfg.CreateBucket {
			return nil, fmt.Errorf("blob: bucket %s does not exist", cfg.Bucket)
		}
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("blob: create bucket %s: %w", cfg.Bucket, err)
		}
	}
	return &S3{client: c, bucket: cfg.Bucket}, nil
}

// Put uploads in one request (a multipart upload above 16 MiB). S3 makes an
// object visible only once it is complete, so a failed or cancelled upload
// leaves the previous content, as Local does.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	switch {
	case size == 0:
		// Over plain HTTP minio-go signs the body as an aws-chunked
		// stream, and sends an empty one without Content-Length, which S3
		// refuses (MissingContentLength). An empty body has nothing to sign.
		opts.DisableContentSha256 = true
	case size < 0:
		// Each part carries a signed Content-MD5 instead of the aws-chunked
		// signature. Servers check either; gofakes3 v1.2.0, the test
		// double, stores aws-chunked parts without decoding them.
		opts.PartSize = unknownSizePart
		opts.DisableContentSha256 = true
		opts.SendContentMd5 = true
	}
	er := &exactReader{ctx: ctx, r: r, size: size}
	if _, err := s.client.PutObject(ctx, s.bucket, key, er, size, opts); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	// minio-go stops after size bytes; Local would have seen a longer
	// reader. Look for one byte more so both stores refuse it alike.
	if size >= 0 {
		if err := atEOF(er); err != nil {
			s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, key, minio.RemoveObjectOptions{})
			return err
		}
	}
	return nil
}

func atEOF(r io.Reader) error {
	var b [1]byte
	for range 100 {
		n, err := r.Read(b[:])
		if n > 0 || (err != nil && err != io.EOF) {
			if err == nil {
				err = errors.New("blob: reader holds more than the declared size")
			}
			return err
		}
		if err == io.EOF {
			return nil
		}
	}
	return io.ErrNoProgress
}

// Open makes one GET: Stat on a fresh object sends the request and keeps
// its body for the reads that follow.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.err("open", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Info{}, s.err("open", key, err)
	}
	ct := st.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	return obj, Info{Size: st.Size, ContentType: ct}, nil
}

// Delete succeeds for a missing key: S3 answers a DELETE of a missing
// object with 204, and a NoSuchKey from a stricter server is mapped too.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err = s.err("delete", key, err); errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidKey(key); err != nil {
		return false, err
	}
	_, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	switch err = s.err("stat", key, err); {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// err maps a missing object to ErrNotFound. A HEAD answer has no body, so
// minio-go fills in the code itself; the status is checked as well.
func (s *S3) err(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if e := minio.ToErrorResponse(err); e.Code == minio.NoSuchKey || e.StatusCode == http.StatusNotFound && e.Code != minio.NoSuchBucket {
		return ErrNotFound
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}

// List pages through ListObjects (1000 keys a request).
func (s *S3) List(ctx context.Context, prefix string) iter.Seq2[Object, error] {
	return func(yield func(Object, error) bool) {
		for o := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err != nil {
				yield(Object{}, fmt.Errorf("blob: list %q: %w", prefix, o.Err))
				return
			}
			if !yield(Object{Key: o.Key, Size: o.Size, ModTime: o.LastModified}, nil) {
				return
			}
		}
		// minio-go ends a cancelled listing without an error.
		if err := ctx.Err(); err != nil {
			yield(Object{}, err)
		}
	}
}

// RemoveStale aborts multipart uploads begun before the given time: their
// parts are stored (and paid for) but no object shows them. Each upload is
// aborted by its id, so a newer upload of the same key is left alone. A
// bucket's lifecycle rule (AbortIncompleteMultipartUpload) may do the same.
func (s *S3) RemoveStale(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	uploads := s.client.ListIncompleteUploads(ctx, s.bucket, "", true)
	// The listing sends from a goroutine of its own until it is read to
	// the end or its context ends.
	defer func() {
		cancel()
		for range uploads {
		}
	}()
	core := minio.Core{Client: s.client}
	n := 0
	for u := range uploads {
		if u.Err != nil {
			// gofakes3, the test double, answers so for a bucket that never
			// had a multipart upload; S3 and MinIO answer an empty list.
			if minio.ToErrorResponse(u.Err).Code == "NoSuchUpload" {
				return n, nil
			}
			return n, fmt.Errorf("blob: list incomplete uploads: %w", u.Err)
		}
		if !u.Initiated.Before(before) {
			continue
		}
		err := core.AbortMultipartUpload(ctx, s.bucket, u.Key, u.UploadID)
		if err != nil && minio.ToErrorResponse(err).Code != "NoSuchUpload" {
			return n, fmt.Errorf("blob: abort upload of %s: %w", u.Key, err)
		}
		n++
	}
	return n, nil
}
