package identity_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
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

// TestKeyRotationAndRemoval follows the provider's keys on two replicas that
// fetched them at different times: a new kid verifies at once; a withdrawn
// key keeps verifying only until each replica's cache runs out (10 minutes
// at most), then neither accepts it.
func TestKeyRotationAndRemoval(t *testing.T) {
	f := newFixture(t)
	clk := newClock()
	r1, r2 := f.replica(clk), f.replica(clk)

	oldKid := f.idp.KeyID()
	oldTok := f.systemToken()
	mustVerify(t, r1, oldTok, "r1, old key")

	advance(clk, time.Minute)
	if _, err := f.idp.RotateKey(); err != nil {
		t.Fatal(err)
	}
	newTok := f.systemToken()
	before := f.keyFetches.Load()
	mustVerify(t, r1, newTok, "r1, new kid right after rotation")
	if got := f.keyFetches.Load() - before; got != 1 {
		t.Errorf("the new kid cost %d JWKS fetches, want 1", got)
	}
	mustVerify(t, r1, oldTok, "r1, old key still published")
	// People's ID tokens are verified with the same keys.
	officer := demoPerson(t, "officer@riverside-pd.example")
	if _, err := r1.FinishLogin(f.ctx, f.issuer, f.sign(f.idClaims(officer, "n")), "n"); err != nil {
		t.Fatalf("r1, ID token signed with the new key: %v", err)
	}

	advance(clk, 4*time.Minute) // t0+5m: r2 fetches now, r1 did at t0+1m
	mustVerify(t, r2, oldTok, "r2, old key")
	mustVerify(t, r2, newTok, "r2, new key")

	advance(clk, time.Minute) // t0+6m: the provider withdraws the old key
	if err := f.idp.RemoveKey(oldKid); err != nil {
		t.Fatal(err)
	}
	// Until their caches run out, replicas still trust it: the bound, not
	// an instant revocation.
	mustVerify(t, r1, oldTok, "r1, cached old key")
	mustVerify(t, r2, oldTok, "r2, cached old key")

	advance(clk, 5*time.Minute+time.Second) // t0+11m: r1's cache has run out
	mustRefuse(t, r1, oldTok, "r1, withdrawn key after its cache ran out")
	mustVerify(t, r1, newTok, "r1, new key")

	advance(clk, 5*time.Minute) // t0+16m: ten minutes after the removal
	for i, r := range []*identity.Service{r1, r2} {
		mustRefuse(t, r, oldTok, fmt.Sprintf("r%d, withdrawn key", i+1))
		mustVerify(t, r, newTok, fmt.Sprintf("r%d, new key", i+1))
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

// withKid returns raw with its header's kid replaced: a forged token naming
// a key the provider never published.
func withKid(t *testing.T, raw, kid string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	h["kid"] = kid
	b, _ = json.Marshal(h)
	return base64.RawURLEncoding.EncodeToString(b) + "." + parts[1] + "." + parts[2]
}

// TestUnknownKidFlood: tokens naming unknown kids make the portal fetch the
// issuer's keys at most once per interval (30 seconds), however many arrive
// and however concurrently, and every one of them is refused.
func TestUnknownKidFlood(t *testing.T) {
	f := newFixture(t)
	clk := newClock()
	svc := f.replica(clk)
	valid := f.systemToken()
	mustVerify(t, svc, valid, "valid token")
	if got := f.keyFetches.Load(); got != 1 {
		t.Fatalf("JWKS fetches after the first token = %d, want 1", got)
	}

	flood := func(round int) {
		t.Helper()
		const n = 50
		var wg sync.WaitGroup
		codes := make([]errs.Code, n)
		for i := range n {
			wg.Go(func() {
				_, err := svc.VerifyBearer(t.Context(), withKid(t, valid, fmt.Sprintf("forged-%d-%d", round, i)))
				codes[i] = errs.CodeOf(err)
			})
		}
		wg.Wait()
		for i, c := range codes {
			if c != errs.Unauthenticated {
				t.Fatalf("round %d: forged token %d: code %s, want Unauthenticated", round, i, c)
			}
		}
	}

	for i, step := range []struct {
		desc    string
		advance time.Duration
		want    int64 // JWKS fetches so far
	}{
		{desc: "right after the first fetch", want: 1},
		{desc: "an interval later", advance: 31 * time.Second, want: 2},
		{desc: "within that interval", advance: 20 * time.Second, want: 2},
		{desc: "the next interval", advance: 10 * time.Second, want: 3},
	} {
		advance(clk, step.advance)
		flood(i)
		if got := f.keyFetches.Load(); got != step.want {
			t.Errorf("JWKS fetches after a flood %s = %d, want %d", step.desc, got, step.want)
		}
	}
	// Genuine tokens verify throughout, from the cache.
	mustVerify(t, svc, valid, "valid token after the floods")
	if got := f.keyFetches.Load(); got != 3 {
		t.Errorf("JWKS fetches = %d after a known kid, want still 3", got)
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
