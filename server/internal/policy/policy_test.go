package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

const today = "2026-11-25"

const contentReason = "Message content is end-to-end encrypted; the provider holds no key and stores no content, so it cannot be produced under any legal process."

// MustLoad loads the embedded bundle once per test binary.
var mustLoad = sync.OnceValues(func() (*policy.Engine, error) {
	return policy.Load(context.Background(), policies.FS)
})

func MustLoad(tb testing.TB) *policy.Engine {
	tb.Helper()
	e, err := mustLoad()
	if err != nil {
		tb.Fatalf("load embedded bundle: %v", err)
	}
	return e
}

func months(n float64) *float64 { return &n }

// usRequest is a request in order under a process of U.S. law.
func usRequest(process, authority string, categories ...string) policy.ScopeInput {
	return policy.ScopeInput{
		Agency: policy.Agency{ID: "riverside", Country: "US", Kind: "police"},
		Request: policy.Request{
			ID:                      "req-1",
			AgencyID:                "riverside",
			Status:                  "draft",
			Process:                 process,
			AuthorityKind:           authority,
			Categories:              categories,
			Targets:                 []policy.Target{{Type: "phone", Value: "+15550100123"}},
			DateFrom:                "2026-10-01",
			DateTo:                  "2026-11-20",
			IssuedOn:                "2026-11-20",
			ExpiresOn:               "2027-02-20",
			OffenceDescription:      "armed robbery",
			OffenceMaxPenaltyMonths: months(240),
		},
		Today: today,
	}
}

func refusedCodes(s policy.Scope) map[string]string {
	m := map[string]string{}
	for _, r := range s.Refused {
		m[r.Category] = r.Code
	}
	return m
}

