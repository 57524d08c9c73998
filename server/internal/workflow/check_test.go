package workflow_test

import (
	"context"
	"errors"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestCheckWritesNothing: Check answers as Transition would — a field error
// that says what to do, a stale version, or nil — and a request it
// passes is left exactly as it was, so a page can confirm before acting.
func TestCheckWritesNothing(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Officer, wt.Subpoena)
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	v := e.Version(t, r.ID)
	history := e.Count(t, "SELECT COUNT(*) FROM request_history WHERE request_id = ?", r.ID)

	err := e.Engine.Check(ctx, e.Reviewer, r.ID, v, workflow.ActionReject, workflow.Input{})
	e1, ok := errs.As(err)
	if !ok || e1.Code != errs.Invalid {
		t.Fatalf("reject with nothing: %v, want Invalid", err)
	}
	want := map[string]string{"note": "Explain the rejection to the agency.", "reason_code": "Choose the reason for the rejection."}
	for _, f := range e1.Fields {
		if w, ok := want[f.Field]; ok && f.Message != w {
			t.Errorf("%s: %q, want %q", f.Field, f.Message, w)
		}
		delete(want, f.Field)
	}
	if len(want) > 0 {
		t.Errorf("no field error for %v", want)
	}
	if err := e.Engine.Check(ctx, e.Reviewer, r.ID, v-1, workflow.ActionApprove, workflow.Input{}); !errors.Is(err, request.ErrStaleVersion) {
		t.Errorf("approve at an old version: %v, want stale", err)
	}
	reject := workflow.Input{ReasonCode: workflow.ReviewerReasonCodes()[0], Comment: "No basis."}
	if err := e.Engine.Check(ctx, e.Reviewer, r.ID, v, workflow.ActionReject, reject); err != nil {
		t.Fatalf("a good rejection: %v", err)
	}
	if err := e.Engine.Check(ctx, e.Reviewer, r.ID, v, workflow.ActionApprove, workflow.Input{}); err != nil {
		t.Fatalf("a good approval: %v", err)
	}
	if got := e.State(t, r.ID); got != request.StateInReview || e.Version(t, r.ID) != v ||
		e.Count(t, "SELECT COUNT(*) FROM request_history WHERE request_id = ?", r.ID) != history {
		t.Errorf("after checks the request is %s at version %d, want in review at %d with no new history", got, e.Version(t, r.ID), v)
	}
	e.Do(t, e.Reviewer, r.ID, workflow.ActionReject, reject)
}
