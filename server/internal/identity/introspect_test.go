package identity_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

const (
	resourceServerID     = "warrantdesk-api-rs"
	resourceServerSecret = "rs-test-secret"
)

// opaqueClient is riverside-pd's system at a provider that gives it opaque
// access tokens.
var opaqueClient = devidp.Client{ID: "riverside-pd-opaque", Secret: "opaque-secret", Org: "riverside-pd", Roles: []string{"officer"}, Opaque: true}

// newOpaqueFixture is the fixture with opaqueClient and the portal
// registered at the provider as a resource server, on the provider's clock
// clk, and a Service that introspects at the endpoint the provider's
// discovery document names.
func newOpaqueFixture(t *testing.T, clk *demo.Clock) *fixture {
	t.Helper()
	f := newFixtureWith(t, func(c *devidp.Config) {
		c.Clients = append(slices.Clone(c.Clients), opaqueClient)
		c.ResourceServerID, c.ResourceServerSecret = resourceServerID, resourceServerSecret
		c.Clock = clk.Now
	})
	f.cfg.Introspection = &config.Introspection{ClientID: resourceServerID, ClientSecret: resourceServerSecret}
	f.svc = f.service(f.cfg)
	return f
}

// withIntrospection is the fixture's issuer with introspection edited.
func (f *fixture) withIntrospection(edit func(*config.Issuer, *config.Introspection)) config.Issuer {
	ic := f.cfg
	in := *f.cfg.Introspection
	ic.Introspection = &in
	edit(&ic, &in)
	return ic
}

// revoke revokes an agency system's access token at the provider, as the
// system (or its administrator) would.
func (f *fixture) revoke(c devidp.Client, token string) {
	f.t.Helper()
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequest(http.MethodPost, f.issuer+"/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, c.Secret)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("revoke: %s", resp.Status)
	}
}

// TestOpaqueTokenAccepted: an opaque access token from the real provider
// acts as the agency system, as its JWT would; the second request is
// answered from the cache, without asking the provider again.
func TestOpaqueTokenAccepted(t *testing.T) {
	f := newOpaqueFixture(t, &demo.Clock{})
	down := config.Issuer{URL: "http://127.0.0.1:1/idp", APIAudience: "other-api", // nothing listens on port 1
		Introspection: &config.Introspection{Endpoint: "http://127.0.0.1:1/introspect", ClientID: "x", ClientSecret: "y"}}
	for _, tc := range []struct {
		desc string
		svc  *identity.Service
	}{
		{"OneIssuer", f.svc},
		// Asked at once, the issuer that knows the token answers for it,
		// whatever the other does.
		{"TwoIssuersOneDown", f.service(down, f.cfg)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			raw := f.clientToken(opaqueClient.ID, opaqueClient.Secret)
			if strings.Count(raw, ".") == 2 {
				t.Fatalf("token %q looks like a JWT, want an opaque one", raw)
			}
			calls := f.introspections.Load()
			p, err := tc.svc.VerifyBearer(f.ctx, raw)
			if err != nil {
				t.Fatalf("VerifyBearer: %v", err)
			}
			if p.Kind != identity.KindClient || p.Subject != opaqueClient.ID || p.Issuer != f.issuer ||
				p.AgencyID != f.agencies["riverside-pd"].ID || !slices.Equal(p.Roles, []identity.Role{identity.RoleOfficer}) {
				t.Errorf("principal = %+v, want riverside-pd's system with the officer role", p)
			}
			if got := f.introspections.Load() - calls; got != 1 {
				t.Errorf("first request: %d introspection calls, want 1", got)
			}
			again, err := tc.svc.VerifyBearer(f.ctx, raw)
			if err != nil {
				t.Fatalf("VerifyBearer again: %v", err)
			}
			if again.PersonID != p.PersonID {
				t.Errorf("second request acts as %s, want %s", again.PersonID, p.PersonID)
			}
			if got := f.introspections.Load() - calls; got != 1 {
				t.Errorf("two requests: %d introspection calls, want 1 (the second from the cache)", got)
			}
		})
	}
	t.Run("JWTsAreNotIntrospected", func(t *testing.T) {
		calls := f.introspections.Load()
		if _, err := f.svc.VerifyBearer(f.ctx, f.clientToken("riverside-pd-cms", "riverside-demo-secret")); err != nil {
			t.Fatalf("VerifyBearer of a JWT: %v", err)
		}
		if got := f.introspections.Load() - calls; got != 0 {
			t.Errorf("a JWT cost %d introspection calls, want 0", got)
		}
	})
}

