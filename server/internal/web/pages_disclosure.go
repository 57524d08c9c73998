package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

type agencySettingsPage struct {
	Page
	Recipient   apiRecipient
	Form        string // what was typed, when it was refused
	Fields      map[string]*errs.FieldError
	Productions []apiProduction
	Fingerprint string
	Now         time.Time
}

// handleAgencySettings handles "GET /agency/settings": the agency's age
// recipient and its packages.
func (s *Server) handleAgencySettings(c *gin.Context) {
	s.renderAgencySettings(c, http.StatusOK, "", nil)
}

func (s *Server) renderAgencySettings(c *gin.Context, status int, form string, problem error) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	ctx, actor := c.Request.Context(), principal(c).Principal
	r, err := svc.GetRecipient(ctx, actor)
	if err != nil {
		s.renderError(c, err)
		return
	}
	list, err := svc.ForAgency(ctx, actor)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := agencySettingsPage{Page: s.page(c, s.printer(c).Sprintf("%s: settings", principal(c).Principal.AgencyName)), Recipient: toAPIRecipient(r), Form: form,
		Fingerprint: svc.Keys.Fingerprint(), Now: time.Now()}
	for i := range list {
		p.Productions = append(p.Productions, toAPIProduction(&list[i].Production, list[i].Reference, false))
	}
	if problem != nil {
		p.Page.Errors, p.Fields = fieldErrors(problem)
	}
	s.html(c, status, "agency_settings", p)
}

// handleAgencyRecipientSave handles "POST /agency/settings/recipient": set
// the recipient, or remove it with action=remove.
func (s *Server) handleAgencyRecipientSave(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	ctx, actor := c.Request.Context(), principal(c).Principal
	if c.PostForm("action") == "remove" {
		if err := svc.DeleteRecipient(ctx, actor); err != nil {
			s.renderError(c, err)
			return
		}
		s.setFlash(c, s.printer(c).Sprintf("The recipient was removed. New packages are sealed by the portal and served only through it."))
		c.Redirect(http.StatusSeeOther, "/agency/settings")
		return
	}
	form := c.PostForm("recipient")
	if _, err := svc.SetRecipient(ctx, actor, form); err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			s.renderAgencySettings(c, http.StatusUnprocessableEntity, form, err)
			return
		}
		s.renderError(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("Recipient saved. New packages for your agency are encrypted to it."))
	c.Redirect(http.StatusSeeOther, "/agency/settings")
}

type providerNoticesPage struct {
	Page
	Notices     []apiNotice // scheduled, queued or failed
	Withheld    []apiNotice // never sent: the law forbids telling the account holder
	Productions []apiProduction
	CanBuild    bool
}

// handleProviderNotices handles "GET /provider/notices": user notices that
// are waiting (for an order to end, or for the webhook) or failed, those
// the law withholds with its reason, and productions that failed or wait
// for a build.
func (s *Server) handleProviderNotices(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	ctx, actor := c.Request.Context(), principal(c).Principal
	ns, err := svc.ListNotices(ctx, actor, nil)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ps, err := svc.List(ctx, disclosure.ListFilter{Statuses: []string{disclosure.StatusFailed, disclosure.StatusQueued, disclosure.StatusBuilding}})
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := providerNoticesPage{Page: s.page(c, "Productions and notices")}
	p.CanBuild = p.Caps.Can(disclosure.ActionRetry)
	for _, n := range ns {
		if n.Status == disclosure.NoticeWithheld {
			p.Withheld = append(p.Withheld, toAPINotice(n))
		} else {
			p.Notices = append(p.Notices, toAPINotice(n))
		}
	}
	for i := range ps {
		p.Productions = append(p.Productions, toAPIProduction(&ps[i].Production, ps[i].Reference, true))
	}
	s.html(c, http.StatusOK, "provider_notices", p)
}

// handleProviderProductionBuild handles "POST /provider/requests/:id/production":
// start or retry a build from the page.
func (s *Server) handleProviderProductionBuild(c *gin.Context) {
	svc, ok := s.productions(c)
	if !ok {
		return
	}
	p, err := svc.Retry(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	msg := s.printer(c).Sprintf("The package build was queued.")
	if p.Status == disclosure.StatusReady {
		msg = s.printer(c).Sprintf("The package was built and is available to the agency.")
	}
	s.setFlash(c, msg)
	c.Redirect(http.StatusSeeOther, "/provider/notices")
}
