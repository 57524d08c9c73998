package workflow_test

import (
	"context"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestEmergencyCallbackUsesTheDirectory: an emergency is verified only by
// a confirmed callback to a number of its own agency's callback directory
// that is not removed; the call is recorded with who called, when and the
// outcome, in the verification's transaction, for provider staff only.
func TestEmergencyCallbackUsesTheDirectory(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Officer, wt.Emergency)
	e.Do(t, e.Lieutenant, r.ID, workflow.ActionCosign, workflow.Input{})

	removed := &agency.CallbackEntry{Label: "Old front desk", Phone: "+1 555 0100 300", Source: "An old city directory"}
	if err := agency.AddCallback(ctx, e.DB.DB, e.Agency, removed); err != nil {
		t.Fatal(err)
	}
	if err := agency.RemoveCallback(ctx, e.DB.DB, e.Agency.ID, removed.ID, nil); err != nil {
		t.Fatal(err)
	}
	call := func(id string) *workflow.Verification {
		v := wt.Verified(false)
		v.Callback = &workflow.Callback{DirectoryID: id, Outcome: "confirmed"}
		return v
	}
	typed := wt.Verified(false)
	typed.Callback = &workflow.Callback{Number: "+1 555 0100 199", Directory: "the request's signature block", Outcome: "confirmed"}
	for _, tc := range []struct {
		name string
		v    *workflow.Verification
	}{
		{"a number typed in", typed},
		{"an unknown entry", call("no-such-entry")},
		{"another agency's number", call(wt.CallbackID(e.Other))},
		{"a removed number", call(removed.ID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Engine.Transition(ctx, e.Intake, r.ID, e.Version(t, r.ID), workflow.ActionVerify, workflow.Input{Verification: tc.v})
			ae, ok := errs.As(err)
			if !ok || ae.Code != errs.Invalid || len(ae.Fields) == 0 || ae.Fields[0].Field != "verification.callback.directory_id" {
				t.Fatalf("verify: %v, want 422 on verification.callback.directory_id", err)
			}
			if n := e.Count(t, "SELECT COUNT(*) FROM request_callbacks WHERE request_id = ?", r.ID); n != 0 {
				t.Errorf("a refused verification recorded %d callbacks", n)
			}
		})
	}

	v := wt.VerifiedCall(e.Agency)
	v.Callback.Note = "Sgt. on duty confirmed."
	if st := e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: v}); st.State != request.StateInReview {
		t.Fatalf("verified: %s", st.State)
	}
	if _, err := e.Engine.CallbackView(ctx, e.Officer, r.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("the agency's officer reads the callbacks: %v, want Forbidden", err)
	}
	view, err := e.Engine.CallbackView(ctx, e.Reviewer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Directory) != 1 || view.Directory[0].ID != wt.CallbackID(e.Agency) {
		t.Errorf("directory offered: %+v, want the switchboard only (not the removed number)", view.Directory)
	}
	if len(view.Recorded) != 1 {
		t.Fatalf("recorded %d callbacks, want 1", len(view.Recorded))
	}
	got := view.Recorded[0]
	if got.CalledBy != e.Intake.PersonID || got.CallerName != e.Intake.Name || got.Outcome != "confirmed" || got.Phone != "+15550100100" ||
		got.Note != "Sgt. on duty confirmed." || got.CalledAt.IsZero() {
		t.Errorf("recorded %+v", got)
	}
}
