package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

type auditFilterForm struct {
	Request, Actor, Action, From, To string
}

type auditViewPage struct {
	Page
	Filter      auditFilterForm
	Items       []apiAuditEvent
	NextURL     string // the next (older) page, with the same filters; "" on the last
	Errors      []errs.FieldError
	FieldErrors map[string]*errs.FieldError
}

// handleAuditPage handles "GET /provider/audit": the auditor's view of the
// audit trail, with the same filters and authorisation as GET /api/v1/audit.
func (s *Server) handleAuditPage(c *gin.Context) {
	form := auditFilterForm{Request: c.Query("request"), Actor: c.Query("actor"), Action: c.Query("action"),
		From: c.Query("from"), To: c.Query("to")}
	p := auditViewPage{Page: s.page(c, "Audit trail"), Filter: form, FieldErrors: map[string]*errs.FieldError{}}
	_, page, err := s.auditPage(c)
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			s.renderError(c, err)
			return
		}
		p.Errors, p.FieldErrors = fieldErrors(err)
		s.html(c, http.StatusUnprocessableEntity, "audit", p)
		return
	}
	for _, ev := range page.Events {
		p.Items = append(p.Items, toAPIAuditEvent(ev))
	}
	if page.NextCursor != "" {
		q := url.Values{}
		for k, v := range map[string]string{"request": form.Request, "actor": form.Actor, "action": form.Action, "from": form.From, "to": form.To} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("cursor", page.NextCursor)
		p.NextURL = "/provider/audit?" + q.Encode()
	}
	s.html(c, http.StatusOK, "audit", p)
}
