// Package identity is warrantdesk's OpenID Connect relying party: people sign
// in with the authorization code flow (PKCE S256, state and nonce) at one of
// several trusted issuers, agency systems present client-credentials bearer
// JWTs (or opaque tokens, introspected at their issuer), and both become a Principal re-read from the database on every
// request. Each issuer maps onto the provider's staff or onto agencies, and a
// claim → role mapping decides what they may do. Sessions live in the
// database, keyed by the SHA-256 of the cookie value, so that any replica
// serves any request and logout or suspension takes effect at once.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Config configures the Service.
type Config struct {
	Issuers    []config.Issuer
	BaseURL    string        // public URL of the portal; the callback is BaseURL + CallbackPath
	SessionTTL time.Duration // how long a sign-in lasts; default 8h
	HTTPClient *http.Client  // for discovery, keys and the token endpoint; default has a 15s timeout
	Now        func() time.Time

	// KeysMaxAge bounds how long an issuer's signing keys are cached, so
	// that a key the issuer withdrew stops verifying within it on every
	// replica. Default and upper limit 10 minutes; an issuer's JWKS
	// Cache-Control max-age may shorten it.
	KeysMaxAge time.Duration
	// KeysRefetchInterval is the least time between two fetches of an
	// issuer's keys, however many tokens name an unknown kid; also the
	// shortest time they are cached. Default 30 seconds.
	KeysRefetchInterval time.Duration
	// SessionIdle ends a session unused this long (the idle timeout;
	// SessionTTL is the absolute one); default DefaultSessionIdle.
	SessionIdle time.Duration
}

// CallbackPath is where the OpenID Provider returns people after sign-in.
const CallbackPath = "/auth/callback"

// loginStateTTL bounds how long a person may take at their IdP's login page.
const loginStateTTL = 10 * time.Minute

// discoveryTimeout bounds one discovery attempt, which holds the issuer's lock.
const discoveryTimeout = 10 * time.Second

// msgUnreachable answers a caller when an issuer cannot be asked about its
// token or sign-in: the portal's trouble, not the caller's.
const msgUnreachable = "The sign-in service is not reachable. Try again shortly."

// A Service signs people in, keeps their sessions and verifies bearer tokens.
// It is safe for concurrent use.
type Service struct {
	db                       *gorm.DB
	baseURL                  string
	ttl                      time.Duration
	idle                     time.Duration
	client                   *http.Client
	now                      func() time.Time
	keysMaxAge, keysInterval time.Duration
	issuers                  map[string]*issuer // by exact issuer URL
	order                    []string           // issuer URLs in configuration order
	introspected             *tokenCache        // active answers about opaque tokens
}

// An issuer is one trusted OpenID Provider and its lazily discovered
// metadata. Discovery is lazy because in demo mode the issuer is this very
// process, which is not listening yet when New runs.
type issuer struct {
	cfg config.Issuer

	mu       sync.Mutex
	provider *oidc.Provider
	keys     *keySet               // the issuer's signing keys, cached for a bounded time
	idToken  *oidc.IDTokenVerifier // aud must contain cfg.ClientID
	bearer   *oidc.IDTokenVerifier // aud must contain cfg.APIAudience
	logout   *oidc.IDTokenVerifier // back-channel logout tokens: aud cfg.ClientID, exp optional
	probe    probeCache            // the last check of its introspection endpoint, for /readyz
}

// New returns a Service over db for the configured issuers. It does not
// contact any issuer. Returns an error if the configuration is unusable.
func New(db *gorm.DB, cfg Config) (*Service, error) {
	s := &Service{
		db:           db,
		baseURL:      strings.TrimRight(cfg.BaseURL, "/"),
		ttl:          cfg.SessionTTL,
		idle:         cfg.SessionIdle,
		client:       cfg.HTTPClient,
		now:          cfg.Now,
		issuers:      map[string]*issuer{},
		keysMaxAge:   cfg.KeysMaxAge,
		keysInterval: cfg.KeysRefetchInterval,
		introspected: newTokenCache(introspectCacheSize),
	}
	if s.ttl <= 0 {
		s.ttl = 8 * time.Hour
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 15 * time.Second}
	}
	if s.now == nil {
		s.now = time.Now
	}
	var problems []string
	for _, ic := range cfg.Issuers {
		if ic.URL == "" {
			problems = append(problems, "an issuer has no URL")
			continue
		}
		if _, dup := s.issuers[ic.URL]; dup {
			problems = append(problems, fmt.Sprintf("issuer %s is listed twice", ic.URL))
			continue
		}
		if ic.RoleClaim == "" {
			ic.RoleClaim = "roles"
		}
		if ic.Provider && ic.OrgClaim != "" && ic.ProviderOrg == "" {
			// Without it, every subject lacking the org claim would be staff.
			problems = append(problems, fmt.Sprintf("issuer %s: provider issuer with org_claim needs provider_org", ic.URL))
		}
		if ic.APIAudience != "" && ic.APIAudience == ic.ClientID {
			// Else a person's ID token, whose audience is the sign-in
			// client, would pass as an API access token.
			problems = append(problems, fmt.Sprintf("issuer %s: api_audience must differ from client_id", ic.URL))
		}
		if ic.ClientID != "" && s.baseURL == "" {
			problems = append(problems, fmt.Sprintf("issuer %s: people sign-in needs the base URL for the callback", ic.URL))
		}
		s.issuers[ic.URL] = &issuer{cfg: ic}
		s.order = append(s.order, ic.URL)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("identity: %s", strings.Join(problems, "; "))
	}
	return s, nil
}

