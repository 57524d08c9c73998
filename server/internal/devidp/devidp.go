// Package devidp is a real OpenID Provider, embedded in warrantdesk for
// `warrantdesk serve --demo` and for tests, built on zitadel/oidc's op
// package. It signs in the people it is configured with, all with one
// shared password and, for those with a TOTP secret, a code from an
// authenticator app or a passkey they registered after signing in with one
// (passkey.go) (authorization code flow with PKCE, for the portal), and
// gives the configured agency systems JWT access tokens for the API (client
// credentials), or opaque ones that the portal introspects as a resource
// server. Everything it issues is a genuinely signed token that the
// portal verifies exactly as it would one from a production provider.
//
// Who may sign in is configuration, not part of this package: the demo
// passes the fictional people and systems of package demo (password
// "demo"), and tests pass their own. That keeps this package free of the
// domain that package demo drives.
//
// All state (auth requests, codes, tokens) lives in memory and is lost on
// restart; the signing key is generated at New (RotateKey and RemoveKey
// rotate it, as a production provider does). Because its password is
// shared and, in the demo, public, New refuses to run in production.
package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Identifiers the portal and the demo provider agree on.
const (
	PortalClientID = "warrantdesk-portal" // the portal's relying-party client
	APIAudience    = "warrantdesk-api"    // the aud of agency systems' access tokens
	// ResourceServerID is the portal's client as a resource server, which
	// introspects Opaque clients' tokens (Config.ResourceServerID).
	ResourceServerID = "warrantdesk-resource-server"
)

// ErrProduction is returned by New when Config.Production is set: the demo
// provider's passwords are public, so it must never authenticate anyone for
// real. The caller should refuse to start.
var ErrProduction = errors.New("devidp: the demo identity provider refuses to run in production: its passwords are public")

// A Config configures the demo OpenID Provider.
type Config struct {
	// Issuer is the provider's issuer URL, e.g. "http://127.0.0.1:8080/idp".
	// Its path is where Handler expects to be mounted. http is allowed.
	Issuer string

	PortalClientID         string   // default PortalClientID
	PortalClientSecret     string   // required
	PortalRedirectURIs     []string // required; matched exactly
	PostLogoutRedirectURIs []string // allowed post_logout_redirect_uri values; the first is the default

	APIAudience string // aud of client-credentials access tokens; default APIAudience

	// People can sign in with Password; the login page lists them, as
	// the demo's page does, so that anyone trying it knows whom to be.
	People   []Person
	Password string // required when there are People
	// Clients are the agencies' systems that get API access tokens.
	Clients []Client
	// ResourceServerID and ResourceServerSecret, when set, register the
	// portal as a resource server: a client that gets no tokens but may
	// introspect (RFC 7662) any access token whose audience includes
	// APIAudience, as it must to accept Opaque clients' tokens.
	ResourceServerID     string
	ResourceServerSecret string

	// Production makes New fail with ErrProduction.
	Production bool

	// ShowCodes shows, on the page that asks for the second factor, the
	// code the person's authenticator shows now: the demo's TOTP secrets
	// are as public as its password, and someone trying the demo should
	// not need an authenticator app to approve a request.
	ShowCodes bool

	// KeysMaxAge, when set, is announced as the JWKS's Cache-Control
	// max-age; without it the JWKS carries no caching advice.
	KeysMaxAge time.Duration

	// Clock, when set, replaces time.Now for the expiry of auth requests,
	// codes and tokens (the exp of access tokens), and for the lock-outs
	// after wrong passwords, codes and client secrets and the budgets of
	// client addresses. The library stamps iat, and the exp of ID tokens,
	// with the real time.
	Clock func() time.Time
}

// A Provider is a running demo OpenID Provider.
type Provider struct {
	issuer  string
	store   *storage
	people  []Person
	handler http.Handler
}

