package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// msgSignInFailed is what a person sees for any protocol failure: which check
// failed is for the audit trail and the logs, not for whoever is probing.
const msgSignInFailed = "Sign-in could not be completed. Please start again."

// msgMFARequired is what a person sees when the issuer did not confirm the
// assurance (a second factor) the portal requires of it: that one they can
// act on.
// msgStepUpNoMFA and msgStaleAuthTime say why a step-up (BeginStepUp)
// failed: the provider signed the person in without the second factor, or
// did not authenticate them afresh.
const (
	msgStepUpNoMFA   = "Your sign-in service did not confirm a second factor (such as a code from an authenticator app), which this action needs. Sign in again and complete that step, or ask your IT team to set one up for you."
	msgStaleAuthTime = "Your sign-in service did not ask you to sign in again, which this action needs. Sign in again; if this keeps happening, ask your IT team whether the service honours max_age."
)

// authTimeSkew is how far before a step-up began the provider's auth_time
// may be: clocks differ a little, but an authentication minutes old was not
// the one the step-up asked for (clockSkew, for token validity, is wider).
const authTimeSkew = time.Minute

const msgMFARequired = "Your sign-in service did not confirm a second factor (such as a code from an authenticator app), which warrantdesk requires. Sign in again and complete that step, or ask your IT team to set one up for you."

// errUnmetAuthenticationRequirements is the error an issuer answers when the
// person cannot meet the requested acr_values (OpenID Connect Core Error
// Code unmet_authentication_requirements 1.0).
const errUnmetAuthenticationRequirements = "unmet_authentication_requirements"

// A loginState is a sign-in in progress: what the callback needs to finish
// it. It is used once.
type loginState struct {
	StateHash    string    `gorm:"column:state_hash;primaryKey"`
	Issuer       string    `gorm:"column:issuer"`
	Nonce        string    `gorm:"column:nonce"`
	CodeVerifier string    `gorm:"column:code_verifier"`
	ReturnTo     string    `gorm:"column:return_to"`
	Purpose      string    `gorm:"column:purpose"`      // purposeSignIn, purposeStepUp or purposeTest
	InitiatorID  string    `gorm:"column:initiator_id"` // for purposeTest: the administrator who began it
	CreatedAt    time.Time `gorm:"column:created_at"`
	ExpiresAt    time.Time `gorm:"column:expires_at"`
}

func (loginState) TableName() string { return "login_states" }

// What a login state is for: a sign-in; a step-up, whose callback insists
// on a fresh second factor (BeginStepUp); or an administrator's test
// sign-in, whose callback reports what the portal made of the ID token and
// signs no one in (BeginTest).
const (
	purposeSignIn = "sign_in"
	purposeStepUp = "step_up"
	purposeTest   = "test"
)

// A Login is a completed sign-in.
type Login struct {
	// Test, for an administrator's test sign-in (BeginTest), is what the
	// portal made of the ID token; no session was made, and Token is "".
	Test *TestResult

	Token     string // the new session cookie's value; only its SHA-256 is stored
	Principal *Principal
	CSRFToken string
	ReturnTo  string // a local path to send the person to
	ExpiresAt time.Time
}

// BeginLogin starts a sign-in at issuerURL ("" picks the only sign-in issuer)
// (asking, with acr_values, for the assurance the issuer's configuration
// requires) and returns the URL to redirect the browser to and the state, which the
// caller puts in a short-lived HttpOnly cookie so that the callback can prove
// it comes back to the same browser. returnTo must be a local path; anything
// else becomes "/". Returns Invalid for an issuer people cannot sign in with
// and Unavailable if the issuer cannot be reached.
//
// uiLocales, when given, are the reader's languages in order of preference
// (BCP 47 tags, "de"), sent as ui_locales so that the provider shows its
// sign-in pages in them (OpenID Connect Core 1.0, section 3.1.2.1).
func (s *Service) BeginLogin(ctx context.Context, issuerURL, returnTo string, uiLocales ...string) (authURL, state string, err error) {
	is, err := s.loginIssuer(issuerURL)
	if err != nil {
		return "", "", err
	}
	return s.beginLogin(ctx, is, returnTo, purposeSignIn, "", append(assuranceOpts(&is.cfg), uiLocalesOpts(uiLocales)...))
}

