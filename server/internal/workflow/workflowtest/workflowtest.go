// Package workflowtest builds a real workflow for tests: a freshly migrated
// database (dbtest), the embedded policy bundle, the request service with a
// local blob store, two agencies with their people, the provider's staff,
// and an Engine with River workers. Nothing is mocked.
package workflowtest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
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
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// T is the part of testing.TB the helpers use, so that they also serve
// property tests (*rapid.T).
type T interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// An Env is a workflow on a real database with the people of the demo.
type Env struct {
	DB       *db.DB
	Policy   *policy.Engine
	Requests *request.Service
	Engine   *workflow.Engine

	Agency, Other *agency.Agency // Riverside (US) and Northshire (GB)
	EU            *agency.Agency // Berlin's criminal police (DE), for EU orders

	Officer, Sergeant, Lieutenant *identity.Principal // Riverside: officer; supervisors
	Client                        *identity.Principal // Riverside's case-management system (an officer)
	OtherOfficer, OtherSupervisor *identity.Principal // Northshire
	EUOfficer, EUSupervisor       *identity.Principal // Berlin
	EUSupervisor2                 *identity.Principal // Berlin: a second supervisor, who co-signs the first's emergencies
	Intake, Reviewer, Reviewer2   *identity.Principal
	Counsel, Counsel2             *identity.Principal
	Admin, Auditor                *identity.Principal
}

// Options adjust an Env.
type Options struct {
	DB      *db.DB           // default: dbtest.Open
	Config  workflow.Config  // DB and Policy are filled in; Workers default 2, PollInterval 50ms
	Now     func() time.Time // the engine's clock (default time.Now)
	NoStart bool             // do not start the River workers yet (Start does)
}

