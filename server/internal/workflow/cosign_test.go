package workflow_test

import (
	"context"
	"slices"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestNamedSupervisorCosigns: an emergency names the supervisor who will
// co-sign it, and that supervisor alone is notified at once; the officer
// reads that it waits for the co-signature; co-signing is offered to the
// supervisor until done and never to the filer; once co-signed it is in
// the emergency queue and co-signing is offered to nobody.
func TestNamedSupervisorCosigns(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	in := wt.Input(wt.Emergency)
	in.Emergency.SupervisorID = e.Sergeant.PersonID
	r := e.FileOf(t, e.Officer, in)

	cosignNotes := func(p *identityP) []workflow.Notification {
		t.Helper()
		page, err := e.Engine.Notifications(ctx, p, workflow.NotificationFilter{RequestID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out []workflow.Notification
		for _, n := range page.Items {
			if n.Kind == "cosign" {
				out = append(out, n)
			}
		}
		return out
	}
	if got := cosignNotes(e.Sergeant); len(got) != 1 || got[0].PersonID == nil || *got[0].PersonID != e.Sergeant.PersonID {
		t.Errorf("the named supervisor's co-sign notifications: %+v, want one addressed to them", got)
	}
	for _, p := range []*identityP{e.Lieutenant, e.Officer} {
		if got := cosignNotes(p); len(got) != 0 {
			t.Errorf("%s sees the co-sign notification meant for the named supervisor: %+v", p.Name, got)
		}
	}

	officerView := viewAs(t, e, e.Officer, r.ID)
	awaiting := officerView.Emergency && officerView.CosignedAt == nil
	if got := wording.RequestTag(officerView.State, awaiting, wording.Agency).Text; got != "Waiting for your supervisor's co-signature" {
		t.Errorf("the officer reads %q before the co-signature", got)
	}
	if slices.Contains(officerView.Allowed, workflow.ActionCosign) {
		t.Errorf("the filer is offered to co-sign: %v", officerView.Allowed)
	}
	if v := viewAs(t, e, e.Sergeant, r.ID); !slices.Contains(v.Allowed, workflow.ActionCosign) {
		t.Errorf("the named supervisor is not offered to co-sign: %v", v.Allowed)
	}

	e.Do(t, e.Sergeant, r.ID, workflow.ActionCosign, workflow.Input{})
	for _, p := range []*identityP{e.Sergeant, e.Lieutenant} {
		if v := viewAs(t, e, p, r.ID); slices.Contains(v.Allowed, workflow.ActionCosign) {
			t.Errorf("co-signing still offered to %s after the co-signature: %v", p.Name, v.Allowed)
		}
	}
	officerView = viewAs(t, e, e.Officer, r.ID)
	awaiting = officerView.Emergency && officerView.CosignedAt == nil
	if got := wording.RequestTag(officerView.State, awaiting, wording.Agency); got != wording.TagOf(request.StateSubmitted, wording.Agency) {
		t.Errorf("after the co-signature the officer reads %+v", got)
	}
	q, err := e.Engine.Queue(ctx, e.Intake, workflow.QueueFilter{Team: "emergency"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(q.Items, func(it workflow.QueueItem) bool { return it.RequestID == r.ID }) {
		t.Errorf("the co-signed emergency is not in the emergency queue: %+v", q.Items)
	}
}

// TestEmergencyAwaitingCountersignStaysWithTheEmergencyTeam: the second
// approval of an emergency is the emergency team's to give (the routing
// policy), so it stays in their queue; other requests awaiting a
// countersignature are in counsel's.
func TestEmergencyAwaitingCountersignStaysWithTheEmergencyTeam(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	em := e.File(t, e.Officer, wt.Emergency)
	e.Do(t, e.Sergeant, em.ID, workflow.ActionCosign, workflow.Input{})
	e.Do(t, e.Intake, em.ID, workflow.ActionVerify, workflow.Input{Verification: wt.VerifiedCall(e.Agency)})
	e.Do(t, e.Reviewer, em.ID, workflow.ActionApprove, workflow.Input{})
	many := e.File(t, e.Officer, wt.ManyTargets)
	e.Do(t, e.Intake, many.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	e.Do(t, e.Reviewer, many.ID, workflow.ActionApprove, workflow.Input{})
	for id, want := range map[string]string{em.ID: "emergency", many.ID: "counsel"} {
		c := e.Case(t, id)
		if c.Status != request.StateAwaitingCountersign {
			t.Fatalf("%s is %s, want awaiting_countersign", id, c.Status)
		}
		if c.Queue != want {
			t.Errorf("%s awaiting countersignature in queue %q, want %q", id, c.Queue, want)
		}
	}
}
