package web

import (
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

// TestAgencyPagesInGerman renders the request page and steps of the
// request form in German: the officer reads German where the templates
// speak, and none of their English. (Words that come from the policy
// catalogue and the wording package are theirs to test.)
func TestAgencyPagesInGerman(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "LKA Hessen", Language: "de"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	t.Run("RequestPage", func(t *testing.T) {
		req := apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateNeedsInfo), Process: "us.2703d",
			Docket: "2 Js 123/26", Categories: []string{"subscriber"},
			DateFrom: day.Of(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), DateTo: day.Of(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)),
			Documents:      []apiDocument{{ID: "d1", Filename: "beschluss.pdf", SHA256: "ab12", Size: 2048, UploadedAt: at}},
			AllowedActions: []string{"message", "withdraw"},
			History:        []apiHistory{{At: at, Action: request.ActionCreate, To: string(request.StateDraft), ActorID: "p-officer"}},
			Scope:          &apiScope{Categories: []string{"subscriber"}, DateFrom: "2026-01-01", DateTo: "2026-01-31"},
			Workflow:       &apiWorkflow{Kind: "standard"}}
		prod := &apiProduction{RequestID: "r1", Reference: "WD-2026-000001", Status: disclosure.StatusReady, Outcome: disclosure.OutcomeRecords,
			Sealing: disclosure.SealRecipient, ProducedAt: &at, ExpiresAt: &at, ManifestSHA256: "cd34", Download: "/agency/requests/r1/production"}
		html := mustRenderIn(t, r, "de", "request_detail", requestDetailPage{Page: Page{Title: "WD-2026-000001", User: officer, Lang: "de"},
			Base: "/agency", R: req, CanAttach: true, MaxUploadMiB: 20, Production: prod, Actors: map[string]string{"p-officer": "Dana Reyes"}})
		for _, w := range []string{"Ersuchen WD-2026-000001", "Unterzeichnete Anordnung", "2048 Byte", "Herausgabepaket herunterladen",
			"Bearbeitungsstand", "Ihre Antwort auf die Rückfrage des Anbieters", "Antwort senden",
			"Berichtigte oder fehlende Anordnung beifügen (PDF, höchstens 20 MiB)", "Ersuchen WD-2026-000001 zurückziehen",
			"Aktenzeichen", "Zielkonten", "Angefragter Zeitraum", "2026-01-01 bis 2026-01-31", "Geheimhaltungsanordnung",
			"Was das Regelwerk zulassen würde", "Verlauf"} {
			if !strings.Contains(html, w) {
				t.Errorf("the German request page does not say %q", w)
			}
		}
		for _, w := range []string{"Signed order", "bytes", "Download the package", "Progress", "Your answer to the provider",
			"Send the answer", "Attach a corrected", "Withdraw request", "Docket<", "Targets<", "Date range asked", " to 2026-01-31",
			"Non-disclosure order", "What the policy would allow", ">History<", "There is a problem"} {
			if strings.Contains(html, w) {
				t.Errorf("the German request page says %q", w)
			}
		}
	})

	t.Run("Steps", func(t *testing.T) {
		steps := formSteps(false)
		for i, st := range steps {
			p := stepPage{Page: Page{Title: "WD-2026-000001", User: officer, Lang: "de"}, Action: stepURL("r1", st.Slug),
				R: requestForm{ID: "r1", Reference: "WD-2026-000001", Version: 3}, FieldErrors: map[string]*errs.FieldError{},
				Step: st, Steps: steps, Number: i + 1, Back: "/agency", Next: checkURL("r1"), MaxUploadMiB: 20,
				NeverDisclosed: []string{"Message content"}, EU: true}
			html := mustRenderIn(t, r, "de", "request_step", p)
			want := []string{"Entwurf WD-2026-000001", "Zurück", "Ihr Entwurf wird bei jedem Schritt gespeichert"}
			not := []string{"Draft WD-", "Step ", ">Back<", "Your draft is saved", "(required)", "Choose…", "Save and continue", "Continue"}
			switch st.Slug {
			case stepProcess:
				want = append(want, "Schritt 1 von 6", "<h1>Welches Rechtsinstrument?</h1>", "Rechtsinstrument <span class=\"required\">(Pflichtangabe)</span>", "Speichern und weiter")
			case stepOrder:
				want = append(want, "Anordnende Stelle und Anordnung", "Aktenzeichen", "Datum der Anordnung", "Jahr, Monat und Tag", "Geheimhaltung")
				not = append(not, "Docket or case number", "Year, month and day", "Non-disclosure", "The provider is ordered")
			case stepDocument:
				want = append(want, "höchstens 20 MiB", "Vorerst ohne Anordnung weiter")
				not = append(not, "Upload the signed order")
			case stepTargets:
				want = append(want, "Zielkonto hinzufügen", "Art der Kennung")
				not = append(not, "Add a target", "Type of identifier")
			case stepData:
				want = append(want, "Daten ab", "Nicht angeboten: Message content.", "Ende-zu-Ende-verschlüsselt")
				not = append(not, "Records from", "Not offered", "end-to-end encrypted")
			case stepOffence:
				want = append(want, "Straftat, wegen der ermittelt wird", "Höchststrafe für Erwachsene", "Anordnungsstaat", "Sachverhalt für die Prüfung")
				not = append(not, "Offence under investigation", "Maximum penalty", "issuing State", "Summary for the reviewer")
			}
			for _, w := range want {
				if !strings.Contains(html, w) {
					t.Errorf("%s: the German step does not say %q", st.Slug, w)
				}
			}
			for _, w := range not {
				if strings.Contains(html, w) {
					t.Errorf("%s: the German step says %q", st.Slug, w)
				}
			}
		}
	})
}

// TestAgencyPageTitles: a title names what its page is about, in the
// reader's language: a step and its draft, a request and where it stands.
func TestAgencyPageTitles(t *testing.T) {
	l := mustLocales(t)
	en, de := l.Printer("en"), l.Printer("de")
	steps := formSteps(false)
	for _, tc := range []struct{ got, want string }{
		{stepTitle(en, steps[0], 1, len(steps), "WD-2026-000123"), "Which legal process? — step 1 of 6, draft WD-2026-000123"},
		{stepTitle(de, steps[0], 1, len(steps), "WD-2026-000123"), "Welches Rechtsinstrument? — Schritt 1 von 6, Entwurf WD-2026-000123"},
		{stepTitle(de, steps[0], 1, len(steps), ""), "Welches Rechtsinstrument? — Schritt 1 von 6, neues Ersuchen"},
		{stepTitle(de, steps[3], 4, len(steps), "WD-2026-000123"), "Wen betrifft es? — Schritt 4 von 6, Entwurf WD-2026-000123"},
		{requestTitle(en, apiRequest{Reference: "WD-2026-000123", Status: string(request.StateInReview)}, wording.Provider), "WD-2026-000123 — In review"},
		{requestTitle(en, apiRequest{Reference: "WD-2026-000123", Status: string(request.StateInReview)}, wording.Agency), "WD-2026-000123 — With the provider's legal team"},
	} {
		if tc.got != tc.want {
			t.Errorf("title %q, want %q", tc.got, tc.want)
		}
	}
}
