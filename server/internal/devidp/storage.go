package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Lifetimes. Auth requests live long enough to type a password; codes are
// exchanged by a server a moment after the redirect.
const (
	authRequestTTL  = 10 * time.Minute
	codeTTL         = 2 * time.Minute
	accessTokenTTL  = 15 * time.Minute
	idTokenTTL      = 15 * time.Minute
	refreshTokenTTL = 8 * time.Hour
	sweepInterval   = time.Minute
)

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
	_ op.TokenExchangeStorage           = (*storage)(nil)
)

// errNotFound is what the OP sees for an unknown or expired auth request,
// code, token or client. It is deliberately not an oidc server_error, which
// the library would answer with 500.
var errNotFound = errors.New("not found or expired")

// A person is a Person as the storage keeps it.
type person struct {
	subject      string
	email        string
	name         string
	org          string
	roles        []string
	passwordHash [sha256.Size]byte
	totpSecret   string // "": no second factor

	lastStep int64 // the TOTP step of the last accepted code, guarded by storage.mu

	passkeys []webauthn.Credential // registered passkeys (passkey.go), guarded by storage.mu
}

// storage implements op.Storage and op.ClientCredentialsStorage in memory.
// People and clients are fixed at New and never change, so they are read
// without a lock (except a person's last TOTP step, under mu); the keys,
// which rotate, are guarded by keyMu, everything a flow creates by mu, and
// the counts of wrong credentials by the throttle's own lock.
type storage struct {
	now         func() time.Time
	apiAudience string
	clients     map[string]*client
	people      map[string]*person // by lower-case e-mail
	bySubject   map[string]*person
	throttle    *throttle
	rp          *webauthn.WebAuthn // the passkeys' relying party; nil: none offered (passkey.go)

	keyMu     sync.RWMutex
	signing   *signingKey   // signs everything issued from now on
	published []*signingKey // the JWKS: the signing key and any older one still trusted

	mu            sync.Mutex
	authRequests  map[string]*authRequest
	codes         map[string]*codeGrant
	tokens        map[string]*token
	refreshTokens map[string]*refreshToken
	mfaSessions   map[string]*mfaSession
	nextSweep     time.Time
}

// A codeGrant ties an authorization code to its auth request. It outlives the
// auth request (until the code would have expired) so that a second use of
// the code is recognised and the tokens it produced are revoked (RFC 6749,
// section 4.1.2).
type codeGrant struct {
	authRequestID string
	expires       time.Time
	redeemed      bool
}

type token struct {
	id            string
	clientID      string
	subject       string
	audience      []string
	scopes        []string
	expires       time.Time
	authRequestID string // the code flow that produced it, for revocation on code reuse
	refreshToken  string

	// What the person's sign-in proved, for a token exchange that acts
	// for them (exchange.go); zero for a system's token.
	amr      []string
	acr      string
	authTime time.Time
}

type refreshToken struct {
	token         string
	clientID      string
	subject       string
	audience      []string
	scopes        []string
	amr           []string
	authTime      time.Time
	expires       time.Time
	accessTokenID string
	authRequestID string
}

func newStorage(now func() time.Time, apiAudience string, signing *signingKey, clients []*client, people []Person, password string) *storage {
	s := &storage{
		now:           now,
		apiAudience:   apiAudience,
		signing:       signing,
		published:     []*signingKey{signing},
		clients:       make(map[string]*client, len(clients)),
		people:        make(map[string]*person, len(people)),
		bySubject:     make(map[string]*person, len(people)),
		throttle:      newThrottle(now),
		authRequests:  make(map[string]*authRequest),
		codes:         make(map[string]*codeGrant),
		tokens:        make(map[string]*token),
		refreshTokens: make(map[string]*refreshToken),
		mfaSessions:   make(map[string]*mfaSession),
	}
	for _, c := range clients {
		s.clients[c.id] = c
	}
	for _, pp := range people {
		p := &person{
			subject:      pp.Subject(),
			email:        pp.Email,
			name:         pp.Name,
			org:          pp.Org,
			roles:        slices.Clone(pp.Roles),
			passwordHash: sha256.Sum256([]byte(password)),
			totpSecret:   pp.TOTPSecret,
		}
		s.people[strings.ToLower(pp.Email)] = p
		s.bySubject[p.subject] = p
	}
	return s
}

