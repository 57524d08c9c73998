package auditing_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// fixture is a trail with one agency, its officer (Dana Reyes), a provider
// reviewer (Sam Ortiz) and auditor, and one request of Dana's with a few
// events about it.
type fixture struct {
	db                          *db.DB
	trail                       *auditing.Trail
	officer, reviewer, auditor  *identity.Principal
	admin                       *identity.Principal
	agency                      *agency.Agency
	requestID, reference, other string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	pol, err := policy.Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: d, trail: &auditing.Trail{DB: d.DB, Policy: request.NewPolicy(pol), Now: func() time.Time { return now }}}
	f.agency = &agency.Agency{Name: "Riverside Police Department", Country: "US", Kind: "police", Issuer: "https://idp.riverside.example", CreatedAt: now, UpdatedAt: now}
	if err := agency.Create(ctx, d.DB, f.agency); err != nil {
		t.Fatal(err)
	}
	f.officer = mustPerson(t, d, f.agency, "dana", "Dana Reyes", identity.RoleOfficer)
	f.reviewer = mustPerson(t, d, nil, "sam", "Sam Ortiz", identity.RoleReviewer)
	f.auditor = mustPerson(t, d, nil, "ava", "Ava Auditor", identity.RoleAuditor)
	f.admin = mustPerson(t, d, nil, "adam", "Adam Admin", identity.RoleAdmin)
	svc := &request.Service{DB: d.DB, Policy: request.NewPolicy(pol), Now: func() time.Time { return now }}
	for i, into := range []*string{&f.requestID, &f.other} {
		r, err := svc.Create(ctx, f.officer, request.Input{Process: "us.subpoena", Docket: fmt.Sprintf("CR-%d", i)})
		if err != nil {
			t.Fatalf("create request: %v", err)
		}
		*into = r.ID
		if i == 0 {
			f.reference = r.Reference
		}
	}
	for _, ev := range []audit.Event{
		{At: now, Actor: f.reviewer.AuditActor(), Action: "workflow.approve", ObjectType: "request", ObjectID: f.requestID, RequestID: f.requestID,
			Details: `{"from":"in_review","to":"approved","comment":"=HYPERLINK(\"x\")"}`},
		{At: now, Actor: f.reviewer.AuditActor(), Action: request.ActionView, ObjectType: "request", ObjectID: f.other, RequestID: f.other},
	} {
		if err := audit.Write(ctx, d.DB, ev); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func mustPerson(t *testing.T, d *db.DB, a *agency.Agency, subject, name string, role identity.Role) *identity.Principal {
	t.Helper()
	p := &identity.Principal{PersonID: uuid.NewString(), Issuer: "https://idp.provider.example", Subject: subject,
		Kind: identity.KindPerson, Name: name, Roles: []identity.Role{role}, Provider: a == nil,
		MFA: true, AuthTime: time.Now()} // a second factor just now: step-up decides on roles
	var agencyID any
	if a != nil {
		p.Issuer, p.AgencyID, p.AgencyName, p.AgencyCountry, p.AgencyKind = a.Issuer, a.ID, a.Name, a.Country, a.Kind
		agencyID = a.ID
	}
	err := d.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, email, name, roles, status, created_at, updated_at)
		VALUES (?, ?, ?, 'person', ?, ?, ?, ?, 'active', ?, ?)`, p.PersonID, p.Issuer, p.Subject, agencyID, subject+"@example.org", name, string(role), now, now).Error
	if err != nil {
		t.Fatalf("create person: %v", err)
	}
	return p
}

// views counts the trail's readings by actor.
func views(t *testing.T, f *fixture, actor *identity.Principal, outcome string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Model(&audit.Event{}).Where("action = ? AND actor_subject = ? AND outcome = ?", audit.ActionView, actor.Subject, outcome).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchByReferenceAndPerson: people find events by a request's
// reference and a person's name, and read them with names, the agency and
// the reference; the reading is recorded with what was asked.
func TestSearchByReferenceAndPerson(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tests := []struct {
		desc string
		q    auditing.Query
		want []string // actions, newest first
	}{
		{"Reference", auditing.Query{Reference: f.reference}, []string{"workflow.approve", request.ActionCreate}},
		{"ReferenceInLowerCase", auditing.Query{Reference: " " + strings.ToLower(f.reference) + " "}, []string{"workflow.approve", request.ActionCreate}},
		{"PersonByPartOfName", auditing.Query{Person: "ortiz"}, []string{request.ActionView, "workflow.approve"}},
		{"PersonByEmail", auditing.Query{Person: "dana@"}, []string{request.ActionCreate, request.ActionCreate}},
		{"Both", auditing.Query{Reference: f.reference, Person: "Sam"}, []string{"workflow.approve"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			p, err := f.trail.Search(ctx, f.auditor, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range p.Entries {
				got = append(got, e.Action)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("actions = %v, want %v", got, tc.want)
			}
			if p.Total != int64(len(tc.want)) || p.Pages != 1 || p.Number != 1 {
				t.Errorf("page %d of %d, total %d; want 1 of 1, total %d", p.Number, p.Pages, p.Total, len(tc.want))
			}
		})
	}
	p, err := f.trail.Search(ctx, f.auditor, auditing.Query{Reference: f.reference})
	if err != nil {
		t.Fatal(err)
	}
	approve, create := p.Entries[0], p.Entries[1]
	if approve.Person != "Sam Ortiz" || approve.Agency != "" || approve.Reference != f.reference {
		t.Errorf("approval reads %q of %q on %q, want Sam Ortiz of no agency on %s", approve.Person, approve.Agency, approve.Reference, f.reference)
	}
	if create.Person != "Dana Reyes" || create.Agency != "Riverside Police Department" {
		t.Errorf("creation reads %q of %q, want Dana Reyes of Riverside Police Department", create.Person, create.Agency)
	}
	var last audit.Event
	if err := f.db.Where("action = ?", audit.ActionView).Order("seq DESC").First(&last).Error; err != nil {
		t.Fatal(err)
	}
	if want := `"reference":"` + f.reference + `"`; !strings.Contains(last.Details, want) || !strings.Contains(last.Details, `"request_id":"`+f.requestID+`"`) {
		t.Errorf("the reading records %s, want the reference asked and the request it named", last.Details)
	}
}

// TestSearchRefusesWhatMatchesNothing: an unknown reference or a name no
// one has is said beside its field, and nothing is read.
func TestSearchRefusesWhatMatchesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.trail.Search(ctx, f.auditor, auditing.Query{Reference: "WD-1999-000001", Person: "Nobody%"})
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid {
		t.Fatalf("err = %v, want Invalid", err)
	}
	fields := map[string]bool{}
	for _, fe := range e.Fields {
		fields[fe.Field] = true
	}
	if !fields["reference"] || !fields["person"] {
		t.Errorf("fields = %v, want reference and person", e.Fields)
	}
	// "%" and "_" are the name's own characters, not patterns.
	if _, err := f.trail.Search(ctx, f.auditor, auditing.Query{Person: "_"}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("a name of \"_\" = %v, want Invalid (no one's name has one)", err)
	}
}

// TestNumberedPagesStayPut: page 2 shows the events after page 1 even
// though reading page 1 appended an event.
func TestNumberedPagesStayPut(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for i := range auditing.PageSize + 5 {
		if err := audit.Write(ctx, f.db.DB, audit.Event{At: now, Actor: f.reviewer.AuditActor(), Action: request.ActionList,
			ObjectType: "request", ObjectID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	q := auditing.Query{Person: "Sam Ortiz"}
	first, err := f.trail.Search(ctx, f.auditor, q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := first.Total, int64(auditing.PageSize+7); got != want || first.Pages != 2 {
		t.Fatalf("total %d in %d pages, want %d in 2", got, first.Pages, want)
	}
	q.Page, q.Through = 2, first.Through
	second, err := f.trail.Search(ctx, f.auditor, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(second.Entries); got != 7 {
		t.Fatalf("page 2 has %d events, want 7", got)
	}
	if last, next := first.Entries[len(first.Entries)-1].Seq, second.Entries[0].Seq; next >= last {
		t.Errorf("page 2 starts at event %d, want one before page 1's last (%d)", next, last)
	}
}

// TestExport: the export carries every page of the filtered events, with
// names, and is recorded once, before its first event, as an export.
func TestExport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	before := views(t, f, f.auditor, audit.OutcomeSuccess)
	var got []auditing.Entry
	err := f.trail.Export(ctx, f.auditor, auditing.Query{Reference: f.reference}, "csv", func(e auditing.Entry) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Person != "Sam Ortiz" || got[1].Agency != "Riverside Police Department" {
		t.Fatalf("exported %+v, want the approval by Sam Ortiz and the creation by Riverside's officer", got)
	}
	if after := views(t, f, f.auditor, audit.OutcomeSuccess); after != before+1 {
		t.Errorf("readings recorded %d → %d, want one more", before, after)
	}
	var last audit.Event
	if err := f.db.Where("action = ?", audit.ActionView).Order("seq DESC").First(&last).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(last.Details, `"export":"csv"`) {
		t.Errorf("the export is recorded as %s, want export csv", last.Details)
	}
}

// TestOnlyAuditorsRead: the policy lets auditors read the trail; anyone
// else is refused, and the refusal is recorded, for the page and the export.
func TestOnlyAuditorsRead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, who := range []*identity.Principal{f.officer, f.reviewer, f.admin} {
		t.Run(who.Subject, func(t *testing.T) {
			if _, err := f.trail.Search(ctx, who, auditing.Query{}); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("Search = %v, want Forbidden", err)
			}
			called := false
			err := f.trail.Export(ctx, who, auditing.Query{}, "csv", func(auditing.Entry) error { called = true; return nil })
			if errs.CodeOf(err) != errs.Forbidden || called {
				t.Errorf("Export = %v (called %v), want Forbidden and nothing read", err, called)
			}
			if n := views(t, f, who, audit.OutcomeDenied); n != 2 {
				t.Errorf("%d refusals recorded, want 2", n)
			}
		})
	}
	if _, err := f.trail.Search(ctx, nil, auditing.Query{}); errs.CodeOf(err) != errs.Unauthenticated {
		t.Errorf("Search signed out = %v, want Unauthenticated", err)
	}
}