// TestOpaqueTokenRefused: opaque tokens the portal must not accept are
// refused, and audited with their reason as refused JWTs are.
func TestOpaqueTokenRefused(t *testing.T) {
	clk := &demo.Clock{}
	f := newOpaqueFixture(t, clk)
	token := func() string { return f.clientToken(opaqueClient.ID, opaqueClient.Secret) }
	for _, tc := range []struct {
		desc   string
		svc    *identity.Service
		raw    func() string
		code   errs.Code
		reason string
	}{
		{"NeverIssued", f.svc, func() string { return "no-such-token" }, errs.Unauthenticated, identity.ReasonInactive},
		{"Revoked", f.svc, func() string {
			raw := token()
			f.revoke(opaqueClient, raw)
			return raw
		}, errs.Unauthenticated, identity.ReasonInactive},
		{"ExpiredAtTheProvider", f.svc, func() string {
			raw := token()
			clk.Set(time.Now().Add(16 * time.Minute))
			return raw
		}, errs.Unauthenticated, identity.ReasonInactive},
		// A provider whose clock lags an hour says active; the exp it
		// reports is the moment of issue (devidp's floor), and the portal
		// checks it.
		{"ExpiredByItsExp", f.svc, func() string {
			clk.Set(time.Now().Add(-time.Hour))
			return token()
		}, errs.Unauthenticated, identity.ReasonExpired},
		{"WrongAudience", f.service(f.withIntrospection(func(ic *config.Issuer, _ *config.Introspection) { ic.APIAudience = "another-api" })),
			token, errs.Unauthenticated, identity.ReasonWrongAudience},
		// A person's access token is for the portal's sign-in: the provider
		// tells the resource server nothing about it.
		{"PersonsToken", f.svc, func() string { return f.realTokens("officer@riverside-pd.example").AccessToken }, errs.Unauthenticated, identity.ReasonInactive},
		{"NoIntrospectingIssuer", f.service(f.withIntrospection(func(ic *config.Issuer, _ *config.Introspection) { ic.Introspection = nil })),
			token, errs.Unauthenticated, identity.ReasonNotAToken},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			defer clk.Set(time.Time{})
			raw := tc.raw()
			_, err := tc.svc.VerifyBearer(f.ctx, raw)
			wantCode(t, err, tc.code)
			ev := f.lastEvent()
			var details struct{ Reason string }
			_ = json.Unmarshal([]byte(ev.Details), &details)
			if ev.Action != "auth.token" || ev.Outcome != "failure" || details.Reason != tc.reason {
				t.Errorf("audited %s/%s with reason %q, want auth.token/failure with %q", ev.Action, ev.Outcome, details.Reason, tc.reason)
			}
		})
	}
}

