package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// handleHealthz handles "GET /healthz": the process is alive.
func (s *Server) handleHealthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// handleReadyz handles "GET /readyz": the database answers and its schema is
// the one this binary expects. A load balancer sends traffic only when ready.
// It also says whether each trusted identity provider can be reached.
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks, ok := map[string]string{"database": "unknown"}, false
	if s.ready != nil {
		checks, ok = s.ready(ctx)
	}
	// An agency's identity provider out of reach is reported, but does
	// not take the portal out of the load balancer: everyone else can
	// still work, and that agency's people are told at sign-in.
	if s.identity != nil {
		for u, st := range s.identity.Reachability(ctx) {
			checks["issuer "+u] = st
		}
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	if status != http.StatusOK {
		s.log.WarnContext(ctx, "not ready", "checks", checks)
	}
	c.JSON(status, gin.H{"status": map[bool]string{true: "ready", false: "not ready"}[status == http.StatusOK], "checks": checks})
}

// handleNotFound answers unmatched routes in the caller's format.
func (s *Server) handleNotFound(c *gin.Context) {
	s.renderError(c, errs.E(errs.NotFound, "There is nothing at this address."))
}

// codeMethodNotAllowed is an HTTP-only error code: no domain function returns it.
const codeMethodNotAllowed errs.Code = "method_not_allowed"

// handleMethodNotAllowed answers a known route with the wrong method.
func (s *Server) handleMethodNotAllowed(c *gin.Context) {
	s.renderError(c, errs.E(codeMethodNotAllowed, "This address does not accept %s.", c.Request.Method))
}