func TestScope(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()

	tests := []struct {
		desc       string
		in         func() policy.ScopeInput
		wantValid  bool
		wantCats   []string
		wantRefuse map[string]string
		wantJur    string
		wantKind   string
	}{
		{
			desc: "SubpoenaGetsSubscriberOnly",
			in: func() policy.ScopeInput {
				return usRequest("us.subpoena", "grand_jury", "content", "subscriber", "device")
			},
			wantValid:  true,
			wantCats:   []string{"subscriber"},
			wantRefuse: map[string]string{"content": "content_e2ee", "device": "not_compellable"},
			wantJur:    "us",
			wantKind:   "legal_process",
		},
		{
			desc: "EPOCTrafficDataFromProsecutorRefused",
			in: func() policy.ScopeInput {
				in := usRequest("eu.epoc", "prosecutor", "subscriber", "activity", "groups")
				in.Agency.Country = "DE"
				in.Request.Purpose = "criminal_proceedings"
				return in
			},
			wantValid:  true,
			wantCats:   []string{"subscriber"},
			wantRefuse: map[string]string{"activity": "issuer_not_competent", "groups": "issuer_not_competent"},
			wantJur:    "eu",
			wantKind:   "legal_process",
		},
		{
			desc: "IPAEventsDataWithoutSeriousCrimeRefused",
			in: func() policy.ScopeInput {
				in := usRequest("uk.ipa", "ocda", "subscriber", "device", "connection_log", "contacts")
				in.Agency.Country = "GB"
				in.Request.Purpose = "crime"
				in.Request.OffenceMaxPenaltyMonths = months(6)
				return in
			},
			wantValid:  true,
			wantCats:   []string{"subscriber", "device"},
			wantRefuse: map[string]string{"connection_log": "serious_crime_required", "contacts": "serious_crime_required"},
			wantJur:    "uk",
			wantKind:   "legal_process",
		},
		{
			desc: "IPAEventsDataWithSeriousCrimeAllowed",
			in: func() policy.ScopeInput {
				in := usRequest("uk.ipa", "ocda", "subscriber", "connection_log")
				in.Agency.Country = "GB"
				in.Request.Purpose = "crime"
				return in
			},
			wantValid:  true,
			wantCats:   []string{"subscriber", "connection_log"},
			wantRefuse: map[string]string{},
			wantJur:    "uk",
			wantKind:   "legal_process",
		},
		{
			desc: "GBAgencyWithUSWarrantRefusedWithGuidance",
			in: func() policy.ScopeInput {
				in := usRequest("us.warrant", "judge", "subscriber", "groups")
				in.Agency.Country = "GB"
				return in
			},
			wantValid:  true,
			wantCats:   []string{},
			wantRefuse: map[string]string{"subscriber": "foreign_process", "groups": "foreign_process"},
			wantJur:    "us",
			wantKind:   "legal_process",
		},
		{
			desc: "EmergencyDisclosure",
			in: func() policy.ScopeInput {
				in := usRequest("us.emergency", "agency", "subscriber", "connection_log")
				in.Request.Emergency = true
				in.Request.EmergencyNarrative = "A kidnapped child; the kidnapper uses this account."
				in.Request.IssuedOn, in.Request.ExpiresOn = "", ""
				return in
			},
			wantValid:  true,
			wantCats:   []string{"subscriber", "connection_log"},
			wantRefuse: map[string]string{},
			wantJur:    "us",
			wantKind:   "emergency",
		},
		{
			desc: "UnknownProcessInvalid",
			in: func() policy.ScopeInput {
				return usRequest("us.letter", "judge", "subscriber")
			},
			wantValid:  false,
			wantCats:   []string{},
			wantRefuse: map[string]string{"subscriber": "unknown_process"},
			wantJur:    "",
			wantKind:   "legal_process",
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			s, err := e.Scope(ctx, tc.in())
			if err != nil {
				t.Fatalf("Scope: %v", err)
			}
			if got, want := s.Valid, tc.wantValid; got != want {
				t.Errorf("Valid = %v, want %v (errors %+v)", got, want, s.Errors)
			}
			if diff := cmp.Diff(tc.wantCats, s.Categories); diff != "" {
				t.Errorf("Categories (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRefuse, refusedCodes(s)); diff != "" {
				t.Errorf("Refused (-want +got):\n%s", diff)
			}
			if got, want := s.Jurisdiction, tc.wantJur; got != want {
				t.Errorf("Jurisdiction = %q, want %q", got, want)
			}
			if got, want := s.ProcessKind, tc.wantKind; got != want {
				t.Errorf("ProcessKind = %q, want %q", got, want)
			}
			for _, r := range s.Refused {
				if r.Reason == "" {
					t.Errorf("refusal of %s has no reason", r.Category)
				}
			}
		})
	}
}

func TestScopeContentReason(t *testing.T) {
	s, err := MustLoad(t).Scope(context.Background(), usRequest("us.warrant", "judge", "content"))
	if err != nil {
		t.Fatal(err)
	}
	want := []policy.Refusal{{Category: "content", Code: "content_e2ee", Reason: contentReason}}
	if diff := cmp.Diff(want, s.Refused); diff != "" {
		t.Errorf("Refused (-want +got):\n%s", diff)
	}
}

func TestScopeForeignGuidance(t *testing.T) {
	in := usRequest("us.warrant", "judge", "subscriber")
	in.Agency.Country = "GB"
	s, err := MustLoad(t).Scope(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Refused) != 1 {
		t.Fatalf("Refused = %+v, want one", s.Refused)
	}
	for _, want := range []string{"U.S. law", "uk.opo", "uk.ipa", "mutual legal assistance (MLAT)", "CLOUD Act"} {
		if !strings.Contains(s.Refused[0].Reason, want) {
			t.Errorf("reason %q does not mention %q", s.Refused[0].Reason, want)
		}
	}
}