// A LoginOption is an issuer people can sign in with.
type LoginOption struct {
	IssuerURL string
	Label     string
}

// LoginOptions lists the issuers people can sign in with, in configuration
// order: those with a relying-party client id.
func (s *Service) LoginOptions() []LoginOption {
	var out []LoginOption
	for _, u := range s.order {
		is := s.issuers[u]
		if is.cfg.ClientID == "" {
			continue
		}
		out = append(out, LoginOption{IssuerURL: u, Label: issuerLabel(u)})
	}
	return out
}

func issuerLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host + strings.TrimRight(u.Path, "/")
}

func (s *Service) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.client)
}

// discover returns the issuer's provider and verifiers, discovering them on
// first use. A failed discovery is not cached: the next call tries again.
func (s *Service) discover(ctx context.Context, is *issuer) (*issuer, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.provider != nil {
		return is, nil
	}
	dctx, cancel := context.WithTimeout(s.clientContext(ctx), discoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(dctx, is.cfg.URL)
	if err != nil {
		return nil, errs.Wrap(fmt.Errorf("discover %s: %w", is.cfg.URL, err), errs.Unavailable,
			msgUnreachable)
	}
	var meta struct {
		JWKSURL string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
		return nil, errs.Wrap(fmt.Errorf("discover %s: no jwks_uri (%v)", is.cfg.URL, err), errs.Unavailable,
			msgUnreachable)
	}
	is.provider = p
	// Our own key set rather than the provider's: go-oidc's caches keys
	// until an unknown kid turns up, so a withdrawn key would verify forever.
	is.keys = newKeySet(meta.JWKSURL, s.client, s.now, s.keysMaxAge, s.keysInterval)
	// Only the asymmetric algorithms the issuer announces (RS256 if it
	// announces none): alg none and HS256 never verify.
	algs := slices.DeleteFunc(meta.Algs, func(a string) bool {
		return !slices.Contains(signatureAlgs, jose.SignatureAlgorithm(a))
	})
	verifier := func(aud string) *oidc.IDTokenVerifier {
		return oidc.NewVerifier(is.cfg.URL, is.keys, &oidc.Config{ClientID: aud, Now: s.now, SupportedSigningAlgs: algs})
	}
	if is.cfg.ClientID != "" {
		is.idToken = verifier(is.cfg.ClientID)
		// A logout token need not expire (OpenID Connect Back-Channel
		// Logout 1.0, 2.4): BackChannelLogout bounds its age by iat.
		is.logout = oidc.NewVerifier(is.cfg.URL, is.keys, &oidc.Config{ClientID: is.cfg.ClientID, Now: s.now,
			SupportedSigningAlgs: algs, SkipExpiryCheck: true})
	}
	if is.cfg.APIAudience != "" {
		is.bearer = verifier(is.cfg.APIAudience)
	}
	return is, nil
}

// verifyError classifies a failed verification: Unavailable when the issuer's
// keys have expired and cannot be fetched (no token can be verified, and the
// caller is not to blame), Unauthenticated with msg otherwise.
func verifyError(is *issuer, err error, msg string) error {
	if kerr := is.keys.unreachable(); kerr != nil {
		return errs.Wrap(errors.Join(err, kerr), errs.Unavailable, msgUnreachable)
	}
	return errs.Wrap(err, errs.Unauthenticated, msg)
}

func (s *Service) oauth2Config(is *issuer) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID, "profile", "email"}
	if len(is.cfg.Scopes) > 0 {
		scopes = append([]string{oidc.ScopeOpenID}, is.cfg.Scopes...)
	}
	return &oauth2.Config{
		ClientID:     is.cfg.ClientID,
		ClientSecret: is.cfg.ClientSecret,
		Endpoint:     is.provider.Endpoint(),
		RedirectURL:  s.baseURL + CallbackPath,
		Scopes:       dedupe(scopes),
	}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms; continuing with a
		// weak token would be worse than stopping.
		panic(fmt.Sprintf("identity: read random: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how a secret handed to a browser is stored: its SHA-256, so
// that a database dump yields no usable session or login state.
func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// dbTime is t in UTC at the precision both dialects keep.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

var errNoRows = gorm.ErrRecordNotFound

func isNotFound(err error) bool { return errors.Is(err, errNoRows) }
