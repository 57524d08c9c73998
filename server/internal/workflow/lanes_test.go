package workflow_test

import (
	"bytes"
	"context"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestEmergencyLane: an emergency waits outside every queue until a
// supervisor of its agency, other than the filer and through their own
// sign-in, co-signs it; then the emergency team verifies it with a callback,
// two people approve it, and after disclosure a follow-up is due.
func TestEmergencyLane(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Sergeant, wt.Emergency)
	c := e.Case(t, r.ID)
	if c.Queue != "" || !c.Emergency {
		t.Fatalf("uncosigned emergency in queue %q (emergency %v), want none", c.Queue, c.Emergency)
	}
	page, err := e.Engine.Queue(ctx, e.Intake, workflow.QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Errorf("the provider's queues show an uncosigned emergency")
	}
	_, err = e.Engine.Transition(ctx, e.Intake, r.ID, e.Version(t, r.ID), workflow.ActionTake, workflow.Input{})
	if errs.CodeOf(err) != errs.NotFound {
		t.Errorf("intake takes an uncosigned emergency: %v, want 404", err)
	}
	// The officer, and the system below (the lieutenant's id), know of it
	// only once the sergeant shares it (need-to-know); then their roles
	// decide.
	if _, err := e.Engine.Transition(ctx, e.Officer, r.ID, 0, workflow.ActionCosign, workflow.Input{}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("an officer it is not shared with co-signs: %v, want 404", err)
	}
	for _, p := range []*identityP{e.Officer, e.Lieutenant} {
		if _, err := e.Requests.Share(ctx, e.Sergeant, r.ID, p.PersonID); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		desc  string
		actor func() *identityP
		want  errs.Code
	}{
		{"FilerCannotCosign", func() *identityP { return e.Sergeant }, errs.Forbidden},
		{"OfficerCannotCosign", func() *identityP { return e.Officer }, errs.Forbidden},
		{"SystemCannotCosign", func() *identityP { return supervisorClient(e) }, errs.Forbidden},
		{"SystemActingForSupervisorCannotCosign", func() *identityP {
			p := *e.Lieutenant
			p.ActingSystem = &identity.ActingSystem{PersonID: e.Officer.PersonID, Subject: "riverside-cms", Name: "riverside-cms"}
			return &p
		}, errs.Forbidden},
		{"OtherAgencyNotFound", func() *identityP { return e.OtherSupervisor }, errs.NotFound},
		{"ProviderNotFound", func() *identityP { return e.Reviewer }, errs.NotFound}, // it has not reached the provider
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.Engine.Transition(ctx, tc.actor(), r.ID, 0, workflow.ActionCosign, workflow.Input{})
			if got := errs.CodeOf(err); got != tc.want {
				t.Errorf("cosign: %v, want %s", err, tc.want)
			}
		})
	}
	st := e.Do(t, e.Lieutenant, r.ID, workflow.ActionCosign, workflow.Input{Comment: "Confirmed with the officer."})
	// The supervisor is answered without the queue: it is the provider's.
	if q := e.Case(t, r.ID).Queue; st.Queue != "" || q != "emergency" || st.DueAt == nil || st.DueAt.After(time.Now().Add(4*time.Hour+time.Minute)) {
		t.Errorf("co-signed: answered with queue %q, in queue %q, due %v; want the emergency queue within 4 hours, not named to the agency", st.Queue, q, st.DueAt)
	}
	_, err = e.Engine.Transition(ctx, e.Intake, r.ID, e.Version(t, r.ID), workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	if ae, ok := errs.As(err); !ok || ae.Code != errs.Invalid || ae.Fields[0].Field != "verification.callback" {
		t.Errorf("verify an emergency without a callback: %v, want 422 on verification.callback", err)
	}
	noAnswer := wt.VerifiedCall(e.Agency)
	noAnswer.Callback.Outcome = "no_answer"
	_, err = e.Engine.Transition(ctx, e.Intake, r.ID, e.Version(t, r.ID), workflow.ActionVerify, workflow.Input{Verification: noAnswer})
	if errs.CodeOf(err) != errs.Invalid {
		t.Errorf("verify with an unanswered callback: %v, want 422", err)
	}
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.VerifiedCall(e.Agency)})
	if v := e.Case(t, r.ID).Verification; !strings.Contains(v, `"number":"+15550100100"`) || !strings.Contains(v, `"directory_id":"`+wt.CallbackID(e.Agency)+`"`) {
		t.Errorf("callback not stored with the directory's number: %s", v)
	}
	if st := e.Do(t, e.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{}); st.State != request.StateAwaitingCountersign {
		t.Fatalf("emergency approved by one person: %s", st.State)
	}
	e.Do(t, e.Counsel, r.ID, workflow.ActionCountersign, workflow.Input{})
	wt.Eventually(t, 10*time.Second, "production", func() bool { return e.State(t, r.ID) == request.StateProducing })

	if err := e.DB.Transaction(func(tx *gormDB) error { return e.Engine.Disclosed(ctx, tx, r.ID) }); err != nil {
		t.Fatal(err)
	}
	c = e.Case(t, r.ID)
	if c.FollowUpDue == nil || c.FollowUpDue.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("follow-up due %v, want in 30 days", c.FollowUpDue)
	}

	// The legal process that follows it up, linked while drafting.
	follow := e.Draft(t, e.Officer, wt.Warrant)
	if _, err := e.Engine.Link(ctx, e.Officer, follow.ID, &r.Reference); err != nil {
		t.Fatal(err)
	}
	e.Submit(t, e.Officer, follow.ID)
	if c := e.Case(t, r.ID); c.FollowUpMetAt == nil || c.FollowUpOverdue {
		t.Errorf("follow-up not met by the linked warrant: %+v", c)
	}
}

