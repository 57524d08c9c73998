package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestSingleApprovalFlow walks a subpoena from submission to production:
// intake verifies, a reviewer approves, and the produce job hands it to the
// Producer.
func TestSingleApprovalFlow(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	r := e.File(t, e.Officer, wt.Subpoena)
	c := e.Case(t, r.ID)
	if got, want := c.Queue, "intake"; got != want {
		t.Errorf("routed to %q, want %q", got, want)
	}
	if !c.DueAt.After(time.Now()) || c.DueAt.After(time.Now().Add(241*time.Hour)) {
		t.Errorf("deadline %v, want within the subpoena's 240 hours", c.DueAt)
	}

	e.Do(t, e.Intake, r.ID, workflow.ActionTake, workflow.Input{})
	if got, want := e.State(t, r.ID), request.StateIntake; got != want {
		t.Errorf("after take: %s, want %s", got, want)
	}
	st := e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	if got, want := st.State, request.StateInReview; got != want {
		t.Errorf("after verify: %s, want %s", got, want)
	}
	if got, want := st.Queue, "legal"; got != want {
		t.Errorf("after verify in queue %q, want %q", got, want)
	}
	if st.AssigneeID != "" {
		t.Errorf("intake's assignment carried into review: %q", st.AssigneeID)
	}
	e.Do(t, e.Reviewer, r.ID, workflow.ActionTake, workflow.Input{})
	st = e.Do(t, e.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{Comment: "Within the subpoena's reach."})
	if got, want := st.State, request.StateApproved; got != want {
		t.Fatalf("after approve: %s, want %s", got, want)
	}
	wt.Eventually(t, 10*time.Second, "the produce job", func() bool { return e.State(t, r.ID) == request.StateProducing })

	if got := e.Count(t, "SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ? AND event = ?", r.ID, translog.EventDecided); got != 1 {
		t.Errorf("decided leaves: %d, want 1", got)
	}
	if got := e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'decision'", r.ID); got != 1 {
		t.Errorf("decision notifications: %d, want 1", got)
	}
	// People read the categories by name, never by code.
	if got := e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'decision' AND body LIKE ? AND body NOT LIKE ?",
		r.ID, "%Subscriber information%", "%subscriber,%"); got != 1 {
		t.Errorf("decision notifications naming the categories in words: %d, want 1", got)
	}
}

// TestFourEyes: eleven targets need two approvers; the second is a
// different person with the counsel role.
func TestFourEyes(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Officer, wt.ManyTargets)
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	st := e.Do(t, e.Counsel, r.ID, workflow.ActionApprove, workflow.Input{})
	if got, want := st.State, request.StateAwaitingCountersign; got != want {
		t.Fatalf("after approve: %s, want %s", got, want)
	}
	if got, want := st.Queue, "counsel"; got != want {
		t.Errorf("awaiting countersign in %q, want %q", got, want)
	}
	for _, tc := range []struct {
		desc string
		who  func() *identity.Principal
		want errs.Code
	}{
		{"SameCounselRefused", func() *identity.Principal { return e.Counsel }, errs.Forbidden},
		{"ReviewerRefused", func() *identity.Principal { return e.Reviewer2 }, errs.Forbidden},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.Engine.Transition(ctx, tc.who(), r.ID, e.Version(t, r.ID), workflow.ActionCountersign, workflow.Input{})
			if got := errs.CodeOf(err); got != tc.want {
				t.Errorf("countersign: %v, want %s", err, tc.want)
			}
		})
	}
	// Counsel claims the countersignature in its queue: not the first
	// approver, released only by whoever took it.
	if st.AssigneeID != "" {
		t.Errorf("awaiting countersign, still assigned to %s", st.AssigneeID)
	}
	for _, tc := range []struct {
		desc   string
		who    func() *identity.Principal
		action workflow.Action
		want   errs.Code
	}{
		{"FirstApproverCannotTake", func() *identity.Principal { return e.Counsel }, workflow.ActionTake, errs.Forbidden},
		{"ReviewerCannotTake", func() *identity.Principal { return e.Reviewer2 }, workflow.ActionTake, errs.Forbidden},
		{"NobodyTookIt", func() *identity.Principal { return e.Counsel2 }, workflow.ActionRelease, errs.Conflict},
		{"CounselTakes", func() *identity.Principal { return e.Counsel2 }, workflow.ActionTake, ""},
		{"TakenAlready", func() *identity.Principal { return e.Counsel2 }, workflow.ActionTake, errs.Conflict},
		{"OnlyTakerReleases", func() *identity.Principal { return e.Counsel }, workflow.ActionRelease, errs.Conflict},
		{"TakerReleases", func() *identity.Principal { return e.Counsel2 }, workflow.ActionRelease, ""},
		{"CounselTakesAgain", func() *identity.Principal { return e.Counsel2 }, workflow.ActionTake, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			st, err := e.Engine.Transition(ctx, tc.who(), r.ID, e.Version(t, r.ID), tc.action, workflow.Input{})
			if got := codeOf(err); got != tc.want {
				t.Fatalf("%s: %v, want %q", tc.action, err, tc.want)
			}
			if err == nil && st.State != request.StateAwaitingCountersign {
				t.Errorf("%s left it %s", tc.action, st.State)
			}
		})
	}
	page, err := e.Engine.Queue(ctx, e.Counsel2, workflow.QueueFilter{Team: "counsel", Assignee: e.Counsel2.PersonID})
	if err != nil || len(page.Items) != 1 || page.Items[0].RequestID != r.ID {
		t.Errorf("counsel's own countersignatures: %+v, %v", page.Items, err)
	}
	st = e.Do(t, e.Counsel2, r.ID, workflow.ActionCountersign, workflow.Input{})
	if got, want := st.State, request.StateApproved; got != want {
		t.Fatalf("after countersign: %s, want %s", got, want)
	}
	if got := e.Count(t, "SELECT COUNT(DISTINCT subject) FROM workflow_approvals WHERE request_id = ?", r.ID); got != 2 {
		t.Errorf("distinct approvers: %d, want 2", got)
	}
}