// uiLocalesOpts asks the provider for the reader's languages (ui_locales,
// space-separated, in order of preference), if any.
func uiLocalesOpts(uiLocales []string) []oauth2.AuthCodeOption {
	var tags []string
	for _, l := range uiLocales {
		if l = strings.TrimSpace(l); l != "" && !strings.ContainsAny(l, " \t") {
			tags = append(tags, l)
		}
	}
	if len(tags) == 0 {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("ui_locales", strings.Join(tags, " "))}
}

// assuranceOpts asks for the assurance the issuer's configuration requires
// of every sign-in (acr_values), if any.
func assuranceOpts(ic *config.Issuer) []oauth2.AuthCodeOption {
	if len(ic.ACRValues) == 0 {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("acr_values", strings.Join(ic.ACRValues, " "))}
}

// BeginStepUp starts a step-up for the person p, signed in already: a
// sign-in at their own issuer that asks them to authenticate again now
// (prompt=login, max_age=0) with the second factor the issuer's
// configuration names (step_up_acr_values), their e-mail as login_hint.
// The callback insists that the ID token asserts that second factor and an
// auth_time no earlier than this call (CompleteLogin: mfa_required,
// stale_auth_time), and then replaces the session as any sign-in does.
// uiLocales are sent as BeginLogin sends them. Returns what BeginLogin
// returns; Invalid when p's issuer signs no one in.
func (s *Service) BeginStepUp(ctx context.Context, p *Principal, returnTo string, uiLocales ...string) (authURL, state string, err error) {
	if p == nil || p.Kind != KindPerson {
		return "", "", errs.E(errs.Invalid, "Only a person signed in with a browser can confirm it is them.")
	}
	is, err := s.loginIssuer(p.Issuer)
	if err != nil {
		return "", "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0")}
	if acr := stepUpACR(&is.cfg); len(acr) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(acr, " ")))
	}
	if p.Email != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", p.Email))
	}
	opts = append(opts, uiLocalesOpts(uiLocales)...)
	return s.beginLogin(ctx, is, returnTo, purposeStepUp, "", opts)
}