// New returns an Env whose engine works jobs until the test ends.
func New(tb testing.TB, opts Options) *Env {
	tb.Helper()
	ctx := context.Background()
	d := opts.DB
	if d == nil {
		d = dbtest.Open(tb)
	}
	pol, err := policy.Load(ctx, policies.FS)
	if err != nil {
		tb.Fatalf("load policy: %v", err)
	}
	store, err := blob.NewLocal(filepath.Join(tb.TempDir(), "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	e := &Env{DB: d, Policy: pol, Requests: &request.Service{DB: d.DB, Blobs: store, Policy: request.NewPolicy(pol)}}
	e.Agency = MustAgency(tb, d, "Riverside Police Department", "US", "https://idp.riverside.example")
	e.Other = MustAgency(tb, d, "Northshire Constabulary", "GB", "https://idp.northshire.example")
	e.Officer = MustPerson(tb, d, e.Agency, "officer", identity.RoleOfficer)
	e.Sergeant = MustPerson(tb, d, e.Agency, "sergeant", identity.RoleOfficer, identity.RoleSupervisor)
	e.Lieutenant = MustPerson(tb, d, e.Agency, "lieutenant", identity.RoleOfficer, identity.RoleSupervisor)
	e.Client = MustPerson(tb, d, e.Agency, "riverside-cms", identity.RoleOfficer)
	e.Client.Kind = identity.KindClient
	e.OtherOfficer = MustPerson(tb, d, e.Other, "other-officer", identity.RoleOfficer)
	e.OtherSupervisor = MustPerson(tb, d, e.Other, "other-inspector", identity.RoleOfficer, identity.RoleSupervisor)
	e.EU = MustAgency(tb, d, "Landeskriminalamt Berlin", "DE", "https://idp.berlin.example")
	e.EUOfficer = MustPerson(tb, d, e.EU, "eu-officer", identity.RoleOfficer)
	e.EUSupervisor = MustPerson(tb, d, e.EU, "eu-supervisor", identity.RoleOfficer, identity.RoleSupervisor)
	e.EUSupervisor2 = MustPerson(tb, d, e.EU, "eu-supervisor2", identity.RoleOfficer, identity.RoleSupervisor)
	e.Intake = MustPerson(tb, d, nil, "intake", identity.RoleIntake)
	e.Reviewer = MustPerson(tb, d, nil, "reviewer", identity.RoleReviewer)
	e.Reviewer2 = MustPerson(tb, d, nil, "reviewer2", identity.RoleReviewer)
	e.Counsel = MustPerson(tb, d, nil, "counsel", identity.RoleCounsel)
	e.Counsel2 = MustPerson(tb, d, nil, "counsel2", identity.RoleCounsel)
	e.Admin = MustPerson(tb, d, nil, "admin", identity.RoleAdmin)
	e.Auditor = MustPerson(tb, d, nil, "auditor", identity.RoleAuditor)

	cfg := opts.Config
	cfg.DB, cfg.Policy = d, pol
	if cfg.Now == nil {
		cfg.Now = opts.Now
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	e.Engine, err = workflow.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if !opts.NoStart {
		e.Start(tb)
	}
	return e
}

// Start starts the engine's River workers until the test ends.
func (e *Env) Start(tb testing.TB) {
	tb.Helper()
	if err := e.Engine.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Engine.Stop(stop); err != nil {
			tb.Errorf("stop workflow: %v", err)
		}
	})
}

var seq atomic.Int64

// MustAgency stores an agency.
func MustAgency(tb testing.TB, d *db.DB, name, country, issuer string) *agency.Agency {
	tb.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	a := &agency.Agency{Name: name, Country: country, Kind: "police", Issuer: issuer, CreatedAt: now, UpdatedAt: now}
	if err := agency.Create(context.Background(), d.DB, a); err != nil {
		tb.Fatalf("create agency: %v", err)
	}
	// Its callback directory's switchboard (CallbackID), which intake
	// calls to verify its emergencies.
	phone := map[string]string{"US": "+15550100100", "GB": "+442079460000", "DE": "+49301234567"}[country]
	if phone == "" {
		phone = "+15550100100"
	}
	c := &agency.CallbackEntry{ID: CallbackID(a), Label: "24-hour switchboard", Phone: phone, Source: "The agency's published directory"}
	if err := agency.AddCallback(context.Background(), d.DB, a, c); err != nil {
		tb.Fatalf("add callback number: %v", err)
	}
	return a
}

// CallbackID is the id of the switchboard MustAgency puts in the agency's
// callback directory.
func CallbackID(a *agency.Agency) string { return "switchboard-" + a.ID }

// MustPerson stores a person and returns their principal; a nil agency
// makes provider staff.
func MustPerson(tb testing.TB, d *db.DB, a *agency.Agency, subject string, roles ...identity.Role) *identity.Principal {
	tb.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	p := &identity.Principal{
		PersonID: uuid.NewString(), Issuer: "https://idp.provider.example", Subject: fmt.Sprintf("%s-%d", subject, seq.Add(1)),
		Kind: identity.KindPerson, Name: subject, Email: subject + "@example.org", Roles: roles, Provider: a == nil,
		// Signed in with a second factor just now, so that the policy's
		// step-up (approve, countersign, co-sign, download) decides on
		// roles; tests of step-up itself clear these.
		MFA: true, AuthTime: time.Now(),
	}
	var agencyID any
	if a != nil {
		p.Issuer, p.AgencyID, p.AgencyName, p.AgencyCountry, p.AgencyKind = a.Issuer, a.ID, a.Name, a.Country, a.Kind
		agencyID = a.ID
	}
	roleStr := ""
	for i, r := range roles {
		if i > 0 {
			roleStr += " "
		}
		roleStr += string(r)
	}
	err := d.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, email, name, roles, created_at, updated_at)
		VALUES (?, ?, ?, 'person', ?, ?, ?, ?, ?, ?)`, p.PersonID, p.Issuer, p.Subject, agencyID, p.Email, p.Name, roleStr, now, now).Error
	if err != nil {
		tb.Fatalf("create person: %v", err)
	}
	return p
}

// A Kind of request the fixture files.
type Kind int

// Kinds of request.
const (
	Subpoena     Kind = iota // us.subpoena: one approval, legal queue
	ManyTargets              // us.2703d with eleven targets: two approvals (four eyes)
	Emergency                // us.emergency: supervisor co-signature, emergency queue, two approvals
	Preservation             // us.preservation: preserved for 90 days, one extension
	Warrant                  // us.warrant: one approval; fulfils a preservation it links

	// EU orders (Regulation (EU) 2023/1543), filed by the EU agency (DE).
	EUTraffic      // eu.epoc for traffic data, person and offence abroad: the enforcing authority is notified, production held 10 days
	EUDomestic     // eu.epoc for traffic data, person and offence in the issuing State: nobody is notified (Art. 8(2))
	EUEmergency    // eu.epoc in an emergency, notified: produced at once, 96 hours to object
	EUPreservation // eu.epoc_pr: preserved 60 days, extended by 30
)

// Input returns a complete request of kind k, dated relative to today.
func Input(k Kind) request.Input {
	today := day.Of(time.Now().UTC())
	months := 240.0 // 20 years
	in := request.Input{
		Process:          "us.subpoena",
		IssuingAuthority: request.Authority{Kind: "court", Name: "Superior Court of Riverside County", SignedBy: "Hon. A. Example"},
		Docket:           "CR-2026-01234",
		IssuedOn:         today.AddDays(-2),
		ExpiresOn:        today.AddDays(90),
		Targets:          []request.Target{{Type: "phone", Value: "+15550100123"}},
		DateFrom:         today.AddDays(-60),
		DateTo:           today.AddDays(-5),
		Categories:       []string{"subscriber", "connection_log"},
		Offence:          request.Offence{Description: "armed robbery", MaxPenaltyMonths: &months},
		Summary:          "Suspect's phone used to arrange the robbery.",
	}
	switch k {
	case ManyTargets:
		in.Process = "us.2703d"
		in.Targets = nil
		for i := range 11 {
			in.Targets = append(in.Targets, request.Target{Type: "phone", Value: fmt.Sprintf("+1555010%04d", 100+i)})
		}
		in.Categories = []string{"subscriber", "connection_log", "device"}
	case Emergency:
		in.Process = "us.emergency"
		in.IssuingAuthority = request.Authority{Kind: "agency", Name: "Riverside Police Department", SignedBy: "Sgt. M. Hill"}
		in.Docket = "EM-2026-0001"
		in.DateFrom = today.AddDays(-20)
		in.Categories = []string{"subscriber", "activity", "connection_log"}
		in.Emergency = &request.Emergency{Narrative: "A kidnapped child is held; the kidnapper uses this account. Every hour counts.",
			Callback: "+15550100199"}
	case Preservation:
		in.Process = "us.preservation"
		in.IssuingAuthority = request.Authority{Kind: "agency", Name: "Riverside Police Department", SignedBy: "Det. D. Reyes"}
		in.Docket = "PR-2026-0001"
		in.Categories = []string{"subscriber", "connection_log", "device"}
	case Warrant:
		in.Process = "us.warrant"
		in.Categories = []string{"subscriber", "connection_log", "device"}
	case EUTraffic, EUDomestic, EUEmergency, EUPreservation:
		in.Process = "eu.epoc"
		in.IssuingAuthority = request.Authority{Kind: "court", Name: "Amtsgericht Tiergarten", SignedBy: "Richterin Dr. A. Beispiel"}
		in.Docket = "EU-2026-0001"
		in.Purpose = "criminal_proceedings"
		in.Categories = []string{"subscriber", "connection_log"}
		months := 60.0 // five years
		in.Offence = request.Offence{Description: "aggravated fraud", MaxPenaltyMonths: &months}
		switch k {
		case EUDomestic:
			in.Offence.CommittedInIssuingState, in.PersonResides = true, true
		case EUEmergency:
			in.Docket = "EU-EM-2026-0001"
			in.Emergency = &request.Emergency{Narrative: "A person is held hostage; the kidnapper uses this account. Every hour counts.",
				Callback: "+49 30 901820"}
		case EUPreservation:
			in.Process = "eu.epoc_pr"
			in.Docket = "EU-PR-2026-0001"
			in.Purpose = ""
			in.Categories = []string{"subscriber", "connection_log", "device"}
		}
	}
	return in
}

// Filer is who files a request of kind k in the fixture: the EU agency's
// officer for EU orders, Riverside's otherwise.
func (e *Env) Filer(k Kind) *identity.Principal {
	if k >= EUTraffic {
		return e.EUOfficer
	}
	return e.Officer
}

// File creates a request of kind k as actor (an officer), uploads its
// order, submits it and routes it, as the web layer does.
func (e *Env) File(tb T, actor *identity.Principal, k Kind) *request.Request {
	tb.Helper()
	r := e.Draft(tb, actor, k)
	return e.Submit(tb, actor, r.ID)
}

// FileOf creates, uploads the order of, and submits in, as File does.
func (e *Env) FileOf(tb T, actor *identity.Principal, in request.Input) *request.Request {
	tb.Helper()
	r := e.DraftOf(tb, actor, in)
	return e.Submit(tb, actor, r.ID)
}

// Backdated is in with its order issued, and its dates moved, n days
// earlier: for a test that submits it on an engine clock set back in time
// (the policy judges the order's dates by that clock).
func Backdated(in request.Input, n int) request.Input {
	in.IssuedOn, in.DateFrom, in.DateTo = in.IssuedOn.AddDays(-n), in.DateFrom.AddDays(-n), in.DateTo.AddDays(-n)
	return in
}

// Draft creates a draft of kind k with its order uploaded.
func (e *Env) Draft(tb T, actor *identity.Principal, k Kind) *request.Request {
	tb.Helper()
	return e.DraftOf(tb, actor, Input(k))
}

// DraftOf creates a draft of in with its order uploaded. An emergency that
// names no supervisor names the first other supervisor of actor's agency,
// as the form offers them.
func (e *Env) DraftOf(tb T, actor *identity.Principal, in request.Input) *request.Request {
	tb.Helper()
	ctx := context.Background()
	if in.Emergency != nil && in.Emergency.SupervisorID == "" {
		sups, err := e.Requests.Supervisors(ctx, actor)
		if err != nil || len(sups) == 0 {
			tb.Fatalf("no supervisor to name for an emergency of %s: %v", actor.Subject, err)
		}
		em := *in.Emergency
		em.SupervisorID = sups[0].ID
		in.Emergency = &em
	}
	r, err := e.Requests.Create(ctx, actor, in)
	if err != nil {
		tb.Fatalf("create: %v", err)
	}
	if _, err := e.Requests.UploadDocument(ctx, actor, r.ID, "order.pdf", bytes.NewReader(PDF())); err != nil {
		tb.Fatalf("upload: %v", err)
	}
	return r
}

// Submit submits draft id (the workflow routes it in the same transaction).
func (e *Env) Submit(tb T, actor *identity.Principal, id string) *request.Request {
	tb.Helper()
	ctx := context.Background()
	if _, err := e.Engine.Transition(ctx, actor, id, 0, workflow.ActionSubmit, workflow.Input{}); err != nil {
		tb.Fatalf("submit: %v", err)
	}
	r, err := request.Read(ctx, e.DB.DB, id)
	if err != nil {
		tb.Fatalf("read after submit: %v", err)
	}
	return r
}

// Version returns the current version of request id.
func (e *Env) Version(tb T, id string) int {
	tb.Helper()
	var v int
	if err := e.DB.Raw("SELECT version FROM requests WHERE id = ?", id).Scan(&v).Error; err != nil {
		tb.Fatal(err)
	}
	return v
}

// State returns the current state of request id.
func (e *Env) State(tb T, id string) workflow.State {
	tb.Helper()
	var s string
	if err := e.DB.Raw("SELECT status FROM requests WHERE id = ?", id).Scan(&s).Error; err != nil {
		tb.Fatal(err)
	}
	return workflow.State(s)
}

// Case returns the workflow case of request id.
func (e *Env) Case(tb T, id string) workflow.Case {
	tb.Helper()
	var c workflow.Case
	if err := e.DB.Where("request_id = ?", id).Take(&c).Error; err != nil {
		tb.Fatalf("case of %s: %v", id, err)
	}
	return c
}

// Do takes action on request id at its current version and fails the test
// on error.
func (e *Env) Do(tb T, actor *identity.Principal, id string, a workflow.Action, in workflow.Input) *workflow.Status {
	tb.Helper()
	st, err := e.Engine.Transition(context.Background(), actor, id, e.Version(tb, id), a, in)
	if err != nil {
		tb.Fatalf("%s on %s: %v", a, id, err)
	}
	return st
}

// Verified is a complete intake verification of a request that is no
// emergency (for an emergency, see VerifiedCall).
func Verified(emergency bool) *workflow.Verification {
	if emergency {
		panic("workflowtest.Verified(true): an emergency's verification calls a number of its agency's directory; use VerifiedCall")
	}
	return &workflow.Verification{
		Requester: "Officer's badge number checked with the agency's published switchboard.",
		Document:  "Order checked against the court's public docket.",
	}
}

// VerifiedCall is a complete intake verification of an emergency of agency
// a: a confirmed callback to its switchboard (CallbackID). A nil a gives
// Verified(false).
func VerifiedCall(a *agency.Agency) *workflow.Verification {
	v := Verified(false)
	if a != nil {
		v.Callback = &workflow.Callback{DirectoryID: CallbackID(a), Outcome: "confirmed", Note: "The duty officer confirmed the request."}
	}
	return v
}

// AuditTrail is every audit event, chained or still queued for chaining
// (on PostgreSQL under load, audit.Append may queue an event in its
// transaction for the chain to take up moments later), as a FROM item.
const AuditTrail = "(SELECT request_id, action, outcome FROM audit_events UNION ALL SELECT request_id, action, outcome FROM audit_pending) AS trail"

// Count runs a COUNT query.
func (e *Env) Count(tb T, query string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := e.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// PDF is a small, well-formed PDF.
func PDF() []byte { return request.PlaceholderPDF("") }
