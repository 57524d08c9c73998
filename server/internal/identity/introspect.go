package identity

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// Opaque access tokens (RFC 7662). An issuer configured with introspection
// may give agency systems tokens that carry nothing; the portal asks the
// issuer what each one means, and then treats the answer exactly as the
// claims of a verified JWT.
const (
	// introspectCacheTTL is the longest an active answer is reused, so
	// that the API does not ask the issuer on every request. A token the
	// issuer revokes may keep working on a replica for this long.
	introspectCacheTTL = 60 * time.Second
	// introspectCacheSize bounds the answers kept: a flood of valid tokens
	// cannot grow the cache without limit.
	introspectCacheSize = 4096
	// introspectTimeout bounds one call to an introspection endpoint.
	introspectTimeout = 10 * time.Second
	// maxIntrospectionBytes bounds the answer read: real ones are small.
	maxIntrospectionBytes = 1 << 20
)

// accessTokenTypes are the token_type values of an introspected access
// token: OAuth's Bearer, and the names RFC 8693 and some providers use.
var accessTokenTypes = []string{"bearer", "access_token", "urn:ietf:params:oauth:token-type:access_token"}

// isJWT reports whether raw has the shape of a JWT (a JWS in compact
// serialisation): three dot-separated base64url parts. Such a token is
// verified by signature, even a malformed one; anything else is opaque.
func isJWT(raw string) bool {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if strings.IndexFunc(p, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_')
		}) >= 0 {
			return false
		}
	}
	return true
}

// verifyOpaque is verifyBearer for a token that is not a JWT: it is
// introspected at the issuers configured for it (all of them at once when
// there are several, taking the one that says it is active), the answer
// checked as go-oidc checks a JWT (issuer, audience, expiry), and the
// principal derived from its claims as from a JWT's. Active answers are
// cached by the token's SHA-256, for introspectCacheTTL at most and never
// past the token's expiry.
func (s *Service) verifyOpaque(ctx context.Context, raw string) (*Principal, audit.Actor, error) {
	var actor audit.Actor
	var asked []*issuer
	for _, u := range s.order {
		if is := s.issuers[u]; is.cfg.Introspection != nil && is.cfg.APIAudience != "" {
			asked = append(asked, is)
		}
	}
	if len(asked) == 0 {
		return nil, actor, errs.Wrap(errors.Join(reason(ReasonNotAToken), errors.New("not a JWT, and no issuer introspects opaque tokens")),
			errs.Unauthenticated, msgBadBearer)
	}
	if len(asked) == 1 {
		actor.Issuer = asked[0].cfg.URL
	}
	key := sha256.Sum256([]byte(raw))
	now := s.now()
	ans, cached := s.introspected.get(key, now)
	if !cached {
		var err error
		if ans, err = s.introspectAt(ctx, asked, raw); err != nil {
			return nil, actor, err
		}
	}
	actor.Issuer, actor.Subject = ans.is.cfg.URL, ans.claims.str("sub")
	if !cached {
		exp, err := checkIntrospected(&ans, now)
		if err != nil {
			return nil, actor, err
		}
		ans.until = now.Add(introspectCacheTTL)
		if exp.Before(ans.until) {
			ans.until = exp
		}
		s.introspected.put(key, ans, now)
	}
	p, err := s.systemPrincipal(ctx, ans.is, ans.claims)
	return p, actor, err
}

// An introspected token is an issuer's active answer about it.
type introspected struct {
	is     *issuer
	claims claims
	until  time.Time // when the cached answer is no longer used
}

// introspectAt asks each issuer about raw, concurrently, and returns the
// first (in configuration order) to say it is active. Returns
// Unauthenticated (inactive) if every issuer says it is not, and
// Unavailable if none says it is and one could not be asked: the token may
// be that issuer's.
func (s *Service) introspectAt(ctx context.Context, asked []*issuer, raw string) (introspected, error) {
	type answer struct {
		claims claims
		err    error
	}
	answers := make([]answer, len(asked))
	var wg sync.WaitGroup
	for i, is := range asked {
		wg.Go(func() { answers[i].claims, answers[i].err = s.introspect(ctx, is, raw) })
	}
	wg.Wait()
	var failed []error
	for i, a := range answers {
		switch {
		case a.err != nil:
			failed = append(failed, a.err)
		case a.claims != nil:
			return introspected{is: asked[i], claims: a.claims}, nil
		}
	}
	if len(failed) > 0 {
		return introspected{}, errs.Wrap(errors.Join(failed...), errs.Unavailable, msgUnreachable)
	}
	return introspected{}, refuse(ReasonInactive, errs.E(errs.Unauthenticated, msgBadBearer))
}

