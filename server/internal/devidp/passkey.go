package devidp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// Passkeys (WebAuthn) are the second factor's alternative to a TOTP code: a
// person who has just signed in with the password and a second factor may
// register one at /passkeys, and the page that then asks for the code also
// offers "Use a passkey". A passkey sign-in is asserted as ACRMFA with amr
// amrPasskey. Credentials live in memory with the person, like everything
// else here, and are lost on restart.
//
// The relying party ID is the issuer's host and the only origin its
// scheme://host. Browsers refuse an IP address as a relying party ID, so an
// issuer at one (the demo's default, http://127.0.0.1:8080) offers no
// passkeys; at localhost or a domain it does.

// amrPasskey is the amr of a sign-in with the password and a passkey (RFC
// 8176): "hwk", proof of possession of a hardware-secured key, because the
// passkey had to verify the person (user verification is required) and
// platform authenticators and security keys keep the key in hardware. A
// synced passkey (backup eligible) is arguably "swk"; we keep it simple.
var amrPasskey = []string{"pwd", "hwk", "mfa"}

// Messages of the passkey pages, said in their language (words.go).
var (
	msgPasskeyRefused     = locale.M("That passkey was not accepted. Try it again, or enter the code from your authenticator app.")
	msgPasskeyNotSaved    = locale.M("The passkey could not be registered. Try again.")
	msgPasskeysNeedSignIn = locale.M("To register a passkey, first sign in to warrantdesk with your password and authenticator code, then open this page again within 10 minutes.")
	msgPasskeysNoDomain   = locale.M("Passkeys need this identity provider to be reached at a domain name such as localhost, not at an IP address (start the demo with --base-url http://localhost:8080).")
)

const (
	mfaCookie          = "devidp_mfa"
	mfaSessionTTL      = 10 * time.Minute
	maxPasskeyBody     = 64 << 10 // an attestation is larger than a login form
	passkeysFormDomain = "devidp passkeys form\x00"
)

//go:embed passkey.js
var passkeyScript []byte

// newRelyingParty returns the WebAuthn relying party for the issuer, or nil
// when the issuer's host is an IP address, which browsers refuse as a
// relying party ID.
func newRelyingParty(issuer *url.URL) (*webauthn.WebAuthn, error) {
	if net.ParseIP(issuer.Hostname()) != nil {
		return nil, nil
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          issuer.Hostname(),
		RPDisplayName: "warrantdesk demo identity provider",
		RPOrigins:     []string{issuer.Scheme + "://" + issuer.Host},
		// We trust no authenticator vendor more than another: no attestation.
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationRequired,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return wa, nil
}

// An mfaSession is the provider's memory, for a short while, that a
// browser's person has just signed in with a second factor: it admits that
// browser to the page that registers passkeys.
type mfaSession struct {
	subject      string
	expires      time.Time
	registration *webauthn.SessionData // the challenge the page issued last; used once
	uiLocales    []string              // the languages of the sign-in, for the passkeys page
}

// A passkeyUser is a person as go-webauthn sees them. The user handle, which
// the authenticator stores, is the subject: every ID token carries it
// anyway, and it is not the e-mail address (Person.Subject).
type passkeyUser struct {
	subject, email, name string
	credentials          []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.subject) }
func (u passkeyUser) WebAuthnName() string                       { return u.email }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.credentials }

// userLocked returns p as go-webauthn sees them, with a copy of their
// credentials. s.mu must be held.
func userLocked(p *person) passkeyUser {
	return passkeyUser{subject: p.subject, email: p.email, name: p.name, credentials: slices.Clone(p.passkeys)}
}

