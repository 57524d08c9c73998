package signals_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/signals"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

func env(t *testing.T) *workflowtest.Env {
	t.Helper()
	return workflowtest.New(t, workflowtest.Options{NoStart: true})
}

// codes are the signals of request id as the policy decides them now.
func codes(t *testing.T, e *workflowtest.Env, id string) []string {
	t.Helper()
	r, err := request.Read(context.Background(), e.DB.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	found, err := signals.Of(context.Background(), e.DB.DB, e.Policy, r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return signals.Codes(found)
}

func exec(t *testing.T, e *workflowtest.Env, sql string, args ...any) {
	t.Helper()
	if err := e.DB.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// sheriff is an officer of a second U.S. agency.
func sheriff(t *testing.T, e *workflowtest.Env) *identity.Principal {
	t.Helper()
	a := workflowtest.MustAgency(t, e.DB, "Riverside County Sheriff", "US", "https://idp.sheriff.example")
	return workflowtest.MustPerson(t, e.DB, a, "deputy", identity.RoleOfficer)
}

func withTargets(in request.Input, values ...string) request.Input {
	in.Targets = nil
	for _, v := range values {
		in.Targets = append(in.Targets, request.Target{Type: "phone", Value: v})
	}
	return in
}

// TestSignals: each signal raised by the facts it is about, and not by the
// nearest facts that differ, on a real database. Each case files its
// requests and names the one looked at.
func TestSignals(t *testing.T) {
	subpoena := workflowtest.Input(workflowtest.Subpoena)
	cases := []struct {
		name string
		code string
		want bool
		file func(t *testing.T, e *workflowtest.Env) *request.Request
	}{
		{"first request of the person", "first_request_person", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.File(t, e.Sergeant, workflowtest.Subpoena)
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"second request of the person", "first_request_person", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.File(t, e.Officer, workflowtest.Subpoena)
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"person first seen today", "new_person", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"person known for 60 days", "new_person", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			exec(t, e, `UPDATE people SET created_at = ? WHERE id = ?`, time.Now().UTC().AddDate(0, 0, -60), e.Officer.PersonID)
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"first request of the agency", "first_request_agency", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.File(t, sheriff(t, e), workflowtest.Subpoena) // another agency's
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"the agency filed before", "first_request_agency", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.File(t, e.Sergeant, workflowtest.Subpoena)
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"submitted without a second factor", "no_mfa", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			p := *e.Officer
			p.MFA = false
			return e.File(t, &p, workflowtest.Subpoena)
		}},
		{"submitted with a second factor", "no_mfa", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"a draft: nobody submitted it yet", "no_mfa", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			return e.Draft(t, e.Officer, workflowtest.Subpoena)
		}},
		{"emergency as a first request", "emergency_first_request", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			return e.File(t, e.Officer, workflowtest.Emergency)
		}},
		{"emergency after a request", "emergency_first_request", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.File(t, e.Officer, workflowtest.Subpoena)
			return e.File(t, e.Officer, workflowtest.Emergency)
		}},
		{"identifier another agency named last week", "identifier_other_agency", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			r := e.FileOf(t, sheriff(t, e), withTargets(subpoena, "+15550100123"))
			exec(t, e, `UPDATE requests SET submitted_at = ? WHERE id = ?`, time.Now().UTC().AddDate(0, 0, -7), r.ID)
			return e.FileOf(t, e.Officer, withTargets(subpoena, "+15550100777", "+15550100123"))
		}},
		{"identifier another agency named 100 days ago", "identifier_other_agency", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			r := e.FileOf(t, sheriff(t, e), withTargets(subpoena, "+15550100123"))
			exec(t, e, `UPDATE requests SET submitted_at = ? WHERE id = ?`, time.Now().UTC().AddDate(0, 0, -100), r.ID)
			e.FileOf(t, e.Sergeant, subpoena) // the same agency naming it again is no signal
			return e.FileOf(t, e.Officer, subpoena)
		}},
		{"five requests in a day", "volume_spike", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			for range 4 {
				e.File(t, e.Sergeant, workflowtest.Subpoena)
			}
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"four requests in a day", "volume_spike", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			for range 3 {
				e.File(t, e.Sergeant, workflowtest.Subpoena)
			}
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"docket reused for another target", "docket_reused", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.FileOf(t, e.Sergeant, withTargets(subpoena, "+15550100999"))
			in := subpoena
			in.Docket = " cr-2026-01234 " // the same docket, as typed differently
			return e.FileOf(t, e.Officer, in)
		}},
		{"docket reused for the same target", "docket_reused", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			e.FileOf(t, e.Sergeant, subpoena)
			e.FileOf(t, sheriff(t, e), withTargets(subpoena, "+15550100999")) // another agency's docket is its own
			return e.FileOf(t, e.Officer, subpoena)
		}},
		{"e-mail outside the agency's domains", "email_domain_outside", true, func(t *testing.T, e *workflowtest.Env) *request.Request {
			exec(t, e, `INSERT INTO agency_email_domains (agency_id, domain, added_at) VALUES (?, 'riverside-pd.example', ?)`, e.Agency.ID, time.Now().UTC())
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"e-mail in the agency's domains", "email_domain_outside", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			exec(t, e, `INSERT INTO agency_email_domains (agency_id, domain, added_at) VALUES (?, 'riverside-pd.example', ?)`, e.Agency.ID, time.Now().UTC())
			exec(t, e, `UPDATE people SET email = 'Officer@Riverside-PD.example' WHERE id = ?`, e.Officer.PersonID)
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
		{"no domains recorded for the agency", "email_domain_outside", false, func(t *testing.T, e *workflowtest.Env) *request.Request {
			return e.File(t, e.Officer, workflowtest.Subpoena)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := env(t)
			r := tc.file(t, e)
			got := codes(t, e, r.ID)
			if slices.Contains(got, tc.code) != tc.want {
				t.Errorf("signals %v: %s present = %v, want %v", got, tc.code, !tc.want, tc.want)
			}
		})
	}
}

