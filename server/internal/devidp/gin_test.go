package devidp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// TestMountedInGin mounts the provider the way the portal does, at
// "/idp/*path" on a gin engine without stripping the prefix, and signs in.
func TestMountedInGin(t *testing.T) {
	gin.SetMode(gin.TestMode)
	engine := gin.New()
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	h := &harness{srv: srv, issuer: srv.URL + "/idp", redirectURI: srv.URL + "/auth/callback", home: srv.URL + "/"}
	p, err := devidp.New(devidp.Config{
		Issuer:                 h.issuer,
		PortalClientSecret:     portalSecret,
		PortalRedirectURIs:     []string{h.redirectURI},
		PostLogoutRedirectURIs: []string{h.home},
		People:                 people,
		Password:               password,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.p = p
	engine.Any("/idp/*path", gin.WrapH(p.Handler()))

	if _, err := oidc.NewProvider(context.Background(), h.issuer); err != nil {
		t.Fatalf("discovery through gin: %v", err)
	}
	a := h.newAuthRequest()
	q := h.signIn(t, a, "supervisor@agency-b.example", password)
	_, c := h.exchange(t, oauth2.AuthStyleInHeader, q.Get("code"), a.verifier)
	if got, want := c.Org, "agency-b"; got != want {
		t.Errorf("org = %q, want %q", got, want)
	}

	resp, err := http.Get(srv.URL + "/idp/logged-out")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusOK; got != want {
		t.Errorf("logged-out page status = %d, want %d", got, want)
	}
}
