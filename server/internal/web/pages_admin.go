package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
)

type agenciesPage struct {
	Page
	Agencies  []apiAgency
	People    map[string][]apiPerson
	Kinds     []string
	Languages []string
	Fields    map[string]*errs.FieldError
	Form      apiAgency
	Domains   string // the registration form's e-mail domains, as typed
}

// handleAgenciesPage handles "GET /provider/agencies": admins onboard,
// suspend and reactivate agencies and their people.
func (s *Server) handleAgenciesPage(c *gin.Context) {
	s.renderAgencies(c, http.StatusOK, apiAgency{}, "", nil)
}

func (s *Server) renderAgencies(c *gin.Context, status int, form apiAgency, domains string, problem error) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	list, err := s.admin.Agencies(ctx, actor)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := agenciesPage{Page: s.page(c, "Agencies"), People: map[string][]apiPerson{}, Kinds: agency.Kinds, Languages: locale.Languages,
		Form: form, Domains: domains}
	for _, a := range list {
		p.Agencies = append(p.Agencies, toAPIAgency(a))
		people, err := s.admin.People(ctx, actor, a.ID)
		if err != nil {
			s.renderError(c, err)
			return
		}
		for _, person := range people {
			p.People[a.ID] = append(p.People[a.ID], toAPIPerson(person))
		}
	}
	if problem != nil {
		p.Page.Errors, p.Fields = fieldErrors(problem)
	}
	s.html(c, status, "provider_agencies", p)
}

// handleAgencyCreatePage handles "POST /provider/agencies".
func (s *Server) handleAgencyCreatePage(c *gin.Context) {
	form := apiAgency{Name: c.PostForm("name"), Country: c.PostForm("country"), Kind: c.PostForm("kind"),
		Issuer: c.PostForm("issuer"), IssuerOrg: c.PostForm("issuer_org"), Jurisdiction: c.PostForm("jurisdiction"),
		Language: c.PostForm("language"), TimeZone: c.PostForm("time_zone")}
	domains := c.PostForm("domains")
	a, err := s.admin.CreateAgency(c.Request.Context(), principal(c).Principal,
		agency.Agency{Name: form.Name, Country: form.Country, Kind: form.Kind, Issuer: form.Issuer, IssuerOrg: form.IssuerOrg,
			Jurisdiction: form.Jurisdiction, Language: form.Language, TimeZone: form.TimeZone},
		strings.FieldsFunc(domains, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }))
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderAgencies(c, statuses[code], form, domains, err)
			return
		}
		s.renderError(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("Agency %s registered: it stays pending until another administrator activates it.", a.Name))
	c.Redirect(http.StatusSeeOther, "/provider/agencies/"+a.ID)
}

// handleAgencyStatusPage handles "POST /provider/agencies/:id/status": a
// suspension or a first activation is answered with its confirmation
// first (confirmAgencyStatus); a reactivation acts at once.
func (s *Server) handleAgencyStatusPage(c *gin.Context) {
	status, id := c.PostForm("status"), c.Param("id")
	if c.PostForm("first") == "yes" || status == agency.StatusSuspended {
		if !confirmed(c.Request.PostForm) {
			s.confirmAgencyStatus(c, c.Request.PostForm)
			return
		}
	}
	if err := s.admin.SetAgencyStatus(c.Request.Context(), principal(c).Principal, id, status, c.PostForm("reason")); err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderAgency(c, statuses[code], id, agencyForms{Reason: c.PostForm("reason")}, err)
			return
		}
		s.renderError(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("The agency is now %s.", lowerFirst(wording.In(s.printer(c)).AccountTag(status).Text)))
	c.Redirect(http.StatusSeeOther, "/provider/agencies/"+id)
}

