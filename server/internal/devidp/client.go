package devidp

import (
	"crypto/sha256"
	"fmt"
	"net/http"
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

// agencyClient is an agency's system. Besides its own client-credentials
// token, a system whose tokens are JWTs is its officers' relying party, as
// an agency's case-management system is at the agency's SSO: an officer
// signs in to it (the code flow with PKCE, returning to
// <issuer>/cms/callback, which shows the code), and it exchanges the
// officer's token for one that acts for them (exchange.go).
func agencyClient(c Client, issuer string, loginURL func(string) string) *client {
	if c.Opaque {
		// An opaque token says nothing by itself: acting for a person is
		// offered only as a signed JWT whose act claim the portal reads.
		return &client{
			id:              c.ID,
			secretHash:      sha256.Sum256([]byte(c.Secret)),
			grantTypes:      []oidc.GrantType{oidc.GrantTypeClientCredentials},
			accessTokenType: op.AccessTokenTypeBearer,
			loginURL:        loginURL,
			org:             c.Org,
			roles:           slices.Clone(c.Roles),
		}
	}
	return &client{
		id:              c.ID,
		secretHash:      sha256.Sum256([]byte(c.Secret)),
		redirectURIs:    []string{issuer + CMSCallbackPath},
		responseTypes:   []oidc.ResponseType{oidc.ResponseTypeCode},
		grantTypes:      []oidc.GrantType{oidc.GrantTypeClientCredentials, oidc.GrantTypeTokenExchange, oidc.GrantTypeCode},
		accessTokenType: op.AccessTokenTypeJWT,
		loginURL:        loginURL,
		requireS256:     true,
		org:             c.Org,
		roles:           slices.Clone(c.Roles),
	}
}

// CMSCallbackPath is where, under the issuer, an officer's sign-in to an
// agency's system returns: the demo has no system of its own there, so
// the page only shows the code for the system's operator to exchange.
const CMSCallbackPath = "/cms/callback"

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

// serveCMSCallback stands in for an agency system's redirect endpoint: it
// answers the authorization response's parameters as plain text (the
// OAuth names, code and state, or error), for the operator to copy.
func serveCMSCallback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	for _, name := range []string{"code", "state", "error", "error_description"} {
		if v := q.Get(name); v != "" {
			fmt.Fprintf(w, "%s: %s\n", name, v)
		}
	}
}
