package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestProviderPagesInGerman renders the review workspace and the audit
// trail in German: their headings, forms, tables and counts read in
// German, and no English of theirs is left.
func TestProviderPagesInGerman(t *testing.T) {
	r := mustRenderer(t)
	pr := mustLocales(t).Printer("de")
	reviewer := &identity.Principal{Name: "Rae Reviewer", Provider: true}

	req := apiRequest{ID: "r1", Reference: "WD-2026-000012", Status: string(request.StateInReview), Process: "us.2703d", Version: 3,
		AllowedActions: []string{"reject", "approve"}}
	p := reviewPage{Page: Page{Title: "Prüfung WD-2026-000012", User: reviewer, CSRF: "tok", Lang: "de"}, R: req,
		Can: map[string]bool{"reject": true, "approve": true}, Form: url.Values{}, ReasonCodes: []string{"insufficient_process"}}
	out := mustRenderIn(t, r, "de", "provider_review", p)
	for _, want := range []string{
		"Prüfung WD-2026-000012", "Zurück zur Arbeitsliste", "Stand der Bearbeitung", "Bearbeitet von", "niemand",
		"Entscheiden", "Ersuchen WD-2026-000012 genehmigen", "Als Nächstes sehen Sie, was der Behörde mitgeteilt wird",
		"Begründung der Ablehnung für die Behörde",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the German review page lacks %q", want)
		}
	}
	for _, english := range []string{"Back to the queue", "Where it stands", "Approve request", "Next you see"} {
		if strings.Contains(out, english) {
			t.Errorf("the German review page still says %q", english)
		}
	}

	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := auditing.Entry{Event: audit.Event{Seq: 8, At: at, Actor: audit.Actor{Subject: "sam", Role: "reviewer"},
		Action: "audit.view", ObjectType: "audit", Outcome: audit.OutcomeDenied, Hash: strings.Repeat("ab", 32)}, Person: "Sam Ortiz"}
	form := auditFilterForm{Reference: "WD-2026-000123"}
	a := auditViewPage{Page: Page{Title: form.title(pr), User: reviewer, Lang: "de"}, Filter: form, Filtered: true, Total: 1,
		Number: 1, PageCount: 1, ExportURL: "/provider/audit.csv?reference=WD-2026-000123", FieldErrors: map[string]*errs.FieldError{},
		Items: []auditRow{{Entry: e, Who: principalName(e, pr.Sprintf), Org: organisation(e, pr.Sprintf)}}}
	a.fields(pr)
	out = mustRenderIn(t, r, "de", "audit", a)
	for _, want := range []string{
		"<title>Prüfprotokoll: Ersuchen WD-2026-000123 · warrantdesk</title>", "<h1>Prüfprotokoll</h1>", "Ereignisse suchen",
		"Aktenzeichen des Ersuchens", "Zum Beispiel WD-2026-000123.", "1 Ereignis entspricht den Filtern",
		"Diese Ereignisse als CSV herunterladen", `data-label="Wer"`, "Sam Ortiz<br>Der Anbieter", "Ereignis 8", "Hashwerte",
		`role="region" aria-labelledby="audit-caption" tabindex="0"`, `<caption id="audit-caption"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the German audit trail lacks %q", want)
		}
	}
	for _, english := range []string{"Find events", "Request reference", "match the filters", "Download these events"} {
		if strings.Contains(out, english) {
			t.Errorf("the German audit trail still says %q", english)
		}
	}
	// The export stays English whatever the page's language.
	if got := organisation(e, fmt.Sprintf); got != "The provider" {
		t.Errorf("the export names the provider %q", got)
	}
}