func TestScopeErrorsNameFields(t *testing.T) {
	e := MustLoad(t)
	tests := []struct {
		desc      string
		edit      func(*policy.ScopeInput)
		wantField string
		wantCode  string
	}{
		{"UnknownProcess", func(in *policy.ScopeInput) { in.Request.Process = "us.letter" }, "process", "unknown_process"},
		{"UnknownJurisdiction", func(in *policy.ScopeInput) { in.Request.Process = "fr.requisition" }, "process", "unknown_jurisdiction"},
		{"UnknownCategory", func(in *policy.ScopeInput) { in.Request.Categories = []string{"subscriber", "location"} }, "categories[1]", "unknown_category"},
		{"NoCategories", func(in *policy.ScopeInput) { in.Request.Categories = nil }, "categories", "required"},
		{"NoTargets", func(in *policy.ScopeInput) { in.Request.Targets = nil }, "targets", "required"},
		{"BadTargetType", func(in *policy.ScopeInput) { in.Request.Targets = []policy.Target{{Type: "imei", Value: "1"}} }, "targets[0].type", "unknown_target_type"},
		{"BadDate", func(in *policy.ScopeInput) { in.Request.DateFrom = "01/10/2026" }, "date_from", "invalid_date"},
		{"ProsecutorWarrant", func(in *policy.ScopeInput) { in.Request.AuthorityKind = "prosecutor" }, "issuing_authority.kind", "authority_not_competent"},
		{"NondisclosureIssuerUnknown", func(in *policy.ScopeInput) {
			in.Request.NondisclosureOrdered, in.Request.NondisclosureIssuedBy = true, "sheriff"
		}, "nondisclosure.issued_by", "unknown_authority"},
		{"PurposeUnknown", func(in *policy.ScopeInput) { in.Request.Purpose = "revenge" }, "purpose", "not_applicable"},
		{"NegativePenalty", func(in *policy.ScopeInput) { in.Request.OffenceMaxPenaltyMonths = months(-1) }, "offence.max_penalty_months", "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			in := usRequest("us.warrant", "judge", "subscriber")
			tc.edit(&in)
			s, err := e.Scope(context.Background(), in)
			if err != nil {
				t.Fatalf("Scope: %v", err)
			}
			if s.Valid {
				t.Fatalf("Valid = true, want false")
			}
			for _, fe := range s.Errors {
				if fe.Field == tc.wantField && fe.Code == tc.wantCode {
					return
				}
			}
			t.Errorf("Errors = %+v, want field %q code %q", s.Errors, tc.wantField, tc.wantCode)
		})
	}
}

