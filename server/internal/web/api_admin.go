package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

type apiAgency struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Country   string    `json:"country"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	Issuer    string    `json:"issuer"`
	IssuerOrg string    `json:"issuer_org"`
	CreatedAt time.Time `json:"created_at"`
}

func toAPIAgency(a agency.Agency) apiAgency {
	return apiAgency{ID: a.ID, Name: a.Name, Country: a.Country, Kind: a.Kind, Status: a.Status,
		Issuer: a.Issuer, IssuerOrg: a.IssuerOrg, CreatedAt: a.CreatedAt}
}

type apiPerson struct {
	ID         string     `json:"id"`
	Issuer     string     `json:"issuer"`
	Subject    string     `json:"subject"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Email      string     `json:"email"`
	Roles      []string   `json:"roles"`
	Status     string     `json:"status"`
	LastSeenAt *time.Time `json:"last_seen_at"`
}

func toAPIPerson(p identity.Person) apiPerson {
	out := apiPerson{ID: p.ID, Issuer: p.Issuer, Subject: p.Subject, Kind: p.Kind, Name: p.Name, Email: p.Email,
		Status: p.Status, LastSeenAt: p.LastSeenAt, Roles: []string{}}
	for _, r := range p.RoleList() {
		out.Roles = append(out.Roles, string(r))
	}
	return out
}

// decodeStrict decodes a small JSON object, refusing unknown fields.
func decodeStrict(c *gin.Context, v any) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	if err := strictUnmarshal(body, v); err != nil {
		return &errs.Error{Code: errs.Invalid, Message: "The body is not the expected JSON object: " + err.Error(),
			Fields: []errs.FieldError{{Field: "body", Message: err.Error()}}}
	}
	return nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytesReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// handleAPIAgencies handles "GET /api/v1/agencies" (admins).
func (s *Server) handleAPIAgencies(c *gin.Context) {
	list, err := s.admin.Agencies(c.Request.Context(), principal(c).Principal)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]apiAgency, 0, len(list))
	for _, a := range list {
		out = append(out, toAPIAgency(a))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// handleAPIAgencyCreate handles "POST /api/v1/agencies" (admins).
func (s *Server) handleAPIAgencyCreate(c *gin.Context) {
	var in struct {
		Name      string `json:"name"`
		Country   string `json:"country"`
		Kind      string `json:"kind"`
		Issuer    string `json:"issuer"`
		IssuerOrg string `json:"issuer_org"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.admin.CreateAgency(c.Request.Context(), principal(c).Principal,
		agency.Agency{Name: in.Name, Country: in.Country, Kind: in.Kind, Issuer: in.Issuer, IssuerOrg: in.IssuerOrg})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", "/api/v1/agencies/"+a.ID)
	c.JSON(http.StatusCreated, toAPIAgency(*a))
}

type statusBody struct {
	Status string `json:"status"`
}

// handleAPIAgencyStatus handles "PATCH /api/v1/agencies/:id": {"status": "suspended"|"active"}.
func (s *Server) handleAPIAgencyStatus(c *gin.Context) {
	var in statusBody
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.admin.SetAgencyStatus(c.Request.Context(), principal(c).Principal, c.Param("id"), in.Status); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleAPIAgencyPeople handles "GET /api/v1/agencies/:id/people" (admins).
func (s *Server) handleAPIAgencyPeople(c *gin.Context) {
	people, err := s.admin.People(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]apiPerson, 0, len(people))
	for _, p := range people {
		out = append(out, toAPIPerson(p))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// handleAPIPersonStatus handles "PATCH /api/v1/people/:id": {"status": "suspended"|"active"}.
func (s *Server) handleAPIPersonStatus(c *gin.Context) {
	var in statusBody
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.admin.SetPersonStatus(c.Request.Context(), principal(c).Principal, c.Param("id"), in.Status); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type agenciesPage struct {
	Page
	Agencies []apiAgency
	People   map[string][]apiPerson
	Kinds    []string
	Errors   []errs.FieldError
	Fields   map[string]*errs.FieldError
	Form     apiAgency
}

// handleAgenciesPage handles "GET /provider/agencies": admins onboard,
// suspend and reactivate agencies and their people.
func (s *Server) handleAgenciesPage(c *gin.Context) {
	s.renderAgencies(c, http.StatusOK, apiAgency{}, nil)
}

func (s *Server) renderAgencies(c *gin.Context, status int, form apiAgency, problem error) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	list, err := s.admin.Agencies(ctx, actor)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := agenciesPage{Page: s.page(c, "Agencies"), People: map[string][]apiPerson{}, Kinds: agency.Kinds, Form: form}
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
		p.Errors, p.Fields = fieldErrors(problem)
	}
	s.html(c, status, "provider_agencies", p)
}

// handleAgencyCreatePage handles "POST /provider/agencies".
func (s *Server) handleAgencyCreatePage(c *gin.Context) {
	form := apiAgency{Name: c.PostForm("name"), Country: c.PostForm("country"), Kind: c.PostForm("kind"),
		Issuer: c.PostForm("issuer"), IssuerOrg: c.PostForm("issuer_org")}
	a, err := s.admin.CreateAgency(c.Request.Context(), principal(c).Principal,
		agency.Agency{Name: form.Name, Country: form.Country, Kind: form.Kind, Issuer: form.Issuer, IssuerOrg: form.IssuerOrg})
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict {
			s.renderAgencies(c, statuses[code], form, err)
			return
		}
		s.renderError(c, err)
		return
	}
	s.setFlash(c, "Agency "+a.Name+" onboarded.")
	c.Redirect(http.StatusSeeOther, "/provider/agencies")
}

// handleAgencyStatusPage handles "POST /provider/agencies/:id/status".
func (s *Server) handleAgencyStatusPage(c *gin.Context) {
	if err := s.admin.SetAgencyStatus(c.Request.Context(), principal(c).Principal, c.Param("id"), c.PostForm("status")); err != nil {
		s.renderError(c, err)
		return
	}
	s.setFlash(c, "Agency status changed to "+c.PostForm("status")+".")
	c.Redirect(http.StatusSeeOther, "/provider/agencies")
}

// handlePersonStatusPage handles "POST /provider/people/:id/status".
func (s *Server) handlePersonStatusPage(c *gin.Context) {
	if err := s.admin.SetPersonStatus(c.Request.Context(), principal(c).Principal, c.Param("id"), c.PostForm("status")); err != nil {
		s.renderError(c, err)
		return
	}
	s.setFlash(c, "Status changed to "+c.PostForm("status")+".")
	c.Redirect(http.StatusSeeOther, "/provider/agencies")
}
