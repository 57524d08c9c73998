package workflow_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestConcurrentApprovals: fifty reviewers approve the same request at the
// version they all read, at once. Exactly one approval is recorded; every
// other gets 409 and leaves no trace but its refusal.
func TestConcurrentApprovals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		kind wt.Kind
		want workflow.State
	}{
		{"OneApprover", wt.Subpoena, request.StateApproved},
		{"FourEyes", wt.ManyTargets, request.StateAwaitingCountersign},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			e := wt.New(t, wt.Options{NoStart: true})
			ctx := context.Background()
			r := e.File(t, e.Officer, tc.kind)
			e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
			version := e.Version(t, r.ID)
			const n = 50
			reviewers := make([]*identity.Principal, n)
			for i := range reviewers {
				reviewers[i] = wt.MustPerson(t, e.DB, nil, fmt.Sprintf("reviewer-%d", i), identity.RoleReviewer)
			}
			audits := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ?", r.ID)

			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				ok        int
				conflicts int
				others    []error
			)
			start := make(chan struct{})
			for _, rv := range reviewers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := e.Engine.Transition(ctx, rv, r.ID, version, workflow.ActionApprove, workflow.Input{})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case errs.CodeOf(err) == errs.Conflict:
						conflicts++
					default:
						others = append(others, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			if ok != 1 || conflicts != n-1 || len(others) > 0 {
				t.Fatalf("%d succeeded, %d conflicts, others %v; want 1 and %d", ok, conflicts, others, n-1)
			}
			if got := e.State(t, r.ID); got != tc.want {
				t.Errorf("state %s, want %s", got, tc.want)
			}
			if got := e.Version(t, r.ID); got != version+1 {
				t.Errorf("version %d, want %d", got, version+1)
			}
			if got := e.Count(t, "SELECT COUNT(*) FROM workflow_approvals WHERE request_id = ?", r.ID); got != 1 {
				t.Errorf("%d approvals recorded, want 1", got)
			}
			if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ?", r.ID) - audits; got != 1 {
				t.Errorf("%d audit events, want 1", got)
			}
			if got := e.Count(t, "SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ? AND event = 'decided'", r.ID); tc.want == request.StateApproved && got != 1 {
				t.Errorf("%d decided leaves, want 1", got)
			}
		})
	}
}
