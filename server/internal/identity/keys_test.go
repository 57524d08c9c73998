package identity_test

import (
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// newClock returns a settable clock for Config.Now, at the real time.
func newClock() *demo.Clock {
	clk := &demo.Clock{}
	clk.Set(time.Now())
	return clk
}

func advance(clk *demo.Clock, d time.Duration) { clk.Set(clk.Now().Add(d)) }

// replica is one portal process trusting the fixture's provider: its own
// Service, with its own key cache, on clk.
func (f *fixture) replica(clk *demo.Clock) *identity.Service {
	f.t.Helper()
	svc, err := identity.New(f.db.DB, identity.Config{
		Issuers: []config.Issuer{f.cfg}, BaseURL: f.srv.URL, HTTPClient: f.srv.Client(), Now: clk.Now,
	})
	if err != nil {
		f.t.Fatalf("identity.New: %v", err)
	}
	return svc
}

// systemToken is an access token of the agency system riverside-pd-cms as
// the provider would issue it, signed with the provider's current key and
// valid for an hour of real time (replicas' clocks run ahead by minutes).
func (f *fixture) systemToken() string {
	f.t.Helper()
	rc := clientByID(f.t, "riverside-pd-cms")
	now := time.Now()
	return f.sign(map[string]any{
		"iss": f.issuer, "sub": rc.ID, "aud": []string{devidp.APIAudience}, "client_id": rc.ID,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "org": rc.Org, "roles": rc.Roles,
	})
}

func mustVerify(t *testing.T, svc *identity.Service, raw, desc string) {
	t.Helper()
	if _, err := svc.VerifyBearer(t.Context(), raw); err != nil {
		t.Fatalf("%s: VerifyBearer: %v", desc, err)
	}
}

func mustRefuse(t *testing.T, svc *identity.Service, raw, desc string) {
	t.Helper()
	_, err := svc.VerifyBearer(t.Context(), raw)
	if errs.CodeOf(err) != errs.Unauthenticated {
		t.Fatalf("%s: VerifyBearer = %v, want Unauthenticated", desc, err)
	}
}

// TestKeysFollowCacheControl: a JWKS max-age shorter than ten minutes is
// honoured, so a withdrawn key stops verifying sooner.
func TestKeysFollowCacheControl(t *testing.T) {
	f := newFixtureWith(t, func(c *devidp.Config) { c.KeysMaxAge = 2 * time.Minute })
	clk := newClock()
	svc := f.replica(clk)
	oldKid, oldTok := f.idp.KeyID(), f.systemToken()
	mustVerify(t, svc, oldTok, "old key")
	if _, err := f.idp.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if err := f.idp.RemoveKey(oldKid); err != nil {
		t.Fatal(err)
	}
	advance(clk, time.Minute)
	mustVerify(t, svc, oldTok, "within max-age")
	advance(clk, time.Minute+time.Second)
	mustRefuse(t, svc, oldTok, "after max-age")
}

func TestKeyCacheLifetime(t *testing.T) {
	for _, tc := range []struct {
		desc, cacheControl, age string
		want                    time.Duration
	}{
		{desc: "no advice", want: 10 * time.Minute},
		{desc: "max-age", cacheControl: "public, max-age=120", want: 2 * time.Minute},
		{desc: "max-age less Age", cacheControl: "max-age=120", age: "60", want: time.Minute},
		{desc: "longer than ten minutes", cacheControl: "max-age=86400", want: 10 * time.Minute},
		{desc: "shorter than the refetch interval", cacheControl: "max-age=5", want: 30 * time.Second},
		{desc: "no-cache", cacheControl: "no-cache", want: 30 * time.Second},
		{desc: "no-store", cacheControl: "no-store, max-age=300", want: 30 * time.Second},
		{desc: "invalid max-age", cacheControl: "max-age=soon", want: 30 * time.Second},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := identity.KeyCacheLifetime(tc.cacheControl, tc.age); got != tc.want {
				t.Errorf("lifetime(%q, Age %q) = %s, want %s", tc.cacheControl, tc.age, got, tc.want)
			}
		})
	}
}

// TestKeysUnreachable: once the cached keys have run out and the issuer
// cannot be reached, tokens are not verified with stale keys; the caller
// hears that the issuer is unavailable, not that its token is bad.
func TestKeysUnreachable(t *testing.T) {
	f := newFixture(t)
	clk := newClock()
	svc := f.replica(clk)
	tok := f.systemToken()
	mustVerify(t, svc, tok, "issuer up")
	f.srv.Close()
	advance(clk, 5*time.Minute)
	mustVerify(t, svc, tok, "issuer down, keys cached")
	advance(clk, 5*time.Minute+time.Second)
	_, err := svc.VerifyBearer(t.Context(), tok)
	wantCode(t, err, errs.Unavailable)
}