// TestUncosignedEmergencyHiddenFromProvider: until its supervisor co-signs
// it, an emergency has not reached the provider: every way the provider's
// staff could learn of it answers exactly as for a request that does not
// exist, while its agency sees it. Once co-signed it is visible everywhere.
func TestUncosignedEmergencyHiddenFromProvider(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	missing := "01890000-0000-7000-8000-000000000000"
	r := e.File(t, e.Sergeant, wt.Emergency)
	draft := e.Draft(t, e.Officer, wt.Emergency)     // never submitted
	withdrawn := e.File(t, e.Sergeant, wt.Emergency) // withdrawn while it waited
	e.Do(t, e.Sergeant, withdrawn.ID, workflow.ActionWithdraw, workflow.Input{})
	staff := []*identityP{e.Intake, e.Reviewer, e.Counsel, e.Admin, e.Auditor}

	hidden := func(t *testing.T, id string) {
		t.Helper()
		_, wantErr := e.Requests.Get(ctx, e.Intake, missing)
		for _, p := range staff {
			_, err := e.Requests.Get(ctx, p, id)
			if errs.CodeOf(err) != errs.NotFound || errs.Message(err) != errs.Message(wantErr) {
				t.Errorf("%s gets it: %v, want %v", p.Subject, err, wantErr)
			}
			page, err := e.Requests.List(ctx, p, request.Filter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				if it.ID == id {
					t.Errorf("%s lists it", p.Subject)
				}
			}
			if _, err := e.Engine.View(ctx, p, &request.Request{ID: id, AgencyID: e.Agency.ID, Status: "submitted"}); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("%s views its workflow: %v, want 404", p.Subject, err)
			}
		}
		for _, a := range []workflow.Action{workflow.ActionTake, workflow.ActionVerify, workflow.ActionReject, workflow.ActionApprove} {
			_, err := e.Engine.Transition(ctx, e.Intake, id, e.Version(t, id), a, workflow.Input{})
			_, wantErr := e.Engine.Transition(ctx, e.Intake, missing, 1, a, workflow.Input{})
			if errs.CodeOf(err) != errs.NotFound || errs.Message(err) != errs.Message(wantErr) {
				t.Errorf("%s on it: %v, want %v", a, err, wantErr)
			}
		}
		for _, team := range append([]string{""}, workflow.Teams...) {
			page, err := e.Engine.Queue(ctx, e.Admin, workflow.QueueFilter{Team: team, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				if it.RequestID == id {
					t.Errorf("queue %q shows it", team)
				}
			}
		}
		// Its agency sees it: a supervisor there, who needs to know.
		if got, err := e.Requests.Get(ctx, e.Lieutenant, id); err != nil || got.ID != id {
			t.Errorf("its agency cannot get it: %v", err)
		}
	}
	t.Run("AwaitingCosign", func(t *testing.T) { hidden(t, r.ID) })
	t.Run("Draft", func(t *testing.T) { hidden(t, draft.ID) })
	t.Run("WithdrawnBeforeCosign", func(t *testing.T) { hidden(t, withdrawn.ID) })

	// A request of the agency that links it does not reveal it either: its
	// filer files the warrant that follows it up.
	follow := e.Draft(t, e.Sergeant, wt.Warrant)
	if _, err := e.Engine.Link(ctx, e.Sergeant, follow.ID, &r.Reference); err != nil {
		t.Fatal(err)
	}
	e.Submit(t, e.Sergeant, follow.ID)
	fr, err := e.Requests.Get(ctx, e.Intake, follow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := e.Engine.View(ctx, e.Intake, fr); err != nil || v.Linked != nil {
		t.Errorf("the provider sees the uncosigned emergency a warrant links: %+v, %v", v, err)
	}

	e.Do(t, e.Lieutenant, r.ID, workflow.ActionCosign, workflow.Input{})
	got, err := e.Requests.Get(ctx, e.Intake, r.ID)
	if err != nil {
		t.Fatalf("co-signed emergency: %v", err)
	}
	if _, err := e.Engine.View(ctx, e.Intake, got); err != nil {
		t.Errorf("view the co-signed emergency: %v", err)
	}
	if v, err := e.Engine.View(ctx, e.Intake, fr); err != nil || v.Linked == nil || v.Linked.ID != r.ID {
		t.Errorf("the provider does not see the co-signed emergency a warrant links: %+v, %v", v, err)
	}
	page, err := e.Requests.List(ctx, e.Intake, request.Filter{Limit: 100})
	if err != nil || !slices.ContainsFunc(page.Items, func(it request.Request) bool { return it.ID == r.ID }) {
		t.Errorf("the provider's list lacks the co-signed emergency: %v", err)
	}
	q, err := e.Engine.Queue(ctx, e.Intake, workflow.QueueFilter{Team: "emergency"})
	if err != nil || !slices.ContainsFunc(q.Items, func(it workflow.QueueItem) bool { return it.RequestID == r.ID }) {
		t.Errorf("the emergency queue lacks the co-signed emergency: %v", err)
	}
	e.Do(t, e.Intake, r.ID, workflow.ActionTake, workflow.Input{})
}

// TestFollowUpOverdue: a follow-up nobody filed is flagged by its River job.
func TestFollowUpOverdue(t *testing.T) {
	t.Parallel()
	var clock skewed
	e := wt.New(t, wt.Options{Now: clock.now})
	ctx := context.Background()
	r := e.File(t, e.Sergeant, wt.Emergency)
	e.Do(t, e.Lieutenant, r.ID, workflow.ActionCosign, workflow.Input{})
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.VerifiedCall(e.Agency)})
	e.Do(t, e.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{})
	e.Do(t, e.Counsel, r.ID, workflow.ActionCountersign, workflow.Input{})
	wt.Eventually(t, 10*time.Second, "production", func() bool { return e.State(t, r.ID) == request.StateProducing })
	// Disclosed 31 days ago by the engine's clock: the follow-up, due 30
	// days after, is already due by River's.
	clock.set(-31 * 24 * time.Hour)
	if err := e.DB.Transaction(func(tx *gormDB) error { return e.Engine.Disclosed(ctx, tx, r.ID) }); err != nil {
		t.Fatal(err)
	}
	wt.Eventually(t, 10*time.Second, "the follow-up flag", func() bool { return e.Case(t, r.ID).FollowUpOverdue })
	if got := e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'follow_up'", r.ID); got != 3 {
		t.Errorf("follow-up notifications: %d, want 3 (due, overdue to the agency, overdue to the team)", got)
	}
	page, err := e.Engine.Queue(ctx, e.Reviewer, workflow.QueueFilter{Overdue: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].RequestID != r.ID {
		t.Errorf("overdue queue %+v, want the disclosed emergency", page.Items)
	}
}

