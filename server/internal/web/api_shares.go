package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// apiShare is a colleague a request is shared with, as the agency reads
// it: who, who shared it and when, nothing else.
type apiShare struct {
	PersonID string    `json:"person_id"`
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	SharedBy string    `json:"shared_by"`
	SharedAt time.Time `json:"shared_at"`
}

// apiShareList is the answer of GET /api/v1/requests/{id}/shares.
type apiShareList struct {
	Items []apiShare `json:"items"`
}

func toAPIShare(sh request.Share) apiShare {
	return apiShare{PersonID: sh.ID, Name: sh.Name, Email: sh.Email, SharedBy: sh.SharedBy, SharedAt: sh.SharedAt.UTC()}
}

// handleAPIShares handles "GET /api/v1/requests/:id/shares": the colleagues
// of the agency the request is shared with (besides its filer and the
// agency's supervisors, who always see it).
func (s *Server) handleAPIShares(c *gin.Context) {
	a, err := s.requests.Access(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := apiShareList{Items: make([]apiShare, len(a.Shares))}
	for i, sh := range a.Shares {
		out.Items[i] = toAPIShare(sh)
	}
	c.JSON(http.StatusOK, out)
}

// handleAPIShare handles "POST /api/v1/requests/:id/shares" {"person_id":
// "…"}: the filer or a supervisor shares the request with a colleague.
func (s *Server) handleAPIShare(c *gin.Context) {
	var in struct {
		PersonID string `json:"person_id"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	sh, err := s.requests.Share(c.Request.Context(), principal(c).Principal, c.Param("id"), in.PersonID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAPIShare(*sh))
}

// handleAPIUnshare handles "DELETE /api/v1/requests/:id/shares/:person":
// the filer or a supervisor stops sharing the request with a colleague.
func (s *Server) handleAPIUnshare(c *gin.Context) {
	if _, err := s.requests.Unshare(c.Request.Context(), principal(c).Principal, c.Param("id"), c.Param("person")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleSharePage handles "POST /agency/requests/:id/shares": the filer or a
// supervisor shares the request with the colleague chosen; a refusal comes
// back beside the field.
func (s *Server) handleSharePage(c *gin.Context) {
	sh, err := s.requests.Share(c.Request.Context(), principal(c).Principal, c.Param("id"), c.PostForm("person_id"))
	if err != nil {
		s.agencyActionFailed(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("%s can now see this request.", sh.Name))
	c.Redirect(http.StatusSeeOther, "/agency/requests/"+c.Param("id")+"#access")
}

// handleUnsharePage handles "POST /agency/requests/:id/unshare": the filer
// or a supervisor stops sharing the request with a colleague.
func (s *Server) handleUnsharePage(c *gin.Context) {
	who, err := s.requests.Unshare(c.Request.Context(), principal(c).Principal, c.Param("id"), c.PostForm("person_id"))
	if err != nil {
		s.agencyActionFailed(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("%s can no longer see this request.", who.Name))
	c.Redirect(http.StatusSeeOther, "/agency/requests/"+c.Param("id")+"#access")
}
