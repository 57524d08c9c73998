package devidp

import (
	"context"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// OAuth 2.0 Token Exchange (RFC 8693): an agency's system that holds an
// officer's token from this provider (their access token or ID token)
// exchanges it, authenticating as itself, for an API access token whose
// subject is the officer and whose act claim names the system. That is how
// a system files for a person the provider vouches for, and the portal
// records both. A system may act only for a person of its own agency
// (org), only with a token that is still valid, and never for a token that
// already acts for someone (no chains).

// ValidateTokenExchangeRequest decides whether the client may act for the
// subject token's person. Refusals are invalid_request for what the
// request asks (a token type, an actor token, an audience) and
// invalid_grant for the subject token itself.
func (s *storage) ValidateTokenExchangeRequest(_ context.Context, req op.TokenExchangeRequest) error {
	c, ok := s.clients[req.GetClientID()]
	if !ok || !slices.Contains(c.grantTypes, oidc.GrantTypeTokenExchange) {
		return oidc.ErrUnauthorizedClient().WithDescription("this client may not exchange tokens")
	}
	switch req.GetRequestedTokenType() {
	case "":
		req.SetRequestedTokenType(oidc.AccessTokenType)
	case oidc.AccessTokenType:
	default:
		return oidc.ErrInvalidRequest().WithDescription("only access tokens are issued (requested_token_type %s)", oidc.AccessTokenType)
	}
	if req.GetExchangeActorTokenIDOrToken() != "" {
		return oidc.ErrInvalidRequest().WithDescription("send no actor_token: the authenticated client is the actor")
	}
	// The library cannot be told the audience, so the client asks for the
	// API by name, as for any resource (RFC 8693 section 2.1).
	if !slices.Equal(req.GetAudience(), []string{s.apiAudience}) {
		return oidc.ErrInvalidRequest().WithDescription("ask for audience=%s", s.apiAudience)
	}
	if _, ok := req.GetExchangeSubjectTokenClaims()["act"]; ok {
		return oidc.ErrInvalidGrant().WithDescription("the subject token already acts for someone: exchange the person's own token")
	}
	p, ok := s.bySubject[req.GetExchangeSubject()]
	if !ok {
		return oidc.ErrInvalidGrant().WithDescription("the subject token is not a person's")
	}
	if p.org != c.org {
		return oidc.ErrInvalidGrant().WithDescription("a system acts only for people of its own agency")
	}
	if req.GetExchangeSubjectTokenType() == oidc.AccessTokenType {
		// The library only decrypted an opaque token or checked a JWT's
		// signature: whether this provider still stands by it (not
		// expired, not revoked by a reused code) is ours to say.
		s.mu.Lock()
		t, ok := s.tokens[req.GetExchangeSubjectTokenIDOrToken()]
		valid := ok && s.now().Before(t.expires) && t.subject == p.subject
		s.mu.Unlock()
		if !valid {
			return oidc.ErrInvalidGrant().WithDescription("the subject token has expired or was revoked")
		}
	}
	return nil
}

// CreateTokenExchangeRequest keeps nothing: the issued token says all.
func (s *storage) CreateTokenExchangeRequest(context.Context, op.TokenExchangeRequest) error {
	return nil
}

// GetPrivateClaimsFromTokenExchangeRequest gives the exchanged access
// token the person's org, roles, e-mail and name, what their sign-in proved (amr, acr,
// auth_time, carried from the subject token), and the act claim naming
// the system (RFC 8693 section 4.1).
func (s *storage) GetPrivateClaimsFromTokenExchangeRequest(_ context.Context, req op.TokenExchangeRequest) (map[string]any, error) {
	p, ok := s.bySubject[req.GetSubject()]
	if !ok {
		return nil, oidc.ErrInvalidGrant().WithDescription("the subject token is not a person's")
	}
	claims := map[string]any{
		"org":   p.org,
		"roles": slices.Clone(p.roles),
		"email": p.email,
		"name":  p.name,
		"act":   map[string]any{"sub": req.GetClientID()},
	}
	amr, acr, authTime := s.subjectAssurance(req)
	if len(amr) > 0 {
		claims["amr"] = amr
	}
	if acr != "" {
		claims["acr"] = acr
	}
	if !authTime.IsZero() {
		claims["auth_time"] = authTime.Unix()
	}
	return claims, nil
}

// subjectAssurance is what the subject token says the person's sign-in
// proved: what this provider recorded for its access token, or an ID
// token's own claims.
func (s *storage) subjectAssurance(req op.TokenExchangeRequest) (amr []string, acr string, authTime time.Time) {
	if req.GetExchangeSubjectTokenType() == oidc.AccessTokenType {
		s.mu.Lock()
		defer s.mu.Unlock()
		if t, ok := s.tokens[req.GetExchangeSubjectTokenIDOrToken()]; ok {
			return slices.Clone(t.amr), t.acr, t.authTime
		}
		return nil, "", time.Time{}
	}
	if c := req.GetExchangeSubjectTokenClaims(); c != nil {
		if list, ok := c["amr"].([]any); ok {
			for _, m := range list {
				if v, ok := m.(string); ok {
					amr = append(amr, v)
				}
			}
		}
		acr, _ = c["acr"].(string)
		if at, ok := c["auth_time"].(float64); ok && at > 0 {
			authTime = time.Unix(int64(at), 0)
		}
	}
	return amr, acr, authTime
}

// SetUserinfoFromTokenExchangeRequest fills an ID token for an exchange;
// ValidateTokenExchangeRequest issues none, but the library asks.
func (s *storage) SetUserinfoFromTokenExchangeRequest(_ context.Context, info *oidc.UserInfo, req op.TokenExchangeRequest) error {
	return s.setUserinfo(info, req.GetSubject(), req.GetScopes())
}
