package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

const msgBadBearer = "The access token is not valid. Obtain a new one from your identity provider."

// VerifyBearer verifies an agency system's access token (a JWT from the
// client-credentials grant) and returns its principal, re-read from the
// database so that suspension takes effect at once. The token's iss picks
// which configured issuer verifies it; go-oidc then checks the signature with
// that issuer's published keys (never alg none or a shared-secret HMAC),
// the exact issuer, an audience containing the issuer's api_audience, and
// expiry. Returns Unauthenticated for any token that fails, Forbidden if the
// system, its organisation or agency may not use the API, and Unavailable if
// the issuer cannot be reached.
func (s *Service) VerifyBearer(ctx context.Context, raw string) (*Principal, error) {
	iss, err := unverifiedIssuer(raw)
	if err != nil {
		return nil, errs.Wrap(err, errs.Unauthenticated, msgBadBearer)
	}
	is, ok := s.issuers[iss]
	if !ok || is.cfg.APIAudience == "" {
		return nil, errs.E(errs.Unauthenticated, "The access token comes from an issuer this portal does not trust.")
	}
	if _, err := s.discover(ctx, is); err != nil {
		return nil, err
	}
	tok, err := is.bearer.Verify(s.clientContext(ctx), raw)
	if err != nil {
		return nil, verifyError(is, err, msgBadBearer)
	}
	var c claims
	if err := tok.Claims(&c); err != nil {
		return nil, errs.Wrap(err, errs.Unauthenticated, msgBadBearer)
	}
	return s.principalFor(ctx, s.db, &is.cfg, KindClient, c)
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
