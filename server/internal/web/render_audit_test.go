package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

// TestAuditPageReadsInWords renders the audit trail with an officer's
// event and a reviewer's refusal: people by name and agency, actions and
// details in words (the codes beside them), hashes in full, page numbers.
func TestAuditPageReadsInWords(t *testing.T) {
	r := mustRenderer(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	officer := auditing.Entry{Event: audit.Event{Seq: 7, At: at, Actor: audit.Actor{Subject: "dana", Role: "officer", AgencyID: "a1"},
		Action: "request.submit", ObjectType: "request", ObjectID: "r1", RequestID: "r1", Outcome: audit.OutcomeSuccess,
		Details: `{"from":"draft","to":"submitted"}`, Hash: strings.Repeat("ab", 32), PrevHash: strings.Repeat("cd", 32)},
		Person: "Dana Reyes", Agency: "Riverside Police Department", Reference: "WD-2026-000123"}
	reviewer := auditing.Entry{Event: audit.Event{Seq: 8, At: at, Actor: audit.Actor{Subject: "sam", Role: "reviewer"},
		Action: "audit.view", ObjectType: "audit", Outcome: audit.OutcomeDenied}, Person: "Sam Ortiz"}
	p := auditViewPage{Page: Page{Title: "Audit trail", User: &identity.Principal{Name: "Ava", Provider: true}},
		Filter: auditFilterForm{Reference: "WD-2026-000123"}, Filtered: true, Total: 120, Number: 2, PageCount: 3,
		ExportURL: "/provider/audit.csv?reference=WD-2026-000123", FieldErrors: map[string]*errs.FieldError{},
		Pages:   []auditPageLink{{Number: 1, URL: "/provider/audit?page=1"}, {Number: 2, URL: "/provider/audit?page=2", Current: true}, {Number: 3, URL: "/provider/audit?page=3"}},
		PrevURL: "/provider/audit?page=1", NextURL: "/provider/audit?page=3"}
	for _, e := range []auditing.Entry{officer, reviewer} {
		p.Items = append(p.Items, auditRow{Entry: e, Who: principalName(e, fmt.Sprintf), Org: organisation(e, fmt.Sprintf), ActionText: wording.AuditAction(e.Action),
			OutcomeTag: wording.AuditOutcome(e.Outcome), Words: wording.AuditDetails(e.Details, wording.Provider)})
	}
	p.fields(mustLocales(t).Printer("en"))
	out := mustRender(t, r, "audit", p)
	for _, want := range []string{
		"Dana Reyes<br>Riverside Police Department", "Sam Ortiz<br>The provider",
		"Request submitted to the provider", ">request.submit<", "Read the audit trail",
		"<dt>From</dt><dd>Draft</dd>", "Refused by the policy", strings.Repeat("ab", 32), strings.Repeat("cd", 32),
		`href="/provider/audit?reference=WD-2026-000123"`, `aria-current="page"`, "page 2 of 3",
		`href="/provider/audit.csv?reference=WD-2026-000123"`, `value="WD-2026-000123"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the audit page does not show %q", want)
		}
	}
	if strings.Contains(out, ">dana<") || strings.Contains(out, ">sam<") {
		t.Error("the audit page names people by subject")
	}

	p = auditViewPage{Page: Page{Title: "Error: Audit trail"}, Filter: auditFilterForm{Person: "Nobody"}}
	p.Errors, p.FieldErrors = fieldErrors(errs.Fields{{Field: "person", Message: "No one's name contains “Nobody”."}}.Err())
	p.fields(mustLocales(t).Printer("en"))
	out = mustRender(t, r, "audit", p)
	for _, want := range []string{`href="#f-person"`, `aria-invalid="true"`, `aria-describedby="f-person-hint f-person-error"`, `id="f-person-error"`, `value="Nobody"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the audit page with an error does not show %q", want)
		}
	}
	if strings.Contains(out, "No events match") {
		t.Error("a refused filter reads as if nothing matched")
	}
}

// TestSpreadsheetSafe: cells that a spreadsheet would run as a formula are
// defused.
func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+44": "'+44", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "Dana": "Dana", "": ""} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
