package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestDeadlinesPerProcess: every state with a deadline gets the one the
// routing policy gives the request's legal process (the catalogue's
// deadline_hours, or its emergency deadline for an emergency), not one
// figure for every request; an emergency awaiting its co-signature has
// none, as it is in no queue.
func TestDeadlinesPerProcess(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{NoStart: true})
	ctx := context.Background()
	cat, err := e.Policy.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	procs := map[string]policy.Process{}
	for _, j := range cat.Jurisdictions {
		for _, p := range j.Processes {
			procs[p.ID] = p
		}
	}
	hours := func(t *testing.T, id string) time.Duration {
		t.Helper()
		c := e.Case(t, id)
		if c.DueAt.Year() == 9999 {
			return 0
		}
		return c.DueAt.Sub(c.UpdatedAt).Round(time.Second) // placed at the transition's time
	}
	for _, tc := range []struct {
		desc    string
		kind    wt.Kind
		process string
		want    int // hours
	}{
		{"Subpoena", wt.Subpoena, "us.subpoena", procs["us.subpoena"].DeadlineHours},
		{"Order2703d", wt.ManyTargets, "us.2703d", procs["us.2703d"].DeadlineHours},
		{"Preservation", wt.Preservation, "us.preservation", procs["us.preservation"].DeadlineHours},
		{"Emergency", wt.Emergency, "us.emergency", procs["us.emergency"].EmergencyDeadlineHours},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if tc.want <= 0 {
				t.Fatalf("the catalogue gives %s no deadline", tc.process)
			}
			want := time.Duration(tc.want) * time.Hour
			r := e.File(t, e.Officer, tc.kind)
			if tc.kind == wt.Emergency {
				if got := hours(t, r.ID); got != 0 {
					t.Errorf("awaiting co-signature: due in %s, want no deadline", got)
				}
				e.Do(t, e.Lieutenant, r.ID, workflow.ActionCosign, workflow.Input{})
			}
			if got := hours(t, r.ID); got != want {
				t.Errorf("submitted: due in %s, want %s (%s)", got, want, tc.process)
			}
			v := wt.Verified(false)
			if tc.kind == wt.Emergency {
				v = wt.VerifiedCall(e.Agency)
			}
			st := e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: v})
			if st.State != request.StateInReview {
				return // a preservation is preserved: its hold period is the deadline
			}
			if got := hours(t, r.ID); got != want {
				t.Errorf("in review: due in %s, want %s (%s)", got, want, tc.process)
			}
			if st := e.Do(t, e.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{}); st.State == request.StateAwaitingCountersign {
				if got := hours(t, r.ID); got != want {
					t.Errorf("awaiting countersign: due in %s, want %s (%s)", got, want, tc.process)
				}
			}
		})
	}
	// The figures differ by process, so one deadline for all would fail above.
	if procs["us.subpoena"].DeadlineHours == procs["us.preservation"].DeadlineHours {
		t.Errorf("the catalogue gives subpoenas and preservations the same deadline; this test would not tell them apart")
	}
}
