package devidp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// exchangeToken asks the token endpoint, as client, for an API token
// acting for the person of subjectToken (RFC 8693), and returns the
// answer's status and JSON.
func (h *harness) exchangeToken(t *testing.T, client devidp.Client, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client.ID, client.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	return resp.StatusCode, out
}

func exchangeForm(subjectToken, subjectType string) url.Values {
	return url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token":      {subjectToken},
		"subject_token_type": {subjectType},
		"audience":           {devidp.APIAudience},
	}
}

const (
	accessTokenType = "urn:ietf:params:oauth:token-type:access_token"
	idTokenType     = "urn:ietf:params:oauth:token-type:id_token"
)

func TestTokenExchange(t *testing.T) {
	h := newHarness(t, nil)
	officer := people[0] // agency-a
	a := h.newAuthRequest()
	q := h.signIn(t, a, officer.Email, password)
	tok, _ := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
	idToken := tok.Extra("id_token").(string)
	verifier := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.APIAudience})

	for _, subject := range []struct{ desc, token, kind string }{
		{"AccessToken", tok.AccessToken, accessTokenType},
		{"IDToken", idToken, idTokenType},
	} {
		t.Run(subject.desc, func(t *testing.T) {
			status, out := h.exchangeToken(t, clients[0], exchangeForm(subject.token, subject.kind))
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, out)
			}
			if got := out["issued_token_type"]; got != accessTokenType {
				t.Errorf("issued_token_type = %v, want %s", got, accessTokenType)
			}
			at, err := verifier.Verify(context.Background(), out["access_token"].(string))
			if err != nil {
				t.Fatalf("verify exchanged token: %v", err)
			}
			var c struct {
				Sub      string         `json:"sub"`
				ClientID string         `json:"client_id"`
				Org      string         `json:"org"`
				Roles    []string       `json:"roles"`
				AMR      []string       `json:"amr"`
				AuthTime int64          `json:"auth_time"`
				Act      map[string]any `json:"act"`
			}
			if err := at.Claims(&c); err != nil {
				t.Fatal(err)
			}
			if c.Sub != officer.Subject() || c.Org != officer.Org || !slices.Equal(c.Roles, officer.Roles) {
				t.Errorf("sub, org, roles = %q, %q, %v; want the officer's %q, %q, %v", c.Sub, c.Org, c.Roles, officer.Subject(), officer.Org, officer.Roles)
			}
			if got, want := c.Act, map[string]any{"sub": clients[0].ID}; len(got) != 1 || got["sub"] != want["sub"] {
				t.Errorf("act = %v, want %v", got, want)
			}
			if c.ClientID != clients[0].ID {
				t.Errorf("client_id = %q, want %q", c.ClientID, clients[0].ID)
			}
			if !slices.Equal(c.AMR, []string{"pwd"}) || c.AuthTime == 0 {
				t.Errorf("amr, auth_time = %v, %d; want the sign-in's [pwd] and its time", c.AMR, c.AuthTime)
			}

			// A token that already acts cannot be exchanged again.
			status, out = h.exchangeToken(t, clients[0], exchangeForm(out["access_token"].(string), accessTokenType))
			if status != http.StatusBadRequest || out["error"] != "invalid_grant" {
				t.Errorf("exchanging an acting token: status %d, %v; want 400 invalid_grant", status, out)
			}
		})
	}

	for _, tc := range []struct {
		desc   string
		client devidp.Client
		form   url.Values
		want   string
	}{
		{"ErrOtherAgency", clients[1], exchangeForm(tok.AccessToken, accessTokenType), "invalid_grant"},
		{"ErrOtherAgencyIDToken", clients[1], exchangeForm(idToken, idTokenType), "invalid_grant"},
		{"ErrNoAudience", clients[0], func() url.Values {
			f := exchangeForm(tok.AccessToken, accessTokenType)
			f.Del("audience")
			return f
		}(), "invalid_request"},
		{"ErrIDTokenWanted", clients[0], func() url.Values {
			f := exchangeForm(tok.AccessToken, accessTokenType)
			f.Set("requested_token_type", idTokenType)
			return f
		}(), "invalid_request"},
		{"ErrNotAToken", clients[0], exchangeForm("not-a-token", accessTokenType), "invalid_request"},
		{"ErrWrongSecret", devidp.Client{ID: clients[0].ID, Secret: "wrong"}, exchangeForm(tok.AccessToken, accessTokenType), "invalid_client"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			status, out := h.exchangeToken(t, tc.client, tc.form)
			if status < 400 || status >= 500 || out["error"] != tc.want {
				t.Errorf("status %d, %v; want a client error %s", status, out, tc.want)
			}
		})
	}

	// A system's own client-credentials token is no person's.
	t.Run("ErrSystemToken", func(t *testing.T) {
		status, out := h.exchangeToken(t, clients[0], url.Values{"grant_type": {"client_credentials"}})
		if status != http.StatusOK {
			t.Fatalf("client credentials: %d %v", status, out)
		}
		status, out = h.exchangeToken(t, clients[0], exchangeForm(out["access_token"].(string), accessTokenType))
		if status != http.StatusBadRequest || out["error"] != "invalid_grant" {
			t.Errorf("status %d, %v; want 400 invalid_grant", status, out)
		}
	})
}

// TestOfficerSignsInToTheirSystem: the agency's system is its officers'
// relying party (code flow with PKCE to <issuer>/cms/callback); the
// officer's JWT access token it gets is for the system alone, and is
// what it exchanges to act for them.
func TestOfficerSignsInToTheirSystem(t *testing.T) {
	h := newHarness(t, nil)
	officer, cms := people[0], clients[0]
	a := h.newAuthRequest()
	a.params.Set("client_id", cms.ID)
	a.params.Set("redirect_uri", h.issuer+devidp.CMSCallbackPath)
	c := h.browser(t)
	// The browser follows the redirect to the callback, which shows the code.
	resp := h.post(t, c, h.openLogin(t, c, a), officer.Email, password, nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc := resp.Request.URL
	if loc.Path != "/idp"+devidp.CMSCallbackPath || resp.StatusCode != http.StatusOK ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(string(body), "code: "+loc.Query().Get("code")) {
		t.Fatalf("sign-in to the system ended at %v with %d %q, want its callback showing the code", loc, resp.StatusCode, body)
	}
	oc := oauth2.Config{ClientID: cms.ID, ClientSecret: cms.Secret, RedirectURL: h.issuer + devidp.CMSCallbackPath,
		Endpoint: oauth2.Endpoint{TokenURL: h.issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}}
	tok, err := oc.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	// The officer's own token is not one for the API.
	if _, err := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.APIAudience}).Verify(context.Background(), tok.AccessToken); err == nil {
		t.Error("the officer's token for the system verified for the API")
	}
	status, out := h.exchangeToken(t, cms, exchangeForm(tok.AccessToken, accessTokenType))
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, out)
	}
	at, err := h.provider(t).Verifier(&oidc.Config{ClientID: devidp.APIAudience}).Verify(context.Background(), out["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		AMR []string       `json:"amr"`
		Act map[string]any `json:"act"`
	}
	if err := at.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	if at.Subject != officer.Subject() || cl.Act["sub"] != cms.ID || !slices.Equal(cl.AMR, []string{"pwd"}) {
		t.Errorf("sub %q act %v amr %v; want the officer, acted for by %s, with [pwd]", at.Subject, cl.Act, cl.AMR, cms.ID)
	}
}
