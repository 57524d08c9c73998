package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible object store is and how to sign in.
type S3Config struct {
	// Endpoint is the store's base URL, http:// or https://, without a
	// bucket (https://s3.eu-west-1.amazonaws.com, http://seaweedfs:8333).
	Endpoint        string
	Bucket          string
	Region          string // empty: the store's default
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses the bucket in the path (endpoint/bucket/key), as
	// most self-hosted stores want, instead of as a host name
	// (bucket.endpoint/key).
	PathStyle bool
	// TempDir holds an upload while it is hashed, before it goes to the
	// store; empty: os.TempDir().
	TempDir string
}

// S3 is a Store in a bucket of an S3-compatible object store, shared by
// every replica. A blob is the object sha256/<key>. An object appears whole
// when its upload completes, so a reader never sees a partial blob.
//
// Put first copies the content to a local temporary file while hashing it:
// the key is the hash, so it is known only at the end, and S3 has no rename.
// The upload then carries its length and Content-MD5, which the store
// checks, and the SHA-256 as metadata; Stat and Open compare what the store
// holds with the key, and Open hashes every byte it serves.
type S3 struct {
	client *minio.Client
	bucket string
	tmp    string
}

var _ Store = (*S3)(nil)

// s3Prefix keeps the blobs apart from anything else in the bucket.
const s3Prefix = "sha256/"

// s3PartSize bounds the memory one upload holds: the client buffers a part
// at a time.
const s3PartSize = 16 << 20

// shaMeta is the user metadata that records a blob's SHA-256 at upload.
const shaMeta = "Sha256"

// NewS3 connects to the store and checks that the bucket exists, creating
// it when it does not (and the credentials may).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("blob: S3 endpoint %q is not an http(s) URL without a path", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("blob: the S3 bucket is empty")
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 client for %s: %w", cfg.Endpoint, err)
	}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: S3 bucket %s at %s: %w (check the endpoint and credentials)", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("blob: S3 bucket %s does not exist and could not be created: %w (create it, or grant s3:CreateBucket)", cfg.Bucket, err)
		}
	}
	tmp := cfg.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	return &S3{client: client, bucket: cfg.Bucket, tmp: tmp}, nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, r io.Reader) (Object, error) {
	tmp, obj, err := spool(ctx, s.tmp, r)
	if err != nil {
		return Object{}, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	// Content already stored is uploaded again: the new object replaces
	// the old one whole, so a damaged copy is repaired as Local's rename
	// repairs it, and readers see one or the other.
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Object{}, fmt.Errorf("blob: rewind temporary file: %w", err)
	}
	info, err := s.client.PutObject(ctx, s.bucket, s3Prefix+obj.SHA256, tmp, obj.Size, minio.PutObjectOptions{
		ContentType:    "application/octet-stream",
		UserMetadata:   map[string]string{shaMeta: obj.SHA256},
		SendContentMd5: true,
		PartSize:       s3PartSize,
	})
	if err != nil {
		return Object{}, fmt.Errorf("blob: upload %s: %w", obj.SHA256, err)
	}
	if info.Size != obj.Size {
		return Object{}, fmt.Errorf("blob: upload %s: the store took %d bytes of %d", obj.SHA256, info.Size, obj.Size)
	}
	return obj, nil
}

// Open implements Store.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, InvalidKey()
	}
	o, err := s.client.GetObject(ctx, s.bucket, s3Prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("open", key, err)
	}
	// GetObject is lazy: Stat makes the request, so a missing blob is
	// reported here rather than at the first read.
	if _, err := o.Stat(); err != nil {
		o.Close()
		return nil, s.fail("open", key, err)
	}
	return &verifier{f: o, h: sha256.New(), key: key}, nil
}

// Delete implements Store. S3 deletes a missing object without complaint,
// so Delete asks first: a blob deleted by another replica in between is
// reported as deleted, which it is. A corrupt object is deleted too.
func (s *S3) Delete(ctx context.Context, key string) error {
	if _, err := s.Stat(ctx, key); err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s3Prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return s.fail("delete", key, err)
	}
	return nil
}

// Stat implements Store. An object whose recorded SHA-256 is not its key
// was not written by Put and is reported as corrupt.
func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return Object{}, InvalidKey()
	}
	info, err := s.client.StatObject(ctx, s.bucket, s3Prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, s.fail("stat", key, err)
	}
	if got := info.UserMetadata[shaMeta]; got != key {
		return Object{}, Corrupt(key)
	}
	return Object{SHA256: key, Size: info.Size}, nil
}

// fail maps the store's "no such key" to ErrNotFound and names the
// operation and key in any other error.
func (s *S3) fail(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.StatusCode == http.StatusNotFound || resp.Code == minio.NoSuchKey {
		return NotFound(key)
	}
	return fmt.Errorf("blob: %s %s in bucket %s: %w", op, key, s.bucket, err)
}
