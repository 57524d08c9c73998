package identity

import (
	"context"
	"net/url"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// Registrable checks that an agency may sign in at issuerURL with org, the
// value of the issuer's organisation claim, and returns the issuer's URL as
// configured (tokens carry it exactly, so the agency must record it so).
// The issuer must be one the portal trusts, compared after normalisation
// (case of scheme and host, a trailing slash); an issuer that names an
// organisation claim needs the agency's value, which can never be empty
// (an empty one would match every token lacking the claim); an issuer
// dedicated to one agency takes none; the provider's own issuer takes no
// agency unless it tells its staff apart by organisation.
func (s *Service) Registrable(issuerURL, org string) (string, error) {
	var f errs.Fields
	want := normaliseIssuer(issuerURL)
	var found *issuer
	for _, u := range s.order {
		if normaliseIssuer(u) == want {
			found = s.issuers[u]
			break
		}
	}
	if found == nil {
		f.Add("issuer", "%s is not one of the portal's trusted issuers (%s). An operator adds the agency's OpenID Provider to WARRANTDESK_ISSUERS first.",
			errs.Clip(strings.TrimSpace(issuerURL), 120), strings.Join(s.order, ", "))
		return "", f.Err()
	}
	ic := found.cfg
	org = strings.TrimSpace(org)
	switch {
	case ic.OrgClaim != "" && org == "":
		f.Add("issuer_org", "This issuer serves several organisations: enter the value of its %q claim that this agency's people carry.", ic.OrgClaim)
	case ic.OrgClaim == "" && ic.Provider:
		f.Add("issuer", "This issuer signs in the provider's own staff, and tells no organisations apart: an agency needs an issuer of its own.")
	case ic.OrgClaim == "" && org != "":
		f.Add("issuer_org", "This issuer is dedicated to one agency and names no organisation claim: leave the organisation empty.")
	case ic.Provider && org == ic.ProviderOrg:
		f.Add("issuer_org", "%q is the provider's own organisation at this issuer.", org)
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	return ic.URL, nil
}

// normaliseIssuer is an issuer URL for comparison: trimmed, without a
// trailing slash, scheme and host in lower case.
func normaliseIssuer(raw string) string {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/")
}

// Reachability says, per trusted issuer, whether the portal can read its
// discovery document and its keys now, and, where it introspects opaque
// tokens, whether the introspection endpoint answers its credentials:
// "ok", or what is wrong. The keys come from the cache while it is fresh,
// and are fetched no more often than a token with an unknown kid could
// make them be; the introspection endpoint is asked at most every
// probeInterval.
func (s *Service) Reachability(ctx context.Context) map[string]string {
	out := map[string]string{}
	for _, u := range s.order {
		is := s.issuers[u]
		if _, err := s.discover(ctx, is); err != nil {
			out[u] = "unreachable: its discovery document cannot be read"
			continue
		}
		if _, err := is.keys.keysFor(ctx, ""); err != nil {
			out[u] = "unreachable: its signing keys cannot be read"
			continue
		}
		if is.cfg.Introspection != nil {
			out[u] = s.cachedProbe(ctx, is).status()
			continue
		}
		out[u] = "ok"
	}
	return out
}
