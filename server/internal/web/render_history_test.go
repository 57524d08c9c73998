package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// TestRenderHistoryInReadersLanguage: the history's comments the portal
// wrote (the routing note, a question asked) and the provider's staff's
// name read in German to a German officer and in English to an English
// one; what a person typed stays as typed, and a row stored before its
// words were kept reads as stored.
func TestRenderHistoryInReadersLanguage(t *testing.T) {
	r := mustRenderer(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	routed := `{"said":[{"format":"In the %s queue; answer due %s.","args":[{"format":"Intake"},"2026-10-15 13:51 UTC"]}]}`
	asked := `{"said":[{"format":"Asked the agency for information."}],"typed":"Which account?"}`
	req := apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateNeedsInfo), Process: "us.2703d",
		History: []apiHistory{
			{At: at, Action: request.ActionSubmit, From: string(request.StateDraft), To: string(request.StateSubmitted), ActorID: "p-officer",
				Comment: "In the Intake queue; answer due 2026-10-15 13:51 UTC.", Words: routed},
			{At: at, Action: string(workflow.ActionRequestInfo), From: string(request.StateInReview), To: string(request.StateNeedsInfo), ActorID: "p-reviewer",
				Comment: "Asked the agency for information. Which account?", Words: asked},
			{At: at, Action: string(workflow.ActionMessage), From: string(request.StateNeedsInfo), To: string(request.StateInReview), ActorID: "p-officer",
				Comment: "Answered the reviewer's question."}, // stored before 0023
		}}
	actors := map[string]string{"p-officer": "Dana Reyes", "p-reviewer": workflow.ProviderTeam}
	for _, tc := range []struct {
		lang      string
		want, not []string
	}{
		{"de", []string{"In der Arbeitsliste „Eingangsprüfung“; Antwort fällig am 2026-10-15 13:51 UTC.",
			"Rückfrage an die Behörde gestellt. Which account?", "Die Rechtsabteilung des Anbieters", "Answered the reviewer&#39;s question."},
			[]string{"In the Intake queue", "Asked the agency", "The provider&#39;s legal team"}},
		{"en", []string{"In the Intake queue; answer due 2026-10-15 13:51 UTC.", "Asked the agency for information. Which account?",
			"The provider&#39;s legal team", "Answered the reviewer&#39;s question."}, []string{"Arbeitsliste", "Rechtsabteilung"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "LKA Hessen", Language: tc.lang}
			html := mustRenderIn(t, r, tc.lang, "request_detail", requestDetailPage{Page: Page{Title: "WD-2026-000001", User: officer, Lang: tc.lang},
				Base: "/agency", R: req, Actors: actors})
			for _, w := range tc.want {
				if !strings.Contains(html, template.HTMLEscapeString(w)) && !strings.Contains(html, w) {
					t.Errorf("the history does not say %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(html, w) {
					t.Errorf("the history says %q", w)
				}
			}
		})
	}
}

// TestRenderNotes: every decision form of the review page has a note to
// the agency and an internal note, labelled so that nobody confuses them;
// the provider's history shows a row's internal note in the reader's
// language, marked as internal.
func TestRenderNotes(t *testing.T) {
	r := mustRenderer(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	routed := &workflow.InternalNote{Note: "Called the clerk twice.",
		Words: `{"said":[{"format":"In the %s queue; answer due %s.","args":[{"format":"Intake"},"2026-10-15 13:51 UTC"]}],"typed":"Called the clerk twice."}`}
	req := apiRequest{ID: "r1", Reference: "WD-2026-000012", Status: string(request.StateInReview), Process: "us.2703d", Version: 3,
		AllowedActions: []string{"reject", "approve", "request_info", "assign", "take"},
		History: []apiHistory{{At: at, Action: request.ActionSubmit, From: string(request.StateDraft), To: string(request.StateSubmitted),
			Comment: "Received by the provider; under review.", Words: `{"said":[{"format":"Received by the provider; under review."}]}`, internal: routed}}}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Note to the agency (they will read this)", "Internal note (provider staff only)",
			"Internal note (provider staff only):</strong> In the Intake queue; answer due 2026-10-15 13:51 UTC. Called the clerk twice."}},
		{"de", []string{"Notiz an die Behörde (sie liest sie)", "Interne Notiz (nur für Mitarbeitende des Anbieters)",
			"In der Arbeitsliste „Eingangsprüfung“; Antwort fällig am 2026-10-15 13:51 UTC. Called the clerk twice.", "Beim Anbieter eingegangen; in Prüfung."}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			reviewer := &identity.Principal{Name: "Rae Reviewer", Provider: true, Language: tc.lang}
			p := reviewPage{Page: Page{Title: "Review", User: reviewer, CSRF: "tok", Lang: tc.lang}, R: req,
				Can: map[string]bool{"reject": true, "approve": true, "request_info": true, "assign": true, "take": true}, ReasonCodes: []string{"overbroad"}}
			html := mustRenderIn(t, r, tc.lang, "provider_review", p)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("the review page does not say %q", w)
				}
			}
			for _, action := range []string{"approve", "reject", "request_info", "assign", "hold"} { // hold: take and release
				for _, field := range []string{"note", "internal_note"} {
					id := fieldID(action + "." + field)
					if !strings.Contains(html, `id="`+id+`" name="`+field+`"`) || !strings.Contains(html, `<label for="`+id+`">`) {
						t.Errorf("the %s form has no labelled %s (#%s)", action, field, id)
					}
				}
			}
		})
	}
}
