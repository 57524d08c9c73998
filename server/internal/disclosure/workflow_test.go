package disclosure_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestWorkflowHandOver runs the real workflow: a subpoena is approved, the
// workflow's produce job hands it to WorkflowProducer, which records the
// decided scope; building it makes the package available and, through
// DiscloseWith, the request disclosed, in one transaction, with the
// officer notified and the disclosed leaf in the public log.
func TestWorkflowHandOver(t *testing.T) {
	ctx := context.Background()
	svc := &disclosure.Service{}
	we := wt.New(t, wt.Options{Config: workflow.Config{Producer: disclosure.WorkflowProducer{Service: svc}}})
	store, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := disclosure.ParseKeys(testKey)
	cat, _ := we.Policy.Catalogue(ctx)
	md := &metadata.Store{DB: we.DB, Retention: metadata.RetentionFrom(cat)}
	*svc = disclosure.Service{DB: we.DB, Blobs: store, Metadata: md, Policy: we.Policy, Authz: request.NewPolicy(we.Policy),
		Keys: keys, OnReady: disclosure.DiscloseWith(we.Engine), TempDir: t.TempDir()}
	if _, err := demo.SeedMetadata(ctx, we.DB, time.Now()); err != nil {
		t.Fatal(err)
	}

	r := we.File(t, we.Officer, wt.Subpoena)
	we.Do(t, we.Intake, r.ID, workflow.ActionTake, workflow.Input{})
	we.Do(t, we.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	we.Do(t, we.Reviewer, r.ID, workflow.ActionTake, workflow.Input{})
	// The reviewer narrows the scope to the subscriber category.
	narrowed := &workflow.Narrowing{Categories: []string{"subscriber"}}
	we.Do(t, we.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{Scope: narrowed})
	wt.Eventually(t, 10*time.Second, "the produce job", func() bool { return we.State(t, r.ID) == request.StateProducing })

	p, err := svc.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != disclosure.StatusQueued {
		t.Fatalf("production %s, want queued", p.Status)
	}
	var ap disclosure.Approved
	json.Unmarshal([]byte(p.Scope), &ap)
	if len(ap.Categories) != 1 || ap.Categories[0] != "subscriber" || len(ap.Targets) != 1 {
		t.Errorf("recorded scope %+v, want the decided one", ap)
	}

	// What the disclosure job (or the sweep) does.
	if _, err := svc.Produce(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := we.State(t, r.ID); got != request.StateDisclosed {
		t.Fatalf("after the package was built the request is %s", got)
	}
	if n := we.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'production' AND audience = 'agency'", r.ID); n != 1 {
		t.Errorf("officer notifications: %d", n)
	}
	if n := we.Count(t, "SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ? AND event = 'disclosed'", r.ID); n != 1 {
		t.Errorf("disclosed leaves: %d", n)
	}
	d, err := svc.OpenDownload(ctx, we.Officer, r.ID)
	if err != nil {
		t.Fatalf("the officer's download: %v", err)
	}
	d.Body.Close()
	if _, err := svc.OpenDownload(ctx, we.OtherOfficer, r.ID); err == nil {
		t.Error("another agency's officer opened the package")
	}
}

// TestWorkflowScopeByHand: without the Producer wired, an approved request
// waits in producing; the provider starts the build, which produces exactly
// the reviewers' narrowed decision (WorkflowScope) and discloses the request.
func TestWorkflowScopeByHand(t *testing.T) {
	ctx := context.Background()
	svc := &disclosure.Service{}
	we := wt.New(t, wt.Options{})
	store, _ := blob.NewLocal(t.TempDir())
	keys, _ := disclosure.ParseKeys(testKey)
	cat, _ := we.Policy.Catalogue(ctx)
	*svc = disclosure.Service{DB: we.DB, Blobs: store, Policy: we.Policy, Authz: request.NewPolicy(we.Policy), Keys: keys,
		Metadata: &metadata.Store{DB: we.DB, Retention: metadata.RetentionFrom(cat)}, Scopes: disclosure.WorkflowScope{},
		OnReady: disclosure.DiscloseWith(we.Engine), TempDir: t.TempDir()}
	demo.SeedMetadata(ctx, we.DB, time.Now())
	r := we.File(t, we.Officer, wt.Subpoena)
	// Before any decision there is nothing to build.
	we.DB.Exec(`UPDATE requests SET status = 'producing' WHERE id = ?`, r.ID)
	if _, err := svc.Retry(ctx, we.Reviewer, r.ID); errs.CodeOf(err) != errs.PolicyDenied {
		t.Errorf("building an undecided request: %v", err)
	}
	we.DB.Exec(`UPDATE requests SET status = 'submitted' WHERE id = ?`, r.ID)
	we.DB.Exec(`DELETE FROM productions WHERE request_id = ?`, r.ID)

	we.Do(t, we.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	we.Do(t, we.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{Scope: &workflow.Narrowing{Categories: []string{"subscriber"}}})
	wt.Eventually(t, 10*time.Second, "the produce job", func() bool { return we.State(t, r.ID) == request.StateProducing })
	if _, err := svc.Retry(ctx, we.Officer, r.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("an officer started the build: %v", err)
	}
	if _, err := svc.Retry(ctx, we.OtherOfficer, r.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("another agency's officer: %v", err)
	}
	p, err := svc.Retry(ctx, we.Reviewer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var counts map[string]int64
	json.Unmarshal([]byte(p.Counts), &counts)
	if len(counts) != 1 || counts["subscriber"] != 1 {
		t.Errorf("counts %v, want only the narrowed subscriber category", counts)
	}
	if got := we.State(t, r.ID); got != request.StateDisclosed {
		t.Errorf("after the build the request is %s", got)
	}
}

// newRiver starts a River client with the disclosure and metadata workers
// on the test database, as the lead wires them.
func newRiver(t *testing.T, e *env) *river.Client[*sql.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	e.svc.AddWorkers(workers)
	e.md.AddWorkers(workers)
	client, err := river.NewClient(e.db.RiverDriver(), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           workers,
		PollOnly:          true,
		FetchPollInterval: 50 * time.Millisecond,
		FetchCooldown:     20 * time.Millisecond,
		TestOnly:          true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestRiverJobs runs the service's jobs on a real River client: a retry
// enqueued in its transaction builds the package; a notice under a
// non-disclosure order schedules its release for the order's end; the
// retention purge runs as a job.
func TestRiverJobs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seedAccounts()
	client := newRiver(t, e)
	e.svc.Jobs = client
	until := day.Of(now).AddDays(40)
	r := e.request(req{categories: []string{"subscriber"}, targets: []request.Target{target123}, ndoUntil: until})
	good := e.svc.Blobs
	e.svc.Blobs = &failingStore{Store: good, after: 10}
	if _, err := e.svc.Produce(ctx, r.ID); err == nil {
		t.Fatal("the first build did not fail")
	}
	e.svc.Blobs = good

	// The scheduled release of the notice is enqueued with the package.
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Stop(context.Background()) })
	if _, err := e.svc.Retry(ctx, e.reviewer, r.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for mustGet(t, e, r.ID).Status != disclosure.StatusReady {
		if time.Now().After(deadline) {
			t.Fatalf("the produce job did not build the package: %+v", mustGet(t, e, r.ID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	var scheduled []time.Time
	if err := e.db.Raw(`SELECT scheduled_at FROM river_job WHERE kind = ?`, disclosure.NoticeReleaseArgs{}.Kind()).Scan(&scheduled).Error; err != nil {
		t.Fatal(err)
	}
	if len(scheduled) != 1 || !scheduled[0].Equal(until.AddDays(1).Time()) {
		t.Errorf("notice release jobs scheduled at %v, want one at %s", scheduled, until.AddDays(1))
	}

	if _, err := client.Insert(ctx, metadata.PurgeArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for count := int64(-1); count != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the purge job left %d rows past retention", count)
		}
		e.db.Raw(`SELECT COUNT(*) FROM md_connection_events WHERE at < ?`, now.AddDate(0, 0, -90)).Scan(&count)
		time.Sleep(50 * time.Millisecond)
	}
}
