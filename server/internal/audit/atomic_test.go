package audit_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// filing is a request domain on a fresh database with the real policy
// bundle, and an officer of a real agency.
type filing struct {
	d       *db.DB
	svc     *request.Service
	wf      *workflow.Engine // submission is a workflow transition
	officer *identity.Principal
}

// submit files draft id with the provider.
func (f *filing) submit(ctx context.Context, actor *identity.Principal, id string) error {
	_, err := f.wf.Transition(ctx, actor, id, 0, workflow.ActionSubmit, workflow.Input{})
	return err
}

func newFiling(t testing.TB) *filing {
	t.Helper()
	d := dbtest.Open(t)
	pol, err := policy.Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	store, err := blob.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	a := &agency.Agency{Name: "Riverside Police Department", Country: "US", Kind: "police",
		Issuer: "https://idp.riverside.example", CreatedAt: now, UpdatedAt: now}
	if err := agency.Create(ctx, d.DB, a); err != nil {
		t.Fatal(err)
	}
	p := &identity.Principal{PersonID: uuid.NewString(), Issuer: a.Issuer, Subject: "officer", Kind: identity.KindPerson,
		Name: "Officer", Roles: []identity.Role{identity.RoleOfficer},
		AgencyID: a.ID, AgencyName: a.Name, AgencyCountry: a.Country, AgencyKind: a.Kind}
	if err := d.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, roles, created_at, updated_at)
		VALUES (?, ?, ?, 'person', ?, 'officer', ?, ?)`, p.PersonID, p.Issuer, p.Subject, a.ID, now, now).Error; err != nil {
		t.Fatal(err)
	}
	wf, err := workflow.New(workflow.Config{DB: d, Policy: pol}) // enqueues only: no jobs are worked here
	if err != nil {
		t.Fatal(err)
	}
	return &filing{d: d, svc: &request.Service{DB: d.DB, Blobs: store, Policy: request.NewPolicy(pol)}, wf: wf, officer: p}
}

// subpoena is a complete, lawful request, dated around today.
func subpoena() request.Input {
	today := day.Of(time.Now())
	months := 240.0
	return request.Input{
		Process:          "us.subpoena",
		IssuingAuthority: request.Authority{Kind: "court", Name: "Superior Court of Riverside County", SignedBy: "Hon. A. Example"},
		Docket:           "CR-2026-01234",
		IssuedOn:         today.AddDays(-5),
		ExpiresOn:        today.AddDays(90),
		Targets:          []request.Target{{Type: "phone", Value: "+1 555 0100 123"}, {Type: "username", Value: "suspect.one"}},
		DateFrom:         today.AddDays(-100),
		DateTo:           today.AddDays(-20),
		Categories:       []string{"subscriber", "connection_log"},
		Nondisclosure:    request.Nondisclosure{Ordered: true, Until: today.AddDays(180)},
		Offence:          request.Offence{Description: "armed robbery", MaxPenaltyMonths: &months},
		Summary:          "Phone used to arrange the robbery.",
	}
}

func minimalPDF() []byte { return request.PlaceholderPDF("") }

// draft files a complete draft with its signed order.
func (f *filing) draft(t testing.TB) *request.Request {
	t.Helper()
	r, err := f.svc.Create(ctx, f.officer, subpoena())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UploadDocument(ctx, f.officer, r.ID, "order.pdf", bytes.NewReader(minimalPDF())); err != nil {
		t.Fatal(err)
	}
	return r
}

// failInserts makes every INSERT into table fail until the returned
// function is called: a crash between the state write and the write into
// table, inside the same transaction.
func failInserts(t *testing.T, d *db.DB, table string) (restore func()) {
	t.Helper()
	var create, drop []string
	switch d.Dialect {
	case db.Postgres:
		create = []string{
			`CREATE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END; $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER injected_failure BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION injected_failure()`,
		}
		drop = []string{`DROP TRIGGER injected_failure ON ` + table, `DROP FUNCTION injected_failure()`}
	default:
		create = []string{`CREATE TRIGGER injected_failure BEFORE INSERT ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'injected failure'); END`}
		drop = []string{`DROP TRIGGER injected_failure`}
	}
	for _, s := range create {
		if err := d.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return func() {
		for _, s := range drop {
			if err := d.Exec(s).Error; err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestAtomicity forces a failure between the state write and the audit (or
// log) write of the same action: neither survives, and the next attempt
// finds the chain and the tree intact and gapless.
func TestAtomicity(t *testing.T) {
	t.Run("CreateFailsAtTheAuditWrite", func(t *testing.T) {
		f := newFiling(t)
		restore := failInserts(t, f.d, "audit_events")
		_, err := f.svc.Create(ctx, f.officer, subpoena())
		restore()
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("Create: %v, want the injected failure", err)
		}
		if n := count(t, f.d, "SELECT COUNT(*) FROM requests"); n != 0 {
			t.Errorf("%d requests stored without their audit event", n)
		}
		if n := count(t, f.d, "SELECT COUNT(*) FROM request_history"); n != 0 {
			t.Errorf("%d history rows stored without their audit event", n)
		}
		if n := count(t, f.d, "SELECT COUNT(*) FROM audit_events"); n != 0 {
			t.Errorf("%d audit events", n)
		}
		// The reference number given out was given back.
		r, err := f.svc.Create(ctx, f.officer, subpoena())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(r.Reference, "-000001") {
			t.Errorf("reference after a rolled back creation: %s, want …-000001", r.Reference)
		}
	})

	t.Run("CreateFailsAtTheQueuedAuditWrite", func(t *testing.T) {
		if os.Getenv(dbtest.EnvDatabase) != "postgres" {
			t.Skip("only PostgreSQL queues events while the chain head is busy")
		}
		f := newFiling(t)
		// Another transaction holds the chain head: Create's event is
		// queued, and the queue write fails.
		holder := f.d.Begin()
		if err := audit.Append(ctx, holder, audit.Event{Action: "test.holder"}); err != nil {
			t.Fatal(err)
		}
		restore := failInserts(t, f.d, "audit_pending")
		_, err := f.svc.Create(ctx, f.officer, subpoena())
		// Dropping the trigger waits for every transaction that read the
		// queue: the holder ends first.
		holder.Rollback()
		restore()
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("Create: %v, want the injected failure", err)
		}
		if n := count(t, f.d, "SELECT COUNT(*) FROM requests"); n != 0 {
			t.Errorf("%d requests stored without their audit event", n)
		}
	})

	for _, tc := range []struct {
		desc  string
		table string
	}{
		{"SubmitFailsAtTheAuditWrite", "audit_events"},
		{"SubmitFailsAtTheLogWrite", "tlog_leaves"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			f := newFiling(t)
			r := f.draft(t)
			events := count(t, f.d, "SELECT COUNT(*) FROM audit_events")
			restore := failInserts(t, f.d, tc.table)
			err := f.submit(ctx, f.officer, r.ID)
			restore()
			if err == nil || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("Submit: %v, want the injected failure", err)
			}
			var status string
			var version int
			f.d.Raw("SELECT status FROM requests WHERE id = ?", r.ID).Scan(&status)
			f.d.Raw("SELECT version FROM requests WHERE id = ?", r.ID).Scan(&version)
			if request.State(status) != request.StateDraft || version != r.Version {
				t.Errorf("after the failed submission: status %s version %d, want the draft at version %d", status, version, r.Version)
			}
			if n := count(t, f.d, "SELECT COUNT(*) FROM audit_events"); n != events {
				t.Errorf("%d audit events, want %d (none for the failed submission)", n, events)
			}
			if n := count(t, f.d, "SELECT COUNT(*) FROM tlog_leaves"); n != 0 {
				t.Errorf("%d log leaves for a submission that failed", n)
			}
			if n := count(t, f.d, "SELECT size FROM tlog_head"); n != 0 {
				t.Errorf("log head at %d after a failed submission", n)
			}

			// Once the failure is gone, the submission goes through whole.
			if err := f.submit(ctx, f.officer, r.ID); err != nil {
				t.Fatal(err)
			}
			if n := count(t, f.d, "SELECT COUNT(*) FROM audit_events WHERE action = ? AND request_id = ?", request.ActionSubmit, r.ID); n != 1 {
				t.Errorf("%d submit events, want 1", n)
			}
			var e translog.Entry
			if err := f.d.Where("idx = 0 AND request_id = ?", r.ID).Take(&e).Error; err != nil {
				t.Fatalf("leaf 0: %v", err)
			}
			rec, err := translog.ParseRecord(e.Leaf)
			if err != nil {
				t.Fatalf("leaf 0: %v", err)
			}
			want := translog.Record{Version: 1, Event: translog.EventReceived, Commitment: rec.Commitment, Date: day.Of(time.Now()),
				Country: "US", AgencyKind: "police", Process: "us.subpoena", RequestType: translog.TypeLegalProcess,
				Categories: []string{"connection_log", "subscriber"}, Accounts: 2, NDO: true}
			if got, _ := rec.Encode(); string(got) != string(mustEncode(t, want)) {
				t.Errorf("received leaf:\n got %s\nwant %s", got, mustEncode(t, want))
			}
			if rep, err := audit.Verify(ctx, f.d.DB, nil, nil); err != nil || !rep.OK() {
				t.Errorf("audit chain: %+v, %v", rep.Problems, err)
			}
		})
	}
}

func mustEncode(t *testing.T, r translog.Record) []byte {
	t.Helper()
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
