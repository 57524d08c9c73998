package wording_test

import (
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

// words is the package's words in lang, from the portal's catalogues.
func words(t *testing.T, lang string) wording.Words {
	t.Helper()
	cat, err := locale.Load(frontend.Locales)
	if err != nil {
		t.Fatal(err)
	}
	return wording.In(cat.Printer(lang))
}

// TestGerman: the words read in German through a German printer, with
// German plural forms, and each reader's audience still decides.
func TestGerman(t *testing.T) {
	de := words(t, "de")
	for _, tc := range []struct{ what, got, want string }{
		{"state to the agency", de.State(request.StateInReview, wording.Agency), "Bei der Rechtsabteilung des Anbieters"},
		{"state to the provider", de.State(request.StateInReview, wording.Provider), "In der Rechtsprüfung"},
		{"tag", de.TagOf(request.StateRejected, wording.Agency).Text, "Vom Anbieter abgelehnt"},
		{"tag awaiting co-signature", de.RequestTag(request.StateSubmitted, true, wording.Agency).Text,
			"Wartet auf die Mitzeichnung Ihrer vorgesetzten Person"},
		{"meaning", de.Meaning(wording.NeedsAction), "Erfordert Ihr Handeln"},
		{"history row", de.History("approve", "Dana Reyes", "").Text, "Dana Reyes hat es genehmigt"},
		{"upload", de.History(request.ActionUpload, "Dana Reyes", "Uploaded order.pdf.").Text, "Dana Reyes hat order.pdf hochgeladen"},
		{"change", de.Change(request.StateSubmitted, request.StateIntake, wording.Agency),
			"Beim Anbieter eingereicht → Wird vom Anbieter geprüft"},
		{"audit action", de.AuditAction("auth.login"), "Angemeldet"},
		{"audit transition", de.AuditAction("workflow.approve"), "Genehmigt"},
		{"audit outcome", de.AuditOutcome("denied").Text, "Von der Richtlinie abgewiesen"},
		{"role", de.Role("officer"), "Ermittlungsperson"},
		{"account", de.AccountTag("suspended").Text, "Gesperrt"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.what, tc.got, tc.want)
		}
	}
	d := de.AuditDetails(`{"from":"in_review","complete":true}`, wording.Provider)
	if len(d) != 2 || d[0] != (wording.Detail{Name: "Vollständig", Value: "ja"}) || d[1] != (wording.Detail{Name: "Von", Value: "In der Rechtsprüfung"}) {
		t.Errorf("details: %+v", d)
	}
}

// TestTimeLeftPlurals: one and other forms in both languages.
func TestTimeLeftPlurals(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	en, de := words(t, "en"), words(t, "de")
	for _, tc := range []struct {
		due    time.Duration
		en, de string
	}{
		{3 * 24 * time.Hour, "3 days left", "noch 3 Tage"},
		{time.Hour, "1 hour left", "noch 1 Stunde"},
		{5 * time.Hour, "5 hours left", "noch 5 Stunden"},
		{time.Minute, "1 minute left", "noch 1 Minute"},
		{-time.Hour, "overdue by 1 hour", "seit 1 Stunde überfällig"},
		{-2 * time.Hour, "overdue by 2 hours", "seit 2 Stunden überfällig"},
		{-3 * 24 * time.Hour, "overdue by 3 days", "seit 3 Tagen überfällig"},
		{0, "due now", "jetzt fällig"},
	} {
		if got := en.TimeLeft(now.Add(tc.due), now); got != tc.en {
			t.Errorf("en %v: %q, want %q", tc.due, got, tc.en)
		}
		if got := de.TimeLeft(now.Add(tc.due), now); got != tc.de {
			t.Errorf("de %v: %q, want %q", tc.due, got, tc.de)
		}
	}
}
