package admin_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/admin"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

type fixture struct {
	ctx          context.Context
	db           *db.DB
	svc          *admin.Service
	admin, other *identity.Principal // two different administrators
	intake       *identity.Principal
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	pol, err := policy.Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	store, err := blob.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{ctx: ctx, db: d, svc: &admin.Service{DB: d.DB, Policy: pol, Blobs: store},
		admin: wt.MustPerson(t, d, nil, "admin", identity.RoleAdmin), other: wt.MustPerson(t, d, nil, "admin2", identity.RoleAdmin),
		intake: wt.MustPerson(t, d, nil, "intake", identity.RoleIntake)}
}

func (f *fixture) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) register(t *testing.T, org string) *agency.Agency {
	t.Helper()
	a, err := f.svc.CreateAgency(f.ctx, f.admin, agency.Agency{Name: "Eastport Police " + org, Country: "US", Kind: "police",
		Issuer: "https://idp.eastport.example", IssuerOrg: org, Jurisdiction: "City of Eastport"}, []string{"Eastport-PD.example", "@mail.eastport-pd.example"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return a
}

// wantField checks that err is code with a message beside field.
func wantField(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return
		}
	}
	t.Errorf("got fields %+v, want one on %s", e.Fields, field)
}

// TestOnboardingNeedsTwoAdministrators: a registered agency is pending; the
// administrator who registered it cannot activate it; another one can, once
// a verification and a directory number are recorded; every move of its
// status is recorded with who and why, and audited.
func TestOnboardingNeedsTwoAdministrators(t *testing.T) {
	f := newFixture(t)
	a := f.register(t, "eastport")
	if a.Status != agency.StatusPending || a.CreatedBy == nil || *a.CreatedBy != f.admin.PersonID {
		t.Fatalf("registered: status %s by %v, want pending by the admin", a.Status, a.CreatedBy)
	}
	if got, err := agency.EmailDomains(f.ctx, f.db.DB, a.ID); err != nil || strings.Join(got, " ") != "eastport-pd.example mail.eastport-pd.example" {
		t.Errorf("e-mail domains %v (%v), want them lower-cased without @", got, err)
	}

	activate := func(by *identity.Principal) error {
		return f.svc.SetAgencyStatus(f.ctx, by, a.ID, agency.StatusActive, "Checked.")
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T)
		by    *identity.Principal
		want  errs.Code
		words string
	}{
		{"by its registrant", nil, f.admin, errs.Conflict, "another administrator"},
		{"by intake", nil, f.intake, errs.Forbidden, ""},
		{"without a verification", nil, f.other, errs.Conflict, "verified"},
		{"without a directory number", func(t *testing.T) {
			if _, err := f.svc.AddVerification(f.ctx, f.admin, a.ID, "official_directory", "Switchboard from the city's site."); err != nil {
				t.Fatal(err)
			}
		}, f.other, errs.Conflict, "callback directory"},
		{"with its only number removed", func(t *testing.T) {
			c, err := f.svc.AddCallback(f.ctx, f.admin, a.ID, "Switchboard", "+1 555 0100 200", "City directory")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.RemoveCallback(f.ctx, f.admin, a.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}, f.other, errs.Conflict, "callback directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			err := activate(tc.by)
			if errs.CodeOf(err) != tc.want || !strings.Contains(errs.Message(err), tc.words) {
				t.Fatalf("activate: %v, want %s saying %q", err, tc.want, tc.words)
			}
			if got, _ := agency.FindByID(f.ctx, f.db.DB, a.ID); got.Status != agency.StatusPending {
				t.Errorf("refused activation left the agency %s", got.Status)
			}
		})
	}
	if _, err := f.svc.AddCallback(f.ctx, f.admin, a.ID, "Duty inspector", "+1 (555) 010-0201", "Told by the switchboard on our call"); err != nil {
		t.Fatal(err)
	}
	if err := activate(f.other); err != nil {
		t.Fatalf("activation by a second administrator: %v", err)
	}
	got, _ := agency.FindByID(f.ctx, f.db.DB, a.ID)
	if got.Status != agency.StatusActive || got.ActivatedBy == nil || *got.ActivatedBy != f.other.PersonID || got.ActivatedAt == nil {
		t.Errorf("activated: %+v", got)
	}
	wantField(t, f.svc.SetAgencyStatus(f.ctx, f.admin, a.ID, agency.StatusSuspended, " "), errs.Invalid, "reason")
	if err := f.svc.SetAgencyStatus(f.ctx, f.admin, a.ID, agency.StatusSuspended, "Account takeover reported."); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetAgencyStatus(f.ctx, f.admin, a.ID, agency.StatusActive, "Accounts reset."); err != nil {
		t.Fatal(err)
	}
	changes, err := agency.StatusChanges(f.ctx, f.db.DB, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, c := range changes {
		who := ""
		switch {
		case c.ActorID != nil && *c.ActorID == f.admin.PersonID:
			who = "admin"
		case c.ActorID != nil && *c.ActorID == f.other.PersonID:
			who = "other"
		}
		trail = append(trail, c.FromStatus+">"+c.ToStatus+" "+who+" "+c.Reason)
	}
	want := []string{">pending admin Registered", "pending>active other Checked.", "active>suspended admin Account takeover reported.",
		"suspended>active admin Accounts reset."}
	if strings.Join(trail, "|") != strings.Join(want, "|") {
		t.Errorf("status history\n got %q\nwant %q", trail, want)
	}
	for _, action := range []string{"agency.create", "agency.verify", "agency.callback.add", "agency.callback.remove", "agency.approve", "agency.suspend", "agency.activate"} {
		var n int64
		if err := f.db.Table(wt.AuditTrail).Where("action = ?", action).Count(&n).Error; err != nil || n == 0 {
			t.Errorf("no %s audit event (%v)", action, err)
		}
	}
	rec, err := f.svc.Agency(f.ctx, f.other, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Verifications) != 1 || len(rec.Callbacks) != 2 || len(rec.Domains) != 2 || rec.Names[f.admin.PersonID] != f.admin.Name {
		t.Errorf("record: %d verifications, %d callbacks, %d domains, names %v", len(rec.Verifications), len(rec.Callbacks), len(rec.Domains), rec.Names)
	}
}

