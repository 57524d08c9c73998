package identity_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestRefusedTokensAudited: every refused access token is in the audit
// trail with the reason an administrator reads, and none of them signs
// anyone in or writes a person.
func TestRefusedTokensAudited(t *testing.T) {
	f := newFixture(t)
	system := func(edit func(map[string]any)) string {
		now := time.Now()
		c := map[string]any{"iss": f.issuer, "sub": "riverside-pd-cms", "client_id": "riverside-pd-cms",
			"aud": []string{devidp.APIAudience}, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"org": "riverside-pd", "roles": []string{"officer"}}
		edit(c)
		return f.sign(c)
	}
	if _, err := f.svc.VerifyBearer(f.ctx, system(func(map[string]any) {})); err != nil {
		t.Fatalf("the well-formed system token: %v", err)
	}
	people := f.count("people", "1 = 1")
	for _, tc := range []struct {
		desc, raw, reason string
	}{
		{"not a token", "nonsense", identity.ReasonNotAToken},
		{"an ID token", system(func(c map[string]any) { c["nonce"] = "n" }), identity.ReasonIDToken},
		{"a person's token", system(func(c map[string]any) { c["sub"] = "248289761001" }), identity.ReasonPersonToken},
		{"an unknown organisation", system(func(c map[string]any) { c["org"] = "nowhere-pd" }), identity.ReasonUnknownOrganisation},
		{"no organisation", system(func(c map[string]any) { delete(c, "org") }), identity.ReasonNoOrganisation},
		{"no role", system(func(c map[string]any) { c["roles"] = []string{"janitor"} }), identity.ReasonNoRole},
	} {
		_, err := f.svc.VerifyBearer(f.ctx, tc.raw)
		if code := errs.CodeOf(err); code != errs.Unauthenticated && code != errs.Forbidden {
			t.Errorf("%s: %v, want it refused", tc.desc, err)
			continue
		}
		ev := f.lastEvent()
		var details struct{ Reason string }
		_ = json.Unmarshal([]byte(ev.Details), &details)
		if ev.Action != "auth.token" || ev.Outcome != "failure" || details.Reason != tc.reason {
			t.Errorf("%s: audited %s/%s with reason %q, want auth.token/failure with %q", tc.desc, ev.Action, ev.Outcome, details.Reason, tc.reason)
		}
	}
	if got := f.count("people", "1 = 1"); got != people {
		t.Errorf("refused tokens wrote %d people", got-people)
	}
}

// TestReachability: /readyz's view of the trusted issuers — the demo
// provider answers; one that is down is said to be unreachable.
func TestReachability(t *testing.T) {
	f := newFixture(t)
	down := "http://127.0.0.1:1/idp" // nothing listens on port 1
	svc := f.service(config.Issuer{URL: f.issuer, APIAudience: devidp.APIAudience}, config.Issuer{URL: down, APIAudience: "x"})
	got := svc.Reachability(f.ctx)
	if got[f.issuer] != "ok" || !strings.HasPrefix(got[down], "unreachable") {
		t.Errorf("Reachability = %v, want %s ok and %s unreachable", got, f.issuer, down)
	}
}
