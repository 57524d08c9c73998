package web

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
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

// TestTransparencyInGerman renders a report in German: protected counts
// read "weniger als 5" and "unterdrückt" in its tables and charts, and
// every wide table scrolls in a region reached by keyboard and named by
// its caption.
func TestTransparencyInGerman(t *testing.T) {
	r := mustRenderer(t)
	pr := mustLocales(t).Printer("de")
	few, hidden := transparency.Count{Text: "fewer than 5"}, transparency.Count{Text: transparency.SuppressedText}
	gb := transparency.Cell{Country: "GB", RequestsReceived: few, RequestsWithData: hidden}
	rep := transparency.Report{Period: "2026-H2", Rules: transparency.Rules{Threshold: 5, BandWidth: 250, ComplementarySuppression: true},
		Totals: transparency.Cell{RequestsReceived: transparency.Count{N: 20}}, ByCountry: []transparency.Cell{gb},
		Rows: []transparency.Cell{gb}}
	p := transparencyPage{Page: Page{Title: pr.Sprintf("Transparency report %s", rep.Period), Lang: "de"}, Periods: []string{"2026-H2"},
		Period: "2026-H2", Published: &apiReportVersion{Version: 1}, Report: rep, ByCountry: rep.ByCountry, Rows: rep.Rows, pr: pr}
	p.Suppressed = p.Count(hidden)
	p.ByCountryChart, p.OutcomeChart = countryChart(pr, p.ByCountry), outcomeChart(pr, p.Rows)
	out := mustRenderIn(t, r, "de", "transparency", p)
	for _, want := range []string{
		"<title>Transparenzbericht 2026-H2 · warrantdesk</title>", "<td>weniger als 5</td>", "<td>unterdrückt</td>",
		">weniger als 5</text>", "teilweise geschützt", "„weniger als 5“", "„unterdrückt“", "Selbst nachzählen",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the German report lacks %q", want)
		}
	}
	regions := regexp.MustCompile(`<div class="table-scroll"[^>]*>`).FindAllString(out, -1)
	if len(regions) < 4 {
		t.Fatalf("%d scrolling tables, want the report's 4 at least", len(regions))
	}
	for _, div := range regions {
		id := regexp.MustCompile(`aria-labelledby="([^"]+)"`).FindStringSubmatch(div)
		if !strings.Contains(div, `role="region"`) || !strings.Contains(div, `tabindex="0"`) || id == nil {
			t.Errorf("a scrolling table is not a focusable region named by its caption: %s", div)
			continue
		}
		if !strings.Contains(out, `<caption id="`+id[1]+`"`) {
			t.Errorf("the region %s names no caption", div)
		}
	}
	if strings.Contains(out, "fewer than") || strings.Contains(out, ">suppressed<") {
		t.Error("the German report says a protected count in English")
	}
}
