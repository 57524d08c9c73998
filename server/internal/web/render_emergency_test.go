package web

import (
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestEmergencyRequestPage: until its supervisor co-signs, an emergency
// reads to the officer as waiting for that co-signature, naming the
// supervisor, never as "Submitted to the provider"; the co-sign form and
// its warning are there only while co-signing is allowed; once co-signed
// the page names who co-signed.
func TestEmergencyRequestPage(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "Riverside PD"}
	sergeant := &identity.Principal{Name: "Marcus Hill", AgencyName: "Riverside PD"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	waiting := apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateSubmitted), Process: "us.emergency",
		Emergency: &apiEmergency{Narrative: "A child is missing.", Callback: "+15550100199", SupervisorID: "p-sergeant"},
		Workflow:  &apiWorkflow{Kind: "emergency", Emergency: true}}
	cosigned := waiting
	cosigned.Workflow = &apiWorkflow{Kind: "emergency", Emergency: true, Cosign: &apiCosign{By: apiPersonRef{ID: "p-sergeant", Name: "Marcus Hill"}, At: at}}
	actors := map[string]string{"p-sergeant": "Marcus Hill"}

	for _, tc := range []struct {
		desc    string
		user    *identity.Principal
		req     apiRequest
		allowed []string
		want    []string
		not     []string
	}{
		{"OfficerWhileWaiting", officer, waiting, []string{"withdraw"},
			[]string{"Waiting for your supervisor&#39;s co-signature", "waiting for Marcus Hill, the supervisor named to co-sign it", "call back on"},
			[]string{"Submitted to the provider", `id="form-cosign"`}},
		{"SupervisorWhileWaiting", sergeant, waiting, []string{"cosign", "withdraw"},
			[]string{`id="form-cosign"`, "you confirm that this is an emergency", "Co-sign this emergency request"},
			[]string{"Submitted to the provider"}},
		{"SupervisorOnceCosigned", sergeant, cosigned, []string{"withdraw"},
			[]string{"Submitted to the provider", `by Marcus Hill, <time datetime="2026-03-01T12:00:00Z">2026-03-01 12:00 UTC</time>`},
			[]string{`id="form-cosign"`, "you confirm that this is an emergency", "co-signature", "named to co-sign"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			req := tc.req
			req.AllowedActions = tc.allowed
			html := mustRender(t, r, "request_detail", requestDetailPage{Page: Page{Title: "Request", User: tc.user}, Base: "/agency", R: req, Actors: actors})
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("the page does not say %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(html, w) {
					t.Errorf("the page says %q", w)
				}
			}
		})
	}
}

// TestEmergencyRequestForm: under an emergency process the order step asks
// for the danger, a callback number and the supervisor who co-signs (a
// choice among the agency's supervisors), and not for a court order, its
// expiry, or a separate emergency tick box; under a process with an
// emergency procedure it asks whether this is one; under others it asks
// nothing of emergencies.
func TestEmergencyRequestForm(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "Riverside PD"}
	sups := []option{{Value: "p-sergeant", Label: "Marcus Hill"}}
	courtOrder := []string{`name="docket"`, `name="issued_on"`, `name="expires_on"`, `name="authority_signed_by"`, `name="nondisclosure_ordered"`}
	emergencyAsks := []string{`name="emergency_narrative"`, `name="emergency_callback"`, `name="emergency_supervisor_id"`, `<option value="p-sergeant" selected>Marcus Hill</option>`}
	for _, tc := range []struct {
		desc string
		rule emergencyRule
		want []string
		not  []string
	}{
		{"EmergencyProcess", emergencyRule{Always: true, Supervisors: sups}, emergencyAsks,
			append([]string{`name="emergency" value="true"`}, courtOrder...)},
		{"EmergencyProcedure", emergencyRule{Optional: true, Supervisors: sups},
			append([]string{`name="emergency" value="true"`, "Is this an emergency or urgent case?"}, append(emergencyAsks, courtOrder...)...), nil},
		{"NoEmergency", emergencyRule{}, courtOrder, []string{`name="emergency`}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			form := requestForm{ID: "r1", Process: "us.emergency", Emergency: &apiEmergency{SupervisorID: "p-sergeant"}}
			p := stepPage{Page: Page{Title: "The emergency", User: officer}, Action: "/agency/requests/r1/steps/order", R: form,
				FieldErrors: map[string]*errs.FieldError{}, EmergencyRule: tc.rule, Step: formStep{Slug: stepOrder, Title: "The emergency"},
				Steps: formSteps(tc.rule.Always), Number: 2}
			html := mustRender(t, r, "request_step", p)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("the step lacks %s", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(html, w) {
					t.Errorf("the step has %s", w)
				}
			}
		})
	}
}

// TestEmergencyInTheAgencyList: in its agency's list, an emergency still
// waiting for its supervisor reads so, not "Submitted to the provider".
func TestEmergencyInTheAgencyList(t *testing.T) {
	r := mustRenderer(t)
	waiting := apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateSubmitted), Process: "us.emergency", cosigning: true}
	sent := apiRequest{ID: "r2", Reference: "WD-2026-000002", Status: string(request.StateSubmitted), Process: "us.subpoena"}
	html := mustRender(t, r, "agency_dashboard", requestListPage{Page: Page{Title: "Requests", User: &identity.Principal{Name: "Dana Reyes"}},
		Base: "/agency", Items: []apiRequest{waiting, sent}})
	if got := strings.Count(html, "Waiting for your supervisor&#39;s co-signature"); got != 1 {
		t.Errorf("the list says the co-signature is awaited %d times, want once (for %s)", got, waiting.Reference)
	}
	if !strings.Contains(html, "Submitted to the provider") {
		t.Errorf("the list does not say %s was submitted to the provider", sent.Reference)
	}
}