// beginPasskeyLogin issues a challenge for the auth request whose password
// was verified, if its person has passkeys, and returns the options for
// navigator.credentials.get; "" when there is nothing to offer. The
// challenge is bound to the auth request and replaces any earlier one, so
// only the page shown last can be answered.
func (s *storage) beginPasskeyLogin(authRequestID string) (string, error) {
	if s.rp == nil {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, ok := s.authRequests[authRequestID]
	if !ok || ar.expired(s.now()) || ar.done || ar.pwdSubject == "" {
		return "", nil
	}
	p, ok := s.bySubject[ar.pwdSubject]
	if !ok || len(p.passkeys) == 0 {
		return "", nil
	}
	options, session, err := s.rp.BeginLogin(userLocked(p))
	if err != nil {
		return "", fmt.Errorf("begin passkey login: %w", err)
	}
	js, err := json.Marshal(options)
	if err != nil {
		return "", fmt.Errorf("begin passkey login: %w", err)
	}
	ar.passkeyLogin = session
	return string(js), nil
}

// checkPasskey checks an assertion for the auth request whose password was
// verified, against the challenge beginPasskeyLogin issued for it, which it
// uses up whatever the outcome. The credential must be one of that person's
// (another person's is refused), the authenticator must have verified the
// person, and its signature counter must have moved on (a counter that did
// not is the sign of a cloned key), unless it keeps none (always 0). A
// refused assertion counts against the account, as a wrong code does.
func (s *storage) checkPasskey(authRequestID string, assertion *protocol.ParsedCredentialAssertionData) codeOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ar, ok := s.authRequests[authRequestID]
	if !ok || ar.expired(now) || ar.done || ar.pwdSubject == "" || s.rp == nil {
		return codeExpired
	}
	session := ar.passkeyLogin
	ar.passkeyLogin = nil
	p, ok := s.bySubject[ar.pwdSubject]
	if !ok {
		return codeExpired
	}
	key := accountKey(p.email)
	if s.throttle.locked(key) {
		return codeLocked
	}
	fail := func(err error) codeOutcome {
		slog.Info("devidp: passkey refused", "subject", p.subject, "err", err)
		if s.throttle.fail(key) {
			return codeLocked
		}
		return codeWrong
	}
	if session == nil {
		return fail(errors.New("no challenge issued for this auth request, or already used"))
	}
	cred, err := s.rp.ValidateLogin(userLocked(p), *session, assertion)
	if err != nil {
		return fail(err)
	}
	if !cred.Flags.UserVerified {
		return fail(errors.New("the authenticator did not verify the person"))
	}
	if cred.Authenticator.CloneWarning {
		return fail(errors.New("the signature counter did not increase: the key may be cloned"))
	}
	i := slices.IndexFunc(p.passkeys, func(c webauthn.Credential) bool { return bytes.Equal(c.ID, cred.ID) })
	if i < 0 {
		return fail(errors.New("credential withdrawn meanwhile"))
	}
	p.passkeys[i] = *cred // the new signature counter
	s.throttle.succeed(key)
	ar.complete(now, p.subject, amrPasskey, ACRMFA)
	return codeAccepted
}

// startMFASession remembers that the person who completed auth request
// authRequestID with a second factor may register passkeys for a while, and
// returns the session's id; "" when the auth request was not completed
// with one.
func (s *storage) startMFASession(authRequestID string) (string, error) {
	id, err := randomString(32)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, ok := s.authRequests[authRequestID]
	if !ok || !ar.done || ar.acr != ACRMFA {
		return "", nil
	}
	s.mfaSessions[id] = &mfaSession{subject: ar.subject, expires: s.now().Add(mfaSessionTTL), uiLocales: slices.Clone(ar.uiLocales)}
	return id, nil
}

// mfaUILocales returns the languages of the sign-in that started MFA
// session id, nil for an unknown or expired one.
func (s *storage) mfaUILocales(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, _, ok := s.mfaSessionLocked(id); ok {
		return slices.Clone(m.uiLocales)
	}
	return nil
}

// mfaSessionLocked returns the unexpired session id and its person. s.mu
// must be held.
func (s *storage) mfaSessionLocked(id string) (*mfaSession, *person, bool) {
	m, ok := s.mfaSessions[id]
	if !ok || !s.now().Before(m.expires) {
		return nil, nil, false
	}
	p, ok := s.bySubject[m.subject]
	return m, p, ok
}

// beginPasskeyRegistration issues a registration challenge for the person
// of MFA session id, replacing any earlier one, and returns the options for
// navigator.credentials.create and the person's e-mail address and number
// of passkeys. ok is false for an unknown or expired session.
func (s *storage) beginPasskeyRegistration(id string) (options, email string, count int, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, p, ok := s.mfaSessionLocked(id)
	if !ok {
		return "", "", 0, false, nil
	}
	u := userLocked(p)
	creation, session, err := s.rp.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.credentials).CredentialDescriptors()))
	if err != nil {
		return "", "", 0, true, fmt.Errorf("begin passkey registration: %w", err)
	}
	js, err := json.Marshal(creation)
	if err != nil {
		return "", "", 0, true, fmt.Errorf("begin passkey registration: %w", err)
	}
	m.registration = session
	return string(js), p.email, len(p.passkeys), true, nil
}

// errPasskeyRefused is finishPasskeyRegistration's answer to a response that
// does not register: no challenge outstanding, a wrong one, an
// authenticator that did not verify the person, a credential already
// registered.
var errPasskeyRefused = errors.New("passkey registration refused")

