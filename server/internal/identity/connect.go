package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// An IssuerCheck is one thing checked about a trusted issuer, with what
// an administrator should know when it fails.
type IssuerCheck struct {
	Name   string
	OK     bool
	Detail string
}

// An IssuerReport is what the portal can tell about one trusted issuer
// now, for the administrator connecting it: how it is configured, and
// whether discovery, keys, introspection and the sign-in and sign-out
// endpoints work.
type IssuerReport struct {
	URL       string
	People    bool // people sign in with it (a sign-in client is configured)
	API       bool // agency systems call the API with its tokens
	Provider  bool // it signs in the provider's staff
	OrgClaim  string
	RoleClaim string
	Checks    []IssuerCheck

	Introspection bool // the portal asks it about agency systems' opaque tokens
}

// Ready reports whether every check passed.
func (r IssuerReport) Ready() bool {
	return !slices.ContainsFunc(r.Checks, func(c IssuerCheck) bool { return !c.OK })
}

// Inspect checks every trusted issuer as an administrator connecting it
// would: its discovery document (which names this exact issuer), its keys,
// its introspection endpoint when opaque tokens are introspected there
// (asked about a made-up token, with the portal's credentials), and the
// endpoints sign-in and sign-out need (PKCE S256, RP-initiated logout). It
// changes nothing at the issuer; a test sign-in is the administrator's,
// at /login.
func (s *Service) Inspect(ctx context.Context) []IssuerReport {
	var out []IssuerReport
	for _, u := range s.order {
		is := s.issuers[u]
		r := IssuerReport{URL: u, People: is.cfg.ClientID != "", API: is.cfg.APIAudience != "", Provider: is.cfg.Provider,
			Introspection: is.cfg.Introspection != nil, OrgClaim: is.cfg.OrgClaim, RoleClaim: is.cfg.RoleClaim}
		check := func(name string, ok bool, detail string) { r.Checks = append(r.Checks, IssuerCheck{name, ok, detail}) }
		if _, err := s.discover(ctx, is); err != nil {
			check("Discovery", false, fmt.Sprintf("%s/.well-known/openid-configuration cannot be read, or names another issuer: %v", strings.TrimRight(u, "/"), err))
			out = append(out, r)
			continue
		}
		check("Discovery", true, "The discovery document names this issuer exactly.")
		keys, err := is.keys.keysFor(ctx, "")
		switch {
		case err != nil:
			check("Signing keys", false, fmt.Sprintf("The keys (jwks_uri) cannot be read: %v", err))
		case len(keys) == 0:
			check("Signing keys", false, "The key set is empty: no token can be verified.")
		default:
			check("Signing keys", true, fmt.Sprintf("%d key(s) published.", len(keys)))
		}
		if r.Introspection {
			r.Checks = append(r.Checks, s.probeIntrospection(ctx, is).check())
		}
		var meta struct {
			PKCE        []string `json:"code_challenge_methods_supported"`
			EndSession  string   `json:"end_session_endpoint"`
			BackChannel bool     `json:"backchannel_logout_supported"`
		}
		_ = is.provider.Claims(&meta)
		if r.People {
			check("PKCE S256", slices.Contains(meta.PKCE, "S256") || len(meta.PKCE) == 0,
				"Sign-in sends a PKCE S256 challenge; the provider must accept it.")
			check("Sign-out", meta.EndSession != "",
				map[bool]string{true: "Signing out of the portal signs the person out at the provider (end_session_endpoint).",
					false: "The provider publishes no end_session_endpoint: signing out of the portal leaves the person signed in there."}[meta.EndSession != ""])
			check("Back-channel logout", true, map[bool]string{true: "Supported: register " + BackChannelLogoutPath + " as its back-channel logout URI.",
				false: "Not announced: sessions here end on their own timeouts when a person signs out there."}[meta.BackChannel])
		}
		out = append(out, r)
	}
	return out
}
