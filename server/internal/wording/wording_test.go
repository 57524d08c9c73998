package wording_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// code matches what a code looks like (in_review, us.2703d,
// request.document.upload), which no words should.
var code = regexp.MustCompile(`^[a-z0-9]+([._][a-z0-9]+)+$|^[a-z]+$`)

func wantWords(t *testing.T, what, got, stored string) {
	t.Helper()
	if got == "" || got == stored || code.MatchString(got) {
		t.Errorf("%s %q reads %q, want words", what, stored, got)
	}
}

// TestEveryStateHasWords: a state added to request.States without words
// fails here, for both audiences, with a meaning for its tag.
func TestEveryStateHasWords(t *testing.T) {
	meanings := []wording.Meaning{wording.NeedsAction, wording.Waiting, wording.Done, wording.Refused}
	for _, s := range request.States {
		for _, a := range []wording.Audience{wording.Agency, wording.Provider} {
			wantWords(t, "state", wording.State(s, a), string(s))
			tag := wording.TagOf(s, a)
			if tag.Text != wording.State(s, a) {
				t.Errorf("tag of %s for %s reads %q, want the state's words %q", s, a, tag.Text, wording.State(s, a))
			}
			found := false
			for _, m := range meanings {
				found = found || tag.Meaning == m
			}
			if !found {
				t.Errorf("tag of %s for %s means %q, want one of %v", s, a, tag.Meaning, meanings)
			}
		}
	}
}

// TestAudiencesReadDifferently: the officer reads where the request is
// from their side; the reviewer reads what it needs.
func TestAudiencesReadDifferently(t *testing.T) {
	tests := []struct {
		state       request.State
		audience    wording.Audience
		want        string
		wantMeaning wording.Meaning
	}{
		{request.StateInReview, wording.Agency, "With the provider's legal team", wording.Waiting},
		{request.StateInReview, wording.Provider, "In review", wording.NeedsAction},
		{request.StateNeedsInfo, wording.Agency, "The provider asks for information", wording.NeedsAction},
		{request.StateNeedsInfo, wording.Provider, "Waiting for the agency's answer", wording.Waiting},
		{request.StateDraft, wording.Agency, "Draft: not yet submitted", wording.NeedsAction},
		{request.StateDisclosed, wording.Agency, "Disclosed", wording.Done},
		{request.StateRejected, wording.Agency, "Refused by the provider", wording.Refused},
	}
	for _, tc := range tests {
		got := wording.TagOf(tc.state, tc.audience)
		if got.Text != tc.want || got.Meaning != tc.wantMeaning {
			t.Errorf("TagOf(%s, %s) = %+v, want %q (%s)", tc.state, tc.audience, got, tc.want, tc.wantMeaning)
		}
	}
}

// TestEveryActionHasWords: every action of the transition table, as a
// button and as a history row.
func TestEveryActionHasWords(t *testing.T) {
	acts := map[workflow.Action]bool{}
	for _, r := range workflow.Rules() {
		acts[r.Action] = true
	}
	for _, a := range workflow.ProviderActions {
		acts[a] = true
	}
	for a := range acts {
		wantWords(t, "action", wording.Action(a), string(a))
		wantWords(t, "what happened on", wording.Happened(a), string(a))
		history := string(a)
		if a == workflow.ActionSubmit {
			history = request.ActionSubmit // as the engine records it
		}
		if got := wording.History(history, "Dana Reyes", "").Text; !strings.HasPrefix(got, "Dana Reyes ") || strings.Contains(got, " did "+history) {
			t.Errorf("history of %s by Dana Reyes reads %q, want words", history, got)
		}
	}
}

// TestHistoryLines: rows read as sentences, with the person or without.
func TestHistoryLines(t *testing.T) {
	tests := []struct {
		desc, action, actor, comment string
		want                         wording.Line
	}{
		{"UploadNamesTheFile", request.ActionUpload, "Dana Reyes", "Uploaded order.pdf.", wording.Line{Text: "Dana Reyes uploaded order.pdf"}},
		{"UploadWithoutComment", request.ActionUpload, "Dana Reyes", "", wording.Line{Text: "Dana Reyes uploaded the signed order"}},
		{"Submit", request.ActionSubmit, "", "", wording.Line{Text: "Submitted to the provider"}},
		{"SubmitByOfficer", request.ActionSubmit, "Dana Reyes", "", wording.Line{Text: "Dana Reyes submitted it to the provider"}},
		{"CommentKept", string(workflow.ActionRequestInfo), "The provider's legal team", "Which account?",
			wording.Line{Text: "The provider's legal team asked the agency for information", Comment: "Which account?"}},
		{"Escalation", "escalate", "", "Deadline passed; escalated to the team.", wording.Line{Text: "Deadline passed: escalated to the team", Comment: "Deadline passed; escalated to the team."}},
		{"Create", request.ActionCreate, "Dana Reyes", "", wording.Line{Text: "Dana Reyes created the draft"}},
		{"Edit", request.ActionEdit, "", "", wording.Line{Text: "Draft edited"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if got := wording.History(tc.action, tc.actor, tc.comment); got != tc.want {
				t.Errorf("History(%q, %q, %q) = %+v, want %+v", tc.action, tc.actor, tc.comment, got, tc.want)
			}
		})
	}
	if got, want := wording.Change(request.StateDraft, request.StateSubmitted, wording.Agency), "Draft: not yet submitted → Submitted to the provider"; got != want {
		t.Errorf("Change = %q, want %q", got, want)
	}
	if got := wording.Change(request.StateDraft, request.StateDraft, wording.Agency); got != "" {
		t.Errorf("Change of a row that stayed = %q, want none", got)
	}
}

