package devidp

import (
	"crypto/sha256"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

var _ op.Client = (*client)(nil)

// A client is a registered OAuth client: the portal (code flow) or an
// agency's case-management system (client credentials).
type client struct {
	id                     string
	secretHash             [sha256.Size]byte
	redirectURIs           []string
	postLogoutRedirectURIs []string
	responseTypes          []oidc.ResponseType
	grantTypes             []oidc.GrantType
	accessTokenType        op.AccessTokenType
	loginURL               func(authRequestID string) string
	requireS256            bool // PKCE with S256 on every auth request
	resourceServer         bool // may introspect any token for the API (introspect.go)

	// org and roles become claims of the client's own access tokens.
	org   string
	roles []string
}

func portalClient(cfg Config, loginURL func(string) string) *client {
	return &client{
		id:                     cfg.PortalClientID,
		secretHash:             sha256.Sum256([]byte(cfg.PortalClientSecret)),
		redirectURIs:           slices.Clone(cfg.PortalRedirectURIs),
		postLogoutRedirectURIs: slices.Clone(cfg.PostLogoutRedirectURIs),
		responseTypes:          []oidc.ResponseType{oidc.ResponseTypeCode},
		grantTypes:             []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken},
		accessTokenType:        op.AccessTokenTypeBearer,
		loginURL:               loginURL,
		requireS256:            true,
	}
}

func agencyClient(c Client, loginURL func(string) string) *client {
	tokenType := op.AccessTokenTypeJWT
	grants := []oidc.GrantType{oidc.GrantTypeClientCredentials, oidc.GrantTypeTokenExchange}
	if c.Opaque {
		// An opaque token says nothing by itself: acting for a person is
		// offered only as a signed JWT whose act claim the portal reads.
		tokenType = op.AccessTokenTypeBearer
		grants = grants[:1]
	}
	return &client{
		id:              c.ID,
		secretHash:      sha256.Sum256([]byte(c.Secret)),
		grantTypes:      grants,
		accessTokenType: tokenType,
		loginURL:        loginURL,
		org:             c.Org,
		roles:           slices.Clone(c.Roles),
	}
}

func (c *client) GetID() string                    { return c.id }
func (c *client) RedirectURIs() []string           { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.postLogoutRedirectURIs }

// ApplicationType is web: a confidential client, which is what lets the
// library accept http redirect URIs for the code flow in the demo.
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

// AuthMethod is client_secret_basic; the library also accepts the secret in
// the form body (client_secret_post) because Config.AuthMethodPost is set.
func (c *client) AuthMethod() oidc.AuthMethod          { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType   { return c.responseTypes }
func (c *client) GrantTypes() []oidc.GrantType         { return c.grantTypes }
func (c *client) LoginURL(authRequestID string) string { return c.loginURL(authRequestID) }
func (c *client) AccessTokenType() op.AccessTokenType  { return c.accessTokenType }
func (c *client) IDTokenLifetime() time.Duration       { return idTokenTTL }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IDTokenUserinfoClaimsAssertion puts e-mail and name into the ID token even
// though an access token is issued too: the portal reads them from the ID
// token rather than calling userinfo.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