// finishPasskeyRegistration checks the authenticator's response to the
// challenge of MFA session id, which it uses up, and adds the new passkey
// to the session's person. ok is false for an unknown or expired session.
func (s *storage) finishPasskeyRegistration(id string, resp *protocol.ParsedCredentialCreationData) (ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, p, ok := s.mfaSessionLocked(id)
	if !ok {
		return false, nil
	}
	session := m.registration
	m.registration = nil
	if session == nil {
		return true, fmt.Errorf("%w: no challenge outstanding", errPasskeyRefused)
	}
	cred, err := s.rp.CreateCredential(userLocked(p), *session, resp)
	if err != nil {
		return true, fmt.Errorf("%w: %w", errPasskeyRefused, err)
	}
	if !cred.Flags.UserVerified {
		return true, fmt.Errorf("%w: the authenticator did not verify the person", errPasskeyRefused)
	}
	for _, other := range s.bySubject {
		if slices.ContainsFunc(other.passkeys, func(c webauthn.Credential) bool { return bytes.Equal(c.ID, cred.ID) }) {
			return true, fmt.Errorf("%w: credential already registered", errPasskeyRefused)
		}
	}
	p.passkeys = append(p.passkeys, *cred)
	return true, nil
}

// passkeyForm is what a page needs to offer a passkey ceremony: the
// options the server issued, which the script passes to the browser.
type passkeyForm struct {
	Options   string
	Script    string
	Error     message
	ErrorText string // Error in the page's language
}

// passkeyLoginForm returns the "Use a passkey" form for the code page of
// auth request id, or nil when its person has no passkey.
func (l *login) passkeyLoginForm(r *http.Request, id string, m message) *passkeyForm {
	options, err := l.cfg.store.beginPasskeyLogin(id)
	if err != nil {
		slog.ErrorContext(r.Context(), "devidp: passkey login", "err", err)
	}
	if options == "" {
		return nil
	}
	return &passkeyForm{Options: options, Script: l.cfg.scriptPath, Error: m}
}

// submitPasskey checks the assertion posted from the code page: accepted,
// the browser goes on to the OP's callback; refused, the code page again
// with a fresh challenge.
func (l *login) submitPasskey(w http.ResponseWriter, r *http.Request, id string) {
	outcome := codeWrong
	if assertion, err := protocol.ParseCredentialRequestResponseBytes([]byte(r.PostForm.Get("credential"))); err == nil {
		outcome = l.cfg.store.checkPasskey(id, assertion)
	} else {
		slog.InfoContext(r.Context(), "devidp: unreadable passkey assertion", "err", err)
	}
	switch outcome {
	case codeAccepted:
		l.startMFASession(w, r, id)
		http.Redirect(w, r, l.cfg.callback(r.Context(), id), http.StatusSeeOther)
	case codeWrong:
		l.signInFailed(r)
		l.renderCodePage(w, r, http.StatusOK, id, message{}, msg(msgPasskeyRefused))
	case codeLocked:
		l.signInFailed(r)
		l.render(w, r, http.StatusTooManyRequests, loginPage{Error: msg(msgLocked)})
	default:
		l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
	}
}

// startMFASession gives the browser that just completed auth request id
// with a second factor the cookie that admits it to the passkeys page for
// mfaSessionTTL. It is HttpOnly and sent only to that page; SameSite=Lax
// lets a link from the portal open the page, and the page's form has its
// own token.
func (l *login) startMFASession(w http.ResponseWriter, r *http.Request, id string) {
	if l.cfg.store.rp == nil {
		return
	}
	sid, err := l.cfg.store.startMFASession(id)
	if err != nil || sid == "" {
		if err != nil {
			slog.ErrorContext(r.Context(), "devidp: mfa session", "err", err)
		}
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     mfaCookie,
		Value:    sid,
		Path:     l.cfg.passkeysPath,
		MaxAge:   int(mfaSessionTTL.Seconds()),
		HttpOnly: true,
		Secure:   l.cfg.secureCookie,
		SameSite: http.SameSiteLaxMode,
	})
}

// passkeysPage is the data of the passkeys page.
type passkeysPage struct {
	Action     string
	CSRFToken  string
	Email      string
	Count      int
	Registered bool
	Passkey    *passkeyForm
	Error      message
	HomeURL    string

	T         passkeysWords // the page's words in its language
	ErrorText string        // Error in the page's language
}

