package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// apiSupervisor is a supervisor an emergency may name to co-sign it: id is
// what emergency.supervisor_id takes.
type apiSupervisor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// apiSupervisorList is the answer of GET /api/v1/agency/supervisors.
type apiSupervisorList struct {
	Items []apiSupervisor `json:"items"`
}

// handleAPISupervisors handles "GET /api/v1/agency/supervisors": the active
// supervisors of the caller's own agency whom an emergency it files may
// name, as the request form offers them.
func (s *Server) handleAPISupervisors(c *gin.Context) {
	list, err := s.requests.ListSupervisors(c.Request.Context(), principal(c).Principal)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := apiSupervisorList{Items: make([]apiSupervisor, len(list))}
	for i, sup := range list {
		out.Items[i] = apiSupervisor{ID: sup.ID, Name: sup.Name, Email: sup.Email}
	}
	c.JSON(http.StatusOK, out)
}