// introspect asks one issuer about raw (RFC 7662, section 2.1),
// authenticated as the portal's resource-server client with
// client_secret_basic, and returns the answer's claims, or nil if the
// token is not active. Any failure to get an answer is an error: an
// endpoint that is down, refuses the portal's credentials or answers
// nonsense tells nothing about the token.
func (s *Service) introspect(ctx context.Context, is *issuer, raw string) (claims, error) {
	endpoint, err := s.introspectionEndpoint(ctx, is)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, introspectTimeout)
	defer cancel()
	form := url.Values{"token": {raw}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("introspect at %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749, section 2.3.1: id and secret are form-encoded before they
	// go into the Basic credentials.
	in := is.cfg.Introspection
	req.SetBasicAuth(url.QueryEscape(in.ClientID), url.QueryEscape(in.ClientSecret))
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("introspect at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIntrospectionBytes))
	if err != nil {
		return nil, fmt.Errorf("introspect at %s: read: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &answerError{endpoint: endpoint, code: resp.StatusCode, status: resp.Status}
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("introspect at %s: the answer is not a JSON object: %w", endpoint, err)
	}
	if active, _ := c["active"].(bool); !active {
		return nil, nil
	}
	return c, nil
}

// An answerError is an introspection endpoint's answer other than 200:
// 401 says it refuses the portal's credentials.
type answerError struct {
	endpoint string
	code     int
	status   string
}

func (e *answerError) Error() string {
	return fmt.Sprintf("introspect at %s: answered %s", e.endpoint, e.status)
}

// errNoIntrospectionEndpoint: neither the configuration nor the discovery
// document names an introspection endpoint.
var errNoIntrospectionEndpoint = errors.New("announces no introspection_endpoint")

// introspectionEndpoint is where is answers introspection: as configured,
// else as its discovery document says.
func (s *Service) introspectionEndpoint(ctx context.Context, is *issuer) (string, error) {
	if e := is.cfg.Introspection.Endpoint; e != "" {
		return e, nil
	}
	if _, err := s.discover(ctx, is); err != nil {
		return "", err
	}
	var meta struct {
		Endpoint string `json:"introspection_endpoint"`
	}
	if err := is.provider.Claims(&meta); err != nil || meta.Endpoint == "" {
		return "", fmt.Errorf("%s %w (%v): set the issuer's introspection endpoint", is.cfg.URL, errNoIntrospectionEndpoint, err)
	}
	return meta.Endpoint, nil
}

// checkIntrospected checks an active answer as go-oidc checks a JWT: the
// issuer (when the answer names one) is the one asked, the audience holds
// the issuer's api_audience, and the token has not expired; and it must be
// an access token. It returns the token's expiry.
func checkIntrospected(ans *introspected, now time.Time) (time.Time, error) {
	c, ic := ans.claims, &ans.is.cfg
	if iss, ok := c["iss"]; ok && iss != ic.URL {
		return time.Time{}, refuse(ReasonUnknownIssuer, errs.E(errs.Unauthenticated, msgUntrustedIssuer))
	}
	if tt := c.str("token_type"); tt != "" && !slices.Contains(accessTokenTypes, strings.ToLower(tt)) {
		return time.Time{}, refuse(ReasonBadSignature, errs.E(errs.Unauthenticated, "This token is a %s, not an access token: agency systems call the API with a client-credentials access token.", errs.Clip(tt, 40)))
	}
	if !slices.Contains(audiences(c), ic.APIAudience) {
		return time.Time{}, refuse(ReasonWrongAudience, errs.E(errs.Unauthenticated, msgBadBearer))
	}
	secs, ok := c["exp"].(float64)
	if !ok {
		// A token that never expires would be cached and trusted for as
		// long as the portal runs; go-oidc refuses a JWT without exp too.
		return time.Time{}, refuse(ReasonBadSignature, errs.E(errs.Unauthenticated, msgBadBearer))
	}
	exp := time.Unix(int64(secs), 0)
	if !now.Before(exp) {
		return time.Time{}, refuse(ReasonExpired, errs.E(errs.Unauthenticated, msgBadBearer))
	}
	return exp, nil
}

// audiences reads aud, one string or an array of them (RFC 7662, section
// 2.2). Unlike claims.values, a string is never split: an audience may
// hold spaces or commas.
func audiences(c claims) []string {
	if aud, ok := c["aud"].(string); ok {
		return []string{aud}
	}
	return c.values("aud")
}

// A tokenCache keeps active introspection answers by the SHA-256 of the
// token, so that no token is kept in memory as such. It is safe for
// concurrent use.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]introspected
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, entries: map[[sha256.Size]byte]introspected{}}
}

// get returns the answer cached for key, if it is still to be used.
func (tc *tokenCache) get(key [sha256.Size]byte, now time.Time) (introspected, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	ans, ok := tc.entries[key]
	if ok && !now.Before(ans.until) {
		delete(tc.entries, key)
		return introspected{}, false
	}
	return ans, ok
}

// put caches ans for key. A full cache first drops the answers no longer
// used, then, if still full, any one: a miss costs one more call to the
// issuer, never a wrong answer.
func (tc *tokenCache) put(key [sha256.Size]byte, ans introspected, now time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.entries) >= tc.max {
		for k, e := range tc.entries {
			if !now.Before(e.until) {
				delete(tc.entries, k)
			}
		}
	}
	if len(tc.entries) >= tc.max {
		for k := range tc.entries {
			delete(tc.entries, k)
			break
		}
	}
	tc.entries[key] = ans
}