// TestPreservationLane: preserved on verification for the policy's 90 days,
// extended once, fulfilled by a production request that links it.
func TestPreservationLane(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	p := e.File(t, e.Officer, wt.Preservation)
	st := e.Do(t, e.Intake, p.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	if st.State != request.StatePreserved {
		t.Fatalf("verified preservation: %s, want preserved", st.State)
	}
	c := e.Case(t, p.ID)
	if c.HoldUntil == nil || c.HoldUntil.Sub(time.Now()) < 89*24*time.Hour || c.HoldUntil.Sub(time.Now()) > 90*24*time.Hour {
		t.Errorf("hold until %v, want 90 days", c.HoldUntil)
	}
	if got := e.Count(t, "SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ? AND event = ?", p.ID, translog.EventPreserved); got != 1 {
		t.Errorf("preserved leaves: %d, want 1", got)
	}
	e.Do(t, e.Reviewer, p.ID, workflow.ActionExtend, workflow.Input{})
	if c2 := e.Case(t, p.ID); !c2.Extended || c2.HoldUntil.Sub(*c.HoldUntil) != 90*24*time.Hour {
		t.Errorf("extended: %v until %v", c2.Extended, c2.HoldUntil)
	}
	_, err := e.Engine.Transition(ctx, e.Reviewer, p.ID, e.Version(t, p.ID), workflow.ActionExtend, workflow.Input{})
	if errs.CodeOf(err) != errs.Conflict {
		t.Errorf("second extension: %v, want 409", err)
	}

	discloseLinkedWarrant(t, e, p.ID)
	if got, want := e.State(t, p.ID), request.StateClosed; got != want {
		t.Errorf("preservation after its production: %s, want %s", got, want)
	}
}

// TestPreservationExpires: the hold ends on its own through its River job.
func TestPreservationExpires(t *testing.T) {
	t.Parallel()
	var clock skewed
	e := wt.New(t, wt.Options{Now: clock.now})
	p := e.File(t, e.Officer, wt.Preservation)
	clock.set(-91 * 24 * time.Hour) // preserved 91 days ago
	e.Do(t, e.Intake, p.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	wt.Eventually(t, 10*time.Second, "the hold to expire", func() bool { return e.State(t, p.ID) == request.StateExpired })
	if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND action = 'workflow.expire'", p.ID); got != 1 {
		t.Errorf("expire events: %d, want 1", got)
	}
}

// TestDeadlineEscalates: a state whose deadline passes is marked overdue and
// its team notified, once; a later state has a fresh deadline.
func TestDeadlineEscalates(t *testing.T) {
	t.Parallel()
	var clock skewed
	e := wt.New(t, wt.Options{Now: clock.now})
	r := e.DraftOf(t, e.Officer, wt.Backdated(wt.Input(wt.Subpoena), 15))
	clock.set(-241 * time.Hour) // routed 241 hours ago: the 240-hour deadline has passed
	e.Submit(t, e.Officer, r.ID)
	clock.set(0)
	wt.Eventually(t, 10*time.Second, "escalation", func() bool { return e.Case(t, r.ID).Overdue })
	time.Sleep(200 * time.Millisecond)
	if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND action = 'workflow.escalate'", r.ID); got != 1 {
		t.Errorf("escalations: %d, want 1", got)
	}
	if got := e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'deadline' AND team = 'intake'", r.ID); got != 1 {
		t.Errorf("deadline notifications: %d, want 1", got)
	}
	st := e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	if st.Overdue {
		t.Errorf("a new state starts overdue")
	}
}

