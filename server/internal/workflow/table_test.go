package workflow_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// The specification of who may do what, written out independently of the
// engine's table so that the test checks one against the other.
var (
	// allowedIn lists the states each action may be taken in.
	allowedIn = map[workflow.Action][]workflow.State{
		"take":         {"submitted", "intake", "in_review", "needs_info", "awaiting_countersign"},
		"release":      {"intake", "in_review", "needs_info", "awaiting_countersign", "preserved", "extended"},
		"assign":       {"submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "preserved", "extended"},
		"verify":       {"submitted", "intake"},
		"request_info": {"in_review"},
		"approve":      {"in_review"},
		"countersign":  {"awaiting_countersign"},
		"reject":       {"in_review", "needs_info", "awaiting_countersign"},
		"extend":       {"preserved"},
		"close":        {"disclosed", "preserved", "extended", "released"},
		"cosign":       {"submitted"},
		"message":      {"needs_info"},
		"withdraw":     {"draft", "submitted", "intake", "in_review", "needs_info", "awaiting_countersign", "approved", "preserved", "extended"},
		// Only on a notified EU order, and only where the process keeps a
		// preservation until produced (fixture.applies).
		"record_enforcing_authority": {"in_review", "needs_info", "awaiting_countersign", "approved", "producing", "disclosed"},
		"confirm_production_issued":  {"preserved", "extended"},
	}
	// roles lists who may take each action in a state: provider roles act as
	// the provider, agency roles on their own agency's requests only.
	roles = func(a workflow.Action, s workflow.State) []string {
		switch a {
		case "take", "release":
			switch s {
			case "submitted", "intake":
				return []string{"intake"}
			case "awaiting_countersign":
				return []string{"counsel"}
			}
			return []string{"reviewer"}
		case "assign":
			return []string{"admin"}
		case "verify":
			return []string{"intake"}
		case "request_info", "extend", "close", "confirm_production_issued":
			return []string{"reviewer"}
		case "approve", "reject", "record_enforcing_authority":
			return []string{"reviewer", "counsel"}
		case "countersign":
			return []string{"counsel"}
		case "cosign":
			return []string{"supervisor"}
		case "message", "withdraw":
			return []string{"officer", "supervisor"}
		}
		return nil
	}
	// leadsTo is where a successful action leaves a request in each state.
	leadsTo = func(a workflow.Action, s workflow.State) workflow.State {
		switch {
		case a == "take" && s == "submitted", a == "verify" && s == "submitted":
			return map[workflow.Action]workflow.State{"take": "intake", "verify": "in_review"}[a]
		case a == "verify":
			return "in_review"
		case a == "release" && (s == "preserved" || s == "extended"):
			return "released"
		case a == "request_info":
			return "needs_info"
		case a == "approve", a == "countersign":
			return "approved"
		case a == "reject":
			return "rejected"
		case a == "extend":
			return "extended"
		case a == "close":
			return "closed"
		case a == "message":
			return "in_review"
		case a == "record_enforcing_authority" && !slices.Contains([]workflow.State{"producing", "disclosed"}, s):
			return "rejected" // the tables record grounds raised, which reject before production; no ground stays
		case a == "withdraw":
			return "withdrawn"
		}
		return s // take, release, assign and cosign stay
	}
)

// An actor of the table, with its relation to the requests (all filed by
// Riverside's officer).
type actor struct {
	name     string
	p        *identity.Principal
	role     string // the one role that counts for the specification
	relation string // own_agency, not_shared (own agency, no need to know), other_agency or provider
	person   bool
}

// standing files one request per state by walking real transitions, with
// the engine's jobs not running, so each stays where it was put.
func standing(t *testing.T, e *wt.Env) map[workflow.State]string {
	t.Helper()
	ctx := context.Background()
	system := func(id string, a workflow.Action) {
		if err := e.Engine.RunSystem(ctx, id, a, ""); err != nil {
			t.Fatalf("%s %s: %v", a, id, err)
		}
	}
	verified := func(k wt.Kind) string {
		r := e.File(t, e.Officer, k)
		e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
		return r.ID
	}
	approved := func() string {
		id := verified(wt.Subpoena)
		e.Do(t, e.Reviewer, id, workflow.ActionApprove, workflow.Input{})
		return id
	}
	ids := map[workflow.State]string{}
	ids["draft"] = e.Draft(t, e.Officer, wt.Subpoena).ID
	ids["submitted"] = e.File(t, e.Officer, wt.Subpoena).ID
	ids["intake"] = e.File(t, e.Officer, wt.Subpoena).ID
	e.Do(t, e.Intake, ids["intake"], workflow.ActionTake, workflow.Input{})
	ids["in_review"] = verified(wt.Subpoena)
	ids["needs_info"] = verified(wt.Subpoena)
	e.Do(t, e.Reviewer, ids["needs_info"], workflow.ActionRequestInfo, workflow.Input{Comment: "Which account?"})
	ids["awaiting_countersign"] = verified(wt.ManyTargets)
	e.Do(t, e.Reviewer, ids["awaiting_countersign"], workflow.ActionApprove, workflow.Input{})
	ids["approved"] = approved()
	ids["producing"] = approved()
	system(ids["producing"], workflow.ActionProduce)
	ids["disclosed"] = approved()
	system(ids["disclosed"], workflow.ActionProduce)
	if err := e.DB.Transaction(func(tx *gormDB) error { return e.Engine.Disclosed(ctx, tx, ids["disclosed"]) }); err != nil {
		t.Fatal(err)
	}
	ids["closed"] = approved()
	system(ids["closed"], workflow.ActionProduce)
	if err := e.DB.Transaction(func(tx *gormDB) error { return e.Engine.Disclosed(ctx, tx, ids["closed"]) }); err != nil {
		t.Fatal(err)
	}
	e.Do(t, e.Reviewer, ids["closed"], workflow.ActionClose, workflow.Input{})
	ids["rejected"] = verified(wt.Subpoena)
	e.Do(t, e.Reviewer, ids["rejected"], workflow.ActionReject, workflow.Input{ReasonCode: "overbroad", Comment: "Too broad."})
	ids["withdrawn"] = e.File(t, e.Officer, wt.Subpoena).ID
	e.Do(t, e.Officer, ids["withdrawn"], workflow.ActionWithdraw, workflow.Input{})
	ids["expired"] = verified(wt.Subpoena)
	system(ids["expired"], workflow.ActionExpire)
	ids["preserved"] = verified(wt.Preservation)
	ids["extended"] = verified(wt.Preservation)
	e.Do(t, e.Reviewer, ids["extended"], workflow.ActionExtend, workflow.Input{})
	ids["released"] = verified(wt.Preservation)
	e.Do(t, e.Reviewer, ids["released"], workflow.ActionRelease, workflow.Input{})
	for _, s := range request.States {
		if got := e.State(t, ids[s]); got != s {
			t.Fatalf("fixture for %s is %s", s, got)
		}
	}
	return ids
}

// TestTransitionTable checks every action in every state for every role and
// relation against the specification above: another agency gets 404 (as
// for a missing request), an action the state does not allow 409, a role
// the policy does not grant 403, and an allowed one leads where it should.
func TestTransitionTable(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{NoStart: true})
	ctx := context.Background()
	ids := standing(t, e)
	// An uncosigned emergency stands in "submitted" for co-signing.
	emergency := e.File(t, e.Officer, wt.Emergency).ID
	// The agency's system sees what the officer shares with it; a colleague
	// they share nothing with sees nothing (need-to-know).
	for _, id := range append(slices.Collect(maps.Values(ids)), emergency) {
		if _, err := e.Requests.Share(ctx, e.Officer, id, e.Client.PersonID); err != nil {
			t.Fatal(err)
		}
	}
	colleague := wt.MustPerson(t, e.DB, e.Agency, "colleague", identity.RoleOfficer)

	actors := []actor{
		{"Officer", e.Officer, "officer", "own_agency", true},
		{"Supervisor", e.Lieutenant, "supervisor", "own_agency", true},
		{"AgencySystem", e.Client, "officer", "own_agency", false},
		{"Colleague", colleague, "officer", "not_shared", true},
		{"OtherOfficer", e.OtherOfficer, "officer", "other_agency", true},
		{"OtherSupervisor", e.OtherSupervisor, "supervisor", "other_agency", true},
		{"Intake", e.Intake, "intake", "provider", true},
		{"Reviewer", e.Reviewer2, "reviewer", "provider", true},
		{"Counsel", e.Counsel, "counsel", "provider", true},
		{"Admin", e.Admin, "admin", "provider", true},
		{"Auditor", e.Auditor, "auditor", "provider", true},
	}
	inputs := map[workflow.Action]workflow.Input{
		"verify":                     {Verification: wt.Verified(false)},
		"request_info":               {Comment: "Which account?"},
		"reject":                     {ReasonCode: "overbroad", Comment: "Too broad."},
		"message":                    {Body: "The one ending 0123."},
		"record_enforcing_authority": groundsRaised,
	}
	actions := append(slices.Clone(workflow.ProviderActions), workflow.ActionCosign, workflow.ActionMessage, workflow.ActionWithdraw)
	cases := 0
	for _, st := range request.States {
		for _, a := range actions {
			for _, who := range actors {
				id := ids[st]
				if a == workflow.ActionCosign && st == request.StateSubmitted {
					id = emergency
				}
				wantCode, wantState := expect(t, e, who, st, a, id, fixture{})
				t.Run(fmt.Sprintf("%s/%s/%s", st, a, who.name), func(t *testing.T) {
					got, err := e.Engine.DryRun(ctx, who.p, id, e.Version(t, id), a, inputs[a])
					if code := codeOf(err); code != wantCode {
						t.Fatalf("got %s (%v), want %s", code, err, wantCode)
					}
					if err == nil && got.State != wantState {
						t.Errorf("led to %s, want %s", got.State, wantState)
					}
				})
				cases++
			}
		}
	}
	t.Logf("%d cases", cases)
}

