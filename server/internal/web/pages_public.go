package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

type cataloguePage struct {
	Page
	Catalogue policy.Catalogue
}

// handleHome handles "GET /": what the provider can and cannot disclose,
// generated from the policy bundle so the page never disagrees with it.
func (s *Server) handleHome(c *gin.Context) {
	cat, err := s.policy.CatalogueIn(c.Request.Context(), s.lang(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.html(c, http.StatusOK, "home", cataloguePage{Page: s.page(c, "What we can and cannot disclose"), Catalogue: cat})
}

// handleGuide handles "GET /guide": the law-enforcement guide, per
// jurisdiction, from the policy catalogue.
func (s *Server) handleGuide(c *gin.Context) {
	cat, err := s.policy.CatalogueIn(c.Request.Context(), s.lang(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.html(c, http.StatusOK, "guide", cataloguePage{Page: s.page(c, "Law-enforcement guide"), Catalogue: cat})
}

// handleAPICatalogue handles "GET /api/v1/catalogue": processes, categories
// and what each process compels, from the same policy bundle.
func (s *Server) handleAPICatalogue(c *gin.Context) {
	cat, err := s.policy.Catalogue(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, cat)
}