// beginLogin stores a login state (the nonce and PKCE verifier, where to
// return, its purpose and who began a test) and returns the authorization
// URL with opts and the state.
func (s *Service) beginLogin(ctx context.Context, is *issuer, returnTo, purpose, initiator string, opts []oauth2.AuthCodeOption) (authURL, state string, err error) {
	if _, err := s.discover(ctx, is); err != nil {
		return "", "", err
	}
	state = randomToken(32)
	nonce := randomToken(32)
	verifier := oauth2.GenerateVerifier()
	now := dbTime(s.now())
	ls := loginState{
		StateHash:    hashToken(state),
		Issuer:       is.cfg.URL,
		Nonce:        nonce,
		CodeVerifier: verifier,
		ReturnTo:     safeReturnTo(returnTo),
		Purpose:      purpose,
		InitiatorID:  initiator,
		CreatedAt:    now,
		ExpiresAt:    now.Add(loginStateTTL),
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Abandoned sign-ins would otherwise pile up forever.
		if err := tx.Where("expires_at < ?", now).Delete(&loginState{}).Error; err != nil {
			return fmt.Errorf("purge login states: %w", err)
		}
		if err := tx.Create(&ls).Error; err != nil {
			return fmt.Errorf("store login state: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", "", err
	}
	opts = append(opts, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	authURL = s.oauth2Config(is).AuthCodeURL(state, opts...)
	return authURL, state, nil
}

func (s *Service) loginIssuer(issuerURL string) (*issuer, error) {
	if issuerURL == "" {
		if opts := s.LoginOptions(); len(opts) == 1 {
			issuerURL = opts[0].IssuerURL
		}
	}
	is, ok := s.issuers[issuerURL]
	if !ok || is.cfg.ClientID == "" {
		return nil, errs.E(errs.Invalid, "Choose one of the listed sign-in services.")
	}
	return is, nil
}

// safeReturnTo keeps only a local path, so that the sign-in cannot be used to
// redirect somewhere else ("//evil.example" and "/\evil.example" are
// protocol-relative URLs to browsers).
func safeReturnTo(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}

// CompleteLogin finishes a sign-in at the callback: cookieState is the value
// of the browser's state cookie, queryState, code and idpError the callback's
// query parameters. It checks the state (equal to the cookie's, known,
// unexpired, then spent), exchanges the code with the PKCE verifier,
// verifies the ID token (signature, exact issuer, audience, expiry, nonce,
// azp, and the acr and amr the issuer's configuration requires, refused as
// mfa_required), maps its claims to a Principal and creates a brand-new session, with
// the audit event, in one transaction.
//
// Every failure is audited as a failed "auth.login" and creates no session.
// Returns Unauthenticated for any protocol failure, Forbidden when the person
// is known but may not use the portal (organisation not registered, no role,
// suspended), and Unavailable if the issuer cannot be reached.
func (s *Service) CompleteLogin(ctx context.Context, cookieState, queryState, code, idpError string) (Login, error) {
	ls, reason, err := s.consumeState(ctx, cookieState, queryState)
	if ls == nil {
		return Login{}, s.loginFailed(ctx, audit.Actor{}, reason, err)
	}
	if ls.Purpose == purposeTest {
		return s.completeTest(ctx, ls, code, idpError)
	}
	actor := audit.Actor{Issuer: ls.Issuer}
	if idpError != "" {
		if is, ok := s.issuers[ls.Issuer]; ok && (ls.Purpose == purposeStepUp || requiresAssurance(&is.cfg)) && idpError == errUnmetAuthenticationRequirements {
			return Login{}, s.loginFailed(ctx, actor, ReasonMFARequired, errs.E(errs.Unauthenticated, msgMFARequired))
		}
		return Login{}, s.loginFailed(ctx, actor, "idp_error", errs.E(errs.Unauthenticated, "The sign-in service did not sign you in. Please start again."))
	}
	is, rawIDToken, reason, err := s.exchange(ctx, ls, code)
	if reason != "" {
		return Login{}, s.loginFailed(ctx, actor, reason, err)
	}
	return s.finishLogin(ctx, is, rawIDToken, ls)
}

// exchange redeems the authorization code of ls's sign-in with its PKCE
// verifier and returns the issuer and the raw ID token; on failure, the
// audit reason and possibly the cause.
func (s *Service) exchange(ctx context.Context, ls *loginState, code string) (*issuer, string, string, error) {
	if code == "" {
		return nil, "", "missing_code", nil
	}
	is, ok := s.issuers[ls.Issuer]
	if !ok || is.cfg.ClientID == "" {
		return nil, "", "unknown_issuer", nil
	}
	if _, err := s.discover(ctx, is); err != nil {
		return nil, "", "discovery", err
	}
	tok, err := s.oauth2Config(is).Exchange(s.clientContext(ctx), code, oauth2.VerifierOption(ls.CodeVerifier))
	if err != nil {
		return nil, "", "code_exchange", fmt.Errorf("exchange code: %w", err)
	}
	rawIDToken, _ := tok.Extra("id_token").(string)
	return is, rawIDToken, "", nil
}

// consumeState checks the callback's state against the browser's cookie and
// spends the stored login state, in its own transaction: a state presented
// once is gone, whatever happens next. On failure it returns no state, the
// audit reason and, where it has more to say than msgSignInFailed, an error.
func (s *Service) consumeState(ctx context.Context, cookieState, queryState string) (*loginState, string, error) {
	if cookieState == "" {
		return nil, "missing_state_cookie", nil
	}
	if queryState == "" {
		return nil, "missing_state", nil
	}
	if subtle.ConstantTimeCompare([]byte(cookieState), []byte(queryState)) != 1 {
		return nil, "state_mismatch", nil
	}
	var ls loginState
	var spent bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("state_hash = ?", hashToken(queryState)).Take(&ls).Error
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find login state: %w", err)
		}
		// Checking RowsAffected makes two concurrent callbacks with the same
		// state race for the delete: only one wins.
		res := tx.Where("state_hash = ?", ls.StateHash).Delete(&loginState{})
		if res.Error != nil {
			return fmt.Errorf("spend login state: %w", res.Error)
		}
		spent = res.RowsAffected == 1
		return nil
	})
	if err != nil {
		return nil, "database", errs.Wrap(err, errs.Internal, "")
	}
	if !spent {
		return nil, "unknown_state", nil
	}
	if !s.now().Before(ls.ExpiresAt) {
		return nil, "expired_state", errs.E(errs.Unauthenticated, "Sign-in took too long. Please start again.")
	}
	return &ls, "", nil
}

