package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// How long an issuer's signing keys are trusted without asking the issuer
// again. go-oidc's RemoteKeySet keeps keys until a token names a kid it has
// not seen (and ignores Cache-Control), so a key the provider withdrew kept
// verifying for the life of the process, and replicas started at different
// times disagreed about the same token. Here every replica refetches on its
// own clock within keysMaxAge, so a withdrawn key stops verifying everywhere
// within that bound without any shared state.
const (
	// keysMaxAge is the longest the keys are cached, whatever the JWKS's
	// Cache-Control says.
	keysMaxAge = 10 * time.Minute
	// keysRefetchInterval is the least time between two fetches of one
	// issuer's keys. A token naming an unknown kid triggers a fetch at once,
	// but no more often than this, so a flood of forged kids costs the
	// provider one request per interval. It is also the shortest time keys
	// are cached, whatever the JWKS's Cache-Control says (no-cache,
	// max-age=0).
	keysRefetchInterval = 30 * time.Second
	// keysFetchTimeout bounds one fetch of the JWKS.
	keysFetchTimeout = 10 * time.Second
	// maxJWKSBytes bounds the JWKS read: real ones are a few kilobytes.
	maxJWKSBytes = 1 << 20
)

// signatureAlgs are the JWS algorithms a key set accepts: asymmetric ones
// only. go-oidc's verifier has already narrowed the token's alg to those the
// issuer announces; this list keeps alg none and HMAC out whatever the
// announcement said.
var signatureAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// A keySet is one issuer's published signing keys (its jwks_uri), cached for
// a bounded time. It implements oidc.KeySet and is safe for concurrent use.
type keySet struct {
	url      string
	client   *http.Client
	now      func() time.Time
	maxAge   time.Duration // longest the keys are cached
	interval time.Duration // least time between fetches; shortest cache lifetime

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	expires   time.Time // the keys are not used from then on; zero before the first fetch
	lastFetch time.Time // when the last fetch began, whether it succeeded or not
	lastErr   error     // why the last fetch failed, or nil
	inflight  *keyFetch // the fetch under way, which every caller waits for
}

// A keyFetch is one fetch of the JWKS; done is closed when keys and err are set.
type keyFetch struct {
	done chan struct{}
	keys []jose.JSONWebKey
	err  error
}

// newKeySet returns the key set published at jwksURL. maxAge and interval
// are keysMaxAge and keysRefetchInterval unless positive; maxAge is never
// more than keysMaxAge, and interval never more than maxAge.
func newKeySet(jwksURL string, client *http.Client, now func() time.Time, maxAge, interval time.Duration) *keySet {
	if maxAge <= 0 || maxAge > keysMaxAge {
		maxAge = keysMaxAge
	}
	if interval <= 0 {
		interval = keysRefetchInterval
	}
	interval = min(interval, maxAge)
	return &keySet{url: jwksURL, client: client, now: now, maxAge: maxAge, interval: interval}
}

// VerifySignature verifies jwt's signature with the issuer's current keys
// and returns its payload. The claims are go-oidc's business; it calls this
// only after checking the token's alg against the issuer's.
func (ks *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, signatureAlgs)
	if err != nil {
		return nil, fmt.Errorf("malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("a jwt must have exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	keys, err := ks.keysFor(ctx, kid)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if kid != "" && keys[i].KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload, nil
		}
	}
	if kid != "" && !slices.ContainsFunc(keys, func(k jose.JSONWebKey) bool { return k.KeyID == kid }) {
		return nil, fmt.Errorf("no key %q is published by the issuer", kid)
	}
	return nil, errors.New("no published key verifies the signature")
}

