// Package web is the HTTP face of warrantdesk: the gin router, its
// middleware (request ids, recovery, security headers, authentication,
// cross-origin and CSRF protection, body and rate limits), the JSON API under
// /api/v1 and the server-rendered pages. Handlers are thin: they parse, call
// one domain function, and render; every error goes through renderError.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/admin"
	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/casefile"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// Deps are the parts a Server is built from.
type Deps struct {
	Config config.Config
	// Ready reports whether the process can serve: each check's state, and
	// whether all are well (see db.DB.Readiness).
	Ready func(ctx context.Context) (map[string]string, bool)
	// TransparencyLog is the public log; Trail reads the audit trail for
	// auditors.
	TransparencyLog *translog.Log
	Trail           *auditing.Trail
	Log             *slog.Logger
	Identity        *identity.Service
	Requests        *request.Service
	// CaseFiles assembles what a request's page and API answer show.
	CaseFiles *casefile.Service
	Admin     *admin.Service
	Policy    *policy.Engine
	IdP       *devidp.Provider     // the embedded demo OpenID Provider, or nil
	Registry  *prometheus.Registry // metrics registry served at /metrics
	Workflow  *workflow.Engine     // the review workflow; nil serves no workflow routes' data
	// Disclosure builds and delivers productions; nil answers its routes 503.
	Disclosure *disclosure.Service
	// Transparency publishes and serves reports; nil answers its routes 503.
	Transparency *transparency.Service
}

// A Server handles every HTTP request of one warrantdesk process.
type Server struct {
	cfg          config.Config
	ready        func(ctx context.Context) (map[string]string, bool)
	tlog         *translog.Log
	trail        *auditing.Trail
	log          *slog.Logger
	identity     *identity.Service
	requests     *request.Service
	casefiles    *casefile.Service
	admin        *admin.Service
	policy       *policy.Engine
	idp          *devidp.Provider
	registry     *prometheus.Registry
	workflow     *workflow.Engine
	disclosure   *disclosure.Service
	transparency *transparency.Service
	metrics      *metrics
	render       *renderer
	locales      *locale.Catalogue
	staticFiles  *staticFiles
	cop          *http.CrossOriginProtection

	csp           string
	secureCookies bool
	sessionCookie string
	engine        *gin.Engine
}

// New builds the router. It fails if a template does not parse.
func New(d Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{
		cfg: d.Config, ready: d.Ready, tlog: d.TransparencyLog, trail: d.Trail, log: d.Log, identity: d.Identity, requests: d.Requests, casefiles: d.CaseFiles, admin: d.Admin,
		policy: d.Policy, idp: d.IdP, registry: d.Registry, workflow: d.Workflow, disclosure: d.Disclosure,
		transparency: d.Transparency,
		cop:          http.NewCrossOriginProtection(),
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(s.registry)
	s.secureCookies = strings.HasPrefix(d.Config.BaseURL, "https://")
	s.sessionCookie = "wd_session"
	if s.secureCookies {
		// __Host- cookies must be Secure, host-only and for path /: a
		// sibling subdomain cannot plant or overwrite them.
		s.sessionCookie = "__Host-wd_session"
	}
	if err := s.cop.AddTrustedOrigin(d.Config.BaseURL); err != nil {
		return nil, fmt.Errorf("web: base URL: %w", err)
	}
	s.csp = contentSecurityPolicy(d.Config)
	var err error
	if s.staticFiles, err = newStaticFiles(frontend.Static); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	// The catalogue is fixed for a policy engine: its process and category
	// names are read once, for every page.
	var cat policy.Catalogue
	if d.Policy != nil {
		if cat, err = d.Policy.Catalogue(context.Background()); err != nil {
			return nil, fmt.Errorf("web: the policy catalogue names processes and categories: %w", err)
		}
	}
	if s.locales, err = locale.Load(frontend.Locales); err != nil {
		return nil, err
	}
	if s.render, err = newRenderer(frontend.Templates, s.staticFiles, wording.NewBook(cat), s.locales); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.engine = gin.New()
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	if err := s.engine.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	s.routes()
	return s, nil
}

// ServeHTTP makes the Server an http.Handler.
//
// A HEAD request is answered as its GET would be, without the body (net/http
// drops it: the response still belongs to the HEAD request): gin routes HEAD
// only where it is registered, and monitors and link checkers send HEAD.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	s.engine.ServeHTTP(w, r)
}

// contentSecurityPolicy allows nothing inline, nothing from elsewhere, and
// form posts only to us and to the identity providers people sign in at
// (browsers apply form-action to the redirect after a form post).
func contentSecurityPolicy(cfg config.Config) string {
	forms := []string{"'self'"}
	for _, iss := range cfg.Issuers {
		if u, err := url.Parse(iss.URL); err == nil && u.Host != "" {
			forms = append(forms, u.Scheme+"://"+u.Host)
		}
	}
	return "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; " +
		"form-action " + strings.Join(forms, " ") + "; frame-ancestors 'none'; base-uri 'none'"
}

// Routes lists every registered route, for tests that check each one.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }
