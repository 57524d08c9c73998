package devidp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Messages shown on the login page, said in its language (words.go).
var (
	msgWrongPassword = locale.M("Wrong e-mail or password.")
	msgExpired       = locale.M("This sign-in request has expired or was already used. Go back to warrantdesk and sign in again.")
	msgCrossSite     = locale.M("This sign-in form was sent from another site, so it was ignored. Go back to warrantdesk and sign in again.")
	msgStaleForm     = locale.M("This sign-in form has expired. Please sign in again.")
	msgWrongCode     = locale.M("That code is not right. Enter the 6-digit code your authenticator app shows now.")
	msgLocked        = locale.M("Too many failed sign-ins: this account is locked for 15 minutes. Try again later.")
)

// msgNeedsMFA is the error_description of unmet_authentication_requirements:
// it is for the client, not a page.
const msgNeedsMFA = "warrantdesk asks for a second factor (an authenticator code), and this account has none."

const (
	browserCookie   = "devidp_browser"
	maxLoginBody    = 16 << 10
	csrfTokenDomain = "devidp login form\x00"
)

type loginConfig struct {
	store             *storage
	callback          func(ctx context.Context, authRequestID string) string
	action            string   // the form's path, e.g. /idp/login
	secureCookie      bool     // issuer is https
	issuerOrigin      string   // scheme://host of the issuer
	formTargets       []string // origins the browser is redirected to after the POST
	homeURL           string   // "back to warrantdesk" link; may be empty
	people            []Person // listed on the page
	password          string   // shown on the page: it is the demo's, and public
	showCodes         bool     // Config.ShowCodes
	passkeysPath      string   // the page that registers passkeys, e.g. /idp/passkeys
	scriptPath        string   // the passkey forms' script, e.g. /idp/passkey.js
	issuerFromRequest op.IssuerFromRequest
	// refuse answers an auth request with an OAuth error at the client's
	// redirect URI.
	refuse func(w http.ResponseWriter, r *http.Request, ar op.ErrAuthRequest, err error)
}

// login serves the provider's sign-in page: the OP redirects the browser here
// with ?authRequestID=, the person posts e-mail and password (and then, with
// a TOTP secret, a code: a second page posted with step=otp), and on success
// is sent on to the OP's callback, which redirects to the portal with a code.
type login struct {
	cfg     loginConfig
	cat     *locale.Catalogue
	csrfKey []byte
	csp     string
	people  []personRow
	handler http.Handler
}

type personRow struct {
	Email, Name, Org, Roles, SecondFactor string
}

func newLogin(cfg loginConfig) (*login, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	cat, err := locale.Load(frontend.Locales)
	if err != nil {
		return nil, err
	}
	l := &login{
		cfg:     cfg,
		cat:     cat,
		csrfKey: key,
		// No style and no script but the passkey forms' (when passkeys are
		// offered); the form may post only to us, and the redirects after
		// the POST lead to the portal.
		csp: "default-src 'none'; form-action 'self' " + strings.Join(cfg.formTargets, " ") +
			"; frame-ancestors 'none'; base-uri 'none'",
	}
	if cfg.store.rp != nil {
		l.csp += "; script-src " + cfg.issuerOrigin + cfg.scriptPath
	}
	for _, p := range cfg.people {
		second := locale.M("none")
		if p.TOTPSecret != "" {
			second = locale.M("authenticator code (TOTP)")
		}
		l.people = append(l.people, personRow{Email: p.Email, Name: p.Name, Org: p.Org, Roles: strings.Join(p.Roles, ", "), SecondFactor: second})
	}
	// The OP's callback URL is built from the issuer in the request context.
	l.handler = op.NewIssuerInterceptor(cfg.issuerFromRequest).HandlerFunc(l.serve)
	return l, nil
}

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.handler.ServeHTTP(w, r) }

func (l *login) serve(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		l.show(w, r)
	case http.MethodPost:
		l.submit(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
	}
}

