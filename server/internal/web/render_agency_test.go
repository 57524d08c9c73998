package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/admin"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// TestAgencyPageRenders renders an agency's page: its status history with
// who and why, its verification with documents, domains, the callback
// directory with a removed number, and the actions each reader may take
// (activation only for an administrator other than the registrant).
func TestAgencyPageRenders(t *testing.T) {
	r := mustRenderer(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	first, second := "p-first", "p-second"
	rec := &admin.AgencyRecord{
		Agency: agency.Agency{ID: "a1", Name: "Eastport Police", Country: "US", Kind: "police", Status: agency.StatusPending,
			Issuer: "https://idp.example", IssuerOrg: "eastport", Jurisdiction: "City of Eastport", CreatedBy: &first, CreatedAt: at},
		StatusChanges: []agency.StatusChange{{ToStatus: agency.StatusPending, ActorID: &first, Reason: "Registered", At: at}},
		Verifications: []agency.Verification{{ID: "v1", Method: "in_person", Note: "Met the chief.", VerifiedBy: first, VerifiedAt: at}},
		Documents:     []agency.Document{{ID: "d1", AgencyID: "a1", Filename: "badge.png", ContentType: "image/png", UploadedBy: first, CreatedAt: at}},
		Domains:       []agency.EmailDomain{{Domain: "eastport-pd.example", AddedAt: at}},
		Callbacks: []agency.CallbackEntry{
			{ID: "c1", Label: "Switchboard", Phone: "+15550100200", Source: "City directory", AddedBy: &first, AddedAt: at},
			{ID: "c2", Label: "Old desk", Phone: "+15550100300", Source: "Old directory", AddedAt: at, RemovedAt: &at, RemovedBy: &second},
		},
		Names: map[string]string{first: "Tomás Ortega", second: "Ada Admin"},
	}
	page := func(reader string, fields map[string]*errs.FieldError) agencyPage {
		p := agencyPage{Page: Page{Title: "Eastport Police", User: &identity.Principal{PersonID: reader, Provider: true}, CSRF: "tok", Lang: "en"},
			R: rec, Method: map[string]string{"in_person": "In person"}, Methods: []option{{Value: "in_person", Label: "In person"}},
			CanActivate: reader != first, Fields: fields}
		return p
	}
	out := mustRender(t, r, "provider_agency", page(second, nil))
	for _, want := range []string{"Pending activation", "City of Eastport", "Registered by</dt><dd>Tomás Ortega", "Registered",
		"Verified by Tomás Ortega", "Met the chief.", `href="/provider/agencies/a1/documents/d1"`, "eastport-pd.example",
		"15550100200", "City directory", "Remove Switchboard", "Removed", "(Ada Admin)", `id="form-activate"`, "Activate Eastport Police",
		`action="/provider/agencies/a1/callbacks"`, `name="csrf_token" value="tok"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the agency page lacks %q", want)
		}
	}
	if strings.Contains(out, "Remove Old desk") {
		t.Error("a removed number can be removed again")
	}
	out = mustRender(t, r, "provider_agency", page(first, map[string]*errs.FieldError{"phone": {Field: "phone", Message: "This is not a possible phone number."}}))
	if strings.Contains(out, `id="form-activate"`) || !strings.Contains(out, "another administrator must activate it") {
		t.Error("the registrant is offered the activation")
	}
	if !strings.Contains(out, "This is not a possible phone number.") || !strings.Contains(out, `aria-invalid="true"`) {
		t.Error("the phone's error is not beside the field")
	}
}

// TestReviewOffersTheCallbackDirectory: an emergency's verification form
// offers the agency's directory as radio buttons (label, number, source),
// no free number field, and the recorded callbacks are shown.
func TestReviewOffersTheCallbackDirectory(t *testing.T) {
	r := mustRenderer(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	req := apiRequest{ID: "r1", Reference: "WD-2026-000012", Status: string(request.StateIntake), Process: "us.emergency", Version: 3,
		AllowedActions: []string{"verify"}, Workflow: &apiWorkflow{Kind: "emergency", Emergency: true}}
	view := &workflow.CallbackView{
		Directory: []agency.CallbackEntry{{ID: "c1", Label: "24-hour switchboard", Phone: "+15550100100", Source: "The city's directory"}},
		Recorded: []workflow.CallbackRecord{{RequestCallback: workflow.RequestCallback{Outcome: "confirmed", CalledAt: at, Note: "Sgt. confirmed."},
			Label: "24-hour switchboard", Phone: "+15550100100", CallerName: "Priya Shah"}},
	}
	p := reviewPage{Page: Page{Title: "Review", User: &identity.Principal{Name: "Priya Shah", Provider: true}, CSRF: "tok", Lang: "en"}, R: req,
		Can: map[string]bool{"verify": true}, Form: url.Values{}, CallbackOutcomes: workflow.CallbackOutcomes, Callbacks: view}
	out := mustRender(t, r, "provider_review", p)
	for _, want := range []string{`type="radio" id="callback-c1" name="callback_directory_id" value="c1"`, "24-hour switchboard", "15550100100",
		"source: The city&#39;s directory", "Priya Shah called 24-hour switchboard (&#43;15550100100)", "Sgt. confirmed."} {
		if !strings.Contains(out, want) {
			t.Errorf("the review page lacks %q", want)
		}
	}
	if strings.Contains(out, `name="callback_number"`) {
		t.Error("the review page still takes a typed number")
	}
}