// TestBadInputWritesNothing: each refused registration or record is
// refused beside its field and leaves every table as it was.
func TestBadInputWritesNothing(t *testing.T) {
	f := newFixture(t)
	a := f.register(t, "eastport")
	tables := []string{"agencies", "agency_status_changes", "agency_email_domains", "agency_verifications", "agency_callbacks", "agency_documents"}
	base := agency.Agency{Name: "Westport Police", Country: "US", Kind: "police", Issuer: "https://idp.eastport.example", IssuerOrg: "westport"}
	for _, tc := range []struct {
		name  string
		do    func() error
		code  errs.Code
		field string
	}{
		{"duplicate issuer and organisation", func() error {
			b := base
			b.IssuerOrg = "eastport"
			_, err := f.svc.CreateAgency(f.ctx, f.admin, b, nil)
			return err
		}, errs.Invalid, "issuer_org"},
		{"malformed e-mail domain", func() error {
			_, err := f.svc.CreateAgency(f.ctx, f.admin, base, []string{"westport.example", "not a domain"})
			return err
		}, errs.Invalid, "domains"},
		{"no country", func() error {
			b := base
			b.Country = ""
			_, err := f.svc.CreateAgency(f.ctx, f.admin, b, nil)
			return err
		}, errs.Invalid, "country"},
		{"unknown verification method", func() error {
			_, err := f.svc.AddVerification(f.ctx, f.admin, a.ID, "gut_feeling", "")
			return err
		}, errs.Invalid, "method"},
		{"malformed phone number", func() error {
			_, err := f.svc.AddCallback(f.ctx, f.admin, a.ID, "Switchboard", "call the front desk", "City directory")
			return err
		}, errs.Invalid, "phone"},
		{"impossible phone number", func() error {
			_, err := f.svc.AddCallback(f.ctx, f.admin, a.ID, "Switchboard", "+1 555", "City directory")
			return err
		}, errs.Invalid, "phone"},
		{"empty source", func() error {
			_, err := f.svc.AddCallback(f.ctx, f.admin, a.ID, "Switchboard", "+1 555 0100 200", "  ")
			return err
		}, errs.Invalid, "source"},
		{"malformed domain", func() error {
			_, err := f.svc.AddEmailDomain(f.ctx, f.admin, a.ID, "http://eastport")
			return err
		}, errs.Invalid, "domain"},
		{"a document that is no PDF or image", func() error {
			_, err := f.svc.UploadAgencyDocument(f.ctx, f.admin, a.ID, "", "letter.txt", strings.NewReader("Dear provider"))
			return err
		}, errs.Unsupported, "file"},
		{"a document for another agency's verification", func() error {
			_, err := f.svc.UploadAgencyDocument(f.ctx, f.admin, a.ID, "no-such-verification", "letter.pdf", strings.NewReader("%PDF-1.7\n"))
			return err
		}, errs.Invalid, "verification_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string]int64{}
			for _, tb := range tables {
				before[tb] = f.count(t, tb)
			}
			wantField(t, tc.do(), tc.code, tc.field)
			for _, tb := range tables {
				if n := f.count(t, tb); n != before[tb] {
					t.Errorf("%s: %d rows, was %d", tb, n, before[tb])
				}
			}
		})
	}
}

