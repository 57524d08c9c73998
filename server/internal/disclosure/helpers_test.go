package disclosure_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// now is the fixed clock of these tests.
var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testKey is a fixed production key, so packages are reproducible.
const testKey = disclosure.KeyPrefix + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

var (
	engineOnce sync.Once
	engine     *policy.Engine
	engineErr  error
)

// policyEngine loads the real, embedded policy bundle once per test binary.
func policyEngine(t testing.TB) *policy.Engine {
	t.Helper()
	engineOnce.Do(func() {
		engine, engineErr = policy.Load(context.Background(), policies.FS, policy.WithClock(func() time.Time { return now }))
	})
	if engineErr != nil {
		t.Fatalf("load policy: %v", engineErr)
	}
	return engine
}

// env is a database with three agencies (US, GB, DE), their officers, a
// provider reviewer, the metadata store with fictional accounts, and a
// disclosure service over a local blob store.
type env struct {
	t        testing.TB
	db       *db.DB
	svc      *disclosure.Service
	md       *metadata.Store
	blobDir  string
	clock    atomic.Pointer[time.Time]
	us, gb   *agency.Agency
	de       *agency.Agency
	officer  *identity.Principal // Riverside (US)
	officer2 *identity.Principal // Northshire (GB)
	officer3 *identity.Principal // LKA Musterland (DE)
	reviewer *identity.Principal
	refs     int
}

func newEnv(t testing.TB) *env {
	return newEnvOn(t, dbtest.Open(t))
}

func newEnvOn(t testing.TB, d *db.DB) *env {
	t.Helper()
	e := &env{t: t, db: d, blobDir: filepath.Join(t.TempDir(), "blobs")}
	e.clock.Store(&now)
	clock := func() time.Time { return *e.clock.Load() }
	store, err := blob.NewLocal(e.blobDir)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := disclosure.ParseKeys(testKey)
	if err != nil {
		t.Fatal(err)
	}
	pol := policyEngine(t)
	cat, err := pol.Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.md = &metadata.Store{DB: d, Retention: metadata.RetentionFrom(cat), Now: clock}
	e.svc = &disclosure.Service{
		DB: d, Blobs: store, Metadata: e.md, Policy: pol, Authz: request.NewPolicy(pol), Keys: keys,
		Now: clock, TempDir: t.TempDir(), Version: "test", KeyURL: "https://portal.example/api/v1/productions/key",
	}
	e.us = e.agency("Riverside Police Department", "US", "riverside-pd")
	e.gb = e.agency("Northshire Constabulary", "GB", "northshire")
	e.de = e.agency("Landeskriminalamt Musterland", "DE", "lka-musterland")
	e.officer = e.person(e.us, "officer", identity.RoleOfficer)
	e.officer2 = e.person(e.gb, "officer", identity.RoleOfficer)
	e.officer3 = e.person(e.de, "officer", identity.RoleOfficer)
	e.reviewer = e.person(nil, "reviewer", identity.RoleReviewer)
	return e
}

func (e *env) setNow(t time.Time) { e.clock.Store(&t) }

func (e *env) agency(name, country, org string) *agency.Agency {
	e.t.Helper()
	a := &agency.Agency{ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte(org)).String(), Name: name, Country: country, Kind: "police",
		Issuer: "https://idp.example/", IssuerOrg: org, CreatedAt: now, UpdatedAt: now}
	if err := agency.Create(context.Background(), e.db.DB, a); err != nil {
		e.t.Fatalf("create agency: %v", err)
	}
	return a
}

