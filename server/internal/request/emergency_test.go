package request_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// emergencyInput is a draft under the U.S. emergency process, which names
// no court order; it states no emergency: the process makes it one.
func emergencyInput() request.Input {
	in := validInput()
	in.Process, in.Docket, in.IssuingAuthority = "us.emergency", "", request.Authority{Kind: "agency", Name: "Riverside Police Department"}
	in.IssuedOn, in.ExpiresOn, in.Nondisclosure = day.Date{}, day.Date{}, request.Nondisclosure{}
	return in
}

// TestEmergencyFromProcess: choosing an emergency process makes the
// request an emergency, issued the day it is filed; the API's emergency
// object is still accepted where it agrees with the process, and refused
// (422 naming "emergency") where it does not.
func TestEmergencyFromProcess(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)

	r := mustCreate(t, e, e.officerA, emergencyInput())
	if !r.Emergency || r.IssuedOn != day.Of(now) {
		t.Errorf("us.emergency draft: emergency %v, issued %s; want an emergency issued today (%s)", r.Emergency, r.IssuedOn, day.Of(now))
	}

	for _, tc := range []struct {
		desc   string
		update request.Update
		want   []string
	}{
		{"WithdrawnUnderAnEmergencyProcess", request.Update{Emergency: new(*request.Emergency)}, []string{"emergency"}},
		{"ProcessWithoutOneKeepsTheEmergency", request.Update{Process: new("us.subpoena")}, []string{"emergency"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.svc.Update(ctx, e.officerA, r.ID, r.Version, tc.update)
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("Update: %v, want Invalid", err)
			}
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}

	// Another process, the emergency withdrawn with it: agreed.
	sub := "us.subpoena"
	got, err := e.svc.Update(ctx, e.officerA, r.ID, r.Version, request.Update{Process: &sub, Emergency: new(*request.Emergency)})
	if err != nil || got.Emergency {
		t.Errorf("change to a subpoena and withdraw the emergency: %v (emergency %v)", err, got != nil && got.Emergency)
	}

	// The old emergency object, agreeing with the process, as before.
	in := emergencyInput()
	in.Emergency = &request.Emergency{Narrative: "A child is missing."}
	if r := mustCreate(t, e, e.officerA, in); !r.Emergency || r.EmergencyNarrative != "A child is missing." {
		t.Errorf("us.emergency with its emergency object: %+v", r)
	}
	// An EU order may state an emergency case, or not.
	eu := validInput()
	eu.Process = "eu.epoc"
	if r := mustCreate(t, e, e.officerA, eu); r.Emergency {
		t.Errorf("an EU order is an emergency without saying so")
	}
}

// TestEmergencySupervisor: the supervisor an emergency names to co-sign it
// is an active supervisor of the filer's agency, and not the filer; the
// form offers exactly those.
func TestEmergencySupervisor(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	self := mustPerson(t, e.db, e.a, "sergeant", identity.RoleSupervisor) // files and supervises
	suspended := mustPerson(t, e.db, e.a, "suspended-supervisor", identity.RoleSupervisor)
	if err := identity.SetPersonStatus(ctx, e.db.DB, suspended.PersonID, identity.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	otherAgency := mustPerson(t, e.db, e.b, "other-supervisor", identity.RoleSupervisor)

	for _, tc := range []struct {
		desc       string
		actor      *identity.Principal
		supervisor string
		ok         bool
	}{
		{"SupervisorOfTheAgency", e.officerA, e.supervisorA.PersonID, true},
		{"AnotherSupervisorNamesOne", self, e.supervisorA.PersonID, true},
		{"TheFilerThemself", self, self.PersonID, false},
		{"AnOfficer", self, e.officerA.PersonID, false},
		{"AnotherAgencysSupervisor", e.officerA, otherAgency.PersonID, false},
		{"Suspended", e.officerA, suspended.PersonID, false},
		{"Nobody", e.officerA, "0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d", false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			in := emergencyInput()
			in.Emergency = &request.Emergency{SupervisorID: tc.supervisor}
			r, err := e.svc.Create(ctx, tc.actor, in)
			if tc.ok {
				if err != nil || r.EmergencySupervisor == nil || *r.EmergencySupervisor != tc.supervisor {
					t.Errorf("Create: %v, %+v; want the supervisor named", err, r)
				}
				return
			}
			if diff := cmp.Diff([]string{"emergency.supervisor_id"}, fieldNames(err)); diff != "" {
				t.Errorf("Create: %v; fields (-want +got):\n%s", err, diff)
			}
		})
	}

	// A draft naming a supervisor later suspended cannot be submitted.
	in := emergencyInput()
	in.Emergency = &request.Emergency{Narrative: "A child is missing.", Callback: "+15550100199", SupervisorID: self.PersonID}
	r := mustCreate(t, e, e.officerA, in)
	if err := identity.SetPersonStatus(ctx, e.db.DB, self.PersonID, identity.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	if _, err := e.submit(ctx, e.officerA, r.ID); !cmp.Equal([]string{"emergency.supervisor_id"}, fieldNames(err)) {
		t.Errorf("submit naming a suspended supervisor: %v, want emergency.supervisor_id", err)
	}

	sups, err := e.svc.Supervisors(ctx, e.officerA)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range sups {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]string{e.supervisorA.PersonID}, ids); diff != "" {
		t.Errorf("supervisors offered to officer A (-want +got):\n%s", diff)
	}
}
