package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// loginStateCookie binds a sign-in to the browser that started it: the
// callback's state must equal this cookie, so nobody can complete a sign-in
// in someone else's browser (login CSRF).
const loginStateCookie = "wd_login_state"

// Failed authentications are budgeted per client address: a burst of
// authFailureBurst bad bearer tokens, then one more every
// 1/authFailuresPerSecond seconds. Agency systems fail rarely and then
// stop; whoever floods the portal with forged tokens (to probe, or to make
// it fetch an issuer's keys again and again) is answered 429 without any
// token being parsed.
const (
	authFailureBurst      = 20
	authFailuresPerSecond = 1.0 / 3
)

// ctxAuthFailed marks a request whose credentials were refused.
const ctxAuthFailed = "wd.auth_failed"

// limitAuthFailures refuses a request that presents credentials
// (Authorization) from an address whose failure budget is spent, with 429
// and Retry-After, before authenticate does any work; each request whose
// credentials authenticate refuses spends from the budget. Only failures
// spend it, so a system that authenticates is never slowed by its own
// traffic. Concurrent requests check the budget before any has failed, so
// a burst can overshoot it by the number in flight.
func (s *Server) limitAuthFailures(rl *rateLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rl == nil || c.GetHeader("Authorization") == "" {
			c.Next()
			return
		}
		l := rl.limiter("ip:" + c.ClientIP())
		if tokens := l.Tokens(); tokens < 1 {
			wait := math.Ceil((1 - tokens) / float64(l.Limit()))
			c.Header("Retry-After", strconv.Itoa(max(1, int(wait))))
			s.renderError(c, errs.E(errs.RateLimited, "Too many failed authentications from your address. Retry later with a valid token."))
			return
		}
		c.Next()
		if c.GetBool(ctxAuthFailed) {
			l.Allow() // spend one failure
		}
	}
}

// bearerRefused answers a request whose bearer token authenticate refused,
// and counts it as a failed authentication when the token was at fault (not
// when the issuer was unreachable or the system may not use the API).
func (s *Server) bearerRefused(c *gin.Context, err error) {
	if errs.CodeOf(err) == errs.Unauthenticated {
		c.Set(ctxAuthFailed, true)
	}
	s.renderError(c, err)
}

type loginPage struct {
	Page
	Options    []identity.LoginOption
	ReturnTo   string
	Errors     []errs.FieldError
	Demo       bool
	DemoPeople []devidp.Person
}

// handleLogin handles "GET /login": with one identity provider (or ?issuer=)
// it goes straight there; with several it asks which.
func (s *Server) handleLogin(c *gin.Context) {
	opts := s.identity.LoginOptions()
	issuer := c.Query("issuer")
	if issuer == "" && len(opts) == 1 {
		issuer = opts[0].IssuerURL
	}
	if issuer != "" {
		s.startLogin(c, issuer, c.Query("return_to"))
		return
	}
	s.renderLogin(c, http.StatusOK, nil)
}

// handleLoginStart handles "POST /login": the chosen identity provider.
func (s *Server) handleLoginStart(c *gin.Context) {
	s.startLogin(c, c.PostForm("issuer"), c.PostForm("return_to"))
}

func (s *Server) startLogin(c *gin.Context, issuer, returnTo string) {
	authURL, state, err := s.identity.BeginLogin(c.Request.Context(), issuer, returnTo, s.lang(c))
	if err != nil {
		if errs.CodeOf(err) == errs.Internal || errs.CodeOf(err) == errs.Unavailable {
			s.renderError(c, err)
			return
		}
		s.renderLogin(c, http.StatusUnprocessableEntity, []errs.FieldError{{Field: "issuer", Message: errs.Message(err), Format: "%s", Args: []any{errs.TextOf(err)}}})
		return
	}
	s.redirectToProvider(c, authURL, state)
}

// redirectToProvider sends the browser to sign in at authURL, with the
// login state in a short-lived cookie that only the callback reads.
func (s *Server) redirectToProvider(c *gin.Context, authURL, state string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: loginStateCookie, Value: state, Path: "/auth/callback", MaxAge: int((10 * time.Minute).Seconds()),
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteLaxMode,
	})
	c.Redirect(http.StatusSeeOther, authURL)
}

func (s *Server) renderLogin(c *gin.Context, status int, problems []errs.FieldError) {
	p := loginPage{Page: s.page(c, "Sign in"), Options: s.identity.LoginOptions(), ReturnTo: c.Query("return_to"), Errors: problems}
	if s.idp != nil {
		p.Demo, p.DemoPeople = true, s.idp.People()
	}
	s.html(c, status, "login", p)
}