// handlePersonStatusPage handles "POST /provider/people/:id/status": a
// suspension is answered with its confirmation first
// (confirmPersonSuspension); a reactivation acts at once.
func (s *Server) handlePersonStatusPage(c *gin.Context) {
	status := c.PostForm("status")
	if status == identity.StatusSuspended && !confirmed(c.Request.PostForm) {
		s.confirmPersonSuspension(c, c.Request.PostForm)
		return
	}
	if err := s.admin.SetPersonStatus(c.Request.Context(), principal(c).Principal, c.Param("id"), status); err != nil {
		s.adminFailed(c, err)
		return
	}
	state := lowerFirst(wording.In(s.printer(c)).AccountTag(status).Text)
	if name := c.PostForm("name"); name != "" {
		s.setFlash(c, s.printer(c).Sprintf("%s is now %s.", name, state))
	} else {
		s.setFlash(c, s.printer(c).Sprintf("The person is now %s.", state))
	}
	c.Redirect(http.StatusSeeOther, "/provider/agencies")
}

// adminFailed shows the agencies page with why a change did not act (the
// error summary at its top), or the error page when there is none to show.
func (s *Server) adminFailed(c *gin.Context, err error) {
	if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
		s.renderAgencies(c, statuses[code], apiAgency{}, "", err)
		return
	}
	s.renderError(c, err)
}

// identityCheckNames are the names of the checks package identity runs
// on an issuer (Service.Inspect), for the page to say in its language.
var identityCheckNames = []string{locale.M("Discovery"), locale.M("Signing keys"), locale.M("Introspection"),
	locale.M("Sign-out"), locale.M("Back-channel logout")}

type identityPage struct {
	Page
	Reports  []identity.IssuerReport
	Agencies map[string][]apiAgency // by issuer URL
	Callback string
	Logout   string
}

// handleIdentityPage handles "GET /provider/identity": connect an
// identity provider — what each trusted issuer publishes, checked now, the
// agencies that sign in with it, and what to register at the provider.
func (s *Server) handleIdentityPage(c *gin.Context) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	reports, err := s.admin.IdentityProviders(ctx, actor)
	if err != nil {
		s.renderError(c, err)
		return
	}
	list, err := s.admin.Agencies(ctx, actor)
	if err != nil {
		s.renderError(c, err)
		return
	}
	pr := s.printer(c)
	for i := range reports {
		for j := range reports[i].Checks {
			if slices.Contains(identityCheckNames, reports[i].Checks[j].Name) {
				reports[i].Checks[j].Name = pr.Sprintf(reports[i].Checks[j].Name)
			}
		}
	}
	p := identityPage{Page: s.page(c, "Identity providers"), Reports: reports, Agencies: map[string][]apiAgency{},
		Callback: s.cfg.BaseURL + identity.CallbackPath, Logout: s.cfg.BaseURL + identity.BackChannelLogoutPath}
	for _, a := range list {
		p.Agencies[a.Issuer] = append(p.Agencies[a.Issuer], toAPIAgency(a))
	}
	s.html(c, http.StatusOK, "provider_identity", p)
}

// handleIdentityTest handles "POST /provider/identity/test": the
// administrator's test sign-in at the chosen issuer. The browser goes to
// sign in there; the callback (handleAuthCallback) shows what the portal
// made of it, on identity_test, and signs no one in.
func (s *Server) handleIdentityTest(c *gin.Context) {
	authURL, state, err := s.admin.BeginTestSignIn(c.Request.Context(), principal(c).Principal, c.PostForm("issuer"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.redirectToProvider(c, authURL, state)
}

// identityTestPage shows a test sign-in's result.
type identityTestPage struct {
	Page
	R      *identity.TestResult
	Claims string // the verified ID token's claims, indented JSON
}

// showIdentityTest renders a test sign-in's result for the administrator
// who began it, and for nobody else.
func (s *Server) showIdentityTest(c *gin.Context, r *identity.TestResult) {
	a, ok := authFrom(c)
	if !ok || a.Bearer || a.Principal.PersonID != r.InitiatorID {
		s.renderError(c, errs.E(errs.Forbidden, "This test sign-in was begun by someone else, or your session ended meanwhile: begin it again from the identity providers page."))
		return
	}
	p := identityTestPage{Page: s.page(c, "Test sign-in"), R: r}
	if r.Claims != nil {
		if b, err := json.MarshalIndent(r.Claims, "", "  "); err == nil {
			p.Claims = string(b)
		}
	}
	s.html(c, http.StatusOK, "provider_identity_test", p)
}