// TestOrderExpiry: an order that runs out before the decision ends the
// request as expired: its own job is scheduled for the day after the order's
// last day, and a deadline that passes after the order ran out expires the
// request instead of escalating it.
func TestOrderExpiry(t *testing.T) {
	t.Parallel()
	var clock skewed
	e := wt.New(t, wt.Options{Now: clock.now, NoStart: true})
	r := e.DraftOf(t, e.Officer, wt.Backdated(wt.Input(wt.Subpoena), 15))
	clock.set(-241 * time.Hour)
	e.Submit(t, e.Officer, r.ID)
	clock.set(0)
	var at time.Time
	if err := e.DB.Raw("SELECT scheduled_at FROM river_job WHERE kind = 'workflow.order_expiry'").Row().Scan(&at); err != nil {
		t.Fatal(err)
	}
	if want := r.ExpiresOn.Time().AddDate(0, 0, 1); !at.Equal(want) {
		t.Errorf("order expiry scheduled at %v, want %v", at, want)
	}
	// Time passes: the order ran out the day before the deadline job runs.
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	if err := e.DB.Exec("UPDATE requests SET expires_on = ? WHERE id = ?", yesterday, r.ID).Error; err != nil {
		t.Fatal(err)
	}
	e.Start(t)
	wt.Eventually(t, 10*time.Second, "expiry", func() bool { return e.State(t, r.ID) == request.StateExpired })
	if c := e.Case(t, r.ID); c.Queue != "" {
		t.Errorf("expired request still in queue %q", c.Queue)
	}
}