// finishLogin verifies the ID token against the stored nonce and, in one
// transaction, maps it to a principal, creates the session and audits the
// sign-in. Every failure is audited and returned as loginFailed does.
func (s *Service) finishLogin(ctx context.Context, is *issuer, rawIDToken string, ls *loginState) (Login, error) {
	actor := audit.Actor{Issuer: is.cfg.URL}
	c, reason, err := s.verifyIDToken(ctx, is, rawIDToken, ls.Nonce)
	if c == nil {
		return Login{}, s.loginFailed(ctx, actor, reason, err)
	}
	// The subject is verified from here on, so failures are attributed to it.
	actor.Subject = c.str("sub")
	if !meets(is.cfg.ACRValues, is.cfg.AMRRequired, c) {
		return Login{}, s.loginFailed(ctx, actor, ReasonMFARequired, errs.E(errs.Unauthenticated, msgMFARequired))
	}
	mfa, authTime := mfaOf(&is.cfg, c), c.time("auth_time")
	if ls.Purpose == purposeStepUp {
		if !mfa {
			return Login{}, s.loginFailed(ctx, actor, ReasonMFARequired, errs.E(errs.Unauthenticated, msgStepUpNoMFA))
		}
		// max_age=0 asked for a new authentication; one from before the
		// step-up began (less the clock skew we allow) is a provider that
		// reused an old one, and proves nothing now.
		if authTime.IsZero() || authTime.Before(ls.CreatedAt.Add(-authTimeSkew)) {
			return Login{}, s.loginFailed(ctx, actor, ReasonStaleAuthTime, errs.E(errs.Unauthenticated, msgStaleAuthTime))
		}
	}

	login := Login{Token: randomToken(32), CSRFToken: randomToken(32), ReturnTo: safeReturnTo(ls.ReturnTo)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.principalFor(ctx, tx, &is.cfg, KindPerson, c)
		if err != nil {
			return err
		}
		now := dbTime(s.now())
		sess := Session{
			IDHash:     hashToken(login.Token),
			PersonID:   p.PersonID,
			CSRFToken:  login.CSRFToken,
			CreatedAt:  now,
			ExpiresAt:  now.Add(s.ttl),
			LastSeenAt: now,
			IDToken:    rawIDToken,
			MFA:        mfa,
		}
		if !authTime.IsZero() {
			at := dbTime(authTime)
			sess.AuthTime = &at
		}
		if err := tx.Create(&sess).Error; err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		err = audit.Append(ctx, tx, audit.Event{
			At:         now,
			Actor:      p.AuditActor(),
			Action:     "auth.login",
			ObjectType: "person",
			ObjectID:   p.PersonID,
			Outcome:    audit.OutcomeSuccess,
			Details:    audit.JSON(map[string]any{"kind": p.Kind, "roles": p.RoleStrings(), "mfa": mfa, "step_up": ls.Purpose == purposeStepUp}),
		})
		if err != nil {
			return err
		}
		p.MFA, p.AuthTime = mfa, authTime
		login.Principal, login.ExpiresAt = p, sess.ExpiresAt
		return nil
	})
	if err != nil {
		reason := reasonOf(err, "rejected")
		if _, ok := errs.As(err); !ok {
			reason = "database"
			err = errs.Wrap(err, errs.Internal, "")
		}
		return Login{}, s.loginFailed(ctx, actor, reason, err)
	}
	return login, nil
}

// requiresAssurance reports whether the issuer's sign-ins must assert more
// than that someone signed in.
func requiresAssurance(ic *config.Issuer) bool {
	return len(ic.ACRValues) > 0 || len(ic.AMRRequired) > 0
}

// stepUpACR is the acr_values a step-up asks the issuer for.
func stepUpACR(ic *config.Issuer) []string { return ic.StepUpACRValues }