// checkPassword reports whether email and password belong to a person.
// Its timing does not depend on whether the address exists or how much of
// the password matches: both sides are hashed and compared in constant time.
func (s *storage) checkPassword(email, password string) (*person, bool) {
	p, known := s.people[normalEmail(email)]
	want := sha256.Sum256([]byte("devidp: no such person"))
	if known {
		want = p.passwordHash
	}
	got := sha256.Sum256([]byte(password))
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if !known || !match {
		return nil, false
	}
	return p, true
}

// completeLogin marks an auth request as authenticated by subject with the
// password alone.
func (s *storage) completeLogin(authRequestID, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ar, ok := s.authRequests[authRequestID]
	if !ok || ar.expired(now) || ar.done {
		return fmt.Errorf("complete login: auth request %w", errNotFound)
	}
	ar.complete(now, subject, amrPassword, ACRPassword)
	if p, ok := s.bySubject[subject]; ok {
		s.throttle.succeed(accountKey(p.email))
	}
	return nil
}

// pendingAuthRequest returns a copy of an auth request that still waits for
// a login.
func (s *storage) pendingAuthRequest(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, ok := s.authRequests[id]
	if !ok || ar.expired(s.now()) || ar.done {
		return nil, fmt.Errorf("auth request %w", errNotFound)
	}
	cp := *ar
	return &cp, nil
}

// sweepLocked drops everything that has expired, at most once a minute, so a
// long-running demo does not grow without bound. s.mu must be held.
func (s *storage) sweepLocked(now time.Time) {
	if now.Before(s.nextSweep) {
		return
	}
	s.nextSweep = now.Add(sweepInterval)
	for id, ar := range s.authRequests {
		if ar.expired(now) {
			delete(s.authRequests, id)
		}
	}
	for c, g := range s.codes {
		if !now.Before(g.expires) {
			delete(s.codes, c)
		}
	}
	for id, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, id)
		}
	}
	for v, rt := range s.refreshTokens {
		if !now.Before(rt.expires) {
			delete(s.refreshTokens, v)
		}
	}
	for id, m := range s.mfaSessions {
		if !now.Before(m.expires) {
			delete(s.mfaSessions, id)
		}
	}
}

// CreateAuthRequest stores a validated authorization request. The portal
// client must use PKCE with S256: the library only insists on PKCE for public
// clients, and "plain" would put the verifier in the browser's history.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		// There are no provider sessions: every sign-in shows the form.
		return nil, oidc.ErrLoginRequired()
	}
	c, ok := s.clients[req.ClientID]
	if !ok {
		return nil, oidc.ErrInvalidClient()
	}
	if c.requireS256 && (req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256) {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required.")
	}
	id, err := randomString(16)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	ar := &authRequest{
		id:           id,
		created:      now,
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       slices.Clone(req.Scopes),
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		loginHint:    req.LoginHint,
		acrValues:    slices.Clone(req.ACRValues),
		uiLocales:    languages(req.UILocales),
	}
	if req.CodeChallenge != "" {
		ar.codeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.authRequests[id] = ar
	cp := *ar
	return &cp, nil
}

// languages are the base languages of ui_locales' tags ("de" of "de-DE"),
// in their order.
func languages(tags oidc.Locales) []string {
	var out []string
	for _, t := range tags {
		if b, conf := t.Base(); conf == language.Exact {
			out = append(out, b.String())
		}
	}
	return out
}

// uiLocales returns the languages auth request id asked for, whether or not
// it still waits for a login: its error pages speak them too.
func (s *storage) uiLocales(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ar, ok := s.authRequests[id]; ok {
		return slices.Clone(ar.uiLocales)
	}
	return nil
}

