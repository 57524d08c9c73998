package identity_test

import (
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestPreferencesOf tells a person's own choices from their agency's,
// which a Principal merges.
func TestPreferencesOf(t *testing.T) {
	f := newFixture(t)
	lka := f.agencies["lka-musterland"]
	if err := f.db.DB.Model(lka).Updates(map[string]any{"language": "de", "time_zone": "Europe/Berlin"}).Error; err != nil {
		t.Fatal(err)
	}
	p := f.mustSignIn("ermittler@lka-musterland.example").Principal
	got, err := f.svc.PreferencesOf(f.ctx, p)
	if want := (identity.Preferences{AgencyLanguage: "de", AgencyTimeZone: "Europe/Berlin"}); err != nil || got != want {
		t.Fatalf("before any choice: %+v (%v), want %+v", got, err, want)
	}
	lang, zone := "en", "America/New_York"
	if err := f.svc.SetPreferences(f.ctx, p, &lang, &zone); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.PreferencesOf(f.ctx, p)
	if want := (identity.Preferences{Language: "en", TimeZone: "America/New_York", AgencyLanguage: "de", AgencyTimeZone: "Europe/Berlin"}); err != nil || got != want {
		t.Fatalf("after choosing: %+v (%v), want %+v", got, err, want)
	}

	staff := f.mustSignIn("auditor@provider.example").Principal
	if got, err := f.svc.PreferencesOf(f.ctx, staff); err != nil || got != (identity.Preferences{}) {
		t.Errorf("the provider's staff: %+v (%v), want nothing chosen", got, err)
	}
}