// TestCallbackDirectoryAndDocuments: numbers are kept in E.164 and a
// removed one keeps its row; another agency's number cannot be removed
// through this one; a document is stored and read back.
func TestCallbackDirectoryAndDocuments(t *testing.T) {
	f := newFixture(t)
	a, b := f.register(t, "eastport"), f.register(t, "northport")
	c, err := f.svc.AddCallback(f.ctx, f.admin, a.ID, "Switchboard", "(555) 010-0200", "City directory")
	if err != nil {
		t.Fatal(err)
	}
	if c.Phone != "+15550100200" {
		t.Errorf("phone %s, want E.164 in the agency's country", c.Phone)
	}
	if err := f.svc.RemoveCallback(f.ctx, f.admin, b.ID, c.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("remove through another agency: %v, want NotFound", err)
	}
	if err := f.svc.RemoveCallback(f.ctx, f.admin, a.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveCallback(f.ctx, f.admin, a.ID, c.ID); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("remove twice: %v, want Conflict", err)
	}
	all, _ := agency.Callbacks(f.ctx, f.db.DB, a.ID, true)
	live, _ := agency.Callbacks(f.ctx, f.db.DB, a.ID, false)
	if len(all) != 1 || all[0].RemovedAt == nil || all[0].RemovedBy == nil || len(live) != 0 {
		t.Errorf("after removal: %d rows (%+v), %d live", len(all), all, len(live))
	}

	v, err := f.svc.AddVerification(f.ctx, f.admin, a.ID, "in_person", "Met the chief at the station.")
	if err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	d, err := f.svc.UploadAgencyDocument(f.ctx, f.admin, a.ID, v.ID, "../badge.png", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	if d.ContentType != "image/png" || d.Filename != "badge.png" || d.VerificationID == nil || *d.VerificationID != v.ID {
		t.Errorf("document %+v", d)
	}
	if _, _, err := f.svc.AgencyDocument(f.ctx, f.intake, a.ID, d.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("intake downloads: %v, want Forbidden", err)
	}
	got, rc, err := f.svc.AgencyDocument(f.ctx, f.other, a.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if got.ID != d.ID || !bytes.Equal(body, png) {
		t.Errorf("downloaded %d bytes of %s", len(body), got.ID)
	}
	if _, _, err := f.svc.AgencyDocument(f.ctx, f.other, b.ID, d.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("download through another agency: %v, want NotFound", err)
	}
}
