package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/admin"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

type apiAgency struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Country      string     `json:"country"`
	Kind         string     `json:"kind"`
	Status       string     `json:"status"`
	Issuer       string     `json:"issuer"`
	IssuerOrg    string     `json:"issuer_org"`
	Jurisdiction string     `json:"jurisdiction"`
	Language     string     `json:"language"`
	TimeZone     string     `json:"time_zone"`
	CreatedBy    *string    `json:"created_by"`
	ActivatedBy  *string    `json:"activated_by"`
	ActivatedAt  *time.Time `json:"activated_at"`
	CreatedAt    time.Time  `json:"created_at"`
}

func toAPIAgency(a agency.Agency) apiAgency {
	return apiAgency{ID: a.ID, Name: a.Name, Country: a.Country, Kind: a.Kind, Status: a.Status,
		Issuer: a.Issuer, IssuerOrg: a.IssuerOrg, Jurisdiction: a.Jurisdiction, Language: a.Language, TimeZone: a.TimeZone,
		CreatedBy: a.CreatedBy, ActivatedBy: a.ActivatedBy, ActivatedAt: a.ActivatedAt, CreatedAt: a.CreatedAt}
}

// apiAgencyRecord is an agency with the provider's records of it
// (GET /api/v1/agencies/{id}, administrators only).
type apiAgencyRecord struct {
	apiAgency
	StatusChanges []agency.StatusChange  `json:"status_changes"`
	Verifications []agency.Verification  `json:"verifications"`
	Documents     []apiAgencyDocument    `json:"documents"`
	Domains       []string               `json:"email_domains"`
	Callbacks     []agency.CallbackEntry `json:"callbacks"`
}

type apiAgencyDocument struct {
	agency.Document
	URL string `json:"url"`
}

func toAPIAgencyDocument(d agency.Document) apiAgencyDocument {
	return apiAgencyDocument{Document: d, URL: "/api/v1/agencies/" + d.AgencyID + "/documents/" + d.ID}
}

func toAPIAgencyRecord(r *admin.AgencyRecord) apiAgencyRecord {
	out := apiAgencyRecord{apiAgency: toAPIAgency(r.Agency), StatusChanges: r.StatusChanges, Verifications: r.Verifications,
		Documents: []apiAgencyDocument{}, Domains: []string{}, Callbacks: r.Callbacks}
	for _, d := range r.Documents {
		out.Documents = append(out.Documents, toAPIAgencyDocument(d))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, d.Domain)
	}
	if out.StatusChanges == nil {
		out.StatusChanges = []agency.StatusChange{}
	}
	if out.Verifications == nil {
		out.Verifications = []agency.Verification{}
	}
	if out.Callbacks == nil {
		out.Callbacks = []agency.CallbackEntry{}
	}
	return out
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
		Name         string   `json:"name"`
		Country      string   `json:"country"`
		Kind         string   `json:"kind"`
		Issuer       string   `json:"issuer"`
		IssuerOrg    string   `json:"issuer_org"`
		Jurisdiction string   `json:"jurisdiction"`
		Language     string   `json:"language"`
		TimeZone     string   `json:"time_zone"`
		Domains      []string `json:"email_domains"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.admin.CreateAgency(c.Request.Context(), principal(c).Principal,
		agency.Agency{Name: in.Name, Country: in.Country, Kind: in.Kind, Issuer: in.Issuer, IssuerOrg: in.IssuerOrg,
			Jurisdiction: in.Jurisdiction, Language: in.Language, TimeZone: in.TimeZone}, in.Domains)
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

// handleAPIAgencyStatus handles "PATCH /api/v1/agencies/:id":
// {"status": "suspended"|"active", "reason": "..."}; a pending agency is
// activated by an administrator other than the one who registered it.
func (s *Server) handleAPIAgencyStatus(c *gin.Context) {
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.admin.SetAgencyStatus(c.Request.Context(), principal(c).Principal, c.Param("id"), in.Status, in.Reason); err != nil {
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

// handleAPIAgency handles "GET /api/v1/agencies/:id" (admins): the agency
// with its status history, verification, e-mail domains and callback
// directory.
func (s *Server) handleAPIAgency(c *gin.Context) {
	r, err := s.admin.Agency(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIAgencyRecord(r))
}

// handleAPIAgencyVerification handles "POST /api/v1/agencies/:id/verifications".
func (s *Server) handleAPIAgencyVerification(c *gin.Context) {
	var in struct {
		Method string `json:"method"`
		Note   string `json:"note"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	v, err := s.admin.AddVerification(c.Request.Context(), principal(c).Principal, c.Param("id"), in.Method, in.Note)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

