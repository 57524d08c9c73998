package identity

import (
	"context"
	"crypto/subtle"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
)

// CompleteCallback finishes a sign-in as CompleteLogin does, after checking
// the issuer the authorization response names (its iss parameter, RFC 9207)
// against the one the sign-in began at. People come back from every
// trusted issuer to the one callback, so a response naming another issuer
// is a mix-up (RFC 9207, section 1): an issuer answered for a sign-in
// begun at another, and the code must not go to the token endpoint of the
// one the portal expects. Such a sign-in is refused, audited as
// issuer_mismatch, and its state spent. An issuer that announces
// authorization_response_iss_parameter_supported must send iss (section
// 2.4); from the others a response without it is accepted, as most
// providers do not send it yet. Returns what CompleteLogin returns.
func (s *Service) CompleteCallback(ctx context.Context, cookieState, queryState, code, idpError, iss string) (Login, error) {
	if s.responseIssuerMismatch(ctx, cookieState, queryState, iss) {
		ls, reason, err := s.consumeState(ctx, cookieState, queryState)
		if ls == nil {
			return Login{}, s.loginFailed(ctx, audit.Actor{}, reason, err)
		}
		return Login{}, s.loginFailed(ctx, audit.Actor{Issuer: ls.Issuer}, "issuer_mismatch", nil)
	}
	return s.CompleteLogin(ctx, cookieState, queryState, code, idpError)
}

// responseIssuerMismatch reports whether iss, the authorization response's
// iss parameter, contradicts the sign-in that queryState began: it names
// another issuer, or is missing from an issuer that promised to send it.
// Whatever it cannot tell (an unknown state, an issuer out of reach) it
// leaves to CompleteLogin, which refuses it.
func (s *Service) responseIssuerMismatch(ctx context.Context, cookieState, queryState, iss string) bool {
	if cookieState == "" || subtle.ConstantTimeCompare([]byte(cookieState), []byte(queryState)) != 1 {
		return false
	}
	var ls loginState
	if err := s.db.WithContext(ctx).Where("state_hash = ?", hashToken(queryState)).Take(&ls).Error; err != nil {
		return false
	}
	if iss != "" {
		return iss != ls.Issuer // compared exactly, as RFC 9207 (2.4) asks
	}
	is, ok := s.issuers[ls.Issuer]
	if !ok {
		return false
	}
	if _, err := s.discover(ctx, is); err != nil {
		return false
	}
	var meta struct {
		IssParameter bool `json:"authorization_response_iss_parameter_supported"`
	}
	return is.provider.Claims(&meta) == nil && meta.IssParameter
}
