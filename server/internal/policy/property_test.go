package policy_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

var (
	anyProcess   = []string{"us.subpoena", "us.2703d", "us.warrant", "us.prtt", "us.prtt_emergency", "us.preservation", "us.emergency", "us.nsl", "us.fisa_br", "us.fisa_prtt", "uk.ipa", "uk.opo", "eu.epoc", "eu.epoc_pr", "us.letter", "fr.requisition", ""}
	anyCategory  = []string{"subscriber", "activity", "connection_log", "device", "contacts", "groups", "envelope", "content", "location"}
	anyCountry   = []string{"US", "PR", "GB", "DE", "IE", "FR", "DK", "JP", "gb", ""}
	anyAuthority = []string{"court", "judge", "prosecutor", "grand_jury", "agency", "ocda", "designated_senior_officer", "sheriff", ""}
	anyStatus    = []string{"draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed", "closed", "rejected", "withdrawn", "expired", "preserved", "extended", "released", "lost"}
	anyAction    = []string{"request.create", "request.list", "request.view", "request.edit", "request.document.upload", "request.document.download", "request.submit", "request.cosign", "request.withdraw", "request.message", "request.receipt", "request.production.download", "queue.view", "audit.view", "agency.manage", "take", "release", "assign", "verify", "request_info", "approve", "countersign", "reject", "extend", "close", "request.delete"}
	anyRole      = []string{"officer", "supervisor", "intake", "reviewer", "counsel", "admin", "auditor", "root"}
	anyRelation  = []string{"", "own_agency", "other_agency", "provider", "friend"}
	anyPurpose   = []string{"", "crime", "national_security", "threat_to_life", "public_safety", "identification", "criminal_proceedings", "sentence_execution", "danger_of_death", "revenge"}
	anyGround    = []string{"violence", "communication", "not_individual", "terrorism", "child_sexual_abuse", "whim"}
)

// day draws a date around today, or something that is not a date.
func day(t *rapid.T, label string) string {
	if rapid.IntRange(0, 20).Draw(t, label+"_garbage") == 0 {
		return rapid.SampledFrom([]string{"", "2026-02-30", "tomorrow", "2026-1-1"}).Draw(t, label+"_bad")
	}
	base := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	return base.AddDate(0, 0, rapid.IntRange(-900, 400).Draw(t, label)).Format(time.DateOnly)
}

func drawScopeInput(t *rapid.T) policy.ScopeInput {
	var penalty, sentence *float64
	if rapid.Bool().Draw(t, "has_penalty") {
		n := rapid.SampledFrom([]float64{-1, 0, 3, 4, 6, 11.9, 12, 24, 35, 36, 60, 240}).Draw(t, "penalty")
		penalty = &n
	}
	if rapid.Bool().Draw(t, "has_sentence") {
		n := rapid.SampledFrom([]float64{0, 3, 4, 12}).Draw(t, "sentence")
		sentence = &n
	}
	targets := make([]policy.Target, rapid.IntRange(0, 13).Draw(t, "targets"))
	for i := range targets {
		targets[i] = policy.Target{Type: rapid.SampledFrom([]string{"phone", "username", "account_id", "email", "imei"}).Draw(t, "target_type"), Value: "x"}
	}
	return policy.ScopeInput{
		Agency: policy.Agency{ID: "a1", Country: rapid.SampledFrom(anyCountry).Draw(t, "country")},
		Request: policy.Request{
			ID:                      "r1",
			AgencyID:                "a1",
			Status:                  rapid.SampledFrom(anyStatus).Draw(t, "status"),
			Process:                 rapid.SampledFrom(anyProcess).Draw(t, "process"),
			AuthorityKind:           rapid.SampledFrom(anyAuthority).Draw(t, "authority"),
			Categories:              rapid.SliceOfN(rapid.SampledFrom(anyCategory), 0, 9).Draw(t, "categories"),
			Targets:                 targets,
			DateFrom:                day(t, "date_from"),
			DateTo:                  day(t, "date_to"),
			IssuedOn:                day(t, "issued_on"),
			ExpiresOn:               day(t, "expires_on"),
			Emergency:               rapid.Bool().Draw(t, "emergency"),
			EmergencyNarrative:      rapid.SampledFrom([]string{"", "threat to life"}).Draw(t, "narrative"),
			ReceivedOn:              rapid.SampledFrom([]string{"", "2026-11-20", "2026-06-01"}).Draw(t, "received_on"),
			Purpose:                 rapid.SampledFrom(anyPurpose).Draw(t, "purpose"),
			OffenceMaxPenaltyMonths: penalty,
			OffenceGrounds:          rapid.SliceOfN(rapid.SampledFrom(anyGround), 0, 3).Draw(t, "grounds"),
			OffenceSentenceMonths:   sentence,
			OffenceInIssuingState:   rapid.Bool().Draw(t, "in_state"),
			ResidesInIssuingState:   rapid.Bool().Draw(t, "resides"),
			NondisclosureOrdered:    rapid.Bool().Draw(t, "nd"),
			NondisclosureUntil:      day(t, "nd_until"),
			NondisclosureIssuedBy:   rapid.SampledFrom(anyAuthority).Draw(t, "nd_by"),
		},
		Today: today,
	}
}

