package workflow_test

import (
	"cmp"
	"context"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestQueueSorts: each order of the queue reads the same requests, sorted
// by its keys, and its keyset pages, two at a time, neither repeat nor skip
// one; a cursor continues only the order it was read in.
func TestQueueSorts(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	for _, k := range []wt.Kind{wt.Subpoena, wt.EUTraffic, wt.Preservation, wt.EUDomestic, wt.Warrant} {
		e.File(t, e.Filer(k), k)
	}
	ids := func(items []workflow.QueueItem) []string {
		out := []string{}
		for _, it := range items {
			out = append(out, it.RequestID)
		}
		return out
	}
	orders := map[string]func(a, b workflow.QueueItem) int{
		workflow.SortDeadline: func(a, b workflow.QueueItem) int {
			return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.RequestID, b.RequestID))
		},
		workflow.SortReceived: func(a, b workflow.QueueItem) int {
			return cmp.Or(a.SubmittedAt.Compare(*b.SubmittedAt), cmp.Compare(a.RequestID, b.RequestID))
		},
		workflow.SortAgency: func(a, b workflow.QueueItem) int {
			return cmp.Or(cmp.Compare(a.AgencyName, b.AgencyName), a.DueAt.Compare(b.DueAt), cmp.Compare(a.RequestID, b.RequestID))
		},
	}
	for _, sort := range workflow.QueueSorts {
		t.Run(sort, func(t *testing.T) {
			all, err := e.Engine.Queue(ctx, e.Admin, workflow.QueueFilter{Sort: sort, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(all.Items); got != 5 {
				t.Fatalf("%d requests in the queues, want 5", got)
			}
			want := slices.Clone(all.Items)
			slices.SortFunc(want, orders[sort])
			if diff := gocmp.Diff(ids(want), ids(all.Items)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			var paged []workflow.QueueItem
			f := workflow.QueueFilter{Sort: sort, Limit: 2}
			for range 5 {
				p, err := e.Engine.Queue(ctx, e.Admin, f)
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, p.Items...)
				if p.NextCursor == "" {
					break
				}
				f.Cursor = p.NextCursor
			}
			if diff := gocmp.Diff(ids(all.Items), ids(paged)); diff != "" {
				t.Errorf("pages of two (-want +got):\n%s", diff)
			}
		})
	}
	first, err := e.Engine.Queue(ctx, e.Admin, workflow.QueueFilter{Sort: workflow.SortAgency, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []workflow.QueueFilter{
		{Sort: workflow.SortReceived, Cursor: first.NextCursor},
		{Cursor: first.NextCursor},
		{Sort: "urgency"},
	} {
		if _, err := e.Engine.Queue(ctx, e.Admin, f); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("Queue(%+v): %v, want Invalid", f, err)
		}
	}
}

// TestTakeOfferedWhileFree: "take" is offered until someone takes the
// request, and then not to them (nor to anyone: the guard refuses it), so
// the workspace never offers people their own work.
func TestTakeOfferedWhileFree(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Officer, wt.Subpoena)
	offered := func() bool {
		got, err := e.Requests.Get(ctx, e.Intake, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := e.Engine.Allowed(ctx, e.Intake, got)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(acts, workflow.ActionTake)
	}
	if !offered() {
		t.Fatal("take not offered on a free request")
	}
	e.Do(t, e.Intake, r.ID, workflow.ActionTake, workflow.Input{})
	if offered() {
		t.Error("take offered to the person who holds the request")
	}
	e.Do(t, e.Intake, r.ID, workflow.ActionRelease, workflow.Input{})
	if !offered() {
		t.Error("take not offered once the request is released")
	}
}

// TestQueueLive: a live queue leaves out disclosed requests, which only
// wait to be closed; the whole queue still has them.
func TestQueueLive(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	open := e.File(t, e.Officer, wt.Subpoena)
	done := e.File(t, e.Officer, wt.Subpoena)
	// Disclosing takes approvals and a production; the queue reads only
	// the case's state, so the test sets it.
	if err := e.DB.Exec("UPDATE workflow_requests SET status = 'disclosed' WHERE request_id = ?", done.ID).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		live bool
		want []string
	}{
		{true, []string{open.ID}},
		{false, []string{open.ID, done.ID}},
	} {
		p, err := e.Engine.Queue(ctx, e.Admin, workflow.QueueFilter{Live: tc.live, Sort: workflow.SortReceived})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range p.Items {
			got = append(got, it.RequestID)
		}
		if diff := gocmp.Diff(tc.want, got); diff != "" {
			t.Errorf("live %v (-want +got):\n%s", tc.live, diff)
		}
	}
}
