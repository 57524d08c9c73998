package wording_test

import (
	"context"
	"testing"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

// TestBookInGerman: the book names processes, categories, jurisdictions,
// authorities and identifiers in German as the policy bundle says them,
// citations as written, and English unchanged.
func TestBookInGerman(t *testing.T) {
	ctx := context.Background()
	pol, err := policy.Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pol.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	en := wording.NewBook(cat)
	de := en.In("de")
	for _, tc := range []struct{ what, got, want string }{
		{"process", de.Process("eu.epoc"), "Europäische Herausgabeanordnung (EPOC)"},
		{"category", de.Category("subscriber"), "Bestandsdaten"},
		{"categories", de.Categories([]string{"subscriber", "connection_log"}), "Bestandsdaten, Verbindungsprotokoll"},
		{"jurisdiction", de.Jurisdiction("us"), "Vereinigte Staaten"},
		{"authority", de.Authority("prosecutor"), "Eine Staatsanwaltschaft"},
		{"target type", de.TargetType("email"), "E-Mail-Adresse"},
		{"citation", de.Citation("us.2703d"), en.Citation("us.2703d")},
		{"unknown", de.Process("xx.unknown"), "xx.unknown"},
		{"English", en.In("en").Process("eu.epoc"), "European Production Order (EPOC)"},
		{"unspoken language", en.In("fr").Category("subscriber"), "Subscriber information"},
		{"reason", de.Say("The legal process is unknown, so no data can be authorised."), "Das rechtliche Verfahren ist unbekannt; daher können keine Daten freigegeben werden."},
		{"guide", de.Catalogue().Jurisdictions[0].Name, de.Jurisdiction(cat.Jurisdictions[0].ID)},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.what, tc.got, tc.want)
		}
	}
	if de.Lang() != "de" || de.In("en") != en {
		t.Errorf("In does not go back and forth")
	}
}
