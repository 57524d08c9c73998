package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

const (
	ctxRequestID = "wd.request_id"
	ctxAuth      = "wd.auth"
	headerReqID  = "X-Request-Id"
	flashCookie  = "wd_flash"
)

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// withRequestID gives every request an id, echoed in X-Request-Id and
// attached to every log line and problem document. An incoming id is kept
// only if it looks like one of ours, so clients cannot inject log content.
func withRequestID(c *gin.Context) {
	id := c.GetHeader(headerReqID)
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header(headerReqID, id)
	c.Next()
}

// recoverPanics turns a panic into a logged 500 with the request id.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(r), "request_id", requestID(c), "stack", string(debug.Stack()))
			s.renderError(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// accessLog writes one structured line per request. It never logs query
// strings (they carry OAuth codes and state) or headers (they carry tokens).
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	if route == "/healthz" || route == "/readyz" || route == "/metrics" {
		return
	}
	attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", route,
		"status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000, "client_ip", c.ClientIP()}
	if a, ok := authFrom(c); ok {
		attrs = append(attrs, "actor", a.Principal.Subject)
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "http", argsToAttrs(attrs)...)
}

func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, slog.Any(args[i].(string), args[i+1]))
	}
	return out
}

// securityHeaders sets a strict policy on every response: no inline script or
// style, no framing, no MIME sniffing, no referrer leaking request ids to
// another origin. The referrer stays within ours (same-origin) so that a
// form's POST says which page it came from: a step-up returns the person
// there (needsStepUp).
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if s.secureCookies {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// limitBody caps every request body; uploads get their own, larger cap.
func (s *Server) limitBody(c *gin.Context) {
	limit := s.cfg.MaxBodyBytes
	if strings.HasSuffix(c.Request.URL.Path, "/documents") && c.Request.Method == http.MethodPost {
		limit = s.cfg.MaxUploadBytes + 64<<10 // room for the multipart envelope
	}
	if c.Request.ContentLength > limit {
		s.renderError(c, errs.E(errs.TooLarge, "The request body is larger than %d bytes.", limit))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// crossOrigin refuses state-changing requests that a browser sent from
// another origin (Sec-Fetch-Site / Origin checks, Go's CrossOriginProtection).
// Requests without those headers — agency systems, curl — pass: they carry
// no ambient cookies, and they authenticate with a bearer token.
func (s *Server) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.renderError(c, errs.E(errs.Forbidden, "Cross-origin requests are not allowed."))
		return
	}
	c.Next()
}

// An auth is who is calling, attached to the gin context by authenticate.
type auth struct {
	Principal *identity.Principal
	CSRF      string // the session's token; "" for bearer callers
	Token     string // the session cookie value; "" for bearer callers
	Bearer    bool
}

func authFrom(c *gin.Context) (*auth, bool) {
	v, ok := c.Get(ctxAuth)
	if !ok {
		return nil, false
	}
	a, ok := v.(*auth)
	return a, ok
}

// authenticate identifies the caller from a bearer token or the session
// cookie, if any. It does not require one: requireAuth does. Every call
// re-reads the person and agency, so suspension takes effect immediately.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, raw, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
			s.bearerRefused(c, errs.E(errs.Unauthenticated, "Use an Authorization: Bearer <token> header."))
			return
		}
		p, err := s.identity.VerifyBearer(ctx, strings.TrimSpace(raw))
		if err != nil {
			s.bearerRefused(c, err)
			return
		}
		c.Set(ctxAuth, &auth{Principal: p, Bearer: true})
		c.Next()
		return
	}
	if tok, err := c.Cookie(s.sessionCookie); err == nil && tok != "" {
		p, sess, err := s.identity.Authenticate(ctx, tok)
		switch {
		case err == nil:
			c.Set(ctxAuth, &auth{Principal: p, CSRF: sess.CSRFToken, Token: tok})
		case errs.CodeOf(err) == errs.Unauthenticated:
			s.sessionEnded(c, err) // expired or logged out elsewhere: carry on anonymous
		default:
			s.renderError(c, err)
			return
		}
	}
	c.Next()
}

// requireAuth refuses anonymous callers: 401 problem for the API, a redirect
// to /login for pages.
func (s *Server) requireAuth(c *gin.Context) {
	if _, ok := authFrom(c); !ok {
		s.renderError(c, signInRequired(c))
		return
	}
	c.Next()
}

