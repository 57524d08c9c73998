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
		e := errs.E(errs.Invalid, "The body is not the expected JSON object: %s", err.Error())
		e.Fields, e.Err = []errs.FieldError{{Field: "body", Message: err.Error()}}, err
		return e
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
