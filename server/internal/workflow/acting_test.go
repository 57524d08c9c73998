package workflow_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestSystemsActForAPerson: a system on its own drafts but cannot submit;
// a system acting for an officer (an RFC 8693 token, identity's
// ActingSystem) files with the officer as filer and itself as filed_via;
// an officer submitting a system's own draft becomes its filer, audited.
func TestSystemsActForAPerson(t *testing.T) {
	e := wt.New(t, wt.Options{})
	ctx := context.Background()
	system := wt.MustPerson(t, e.DB, e.Agency, "riverside-cms", identity.RoleOfficer)
	system.Kind = identity.KindClient
	if err := e.DB.Exec(`UPDATE people SET kind = 'client' WHERE id = ?`, system.PersonID).Error; err != nil {
		t.Fatal(err)
	}
	acting := *e.Officer
	acting.ActingSystem = &identity.ActingSystem{PersonID: system.PersonID, Subject: system.Subject, Name: system.Name}

	lastEvent := func(action, requestID string) (audit.Event, map[string]any) {
		t.Helper()
		var ev audit.Event
		if err := e.DB.Where("action = ? AND request_id = ?", action, requestID).Order("seq DESC").Take(&ev).Error; err != nil {
			t.Fatalf("no %s event for %s: %v", action, requestID, err)
		}
		var d map[string]any
		_ = json.Unmarshal([]byte(ev.Details), &d)
		return ev, d
	}
	namesSystem := func(d map[string]any) bool {
		via, _ := d["acting_system"].(map[string]any)
		return via["id"] == system.PersonID && via["subject"] == system.Subject
	}

	t.Run("SystemAloneCannotSubmit", func(t *testing.T) {
		r := e.Draft(t, system, wt.Subpoena)
		if r.CreatedBy != system.PersonID || r.FiledVia != nil {
			t.Errorf("created_by %s, filed_via %v; want the system, none", r.CreatedBy, r.FiledVia)
		}
		_, err := e.Engine.Transition(ctx, system, r.ID, 0, workflow.ActionSubmit, workflow.Input{})
		if errs.CodeOf(err) != errs.Forbidden || !strings.Contains(errs.Message(err), "Name the responsible officer") {
			t.Fatalf("submit by the system alone: %v, want Forbidden naming the officer", err)
		}
		if got := e.State(t, r.ID); got != workflow.State(request.StateDraft) {
			t.Errorf("state %s, want still a draft", got)
		}
		if ev, _ := lastEvent(request.ActionSubmit, r.ID); ev.Outcome != audit.OutcomeDenied {
			t.Errorf("the refusal audited as %s, want denied", ev.Outcome)
		}

		// The system shares its draft with the officer (need-to-know), who,
		// through the system, submits it and answers for it.
		if _, err := e.Requests.Share(ctx, system, r.ID, e.Officer.PersonID); err != nil {
			t.Fatalf("the system shares its draft with the officer: %v", err)
		}
		got := e.Submit(t, &acting, r.ID)
		if got.CreatedBy != e.Officer.PersonID || got.FiledVia == nil || *got.FiledVia != system.PersonID || got.Status != request.StateSubmitted {
			t.Errorf("after submit: created_by %s, filed_via %v, status %s; want the officer, the system, submitted", got.CreatedBy, got.FiledVia, got.Status)
		}
		ev, d := lastEvent(request.ActionResponsible, r.ID)
		if ev.Actor.Subject != e.Officer.Subject || d["from"] != system.PersonID || d["to"] != e.Officer.PersonID || !namesSystem(d) {
			t.Errorf("responsibility audited by %s with %v, want the officer taking it from the system", ev.Actor.Subject, d)
		}
	})

	t.Run("NamedSupervisorCannotTakeTheEmergency", func(t *testing.T) {
		r := e.Draft(t, system, wt.Emergency)
		if r.EmergencySupervisor == nil {
			t.Fatal("the emergency names no supervisor")
		}
		named := e.Lieutenant
		if *r.EmergencySupervisor == e.Sergeant.PersonID {
			named = e.Sergeant
		}
		through := *named
		through.ActingSystem = acting.ActingSystem
		if _, err := e.Requests.Share(ctx, system, r.ID, named.PersonID); err != nil {
			t.Fatalf("the system shares its emergency with the supervisor it names: %v", err)
		}
		_, err := e.Engine.Transition(ctx, &through, r.ID, 0, workflow.ActionSubmit, workflow.Input{})
		if errs.CodeOf(err) != errs.Invalid {
			t.Errorf("the named supervisor submits the system's emergency: %v, want Invalid", err)
		}
		if got, _ := request.Read(ctx, e.DB.DB, r.ID); got.CreatedBy != system.PersonID || got.Status != request.StateDraft {
			t.Errorf("after the refusal: created_by %s, status %s; want the system's draft untouched", got.CreatedBy, got.Status)
		}
	})

	t.Run("ActingTokenFilesAndSubmits", func(t *testing.T) {
		r := e.Draft(t, &acting, wt.Subpoena)
		if r.CreatedBy != e.Officer.PersonID || r.FiledVia == nil || *r.FiledVia != system.PersonID {
			t.Errorf("created_by %s, filed_via %v; want the officer through the system", r.CreatedBy, r.FiledVia)
		}
		if ev, d := lastEvent(request.ActionCreate, r.ID); ev.Actor.Subject != e.Officer.Subject || !namesSystem(d) || d["reference"] != r.Reference {
			t.Errorf("create audited by %s with %v, want the officer, naming the system", ev.Actor.Subject, d)
		}
		got := e.Submit(t, &acting, r.ID)
		if got.CreatedBy != e.Officer.PersonID || got.Status != request.StateSubmitted {
			t.Errorf("after submit: created_by %s, status %s", got.CreatedBy, got.Status)
		}
		if ev, d := lastEvent(request.ActionSubmit, r.ID); ev.Actor.Subject != e.Officer.Subject || !namesSystem(d) {
			t.Errorf("submit audited by %s with %v, want the officer, naming the system", ev.Actor.Subject, d)
		}
		if n := e.Count(t, "SELECT COUNT(*) FROM audit_events WHERE action = ? AND request_id = ?", request.ActionResponsible, r.ID); n != 0 {
			t.Errorf("%d responsibility events for a request the officer filed, want none", n)
		}
		// The officer sees it, in the pages as in the API.
		if _, err := e.Requests.Get(ctx, e.Officer, r.ID); err != nil {
			t.Errorf("the officer reads the request: %v", err)
		}
	})
}
