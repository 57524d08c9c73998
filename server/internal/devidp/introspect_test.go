package devidp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

const (
	resourceServerID     = "warrantdesk-api-rs"
	resourceServerSecret = "rs-test-secret"
)

// opaqueClient gets opaque access tokens: the portal must introspect them.
var opaqueClient = devidp.Client{ID: "agency-c-cms", Secret: "agency-c-secret", Org: "agency-c", Roles: []string{"officer"}, Opaque: true}

// newIntrospectionHarness is a provider with the opaque client and the
// portal registered as a resource server.
func newIntrospectionHarness(t *testing.T, clock func() time.Time) *harness {
	t.Helper()
	return newHarnessWith(t, clock, func(c *devidp.Config) {
		c.Clients = append(slices.Clone(clients), opaqueClient)
		c.ResourceServerID, c.ResourceServerSecret = resourceServerID, resourceServerSecret
	})
}

// clientToken is an agency system's access token from the token endpoint.
func (h *harness) clientToken(t *testing.T, c devidp.Client) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: c.Secret, TokenURL: h.issuer + "/oauth/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("client credentials for %s: %v", c.ID, err)
	}
	return tok.AccessToken
}

// introspection is the part of an introspection answer the tests read.
type introspection struct {
	Active    bool     `json:"active"`
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	ClientID  string   `json:"client_id"`
	TokenType string   `json:"token_type"`
	Audience  []string `json:"aud"`
	Exp       int64    `json:"exp"`
	Org       string   `json:"org"`
	Roles     []string `json:"roles"`
}

// introspect asks the introspection endpoint about token as id, with the
// secret in the Authorization header (the library takes no other way).
func (h *harness) introspect(t *testing.T, id, secret, token string) (int, introspection) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got introspection
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatalf("decode introspection: %v", err)
		}
	}
	return resp.StatusCode, got
}

// TestOpaqueToken: an opaque client's access token is no JWT, and the
// resource server learns from introspection what its JWT would have said.
func TestOpaqueToken(t *testing.T) {
	h := newIntrospectionHarness(t, nil)
	tok := h.clientToken(t, opaqueClient)
	if strings.Count(tok, ".") == 2 {
		t.Fatalf("access token %q looks like a JWT, want an opaque one", tok)
	}
	status, got := h.introspect(t, resourceServerID, resourceServerSecret, tok)
	if status != http.StatusOK || !got.Active {
		t.Fatalf("introspection = %d %+v, want 200 and active", status, got)
	}
	want := introspection{Active: true, Issuer: h.issuer, Subject: opaqueClient.ID, ClientID: opaqueClient.ID, TokenType: "Bearer",
		Audience: []string{devidp.APIAudience}, Exp: got.Exp, Org: opaqueClient.Org, Roles: opaqueClient.Roles}
	if !equalIntrospection(got, want) {
		t.Errorf("introspection = %+v, want %+v", got, want)
	}
	if exp := time.Unix(got.Exp, 0); exp.Before(time.Now().Add(14*time.Minute)) || exp.After(time.Now().Add(16*time.Minute)) {
		t.Errorf("exp = %v, want 15 minutes from now", exp)
	}
	// The JWT clients keep their JWTs.
	if tok := h.clientToken(t, clients[0]); strings.Count(tok, ".") != 2 {
		t.Errorf("agency-a-cms got %q, want a JWT", tok)
	}
}

func equalIntrospection(a, b introspection) bool {
	return a.Active == b.Active && a.Issuer == b.Issuer && a.Subject == b.Subject && a.ClientID == b.ClientID &&
		a.TokenType == b.TokenType && slices.Equal(a.Audience, b.Audience) && a.Exp == b.Exp && a.Org == b.Org &&
		slices.Equal(a.Roles, b.Roles)
}

// TestIntrospectionRefused: who may ask about which token, and what an
// ended token looks like.
func TestIntrospectionRefused(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := newIntrospectionHarness(t, clk.Now)
	tok := h.clientToken(t, opaqueClient)
	person := func() string {
		a := h.newAuthRequest()
		q := h.signIn(t, a, "officer@agency-a.example", password)
		pt, _ := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
		return pt.AccessToken
	}()
	for _, tc := range []struct {
		desc, id, secret, token string
		wantStatus              int
		wantActive              bool
	}{
		{"TheTokensOwnClient", opaqueClient.ID, opaqueClient.Secret, tok, http.StatusOK, true},
		{"ErrAnotherAgencysClient", clients[0].ID, clients[0].Secret, tok, http.StatusOK, false},
		{"ErrWrongSecret", resourceServerID, "guess", tok, http.StatusUnauthorized, false},
		{"ErrNoSuchToken", resourceServerID, resourceServerSecret, "not-a-token-at-all", http.StatusOK, false},
		// A person's access token is for the portal, not the API.
		{"ErrPersonsToken", resourceServerID, resourceServerSecret, person, http.StatusOK, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			status, got := h.introspect(t, tc.id, tc.secret, tc.token)
			if status != tc.wantStatus || got.Active != tc.wantActive {
				t.Errorf("introspection = %d active %v, want %d active %v", status, got.Active, tc.wantStatus, tc.wantActive)
			}
		})
	}
	t.Run("ErrResourceServerGetsNoToken", func(t *testing.T) {
		cc := clientcredentials.Config{ClientID: resourceServerID, ClientSecret: resourceServerSecret, TokenURL: h.issuer + "/oauth/token"}
		if _, err := cc.Token(context.Background()); err == nil {
			t.Error("the resource server got an access token")
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		revoked := h.clientToken(t, opaqueClient)
		form := url.Values{"token": {revoked}, "token_type_hint": {"access_token"}}
		req, _ := http.NewRequest(http.MethodPost, h.issuer+"/revoke", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(opaqueClient.ID, opaqueClient.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %s", resp.Status)
		}
		if _, got := h.introspect(t, resourceServerID, resourceServerSecret, revoked); got.Active {
			t.Error("a revoked token is active")
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		clk.Advance(15*time.Minute + time.Second)
		if _, got := h.introspect(t, resourceServerID, resourceServerSecret, tok); got.Active {
			t.Error("a token past its 15 minutes is active")
		}
	})
}