// TestEveryTeamOutcomeAndProductionHasWords covers the provider's teams,
// decisions and the stored values of a package: state, outcome, sealing.
func TestEveryTeamOutcomeAndProductionHasWords(t *testing.T) {
	for _, q := range workflow.Teams {
		wantWords(t, "team", wording.Team(q), q)
	}
	for _, k := range []string{workflow.KindLegalProcess, workflow.KindEmergency, workflow.KindPreservation} {
		wantWords(t, "kind", wording.Kind(k), k)
	}
	for _, c := range workflow.ReasonCodes {
		wantWords(t, "reason", wording.Reason(c), c)
	}
	for _, o := range workflow.CallbackOutcomes {
		wantWords(t, "callback outcome", wording.Callback(o), o)
	}
	for _, o := range []string{workflow.OutcomeApproved, workflow.OutcomeNarrowed, workflow.OutcomeRejected} {
		wantWords(t, "decision", wording.Decision(o), o)
	}
	for _, s := range []string{disclosure.StatusQueued, disclosure.StatusBuilding, disclosure.StatusReady, disclosure.StatusFailed, disclosure.StatusExpired} {
		wantWords(t, "production state", wording.ProductionState(s), s)
	}
	if got := wording.ProductionOutcome(disclosure.OutcomeNoRecords); !strings.HasPrefix(got, "No records") {
		t.Errorf("no records found reads %q", got)
	}
	if got := wording.ProductionOutcome(disclosure.OutcomeRecords); !strings.HasPrefix(got, "Records found") {
		t.Errorf("records found reads %q", got)
	}
	if got := wording.Sealing(disclosure.SealRecipient); !strings.Contains(got, "age recipient") {
		t.Errorf("sealed to the recipient reads %q", got)
	}
	if got := wording.Sealing(disclosure.SealAtRest); !strings.Contains(got, "only through the portal") {
		t.Errorf("sealed at rest reads %q", got)
	}
}

// TestEveryProcessAndCategoryHasWords: the names come from the policy
// catalogue, so a process or category the catalogue adds has its name.
func TestEveryProcessAndCategoryHasWords(t *testing.T) {
	pol, err := policy.Load(context.Background(), policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pol.Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := wording.NewBook(cat)
	n := 0
	for _, j := range cat.Jurisdictions {
		for _, p := range j.Processes {
			n++
			wantWords(t, "process", b.Process(p.ID), p.ID)
		}
	}
	if n == 0 {
		t.Fatal("the catalogue has no processes")
	}
	for _, c := range cat.Categories {
		wantWords(t, "category", b.Category(c.ID), c.ID)
	}
	if got, want := b.Process("us.2703d"), "Court order under 18 U.S.C. § 2703(d)"; got != want {
		t.Errorf("us.2703d reads %q, want the catalogue's name %q", got, want)
	}
	if got := b.Citation("us.2703d"); !strings.Contains(got, "(d)") {
		t.Errorf("the citation of us.2703d is %q", got)
	}
	if got := b.Process("xx.unknown"); got != "xx.unknown" {
		t.Errorf("an unknown process reads %q, want its code", got)
	}
}

// TestEmergencyAwaitingCosign: an emergency its supervisor has not
// co-signed is, to its agency, waiting for that co-signature, not
// "Submitted to the provider", which it has not reached; once co-signed,
// or to the provider, it reads as any submitted request.
func TestEmergencyAwaitingCosign(t *testing.T) {
	for _, tc := range []struct {
		awaiting bool
		a        wording.Audience
		want     wording.Tag
	}{
		{true, wording.Agency, wording.Tag{Text: "Waiting for your supervisor's co-signature", Meaning: wording.NeedsAction}},
		{false, wording.Agency, wording.Tag{Text: "Submitted to the provider", Meaning: wording.Waiting}},
		{true, wording.Provider, wording.TagOf(request.StateSubmitted, wording.Provider)},
	} {
		if got := wording.RequestTag(request.StateSubmitted, tc.awaiting, tc.a); got != tc.want {
			t.Errorf("RequestTag(submitted, awaiting %v, %s) = %+v, want %+v", tc.awaiting, tc.a, got, tc.want)
		}
	}
	if got := wording.RequestTag(request.StateInReview, true, wording.Agency); got != wording.TagOf(request.StateInReview, wording.Agency) {
		t.Errorf("a request past submission reads %+v", got)
	}
	got := wording.Submitted("WD-2026-000001", true, "Marcus Hill")
	if !strings.Contains(got, "waiting for your supervisor's co-signature") || !strings.Contains(got, "Marcus Hill has been notified") ||
		strings.Contains(got, "submitted to the provider") {
		t.Errorf("Submitted for an emergency = %q", got)
	}
	if got := wording.Submitted("WD-2026-000001", false, ""); got != "Request WD-2026-000001 submitted to the provider." {
		t.Errorf("Submitted = %q", got)
	}
}