// AuthRequestByID returns a copy of an unexpired auth request, so that the
// library never reads fields a concurrent login is writing.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, ok := s.authRequests[id]
	if !ok || ar.expired(s.now()) {
		return nil, fmt.Errorf("auth request %w", errNotFound)
	}
	cp := *ar
	return &cp, nil
}

// AuthRequestByCode returns the auth request of an unexpired, unredeemed
// code. A code presented a second time revokes the tokens its first use
// produced.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	g, ok := s.codes[code]
	if !ok || !now.Before(g.expires) {
		return nil, fmt.Errorf("code %w", errNotFound)
	}
	if g.redeemed {
		s.revokeFlowLocked(g.authRequestID)
		delete(s.codes, code)
		return nil, errors.New("code already used")
	}
	ar, ok := s.authRequests[g.authRequestID]
	if !ok || ar.expired(now) || !ar.done {
		return nil, fmt.Errorf("auth request %w", errNotFound)
	}
	cp := *ar
	return &cp, nil
}

// SaveAuthCode binds a code to a completed auth request. Each auth request
// gets one code: replaying the callback URL does not mint a second.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ar, ok := s.authRequests[id]
	if !ok || ar.expired(now) || !ar.done {
		return fmt.Errorf("save code: auth request %w", errNotFound)
	}
	if ar.code != "" {
		return oidc.ErrInvalidRequest().WithDescription("This sign-in request has already been used.")
	}
	ar.code = code
	s.codes[code] = &codeGrant{authRequestID: id, expires: now.Add(codeTTL)}
	return nil
}

// DeleteAuthRequest forgets an auth request once its tokens are issued. Its
// code stays (redeemed) until it would have expired, to detect reuse.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	return nil
}

// redeemLocked marks the code of a code-flow request as used. Checking and
// marking under one lock makes two concurrent exchanges of the same code
// yield one set of tokens, not two. s.mu must be held.
func (s *storage) redeemLocked(ar *authRequest) error {
	g, ok := s.codes[ar.code]
	if ar.code == "" || !ok || g.authRequestID != ar.id {
		return errors.New("only the authorization code flow is supported")
	}
	if g.redeemed {
		return errors.New("code already used")
	}
	g.redeemed = true
	return nil
}

// revokeFlowLocked deletes every token issued from one auth request. s.mu
// must be held.
func (s *storage) revokeFlowLocked(authRequestID string) {
	for id, t := range s.tokens {
		if t.authRequestID == authRequestID {
			delete(s.tokens, id)
		}
	}
	for v, rt := range s.refreshTokens {
		if rt.authRequestID == authRequestID {
			delete(s.refreshTokens, v)
		}
	}
}

func (s *storage) newTokenLocked(now time.Time, clientID, subject string, audience, scopes []string, authRequestID string) *token {
	expires := now.Add(accessTokenTTL)
	// The library reports expires_in as this minus the real time, as an
	// unsigned number: a Clock far behind would make it wrap around. Such a
	// token is born expired instead.
	if real := time.Now(); expires.Before(real) {
		expires = real
	}
	t := &token{
		id:            uuid.NewString(),
		clientID:      clientID,
		subject:       subject,
		audience:      slices.Clone(audience),
		scopes:        slices.Clone(scopes),
		expires:       expires,
		authRequestID: authRequestID,
	}
	s.tokens[t.id] = t
	return t
}