// TestScopeProperties checks, for any input, what must always hold: no
// crash, content never authorised, every known requested category accounted
// for exactly once, nothing beyond what the process compels, nothing for a
// foreign agency, and a window inside the request's.
func TestScopeProperties(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()
	cat, err := e.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	processes := map[string]policy.Process{}
	countries := map[string]string{}
	for _, j := range cat.Jurisdictions {
		for _, p := range j.Processes {
			processes[p.ID] = p
		}
		for _, c := range j.Countries {
			countries[c] = j.ID
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		in := drawScopeInput(t)
		s, err := e.Scope(ctx, in)
		if err != nil {
			t.Fatalf("Scope: %v", err)
		}
		known := map[string]bool{}
		for _, c := range in.Request.Categories {
			if slices.Contains(anyCategory[:8], c) {
				known[c] = true
			}
		}
		seen := map[string]int{}
		for _, c := range s.Categories {
			seen[c]++
		}
		for _, r := range s.Refused {
			seen[r.Category]++
			if r.Reason == "" || r.Code == "" {
				t.Fatalf("refusal without reason: %+v", r)
			}
		}
		for c := range known {
			if seen[c] != 1 {
				t.Fatalf("category %s accounted for %d times: %+v", c, seen[c], s)
			}
		}
		if len(seen) != len(known) {
			t.Fatalf("scope names categories not requested: %+v", s)
		}
		if slices.Contains(s.Categories, "content") {
			t.Fatal("content authorised")
		}
		p, ok := processes[in.Request.Process]
		if !ok && len(s.Categories) > 0 {
			t.Fatalf("unknown process authorised %v", s.Categories)
		}
		if !ok && s.Valid {
			t.Fatal("unknown process is valid")
		}
		for _, c := range s.Categories {
			if !slices.Contains(p.Categories, c) {
				t.Fatalf("%s authorised under %s", c, p.ID)
			}
		}
		if ok && countries[strings.ToUpper(in.Agency.Country)] != p.Jurisdiction && len(s.Categories) > 0 {
			t.Fatalf("agency of %q got %v under %s", in.Agency.Country, s.Categories, p.ID)
		}
		if s.Valid && len(s.Categories) > 0 {
			if s.DateFrom > s.DateTo {
				t.Fatalf("window %s..%s is reversed", s.DateFrom, s.DateTo)
			}
			if s.DateFrom < in.Request.DateFrom || s.DateTo > in.Request.DateTo {
				t.Fatalf("window %s..%s leaves the request's %s..%s", s.DateFrom, s.DateTo, in.Request.DateFrom, in.Request.DateTo)
			}
			from, _ := time.Parse(time.DateOnly, s.DateFrom)
			to, _ := time.Parse(time.DateOnly, s.DateTo)
			if days := int(to.Sub(from).Hours() / 24); days > p.MaxRangeDays {
				t.Fatalf("window of %d days exceeds %s's %d", days, p.ID, p.MaxRangeDays)
			}
			if !p.Flags.Prospective && s.DateTo > today {
				t.Fatalf("retrospective window ends %s, after today", s.DateTo)
			}
		}
		// A process used outside its conditions releases nothing: an issuer
		// it does not know, a UK order void or lapsed by age, an officer
		// acting without urgency.
		if ok && !slices.Contains(p.IssuerKinds, in.Request.AuthorityKind) && len(s.Categories) > 0 {
			t.Fatalf("%s issued by %q authorised %v", p.ID, in.Request.AuthorityKind, s.Categories)
		}
		if ok && p.UrgentOnly != nil && slices.Contains(p.UrgentOnly.IssuerKinds, in.Request.AuthorityKind) && !in.Request.Emergency && len(s.Categories) > 0 {
			t.Fatalf("%s by %s without urgency authorised %v", p.ID, in.Request.AuthorityKind, s.Categories)
		}
		// Whether the account holder may be told follows the statute first.
		if ok && p.UserNotice.Rule == "never" && s.UserNotice.Allowed {
			t.Fatalf("%s lets the account holder be told: %+v", p.ID, s.UserNotice)
		}
		if ok && p.UserNotice.Rule == "sealed" && !s.UserNotice.Indefinite && s.UserNotice.Until == "" {
			t.Fatalf("sealed %s ends nowhere: %+v", p.ID, s.UserNotice)
		}
		if s.UserNotice.Reason == "" {
			t.Fatalf("user notice without a reason: %+v", s.UserNotice)
		}
		if ok && (p.Flags.NationalSecurity || slices.Contains(p.NationalSecurityPurposes, in.Request.Purpose)) != s.NationalSecurity {
			t.Fatalf("%s for %q: national_security %v", p.ID, in.Request.Purpose, s.NationalSecurity)
		}
		for c := range s.Fields {
			if !slices.Contains(s.Categories, c) {
				t.Fatalf("fields limited for %s, which is not authorised", c)
			}
		}
		if s.Notification.Required && (p.Notification == nil || s.Notification.Citation == "" || len(s.Notification.RefusalGrounds) == 0) {
			t.Fatalf("notification without its law: %+v", s.Notification)
		}
		again, err := e.Scope(ctx, in)
		if err != nil || !slices.Equal(again.Categories, s.Categories) {
			t.Fatalf("Scope is not deterministic")
		}
	})
}

