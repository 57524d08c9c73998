package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestRequestSteps renders every step of the request form, for an order
// and for an emergency: each says which step of how many it is, asks only
// its own questions, and offers one way on.
func TestRequestSteps(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "Riverside PD"}
	asks := map[string]string{stepProcess: `name="process"`, stepOrder: `name="authority_kind"`, stepDocument: `name="file"`,
		stepTargets: `name="target_value"`, stepData: `name="date_from"`, stepOffence: `name="offence_description"`}
	for _, emergency := range []bool{false, true} {
		steps := formSteps(emergency)
		for i, st := range steps {
			t.Run(fmt.Sprintf("emergency=%v/%s", emergency, st.Slug), func(t *testing.T) {
				p := stepPage{Page: Page{Title: st.Title, User: officer}, Action: stepURL("r1", st.Slug),
					R: requestForm{ID: "r1", Reference: "WD-2026-000001", Version: 3}, FieldErrors: map[string]*errs.FieldError{},
					Step: st, Steps: steps, Number: i + 1, Back: "/agency", Next: checkURL("r1"),
					EmergencyRule: emergencyRule{Always: emergency}, NeverDisclosed: []string{"Message content"}}
				html := mustRender(t, r, "request_step", p)
				if want := fmt.Sprintf("Step %d of %d", i+1, len(steps)); !strings.Contains(html, want) {
					t.Errorf("the step does not say %q", want)
				}
				for slug, field := range asks {
					if got := strings.Contains(html, field); got != (slug == st.Slug) {
						t.Errorf("asks %s: %v, want %v", field, got, slug == st.Slug)
					}
				}
				if st.Slug == stepData && !strings.Contains(html, "end-to-end encrypted") {
					t.Error("the data step does not explain why content is not offered")
				}
			})
		}
	}
}

// TestCheckAnswersLinksErrorsToSteps: submission's errors, on check your
// answers, each link to the field on the step that asks it.
func TestCheckAnswersLinksErrorsToSteps(t *testing.T) {
	r := mustRenderer(t)
	list := []errs.FieldError{{Field: "docket", Message: "Enter the docket or case number."},
		{Field: "targets", Message: "Name at least one target."}, {Field: "file", Message: "Upload the signed order as a PDF."},
		{Field: "form", Message: "Complete the request before submitting it."}}
	pages := map[string]string{}
	for _, fe := range list {
		if st := stepOfField(fe.Field); st != "" {
			pages[fe.Field] = stepURL("r1", st) + "?return=check"
		}
	}
	p := checkPage{Page: Page{Title: "Check your answers", User: &identity.Principal{Name: "Dana Reyes"}, Errors: list, ErrorPages: pages},
		R: apiRequest{ID: "r1", Reference: "WD-2026-000001"}, Steps: formSteps(false)}
	html := mustRender(t, r, "request_check", p)
	for _, want := range []string{
		`<a href="/agency/requests/r1/steps/order?return=check#f-docket">Enter the docket`,
		`<a href="/agency/requests/r1/steps/targets?return=check#f-targets">Name at least`,
		`<a href="/agency/requests/r1/steps/document?return=check#f-file">Upload the signed`,
		`<li>Complete the request before submitting it.</li>`,
		`<title>Error: Check your answers`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("check your answers lacks %s", want)
		}
	}
}