// A fixture says what a standing request is, where whether an action
// concerns it at all depends on that.
type fixture struct {
	notified          bool // an EU order notified to its enforcing authority, which has not answered
	keptUntilProduced bool // a preservation whose process keeps it until produced (the catalogue's hold_until_produced)
}

// concerns reports whether action a concerns the request at all: actions
// for some requests only are not allowed (409) on the others.
func (f fixture) concerns(a workflow.Action) bool {
	switch a {
	case workflow.ActionRecordEnforcingAuthority:
		return f.notified
	case workflow.ActionConfirmProductionIssued:
		return f.keptUntilProduced
	}
	return true
}

// groundsRaised is the enforcing authority's answer the tables record.
var groundsRaised = workflow.Input{Outcome: workflow.AnswerGroundsRaised, Grounds: []string{"fundamental_rights"},
	Comment: "The Irish authority raises Article 12(1)(b)."}

// expect computes the specified outcome of who taking a on the request id
// standing in state st.
func expect(t *testing.T, e *wt.Env, who actor, st workflow.State, a workflow.Action, id string, fx fixture) (errs.Code, workflow.State) {
	t.Helper()
	providerAction := slices.Contains(workflow.ProviderActions, a)
	switch {
	case who.relation == "other_agency", who.relation == "not_shared":
		return errs.NotFound, "" // as for a missing request
	case who.relation == "provider" && st == request.StateDraft:
		return errs.NotFound, "" // the provider never sees a draft
	case who.relation == "provider" && a == workflow.ActionCosign && st == request.StateSubmitted:
		return errs.NotFound, "" // nor an emergency awaiting its co-signature, which stands in for submitted here
	case !slices.Contains(allowedIn[a], st):
		return errs.Conflict, ""
	case !fx.concerns(a):
		return errs.Conflict, "" // it concerns other requests
	case providerAction != (who.relation == "provider"):
		return errs.Forbidden, ""
	case !slices.Contains(roles(a, st), who.role):
		return errs.Forbidden, ""
	}
	// The guards the fixtures meet.
	switch {
	case a == "take" && st == "intake":
		return errs.Conflict, "" // intake's own person took it already; this one is not them
	case a == "release" && (st == "in_review" || st == "needs_info" || st == "awaiting_countersign"):
		return errs.Conflict, "" // nobody took it
	case a == "cosign" && !who.person:
		return errs.Forbidden, "" // a supervisor co-signs through their own sign-in
	}
	return "", leadsTo(a, st)
}

func codeOf(err error) errs.Code {
	if err == nil {
		return ""
	}
	return errs.CodeOf(err)
}