// CreateAccessToken issues an access token for a code exchange (bearer, for
// userinfo) or a client-credentials request (a JWT for the API; the library
// signs it with the claims from GetPrivateClaimsFromRequest).
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	switch r := req.(type) {
	case *authRequest:
		if err := s.redeemLocked(r); err != nil {
			return "", time.Time{}, err
		}
		t := s.newTokenLocked(now, r.clientID, r.subject, r.GetAudience(), r.scopes, r.id)
		t.amr, t.acr, t.authTime = r.GetAMR(), r.acr, r.authTime
		return t.id, t.expires, nil
	case *clientCredentialsRequest:
		t := s.newTokenLocked(now, r.clientID, r.clientID, r.audience, r.scopes, "")
		return t.id, t.expires, nil
	case op.TokenExchangeRequest:
		t := s.newTokenLocked(now, r.GetClientID(), r.GetSubject(), r.GetAudience(), r.GetScopes(), "")
		return t.id, t.expires, nil
	default:
		return "", time.Time{}, fmt.Errorf("create access token: unsupported request %T", req)
	}
}

// CreateAccessAndRefreshTokens issues tokens for a code exchange that asked
// for offline_access, and rotates the refresh token on a refresh grant: the
// presented one and its access token stop working.
func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	var rt *refreshToken
	switch r := req.(type) {
	case *authRequest:
		if err := s.redeemLocked(r); err != nil {
			return "", "", time.Time{}, err
		}
		rt = &refreshToken{
			clientID:      r.clientID,
			subject:       r.subject,
			audience:      r.GetAudience(),
			scopes:        slices.Clone(r.scopes),
			amr:           r.GetAMR(),
			authTime:      r.authTime,
			authRequestID: r.id,
		}
	case *refreshTokenRequest:
		old, ok := s.refreshTokens[current]
		if current == "" || !ok || !now.Before(old.expires) || old.clientID != r.clientID {
			return "", "", time.Time{}, fmt.Errorf("refresh token %w", errNotFound)
		}
		delete(s.refreshTokens, current)
		delete(s.tokens, old.accessTokenID)
		rt = &refreshToken{
			clientID:      old.clientID,
			subject:       old.subject,
			audience:      old.audience,
			scopes:        slices.Clone(r.scopes), // possibly narrowed by the request
			amr:           old.amr,
			authTime:      old.authTime,
			authRequestID: old.authRequestID,
		}
	default:
		return "", "", time.Time{}, fmt.Errorf("create refresh token: unsupported request %T", req)
	}
	value, err := randomString(32)
	if err != nil {
		return "", "", time.Time{}, err
	}
	t := s.newTokenLocked(now, rt.clientID, rt.subject, rt.audience, rt.scopes, rt.authRequestID)
	t.amr, t.authTime = slices.Clone(rt.amr), rt.authTime
	t.refreshToken = value
	rt.token = value
	rt.accessTokenID = t.id
	rt.expires = now.Add(refreshTokenTTL)
	s.refreshTokens[value] = rt
	return t.id, value, t.expires, nil
}

// TokenRequestByRefreshToken returns what a refresh token was issued for.
func (s *storage) TokenRequestByRefreshToken(_ context.Context, value string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[value]
	if !ok || !s.now().Before(rt.expires) {
		return nil, fmt.Errorf("refresh token %w", errNotFound)
	}
	return &refreshTokenRequest{
		clientID: rt.clientID,
		subject:  rt.subject,
		audience: slices.Clone(rt.audience),
		scopes:   slices.Clone(rt.scopes),
		amr:      slices.Clone(rt.amr),
		authTime: rt.authTime,
	}, nil
}

// TerminateSession revokes every token a person holds at a client (on
// end_session with an id_token_hint).
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	for v, rt := range s.refreshTokens {
		if rt.subject == userID && rt.clientID == clientID {
			delete(s.refreshTokens, v)
		}
	}
	return nil
}

// GetRefreshTokenInfo identifies a refresh token for revocation.
func (s *storage) GetRefreshTokenInfo(_ context.Context, clientID, value string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[value]
	if !ok || rt.clientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.subject, rt.token, nil
}

// RevokeToken revokes an access token (by id) or a refresh token (by value)
// of the calling client. Unknown tokens count as revoked (RFC 7009).
func (s *storage) RevokeToken(_ context.Context, tokenOrID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.tokens, tokenOrID)
		return nil
	}
	if rt, ok := s.refreshTokens[tokenOrID]; ok {
		if rt.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.refreshTokens, tokenOrID)
		delete(s.tokens, rt.accessTokenID)
	}
	return nil
}

