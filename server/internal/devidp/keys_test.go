package devidp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// jwks returns the kids the provider publishes and the JWKS's Cache-Control.
func jwks(t *testing.T, url string) (kids []string, cacheControl string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Alg string `json:"alg"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("decode JWKS: %v", err)
	}
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids, resp.Header.Get("Cache-Control")
}

// kidOf reads the kid from a JWT's header.
func kidOf(t *testing.T, raw string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

func TestRotateAndRemoveKey(t *testing.T) {
	h := newHarness(t, nil)
	keysURL := h.issuer + "/keys"
	old := h.p.KeyID()
	if kids, cc := jwks(t, keysURL); !slices.Equal(kids, []string{old}) || cc != "" {
		t.Fatalf("JWKS = %v (Cache-Control %q), want [%s] without caching advice", kids, cc, old)
	}

	next, err := h.p.RotateKey()
	if err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	if next == old || h.p.KeyID() != next {
		t.Fatalf("after rotation KeyID = %s (new %s, old %s)", h.p.KeyID(), next, old)
	}
	if kids, _ := jwks(t, keysURL); !slices.Equal(kids, []string{old, next}) {
		t.Errorf("JWKS after rotation = %v, want both [%s %s]", kids, old, next)
	}
	cc := clientcredentials.Config{ClientID: clients[0].ID, ClientSecret: clients[0].Secret, TokenURL: h.provider(t).Endpoint().TokenURL}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := kidOf(t, tok.AccessToken); got != next {
		t.Errorf("access token kid = %s, want the new key %s", got, next)
	}
	signed, err := h.p.SignJWT(map[string]any{"iss": h.issuer})
	if err != nil {
		t.Fatal(err)
	}
	if got := kidOf(t, signed); got != next {
		t.Errorf("SignJWT kid = %s, want the new key %s", got, next)
	}

	if err := h.p.RemoveKey(next); err == nil {
		t.Error("RemoveKey of the signing key succeeded, want an error")
	}
	if err := h.p.RemoveKey("no-such-kid"); err == nil {
		t.Error("RemoveKey of an unknown kid succeeded, want an error")
	}
	if err := h.p.RemoveKey(old); err != nil {
		t.Fatalf("RemoveKey(old): %v", err)
	}
	if kids, _ := jwks(t, keysURL); !slices.Equal(kids, []string{next}) {
		t.Errorf("JWKS after removal = %v, want [%s]", kids, next)
	}
}

func TestKeysMaxAge(t *testing.T) {
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	p, err := devidp.New(devidp.Config{
		Issuer: srv.URL + "/idp", PortalClientSecret: portalSecret, PortalRedirectURIs: []string{srv.URL + "/auth/callback"},
		KeysMaxAge: 90 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	handler = p.Handler()
	kids, cc := jwks(t, srv.URL+"/idp/keys")
	if got, want := cc, "max-age=90"; got != want {
		t.Errorf("Cache-Control = %q, want %q", got, want)
	}
	if !slices.Equal(kids, []string{p.KeyID()}) {
		t.Errorf("JWKS = %v, want [%s]", kids, p.KeyID())
	}
}
