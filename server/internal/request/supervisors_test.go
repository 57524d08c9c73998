package request_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestListSupervisors asks the production policy: an agency's officers and
// supervisors list the supervisors of their own agency they may name (a
// supervisor not themselves), another agency's people nobody; the
// provider's staff are refused with the policy's reason, and the refusal
// is in the audit trail.
func TestListSupervisors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	pol, err := policy.Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Policy = request.NewPolicy(pol)

	for _, tc := range []struct {
		desc  string
		actor *identity.Principal
		want  []string
	}{
		{"officer A finds agency A's supervisor", e.officerA, []string{e.supervisorA.PersonID}},
		{"the supervisor does not find themselves", e.supervisorA, nil},
		{"officer B finds nobody of agency A", e.officerB, nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			sups, err := e.svc.ListSupervisors(ctx, tc.actor)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range sups {
				ids = append(ids, s.ID)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("the provider's staff are refused", func(t *testing.T) {
		_, err := e.svc.ListSupervisors(ctx, e.reviewer)
		if got, want := errs.CodeOf(err), errs.Forbidden; got != want {
			t.Fatalf("code %s (%v), want %s", got, err, want)
		}
		if got, want := errs.Message(err), "Your roles (reviewer) do not allow you to list your agency's supervisors."; got != want {
			t.Errorf("message %q, want %q", got, want)
		}
		if n := count(t, e, `SELECT count(*) FROM audit_events WHERE action = ? AND outcome = 'denied' AND actor_subject = ?`,
			request.ActionSupervisorsList, "reviewer"); n != 1 {
			t.Errorf("%d denials in the audit trail, want 1", n)
		}
	})
}
