package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/admin"
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// agencyForms are the agency page's forms as typed, shown again beside
// their errors.
type agencyForms struct {
	Method, Note         string // verification
	Label, Phone, Source string // callback directory
	Domain               string
	Reason               string // suspension
}

// methodWords say agency.VerificationMethods.
var methodWords = map[string]string{
	"official_directory":  locale.M("Official directory of the agency"),
	"known_contact":       locale.M("A contact the provider already knew"),
	"in_person":           locale.M("In person"),
	"government_registry": locale.M("Government registry"),
	"other":               locale.M("Other (say which in the note)"),
}

type agencyPage struct {
	Page
	R       *admin.AgencyRecord
	Methods []option // value: agency.VerificationMethods; label: its words
	Method  map[string]string
	// CanActivate: the agency is pending and the reader is not the
	// administrator who registered it (four eyes).
	CanActivate bool
	Form        agencyForms
	Fields      map[string]*errs.FieldError
}

// Who names the person with id (a string or a *string) the record cites,
// or says the id when the record cites no name for it.
func (p agencyPage) Who(id any) string {
	var s string
	switch v := id.(type) {
	case string:
		s = v
	case *string:
		if v != nil {
			s = *v
		}
	}
	if n := p.R.Names[s]; n != "" {
		return n
	}
	return s
}

// handleAgencyPage handles "GET /provider/agencies/:id": the agency's
// details, status history, verification, e-mail domains and callback
// directory, with the administrators' actions.
func (s *Server) handleAgencyPage(c *gin.Context) {
	s.renderAgency(c, http.StatusOK, c.Param("id"), agencyForms{}, nil)
}

func (s *Server) renderAgency(c *gin.Context, status int, id string, form agencyForms, problem error) {
	actor := principal(c).Principal
	r, err := s.admin.Agency(c.Request.Context(), actor, id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	pr := s.printer(c)
	p := agencyPage{Page: s.page(c, r.Agency.Name), R: r, Method: map[string]string{}, Form: form,
		CanActivate: r.Agency.Status == agency.StatusPending && (r.Agency.CreatedBy == nil || *r.Agency.CreatedBy != actor.PersonID)}
	for _, m := range agency.VerificationMethods {
		p.Method[m] = pr.Sprintf(methodWords[m])
		p.Methods = append(p.Methods, option{Value: m, Label: p.Method[m]})
	}
	if problem != nil {
		p.Page.Errors, p.Fields = fieldErrors(problem)
	}
	s.html(c, status, "provider_agency", p)
}

// agencyChanged answers an agency page's form: back to the page with a
// flash, or the page again with the form's errors beside its fields.
func (s *Server) agencyChanged(c *gin.Context, form agencyForms, err error, flash string) {
	id := c.Param("id")
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Invalid || code == errs.Conflict || code == errs.TooLarge || code == errs.Unsupported {
			s.renderAgency(c, statuses[code], id, form, err)
			return
		}
		s.renderError(c, err)
		return
	}
	s.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, "/provider/agencies/"+id)
}

// handleAgencyVerificationPage handles "POST /provider/agencies/:id/verifications".
func (s *Server) handleAgencyVerificationPage(c *gin.Context) {
	form := agencyForms{Method: c.PostForm("method"), Note: c.PostForm("note")}
	_, err := s.admin.AddVerification(c.Request.Context(), principal(c).Principal, c.Param("id"), form.Method, form.Note)
	s.agencyChanged(c, form, err, s.printer(c).Sprintf("Verification recorded."))
}

// handleAgencyDocumentPage handles "POST /provider/agencies/:id/documents".
func (s *Server) handleAgencyDocumentPage(c *gin.Context) {
	_, err := s.agencyUpload(c)
	s.agencyChanged(c, agencyForms{}, err, s.printer(c).Sprintf("Document uploaded."))
}

// handleAgencyCallbackPage handles "POST /provider/agencies/:id/callbacks".
func (s *Server) handleAgencyCallbackPage(c *gin.Context) {
	form := agencyForms{Label: c.PostForm("label"), Phone: c.PostForm("phone"), Source: c.PostForm("source")}
	_, err := s.admin.AddCallback(c.Request.Context(), principal(c).Principal, c.Param("id"), form.Label, form.Phone, form.Source)
	s.agencyChanged(c, form, err, s.printer(c).Sprintf("Number added to the callback directory."))
}

// handleAgencyCallbackRemovePage handles "POST /provider/agencies/:id/callbacks/:cid/remove".
func (s *Server) handleAgencyCallbackRemovePage(c *gin.Context) {
	err := s.admin.RemoveCallback(c.Request.Context(), principal(c).Principal, c.Param("id"), c.Param("cid"))
	s.agencyChanged(c, agencyForms{}, err, s.printer(c).Sprintf("Number removed from the callback directory."))
}

// handleAgencyDomainPage handles "POST /provider/agencies/:id/domains".
func (s *Server) handleAgencyDomainPage(c *gin.Context) {
	form := agencyForms{Domain: c.PostForm("domain")}
	_, err := s.admin.AddEmailDomain(c.Request.Context(), principal(c).Principal, c.Param("id"), form.Domain)
	s.agencyChanged(c, form, err, s.printer(c).Sprintf("E-mail domain added."))
}

// confirmAgencyStatus answers an agency's suspension or first activation
// with its confirmation. It acts on nothing.
func (s *Server) confirmAgencyStatus(c *gin.Context, form url.Values) {
	r, err := s.admin.Agency(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	a := r.Agency
	pr := s.printer(c)
	p := confirmPage{Facts: []fact{{pr.Sprintf("Agency"), a.Name + " (" + a.Country + ")"}},
		Action: "/provider/agencies/" + a.ID + "/status", Fields: carry(form), Cancel: "/provider/agencies/" + a.ID}
	if form.Get("status") == agency.StatusSuspended {
		p.Heading, p.Button = pr.Sprintf("Suspend %s?", a.Name), pr.Sprintf("Suspend %s", a.Name)
		p.Facts = append(p.Facts, fact{pr.Sprintf("Reason"), form.Get("reason")})
		p.What = []string{pr.Sprintf("Everyone at %s, people and systems alike, is refused from their next request: their sessions and API tokens stop working.", a.Name),
			pr.Sprintf("Requests already filed stay as they are. An administrator can reactivate the agency.")}
	} else {
		p.Heading, p.Button = pr.Sprintf("Activate %s?", a.Name), pr.Sprintf("Activate %s", a.Name)
		p.What = []string{pr.Sprintf("%s's people and systems can sign in and file requests from now on.", a.Name),
			pr.Sprintf("You confirm that you checked the verification records and the callback directory yourself.")}
	}
	p.Page = s.page(c, p.Heading)
	s.html(c, http.StatusOK, "confirm", p)
}