func TestScopeWindow(t *testing.T) {
	in := usRequest("us.warrant", "judge", "connection_log")
	in.Request.DateFrom, in.Request.DateTo = "2026-01-01", "2026-12-31"
	s, err := MustLoad(t).Scope(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.DateFrom, "2026-08-27"; got != want {
		t.Errorf("DateFrom = %q, want %q (90 days of connection logs)", got, want)
	}
	if got, want := s.DateTo, today; got != want {
		t.Errorf("DateTo = %q, want %q", got, want)
	}
	if len(s.Warnings) == 0 {
		t.Error("no warnings for a clipped window")
	}
}

func TestScopeTodayDefaultsToClock(t *testing.T) {
	fixed := time.Date(2026, 11, 25, 23, 30, 0, 0, time.FixedZone("x", -5*3600))
	e, err := policy.Load(context.Background(), policies.FS, policy.WithClock(func() time.Time { return fixed }))
	if err != nil {
		t.Fatal(err)
	}
	in := usRequest("us.warrant", "judge", "subscriber")
	in.Request.DateTo = "2026-12-31"
	in.Today = ""
	s, err := e.Scope(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 at UTC-5 is the 26th in UTC.
	if got, want := s.DateTo, "2026-11-26"; got != want {
		t.Errorf("DateTo = %q, want %q", got, want)
	}
}

func TestScopeEmptySlicesNotNull(t *testing.T) {
	s, err := MustLoad(t).Scope(context.Background(), usRequest("us.warrant", "judge", "subscriber"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"errors":[]`, `"refused":[]`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("JSON %s lacks %s", b, field)
		}
	}
}

// TestInputMatchesJSONTags checks that the hand-built Rego input is exactly
// what the JSON tags of the input structs would give.
func TestInputMatchesJSONTags(t *testing.T) {
	in := usRequest("us.warrant", "judge", "subscriber", "groups")
	in.Request.Emergency = true
	in.Request.Purpose = "crime"
	in.Request.OffenceGrounds = []string{"violence"}
	in.Request.ReceivedOn = "2026-11-21"
	in.Request.NondisclosureIssuedBy = "court"
	in.Request.NondisclosureOrdered = true
	in.Request.NondisclosureUntil = "2027-01-01"
	in.Request.EmergencyNarrative = "n"
	in.Request.CreatedBy, in.Request.SharedWith = "u", []string{"u2"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ast.ValueFromReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := policy.ScopeInputValue(in)
	if want.Compare(got) != 0 {
		t.Errorf("input value\n got %v\nwant %v", got, want)
	}

	in.Request.OffenceMaxPenaltyMonths = nil
	az := policy.AuthzInput{Actor: policy.Actor{ID: "u", Roles: []string{"officer"}, AgencyID: "a"}, Action: "request.view", Request: &in.Request, Relation: "own_agency"}
	b, err = json.Marshal(az)
	if err != nil {
		t.Fatal(err)
	}
	want, err = ast.ValueFromReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if got := policy.AuthzInputValue(az); want.Compare(got) != 0 {
		t.Errorf("authz input value\n got %v\nwant %v", got, want)
	}
}

func TestAuthorize(t *testing.T) {
	e := MustLoad(t)
	officer := policy.Actor{ID: "u1", Roles: []string{"officer"}, AgencyID: "riverside"}
	reviewer := policy.Actor{ID: "p1", Roles: []string{"reviewer"}, Provider: true, Kind: "person", MFA: true, AuthAge: 60}
	passwordOnly := reviewer
	passwordOnly.MFA = false
	system := policy.Actor{ID: "s1", Roles: []string{"reviewer"}, Provider: true, Kind: "system", AuthAge: -1}
	draft := &policy.Request{ID: "r1", AgencyID: "riverside", Status: "draft", CreatedBy: "u1"}
	inReview := &policy.Request{ID: "r1", AgencyID: "riverside", Status: "in_review", CreatedBy: "u1"}
	sharedInReview := &policy.Request{ID: "r1", AgencyID: "riverside", Status: "in_review", CreatedBy: "u1", SharedWith: []string{"u2"}}
	colleague := policy.Actor{ID: "u2", Roles: []string{"officer"}, AgencyID: "riverside", Kind: "person"}
	supervisor := policy.Actor{ID: "u3", Roles: []string{"officer", "supervisor"}, AgencyID: "riverside", Kind: "person"}
	agencySystem := policy.Actor{ID: "c1", Roles: []string{"officer", "supervisor"}, AgencyID: "riverside", Kind: "client"}
	tests := []struct {
		desc      string
		in        policy.AuthzInput
		wantAllow bool
		wantCode  string
	}{
		{"OfficerSubmitsDraft", policy.AuthzInput{Actor: officer, Action: "request.submit", Request: draft, Relation: policy.RelationOwnAgency}, true, "granted"},
		{"ErrOtherAgency", policy.AuthzInput{Actor: officer, Action: "request.view", Request: draft, Relation: policy.RelationOtherAgency}, false, "other_agency"},
		{"ReviewerApproves", policy.AuthzInput{Actor: reviewer, Action: "approve", Request: inReview, Relation: policy.RelationProvider}, true, "granted"},
		{"ErrProviderSeesNoDraft", policy.AuthzInput{Actor: reviewer, Action: "request.view", Request: draft, Relation: policy.RelationProvider}, false, "state_not_permitted"},
		{"OfficerCreates", policy.AuthzInput{Actor: officer, Action: "request.create"}, true, "granted"},
		{"ErrUnknownAction", policy.AuthzInput{Actor: officer, Action: "request.delete"}, false, "unknown_action"},
		{"ErrApproveWithPasswordOnly", policy.AuthzInput{Actor: passwordOnly, Action: "approve", Request: inReview, Relation: policy.RelationProvider}, false, "step_up_required"},
		{"SystemApprovesWithoutSecondFactor", policy.AuthzInput{Actor: system, Action: "approve", Request: inReview, Relation: policy.RelationProvider}, true, "granted"},
		// Need-to-know inside the agency: the filer, the colleagues it is
		// shared with and the supervisors; the filer or a supervisor shares.
		{"ErrColleagueNotShared", policy.AuthzInput{Actor: colleague, Action: "request.view", Request: inReview, Relation: policy.RelationOwnAgency}, false, "need_to_know"},
		{"SharedColleagueViews", policy.AuthzInput{Actor: colleague, Action: "request.view", Request: sharedInReview, Relation: policy.RelationOwnAgency}, true, "granted"},
		{"SupervisorViews", policy.AuthzInput{Actor: supervisor, Action: "request.view", Request: inReview, Relation: policy.RelationOwnAgency}, true, "granted"},
		{"ErrSystemSupervisorNotShared", policy.AuthzInput{Actor: agencySystem, Action: "request.view", Request: inReview, Relation: policy.RelationOwnAgency}, false, "need_to_know"},
		{"FilerShares", policy.AuthzInput{Actor: officer, Action: "request.share", Request: inReview, Relation: policy.RelationOwnAgency}, true, "granted"},
		{"SupervisorUnshares", policy.AuthzInput{Actor: supervisor, Action: "request.unshare", Request: sharedInReview, Relation: policy.RelationOwnAgency}, true, "granted"},
		{"ErrSharedColleagueShares", policy.AuthzInput{Actor: colleague, Action: "request.share", Request: sharedInReview, Relation: policy.RelationOwnAgency}, false, "filer_or_supervisor"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			d, err := e.Authorize(context.Background(), tc.in)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if got, want := d.Allow, tc.wantAllow; got != want {
				t.Errorf("Allow = %v, want %v (%+v)", got, want, d.Reasons)
			}
			if len(d.Reasons) == 0 || d.Reasons[0].Code != tc.wantCode {
				t.Errorf("Reasons = %+v, want code %q", d.Reasons, tc.wantCode)
			}
			// A step-up denial, and only one, is marked so, and its
			// refusal wraps ErrStepUp for the pages to act on.
			stepUp := tc.wantCode == "step_up_required"
			if d.StepUp != stepUp || errors.Is(d.Refusal("no"), policy.ErrStepUp) != stepUp {
				t.Errorf("StepUp = %v, refusal %v; want step-up %v", d.StepUp, d.Refusal("no"), stepUp)
			}
		})
	}
}

func TestRouteAndApprovals(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()
	tests := []struct {
		desc          string
		in            func() policy.ScopeInput
		wantQueue     string
		wantHours     int
		wantApprovals int
	}{
		{"SubmittedToIntake", func() policy.ScopeInput {
			in := usRequest("us.warrant", "judge", "subscriber")
			in.Request.Status = "submitted"
			return in
		}, policy.QueueIntake, 240, 1},
		{"ReviewToLegal", func() policy.ScopeInput {
			in := usRequest("us.warrant", "judge", "subscriber")
			in.Request.Status = "in_review"
			return in
		}, policy.QueueLegal, 240, 1},
		{"EmergencyFourHoursTwoApprovers", func() policy.ScopeInput {
			in := usRequest("us.emergency", "agency", "subscriber")
			in.Request.Status = "submitted"
			in.Request.Emergency, in.Request.EmergencyNarrative = true, "threat to life"
			return in
		}, policy.QueueEmergency, 4, 2},
		{"EUInternational", func() policy.ScopeInput {
			in := usRequest("eu.epoc", "judge", "subscriber")
			in.Agency.Country = "FR"
			in.Request.Status = "in_review"
			return in
		}, policy.QueueInternational, 240, 1},
		{"PenRegisterCounselTwoApprovers", func() policy.ScopeInput {
			in := usRequest("us.prtt", "judge", "envelope")
			in.Request.Status = "in_review"
			in.Request.DateFrom, in.Request.DateTo = "2026-12-01", "2026-12-31"
			return in
		}, policy.QueueCounsel, 24, 2},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r, err := e.Route(ctx, tc.in())
			if err != nil {
				t.Fatalf("Route: %v", err)
			}
			if got, want := r.Queue, tc.wantQueue; got != want {
				t.Errorf("Queue = %q, want %q (%+v)", got, want, r.Reasons)
			}
			if got, want := r.DeadlineHours, tc.wantHours; got != want {
				t.Errorf("DeadlineHours = %d, want %d", got, want)
			}
			a, err := e.Approvals(ctx, tc.in())
			if err != nil {
				t.Fatalf("Approvals: %v", err)
			}
			if got, want := a.Required, tc.wantApprovals; got != want {
				t.Errorf("Required = %d, want %d (%+v)", got, want, a.Reasons)
			}
			if got, want := len(a.Roles), a.Required; got != want {
				t.Errorf("len(Roles) = %d, want %d", got, want)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	c, err := MustLoad(t).Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	byID := map[string]policy.Process{}
	for _, j := range c.Jurisdictions {
		for _, p := range j.Processes {
			ids = append(ids, p.ID)
			byID[p.ID] = p
		}
	}
	want := []string{"us.subpoena", "us.2703d", "us.warrant", "us.prtt", "us.prtt_emergency", "us.preservation", "us.emergency", "us.nsl", "us.fisa_br", "us.fisa_prtt", "uk.ipa", "uk.opo", "eu.epoc", "eu.epoc_pr"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("process ids (-want +got):\n%s", diff)
	}
	if got := byID["us.prtt"]; !got.Flags.Prospective || got.MaxRangeDays != 60 {
		t.Errorf("us.prtt = %+v, want prospective, 60 days", got)
	}
	if got := byID["eu.epoc"]; got.DeadlineHours != 240 || got.EmergencyDeadlineHours != 8 {
		t.Errorf("eu.epoc deadlines = %d/%d, want 240/8", got.DeadlineHours, got.EmergencyDeadlineHours)
	}
	if len(c.Categories) != 8 || c.Categories[7].ID != "content" || c.Categories[7].Disclosable {
		t.Errorf("categories = %+v, want 8 ending in undisclosable content", c.Categories)
	}
	if len(c.NeverProduced) == 0 || c.NeverProduced[0].Reason != contentReason {
		t.Errorf("never produced = %+v", c.NeverProduced)
	}
}

// TestCatalogueHasNoUnknownFields catches a field added in Rego but not in Go.
func TestCatalogueHasNoUnknownFields(t *testing.T) {
	c, err := MustLoad(t).Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := policy.RawCatalogue(context.Background(), MustLoad(t))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catalogue lost fields in Go (-rego +go):\n%s", diff)
	}
}

func TestLoadReportsFileAndLine(t *testing.T) {
	tests := []struct {
		desc string
		fsys fs.FS
		want []string
	}{
		{
			desc: "ParseError",
			fsys: withFile(t, "authz/authz.rego", "package authz\n\ndecision := {\n\t\"allow\": true,,\n}\n"),
			want: []string{"authz/authz.rego:4"},
		},
		{
			desc: "CompileError",
			fsys: withFile(t, "routing/routing.rego", "package routing\n\nroute := x if {\n\tx := undefined_function(1)\n}\n"),
			want: []string{"routing/routing.rego:4", "undefined function"},
		},
		{
			desc: "StrictUnusedVariable",
			fsys: withFile(t, "approvals/approvals.rego", "package approvals\n\nrequired := {\"required\": 1, \"roles\": [], \"reasons\": []} if {\n\tsome x\n\tinput.a == 1\n}\n"),
			want: []string{"approvals/approvals.rego:4"},
		},
		{
			desc: "MissingDecision",
			fsys: withoutFile(t, "authz/authz.rego"),
			want: []string{"data.authz.decision"},
		},
		{
			desc: "Empty",
			fsys: fstest.MapFS{"README.md": {Data: []byte("no policies")}},
			want: []string{"no Rego modules"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := policy.Load(context.Background(), tc.fsys)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadCompileErrorIsStructured(t *testing.T) {
	_, err := policy.Load(context.Background(), withFile(t, "routing/routing.rego", "package routing\n\nroute := 1 if {\n\tinput.x == y\n}\n"))
	var ce *policy.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CompileError", err)
	}
	if got, want := ce.Problems[0].File, "routing/routing.rego"; got != want {
		t.Errorf("File = %q, want %q", got, want)
	}
	if got, want := ce.Problems[0].Line, 4; got != want {
		t.Errorf("Line = %d, want %d", got, want)
	}
}

// TestEvaluationErrorFailsClosed replaces a decision with one that errors at
// evaluation time: Authorize denies and returns an Internal error.
func TestEvaluationErrorFailsClosed(t *testing.T) {
	broken := `package authz

default decision := {"allow": false, "reasons": []}

default capabilities := {"actions": [], "home_queue": ""}

# Two values for one complete rule: a conflict, found only at evaluation.
decision := {"allow": true, "reasons": []} if input.action == "boom"

decision := {"allow": false, "reasons": []} if input.action == "boom"
`
	var logs bytes.Buffer
	e, err := policy.Load(context.Background(), withFile(t, "authz/authz.rego", broken),
		policy.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	d, err := e.Authorize(context.Background(), policy.AuthzInput{Action: "boom", Actor: policy.Actor{ID: "secret-person"}})
	if err == nil {
		t.Fatal("Authorize succeeded, want an evaluation error")
	}
	if got, want := errs.CodeOf(err), errs.Internal; got != want {
		t.Errorf("CodeOf = %v, want %v", got, want)
	}
	if d.Allow {
		t.Error("Allow = true on an evaluation error")
	}
	if !strings.Contains(logs.String(), "eval_conflict_error") {
		t.Errorf("the error was not logged: %q", logs.String())
	}
	if strings.Contains(logs.String(), "secret-person") {
		t.Errorf("the log shows the input: %q", logs.String())
	}
}

func TestLoadFromDirectory(t *testing.T) {
	if _, err := policy.Load(context.Background(), osDirFS(t)); err != nil {
		t.Fatalf("Load from directory: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				in := usRequest("us.subpoena", "court", "subscriber", "device", "content")
				if (i+j)%2 == 0 {
					in.Request.Process = "us.warrant"
				}
				s, err := e.Scope(ctx, in)
				if err != nil {
					t.Errorf("Scope: %v", err)
					return
				}
				if len(s.Categories) == 0 {
					t.Errorf("Scope authorised nothing")
				}
				in.Request.CreatedBy = "u" // the officer filed it
				d, err := e.Authorize(ctx, policy.AuthzInput{
					Actor:    policy.Actor{ID: "u", Roles: []string{"officer"}, AgencyID: "riverside"},
					Action:   "request.view",
					Request:  &in.Request,
					Relation: policy.RelationOwnAgency,
				})
				if err != nil || !d.Allow {
					t.Errorf("Authorize = %+v, %v", d, err)
				}
				if _, err := e.Route(ctx, in); err != nil {
					t.Errorf("Route: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

func TestCancelledContextFailsClosed(t *testing.T) {
	e, err := policy.Load(context.Background(), policies.FS, policy.WithMemo(0), policy.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := e.Authorize(ctx, policy.AuthzInput{
		Actor:  policy.Actor{ID: "u1", Roles: []string{"officer"}, AgencyID: "riverside"},
		Action: "request.create",
	})
	if err == nil {
		t.Fatal("Authorize with a cancelled context succeeded")
	}
	if d.Allow {
		t.Error("Allow = true with a cancelled context")
	}
	if _, err := e.Scope(ctx, usRequest("us.warrant", "judge", "subscriber")); err == nil {
		t.Error("Scope with a cancelled context succeeded")
	}
}
