package web

import (
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// TestAccountPage renders the settings page: the language choices with
// the agency's named, the time zone with its suggestions, errors beside
// their fields and in the summary, the header's menu and settings link,
// and the page in German.
func TestAccountPage(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Erika Muster", AgencyName: "LKA Musterland", Roles: []identity.Role{identity.RoleOfficer}}
	page := func(lang, zone string, problem error) accountPage {
		p := accountPage{Page: Page{Title: "Your settings", User: officer, CSRF: "tok", Here: "/account"},
			Prefs:    identity.Preferences{AgencyLanguage: "de", AgencyTimeZone: "Europe/Berlin"},
			Language: lang, TimeZone: zone, Zones: commonZones, Now: time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)}
		for _, l := range locale.Languages {
			p.Languages = append(p.Languages, language{Code: l, Name: locale.Names[l]})
		}
		if problem != nil {
			p.Page.Errors, p.Fields = fieldErrors(problem)
		}
		return p
	}

	html := mustRender(t, r, "account", page(defaultLanguage, "", nil))
	for _, want := range []string{
		`<form method="post" action="/account"`,
		`name="csrf_token" value="tok"`,
		`value="default" id="f-language-default" checked`,
		`Your agency&#39;s language (Deutsch)`,
		`<label for="f-language-de" lang="de">Deutsch</label>`,
		`id="f-time_zone" name="time_zone" list="zones"`,
		`<option value="Europe/Berlin">`,
		`Leave it empty for your agency&#39;s time zone, Europe/Berlin.`,
		`<title>Your settings · warrantdesk</title>`,
		// The header: the switch first, the menu, and the link here.
		`<details class="menu"><summary>Menu</summary>`,
		`<a href="/account">Your settings</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
	if strings.Index(html, `action="/language"`) > strings.Index(html, `<nav`) {
		t.Error("the language switch is not at the top of the header")
	}
	if strings.Contains(html, `value="en" id="f-language" checked`) {
		t.Error("English is chosen although the person follows their agency")
	}

	var f errs.Fields
	f.Add("language", "Choose one of the portal's languages.")
	f.Add("time_zone", "Enter a time zone by its IANA name, such as Europe/Berlin or America/New_York.")
	html = mustRender(t, r, "account", page("xx", "Mars/Olympus", f.Err()))
	for _, want := range []string{
		`<title>Error: Your settings · warrantdesk</title>`,
		`<a href="#f-language">Choose one of the portal&#39;s languages.</a>`,
		`<a href="#f-time_zone">Enter a time zone by its IANA name`,
		`id="f-time_zone-error"`,
		`aria-invalid="true" aria-describedby="f-time_zone-error time_zone-hint" value="Mars/Olympus"`,
		`aria-describedby="f-language-error language-hint"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the refused settings lack %q", want)
		}
	}

	html = mustRenderIn(t, r, "de", "account", page("de", "Europe/Berlin", nil))
	for _, want := range []string{`<h1>Ihre Einstellungen</h1>`, `Zeitzone`, `<summary>Menü</summary>`,
		`value="de" id="f-language-de" checked`, `value="Europe/Berlin"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the German settings page lacks %q", want)
		}
	}
}