// loginPage is the data of the login template.
type loginPage struct {
	Action        string
	AuthRequestID string
	CSRFToken     string
	Username      string
	Error         message
	ShowForm      bool
	HomeURL       string
	People        []personRow
	Password      string
	SignedOut     bool
	CodeStep      bool    // the second page: the TOTP code
	CodeError     message // shown beside the code field
	DemoCode      string  // the code the person's authenticator shows now (Config.ShowCodes)

	Passkey     *passkeyForm // "Use a passkey" on the code page, for a person with one
	PasskeysURL string       // where a person signed in with a code registers a passkey

	T         loginWords // the page's words in its language
	ErrorText string     // Error, CodeError in the page's language
	CodeText  string
}

func (l *login) show(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	ar, err := l.cfg.store.pendingAuthRequest(id)
	if err != nil {
		l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
		return
	}
	l.renderForm(w, r, http.StatusOK, id, ar.loginHint, message{})
}

func (l *login) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
		return
	}
	if !l.sameOrigin(r) {
		l.render(w, r, http.StatusForbidden, loginPage{Error: msg(msgCrossSite)})
		return
	}
	id := r.PostForm.Get("authRequestID")
	username := r.PostForm.Get("username")
	ar, err := l.cfg.store.pendingAuthRequest(id)
	if err != nil {
		l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
		return
	}
	if !l.validToken(r, id, r.PostForm.Get("csrf_token")) {
		l.renderForm(w, r, http.StatusForbidden, id, username, msg(msgStaleForm))
		return
	}
	if !l.addressAllowed(w, r) {
		return
	}
	switch r.PostForm.Get("step") {
	case "otp":
		l.submitCode(w, r, id)
		return
	case "passkey":
		l.submitPasskey(w, r, id)
		return
	}
	p, outcome := l.cfg.store.verifyPassword(username, r.PostForm.Get("password"))
	switch outcome {
	case codeWrong:
		l.signInFailed(r)
		l.renderForm(w, r, http.StatusOK, id, username, msg(msgWrongPassword))
		return
	case codeLocked:
		l.signInFailed(r)
		l.render(w, r, http.StatusTooManyRequests, loginPage{Error: msg(msgLocked)})
		return
	}
	// The second factor is asked for when the client asks for it
	// (acr_values naming ACRMFA: a step-up, or an issuer that requires it
	// at every sign-in), as providers with step-up authentication do; the
	// password alone otherwise, asserted as such (ACRPassword).
	if p.totpSecret != "" && requiresMFA(ar.acrValues) {
		if l.cfg.store.passwordVerified(id, p) != codeAccepted {
			l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
			return
		}
		l.renderCode(w, r, http.StatusOK, id, message{})
		return
	}
	if requiresMFA(ar.acrValues) {
		// The client asked for a second factor this person does not have:
		// tell it so (unmet_authentication_requirements)
		// rather than assert less than it asked for.
		_ = l.cfg.store.DeleteAuthRequest(r.Context(), id)
		l.cfg.refuse(w, r, ar, &oidc.Error{ErrorType: errUnmetAuthenticationRequirements, Description: msgNeedsMFA})
		return
	}
	if err := l.cfg.store.completeLogin(id, p.subject); err != nil {
		l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
		return
	}
	http.Redirect(w, r, l.cfg.callback(r.Context(), id), http.StatusSeeOther)
}

// errUnmetAuthenticationRequirements is the OAuth error for a request whose
// acr_values the person cannot meet (OpenID Connect Core Error Code
// unmet_authentication_requirements 1.0).
const errUnmetAuthenticationRequirements = "unmet_authentication_requirements"

// submitCode checks the second page's TOTP code: right, the browser goes on
// to the OP's callback; wrong, the page again with the error beside the
// field; too many wrong, the account is locked.
func (l *login) submitCode(w http.ResponseWriter, r *http.Request, id string) {
	switch l.cfg.store.checkCode(id, r.PostForm.Get("otp")) {
	case codeAccepted:
		l.startMFASession(w, r, id)
		http.Redirect(w, r, l.cfg.callback(r.Context(), id), http.StatusSeeOther)
	case codeWrong:
		l.signInFailed(r)
		l.renderCode(w, r, http.StatusOK, id, msg(msgWrongCode))
	case codeLocked:
		l.signInFailed(r)
		l.render(w, r, http.StatusTooManyRequests, loginPage{Error: msg(msgLocked)})
	default:
		l.render(w, r, http.StatusBadRequest, loginPage{Error: msg(msgExpired)})
	}
}