// mfaOf reports whether an ID token asserts a second factor as its issuer's
// configuration defines one for step-up: step_up_acr_values and
// step_up_amr, or, with neither set, "mfa" in amr (RFC 8176).
func mfaOf(ic *config.Issuer, c claims) bool {
	acr, amr := ic.StepUpACRValues, ic.StepUpAMR
	if len(acr) == 0 && len(amr) == 0 {
		amr = []string{"mfa"}
	}
	return meets(acr, amr, c)
}

// meets reports whether an ID token asserts an acr among acrValues (when
// set) and every method of amrRequired in amr (when set). Both claims are
// read strictly, as OpenID Connect Core defines them: acr a string, amr an
// array of strings.
func meets(acrValues, amrRequired []string, c claims) bool {
	if len(acrValues) > 0 {
		acr, _ := c["acr"].(string)
		if !slices.Contains(acrValues, acr) {
			return false
		}
	}
	if len(amrRequired) > 0 {
		raw, _ := c["amr"].([]any)
		var amr []string
		for _, v := range raw {
			if m, ok := v.(string); ok {
				amr = append(amr, m)
			}
		}
		for _, want := range amrRequired {
			if !slices.Contains(amr, want) {
				return false
			}
		}
	}
	return true
}

// verifyIDToken verifies a raw ID token with go-oidc (signature with the
// issuer's published keys, exact issuer, audience containing our client id,
// expiry) and then what go-oidc leaves to us: the nonce, compared in constant
// time, and the authorised party. On failure it returns no claims, the audit
// reason and possibly the cause.
func (s *Service) verifyIDToken(ctx context.Context, is *issuer, raw, nonce string) (claims, string, error) {
	if raw == "" {
		return nil, "missing_id_token", nil
	}
	if _, err := s.discover(ctx, is); err != nil {
		return nil, "discovery", err
	}
	tok, err := is.idToken.Verify(s.clientContext(ctx), raw)
	if err != nil {
		return nil, "id_token_invalid", fmt.Errorf("verify id token: %w", err)
	}
	if err := notYetValid(tok, s.now()); err != nil {
		return nil, ReasonNotYetValid, err
	}
	if tok.Nonce == "" || nonce == "" {
		return nil, "missing_nonce", nil
	}
	if subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(nonce)) != 1 {
		return nil, "nonce_mismatch", nil
	}
	var c claims
	if err := tok.Claims(&c); err != nil {
		return nil, "id_token_invalid", fmt.Errorf("decode id token claims: %w", err)
	}
	// OIDC Core 3.1.3.7: with several audiences azp must be present and be
	// us; when present at all it must be us.
	azp := c.str("azp")
	if (len(tok.Audience) > 1 && azp == "") || (azp != "" && azp != is.cfg.ClientID) {
		return nil, "azp_mismatch", nil
	}
	if !slices.Contains(tok.Audience, is.cfg.ClientID) {
		return nil, "audience", nil // go-oidc checks this; kept as a guard against misconfiguration
	}
	return c, "", nil
}

// loginFailed records a failed sign-in in the audit trail, in its own
// transaction (the sign-in's has rolled back or never began), and returns the
// error for the caller: errs errors keep their code and message, anything else
// becomes Unauthenticated with msgSignInFailed.
func (s *Service) loginFailed(ctx context.Context, actor audit.Actor, reason string, cause error) error {
	var out error
	if e, ok := errs.As(cause); ok {
		out = e
	} else {
		if cause == nil {
			cause = fmt.Errorf("sign-in rejected: %s", reason)
		}
		out = errs.Wrap(cause, errs.Unauthenticated, msgSignInFailed)
	}
	aerr := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return audit.Append(ctx, tx, audit.Event{
			At:         dbTime(s.now()),
			Actor:      actor,
			Action:     "auth.login",
			ObjectType: "person",
			Outcome:    audit.OutcomeFailure,
			Details:    audit.JSON(map[string]string{"reason": reason}),
		})
	})
	if aerr != nil {
		// The sign-in fails either way; the web layer logs the cause, which
		// now says the audit trail missed it.
		e, _ := errs.As(out)
		return &errs.Error{Code: e.Code, Message: e.Message, Format: e.Format, Args: e.Args, Fields: e.Fields,
			Err: errors.Join(e.Err, fmt.Errorf("audit the failed sign-in: %w", aerr))}
	}
	return out
}
