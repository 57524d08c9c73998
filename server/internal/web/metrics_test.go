package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// TestMetricsAccess: /metrics takes its token when one is configured, is
// open without one only with --demo, and is closed otherwise.
func TestMetricsAccess(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		desc       string
		demo       bool
		configured string
		sent       string // the Authorization header
		want       int
	}{
		{"demo without a token", true, "", "", http.StatusOK},
		{"production without a token", false, "", "", http.StatusForbidden},
		{"production without a token, one sent", false, "", "Bearer " + token, http.StatusForbidden},
		{"the token", false, token, "Bearer " + token, http.StatusOK},
		{"the token, scheme in lower case", false, token, "bearer " + token, http.StatusOK},
		{"no token sent", false, token, "", http.StatusUnauthorized},
		{"a wrong token", false, token, "Bearer " + strings.Repeat("0", len(token)), http.StatusUnauthorized},
		{"a prefix of the token", false, token, "Bearer " + token[:16], http.StatusUnauthorized},
		{"the token as Basic", false, token, "Basic " + token, http.StatusUnauthorized},
		{"demo with a token: it is asked for", true, token, "", http.StatusUnauthorized},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			cfg := config.Default()
			cfg.BaseURL, cfg.Demo, cfg.MetricsToken = "http://127.0.0.1:8080", tc.demo, tc.configured
			s, err := New(Deps{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.sent != "" {
				req.Header.Set("Authorization", tc.sent)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if rec.Code == http.StatusUnauthorized {
				if rec.Header().Get("WWW-Authenticate") != `Bearer realm="metrics"` || strings.Contains(rec.Body.String(), "# TYPE") {
					t.Errorf("401 with WWW-Authenticate %q and body %q", rec.Header().Get("WWW-Authenticate"), rec.Body)
				}
			}
		})
	}
}