// requireCSRF checks the form token on state-changing page requests made with
// a session: defence in depth beside the cross-origin check, for browsers that
// send neither Sec-Fetch-Site nor Origin.
func (s *Server) requireCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	a, ok := authFrom(c)
	if !ok || a.Bearer {
		c.Next()
		return
	}
	got := c.GetHeader("X-CSRF-Token")
	if got == "" && !isAPI(c) {
		if strings.HasPrefix(c.ContentType(), "multipart/") {
			// Uploads are streamed; reading the form here would buffer the
			// whole file first. Their forms carry the token in the action URL.
			got = c.Query("csrf_token")
		} else {
			got = c.PostForm("csrf_token")
		}
	}
	if got == "" && isAPI(c) {
		// The API with a session cookie: the cross-origin check already ran;
		// JSON bodies cannot be sent cross-site without CORS preflight.
		if ct := c.ContentType(); ct == "application/json" || ct == "application/merge-patch+json" {
			c.Next()
			return
		}
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(a.CSRF)) != 1 {
		s.renderError(c, errs.E(errs.Forbidden, "The form has expired. Reload the page and try again."))
		return
	}
	c.Next()
}

// noStore keeps signed-in pages and API answers out of shared and browser caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// rateLimiter is a per-client token bucket. It is per replica by design: it
// protects the process, and the database protects the rest.
type rateLimiter struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
	limit   rate.Limit
	burst   int
	last    time.Time
}

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{clients: map[string]*rate.Limiter{}, limit: rate.Limit(perSecond), burst: burst, last: time.Now()}
}

func (rl *rateLimiter) allow(key string) bool { return rl.limiter(key).Allow() }

// limiter returns key's bucket.
func (rl *rateLimiter) limiter(key string) *rate.Limiter {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if time.Since(rl.last) > 10*time.Minute { // forget idle clients
		rl.clients = map[string]*rate.Limiter{}
		rl.last = time.Now()
	}
	l, ok := rl.clients[key]
	if !ok {
		l = rate.NewLimiter(rl.limit, rl.burst)
		rl.clients[key] = l
	}
	return l
}

// rateLimit limits each caller: a signed-in person or agency system by
// identity (so a whole agency behind one NAT is not one bucket), anyone else
// by address. A nil limiter lets everything through.
func (s *Server) rateLimit(rl *rateLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rl == nil {
			c.Next()
			return
		}
		key := "ip:" + c.ClientIP()
		if a, ok := authFrom(c); ok {
			key = "sub:" + a.Principal.Issuer + " " + a.Principal.Subject
		}
		if !rl.allow(key) {
			c.Header("Retry-After", "1")
			s.renderError(c, errs.E(errs.RateLimited, "Too many requests. Slow down and retry shortly."))
			return
		}
		c.Next()
	}
}

// metricsAccess guards /metrics, whose request counts by route and status
// tell an outsider how the portal is used. With WARRANTDESK_METRICS_TOKEN
// set a scraper sends it as a bearer token; without one /metrics is open
// with --demo only, and closed otherwise.
func (s *Server) metricsAccess(c *gin.Context) {
	want := s.cfg.MetricsToken
	if want == "" {
		if s.cfg.Demo {
			c.Next()
			return
		}
		c.String(http.StatusForbidden, "/metrics is closed: set WARRANTDESK_METRICS_TOKEN and scrape with it as a bearer token.\n")
		c.Abort()
		return
	}
	scheme, got, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	// Compared as hashes, so that the time taken says nothing of the
	// token's length either.
	g, w := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(want))
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(g[:], w[:]) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
		c.String(http.StatusUnauthorized, "Send the metrics token as Authorization: Bearer <token>.\n")
		c.Abort()
		return
	}
	c.Next()
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warrantdesk_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warrantdesk_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc
}

// safeReturnTo keeps only local paths, so /login?return_to= cannot send a
// person to another site after signing in.
func safeReturnTo(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return url.QueryEscape(p)
}

// requireProviderStaff keeps the provider's pages for the provider's staff.
// It decides on who the caller is, never on which request they name, so it
// reveals nothing about any request; the domain still authorises each action.
func (s *Server) requireProviderStaff(c *gin.Context) {
	if a, ok := authFrom(c); !ok || !a.Principal.Provider {
		s.renderError(c, errs.E(errs.Forbidden, "This area is for the provider's staff."))
		return
	}
	c.Next()
}

// requireAgencyMember keeps the agency pages for agency people.
func (s *Server) requireAgencyMember(c *gin.Context) {
	if a, ok := authFrom(c); !ok || a.Principal.Provider {
		s.renderError(c, errs.E(errs.Forbidden, "This area is for law-enforcement agencies."))
		return
	}
	c.Next()
}