// sameOrigin refuses a POST that a browser says came from another site. A
// browser sends Sec-Fetch-Site (current ones) or Origin (older ones); a
// request with neither is not from a browser and cannot ride on a person's
// cookies, and the form token still has to match.
func (l *login) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	return origin == "" || origin == l.cfg.issuerOrigin
}

// renderForm shows the sign-in form with a token bound both to the auth
// request and to a random per-browser cookie, so a form cannot be posted
// for someone else's auth request or from another browser.
func (l *login) renderForm(w http.ResponseWriter, r *http.Request, status int, id, username string, m message) {
	token, ok := l.browserToken(w, r, id)
	if !ok {
		return
	}
	l.render(w, r, status, loginPage{
		AuthRequestID: id,
		CSRFToken:     token,
		Username:      username,
		Error:         m,
		ShowForm:      true,
	})
}

// renderCode shows the second page, which asks for the TOTP code, with msg
// beside the field.
func (l *login) renderCode(w http.ResponseWriter, r *http.Request, status int, id string, m message) {
	l.renderCodePage(w, r, status, id, m, message{})
}

// renderCodePage is renderCode with passkeyMsg beside the passkey button,
// which a person with a passkey is offered with a fresh challenge.
func (l *login) renderCodePage(w http.ResponseWriter, r *http.Request, status int, id string, m, passkeyMsg message) {
	token, ok := l.browserToken(w, r, id)
	if !ok {
		return
	}
	page := loginPage{AuthRequestID: id, CSRFToken: token, CodeStep: true, CodeError: m}
	if l.cfg.showCodes {
		page.DemoCode = l.cfg.store.currentCode(id)
	}
	page.Passkey = l.passkeyLoginForm(r, id, passkeyMsg)
	if l.cfg.store.rp != nil {
		page.PasskeysURL = l.cfg.passkeysPath
	}
	l.render(w, r, status, page)
}

// browserToken returns the form token for auth request id and this browser,
// setting the browser's cookie if it has none. On failure it has answered
// with an error and returns false.
func (l *login) browserToken(w http.ResponseWriter, r *http.Request, id string) (string, bool) {
	browser := ""
	if c, err := r.Cookie(browserCookie); err == nil && c.Value != "" {
		browser = c.Value
	} else {
		v, err := randomString(32)
		if err != nil {
			slog.ErrorContext(r.Context(), "devidp: login cookie", "err", err)
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return "", false
		}
		browser = v
		http.SetCookie(w, &http.Cookie{
			Name:     browserCookie,
			Value:    browser,
			Path:     l.cfg.action,
			HttpOnly: true,
			Secure:   l.cfg.secureCookie,
			SameSite: http.SameSiteStrictMode,
		})
	}
	return l.token(id, browser), true
}

