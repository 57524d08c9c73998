package identity_test

import (
	"net/url"
	"testing"
)

// TestUILocales: the sign-in and the step-up ask the provider for the
// reader's languages (ui_locales, OpenID Connect Core 1.0, 3.1.2.1), and
// ask for none when the portal names none.
func TestUILocales(t *testing.T) {
	f := newFixture(t)
	svc := f.stepUpService()
	query := func(authURL string, err error) url.Values {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query()
	}
	if got := query(wrap(svc.BeginLogin(f.ctx, f.issuer, "/", "de"))).Get("ui_locales"); got != "de" {
		t.Errorf("sign-in: ui_locales = %q, want de", got)
	}
	if got := query(wrap(svc.BeginLogin(f.ctx, f.issuer, "/", "de", "en"))).Get("ui_locales"); got != "de en" {
		t.Errorf("sign-in: ui_locales = %q, want \"de en\"", got)
	}
	if q := query(wrap(svc.BeginLogin(f.ctx, f.issuer, "/"))); q.Has("ui_locales") {
		t.Errorf("sign-in without languages: ui_locales = %q, want none", q.Get("ui_locales"))
	}
	login, err := f.signIn(svc, withSecondFactor)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	p, _, err := svc.Authenticate(f.ctx, login.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got := query(wrap(svc.BeginStepUp(f.ctx, p, "/x", "de"))).Get("ui_locales"); got != "de" {
		t.Errorf("step-up: ui_locales = %q, want de", got)
	}
}

// wrap drops the state of a Begin call's answer.
func wrap(authURL, _ string, err error) (string, error) { return authURL, err }