// TestFactsWindows: the volume of the last day and of the 30 days before
// it are counted apart, as submitted; drafts are not counted.
func TestFactsWindows(t *testing.T) {
	e := env(t)
	old := e.File(t, e.Sergeant, workflowtest.Subpoena)
	exec(t, e, `UPDATE requests SET submitted_at = ? WHERE id = ?`, time.Now().UTC().AddDate(0, 0, -10), old.ID)
	ancient := e.File(t, e.Sergeant, workflowtest.Subpoena)
	exec(t, e, `UPDATE requests SET submitted_at = ? WHERE id = ?`, time.Now().UTC().AddDate(0, 0, -40), ancient.ID)
	e.Draft(t, e.Sergeant, workflowtest.Subpoena)
	e.File(t, e.Sergeant, workflowtest.Subpoena)
	r := e.File(t, e.Officer, workflowtest.Subpoena)
	f, err := signals.Facts(context.Background(), e.DB.DB, r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if f.Agency.SubmittedLastDay != 2 || f.Agency.SubmittedPrior30Days != 1 || f.Agency.EarlierRequests != 3 || f.Person.EarlierRequests != 0 {
		t.Errorf("facts = %+v, want 2 in the last day (this one too), 1 in the 30 days before, 3 earlier, none by the officer", f)
	}
	if f.MFA == nil || !*f.MFA {
		t.Errorf("MFA = %v, want what the submission recorded (true)", f.MFA)
	}
}

// TestRecordedWithTheDecision: the submission's audit event records the
// signals and the submitting sign-in's second factor; intake's
// verification records the signals as they stood.
func TestRecordedWithTheDecision(t *testing.T) {
	e := env(t)
	p := *e.Officer
	p.MFA = false
	r := e.File(t, &p, workflowtest.Subpoena)
	e.Do(t, e.Intake, r.ID, workflow.ActionTake, workflow.Input{})
	e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: workflowtest.Verified(false)})
	for _, action := range []string{"request.submit", "workflow.verify"} {
		var details string
		if err := e.DB.Raw(`SELECT details FROM audit_events WHERE request_id = ? AND action = ? AND outcome = 'success'`, r.ID, action).
			Scan(&details).Error; err != nil {
			t.Fatal(err)
		}
		var d struct {
			Signals []string `json:"signals"`
			MFA     *bool    `json:"mfa"`
		}
		if err := json.Unmarshal([]byte(details), &d); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if !slices.Contains(d.Signals, "no_mfa") || !slices.Contains(d.Signals, "first_request_person") {
			t.Errorf("%s recorded signals %v, want no_mfa and first_request_person", action, d.Signals)
		}
		if action == "request.submit" && (d.MFA == nil || *d.MFA) {
			t.Errorf("the submission recorded mfa %v, want false", d.MFA)
		}
	}
}

// TestCountOpen: the dashboard's counts are of open requests: a draft and
// a withdrawn request are not counted.
func TestCountOpen(t *testing.T) {
	e := env(t)
	e.File(t, e.Officer, workflowtest.Subpoena)
	e.File(t, e.Officer, workflowtest.Subpoena)
	gone := e.File(t, e.Sergeant, workflowtest.Subpoena)
	e.Do(t, e.Sergeant, gone.ID, workflow.ActionWithdraw, workflow.Input{Comment: "Filed in error."})
	e.Draft(t, e.Lieutenant, workflowtest.Subpoena)
	counts, err := signals.CountOpen(context.Background(), e.DB.DB, e.Policy, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range counts {
		got[c.Code] = c.Requests
	}
	want := map[string]int{"first_request_agency": 1, "first_request_person": 1, "new_person": 2}
	for code, n := range want {
		if got[code] != n {
			t.Errorf("%s: %d open requests, want %d (all: %v)", code, got[code], n, got)
		}
	}
	if _, ok := got["no_mfa"]; ok {
		t.Errorf("no_mfa counted: %v", got)
	}
}