// SigningKey returns the current RS256 signing key.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return s.signingKey(), nil
}

func (s *storage) signingKey() *signingKey {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	return s.signing
}

// SignatureAlgorithms returns RS256, the only algorithm in use.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet publishes the public halves of the published keys.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	keys := make([]op.Key, len(s.published))
	for i, k := range s.published {
		keys[i] = publicKey{k}
	}
	return keys, nil
}

// rotate makes next the signing key and publishes it beside the old ones.
func (s *storage) rotate(next *signingKey) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.signing = next
	s.published = append(s.published, next)
}

// unpublish drops the key kid from the JWKS. The signing key cannot be
// dropped: tokens the provider issues must verify.
func (s *storage) unpublish(kid string) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if kid == s.signing.id {
		return fmt.Errorf("devidp: key %q signs the tokens issued now; rotate first", kid)
	}
	i := slices.IndexFunc(s.published, func(k *signingKey) bool { return k.id == kid })
	if i < 0 {
		return fmt.Errorf("devidp: no published key %q", kid)
	}
	s.published = slices.Delete(s.published, i, i+1)
	return nil
}

// GetClientByClientID returns a registered client.
func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("client %w", errNotFound)
	}
	return c, nil
}

// AuthorizeClientIDSecret checks a client's secret in constant time.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	if _, ok := s.authenticateClient(ctx, id, secret); !ok {
		return errors.New("wrong client id or secret")
	}
	return nil
}

// authenticateClient looks a client up and compares the secret's hash in
// constant time, also for unknown clients, so the answer's timing tells
// nothing about which client ids exist. Wrong secrets count against the
// client id, known or not, from the address ctx's request came from: after
// maxFailures in a row that address is refused for lockout, right secret or
// not, and the client's other addresses are not (throttle.go).
func (s *storage) authenticateClient(ctx context.Context, id, secret string) (*client, bool) {
	key := clientKey(id, hostFrom(ctx))
	if s.throttle.locked(key) {
		return nil, false
	}
	c, known := s.clients[id]
	want := sha256.Sum256([]byte("devidp: no such client"))
	if known {
		want = c.secretHash
	}
	got := sha256.Sum256([]byte(secret))
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if !known || !match {
		s.throttle.fail(key)
		return nil, false
	}
	s.throttle.succeed(key)
	return c, true
}

// SetUserinfoFromScopes is deprecated by the library; SetUserinfoFromRequest
// does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken answers the userinfo endpoint for an access token.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	valid := ok && s.now().Before(t.expires) && t.subject == subject
	var scopes []string
	if valid {
		scopes = slices.Clone(t.scopes)
	}
	s.mu.Unlock()
	if !valid {
		return fmt.Errorf("access token %w", errNotFound)
	}
	return s.setUserinfo(info, subject, scopes)
}

// GetPrivateClaimsFromScopes is unused: GetPrivateClaimsFromRequest wins.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetPrivateClaimsFromRequest adds "org" and "roles" to JWT access tokens.
func (s *storage) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	if r, ok := req.(*clientCredentialsRequest); ok {
		c, ok := s.clients[r.clientID]
		if !ok {
			return nil, fmt.Errorf("client %w", errNotFound)
		}
		return map[string]any{"org": c.org, "roles": slices.Clone(c.roles)}, nil
	}
	if p, ok := s.bySubject[req.GetSubject()]; ok {
		return map[string]any{"org": p.org, "roles": slices.Clone(p.roles)}, nil
	}
	return nil, nil
}

// GetKeyByIDAndClientID refuses: no client authenticates with a key.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt and the JWT profile grant are not supported")
}

// ValidateJWTProfileScopes refuses: the JWT profile grant is not supported.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not supported")
}

