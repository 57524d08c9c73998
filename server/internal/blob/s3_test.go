package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/blob/blobtest"
	"github.com/warrantdesk/warrantdesk/server/internal/blob/s3test"
)

// TestS3 runs the conformance suite against a real SeaweedFS S3 gateway.
func TestS3(t *testing.T) {
	cfg := s3test.Server(t)
	s, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	blobtest.TestStore(t, s)
	if left := tempFiles(t, cfg.TempDir); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	// The server checks the credentials: the suite did not pass on an
	// open store.
	wrong := cfg
	wrong.SecretAccessKey = "not-" + cfg.SecretAccessKey
	if _, err := blob.NewS3(context.Background(), wrong); err == nil {
		t.Error("NewS3 with a wrong secret key succeeded")
	}
}

// raw is a client that writes to the bucket behind the store's back, as
// damage or tampering would.
func raw(t *testing.T, cfg blob.S3Config) *minio.Client {
	t.Helper()
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestS3DetectsCorruption(t *testing.T) {
	cfg := s3test.Server(t)
	s, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := raw(t, cfg)
	ctx := context.Background()
	for _, tc := range []struct {
		desc    string
		corrupt []byte
		meta    bool // keep the recorded SHA-256, as a careful forger would
	}{
		{desc: "same length, different bytes", corrupt: []byte("THE ORIGINAL BYTES"), meta: true},
		{desc: "truncated", corrupt: []byte("the original"), meta: true},
		{desc: "emptied", corrupt: nil, meta: true},
		{desc: "replaced without the recorded hash", corrupt: []byte("the original bytes")},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			obj := blobtest.MustPut(t, s, []byte("the original bytes"))
			opts := minio.PutObjectOptions{}
			if tc.meta {
				opts.UserMetadata = map[string]string{"Sha256": obj.SHA256}
			}
			if _, err := c.PutObject(ctx, cfg.Bucket, "sha256/"+obj.SHA256, bytes.NewReader(tc.corrupt), int64(len(tc.corrupt)), opts); err != nil {
				t.Fatal(err)
			}
			if tc.meta {
				rc, err := s.Open(ctx, obj.SHA256)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				_, err = io.ReadAll(rc)
				rc.Close()
				if !errors.Is(err, blob.ErrCorrupt) {
					t.Fatalf("ReadAll: error = %v, want ErrCorrupt", err)
				}
			} else if _, err := s.Stat(ctx, obj.SHA256); !errors.Is(err, blob.ErrCorrupt) {
				t.Fatalf("Stat: error = %v, want ErrCorrupt", err)
			}
			if !tc.meta {
				// A corrupt object can still be deleted (as an expired
				// package is).
				if err := s.Delete(ctx, obj.SHA256); err != nil {
					t.Fatalf("Delete of a corrupt object: %v", err)
				}
			}
			// Storing the original again repairs the blob.
			blobtest.MustPut(t, s, []byte("the original bytes"))
			if got := blobtest.MustRead(t, s, obj.SHA256); string(got) != "the original bytes" {
				t.Errorf("after repair: %q", got)
			}
		})
	}
}

func TestNewS3Refuses(t *testing.T) {
	for _, cfg := range []blob.S3Config{
		{Endpoint: "", Bucket: "b"},
		{Endpoint: "ftp://host", Bucket: "b"},
		{Endpoint: "http://host/path", Bucket: "b"},
		{Endpoint: "http://127.0.0.1:1", Bucket: ""},
	} {
		if _, err := blob.NewS3(context.Background(), cfg); err == nil {
			t.Errorf("NewS3(%+v) succeeded, want an error", cfg)
		}
	}
}