// New builds a Provider with a fresh RS256 signing key (RotateKey replaces
// it) and the configured
// people and clients, which it copies: changing them afterwards has no
// effect on the Provider. It returns ErrProduction if cfg.Production is set,
// and an error if the issuer or a redirect URI is not an absolute http(s)
// URL, the portal's secret or redirect URIs are missing, there are people
// but no password, the portal's client id is also an agency client's, or
// the resource server lacks its secret or shares a client's id.
func New(cfg Config) (*Provider, error) {
	if cfg.Production {
		return nil, ErrProduction
	}
	issuer := strings.TrimRight(cfg.Issuer, "/")
	iu, err := parseAbsolute(issuer)
	if err != nil || iu.RawQuery != "" || iu.Fragment != "" {
		return nil, fmt.Errorf("devidp: issuer %q is not an absolute http(s) URL without query or fragment", cfg.Issuer)
	}
	if cfg.PortalClientID == "" {
		cfg.PortalClientID = PortalClientID
	}
	if cfg.APIAudience == "" {
		cfg.APIAudience = APIAudience
	}
	if cfg.PortalClientSecret == "" {
		return nil, errors.New("devidp: the portal client secret is required")
	}
	if len(cfg.PortalRedirectURIs) == 0 {
		return nil, errors.New("devidp: at least one portal redirect URI is required")
	}
	// Browsers apply the login form's form-action CSP to the redirects that
	// follow the POST, so the portal's origins must be allowed there.
	portalOrigins := []string{}
	for _, raw := range slices.Concat(cfg.PortalRedirectURIs, cfg.PostLogoutRedirectURIs) {
		u, err := parseAbsolute(raw)
		if err != nil {
			return nil, fmt.Errorf("devidp: redirect URI %q is not an absolute http(s) URL", raw)
		}
		if o := u.Scheme + "://" + u.Host; !slices.Contains(portalOrigins, o) {
			portalOrigins = append(portalOrigins, o)
		}
	}
	// Officers' sign-ins to agency systems return under the issuer.
	if o := iu.Scheme + "://" + iu.Host; !slices.Contains(portalOrigins, o) {
		portalOrigins = append(portalOrigins, o)
	}
	if len(cfg.People) > 0 && cfg.Password == "" {
		return nil, errors.New("devidp: the people's password is required")
	}
	for _, p := range cfg.People {
		if p.TOTPSecret == "" {
			continue
		}
		if err := checkTOTPSecret(p.TOTPSecret); err != nil {
			return nil, fmt.Errorf("devidp: %s: %w", p.Email, err)
		}
	}
	if slices.ContainsFunc(cfg.Clients, func(c Client) bool { return c.ID == cfg.PortalClientID }) {
		return nil, fmt.Errorf("devidp: portal client id %q collides with an agency client", cfg.PortalClientID)
	}
	if err := checkResourceServer(cfg); err != nil {
		return nil, err
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}

	signing, err := newSigningKey()
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devidp: generate crypto key: %w", err)
	}

	prefix := iu.Path // "" or "/idp"
	if strings.ContainsAny(prefix, "{}") || iu.RawPath != "" {
		return nil, fmt.Errorf("devidp: issuer path %q must be a plain path", iu.Path)
	}
	loginURL := func(authRequestID string) string {
		return issuer + "/login?authRequestID=" + url.QueryEscape(authRequestID)
	}
	clients := []*client{portalClient(cfg, loginURL)}
	for _, c := range cfg.Clients {
		clients = append(clients, agencyClient(c, issuer, loginURL))
	}
	if cfg.ResourceServerID != "" {
		clients = append(clients, resourceServerClient(cfg, loginURL))
	}
	store := newStorage(now, cfg.APIAudience, signing, clients, cfg.People, cfg.Password)
	if store.rp, err = newRelyingParty(iu); err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}

	logoutRedirect := issuer + "/logged-out"
	if len(cfg.PostLogoutRedirectURIs) > 0 {
		logoutRedirect = cfg.PostLogoutRedirectURIs[0]
	}
	opConfig := &op.Config{
		CryptoKey:                cryptoKey,
		CryptoKeyId:              signing.id,
		DefaultLogoutRedirectURI: logoutRedirect,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess},
		SupportedClaims:          append(slices.Clone(op.DefaultSupportedClaims), "org", "roles", "acr", "amr", "auth_time"),
	}
	opts := []op.Option{
		// The library's default CORS policy admits every origin; only the
		// portal has any business calling us from a browser.
		op.WithCORSOptions(&cors.Options{
			AllowOriginFunc: func(origin string) bool { return slices.Contains(portalOrigins, origin) },
			AllowedMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost},
			AllowedHeaders:  []string{"Accept", "Authorization", "Content-Type"},
		}),
	}
	if iu.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewProvider(opConfig, store, op.StaticIssuer(issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}

	lg, err := newLogin(loginConfig{
		store:             store,
		callback:          op.AuthCallbackURL(provider),
		action:            prefix + "/login",
		secureCookie:      iu.Scheme == "https",
		issuerOrigin:      iu.Scheme + "://" + iu.Host,
		formTargets:       portalOrigins,
		homeURL:           firstOrEmpty(cfg.PostLogoutRedirectURIs),
		people:            cfg.People,
		password:          cfg.Password,
		showCodes:         cfg.ShowCodes,
		passkeysPath:      prefix + "/passkeys",
		scriptPath:        prefix + "/passkey.js",
		issuerFromRequest: provider.IssuerFromRequest,
		refuse: func(w http.ResponseWriter, r *http.Request, ar op.ErrAuthRequest, err error) {
			op.AuthRequestError(w, r, ar, err, provider)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}
	mux := http.NewServeMux()
	if cfg.KeysMaxAge > 0 {
		// Relying parties may cache the JWKS for as long as it says.
		cacheControl := fmt.Sprintf("max-age=%d", int(cfg.KeysMaxAge.Seconds()))
		keys := prefix + op.DefaultEndpoints.JwksURI.Relative()
		mux.Handle(keys, http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", cacheControl)
			provider.ServeHTTP(w, r)
		})))
	}
	mux.Handle(prefix+"/login", lg)
	mux.HandleFunc(prefix+"/logged-out", lg.loggedOut)
	mux.HandleFunc(prefix+CMSCallbackPath, serveCMSCallback)
	mux.HandleFunc(prefix+"/passkeys", lg.servePasskeys)
	mux.HandleFunc(prefix+"/passkey.js", servePasskeyScript)
	mux.Handle(prefix+"/", http.StripPrefix(prefix, provider))

	return &Provider{issuer: issuer, store: store, people: clonePeople(cfg.People), handler: withClientHost(mux)}, nil
}