// servePasskeys serves the page that registers passkeys (GET) and takes the
// authenticator's response (POST), for a browser with an MFA session.
func (l *login) servePasskeys(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxPasskeyBody)
		if err := r.ParseForm(); err != nil {
			l.renderPasskeys(w, r, http.StatusBadRequest, passkeysPage{Error: msg(msgPasskeyNotSaved)})
			return
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	if l.cfg.store.rp == nil {
		l.renderPasskeys(w, r, http.StatusNotFound, passkeysPage{Error: msg(msgPasskeysNoDomain)})
		return
	}
	sid := ""
	if c, err := r.Cookie(mfaCookie); err == nil {
		sid = c.Value
	}
	page := passkeysPage{}
	if r.Method == http.MethodPost {
		if !l.sameOrigin(r) {
			l.renderPasskeys(w, r, http.StatusForbidden, passkeysPage{Error: msg(msgCrossSite)})
			return
		}
		if sid == "" || !hmac.Equal([]byte(r.PostForm.Get("csrf_token")), []byte(l.passkeysToken(sid))) {
			l.renderPasskeys(w, r, http.StatusForbidden, passkeysPage{Error: msg(msgPasskeysNeedSignIn)})
			return
		}
		resp, err := protocol.ParseCredentialCreationResponseBytes([]byte(r.PostForm.Get("credential")))
		ok := true
		if err == nil {
			ok, err = l.cfg.store.finishPasskeyRegistration(sid, resp)
		}
		switch {
		case !ok:
			l.renderPasskeys(w, r, http.StatusForbidden, passkeysPage{Error: msg(msgPasskeysNeedSignIn)})
			return
		case err != nil:
			slog.InfoContext(r.Context(), "devidp: passkey not registered", "err", err)
			page.Error = msg(msgPasskeyNotSaved)
		default:
			page.Registered = true
		}
	}
	options, email, count, ok, err := l.cfg.store.beginPasskeyRegistration(sid)
	if err != nil {
		slog.ErrorContext(r.Context(), "devidp: passkey registration", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if !ok {
		l.renderPasskeys(w, r, http.StatusForbidden, passkeysPage{Error: msg(msgPasskeysNeedSignIn)})
		return
	}
	page.CSRFToken = l.passkeysToken(sid)
	page.Email, page.Count = email, count
	page.Passkey = &passkeyForm{Options: options, Script: l.cfg.scriptPath}
	l.renderPasskeys(w, r, http.StatusOK, page)
}

// passkeysToken is the passkeys form's token: bound to the MFA session,
// whose id only the HttpOnly cookie carries.
func (l *login) passkeysToken(sid string) string {
	m := hmac.New(sha256.New, l.csrfKey)
	m.Write([]byte(passkeysFormDomain + sid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (l *login) renderPasskeys(w http.ResponseWriter, r *http.Request, status int, page passkeysPage) {
	var langs []string
	if c, err := r.Cookie(mfaCookie); err == nil {
		langs = l.cfg.store.mfaUILocales(c.Value)
	}
	p := l.printer(r, langs)
	page.Action = l.cfg.passkeysPath
	page.HomeURL = l.cfg.homeURL
	page.ErrorText = page.Error.in(p)
	page.T = newPasskeysWords(p, &page)
	l.write(w, status, p.Lang(), passkeysTemplate, page)
}

// servePasskeyScript serves the script of the passkey forms. The pages work
// without it (the code stays); it only adds the passkey ceremonies.
func servePasskeyScript(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(passkeyScript)
}

var passkeysTemplate = template.Must(template.New("passkeys").Parse(`<!doctype html>
<html lang="{{.T.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Title}}</title>
</head>
<body>
<header><p>{{.T.Provider}}</p></header>
<main>
<h1>{{.T.Heading}}</h1>
{{- if .ErrorText}}
<p id="passkeys-error" role="alert"><strong>{{.ErrorText}}</strong></p>
{{- end}}
{{- if .Registered}}
<p role="status">{{.T.Registered}}</p>
{{- end}}
{{- with .Passkey}}
<p>{{$.T.SignedInAs}} {{$.T.Explain}}</p>
<form method="post" action="{{$.Action}}" id="passkey-form" data-passkey="create" data-passkey-options="{{.Options}}" hidden>
<input type="hidden" name="csrf_token" value="{{$.CSRFToken}}">
<input type="hidden" name="credential" value="">
<p data-passkey-error="{{$.T.PasskeyDidNotAnswer}}" role="alert" hidden></p>
<p><button type="submit">{{$.T.Register}}</button></p>
</form>
<noscript><p>{{$.T.NeedsScript}}</p></noscript>
<script src="{{.Script}}"></script>
{{- end}}
{{- if .HomeURL}}
<p><a href="{{.HomeURL}}">{{.T.BackToPortal}}</a></p>
{{- end}}
</main>
</body>
</html>
`))