// TestQuestionAndAnswer: a reviewer asks, the officer answers, the request
// is back in review, and both sides see the thread.
func TestQuestionAndAnswer(t *testing.T) {
	t.Parallel()
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	r := e.File(t, e.Officer, wt.Subpoena)
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	_, err := e.Engine.Transition(ctx, e.Reviewer, r.ID, e.Version(t, r.ID), workflow.ActionRequestInfo, workflow.Input{})
	if errs.CodeOf(err) != errs.Invalid {
		t.Errorf("question without text: %v, want 422", err)
	}
	e.Do(t, e.Reviewer, r.ID, workflow.ActionRequestInfo, workflow.Input{Comment: "Which account does the order name?"})
	if got := e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'question' AND audience = 'agency'", r.ID); got != 1 {
		t.Errorf("question notifications: %d", got)
	}
	// Asked, the officer may attach a corrected order; nobody else may.
	corrected := request.PlaceholderPDF("corrected")
	if _, err := e.Requests.UploadDocument(ctx, e.Officer, r.ID, "order-corrected.pdf", bytes.NewReader(corrected)); err != nil {
		t.Fatalf("attach a corrected order while asked: %v", err)
	}
	if _, err := e.Requests.UploadDocument(ctx, e.Reviewer, r.ID, "x.pdf", bytes.NewReader(request.PlaceholderPDF("x"))); err == nil {
		t.Error("the reviewer attached a document to the agency's request")
	}
	st, err := e.Engine.Transition(ctx, e.Officer, r.ID, 0, workflow.ActionMessage, workflow.Input{Body: "The one ending 0123; the corrected order is attached."})
	if err != nil {
		t.Fatal(err)
	}
	if st.State != request.StateInReview {
		t.Errorf("after the answer: %s, want in_review", st.State)
	}
	req, err := e.Requests.Get(ctx, e.Officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Engine.View(ctx, e.Officer, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Messages) != 2 || v.Messages[0].Author != "The provider's legal team" || v.Messages[1].Body != "The one ending 0123; the corrected order is attached." {
		t.Errorf("officer's thread: %+v", v.Messages)
	}
	if len(req.Documents) != 2 || req.Documents[1].Filename != "order-corrected.pdf" {
		t.Errorf("documents after the answer: %+v, want the order and the corrected one", req.Documents)
	}
	// Back in review, the request takes no more documents.
	_, err = e.Requests.UploadDocument(ctx, e.Officer, r.ID, "late.pdf", bytes.NewReader(request.PlaceholderPDF("late")))
	if code := errs.CodeOf(err); code != errs.Forbidden && code != errs.Conflict && code != errs.PolicyDenied {
		t.Errorf("an upload in review: %v, want a refusal", err)
	}
	if v.Verification != nil || v.Approvals != nil {
		t.Errorf("the agency sees the provider's internal record")
	}
	_, err = e.Engine.Transition(ctx, e.Officer, r.ID, 0, workflow.ActionMessage, workflow.Input{Body: "More."})
	if errs.CodeOf(err) != errs.Conflict {
		t.Errorf("a message outside needs_info: %v, want 409", err)
	}
}

// discloseLinkedWarrant files a warrant that follows up preservation id,
// takes it through review to production and marks it disclosed, which
// fulfils the preservation.
func discloseLinkedWarrant(t *testing.T, e *wt.Env, id string) {
	t.Helper()
	ctx := context.Background()
	w := e.Draft(t, e.Officer, wt.Warrant)
	if _, err := e.Engine.Link(ctx, e.Officer, w.ID, &id); err != nil {
		t.Fatal(err)
	}
	e.Submit(t, e.Officer, w.ID)
	e.Do(t, e.Intake, w.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	e.Do(t, e.Reviewer, w.ID, workflow.ActionApprove, workflow.Input{})
	wt.Eventually(t, 10*time.Second, "production", func() bool { return e.State(t, w.ID) == request.StateProducing })
	if err := e.DB.Transaction(func(tx *gormDB) error { return e.Engine.Disclosed(ctx, tx, w.ID) }); err != nil {
		t.Fatal(err)
	}
}