// TestAuthorizeProperties: whatever is asked, another agency's request is
// never allowed, the provider never sees drafts, and an allow names its rule.
func TestAuthorizeProperties(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		provider := rapid.Bool().Draw(t, "provider")
		actor := policy.Actor{ID: "u", Roles: rapid.SliceOfN(rapid.SampledFrom(anyRole), 0, 3).Draw(t, "roles"), Provider: provider}
		if !provider || rapid.IntRange(0, 5).Draw(t, "provider_with_agency") == 0 {
			actor.AgencyID = rapid.SampledFrom([]string{"a1", "a2", ""}).Draw(t, "agency")
		}
		in := policy.AuthzInput{Actor: actor, Action: rapid.SampledFrom(anyAction).Draw(t, "action"), Relation: rapid.SampledFrom(anyRelation).Draw(t, "relation")}
		if rapid.IntRange(0, 5).Draw(t, "request") > 0 {
			in.Request = &policy.Request{ID: "r1", AgencyID: "a1", Status: rapid.SampledFrom(anyStatus).Draw(t, "status"), Emergency: rapid.Bool().Draw(t, "emergency")}
		}
		d, err := e.Authorize(ctx, in)
		if err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		if len(d.Reasons) == 0 {
			t.Fatal("decision without reasons")
		}
		if !d.Allow {
			return
		}
		if d.Reasons[0].Code != "granted" {
			t.Fatalf("allowed with %+v", d.Reasons)
		}
		switch {
		case in.Relation == policy.RelationOtherAgency:
			t.Fatal("another agency's request allowed")
		case in.Relation == policy.RelationOwnAgency && (actor.Provider || actor.AgencyID != in.Request.AgencyID):
			t.Fatalf("own_agency allowed for %+v on %+v", actor, in.Request)
		case in.Relation == policy.RelationProvider && (!actor.Provider || actor.AgencyID == in.Request.AgencyID):
			t.Fatalf("provider relation allowed for %+v on %+v", actor, in.Request)
		case in.Relation == policy.RelationProvider && in.Request.Status == "draft":
			t.Fatal("provider allowed on a draft")
		}
	})
}
