package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

var htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)

func langOf(t *testing.T, page string) string {
	t.Helper()
	m := htmlLang.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no <html lang> in:\n%.400s", page)
	}
	return m[1]
}

// TestLanguageChoice: the language of a page is the browser's choice (the
// switch on every page, kept in a cookie), else the person's (their profile,
// else their agency's: the German agency reads German), else the browser's
// Accept-Language, else English; the switch keeps a signed-in person's
// choice in their profile, audited; times are said in the person's zone
// with UTC beside them.
func TestLanguageChoice(t *testing.T) {
	dbURL := filepath.Join(t.TempDir(), "lang.db")
	if dbtestPostgres() {
		dbURL = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+dbURL)

	get := func(accept string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/guide", nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if cl := resp.Header.Get("Content-Language"); cl != langOf(t, string(b)) {
			t.Errorf("Content-Language %q, page in %q", cl, langOf(t, string(b)))
		}
		return string(b)
	}
	for accept, want := range map[string]string{"": "en", "de-DE,de;q=0.9,en;q=0.5": "de", "de-AT": "de", "fr-FR,en;q=0.5": "en", "fr": "en"} {
		if got := langOf(t, get(accept)); got != want {
			t.Errorf("Accept-Language %q: a page in %q, want %q", accept, got, want)
		}
	}
	if page := get("de"); !strings.Contains(page, "Anmelden") || strings.Contains(page, ">Sign in<") {
		t.Error("a German page does not say Anmelden for Sign in")
	}

	// The switch, signed out: a cookie, and back to the page.
	anon := newBrowser(t, base)
	resp, _ := anon.postForm("/language", url.Values{"lang": {"de"}, "return_to": {"/guide"}})
	if resp.Request.URL.Path != "/guide" {
		t.Errorf("the switch returned to %s, want /guide", resp.Request.URL.Path)
	}
	if _, page := anon.get("/log"); langOf(t, page) != "de" {
		t.Error("after choosing Deutsch the next page is not German")
	}
	if resp, _ := anon.postForm("/language", url.Values{"lang": {"xx"}, "return_to": {"https://evil.example/"}}); resp.Request.URL.Host != strings.TrimPrefix(base, "http://") {
		t.Errorf("the switch sent the browser to %s", resp.Request.URL)
	}

	// The German agency's officer reads German by default, in Berlin's time.
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	lka := newAPIClient(t, base, "lka-musterland-cms", "lka-demo-secret")
	var draft struct{ ID string }
	if code := lka.call(http.MethodPost, "/api/v1/requests", map[string]any{"process": "eu.epoc", "docket": "LKA 3.1-2026-004711"}, &draft); code != http.StatusCreated {
		t.Fatalf("draft: %d", code)
	}
	shareWithOfficer(t, lka, draft.ID) // the system's officer reads it below
	jonas := newBrowser(t, base)
	jonas.signIn("ermittler@lka-musterland.example")
	_, page := jonas.get("/agency/requests/" + draft.ID)
	if langOf(t, page) != "de" {
		t.Error("the German agency's officer does not read German by default")
	}
	if !regexp.MustCompile(`<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d CES?T \(`).MatchString(page) {
		t.Errorf("the request page does not say its times in Berlin's time with UTC beside:\n%s", regexp.MustCompile(`<time[^>]*>[^<]*</time>`).FindAllString(page, 3))
	}

	// He switches to English: his profile keeps it, audited, and a new
	// browser shows English after he signs in.
	_, page = jonas.get("/agency")
	resp, page = jonas.postForm("/language", url.Values{"lang": {"en"}, "return_to": {"/agency"}, "csrf_token": {jonas.csrf(page)}})
	if resp.StatusCode != http.StatusOK || langOf(t, page) != "en" {
		t.Fatalf("switching to English: %d, a page in %s", resp.StatusCode, langOf(t, page))
	}
	var stored string
	d.Raw(`SELECT language FROM people WHERE email = ?`, "ermittler@lka-musterland.example").Scan(&stored)
	if stored != "en" {
		t.Errorf("his profile says language %q, want en", stored)
	}
	var events int64
	d.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'person.preferences'`).Scan(&events)
	if events != 1 {
		t.Errorf("%d person.preferences audit events, want 1", events)
	}
	again := newBrowser(t, base)
	again.signIn("ermittler@lka-musterland.example")
	if _, page := again.get("/agency"); langOf(t, page) != "en" {
		t.Error("his profile's English is not used in a new browser")
	}

	// Without the form's token, a signed-in person's switch is refused.
	if resp, _ := again.postForm("/language", url.Values{"lang": {"de"}, "return_to": {"/agency"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a switch without the form's token: %d, want 403", resp.StatusCode)
	}
}
