package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/blob/s3test"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// s3Env is the serve environment of an object store.
func s3Env(cfg blob.S3Config) []string {
	return []string{
		"WARRANTDESK_S3_ENDPOINT=" + cfg.Endpoint,
		"WARRANTDESK_S3_BUCKET=" + cfg.Bucket,
		"WARRANTDESK_S3_REGION=" + cfg.Region,
		"WARRANTDESK_S3_ACCESS_KEY_ID=" + cfg.AccessKeyID,
		"WARRANTDESK_S3_SECRET_ACCESS_KEY=" + cfg.SecretAccessKey,
		"WARRANTDESK_S3_PATH_STYLE=true",
	}
}

// TestBlobsOnObjectStore runs the real serve with its blobs on a real S3
// gateway (SeaweedFS): an agency files an order with its court document,
// the workflow builds the package, the agency downloads it whole, and the
// court document is an object in the bucket under its SHA-256.
func TestBlobsOnObjectStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an object store and the real server")
	}
	cfg := s3test.Server(t)
	fileAndDownload(t, MustRunMain(t, s3Env(cfg)...))

	store, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pdf := sha256.Sum256(minimalPDF())
	if obj, err := store.Stat(context.Background(), hex.EncodeToString(pdf[:])); err != nil || obj.Size != int64(len(minimalPDF())) {
		t.Errorf("the court document in the bucket: %+v, %v", obj, err)
	}
}

// TestReplicasShareOnlyDatabaseAndObjectStore runs two replicas, each with
// its own data directory, on one PostgreSQL database and one object store
// (as docker-compose.yml does): B takes the order and its court document,
// A alone works jobs and so builds the package, and B serves the download.
func TestReplicasShareOnlyDatabaseAndObjectStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an object store and two real servers")
	}
	if !dbtestPostgres() {
		t.Skip("replicas share PostgreSQL; run with WARRANTDESK_TEST_DATABASE=postgres")
	}
	cfg := s3test.Server(t)
	key, err := os.ReadFile("../../../deploy/production-key.txt")
	if err != nil {
		t.Fatal(err)
	}
	// One production key, as compose gives both replicas: it seals the
	// package at rest on A and opens it on B.
	shared := append(s3Env(cfg), "WARRANTDESK_DATABASE_URL="+dbtest.PostgresURL(t),
		"WARRANTDESK_PRODUCTION_KEY="+strings.TrimSpace(string(key)))
	MustRunMain(t, shared...)
	// B starts second, so the demo agencies trust its embedded provider;
	// with no job workers it only enqueues.
	fileAndDownload(t, MustRunMain(t, append(shared, "WARRANTDESK_JOB_WORKERS=0")...))
}

// fileAndDownload files a subpoena with its court document as Riverside's
// system at base, has the provider's staff approve it there, waits for
// the workflow's package and downloads it whole from base.
func fileAndDownload(t *testing.T, base string) {
	t.Helper()
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	intake, reviewer := newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.login("reviewer@provider.example")
	var filed struct{ ID string }
	fileInto(t, riverside, with(subpoena, datesAround()), &filed)
	approve(t, intake, reviewer, filed.ID)
	p := waitReady(t, riverside, filed.ID)
	resp, zipBytes := riverside.get("/api/v1/requests/" + filed.ID + "/production")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %s", resp.StatusCode, zipBytes)
	}
	if sum := sha256.Sum256(zipBytes); hex.EncodeToString(sum[:]) != p.SHA256 {
		t.Error("the download does not hash to the listed sha256")
	}
}
