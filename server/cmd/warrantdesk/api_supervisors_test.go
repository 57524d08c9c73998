package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// apiSupervisors is the answer of GET /api/v1/agency/supervisors.
type apiSupervisors struct {
	Items []struct{ ID, Name, Email string }
}

// emails are the e-mail addresses of l's supervisors.
func (l apiSupervisors) emails() []string {
	out := []string{}
	for _, s := range l.Items {
		out = append(out, s.Email)
	}
	return out
}

// TestAPISupervisors: an agency's system lists the supervisors of its own
// agency who may co-sign an emergency, and files one naming a supervisor
// it found there; another agency's system never sees them, nor may name
// them; the provider's staff are refused with the policy's reason, and the
// refusal is in the audit trail.
func TestAPISupervisors(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")
	list := func(a *apiClient) apiSupervisors {
		t.Helper()
		var l apiSupervisors
		if code := a.call(http.MethodGet, "/api/v1/agency/supervisors", nil, &l); code != http.StatusOK {
			t.Fatalf("list supervisors: %d", code)
		}
		return l
	}

	// The portal knows people once they have signed in.
	if got := list(riverside).emails(); len(got) != 0 {
		t.Errorf("before anyone signed in: %v, want none", got)
	}
	people := map[string]*browser{}
	for _, email := range []string{"sergeant@riverside-pd.example", "officer@riverside-pd.example", "inspector@northshire-police.example"} {
		people[email] = newBrowser(t, base)
		people[email].login(email)
	}

	// Riverside's officer is no supervisor; Northshire's inspector is
	// another agency's.
	sups := list(riverside)
	if diff := cmp.Diff([]string{"sergeant@riverside-pd.example"}, sups.emails()); diff != "" {
		t.Fatalf("riverside's supervisors (-want +got):\n%s", diff)
	}
	sergeant := sups.Items[0]
	if sergeant.Name != "Marcus Hill" || sergeant.ID == "" {
		t.Errorf("the sergeant is listed as %+v", sergeant)
	}
	others := list(northshire)
	if diff := cmp.Diff([]string{"inspector@northshire-police.example"}, others.emails()); diff != "" {
		t.Errorf("northshire's supervisors (-want +got):\n%s", diff)
	}

	// People list the same through their sessions, the supervisor without
	// themselves: nobody co-signs their own emergency.
	var l apiSupervisors
	if code := people["officer@riverside-pd.example"].api(http.MethodGet, "/api/v1/agency/supervisors", nil, &l); code != http.StatusOK ||
		!slices.Equal(l.emails(), []string{"sergeant@riverside-pd.example"}) {
		t.Errorf("the officer lists %d %v", code, l.emails())
	}
	l = apiSupervisors{}
	if code := people["sergeant@riverside-pd.example"].api(http.MethodGet, "/api/v1/agency/supervisors", nil, &l); code != http.StatusOK || len(l.Items) != 0 {
		t.Errorf("the sergeant lists %d %v, want nobody", code, l.emails())
	}

	// Riverside's system files an emergency naming the sergeant it found.
	emergency := func(supervisorID string) map[string]any {
		return with(subpoena, with(datesAround(), map[string]any{"process": "us.emergency",
			"issuing_authority": map[string]any{"kind": "agency", "name": "Riverside Police Department", "signed_by": "Sgt. M. Hill"},
			"categories":        []string{"subscriber", "connection_log"},
			"emergency": map[string]any{"narrative": "A child is held hostage; the kidnapper uses this number.",
				"callback": "+1 555 0100 199", "supervisor_id": supervisorID}}))
	}
	var filed struct {
		ID, Status string
		Emergency  struct {
			SupervisorID string `json:"supervisor_id"`
		}
	}
	fileInto(t, riverside, emergency(sergeant.ID), &filed)
	if filed.Status != "submitted" || filed.Emergency.SupervisorID != sergeant.ID {
		t.Errorf("filed %+v, want submitted naming the sergeant %s", filed, sergeant.ID)
	}
	var notes struct {
		Items []struct {
			RequestID string `json:"request_id"`
		}
	}
	if code := people["sergeant@riverside-pd.example"].api(http.MethodGet, "/api/v1/notifications", nil, &notes); code != http.StatusOK {
		t.Fatalf("the sergeant's notifications: %d", code)
	}
	notified := false
	for _, n := range notes.Items {
		notified = notified || n.RequestID == filed.ID
	}
	if !notified {
		t.Errorf("the sergeant is not notified of the emergency %s: %+v", filed.ID, notes)
	}

	// Northshire's system cannot name Riverside's sergeant.
	var p apiProblem
	if code := northshire.call(http.MethodPost, "/api/v1/requests", emergency(sergeant.ID), &p); code != http.StatusUnprocessableEntity ||
		len(p.Errors) != 1 || p.Errors[0].Field != "emergency.supervisor_id" {
		t.Errorf("another agency names the sergeant: %d %+v", code, p)
	}

	// The provider's staff file nothing and list nobody.
	reviewer := newBrowser(t, base)
	reviewer.login("reviewer@provider.example")
	p = apiProblem{}
	if code := reviewer.api(http.MethodGet, "/api/v1/agency/supervisors", nil, &p); code != http.StatusForbidden ||
		!strings.Contains(p.Detail, "do not allow you to list your agency's supervisors") {
		t.Errorf("the reviewer lists supervisors: %d %+v", code, p)
	}
	auditor := newBrowser(t, base)
	auditor.login("auditor@provider.example")
	var trail struct {
		Items []struct {
			Actor   struct{ Subject string }
			Outcome string
		}
	}
	if code := auditor.api(http.MethodGet, "/api/v1/audit?action=agency.supervisors.list&limit=10", nil, &trail); code != http.StatusOK ||
		len(trail.Items) != 1 || trail.Items[0].Outcome != "denied" {
		t.Errorf("the audit trail of the refusal: %d %+v, want one denial", code, trail)
	}
}
