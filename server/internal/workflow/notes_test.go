package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestNotesStayWhereTheyBelong takes requests through the provider's
// actions, each with a note to the agency and an internal note: the agency
// reads the one in its history and never the other; the provider's staff
// read both. The old comment is an internal note except where it is the
// agency's by nature (a question, a rejection).
func TestNotesStayWhereTheyBelong(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	in := func(a workflow.Action) workflow.Input {
		return workflow.Input{Note: "to-agency " + string(a), InternalNote: "staff-only " + string(a)}
	}
	type step struct {
		who *identity.Principal
		a   workflow.Action
		in  workflow.Input
	}
	verify := func(emergency bool) workflow.Input {
		i := in(workflow.ActionVerify)
		i.Verification = wt.Verified(emergency)
		return i
	}
	withReason := func(i workflow.Input) workflow.Input { i.ReasonCode = "overbroad"; return i }
	withAssignee := func(i workflow.Input) workflow.Input { i.Assignee = e.Reviewer2.PersonID; return i }
	for _, tc := range []struct {
		kind  wt.Kind
		steps []step
	}{
		{wt.Subpoena, []step{
			{e.Intake, workflow.ActionTake, in(workflow.ActionTake)},
			{e.Intake, workflow.ActionRelease, in(workflow.ActionRelease)},
			{e.Intake, workflow.ActionVerify, verify(false)},
			{e.Admin, workflow.ActionAssign, withAssignee(in(workflow.ActionAssign))},
			{e.Reviewer, workflow.ActionRequestInfo, in(workflow.ActionRequestInfo)},
			{e.Officer, workflow.ActionMessage, workflow.Input{Body: "The first account."}},
			{e.Reviewer, workflow.ActionApprove, in(workflow.ActionApprove)},
		}},
		{wt.ManyTargets, []step{
			{e.Intake, workflow.ActionVerify, verify(false)},
			{e.Reviewer, workflow.ActionApprove, in(workflow.ActionApprove)},
			{e.Counsel, workflow.ActionCountersign, in(workflow.ActionCountersign)},
		}},
		{wt.Subpoena, []step{
			{e.Intake, workflow.ActionVerify, verify(false)},
			{e.Reviewer, workflow.ActionReject, withReason(in(workflow.ActionReject))},
		}},
		{wt.Preservation, []step{
			{e.Intake, workflow.ActionVerify, verify(false)},
			{e.Reviewer, workflow.ActionExtend, in(workflow.ActionExtend)},
		}},
	} {
		r := e.File(t, e.Filer(tc.kind), tc.kind)
		for _, s := range tc.steps {
			e.Do(t, s.who, r.ID, s.a, s.in)
		}
		agencyRead, err := e.Requests.Get(ctx, e.Officer, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := ""
		for _, h := range agencyRead.History {
			seen += h.Comment + "\n" + h.Words + "\n"
		}
		av, err := e.Engine.View(ctx, e.Officer, agencyRead)
		if err != nil {
			t.Fatal(err)
		}
		if av.Queue != "" || av.Assignee != nil || av.Verification != nil || av.Internal != nil {
			t.Errorf("%s: the agency's view shows queue %q, assignee %v, verification %v, internal %v", r.Reference, av.Queue, av.Assignee, av.Verification, av.Internal)
		}
		pv, err := e.Engine.View(ctx, e.Reviewer, agencyRead)
		if err != nil {
			t.Fatal(err)
		}
		internal := ""
		for _, n := range pv.Internal {
			internal += n.Text(workflow.Voice{}) + "\n"
		}
		for _, s := range tc.steps {
			if s.who == e.Officer {
				continue
			}
			if want := "to-agency " + string(s.a); !strings.Contains(seen, want) {
				t.Errorf("%s %s: the agency does not read its note %q in %q", r.Reference, s.a, want, seen)
			}
			if want := "staff-only " + string(s.a); !strings.Contains(internal, want) {
				t.Errorf("%s %s: the provider does not read the internal note %q in %q", r.Reference, s.a, want, internal)
			}
		}
		for _, leak := range []string{"staff-only", "queue", "Intake", "Legal review", e.Reviewer2.PersonID} {
			if strings.Contains(seen, leak) {
				t.Errorf("%s: the agency's history shows %q: %s", r.Reference, leak, seen)
			}
		}
		if !strings.Contains(internal, "In the Intake queue") {
			t.Errorf("%s: the routing note is not the provider's: %q", r.Reference, internal)
		}
	}

	// The old comment: internal on an approval, the agency's on a question.
	r := e.File(t, e.Officer, wt.Subpoena)
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false), Comment: "legacy-verify"})
	e.Do(t, e.Reviewer, r.ID, workflow.ActionRequestInfo, workflow.Input{Comment: "legacy-question"})
	got, err := e.Requests.Get(ctx, e.Officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, h := range got.History {
		seen = append(seen, h.Comment)
	}
	all := strings.Join(seen, "\n")
	if strings.Contains(all, "legacy-verify") || !strings.Contains(all, "legacy-question") {
		t.Errorf("the old comment: agency reads %q; want the question and not the verification's comment", all)
	}

	// An agency writes no internal notes; an over-long internal note is
	// refused beside its field, and nothing is written.
	before := e.Count(t, "SELECT COUNT(*) FROM request_history WHERE request_id = ?", r.ID)
	_, err = e.Engine.Transition(ctx, e.Officer, r.ID, 0, workflow.ActionMessage, workflow.Input{Body: "Yes.", InternalNote: "psst"})
	if ae, ok := errs.As(err); !ok || !slices.ContainsFunc(ae.Fields, func(f errs.FieldError) bool { return f.Field == "internal_note" }) {
		t.Errorf("agency's internal note: %v, want a field error on internal_note", err)
	}
	_, err = e.Engine.Transition(ctx, e.Reviewer, r.ID, e.Version(t, r.ID), workflow.ActionReject,
		workflow.Input{ReasonCode: "overbroad", Note: "Too broad.", InternalNote: strings.Repeat("x", 4001)})
	if ae, ok := errs.As(err); !ok || ae.Code != errs.Invalid || !slices.ContainsFunc(ae.Fields, func(f errs.FieldError) bool { return f.Field == "internal_note" }) {
		t.Errorf("over-long internal note: %v, want 422 on internal_note", err)
	}
	if after := e.Count(t, "SELECT COUNT(*) FROM request_history WHERE request_id = ?", r.ID); after != before {
		t.Errorf("refusals wrote history: %d rows, want %d", after, before)
	}
	if e.State(t, r.ID) != request.StateNeedsInfo {
		t.Errorf("state moved on a refusal: %s", e.State(t, r.ID))
	}
}