// handleAuthCallback handles "GET /auth/callback": the identity provider
// sends the person back with a code; on success a fresh session replaces any
// old one (session fixation); an administrator's test sign-in instead shows
// its result and changes no session.
func (s *Server) handleAuthCallback(c *gin.Context) {
	cookieState, _ := c.Cookie(loginStateCookie)
	http.SetCookie(c.Writer, &http.Cookie{Name: loginStateCookie, Value: "", Path: "/auth/callback", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteLaxMode})
	login, err := s.identity.CompleteCallback(c.Request.Context(), cookieState, c.Query("state"), c.Query("code"), c.Query("error"), c.Query("iss"))
	if err == nil && login.Test != nil {
		// An administrator's test sign-in: what the portal made of it,
		// shown to them in their own session, which it leaves alone.
		s.showIdentityTest(c, login.Test)
		return
	}
	if a, ok := authFrom(c); ok && a.Token != "" {
		_, _ = s.identity.Logout(c.Request.Context(), a.Token, a.Principal)
	}
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Internal || code == errs.Unavailable {
			s.renderError(c, err)
			return
		}
		s.clearSessionCookie(c)
		status := http.StatusUnauthorized
		if errs.CodeOf(err) == errs.Forbidden {
			status = http.StatusForbidden
		}
		s.renderLogin(c, status, []errs.FieldError{{Field: "issuer", Message: errs.Message(err), Format: "%s", Args: []any{errs.TextOf(err)}}})
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.sessionCookie, Value: login.Token, Path: "/", Expires: login.ExpiresAt,
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteLaxMode,
	})
	dest := login.ReturnTo
	if dest == "" || dest == "/" {
		dest = s.homeFor(c, login.Principal)
	}
	c.Redirect(http.StatusSeeOther, dest)
}

// handleLogout handles "POST /logout".
func (s *Server) handleLogout(c *gin.Context) {
	a, _ := authFrom(c)
	dest := "/"
	if !a.Bearer {
		end, err := s.identity.Logout(c.Request.Context(), a.Token, a.Principal)
		if err != nil {
			s.renderError(c, err)
			return
		}
		if end != "" {
			dest = end
		}
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, dest)
}

// ctxSessionEnded holds why the session cookie a request presented no
// longer signs anyone in.
const ctxSessionEnded = "wd.session_ended"

// sessionEnded forgets a session cookie that no longer signs anyone in
// (timed out, signed out elsewhere, revoked by a suspension): the request
// carries on anonymous, and a route that needs a sign-in says why.
func (s *Server) sessionEnded(c *gin.Context, why error) {
	s.clearSessionCookie(c)
	c.Set(ctxSessionEnded, why)
}

// signInRequired is the error for an anonymous request to a route that
// needs a sign-in: why its session ended, if it presented one, so that the
// API answers "Your session has expired" rather than "Sign in to continue";
// pages redirect to /login with the return path either way.
func signInRequired(c *gin.Context) error {
	if why, ok := c.Get(ctxSessionEnded); ok {
		if err, ok := why.(error); ok {
			return err
		}
	}
	return errs.E(errs.Unauthenticated, "Sign in to continue.")
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: s.sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteLaxMode})
}

// homeFor is where a person lands after signing in: the provider's teams
// on their queue, where their work waits; other provider staff (auditors)
// on the list of requests received; an agency's people on their requests.
func (s *Server) homeFor(c *gin.Context, p *identity.Principal) string {
	if !p.Provider {
		return "/agency"
	}
	// On a policy error the person lands on the list, which every provider
	// person may open; the queue is one link away.
	if caps, err := s.policy.Capabilities(c.Request.Context(), p.PolicyActor()); err == nil && caps.Can("queue.view") {
		return "/provider/queue"
	}
	return "/provider"
}

func (s *Server) setFlash(c *gin.Context, msg string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteLaxMode})
}

// handleBackChannelLogout handles "POST /auth/backchannel-logout": an
// issuer says a person signed out there (OpenID Connect Back-Channel
// Logout 1.0), and their sessions here end. The issuer, not a browser,
// calls it: no session, no CSRF token; the logout token's signature is
// the authentication. Answers 200 when done, 400 with an OAuth error when
// the token is refused (2.8), 503 when the issuer's keys cannot be read.
func (s *Server) handleBackChannelLogout(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	err := s.identity.BackChannelLogout(c.Request.Context(), c.PostForm("logout_token"))
	// Success is err == nil, not an empty code: errs.CodeOf(nil) is
	// Internal, which answered every accepted logout token with a 500.
	switch {
	case err == nil:
		c.Status(http.StatusOK)
	case errs.CodeOf(err) == errs.Invalid:
		s.log.WarnContext(c.Request.Context(), "back-channel logout refused", "err", errs.Message(err), "request_id", requestID(c))
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": errs.Message(err)})
	default:
		s.renderError(c, err)
	}
}

// requireSession keeps pages for people signed in with a browser session.
// A bearer token, an agency system's or anyone's, is for /api/v1 and gets
// 401 here: pages, their forms, CSRF defence and confirmations are built
// for a person at a browser, not for a token that may act unattended.
func (s *Server) requireSession(c *gin.Context) {
	if a, ok := authFrom(c); ok && a.Bearer {
		s.renderError(c, errs.E(errs.Unauthenticated, "These pages are for people signed in with a browser. Agency systems use the API at /api/v1."))
		return
	}
	c.Next()
}