func (e *env) person(a *agency.Agency, subject string, role identity.Role) *identity.Principal {
	e.t.Helper()
	p := &identity.Principal{PersonID: uuid.NewString(), Issuer: "https://idp.example/", Kind: identity.KindPerson,
		Name: subject, Roles: []identity.Role{role}, Provider: a == nil,
		MFA: true, AuthTime: time.Now()} // a second factor just now: step-up decides on roles
	var agencyID any
	p.Subject = subject
	if a != nil {
		p.Subject = a.IssuerOrg + "/" + subject
		p.AgencyID, p.AgencyName, p.AgencyCountry, p.AgencyKind = a.ID, a.Name, a.Country, a.Kind
		agencyID = a.ID
	}
	err := e.db.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, roles, created_at, updated_at)
		VALUES (?, ?, ?, 'person', ?, ?, ?, ?)`, p.PersonID, p.Issuer, p.Subject, agencyID, string(role), now, now).Error
	if err != nil {
		e.t.Fatalf("create person: %v", err)
	}
	return p
}

// seedAccounts writes fictional accounts 120 to 127 (the demo target
// +1 555 0100 123 among them) with 100 days of history.
func (e *env) seedAccounts() {
	e.t.Helper()
	if _, err := demo.GenerateMetadata(context.Background(), e.db, demo.MetadataOptions{
		Accounts: 8, FirstIndex: 120, Days: 100, EventsPerDay: 4, Seed: 7, Now: now}); err != nil {
		e.t.Fatal(err)
	}
}

func date(s string) day.Date {
	d, err := day.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

var target123 = request.Target{Type: request.TargetPhone, Value: "+15550100123"}

// req is a request as the workflow leaves it: fields filled, status set.
type req struct {
	agency     *agency.Agency
	officer    *identity.Principal
	process    string
	authority  string
	categories []string
	targets    []request.Target
	from, to   day.Date
	issued     day.Date
	expires    day.Date
	ndoUntil   day.Date // zero: no non-disclosure order, unless ndo is set
	ndo        bool     // a non-disclosure order without an end date (or with ndoUntil)
	ndoBy      string   // the authority kind that ordered it; "" for the process's issuer
	purpose    string   // the purpose the order states
	emergency  bool
	status     string // default producing
}

func (e *env) request(r req) *request.Request {
	e.t.Helper()
	if r.agency == nil {
		r.agency, r.officer = e.us, e.officer
	}
	if r.status == "" {
		r.status = "producing"
	}
	if r.process == "" {
		r.process = "us.2703d"
	}
	if r.authority == "" {
		r.authority = "court"
	}
	if r.from.IsZero() {
		r.from, r.to = day.Of(now).AddDays(-30), day.Of(now).AddDays(-1)
	}
	if r.issued.IsZero() {
		r.issued = day.Of(now).AddDays(-2)
	}
	if r.expires.IsZero() {
		r.expires = day.Of(now).AddDays(60)
	}
	e.refs++
	penalty := 240.0
	ref := fmt.Sprintf("WD-2026-%06d", e.refs)
	rq := &request.Request{
		ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://warrantdesk.example/test-request/"+ref)).String(), Reference: ref, AgencyID: r.agency.ID, CreatedBy: r.officer.PersonID,
		Status: request.State(r.status), Version: 3, Process: r.process,
		Authority: request.Authority{Kind: r.authority, Name: "Superior Court of Riverside County", SignedBy: "Hon. A. Example"},
		Docket:    "CR-2026-01234", IssuedOn: r.issued, ExpiresOn: r.expires, DateFrom: r.from, DateTo: r.to,
		Categories:    request.CategoryList(r.categories),
		Nondisclosure: request.Nondisclosure{Ordered: r.ndo || !r.ndoUntil.IsZero(), Until: r.ndoUntil, IssuedBy: r.ndoBy},
		Purpose:       r.purpose,
		Emergency:     r.emergency, Offence: request.Offence{Description: "armed robbery", MaxPenaltyMonths: &penalty},
		Summary: "test", CreatedAt: now, UpdatedAt: now,
	}
	if r.emergency {
		rq.EmergencyNarrative = "A person is missing and in danger."
	}
	if err := e.db.Create(rq).Error; err != nil {
		e.t.Fatalf("create request: %v", err)
	}
	for i, tg := range r.targets {
		if err := e.db.Exec(`INSERT INTO request_targets (request_id, position, type, value) VALUES (?, ?, ?, ?)`,
			rq.ID, i, tg.Type, tg.Value).Error; err != nil {
			e.t.Fatalf("add target: %v", err)
		}
	}
	rq.Targets = r.targets
	return rq
}

func (e *env) setStatus(id, status string) {
	e.t.Helper()
	if err := e.db.Exec(`UPDATE requests SET status = ? WHERE id = ?`, status, id).Error; err != nil {
		e.t.Fatal(err)
	}
}

// blobs lists the blob keys in the store.
func (e *env) blobs() []string {
	e.t.Helper()
	var keys []string
	filepath.WalkDir(e.blobDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && blob.ValidKey(d.Name()) {
			keys = append(keys, d.Name())
		}
		return nil
	})
	return keys
}

// download fetches a package as actor and records the download.
func (e *env) download(actor *identity.Principal, requestID string) ([]byte, error) {
	d, err := e.svc.OpenDownload(context.Background(), actor, requestID)
	if err != nil {
		return nil, err
	}
	defer d.Body.Close()
	b, err := io.ReadAll(d.Body)
	if err != nil {
		return nil, err
	}
	sum := sha256hex(b)
	if err := e.svc.RecordDownload(context.Background(), actor, d, int64(len(b)), sum, true); err != nil {
		return nil, err
	}
	if sum != d.SHA256 || int64(len(b)) != d.Size {
		return nil, fmt.Errorf("download sent %d bytes hashing to %s; announced %d, %s", len(b), sum, d.Size, d.SHA256)
	}
	return b, nil
}

// pkg is an opened package.
type pkg struct {
	files    map[string][]byte
	names    []string
	manifest disclosure.Manifest
	sig      []byte
}

// openPackage reads a zip package and checks it is self-consistent: the
// signature verifies with pub, and every file's hash and size match the
// manifest.
func openPackage(t testing.TB, b []byte, pub ed25519.PublicKey) *pkg {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	p := &pkg{files: map[string][]byte{}}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		p.files[f.Name] = data
		p.names = append(p.names, f.Name)
	}
	mj := p.files[disclosure.FileManifest]
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(p.files[disclosure.FileSignature])))
	if err != nil {
		t.Fatalf("signature is not base64: %v", err)
	}
	p.sig = sig
	if !ed25519.Verify(pub, mj, sig) {
		t.Fatal("manifest signature does not verify")
	}
	if err := json.Unmarshal(mj, &p.manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	listed := map[string]bool{disclosure.FileManifest: true, disclosure.FileSignature: true}
	for _, f := range p.manifest.Files {
		listed[f.Name] = true
		data, ok := p.files[f.Name]
		if !ok {
			t.Errorf("manifest lists %s, which is not in the package", f.Name)
			continue
		}
		if got := sha256hex(data); got != f.SHA256 || int64(len(data)) != f.Size {
			t.Errorf("%s: sha256 %s size %d; manifest says %s, %d", f.Name, got, len(data), f.SHA256, f.Size)
		}
	}
	for _, n := range p.names {
		if !listed[n] {
			t.Errorf("%s is in the package but not in the manifest", n)
		}
	}
	return p
}