// TestBadInput: the 409s and 422s of the issue.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Officer, wt.Subpoena)

	t.Run("NotAllowedNamesAllowed", func(t *testing.T) {
		_, err := e.Engine.Transition(ctx, e.Reviewer, r.ID, e.Version(t, r.ID), workflow.ActionApprove, workflow.Input{})
		ae, ok := errs.As(err)
		if !ok || ae.Code != errs.Conflict || !errors.Is(err, workflow.ErrNotAllowed) {
			t.Fatalf("approve a submitted request: %v, want 409 not allowed", err)
		}
		if ae.Allowed == nil {
			t.Errorf("no allowed actions named")
		}
		_, err = e.Engine.Transition(ctx, e.Intake, r.ID, e.Version(t, r.ID), workflow.ActionApprove, workflow.Input{})
		ae, _ = errs.As(err)
		if !slices.Equal(ae.Allowed, []string{"take", "verify"}) {
			t.Errorf("intake allowed %v, want [take verify]", ae.Allowed)
		}
	})
	t.Run("StaleVersion", func(t *testing.T) {
		v := e.Version(t, r.ID)
		e.Do(t, e.Intake, r.ID, workflow.ActionTake, workflow.Input{})
		_, err := e.Engine.Transition(ctx, e.Intake, r.ID, v, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
		if errs.CodeOf(err) != errs.Conflict || !errors.Is(err, request.ErrStaleVersion) {
			t.Errorf("stale verify: %v, want 409 stale", err)
		}
	})
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	t.Run("WiderScope422NamesExcess", func(t *testing.T) {
		_, err := e.Engine.Transition(ctx, e.Reviewer, r.ID, e.Version(t, r.ID), workflow.ActionApprove, workflow.Input{
			Scope: &workflow.Narrowing{Categories: []string{"subscriber", "device"}}})
		ae, ok := errs.As(err)
		if !ok || ae.Code != errs.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != "scope.categories" {
			t.Fatalf("wider scope: %v, want 422 on scope.categories", err)
		}
	})
	t.Run("RejectNeedsReason", func(t *testing.T) {
		_, err := e.Engine.Transition(ctx, e.Reviewer, r.ID, e.Version(t, r.ID), workflow.ActionReject, workflow.Input{ReasonCode: "rude"})
		ae, ok := errs.As(err)
		if !ok || ae.Code != errs.Invalid || len(ae.Fields) != 2 {
			t.Fatalf("reject without reason: %v", err)
		}
	})
	t.Run("OtherAgency404", func(t *testing.T) {
		_, err := e.Engine.Transition(ctx, e.OtherOfficer, r.ID, 0, workflow.ActionWithdraw, workflow.Input{})
		if errs.CodeOf(err) != errs.NotFound {
			t.Errorf("other agency withdraws: %v, want 404", err)
		}
	})
	t.Run("Narrowed", func(t *testing.T) {
		st, err := e.Engine.Transition(ctx, e.Reviewer, r.ID, e.Version(t, r.ID), workflow.ActionApprove, workflow.Input{
			Scope: &workflow.Narrowing{Categories: []string{"subscriber"}}})
		if err != nil {
			t.Fatal(err)
		}
		if st.State != request.StateApproved {
			t.Errorf("state %s", st.State)
		}
	})
}