// keysFor returns the keys to verify a token naming kid with: the cached
// keys while they are fresh and know kid; otherwise the keys fetched anew,
// unless a fetch began less than an interval ago. Expired keys are never
// returned: when they cannot be refreshed, the error is.
func (ks *keySet) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	ks.mu.Lock()
	now := ks.now()
	fresh := !ks.expires.IsZero() && now.Before(ks.expires)
	known := kid == "" || slices.ContainsFunc(ks.keys, func(k jose.JSONWebKey) bool { return k.KeyID == kid })
	f := ks.inflight
	switch {
	case fresh && known:
		keys := ks.keys
		ks.mu.Unlock()
		return keys, nil
	case f != nil:
		// Someone is fetching already: share the answer.
	case !ks.lastFetch.IsZero() && now.Sub(ks.lastFetch) < ks.interval && (fresh || ks.lastErr != nil):
		// Fetched moments ago: an unknown kid is not worth another request,
		// and a failing issuer is not asked again before the interval.
		keys, err := ks.keys, ks.lastErr
		ks.mu.Unlock()
		if !fresh {
			return nil, fmt.Errorf("fetch keys: %w", err)
		}
		return keys, nil
	default:
		f = &keyFetch{done: make(chan struct{})}
		ks.inflight, ks.lastFetch = f, now
		// The fetch serves every waiting caller, so one caller going away
		// must not cancel it.
		go ks.fetch(context.WithoutCancel(ctx), f, now)
	}
	ks.mu.Unlock()
	select {
	case <-f.done:
		return f.keys, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// unreachable returns why the keys cannot be used at all: they have expired
// and the last attempt to fetch them failed. It returns nil otherwise.
func (ks *keySet) unreachable() error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.lastErr == nil || (!ks.expires.IsZero() && ks.now().Before(ks.expires)) {
		return nil
	}
	return ks.lastErr
}

// fetch gets the JWKS, records the outcome and completes f.
func (ks *keySet) fetch(ctx context.Context, f *keyFetch, began time.Time) {
	ctx, cancel := context.WithTimeout(ctx, keysFetchTimeout)
	defer cancel()
	keys, lifetime, err := ks.get(ctx)
	ks.mu.Lock()
	if err == nil {
		ks.keys, ks.expires = keys, began.Add(lifetime)
	}
	ks.lastErr, ks.inflight = err, nil
	ks.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("fetch keys: %w", err)
	}
	f.keys, f.err = keys, err
	close(f.done)
}

// get fetches the JWKS and returns its usable keys and how long to cache them.
func (ks *keySet) get(ctx context.Context) ([]jose.JSONWebKey, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	// Intermediary caches must revalidate: we ask because we need the
	// provider's current keys.
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", ks.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%s answered %s", ks.url, resp.Status)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, 0, fmt.Errorf("decode %s: %w", ks.url, err)
	}
	return keys, ks.lifetime(resp.Header), nil
}

// lifetime is how long a JWKS response may be cached: its Cache-Control
// max-age (zero for no-cache or no-store) less its Age, within [interval,
// maxAge]; maxAge when it gives no advice.
func (ks *keySet) lifetime(h http.Header) time.Duration {
	d, ok := cacheMaxAge(h.Get("Cache-Control"))
	if !ok {
		return ks.maxAge
	}
	if age, err := strconv.Atoi(strings.TrimSpace(h.Get("Age"))); err == nil && age > 0 {
		d -= time.Duration(age) * time.Second
	}
	return min(max(d, ks.interval), ks.maxAge)
}

// cacheMaxAge reads a Cache-Control header (RFC 9111, section 5.2.2): no-store
// and no-cache mean zero, max-age=N means N seconds; ok is false when the
// header says neither.
func cacheMaxAge(cacheControl string) (d time.Duration, ok bool) {
	for directive := range strings.SplitSeq(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0, true
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
			if err != nil || n < 0 {
				return 0, true // invalid max-age: treat as stale (RFC 9111, section 4.2.1)
			}
			d, ok = time.Duration(min(n, int64(keysMaxAge/time.Second)))*time.Second, true
		}
	}
	return d, ok
}

// parseJWKS decodes a JWK Set and keeps the public signing keys it can use.
// As RFC 7517 (section 5) asks, keys of an unknown type or for an unsupported
// algorithm are skipped rather than failing the whole set; so are keys meant
// for encryption, and anything that is not a public key.
func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	var keys []jose.JSONWebKey
	for _, r := range raw.Keys {
		var meta struct {
			Alg string `json:"alg"`
			Use string `json:"use"`
		}
		if err := json.Unmarshal(r, &meta); err != nil {
			return nil, err
		}
		if (meta.Alg != "" && !slices.Contains(signatureAlgs, jose.SignatureAlgorithm(meta.Alg))) || (meta.Use != "" && meta.Use != "sig") {
			continue
		}
		var k jose.JSONWebKey
		if err := json.Unmarshal(r, &k); err != nil {
			if errors.Is(err, jose.ErrUnsupportedKeyType) {
				continue
			}
			return nil, err
		}
		if !k.Valid() || !k.IsPublic() {
			continue
		}
		keys = append(keys, k)
	}
	return keys, nil
}
