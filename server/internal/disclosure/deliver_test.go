package disclosure_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

func (e *env) produced(categories ...string) *request.Request {
	e.t.Helper()
	e.seedAccounts()
	r := e.request(req{categories: categories, targets: []request.Target{target123}})
	if _, err := e.svc.Produce(context.Background(), r.ID); err != nil {
		e.t.Fatalf("produce: %v", err)
	}
	e.setStatus(r.ID, "disclosed") // what the workflow's OnReady does
	return r
}

func auditCount(t *testing.T, e *env, action, outcome string) int64 {
	t.Helper()
	var n int64
	if err := e.db.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = ? AND outcome = ?`, action, outcome).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAgeRoundTrip: with a registered recipient the package is stored and
// served as age ciphertext only the agency's identity opens, and what it
// opens to is a verifiable package.
func TestAgeRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetRecipient(ctx, e.officer, "  "+id.Recipient().String()+"\n"); err != nil {
		t.Fatal(err)
	}
	r := e.produced("subscriber", "connection_log")
	p, err := e.svc.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sealing != disclosure.SealRecipient || p.Recipient != id.Recipient().String() || p.ServedSHA256 != p.BlobSHA256 {
		t.Errorf("production %+v: want sealed to the recipient and served as stored", p)
	}
	d, err := e.svc.OpenDownload(ctx, e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d.Filename, ".zip.age") {
		t.Errorf("filename %s", d.Filename)
	}
	d.Body.Close()
	sealed, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("+15550100123")) || bytes.HasPrefix(sealed, []byte("PK")) {
		t.Fatal("the sealed package is readable without the key")
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := age.Decrypt(bytes.NewReader(sealed), other); err == nil {
		t.Fatal("another identity opened the package")
	}
	plain, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	zipBytes, err := io.ReadAll(plain)
	if err != nil {
		t.Fatal(err)
	}
	pk := openPackage(t, zipBytes, e.svc.Keys.PublicKey())
	if !bytes.Contains(pk.files["subscriber.json"], []byte(`"phone":"+15550100123"`)) {
		t.Errorf("subscriber.json = %s", pk.files["subscriber.json"])
	}
	if pk.manifest.Counts["connection_log"] == 0 {
		t.Error("no connection log records")
	}
}

// TestAtRestPackagesAreNeverStoredInTheClear: without a recipient the blob
// is age ciphertext under a per-package key, and the portal serves the
// zip it decrypts, whose hash it recorded at build time.
func TestAtRestPackagesAreNeverStoredInTheClear(t *testing.T) {
	e := newEnv(t)
	r := e.produced("subscriber", "connection_log")
	p, _ := e.svc.Get(context.Background(), r.ID)
	if p.Sealing != disclosure.SealAtRest || p.Recipient != "" {
		t.Fatalf("production %+v", p)
	}
	keys := e.blobs()
	if len(keys) != 1 {
		t.Fatalf("blobs %v", keys)
	}
	stored, err := os.ReadFile(filepath.Join(e.blobDir, keys[0][:2], keys[0][2:4], keys[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, []byte("age-encryption.org/v1\n")) || bytes.Contains(stored, []byte("+15550100123")) {
		t.Fatal("the stored package is not sealed")
	}
	if bytes.Contains(stored, []byte(testKey)) {
		t.Fatal("the key is in the blob")
	}
	b, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	openPackage(t, b, e.svc.Keys.PublicKey())
	if sha256hex(b) != p.ServedSHA256 {
		t.Error("the served zip does not hash to the recorded value")
	}
	// The stored temp spools are gone, too.
	left, _ := os.ReadDir(e.svc.TempDir)
	if len(left) != 0 {
		t.Errorf("the build left %d files in its temporary directory", len(left))
	}
}

// TestSignatureVerifiesWithThePublishedKey: the key in its published forms
// (raw base64 and PEM) verifies the manifest signature.
func TestSignatureVerifiesWithThePublishedKey(t *testing.T) {
	e := newEnv(t)
	r := e.produced("subscriber")
	b, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(e.svc.Keys.PublicKeyPEM()))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatal("the PEM is not a public key")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pk := openPackage(t, b, k.(ed25519.PublicKey))
	other, _ := disclosure.ParseKeys(disclosure.GenerateKey())
	if ed25519.Verify(other.PublicKey(), pk.files["manifest.json"], pk.sig) {
		t.Error("another key verified the signature")
	}
	// A changed manifest no longer verifies.
	changed := bytes.Replace(pk.files["manifest.json"], []byte(`"records_found"`), []byte(`"no_records_found"`), 1)
	if ed25519.Verify(e.svc.Keys.PublicKey(), changed, pk.sig) {
		t.Error("an altered manifest verified")
	}
}

// TestDownloadRules covers who gets a package and when: the requesting
// agency's officer while the link is valid; another agency never (404, as
// for a missing request); the provider's staff and requests not yet
// disclosed are refused by the policy; an expired link is 410 and deletes
// the blob; every download is audited with the hash of what was sent.
func TestDownloadRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.produced("subscriber", "connection_log")
	b, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	downloads, _ := e.svc.Downloads(ctx, mustGet(t, e, r.ID).ID)
	if len(downloads) != 1 || downloads[0].SHA256 != sha256hex(b) || !downloads[0].Complete {
		t.Errorf("downloads %+v", downloads)
	}
	var details string
	e.db.Raw(`SELECT details FROM audit_events WHERE action = 'production.download' ORDER BY seq DESC LIMIT 1`).Scan(&details)
	if !strings.Contains(details, sha256hex(b)) {
		t.Errorf("the download's audit event does not record the hash: %s", details)
	}

	for _, tc := range []struct {
		desc  string
		actor *identity.Principal
		id    string
		want  errs.Code
	}{
		{"another agency's officer", e.officer2, r.ID, errs.NotFound},
		{"a provider reviewer", e.reviewer, r.ID, errs.Forbidden},
		{"a missing request", e.officer, "0191f4c6-0000-7000-8000-000000000000", errs.NotFound},
		{"not a request id", e.officer, "../../etc/passwd", errs.NotFound},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.download(tc.actor, tc.id)
			if got := errs.CodeOf(err); got != tc.want {
				t.Errorf("got %v (%v), want %s", got, err, tc.want)
			}
		})
	}
	if _, err := e.svc.OpenDownload(ctx, nil, r.ID); errs.CodeOf(err) != errs.Unauthenticated {
		t.Errorf("anonymous: %v", err)
	}

	// Not yet disclosed: the policy refuses.
	pending := e.request(req{categories: []string{"subscriber"}, targets: []request.Target{target123}})
	if _, err := e.svc.Produce(ctx, pending.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.download(e.officer, pending.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("before disclosure: %v", err)
	}

	// After 30 days: 410 Gone, and the blob is deleted.
	e.setNow(now.Add(disclosure.DefaultTTL + time.Second))
	if _, err := e.download(e.officer, r.ID); errs.CodeOf(err) != errs.Gone {
		t.Fatalf("after expiry: %v", err)
	}
	p := mustGet(t, e, r.ID)
	if p.Status != disclosure.StatusExpired || p.DeletedAt == nil {
		t.Errorf("production %s, deleted at %v", p.Status, p.DeletedAt)
	}
	for _, k := range e.blobs() {
		if k == p.BlobSHA256 {
			t.Error("the expired package's blob is still stored")
		}
	}
	if _, err := e.download(e.officer, r.ID); errs.CodeOf(err) != errs.Gone {
		t.Errorf("again after expiry: %v", err)
	}
	// Producing again does not resurrect it.
	if p2, err := e.svc.Produce(ctx, r.ID); err != nil || p2.Status != disclosure.StatusExpired {
		t.Errorf("producing an expired package: %v, %v", p2, err)
	}
	// The expiry job catches the one nobody asked for.
	n, err := e.svc.ExpireDue(ctx)
	if err != nil || n != 1 {
		t.Errorf("ExpireDue = %d, %v; want the pending one", n, err)
	}
	if got := len(e.blobs()); got != 0 {
		t.Errorf("%d blobs left after every link expired", got)
	}
}

func mustGet(t *testing.T, e *env, requestID string) *disclosure.Production {
	t.Helper()
	p, err := e.svc.Get(context.Background(), requestID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDamagedBlobIsAVisibleFailure: a missing or corrupted package is
// never served in part: the officer gets 503 and nothing, the provider
// sees the production failed, and a retry rebuilds it.
func TestDamagedBlobIsAVisibleFailure(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		desc   string
		damage func(path string) error
	}{
		{"corrupted", func(path string) error {
			os.Chmod(path, 0o644)
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b[len(b)/2] ^= 0xff
			return os.WriteFile(path, b, 0o644)
		}},
		{"missing", os.Remove},
		{"truncated", func(path string) error { os.Chmod(path, 0o644); return os.Truncate(path, 100) }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			e := newEnv(t)
			r := e.produced("subscriber", "connection_log")
			before := mustGet(t, e, r.ID)
			k := before.BlobSHA256
			if err := tc.damage(filepath.Join(e.blobDir, k[:2], k[2:4], k)); err != nil {
				t.Fatal(err)
			}
			_, err := e.download(e.officer, r.ID)
			if errs.CodeOf(err) != errs.Unavailable {
				t.Fatalf("download of a damaged package: %v", err)
			}
			p := mustGet(t, e, r.ID)
			if p.Status != disclosure.StatusFailed || !strings.Contains(p.Error, "damaged") {
				t.Errorf("production %s (%q), want failed", p.Status, p.Error)
			}
			if auditCount(t, e, disclosure.ActionDownload, "success") != 0 {
				t.Error("a download was recorded")
			}
			if _, err := e.svc.Retry(ctx, e.officer, r.ID); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("an officer retried: %v", err)
			}
			if _, err := e.svc.Retry(ctx, e.reviewer, r.ID); err != nil {
				t.Fatalf("retry: %v", err)
			}
			b, err := e.download(e.officer, r.ID)
			if err != nil {
				t.Fatalf("download after the rebuild: %v", err)
			}
			openPackage(t, b, e.svc.Keys.PublicKey())
			p = mustGet(t, e, r.ID)
			if !p.ExpiresAt.Equal(*before.ExpiresAt) {
				t.Errorf("the rebuild moved the expiry from %v to %v", before.ExpiresAt, p.ExpiresAt)
			}
			if _, err := e.svc.Retry(ctx, e.reviewer, r.ID); errs.CodeOf(err) != errs.Conflict {
				t.Errorf("retrying a ready production: %v", err)
			}
		})
	}
}

// TestProduceIsIdempotent: producing again returns the same package, and
// concurrent producers make exactly one.
func TestProduceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	r := e.request(req{categories: []string{"subscriber", "connection_log"}, targets: []request.Target{target123}})
	var wg sync.WaitGroup
	results := make([]*disclosure.Production, 8)
	errors_ := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errors_[i] = e.svc.Produce(ctx, r.ID)
		}()
	}
	wg.Wait()
	ready := ""
	for i, p := range results {
		switch {
		case errors_[i] != nil && errs.CodeOf(errors_[i]) != errs.Conflict:
			t.Errorf("producer %d: %v", i, errors_[i])
		case p != nil:
			if ready != "" && p.BlobSHA256 != ready {
				t.Errorf("two packages: %s and %s", ready, p.BlobSHA256)
			}
			ready = p.BlobSHA256
		}
	}
	again, err := e.svc.Produce(ctx, r.ID)
	if err != nil || again.BlobSHA256 != mustGet(t, e, r.ID).BlobSHA256 {
		t.Fatalf("produce again: %v, %v", again, err)
	}
	if got := e.blobs(); len(got) != 1 {
		t.Errorf("%d blobs for one request", len(got))
	}
	var n int64
	e.db.Raw(`SELECT COUNT(*) FROM user_notices WHERE request_id = ?`, r.ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d notices for one account", n)
	}
	var leaves int64
	e.db.Raw(`SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ? AND event = 'disclosed'`, r.ID).Scan(&leaves)
	if leaves != 1 {
		t.Errorf("%d disclosed leaves", leaves)
	}
}

// TestProduceRefuses covers the bad inputs of Produce.
func TestProduceRefuses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	for _, tc := range []struct {
		desc string
		r    func() string
		want errs.Code
	}{
		{"an unknown request", func() string { return "0191f4c6-0000-7000-8000-000000000000" }, errs.NotFound},
		{"a malformed id", func() string { return "x' OR 1=1" }, errs.NotFound},
		{"a request in review", func() string {
			return e.request(req{categories: []string{"subscriber"}, targets: []request.Target{target123}, status: "in_review"}).ID
		}, errs.Conflict},
		{"a request the policy authorises nothing for", func() string {
			return e.request(req{categories: []string{"content"}, targets: []request.Target{target123}}).ID
		}, errs.PolicyDenied},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.svc.Produce(ctx, tc.r())
			if got := errs.CodeOf(err); got != tc.want {
				t.Errorf("got %s (%v), want %s", got, err, tc.want)
			}
		})
	}
	if n := len(e.blobs()); n != 0 {
		t.Errorf("refusals stored %d blobs", n)
	}
}

// failingStore fails Put after some bytes, like a disk filling up.
type failingStore struct {
	blob.Store
	after int64
}

var errDiskFull = errors.New("no space left on device")

func (f *failingStore) Put(ctx context.Context, r io.Reader) (blob.Object, error) {
	return f.Store.Put(ctx, &failingReader{r: r, left: f.after})
}

type failingReader struct {
	r    io.Reader
	left int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, errDiskFull
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= int64(n)
	return n, err
}

// TestInterruptedBuildResumes: a build that fails part way leaves a
// failed production and no package; producing again makes exactly one.
func TestInterruptedBuildResumes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	r := e.request(req{categories: []string{"subscriber", "connection_log", "device"}, targets: []request.Target{target123}})
	good := e.svc.Blobs
	e.svc.Blobs = &failingStore{Store: good, after: 200}
	if _, err := e.svc.Produce(ctx, r.ID); !errors.Is(err, errDiskFull) {
		t.Fatalf("produce on a full disk: %v", err)
	}
	p := mustGet(t, e, r.ID)
	if p.Status != disclosure.StatusFailed || p.Error == "" {
		t.Errorf("after the failure: %s %q", p.Status, p.Error)
	}
	if n := len(e.blobs()); n != 0 {
		t.Errorf("a failed build left %d blobs", n)
	}
	e.setStatus(r.ID, "disclosed")
	if _, err := e.download(e.officer, r.ID); errs.CodeOf(err) != errs.Unavailable {
		t.Errorf("downloading a failed production: %v", err)
	}
	e.setStatus(r.ID, "producing")
	e.svc.Blobs = good
	p2, err := e.svc.Produce(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p2.ID != p.ID || p2.Attempts != 2 || p2.Status != disclosure.StatusReady {
		t.Errorf("resumed production %+v", p2)
	}
	if n := len(e.blobs()); n != 1 {
		t.Errorf("%d blobs", n)
	}
	var failures int64
	e.db.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = ? AND outcome = 'failure'`, disclosure.ActionFail).Scan(&failures)
	if failures != 1 {
		t.Errorf("%d failure events", failures)
	}
	var scope disclosure.Approved
	json.Unmarshal([]byte(p2.Scope), &scope)
	if len(scope.Categories) != 3 {
		t.Errorf("recorded scope %+v", scope)
	}
}
