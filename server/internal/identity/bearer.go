package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

const (
	msgBadBearer       = "The access token is not valid. Obtain a new one from your identity provider."
	msgUntrustedIssuer = "The access token comes from an issuer this portal does not trust."
)

// VerifyBearer verifies an agency system's access token (a JWT from the
// client-credentials grant) and returns its principal, re-read from the
// database so that suspension takes effect at once. The token's iss picks
// which configured issuer verifies it; go-oidc then checks the signature with
// that issuer's published keys (never alg none or a shared-secret HMAC),
// the exact issuer, an audience containing the issuer's api_audience, and
// expiry. A token that is not a JWT is introspected at the issuers
// configured for it (introspect.go). Returns Unauthenticated for any token
// that fails, Forbidden if the system, its organisation or agency may not
// use the API, and Unavailable if the issuer cannot be reached.
func (s *Service) VerifyBearer(ctx context.Context, raw string) (*Principal, error) {
	p, actor, err := s.verifyBearer(ctx, raw)
	if err != nil && errs.CodeOf(err) != errs.Unavailable {
		// Every refused token is in the audit trail with its reason; an
		// issuer out of reach is the portal's trouble, not the caller's.
		return nil, s.tokenRefused(ctx, actor, reasonOf(err, ReasonBadSignature), err)
	}
	return p, err
}

// verifyBearer is VerifyBearer, saying who the token claimed to be (as
// far as it was read) for the audit trail.
func (s *Service) verifyBearer(ctx context.Context, raw string) (*Principal, audit.Actor, error) {
	if !isJWT(raw) {
		return s.verifyOpaque(ctx, raw)
	}
	var actor audit.Actor
	iss, err := unverifiedIssuer(raw)
	if err != nil {
		return nil, actor, errs.Wrap(errors.Join(reason(ReasonNotAToken), err), errs.Unauthenticated, msgBadBearer)
	}
	is, ok := s.issuers[iss]
	if !ok || is.cfg.APIAudience == "" {
		return nil, actor, refuse(ReasonUnknownIssuer, errs.E(errs.Unauthenticated, msgUntrustedIssuer))
	}
	actor.Issuer = iss
	if _, err := s.discover(ctx, is); err != nil {
		return nil, actor, err
	}
	tok, err := is.bearer.Verify(s.clientContext(ctx), raw)
	if err != nil {
		switch {
		case strings.Contains(err.Error(), "expected audience"):
			err = errors.Join(reason(ReasonWrongAudience), err)
		case nbfRefusal(err):
			err = errors.Join(reason(ReasonNotYetValid), err)
		}
		return nil, actor, verifyError(is, err, msgBadBearer)
	}
	if err := notYetValid(tok, s.now()); err != nil {
		return nil, actor, errs.Wrap(errors.Join(reason(ReasonNotYetValid), err), errs.Unauthenticated, msgBadBearer)
	}
	actor.Subject = tok.Subject
	var c claims
	if err := tok.Claims(&c); err != nil {
		return nil, actor, errs.Wrap(err, errs.Unauthenticated, msgBadBearer)
	}
	p, err := s.systemPrincipal(ctx, is, c)
	return p, actor, err
}

// systemPrincipal is the principal of an access token whose claims the
// issuer vouched for, by its signature or by introspection: an agency
// system's, never a person's.
func (s *Service) systemPrincipal(ctx context.Context, is *issuer, c claims) (*Principal, error) {
	// An ID token proves a sign-in to the portal; it never authorises a
	// call (it carries the nonce of that sign-in; an access token has none).
	if c.at("nonce") != nil {
		return nil, refuse(ReasonIDToken, errs.E(errs.Unauthenticated, "An ID token is not an access token: agency systems call the API with a client-credentials access token."))
	}
	// A token that acts for a person (RFC 8693) is the person's, with the
	// system beside them (acting.go).
	if _, ok := c["act"]; ok {
		return s.actingPrincipal(ctx, is, c)
	}
	// Which tokens are systems' is read from the token, never learned from
	// the first one seen: a person's access token is refused here, and no
	// row is written that could lock that person out of the pages.
	if !systemToken(&is.cfg, c) {
		return nil, refuse(ReasonPersonToken, errs.E(errs.Unauthenticated, "This access token was issued to a person: people use the portal's pages (sign in at /login); agency systems call the API with a client-credentials token."))
	}
	return s.principalFor(ctx, s.db, &is.cfg, KindClient, c)
}

// systemToken reports whether a verified access token is an agency
// system's (the client-credentials grant) rather than a person's, from
// the claims the issuer's configuration names: its system_claim ("name"
// present and not false or empty, or "name=value"), or by default a
// subject equal to the client the token was issued to (client_id, azp or
// Okta's cid), which is how client-credentials tokens name their subject
// at most providers.
func systemToken(ic *config.Issuer, c claims) bool {
	if ic.SystemClaim != "" {
		name, want, valued := strings.Cut(ic.SystemClaim, "=")
		if valued {
			return c.str(name) == want
		}
		switch v := c.at(name).(type) {
		case nil:
			return false
		case bool:
			return v
		case string:
			return v != ""
		}
		return true
	}
	sub := c.str("sub")
	return sub != "" && (sub == c.str("client_id") || sub == c.str("azp") || sub == c.str("cid"))
}

// unverifiedIssuer reads iss from a JWT's payload without verifying it. It
// only chooses which verifier to run; nothing else is trusted before that
// verifier has checked the token.
func unverifiedIssuer(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", err
	}
	return c.Issuer, nil
}
