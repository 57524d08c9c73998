package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// stepUpPath starts a step-up: the signed-in person authenticates again,
// with their second factor, at their own provider, and comes back to
// return_to (a local path).
const stepUpPath = "/auth/step-up"

// handleStepUp handles "GET /auth/step-up": a person whose action the
// policy held for a recent second factor (policy.ErrStepUp) is sent to their
// provider to sign in again with it. The callback replaces the session, as
// every sign-in does, and returns them to the page they were on.
func (s *Server) handleStepUp(c *gin.Context) {
	a, _ := authFrom(c)
	authURL, state, err := s.identity.BeginStepUp(c.Request.Context(), a.Principal, c.Query("return_to"), s.lang(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.redirectToProvider(c, authURL, state)
}

// needsStepUp answers a page request that err refused for want of a recent
// second factor: the browser goes to sign in again with it (stepUpPath),
// returning afterwards to the page the person acted from — the page itself
// for a GET, the form's page (its Referer, when it is ours) for a POST,
// since a POST cannot be repeated by a redirect. Reports whether it did.
// The API never steps up: agency systems have no second factor to give, and
// people's tokens are not accepted there.
func (s *Server) needsStepUp(c *gin.Context, err error) bool {
	if !errors.Is(err, policy.ErrStepUp) || isAPI(c) {
		return false
	}
	if a, ok := authFrom(c); !ok || a.Bearer {
		return false
	}
	back := c.Request.URL.RequestURI()
	if c.Request.Method != http.MethodGet {
		back = "/"
		if ref, perr := url.Parse(c.GetHeader("Referer")); perr == nil && ref.Path != "" && sameOrigin(ref, s.cfg.BaseURL) {
			back = ref.RequestURI()
		}
	}
	c.Redirect(http.StatusSeeOther, stepUpPath+"?return_to="+safeReturnTo(back))
	c.Abort()
	return true
}

// sameOrigin reports whether u is on the portal's own origin (base).
func sameOrigin(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	return err == nil && u.Scheme == b.Scheme && u.Host == b.Host
}