// Handler serves the whole provider (discovery, /authorize, /oauth/token,
// /keys, /userinfo, /end_session, /login, ...) at the issuer's path. Mount it
// for that path without stripping the prefix, e.g. at "/idp/*".
func (p *Provider) Handler() http.Handler { return p.handler }

// People returns a copy of the people who can sign in, in the configured
// order, for a page that lists whom to sign in as.
func (p *Provider) People() []Person { return clonePeople(p.people) }

func clonePeople(people []Person) []Person {
	out := make([]Person, len(people))
	for i, p := range people {
		out[i] = p
		out[i].Roles = slices.Clone(p.Roles)
	}
	return out
}

// Issuer returns the issuer URL, without a trailing slash, exactly as it
// appears in discovery and in the iss claim.
func (p *Provider) Issuer() string { return p.issuer }

// SignJWT signs claims, exactly as given, with the provider's signing key
// (RS256, with its kid), so tests can build tokens that verify but are wrong
// in some other way: expired, for another audience, without a claim. It
// returns an error only if the claims cannot be encoded as JSON.
func (p *Provider) SignJWT(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	signer, err := op.SignerFromKey(p.store.signingKey())
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	return jws.CompactSerialize()
}

// KeyID returns the kid of the key that signs what the provider issues now.
func (p *Provider) KeyID() string { return p.store.signingKey().id }

// RotateKey generates a new RS256 key and signs everything issued from now on
// with it, as a production provider rotates its keys: the old key stays
// published in the JWKS, so the tokens it signed keep verifying, until
// RemoveKey withdraws it. It returns the new key's kid.
func (p *Provider) RotateKey() (string, error) {
	k, err := newSigningKey()
	if err != nil {
		return "", fmt.Errorf("devidp: rotate: %w", err)
	}
	p.store.rotate(k)
	return k.id, nil
}

// RemoveKey withdraws the key kid from the JWKS, as a provider does with a
// retired or compromised key: relying parties must stop trusting what it
// signed. It returns an error if kid is the current signing key (rotate
// first) or is not published.
func (p *Provider) RemoveKey(kid string) error { return p.store.unpublish(kid) }

// newSigningKey generates an RS256 key with a random kid.
func newSigningKey() (*signingKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	kid, err := randomString(12)
	if err != nil {
		return nil, err
	}
	return &signingKey{id: kid, key: key}, nil
}

func parseAbsolute(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, errors.New("not an absolute http(s) URL")
	}
	return u, nil
}

func firstOrEmpty(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
