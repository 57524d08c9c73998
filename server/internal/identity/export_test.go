package identity

import "context"

// FinishLogin drives the part of CompleteLogin after the code exchange, so
// tests can present ID tokens the provider would never issue (expired, for
// another audience, without a nonce) signed with its real key.
func (s *Service) FinishLogin(ctx context.Context, issuerURL, rawIDToken, nonce string) (Login, error) {
	return s.finishLogin(ctx, s.issuers[issuerURL], rawIDToken, nonce, "/")
}

// SafeReturnTo exposes the open-redirect guard.
var SafeReturnTo = safeReturnTo

// HashToken is how a session token is stored.
var HashToken = hashToken
