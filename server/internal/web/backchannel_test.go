package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestBackChannelLogoutStatus: the issuer hears 200 for a logout token the
// portal accepts (here one naming nobody with a session, which ends
// nothing) and 400 for one it refuses. An accepted token used to get a 500.
func TestBackChannelLogoutStatus(t *testing.T) {
	mux := http.NewServeMux()
	idpSrv := httptest.NewServer(mux)
	t.Cleanup(idpSrv.Close)
	const base = "http://127.0.0.1:8080"
	idp, err := devidp.New(devidp.Config{Issuer: idpSrv.URL + "/idp", PortalClientSecret: "s", PortalRedirectURIs: []string{base + identity.CallbackPath}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", idp.Handler())
	d := dbtest.Open(t)
	svc, err := identity.New(d.DB, identity.Config{BaseURL: base, HTTPClient: idpSrv.Client(),
		Issuers: []config.Issuer{{URL: idp.Issuer(), ClientID: devidp.PortalClientID, ClientSecret: "s", Provider: true}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.BaseURL = base
	s, err := New(Deps{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Identity: svc})
	if err != nil {
		t.Fatal(err)
	}
	logoutToken := func(aud string) string {
		raw, err := idp.SignJWT(map[string]any{
			"iss": idp.Issuer(), "aud": []string{aud}, "iat": time.Now().Unix(), "jti": "j-" + aud, "sub": "nobody-here",
			"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	for _, tc := range []struct {
		desc, token string
		want        int
	}{
		{"accepted", logoutToken(devidp.PortalClientID), http.StatusOK},
		{"for another client", logoutToken("someone-else"), http.StatusBadRequest},
	} {
		req := httptest.NewRequest(http.MethodPost, identity.BackChannelLogoutPath, strings.NewReader(url.Values{"logout_token": {tc.token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.desc, rec.Code, tc.want, rec.Body)
		}
	}
}
