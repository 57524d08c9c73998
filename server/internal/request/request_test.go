package request_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// rolePolicy is a small, real Policy that decides by role, so these tests
// are about the request domain. The production policy is the OPA engine of
// package policy, wired in later through an adapter written by the lead.
type rolePolicy struct {
	// catalogue is the production policy, asked only what the catalogue
	// says of a process (which processes are emergencies).
	catalogue request.Policy
}

var agencyActions = []string{
	request.ActionCreate, request.ActionEdit, request.ActionUpload, request.ActionSubmit,
	request.ActionView, request.ActionList, request.ActionDownload,
}

var providerActions = []string{request.ActionView, request.ActionList, request.ActionDownload}

func (rolePolicy) Authorize(_ context.Context, actor *identity.Principal, action string, _ *request.Request) error {
	if !actor.Provider && (actor.Has(identity.RoleOfficer) || actor.Has(identity.RoleSupervisor)) && slices.Contains(agencyActions, action) {
		return nil
	}
	if actor.Provider && slices.Contains(providerActions, action) {
		return nil
	}
	return errs.E(errs.Forbidden, "Your role does not allow this.")
}

const contentReason = "Message content is end-to-end encrypted; the provider holds no key and stores no content."

func (rolePolicy) Scope(_ context.Context, r *request.Request, a *agency.Agency) (request.Scope, error) {
	sc := request.Scope{
		Valid:    true,
		DateFrom: r.DateFrom.String(),
		DateTo:   r.DateTo.String(),
	}
	if j, k, ok := strings.Cut(r.Process, "."); ok {
		sc.Jurisdiction, sc.ProcessKind = j, k
	}
	if r.Process == "us.unknown" {
		sc.Valid = false
		sc.Errors = append(sc.Errors, errs.FieldError{Field: "process", Message: "Unknown process."})
	}
	for _, c := range r.Categories {
		if c == "content" {
			sc.Refused = append(sc.Refused, request.Refusal{Category: c, Code: "e2ee", Reason: contentReason})
			continue
		}
		sc.Categories = append(sc.Categories, c)
	}
	return sc, nil
}

func (p rolePolicy) Process(ctx context.Context, id string) (policy.Process, bool, error) {
	return p.catalogue.Process(ctx, id)
}

// now is the fixed clock of these tests.
var now = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

type env struct {
	db       *db.DB
	svc      *request.Service
	wf       *workflow.Engine // submission is a transition of the workflow
	blobDir  string
	a, b     *agency.Agency
	officerA *identity.Principal
	officerB *identity.Principal
	reviewer *identity.Principal
	// supervisorA supervises agency a, officerA's; officerB's agency has none.
	supervisorA *identity.Principal
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := dbtest.Open(t)
	blobDir := filepath.Join(t.TempDir(), "blobs")
	store, err := blob.NewLocal(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Load(context.Background(), policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		db:      d,
		blobDir: blobDir,
		svc: &request.Service{
			DB:     d.DB,
			Blobs:  store,
			Policy: rolePolicy{catalogue: request.NewPolicy(pol)},
			Now:    func() time.Time { return now },
		},
	}
	e.a = mustAgency(t, d, "Riverside Police Department", "US", "https://idp.riverside.example")
	e.b = mustAgency(t, d, "Northshire Constabulary", "GB", "https://idp.northshire.example")
	e.officerA = mustPerson(t, d, e.a, "officer-a", identity.RoleOfficer)
	e.officerB = mustPerson(t, d, e.b, "officer-b", identity.RoleOfficer)
	e.reviewer = mustPerson(t, d, nil, "reviewer", identity.RoleReviewer)
	e.supervisorA = mustPerson(t, d, e.a, "supervisor-a", identity.RoleSupervisor)
	// Enqueue only: no jobs are worked in these tests.
	if e.wf, err = workflow.New(workflow.Config{DB: d, Policy: pol, Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	return e
}

// submit files draft id with the provider, as the workflow does, and
// returns the request as it then stands.
func (e *env) submit(ctx context.Context, actor *identity.Principal, id string) (*request.Request, error) {
	if _, err := e.wf.Transition(ctx, actor, id, 0, workflow.ActionSubmit, workflow.Input{}); err != nil {
		return nil, err
	}
	return request.Read(ctx, e.db.DB, id)
}

func mustAgency(t *testing.T, d *db.DB, name, country, issuer string) *agency.Agency {
	t.Helper()
	a := &agency.Agency{Name: name, Country: country, Kind: "police", Issuer: issuer, CreatedAt: now, UpdatedAt: now}
	if err := agency.Create(context.Background(), d.DB, a); err != nil {
		t.Fatalf("create agency: %v", err)
	}
	return a
}

// mustPerson stores a person (people has no package of its own yet) and
// returns their principal. a is nil for provider staff.
func mustPerson(t *testing.T, d *db.DB, a *agency.Agency, subject string, role identity.Role) *identity.Principal {
	t.Helper()
	p := &identity.Principal{
		PersonID: uuid.NewString(),
		Issuer:   "https://idp.provider.example",
		Subject:  subject,
		Kind:     identity.KindPerson,
		Name:     subject,
		Roles:    []identity.Role{role},
		Provider: a == nil,
		MFA:      true, // a second factor just now: step-up decides on roles
		AuthTime: time.Now(),
	}
	var agencyID any
	if a != nil {
		p.Issuer, p.AgencyID, p.AgencyName, p.AgencyCountry, p.AgencyKind = a.Issuer, a.ID, a.Name, a.Country, a.Kind
		agencyID = a.ID
	}
	err := d.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, roles, created_at, updated_at)
		VALUES (?, ?, ?, 'person', ?, ?, ?, ?)`, p.PersonID, p.Issuer, p.Subject, agencyID, string(role), now, now).Error
	if err != nil {
		t.Fatalf("create person: %v", err)
	}
	return p
}

func date(s string) day.Date {
	d, err := day.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func floatp(v float64) *float64 { return &v }

// validInput is DESIGN.md's example request body.
func validInput() request.Input {
	return request.Input{
		Process:          "us.subpoena",
		IssuingAuthority: request.Authority{Kind: "court", Name: "Superior Court of Riverside County", SignedBy: "Hon. A. Example"},
		Docket:           "CR-2026-01234",
		IssuedOn:         date("2026-11-20"),
		ExpiresOn:        date("2027-02-20"),
		Targets:          []request.Target{{Type: "phone", Value: "+1 555 0100 123"}},
		DateFrom:         date("2026-08-01"),
		DateTo:           date("2026-11-01"),
		Categories:       []string{"subscriber", "connection_log"},
		Nondisclosure:    request.Nondisclosure{Ordered: true, Until: date("2027-05-20")},
		Offence:          request.Offence{Description: "armed robbery", MaxPenaltyMonths: floatp(240)},
		Summary:          "Robbery of a jewellery store on 2026-10-03.",
	}
}

func mustCreate(t *testing.T, e *env, actor *identity.Principal, in request.Input) *request.Request {
	t.Helper()
	r, err := e.svc.Create(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return r
}

func mustUpload(t *testing.T, e *env, actor *identity.Principal, id string, pdf []byte) *request.Document {
	t.Helper()
	doc, err := e.svc.UploadDocument(context.Background(), actor, id, "order.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatalf("UploadDocument: %v", err)
	}
	return doc
}

func count(t *testing.T, e *env, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func auditCount(t *testing.T, e *env, requestID, action, outcome string) int64 {
	t.Helper()
	return count(t, e, `SELECT count(*) FROM audit_events WHERE request_id = ? AND action = ? AND outcome = ?`, requestID, action, outcome)
}

// blobCount counts the blobs stored, ignoring temporary files.
func blobCount(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldNames(err error) []string {
	e, ok := errs.As(err)
	if !ok {
		return nil
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestFileRequestEndToEnd(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)

	in := validInput()
	in.Targets = append(in.Targets,
		request.Target{Type: "phone", Value: "(555) 010-0123"}, // the same number, written the US way
		request.Target{Type: "username", Value: "@Night.Owl_42"},
		request.Target{Type: "account_id", Value: "0B7D3C56-8F0E-4C1A-9D2B-6F4E1A2B3C4D"},
		request.Target{Type: "email", Value: "Suspect@Example.ORG"},
	)
	r := mustCreate(t, e, e.officerA, in)
	if !regexp.MustCompile(`^WD-2026-\d{6}$`).MatchString(r.Reference) {
		t.Errorf("Reference = %q, want WD-2026-NNNNNN", r.Reference)
	}
	if got, want := r.Status, request.StateDraft; got != want {
		t.Errorf("Status = %q, want %q", got, want)
	}
	if got, want := r.Version, 1; got != want {
		t.Errorf("Version = %d, want %d", got, want)
	}
	wantTargets := []request.Target{
		{Type: "phone", Value: "+15550100123"},
		{Type: "username", Value: "night.owl_42"},
		{Type: "account_id", Value: "0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d"},
		{Type: "email", Value: "suspect@example.org"},
	}
	if diff := cmp.Diff(wantTargets, r.Targets); diff != "" {
		t.Errorf("Targets (-want +got):\n%s", diff)
	}
	if _, err := uuid.Parse(r.ID); err != nil {
		t.Errorf("ID %q is not a UUID", r.ID)
	} else if v := uuid.MustParse(r.ID).Version(); v != 7 {
		t.Errorf("ID version = %d, want 7", v)
	}

	// Edit: the version read is the version written against.
	summary := "Armed robbery of a jewellery store."
	cats := []string{"subscriber", "activity", "subscriber"}
	r2, err := e.svc.Update(ctx, e.officerA, r.ID, 1, request.Update{Summary: &summary, Categories: &cats})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got, want := r2.Version, 2; got != want {
		t.Errorf("Version after Update = %d, want %d", got, want)
	}
	if diff := cmp.Diff([]string{"subscriber", "activity"}, []string(r2.Categories)); diff != "" {
		t.Errorf("Categories after Update (-want +got):\n%s", diff)
	}
	// A second edit from the same stale read is refused.
	_, err = e.svc.Update(ctx, e.officerA, r.ID, 1, request.Update{Summary: &summary})
	if got, want := errs.CodeOf(err), errs.Conflict; got != want || !errors.Is(err, request.ErrStaleVersion) {
		t.Errorf("stale Update: code %s (%v), want %s wrapping ErrStaleVersion", got, err, want)
	}

	pdf := request.BuildPDF("\n", "order of the court")
	doc := mustUpload(t, e, e.officerA, r.ID, pdf)
	if got, want := doc.ContentType, "application/pdf"; got != want {
		t.Errorf("ContentType = %q, want %q", got, want)
	}
	if got, want := doc.Size, int64(len(pdf)); got != want {
		t.Errorf("Size = %d, want %d", got, want)
	}
	gotDoc, rc, err := e.svc.OpenDocument(ctx, e.officerA, r.ID, doc.ID)
	if err != nil {
		t.Fatalf("OpenDocument: %v", err)
	}
	content, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("read document: %v", err)
	}
	if !bytes.Equal(content, pdf) || gotDoc.SHA256 != doc.SHA256 || gotDoc.Filename != "order.pdf" {
		t.Errorf("OpenDocument returned %+v with %d bytes, want the upload", gotDoc, len(content))
	}

	sub, err := e.submit(ctx, e.officerA, r.ID)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if got, want := sub.Status, request.StateSubmitted; got != want {
		t.Errorf("Status after Submit = %q, want %q", got, want)
	}
	if sub.SubmittedAt == nil || !sub.SubmittedAt.Equal(now) {
		t.Errorf("SubmittedAt = %v, want %v", sub.SubmittedAt, now)
	}

	got, err := e.svc.Get(ctx, e.officerA, r.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(wantTargets, got.Targets); diff != "" {
		t.Errorf("Get Targets (-want +got):\n%s", diff)
	}
	if got, want := len(got.Documents), 1; got != want {
		t.Errorf("Get: %d documents, want %d", got, want)
	}
	var actions []string
	for _, h := range got.History {
		actions = append(actions, h.Action)
		if h.ActorID != e.officerA.PersonID {
			t.Errorf("history %s: actor %s, want %s", h.Action, h.ActorID, e.officerA.PersonID)
		}
	}
	wantActions := []string{request.ActionCreate, request.ActionEdit, request.ActionUpload, request.ActionSubmit}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if h := got.History[len(got.History)-1]; h.FromStatus != "draft" || h.ToStatus != "submitted" {
		t.Errorf("submit history: %s → %s, want draft → submitted", h.FromStatus, h.ToStatus)
	}
	if got.IssuedOn != date("2026-11-20") || got.Nondisclosure.Until != date("2027-05-20") || *got.Offence.MaxPenaltyMonths != 240 {
		t.Errorf("Get: dates or penalty did not round-trip: %+v", got)
	}

	for _, tc := range []struct {
		action string
		want   int64
	}{
		{request.ActionCreate, 1},
		{request.ActionEdit, 1}, // the stale edit wrote nothing
		{request.ActionUpload, 1},
		{request.ActionDownload, 1},
		{request.ActionSubmit, 1},
		{request.ActionView, 1},
	} {
		if got := auditCount(t, e, r.ID, tc.action, "success"); got != tc.want {
			t.Errorf("audit events %s: %d, want %d", tc.action, got, tc.want)
		}
	}
	if got, want := count(t, e, `SELECT count(*) FROM request_history WHERE request_id = ?`, r.ID), int64(4); got != want {
		t.Errorf("history rows: %d, want %d", got, want)
	}
	var ev struct{ ActorSubject, ActorRole, ActorAgencyID, Decision string }
	e.db.Raw(`SELECT actor_subject, actor_role, actor_agency_id, decision FROM audit_events WHERE request_id = ? AND action = ?`,
		r.ID, request.ActionSubmit).Scan(&ev)
	if ev.ActorSubject != "officer-a" || ev.ActorRole != "officer" || ev.ActorAgencyID != e.a.ID || !strings.Contains(ev.Decision, `"categories":["subscriber","activity"]`) {
		t.Errorf("submit audit event = %+v", ev)
	}

	// A submitted request is no longer a draft.
	_, err = e.svc.Update(ctx, e.officerA, r.ID, sub.Version, request.Update{Summary: &summary})
	if got, want := errs.CodeOf(err), errs.Conflict; got != want {
		t.Errorf("Update after Submit: code %s, want %s", got, want)
	}
	_, err = e.svc.UploadDocument(ctx, e.officerA, r.ID, "second.pdf", bytes.NewReader(request.BuildPDF("\n", "second")))
	if got, want := errs.CodeOf(err), errs.Conflict; got != want {
		t.Errorf("UploadDocument after Submit: code %s, want %s", got, want)
	}
	_, err = e.submit(ctx, e.officerA, r.ID)
	if got, want := errs.CodeOf(err), errs.Conflict; got != want {
		t.Errorf("second Submit: code %s, want %s", got, want)
	}

	// Provider staff see every agency's request.
	if _, err := e.svc.Get(ctx, e.reviewer, r.ID); err != nil {
		t.Errorf("reviewer Get: %v", err)
	}
	if got, want := blobCount(t, e), 1; got != want {
		t.Errorf("blobs: %d, want %d", got, want)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		desc   string
		modify func(in *request.Input)
		want   []string
	}{
		{desc: "process not a catalogue id", modify: func(in *request.Input) { in.Process = "US Subpoena" }, want: []string{"process"}},
		{desc: "authority kind unknown", modify: func(in *request.Input) { in.IssuingAuthority.Kind = "sheriff" }, want: []string{"issuing_authority.kind"}},
		{desc: "authority name too long", modify: func(in *request.Input) { in.IssuingAuthority.Name = strings.Repeat("a", 201) }, want: []string{"issuing_authority.name"}},
		{desc: "docket with a control character", modify: func(in *request.Input) { in.Docket = "CR-1\x07" }, want: []string{"docket"}},
		{desc: "docket with a bidi override", modify: func(in *request.Input) { in.Docket = "CR-\u202E4321" }, want: []string{"docket"}},
		{desc: "expires before issued", modify: func(in *request.Input) { in.ExpiresOn = date("2026-11-19") }, want: []string{"expires_on"}},
		{desc: "expires on the issue day", modify: func(in *request.Input) { in.ExpiresOn = in.IssuedOn }, want: []string{"expires_on"}},
		{desc: "issued in the future", modify: func(in *request.Input) { in.IssuedOn, in.ExpiresOn = date("2027-01-01"), date("2027-06-01") }, want: []string{"issued_on"}},
		{desc: "date range reversed", modify: func(in *request.Input) { in.DateFrom, in.DateTo = date("2026-11-02"), date("2026-11-01") }, want: []string{"date_to"}},
		{desc: "date out of range", modify: func(in *request.Input) { in.DateFrom = date("0226-08-01") }, want: []string{"date_from"}},
		{desc: "unknown category", modify: func(in *request.Input) { in.Categories = []string{"subscriber", "location"} }, want: []string{"categories[1]"}},
		{desc: "target type unknown", modify: func(in *request.Input) { in.Targets = []request.Target{{Type: "imei", Value: "490154203237518"}} }, want: []string{"targets[0].type"}},
		{desc: "phone too short", modify: func(in *request.Input) { in.Targets[0].Value = "+1 555" }, want: []string{"targets[0].value"}},
		{desc: "phone with letters", modify: func(in *request.Input) { in.Targets[0].Value = "1-800-FLOWERS" }, want: []string{"targets[0].value"}},
		{desc: "phone local only", modify: func(in *request.Input) { in.Targets[0].Value = "555-0100" }, want: []string{"targets[0].value"}},
		{desc: "username too short", modify: func(in *request.Input) {
			in.Targets = append(in.Targets, request.Target{Type: "username", Value: "ab"})
		}, want: []string{"targets[1].value"}},
		{desc: "username with a space", modify: func(in *request.Input) {
			in.Targets = append(in.Targets, request.Target{Type: "username", Value: "night owl"})
		}, want: []string{"targets[1].value"}},
		{desc: "account id not a UUID", modify: func(in *request.Input) {
			in.Targets = append(in.Targets, request.Target{Type: "account_id", Value: "12345"})
		}, want: []string{"targets[1].value"}},
		{desc: "email with a display name", modify: func(in *request.Input) {
			in.Targets = append(in.Targets, request.Target{Type: "email", Value: "Bob <bob@example.org>"})
		}, want: []string{"targets[1].value"}},
		{desc: "email without a domain", modify: func(in *request.Input) {
			in.Targets = append(in.Targets, request.Target{Type: "email", Value: "bob@localhost"})
		}, want: []string{"targets[1].value"}},
		{desc: "empty target value", modify: func(in *request.Input) { in.Targets[0].Value = " " }, want: []string{"targets[0].value"}},
		{desc: "too many targets", modify: func(in *request.Input) {
			in.Targets = nil
			for i := range 51 {
				in.Targets = append(in.Targets, request.Target{Type: "username", Value: fmt.Sprintf("user%02d", i)})
			}
		}, want: []string{"targets"}},
		{desc: "nondisclosure end without an order", modify: func(in *request.Input) { in.Nondisclosure.Ordered = false }, want: []string{"nondisclosure.until"}},
		{desc: "nondisclosure ends before issue", modify: func(in *request.Input) { in.Nondisclosure.Until = date("2026-11-01") }, want: []string{"nondisclosure.until"}},
		// A subpoena has no emergency procedure: the old emergency object
		// disagrees with the process.
		{desc: "emergency under a process without one", modify: func(in *request.Input) { in.Emergency = &request.Emergency{Narrative: "Threat to life."} }, want: []string{"emergency"}},
		{desc: "emergency callback not a number", modify: func(in *request.Input) {
			in.Process = "us.emergency"
			in.Emergency = &request.Emergency{Callback: "the front desk"}
		}, want: []string{"emergency.callback"}},
		{desc: "emergency supervisor not an id", modify: func(in *request.Input) {
			in.Process = "us.emergency"
			in.Emergency = &request.Emergency{SupervisorID: "sergeant"}
		}, want: []string{"emergency.supervisor_id"}},
		{desc: "penalty negative", modify: func(in *request.Input) { in.Offence.MaxPenaltyMonths = floatp(-1) }, want: []string{"offence.max_penalty_months"}},
		{desc: "penalty past 150 years", modify: func(in *request.Input) { in.Offence.MaxPenaltyMonths = floatp(1801) }, want: []string{"offence.max_penalty_months"}},
		{desc: "ground not an id", modify: func(in *request.Input) { in.Offence.Grounds = []string{"Violence!"} }, want: []string{"offence.grounds[0]"}},
		{desc: "purpose not an id", modify: func(in *request.Input) { in.Purpose = "to catch a thief" }, want: []string{"purpose"}},
		{desc: "nondisclosure issuer unknown", modify: func(in *request.Input) {
			in.Nondisclosure = request.Nondisclosure{Ordered: true, IssuedBy: "sheriff"}
		}, want: []string{"nondisclosure.issued_by"}},
		{desc: "summary too long", modify: func(in *request.Input) { in.Summary = strings.Repeat("x", 4001) }, want: []string{"summary"}},
		{desc: "every problem at once", modify: func(in *request.Input) {
			in.Process = "?"
			in.IssuingAuthority.Kind = "sheriff"
			in.DateTo = date("2026-07-01")
			in.Categories = []string{"location", "subscriber", "weather"}
			in.Targets = []request.Target{{Type: "phone", Value: "+1 555 0100 123"}, {Type: "phone", Value: "12"}}
		}, want: []string{"categories[0]", "categories[2]", "date_to", "issuing_authority.kind", "process", "targets[1].value"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			in := validInput()
			tc.modify(&in)
			_, err := e.svc.Create(context.Background(), e.officerA, in)
			if got, want := errs.CodeOf(err), errs.Invalid; got != want {
				t.Fatalf("Create: code %s (%v), want %s", got, err, want)
			}
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if got := count(t, e, `SELECT count(*) FROM requests`); got != 0 {
		t.Errorf("%d requests stored by invalid creates, want 0", got)
	}
	if got := count(t, e, `SELECT count(*) FROM reference_counters`); got != 0 {
		t.Errorf("invalid creates issued references")
	}

	t.Run("content is accepted as input", func(t *testing.T) {
		in := validInput()
		in.Categories = []string{"content", "subscriber"}
		r := mustCreate(t, e, e.officerA, in)
		if diff := cmp.Diff([]string{"content", "subscriber"}, []string(r.Categories)); diff != "" {
			t.Errorf("Categories (-want +got):\n%s", diff)
		}
	})
	t.Run("a draft may be almost empty", func(t *testing.T) {
		r := mustCreate(t, e, e.officerA, request.Input{Process: "us.warrant"})
		if r.Reference == "" || len(r.Targets) != 0 {
			t.Errorf("empty draft = %+v", r)
		}
	})
	t.Run("update reports every bad field", func(t *testing.T) {
		r := mustCreate(t, e, e.officerA, validInput())
		bad := date("2026-07-01")
		targets := []request.Target{{Type: "email", Value: "nope"}}
		_, err := e.svc.Update(context.Background(), e.officerA, r.ID, r.Version, request.Update{DateTo: &bad, Targets: &targets})
		if diff := cmp.Diff([]string{"date_to", "targets[0].value"}, fieldNames(err)); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
}

func TestNormalizeTarget(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		typ    string
		value  string
		region string
		want   string // "" when the value must be refused
	}{
		{desc: "DESIGN.md example", typ: "phone", value: "+1 555 0100 123", region: "US", want: "+15550100123"},
		{desc: "US national format", typ: "phone", value: "(555) 010-0123", region: "US", want: "+15550100123"},
		{desc: "US dotted", typ: "phone", value: "555.010.0123", region: "US", want: "+15550100123"},
		{desc: "US with country code, no plus", typ: "phone", value: "1 555 010 0123", region: "US", want: "+15550100123"},
		{desc: "UK mobile, national", typ: "phone", value: "07700 900123", region: "GB", want: "+447700900123"},
		{desc: "UK mobile, international from a US agency", typ: "phone", value: "+44 7700 900123", region: "US", want: "+447700900123"},
		{desc: "UK with 00 prefix", typ: "phone", value: "0044 7700 900123", region: "GB", want: "+447700900123"},
		{desc: "German landline", typ: "phone", value: "030 1234567", region: "DE", want: "+49301234567"},
		{desc: "German mobile, international", typ: "phone", value: "+49 151 23456789", region: "GB", want: "+4915123456789"},
		{desc: "lower-case region", typ: "phone", value: "07700 900123", region: "gb", want: "+447700900123"},
		{desc: "already E.164", typ: "phone", value: "+15550100123", region: "DE", want: "+15550100123"},
		{desc: "too short", typ: "phone", value: "+1 555", region: "US"},
		{desc: "too long", typ: "phone", value: "+1 555 0100 1234 5678", region: "US"},
		{desc: "local only", typ: "phone", value: "010-0123", region: "US"},
		{desc: "letters", typ: "phone", value: "+1 555 FLOWERS", region: "US"},
		{desc: "extension", typ: "phone", value: "+1 555 0100 123 ext 4", region: "US"},
		{desc: "two plus signs", typ: "phone", value: "++1 555 0100 123", region: "US"},
		{desc: "national without region", typ: "phone", value: "07700 900123", region: ""},
		{desc: "username case-folded", typ: "username", value: "Night.Owl_42", want: "night.owl_42"},
		{desc: "username with @", typ: "username", value: "@night-owl", want: "night-owl"},
		{desc: "username full-width folded by NFKC", typ: "username", value: "ｎｉｇｈｔｏｗｌ", want: "nightowl"},
		{desc: "username too long", typ: "username", value: strings.Repeat("a", 33)},
		{desc: "username with a slash", typ: "username", value: "night/owl"},
		{desc: "account id", typ: "account_id", value: "0B7D3C56-8F0E-4C1A-9D2B-6F4E1A2B3C4D", want: "0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d"},
		{desc: "account id in braces", typ: "account_id", value: "{0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d}"},
		{desc: "account id as urn", typ: "account_id", value: "urn:uuid:0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d"},
		{desc: "email", typ: "email", value: "Suspect@Example.ORG", want: "suspect@example.org"},
		{desc: "email, two addresses", typ: "email", value: "a@example.org, b@example.org"},
		{desc: "unknown type", typ: "imei", value: "490154203237518"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := request.NormalizeTarget(tc.typ, tc.value, tc.region)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("NormalizeTarget(%q, %q) = %q, want an error", tc.typ, tc.value, got)
				}
				if got, want := errs.CodeOf(err), errs.Invalid; got != want {
					t.Errorf("code %s, want %s", got, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeTarget(%q, %q): %v", tc.typ, tc.value, err)
			}
			if got != tc.want {
				t.Errorf("NormalizeTarget(%q, %q, %q) = %q, want %q", tc.typ, tc.value, tc.region, got, tc.want)
			}
		})
	}
}

func TestIsolation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := mustCreate(t, e, e.officerA, validInput())
	doc := mustUpload(t, e, e.officerA, r.ID, request.BuildPDF("\n", "isolation"))
	missing := uuid.Must(uuid.NewV7()).String()
	summary := "taken over"

	ops := []struct {
		desc string
		do   func(actor *identity.Principal, id string) error
	}{
		{"Get", func(a *identity.Principal, id string) error { _, err := e.svc.Get(ctx, a, id); return err }},
		{"Update", func(a *identity.Principal, id string) error {
			_, err := e.svc.Update(ctx, a, id, 1, request.Update{Summary: &summary})
			return err
		}},
		{"UploadDocument", func(a *identity.Principal, id string) error {
			_, err := e.svc.UploadDocument(ctx, a, id, "x.pdf", bytes.NewReader(request.BuildPDF("\n", "intruder")))
			return err
		}},
		{"OpenDocument", func(a *identity.Principal, id string) error {
			_, rc, err := e.svc.OpenDocument(ctx, a, id, doc.ID)
			if rc != nil {
				rc.Close()
			}
			return err
		}},
		{"Submit", func(a *identity.Principal, id string) error { _, err := e.submit(ctx, a, id); return err }},
	}
	for _, op := range ops {
		t.Run(op.desc, func(t *testing.T) {
			other := op.do(e.officerB, r.ID)
			absent := op.do(e.officerA, missing)
			malformed := op.do(e.officerB, "../"+r.ID)
			for name, err := range map[string]error{"other agency": other, "missing": absent, "malformed id": malformed} {
				if got, want := errs.CodeOf(err), errs.NotFound; got != want {
					t.Errorf("%s: code %s (%v), want %s", name, got, err, want)
				}
				if got, want := errs.Message(err), errs.Message(absent); got != want {
					t.Errorf("%s: message %q, want the missing request's %q", name, got, want)
				}
				if !errors.Is(err, request.ErrNotFound) {
					t.Errorf("%s: %v does not wrap ErrNotFound", name, err)
				}
			}
		})
	}

	got, err := e.svc.Get(ctx, e.officerA, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Summary != validInput().Summary || got.Status != request.StateDraft || len(got.Documents) != 1 {
		t.Errorf("another agency changed the request: %+v", got)
	}
	if n := blobCount(t, e); n != 1 {
		t.Errorf("blobs: %d, want 1 (the intruder's upload must not be stored)", n)
	}
	if n := count(t, e, `SELECT count(*) FROM audit_events WHERE actor_subject = ?`, "officer-b"); n != 0 {
		t.Errorf("%d audit events by the other agency, want 0 (nothing happened)", n)
	}

	pageB, err := e.svc.List(ctx, e.officerB, request.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pageB.Items) != 0 {
		t.Errorf("other agency lists %d requests, want 0", len(pageB.Items))
	}
	pageProvider, err := e.svc.List(ctx, e.reviewer, request.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// The request is still a draft: the agency's unfinished work does not
	// reach the provider until it is submitted.
	if len(pageProvider.Items) != 0 {
		t.Errorf("provider lists %d requests, want 0 (drafts are the agency's own)", len(pageProvider.Items))
	}
	if _, err := e.svc.Get(ctx, e.reviewer, r.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("provider Get of a draft: %v, want NotFound", err)
	}
	// A document id that belongs to another request is not found either.
	r2 := mustCreate(t, e, e.officerA, validInput())
	_, _, err = e.svc.OpenDocument(ctx, e.officerA, r2.ID, doc.ID)
	if got, want := errs.CodeOf(err), errs.NotFound; got != want {
		t.Errorf("OpenDocument of another request's document: code %s, want %s", got, want)
	}
}

func TestPolicyDenialsAreAudited(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := mustCreate(t, e, e.officerA, validInput())
	mustUpload(t, e, e.officerA, r.ID, request.BuildPDF("\n", "order"))
	if _, err := e.submit(ctx, e.officerA, r.ID); err != nil {
		t.Fatal(err)
	}
	summary := "provider edit"
	_, err := e.svc.Update(ctx, e.reviewer, r.ID, 2, request.Update{Summary: &summary})
	if got, want := errs.CodeOf(err), errs.Forbidden; got != want {
		t.Fatalf("reviewer Update: code %s, want %s", got, want)
	}
	if got := auditCount(t, e, r.ID, request.ActionEdit, "denied"); got != 1 {
		t.Errorf("denied edit audit events: %d, want 1", got)
	}
	if _, err := e.svc.Create(ctx, e.reviewer, validInput()); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("reviewer Create: %v, want Forbidden", err)
	}
	if _, err := e.svc.Create(ctx, nil, validInput()); errs.CodeOf(err) != errs.Unauthenticated {
		t.Errorf("anonymous Create: %v, want Unauthenticated", err)
	}
}

func TestSubmitRequirements(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)

	t.Run("incomplete", func(t *testing.T) {
		r := mustCreate(t, e, e.officerA, request.Input{Process: "us.subpoena", Categories: []string{"subscriber"}})
		_, err := e.submit(ctx, e.officerA, r.ID)
		if got, want := errs.CodeOf(err), errs.Invalid; got != want {
			t.Fatalf("Submit: code %s, want %s", got, want)
		}
		want := []string{"date_from", "date_to", "docket", "file", "issued_on", "issuing_authority.kind",
			"issuing_authority.name", "issuing_authority.signed_by", "offence.description", "targets"}
		if diff := cmp.Diff(want, fieldNames(err)); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
	t.Run("emergency needs what an emergency has", func(t *testing.T) {
		in := validInput()
		in.Process, in.Docket, in.IssuingAuthority.SignedBy = "us.emergency", "", ""
		in.IssuingAuthority.Kind = "agency"
		in.ExpiresOn, in.Nondisclosure = day.Date{}, request.Nondisclosure{}
		r := mustCreate(t, e, e.officerA, in) // the process makes it an emergency
		_, err := e.submit(ctx, e.officerA, r.ID)
		if diff := cmp.Diff([]string{"emergency.callback", "emergency.narrative", "emergency.supervisor_id"}, fieldNames(err)); diff != "" {
			t.Errorf("submit an emergency without its facts: %v; fields (-want +got):\n%s", err, diff)
		}
	})
	t.Run("emergency needs no docket or order", func(t *testing.T) {
		in := validInput()
		in.Process, in.Docket, in.IssuingAuthority.SignedBy = "us.emergency", "", ""
		in.IssuingAuthority.Kind = "agency"
		in.ExpiresOn, in.Nondisclosure = day.Date{}, request.Nondisclosure{}
		in.Emergency = &request.Emergency{Narrative: "A kidnapped child; the captor is messaging the family.",
			Callback: "+1 (555) 010-0199", SupervisorID: e.supervisorA.PersonID}
		r := mustCreate(t, e, e.officerA, in) // no order uploaded
		sub, err := e.submit(ctx, e.officerA, r.ID)
		if err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if !sub.Emergency || sub.EmergencyNarrative == "" || sub.EmergencyCallback != "+15550100199" ||
			sub.EmergencySupervisor == nil || *sub.EmergencySupervisor != e.supervisorA.PersonID {
			t.Errorf("emergency not kept: %+v", sub)
		}
	})
	t.Run("only content asked for", func(t *testing.T) {
		in := validInput()
		in.Categories = []string{"content"}
		r := mustCreate(t, e, e.officerA, in)
		mustUpload(t, e, e.officerA, r.ID, request.BuildPDF("\n", "content only"))
		_, err := e.submit(ctx, e.officerA, r.ID)
		if got, want := errs.CodeOf(err), errs.PolicyDenied; got != want {
			t.Fatalf("Submit: code %s, want %s", got, want)
		}
		if !strings.Contains(errs.Message(err), "end-to-end encrypted") {
			t.Errorf("message %q does not give the policy's reason", errs.Message(err))
		}
		if diff := cmp.Diff([]string{"categories"}, fieldNames(err)); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
		got, err := e.svc.Get(ctx, e.officerA, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != request.StateDraft {
			t.Errorf("Status = %s, want draft", got.Status)
		}
		if got := auditCount(t, e, r.ID, request.ActionSubmit, "denied"); got != 1 {
			t.Errorf("denied submit audit events: %d, want 1", got)
		}
	})
	t.Run("invalid for its process", func(t *testing.T) {
		in := validInput()
		in.Process = "us.unknown"
		r := mustCreate(t, e, e.officerA, in)
		mustUpload(t, e, e.officerA, r.ID, request.BuildPDF("\n", "unknown process"))
		_, err := e.submit(ctx, e.officerA, r.ID)
		if got, want := errs.CodeOf(err), errs.PolicyDenied; got != want {
			t.Fatalf("Submit: code %s, want %s", got, want)
		}
		// The unknown process is named, and each category it cannot reach.
		if diff := cmp.Diff([]string{"categories", "process"}, fieldNames(err)); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
}

func TestUploadRejects(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.svc.MaxUpload = 4 << 10
	r := mustCreate(t, e, e.officerA, validInput())
	valid := request.BuildPDF("\n", "valid")
	big := request.BuildPDF("\n", strings.Repeat("x", 5<<10))

	for _, tc := range []struct {
		desc string
		body io.Reader
		want errs.Code
	}{
		{desc: "not a PDF", body: strings.NewReader("<html>an order</html>"), want: errs.Unsupported},
		{desc: "PNG", body: bytes.NewReader([]byte("\x89PNG\r\n\x1a\n....")), want: errs.Unsupported},
		{desc: "empty", body: strings.NewReader(""), want: errs.Invalid},
		{desc: "oversized", body: bytes.NewReader(big), want: errs.TooLarge},
		{desc: "truncated", body: bytes.NewReader(valid[:len(valid)-20]), want: errs.Invalid},
		{desc: "magic bytes only", body: strings.NewReader("%PDF-1.7\nnot really\n%%EOF\n"), want: errs.Invalid},
		{desc: "broken cross-reference", body: bytes.NewReader(bytes.Replace(valid, []byte("0000000015 00000 n"), []byte("0000000099 00000 n"), 1)), want: errs.Invalid},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.svc.UploadDocument(ctx, e.officerA, r.ID, "order.pdf", tc.body)
			if got := errs.CodeOf(err); got != tc.want {
				t.Fatalf("UploadDocument: code %s (%v), want %s", got, err, tc.want)
			}
			if diff := cmp.Diff([]string{"file"}, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("client disconnects", func(t *testing.T) {
		_, err := e.svc.UploadDocument(ctx, e.officerA, r.ID, "order.pdf",
			io.MultiReader(bytes.NewReader(valid[:100]), errReader{errors.New("connection reset")}))
		if got, want := errs.CodeOf(err), errs.Invalid; got != want {
			t.Errorf("code %s (%v), want %s", got, err, want)
		}
	})
	if got := blobCount(t, e); got != 0 {
		t.Errorf("blobs: %d, want 0", got)
	}
	if got := count(t, e, `SELECT count(*) FROM request_documents`); got != 0 {
		t.Errorf("document rows: %d, want 0", got)
	}
	if got := auditCount(t, e, r.ID, request.ActionUpload, "success"); got != 0 {
		t.Errorf("upload audit events: %d, want 0", got)
	}

	t.Run("duplicate", func(t *testing.T) {
		mustUpload(t, e, e.officerA, r.ID, valid)
		_, err := e.svc.UploadDocument(ctx, e.officerA, r.ID, "again.pdf", bytes.NewReader(valid))
		if got, want := errs.CodeOf(err), errs.Conflict; got != want {
			t.Errorf("code %s, want %s", got, want)
		}
		if got := blobCount(t, e); got != 1 {
			t.Errorf("blobs: %d, want 1 (the duplicate must not remove the original)", got)
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestUploadDatabaseFailure makes the document insert fail for real: the
// uploader's people row does not exist, so the foreign key refuses it after
// the blob was stored.
func TestUploadDatabaseFailure(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := mustCreate(t, e, e.officerA, validInput())
	ghost := *e.officerA
	ghost.PersonID = uuid.NewString()

	_, err := e.svc.UploadDocument(ctx, &ghost, r.ID, "order.pdf", bytes.NewReader(request.BuildPDF("\n", "ghost")))
	if err == nil {
		t.Fatal("UploadDocument by a person who does not exist succeeded")
	}
	if got := blobCount(t, e); got != 0 {
		t.Errorf("blobs: %d, want 0", got)
	}
	if got := count(t, e, `SELECT count(*) FROM request_documents`); got != 0 {
		t.Errorf("document rows: %d, want 0", got)
	}

	// The same bytes already attached elsewhere survive the failure.
	shared := request.BuildPDF("\n", "shared")
	other := mustCreate(t, e, e.officerA, validInput())
	mustUpload(t, e, e.officerA, other.ID, shared)
	if _, err := e.svc.UploadDocument(ctx, &ghost, r.ID, "order.pdf", bytes.NewReader(shared)); err == nil {
		t.Fatal("UploadDocument by a person who does not exist succeeded")
	}
	if got := blobCount(t, e); got != 1 {
		t.Errorf("blobs: %d, want 1 (the other request's document)", got)
	}
	doc, rc, err := e.svc.OpenDocument(ctx, e.officerA, other.ID, mustGet(t, e, other.ID).Documents[0].ID)
	if err != nil {
		t.Fatalf("OpenDocument: %v", err)
	}
	defer rc.Close()
	if b, err := io.ReadAll(rc); err != nil || !bytes.Equal(b, shared) {
		t.Errorf("document %s: %d bytes, %v", doc.ID, len(b), err)
	}
}

func mustGet(t *testing.T, e *env, id string) *request.Request {
	t.Helper()
	r, err := e.svc.Get(context.Background(), e.officerA, id)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return r
}

func TestConcurrentReferences(t *testing.T) {
	e := newEnv(t)
	const n = 20
	refs := make([]string, n)
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := e.officerA
			if i%2 == 1 {
				actor = e.officerB
			}
			r, err := e.svc.Create(context.Background(), actor, validInput())
			if err != nil {
				errc <- err
				return
			}
			refs[i] = r.Reference
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("concurrent Create: %v", err)
	}
	slices.Sort(refs)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("WD-2026-%06d", i))
	}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("references (-want +got):\n%s", diff)
	}
	// The next year starts again at 1.
	e.svc.Now = func() time.Time { return time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC) }
	if r := mustCreate(t, e, e.officerA, validInput()); r.Reference != "WD-2027-000001" {
		t.Errorf("first reference of 2027 = %s, want WD-2027-000001", r.Reference)
	}
}

func TestListPagination(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var wantA []string
	for i := range 23 {
		r := mustCreate(t, e, e.officerA, validInput())
		wantA = append(wantA, r.ID)
		if i%5 == 0 {
			mustCreate(t, e, e.officerB, validInput())
		}
	}
	slices.Reverse(wantA) // newest first

	var got []string
	var sizes []int
	f := request.Filter{Limit: 5}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		page, err := e.svc.List(ctx, e.officerA, f)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		sizes = append(sizes, len(page.Items))
		for _, r := range page.Items {
			got = append(got, r.ID)
			if r.AgencyID != e.a.ID {
				t.Errorf("List returned another agency's request %s", r.ID)
			}
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
		// A request filed while paging is newer than the cursor: it does not
		// shift the pages still to come.
		if pages == 1 {
			mustCreate(t, e, e.officerA, validInput())
		}
	}
	if diff := cmp.Diff(wantA, got); diff != "" {
		t.Errorf("ids across pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{5, 5, 5, 5, 3}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}

	all, err := e.svc.List(ctx, e.reviewer, request.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all.Items), 0; got != want {
		t.Errorf("provider lists %d drafts, want %d: drafts stay with the agency", got, want)
	}
	def, err := e.svc.List(ctx, e.officerA, request.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(def.Items), 24; got != want || def.NextCursor != "" {
		t.Errorf("default page: %d items, cursor %q; want %d and none", got, def.NextCursor, want)
	}
	sub, err := e.svc.List(ctx, e.officerA, request.Filter{Status: request.StateSubmitted})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Items) != 0 {
		t.Errorf("submitted: %d items, want 0", len(sub.Items))
	}

	for _, tc := range []struct {
		desc   string
		filter request.Filter
		want   []string
	}{
		{desc: "unknown status", filter: request.Filter{Status: "pending"}, want: []string{"status"}},
		{desc: "negative limit", filter: request.Filter{Limit: -1}, want: []string{"limit"}},
		{desc: "cursor not base64", filter: request.Filter{Cursor: "!!!"}, want: []string{"cursor"}},
		{desc: "cursor not ours", filter: request.Filter{Cursor: "aGVsbG8"}, want: []string{"cursor"}},
		{desc: "cursor with SQL", filter: request.Filter{Cursor: "cjE6JyBPUiAxPTEgLS0"}, want: []string{"cursor"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.svc.List(ctx, e.officerA, tc.filter)
			if got, want := errs.CodeOf(err), errs.Invalid; got != want {
				t.Fatalf("code %s, want %s", got, want)
			}
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	e := newEnv(t)
	in := validInput()
	in.Categories = []string{"subscriber", "content"}
	r := mustCreate(t, e, e.officerA, in)
	sc, err := e.svc.Evaluate(context.Background(), mustGet(t, e, r.ID))
	if err != nil {
		t.Fatal(err)
	}
	want := request.Scope{
		Valid: true, Categories: []string{"subscriber"},
		Refused:  []request.Refusal{{Category: "content", Code: "e2ee", Reason: contentReason}},
		DateFrom: "2026-08-01", DateTo: "2026-11-01", Jurisdiction: "us", ProcessKind: "subpoena",
	}
	if diff := cmp.Diff(want, sc); diff != "" {
		t.Errorf("Evaluate (-want +got):\n%s", diff)
	}
}