// TestIntrospectionUnavailable: when the issuer cannot be asked, the token
// is neither accepted nor blamed: 503 (Unavailable), and nothing audited
// against the caller.
func TestIntrospectionUnavailable(t *testing.T) {
	f := newOpaqueFixture(t, &demo.Clock{})
	raw := f.clientToken(opaqueClient.ID, opaqueClient.Secret)
	down := config.Issuer{URL: "http://127.0.0.1:1/idp", APIAudience: "other-api",
		Introspection: &config.Introspection{Endpoint: "http://127.0.0.1:1/introspect", ClientID: "x", ClientSecret: "y"}}
	for _, tc := range []struct {
		desc string
		ic   []config.Issuer
		raw  string
	}{
		{"EndpointDown", []config.Issuer{f.withIntrospection(func(_ *config.Issuer, in *config.Introspection) { in.Endpoint = "http://127.0.0.1:1/introspect" })}, raw},
		// The provider refuses the portal (401): the operator's mistake,
		// not the caller's.
		{"PortalsSecretWrong", []config.Issuer{f.withIntrospection(func(_ *config.Issuer, in *config.Introspection) { in.ClientSecret = "wrong" })}, raw},
		{"NotFoundAtEndpoint", []config.Issuer{f.withIntrospection(func(_ *config.Issuer, in *config.Introspection) { in.Endpoint = f.srv.URL + "/nothing-here" })}, raw},
		// The token is not active at the provider that answers, and may be
		// the other's.
		{"InactiveAtOneOtherDown", []config.Issuer{f.cfg, down}, "no-such-token"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			events := f.count("audit_events", "1 = 1")
			_, err := f.service(tc.ic...).VerifyBearer(f.ctx, tc.raw)
			wantCode(t, err, errs.Unavailable)
			if got := f.count("audit_events", "1 = 1"); got != events {
				t.Errorf("an unreachable issuer wrote %d audit events", got-events)
			}
		})
	}
}

// TestIntrospectionCacheBounds: an active answer is reused for 60 seconds
// at most, and never past the token's exp; then the provider is asked
// again.
func TestIntrospectionCacheBounds(t *testing.T) {
	idpClk := &demo.Clock{}
	f := newOpaqueFixture(t, idpClk)
	for _, tc := range []struct {
		desc       string
		lifetime   time.Duration // of the token, from now
		reused     time.Duration // later, still answered from the cache
		asked      time.Duration // later, the provider is asked again
		wantReason string        // of the refusal then; "" accepted
	}{
		{"SixtySeconds", 15 * time.Minute, 59 * time.Second, 61 * time.Second, ""},
		{"NeverPastExp", 30 * time.Second, 29 * time.Second, 31 * time.Second, identity.ReasonExpired},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			// devidp's tokens live 15 minutes of its clock.
			idpClk.Set(time.Now().Add(tc.lifetime - 15*time.Minute))
			defer idpClk.Set(time.Time{})
			raw := f.clientToken(opaqueClient.ID, opaqueClient.Secret)
			portal := newClock()
			svc := f.replica(portal)
			calls := f.introspections.Load()
			if _, err := svc.VerifyBearer(f.ctx, raw); err != nil {
				t.Fatalf("VerifyBearer: %v", err)
			}
			start := portal.Now()
			portal.Set(start.Add(tc.reused))
			if _, err := svc.VerifyBearer(f.ctx, raw); err != nil {
				t.Fatalf("VerifyBearer %v later: %v", tc.reused, err)
			}
			if got := f.introspections.Load() - calls; got != 1 {
				t.Errorf("%v later: %d introspection calls in all, want 1", tc.reused, got)
			}
			portal.Set(start.Add(tc.asked))
			_, err := svc.VerifyBearer(f.ctx, raw)
			if got := f.introspections.Load() - calls; got != 2 {
				t.Errorf("%v later: %d introspection calls in all, want 2", tc.asked, got)
			}
			if tc.wantReason == "" {
				if err != nil {
					t.Errorf("VerifyBearer %v later: %v", tc.asked, err)
				}
				return
			}
			wantCode(t, err, errs.Unauthenticated)
			var details struct{ Reason string }
			_ = json.Unmarshal([]byte(f.lastEvent().Details), &details)
			if details.Reason != tc.wantReason {
				t.Errorf("refused with reason %q, want %q", details.Reason, tc.wantReason)
			}
		})
	}
}