func (l *login) token(id, browser string) string {
	m := hmac.New(sha256.New, l.csrfKey)
	m.Write([]byte(csrfTokenDomain + id + "\x00" + browser))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (l *login) validToken(r *http.Request, id, got string) bool {
	c, err := r.Cookie(browserCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(l.token(id, c.Value)))
}

// loggedOut is where end_session lands when the portal registered no
// post-logout redirect URI.
func (l *login) loggedOut(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	l.render(w, r, http.StatusOK, loginPage{SignedOut: true})
}

func (l *login) render(w http.ResponseWriter, r *http.Request, status int, page loginPage) {
	p := l.printer(r, l.requestLocales(r))
	page.Action = l.cfg.action
	page.HomeURL = l.cfg.homeURL
	if page.ShowForm {
		for _, row := range l.people {
			row.SecondFactor = p.Sprintf(row.SecondFactor)
			page.People = append(page.People, row)
		}
	}
	page.Password = l.cfg.password
	page.ErrorText, page.CodeText = page.Error.in(p), page.CodeError.in(p)
	if page.Passkey != nil {
		page.Passkey.ErrorText = page.Passkey.Error.in(p)
	}
	page.T = newLoginWords(p, &page)
	l.write(w, status, p.Lang(), pageTemplate, page)
}

// write renders one of the provider's pages, in language lang, with its
// security headers.
func (l *login) write(w http.ResponseWriter, status int, lang string, tmpl *template.Template, data any) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		slog.Error("devidp: render page", "page", tmpl.Name(), "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", l.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on the form's POST.
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.T.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Title}}</title>
</head>
<body>
<header><p>{{.T.Provider}}</p></header>
<main>
{{- if .SignedOut}}
<h1>{{.T.SignedOut}}</h1>
<p>{{.T.SignedOutText}}</p>
{{- else if .CodeStep}}
<h1>{{.T.CodeHeading}}</h1>
<p>{{.T.CodeIntro}}</p>
{{- if .DemoCode}}
<p>{{.T.DemoCode}}</p>
{{- end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="authRequestID" value="{{.AuthRequestID}}">
<input type="hidden" name="csrf_token" value="{{.CSRFToken}}">
<input type="hidden" name="step" value="otp">
<p><label for="otp">{{.T.CodeLabel}}</label><br>
<input id="otp" name="otp" type="text" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required{{if .CodeText}} aria-invalid="true" aria-describedby="otp-error"{{end}}>
{{- if .CodeText}} <strong id="otp-error">{{.CodeText}}</strong>{{end}}</p>
<p><button type="submit">{{.T.Verify}}</button></p>
</form>
{{- with .Passkey}}
<form method="post" action="{{$.Action}}" id="passkey-form" data-passkey="get" data-passkey-options="{{.Options}}" hidden>
<input type="hidden" name="authRequestID" value="{{$.AuthRequestID}}">
<input type="hidden" name="csrf_token" value="{{$.CSRFToken}}">
<input name="step" type="hidden" value="passkey">
<input type="hidden" name="credential" value="">
<p data-passkey-error="{{$.T.PasskeyDidNotAnswer}}" role="alert"{{if not .ErrorText}} hidden{{end}}>{{if .ErrorText}}<strong>{{.ErrorText}}</strong>{{end}}</p>
<p>{{$.T.PasskeyOr}} <button type="submit">{{$.T.UsePasskey}}</button></p>
</form>
<script src="{{.Script}}"></script>
{{- end}}
{{- if .PasskeysURL}}
<p>{{.T.RegisterLater}}</p>
{{- end}}
{{- else}}
<h1>{{.T.SignIn}}</h1>
<p>{{.T.Intro}}</p>
{{- if .ErrorText}}
<p id="login-error" role="alert"><strong>{{.ErrorText}}</strong></p>
{{- end}}
{{- if .ShowForm}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="authRequestID" value="{{.AuthRequestID}}">
<input type="hidden" name="csrf_token" value="{{.CSRFToken}}">
<p><label for="username">{{.T.Email}}</label><br>
<input id="username" name="username" type="email" autocomplete="username" required value="{{.Username}}"{{if .ErrorText}} aria-invalid="true" aria-describedby="login-error"{{end}}></p>
<p><label for="password">{{.T.Password}}</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required{{if .ErrorText}} aria-invalid="true" aria-describedby="login-error"{{end}}></p>
<p><button type="submit">{{.T.SignIn}}</button></p>
</form>
<h2>{{.T.DemoAccounts}}</h2>
<p>{{.T.PeopleIntro}}</p>
<ul>
{{- range .People}}
<li><strong>{{.Email}}</strong>: {{.Name}}, {{.Org}}, {{.Roles}}; {{$.T.SecondFactor}}: {{.SecondFactor}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}
{{- if .HomeURL}}
<p><a href="{{.HomeURL}}">{{.T.BackToPortal}}</a></p>
{{- end}}
</main>
</body>
</html>
`))
