package identity_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestIntrospectionChecked: where the portal introspects opaque tokens,
// the Identity providers page (Inspect) and /readyz (Reachability) ask the
// real provider's introspection endpoint about a made-up token with the
// portal's credentials, and say what is wrong: nothing, the credentials
// (401), or an endpoint that cannot be asked.
func TestIntrospectionChecked(t *testing.T) {
	f := newOpaqueFixture(t, &demo.Clock{})
	endpoint := f.issuer + "/oauth/introspect" // as its discovery document names it
	for _, tc := range []struct {
		desc   string
		edit   func(*config.Introspection)
		ok     bool
		detail []string // in the check's words
		status string   // /readyz's, or its beginning
	}{
		{"Working", func(*config.Introspection) {}, true,
			[]string{endpoint, "answers the portal's resource-server credentials"}, "ok"},
		{"WrongSecret", func(in *config.Introspection) { in.ClientSecret = "not-the-secret" }, false,
			[]string{endpoint, "refuses the portal's credentials (401)", "client_secret is wrong", "503"},
			"misconfigured: its introspection endpoint refuses the portal's credentials (401)"},
		{"EndpointDown", func(in *config.Introspection) { in.Endpoint = "http://127.0.0.1:1/introspect" }, false, // nothing listens on port 1
			[]string{"cannot be asked", "http://127.0.0.1:1/introspect", "503"}, "unreachable: its introspection endpoint cannot be asked"},
		{"NotAnEndpoint", func(in *config.Introspection) { in.Endpoint = f.srv.URL + "/nothing-here" }, false,
			[]string{"cannot be asked", "404"}, "unreachable: its introspection endpoint cannot be asked"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			svc := f.service(f.withIntrospection(func(_ *config.Issuer, in *config.Introspection) { tc.edit(in) }))
			reports := svc.Inspect(f.ctx)
			if len(reports) != 1 || !reports[0].Introspection {
				t.Fatalf("Inspect = %+v, want one issuer that introspects", reports)
			}
			r := reports[0]
			i := slices.IndexFunc(r.Checks, func(c identity.IssuerCheck) bool { return c.Name == "Introspection" })
			if i < 0 {
				t.Fatalf("no Introspection check among %+v", r.Checks)
			}
			c := r.Checks[i]
			t.Logf("the page says: %s", c.Detail)
			if c.OK != tc.ok || r.Ready() != tc.ok {
				t.Errorf("check passed = %v, issuer ready = %v, want %v: %s", c.OK, r.Ready(), tc.ok, c.Detail)
			}
			for _, want := range tc.detail {
				if !strings.Contains(c.Detail, want) {
					t.Errorf("the check says %q, want it to say %q", c.Detail, want)
				}
			}
			if got := svc.Reachability(f.ctx)[f.issuer]; got != tc.status {
				t.Errorf("Reachability = %q, want %q", got, tc.status)
			}
		})
	}

	t.Run("NotIntrospecting", func(t *testing.T) {
		ic := f.withIntrospection(func(ic *config.Issuer, _ *config.Introspection) { ic.Introspection = nil })
		for _, r := range f.service(ic).Inspect(f.ctx) {
			if r.Introspection || slices.ContainsFunc(r.Checks, func(c identity.IssuerCheck) bool { return c.Name == "Introspection" }) {
				t.Errorf("an issuer without introspection is reported with it: %+v", r)
			}
		}
	})

	// /readyz is polled every few seconds on every replica: the endpoint
	// is asked at most every 30 seconds. The page asks each time.
	t.Run("ReadinessAsksEveryThirtySeconds", func(t *testing.T) {
		clk := newClock()
		svc := f.replica(clk)
		calls := f.introspections.Load()
		for _, later := range []time.Duration{0, 29 * time.Second} {
			advance(clk, later)
			if got := svc.Reachability(f.ctx)[f.issuer]; got != "ok" {
				t.Fatalf("Reachability = %q, want ok", got)
			}
		}
		if got := f.introspections.Load() - calls; got != 1 {
			t.Errorf("two readiness checks within 30 s asked %d times, want 1", got)
		}
		advance(clk, 2*time.Second)
		svc.Reachability(f.ctx)
		svc.Inspect(f.ctx)
		if got := f.introspections.Load() - calls; got != 3 {
			t.Errorf("after 31 s and a look at the page: asked %d times in all, want 3", got)
		}
	})
}
