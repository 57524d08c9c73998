package identity

import (
	"context"
	"net/http"
	"time"
)

// FinishLogin drives the part of CompleteLogin after the code exchange, so
// tests can present ID tokens the provider would never issue (expired, for
// another audience, without a nonce) signed with its real key.
func (s *Service) FinishLogin(ctx context.Context, issuerURL, rawIDToken, nonce string) (Login, error) {
	return s.finishLogin(ctx, s.issuers[issuerURL], rawIDToken, &loginState{Nonce: nonce, ReturnTo: "/", Purpose: purposeSignIn, CreatedAt: s.now()})
}

// FinishStepUp is FinishLogin for a step-up that began at began.
func (s *Service) FinishStepUp(ctx context.Context, issuerURL, rawIDToken, nonce string, began time.Time) (Login, error) {
	return s.finishLogin(ctx, s.issuers[issuerURL], rawIDToken, &loginState{Nonce: nonce, ReturnTo: "/", Purpose: purposeStepUp, CreatedAt: began})
}

// SafeReturnTo exposes the open-redirect guard.
var SafeReturnTo = safeReturnTo

// KeyCacheLifetime is how long a JWKS answered with these headers is cached,
// with the default bounds.
func KeyCacheLifetime(cacheControl, age string) time.Duration {
	ks := newKeySet("", nil, nil, 0, 0)
	return ks.lifetime(http.Header{"Cache-Control": {cacheControl}, "Age": {age}})
}

// HashToken is how a session token is stored.
var HashToken = hashToken