// handleAPIAgencyDocument handles "POST /api/v1/agencies/:id/documents":
// a supporting document as multipart field "file", with an optional field
// "verification_id" before it.
func (s *Server) handleAPIAgencyDocument(c *gin.Context) {
	d, err := s.agencyUpload(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := toAPIAgencyDocument(*d)
	c.Header("Location", out.URL)
	c.JSON(http.StatusCreated, out)
}

// agencyUpload streams the multipart field "file" to the admin service.
func (s *Server) agencyUpload(c *gin.Context) (*agency.Document, error) {
	fileErr := func(e *errs.Error) error {
		e.Fields = []errs.FieldError{{Field: "file", Message: e.Message, Format: e.Format, Args: e.Args}}
		return e
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		return nil, fileErr(errs.E(errs.Unsupported, "Upload the document as multipart/form-data in the field \"file\"."))
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, fileErr(errs.E(errs.Invalid, "The upload is not valid multipart/form-data."))
	}
	verification := ""
	for {
		part, err := mr.NextPart()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, fileErr(errs.E(errs.TooLarge, "The file is larger than the upload limit."))
			}
			return nil, fileErr(errs.E(errs.Invalid, "No file was sent: attach the document in the field \"file\"."))
		}
		switch part.FormName() {
		case "verification_id":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			verification = strings.TrimSpace(string(b))
			part.Close()
			continue
		case "file":
		default:
			part.Close()
			continue
		}
		d, err := s.admin.UploadAgencyDocument(c.Request.Context(), principal(c).Principal, c.Param("id"), verification, part.FileName(), part)
		part.Close()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fileErr(errs.E(errs.TooLarge, "The file is larger than the upload limit."))
		}
		return d, err
	}
}

// handleAgencyDocumentDownload handles "GET …/agencies/:id/documents/:doc"
// (admins), for the API and the agency's page alike.
func (s *Server) handleAgencyDocumentDownload(c *gin.Context) {
	d, rc, err := s.admin.AgencyDocument(c.Request.Context(), principal(c).Principal, c.Param("id"), c.Param("doc"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	defer rc.Close()
	serveAttachment(c, d.Filename, d.SHA256, d.Size, d.ContentType, rc)
}

// handleAPIAgencyCallback handles "POST /api/v1/agencies/:id/callbacks".
func (s *Server) handleAPIAgencyCallback(c *gin.Context) {
	var in struct {
		Label  string `json:"label"`
		Phone  string `json:"phone"`
		Source string `json:"source"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	cb, err := s.admin.AddCallback(c.Request.Context(), principal(c).Principal, c.Param("id"), in.Label, in.Phone, in.Source)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, cb)
}

// handleAPIAgencyCallbackRemove handles "DELETE /api/v1/agencies/:id/callbacks/:cid".
func (s *Server) handleAPIAgencyCallbackRemove(c *gin.Context) {
	if err := s.admin.RemoveCallback(c.Request.Context(), principal(c).Principal, c.Param("id"), c.Param("cid")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleAPIAgencyDomain handles "POST /api/v1/agencies/:id/domains".
func (s *Server) handleAPIAgencyDomain(c *gin.Context) {
	var in struct {
		Domain string `json:"domain"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	d, err := s.admin.AddEmailDomain(c.Request.Context(), principal(c).Principal, c.Param("id"), in.Domain)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"domain": d})
}