// Health reports the in-memory storage as always healthy.
func (s *storage) Health(context.Context) error { return nil }

// ClientCredentials authenticates an agency system for the
// client_credentials grant.
func (s *storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, ok := s.authenticateClient(ctx, id, secret)
	if !ok {
		return nil, errors.New("wrong client id or secret")
	}
	return c, nil
}

// ClientCredentialsTokenRequest describes the access token an agency system
// gets: its own id as subject, the API as audience. Requested scopes are
// dropped: what the token allows comes from its org and roles claims.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, id string, _ []string) (op.TokenRequest, error) {
	if _, ok := s.clients[id]; !ok {
		return nil, fmt.Errorf("client %w", errNotFound)
	}
	return &clientCredentialsRequest{clientID: id, audience: []string{s.apiAudience}}, nil
}

// setUserinfo fills the claims of a person: sub, org and roles always (the
// portal's authorisation rests on them), e-mail and name by scope.
func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	p, ok := s.bySubject[subject]
	if !ok {
		return fmt.Errorf("person %w", errNotFound)
	}
	info.Subject = p.subject
	info.AppendClaims("org", p.org)
	info.AppendClaims("roles", slices.Clone(p.roles))
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = p.email
		info.EmailVerified = oidc.Bool(true)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = p.name
		info.PreferredUsername = p.email
	}
	return nil
}

// An authRequest is one authorization request from the portal, from
// /authorize until its code is exchanged.
type authRequest struct {
	id            string
	created       time.Time
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge
	loginHint     string
	acrValues     []string
	uiLocales     []string // the languages ui_locales asked for, "de", in order of preference

	pwdSubject string // the password was right; a code is owed
	subject    string
	authTime   time.Time
	amr        []string
	acr        string
	done       bool
	code       string

	passkeyLogin *webauthn.SessionData // the passkey challenge of the code page shown last; used once
}

// complete records the authentication. There are no provider sessions, so
// every auth request authenticates afresh and auth_time is always now:
// that is how max_age and prompt=login are honoured.
func (a *authRequest) complete(now time.Time, subject string, amr []string, acr string) {
	a.subject = subject
	a.authTime = now
	a.amr = slices.Clone(amr)
	a.acr = acr
	a.done = true
}

func (a *authRequest) expired(now time.Time) bool {
	return !now.Before(a.created.Add(authRequestTTL))
}

func (a *authRequest) GetID() string  { return a.id }
func (a *authRequest) GetACR() string { return a.acr }
func (a *authRequest) GetAudience() []string {
	return []string{a.clientID}
}
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }
func (a *authRequest) GetAMR() []string {
	if a.done {
		return slices.Clone(a.amr)
	}
	return nil
}

// A refreshTokenRequest is what a refresh token was issued for.
type refreshTokenRequest struct {
	clientID string
	subject  string
	audience []string
	scopes   []string
	amr      []string
	authTime time.Time
}

func (r *refreshTokenRequest) GetAMR() []string                 { return r.amr }
func (r *refreshTokenRequest) GetAudience() []string            { return r.audience }
func (r *refreshTokenRequest) GetAuthTime() time.Time           { return r.authTime }
func (r *refreshTokenRequest) GetClientID() string              { return r.clientID }
func (r *refreshTokenRequest) GetScopes() []string              { return r.scopes }
func (r *refreshTokenRequest) GetSubject() string               { return r.subject }
func (r *refreshTokenRequest) SetCurrentScopes(scopes []string) { r.scopes = scopes }

// A clientCredentialsRequest is an agency system asking for an API token.
type clientCredentialsRequest struct {
	clientID string
	audience []string
	scopes   []string
}

func (r *clientCredentialsRequest) GetSubject() string    { return r.clientID }
func (r *clientCredentialsRequest) GetAudience() []string { return r.audience }
func (r *clientCredentialsRequest) GetScopes() []string   { return r.scopes }

// signingKey is the OP's RS256 key; publicKey is its published half.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
