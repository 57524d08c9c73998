package devidp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestLoginLanguage: the sign-in page speaks the language the portal names
// in ui_locales (the first of them the provider speaks), else the browser's
// Accept-Language, else English, and says its errors in it too.
func TestLoginLanguage(t *testing.T) {
	h := newHarness(t, nil)
	german := []string{
		`<html lang="de">`,
		"<title>Anmelden – Demo-Identitätsanbieter von warrantdesk</title>",
		"Personen, als die Sie sich anmelden können (Passwort <code>" + password + "</code>):",
		`<label for="password">Passwort</label>`,
		`<button type="submit">Anmelden</button>`,
		"zweiter Faktor: keine",
	}
	english := []string{
		`<html lang="en">`,
		"<title>Sign in – warrantdesk demo identity provider</title>",
		"This identity provider exists only for the warrantdesk demo.",
		"People you can sign in as (password <code>" + password + "</code>):",
		"second factor: none",
	}
	for _, tc := range []struct {
		desc, uiLocales, acceptLanguage string
		want                            []string
	}{
		{"UILocalesGerman", "de", "", german},
		{"UILocalesRegion", "de-DE", "en", german},
		{"UILocalesFirstSpoken", "fr de", "", german},
		{"AcceptLanguageGerman", "", "de-DE,de;q=0.9,en;q=0.5", german},
		{"UILocalesBeforeAcceptLanguage", "en", "de", english},
		{"UnspokenFallsBackToAcceptLanguage", "fr", "de", german},
		{"NeitherIsEnglish", "", "", english},
		{"UnspokenIsEnglish", "fr", "fr", english},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a := h.newAuthRequest()
			if tc.uiLocales != "" {
				a.params.Set("ui_locales", tc.uiLocales)
			}
			req, err := http.NewRequest(http.MethodGet, h.issuer+"/authorize?"+a.params.Encode(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.acceptLanguage != "" {
				req.Header.Set("Accept-Language", tc.acceptLanguage)
			}
			resp, err := h.browser(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			wantLang := "en"
			if tc.want[0] == german[0] {
				wantLang = "de"
			}
			if got := resp.Header.Get("Content-Language"); got != wantLang {
				t.Errorf("Content-Language = %q, want %q", got, wantLang)
			}
			f := readForm(t, resp)
			for _, want := range tc.want {
				if !strings.Contains(f.body, want) {
					t.Errorf("page lacks %q:\n%s", want, f.body)
				}
			}
		})
	}

	t.Run("ErrorInTheRequestsLanguage", func(t *testing.T) {
		c := h.browser(t)
		a := h.newAuthRequest()
		a.params.Set("ui_locales", "de")
		resp := h.post(t, c, h.openLogin(t, c, a), people[0].Email, "wrong", nil)
		f := readForm(t, resp)
		for _, want := range []string{
			`<html lang="de">`,
			"<title>Fehler: Anmelden – Demo-Identitätsanbieter von warrantdesk</title>",
			"<strong>E-Mail-Adresse oder Passwort ist falsch.</strong>",
		} {
			if !strings.Contains(f.body, want) {
				t.Errorf("page lacks %q:\n%s", want, f.body)
			}
		}
	})

	t.Run("ExpiredInAcceptLanguage", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, h.issuer+"/login?authRequestID=unknown", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", "de")
		resp, err := h.browser(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		f := readForm(t, resp)
		if want := "Diese Anmeldeanfrage ist abgelaufen"; f.status != http.StatusBadRequest || !strings.Contains(f.body, want) {
			t.Errorf("status %d, page lacks %q:\n%s", f.status, want, f.body)
		}
	})
}

// TestPasskeyPagesLanguage: the code page and the passkeys page speak the
// language of the sign-in's ui_locales; the passkeys page, which no auth
// request leads to, remembers it with the person's MFA session.
func TestPasskeyPagesLanguage(t *testing.T) {
	clk := &clock{now: time.Now().Truncate(time.Second)}
	h := newPasskeyHarness(t, clk.Now)
	c := h.browser(t)
	a := h.newAuthRequest()
	a.params.Set("ui_locales", "de")
	f := h.secondPage(t, c, a, mfaPerson)
	for _, want := range []string{
		`<html lang="de">`,
		`<label for="otp">6-stelliger Code</label>`,
		`<button type="submit">Code prüfen</button>`,
		`können Sie (innerhalb von 10 Minuten) <a href="/idp/passkeys">einen Passkey registrieren</a> und`,
	} {
		if !strings.Contains(f.body, want) {
			t.Errorf("code page lacks %q:\n%s", want, f.body)
		}
	}
	otp, err := totp.GenerateCode(mfaPerson.TOTPSecret, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp := h.postCode(t, c, f, otp)
	h.callbackQuery(t, resp)
	resp.Body.Close()

	page := h.passkeysPage(t, c)
	for _, want := range []string{
		`<html lang="de">`,
		"<title>Passkeys – Demo-Identitätsanbieter von warrantdesk</title>",
		"Angemeldet als " + mfaPerson.Email + ", mit 0 registrierten Passkeys.",
		`data-passkey-error="Der Passkey hat nicht geantwortet (%s). Versuchen Sie es erneut."`,
		`<button type="submit">Passkey registrieren</button>`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("passkeys page lacks %q:\n%s", want, page.body)
		}
	}
	page = h.register(t, c, newSoftKey(t, h))
	for _, want := range []string{"Ihr Passkey ist registriert.", "mit einem registrierten Passkey."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page after registering lacks %q:\n%s", want, page.body)
		}
	}
}
