package devidp

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// checkResourceServer refuses a resource server without a secret (the
// introspection endpoint answers authenticated clients only), or one whose
// id is the portal's or an agency client's: one id, one role.
func checkResourceServer(cfg Config) error {
	id := cfg.ResourceServerID
	switch {
	case id == "" && cfg.ResourceServerSecret == "":
		return nil
	case id == "" || cfg.ResourceServerSecret == "":
		return errors.New("devidp: the resource server needs both an id and a secret")
	case id == cfg.PortalClientID || slices.ContainsFunc(cfg.Clients, func(c Client) bool { return c.ID == id }):
		return fmt.Errorf("devidp: resource server id %q collides with another client", id)
	}
	return nil
}

// resourceServerClient is the portal as a resource server: it has no grant
// type and no response type, so it can never obtain a token; it can only
// authenticate, which is all the introspection endpoint asks of a caller.
func resourceServerClient(cfg Config, loginURL func(string) string) *client {
	return &client{
		id:              cfg.ResourceServerID,
		secretHash:      sha256.Sum256([]byte(cfg.ResourceServerSecret)),
		accessTokenType: op.AccessTokenTypeBearer,
		loginURL:        loginURL,
		resourceServer:  true,
	}
}

// SetIntrospectionFromToken answers the introspection endpoint (RFC 7662)
// for clientID, which the library has authenticated. A token's own client
// may introspect it; the resource server may introspect any token whose
// audience includes the API, and no other: what a person's sign-in
// produced for the portal is none of its business. Any other case is
// answered as an inactive token, as the RFC asks (section 2.2), so that a
// caller learns nothing about tokens that are not its own. An agency
// system's token is described with the claims its JWT would carry (iss,
// org and roles), so the portal reads both kinds alike.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	var cp token
	if ok {
		cp = *t
	}
	now := s.now()
	s.mu.Unlock()
	if !ok || !now.Before(cp.expires) || cp.subject != subject {
		return fmt.Errorf("access token %w", errNotFound)
	}
	caller, known := s.clients[clientID]
	allowed := cp.clientID == clientID ||
		(known && caller.resourceServer && slices.Contains(cp.audience, s.apiAudience))
	if !allowed {
		return errors.New("this client may not introspect the token")
	}
	if _, isPerson := s.bySubject[subject]; isPerson {
		info := new(oidc.UserInfo)
		if err := s.setUserinfo(info, subject, cp.scopes); err != nil {
			return err
		}
		resp.SetUserInfo(info)
	} else if c, ok := s.clients[cp.clientID]; ok {
		resp.Claims = map[string]any{"org": c.org, "roles": slices.Clone(c.roles)}
	}
	resp.Issuer = op.IssuerFromContext(ctx)
	resp.TokenType = oidc.BearerToken
	resp.JWTID = cp.id
	resp.Subject = subject
	resp.Scope = cp.scopes
	resp.ClientID = cp.clientID
	resp.Audience = cp.audience
	resp.Expiration = oidc.FromTime(cp.expires)
	return nil
}
