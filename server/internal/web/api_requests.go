package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/casefile"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// codePreconditionRequired asks an API client for If-Match: edits are
// optimistic, so a client must say which version it changes.
const codePreconditionRequired errs.Code = "precondition_required"

func principal(c *gin.Context) *auth {
	a, _ := authFrom(c)
	return a
}

// readJSON reads a JSON body within the size limit and refuses, as 400,
// one that is not JSON a parser can be trusted with (checkJSON). An empty
// body is left to the caller: some operations take none.
func readJSON(c *gin.Context) ([]byte, error) {
	if ct := c.ContentType(); ct != "application/json" && ct != "application/merge-patch+json" {
		return nil, errs.E(errs.Unsupported, "Send the body as application/json.")
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errs.E(errs.TooLarge, "The request body is larger than %d bytes.", tooBig.Limit)
		}
		return nil, errs.Wrap(err, errs.Invalid, "The request body could not be read.")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return b, nil
	}
	if err := checkJSON(b); err != nil {
		return nil, err
	}
	return b, nil
}

// toAPIFile is a request's case file in the API's shape; base is the URL
// prefix its document links live under.
func toAPIFile(f *casefile.File, base string) apiRequest {
	out := toAPIRequest(f.Request, f.Agency, &f.Scope, base)
	if id := f.Request.FiledVia; id != nil {
		out.FiledVia = &apiPersonRef{ID: *id, Name: f.Actors[*id]}
	}
	if f.Workflow != nil {
		toAPIWorkflow(f.Workflow, &out)
	}
	if f.Signals != nil {
		list := make([]apiSignal, 0, len(f.Signals))
		for _, sg := range f.Signals {
			list = append(list, apiSignal{Code: sg.Code, Reason: sg.Text})
		}
		out.Signals = &list
	}
	return out
}

// writeRequest answers with r, which the caller has just read or changed,
// as its case file.
func (s *Server) writeRequest(c *gin.Context, status int, r *request.Request) {
	f, err := s.casefiles.Of(c.Request.Context(), principal(c).Principal, r)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.writeFile(c, status, f)
}

func (s *Server) writeFile(c *gin.Context, status int, f *casefile.File) {
	c.Header("ETag", strconv.Quote(strconv.Itoa(f.Request.Version)))
	c.JSON(status, toAPIFile(f, "/api/v1"))
}

// handleAPIRequestCreate handles "POST /api/v1/requests": a new draft.
func (s *Server) handleAPIRequestCreate(c *gin.Context) {
	body, err := readJSON(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	in, err := request.DecodeInput(body)
	if err != nil {
		s.renderError(c, err)
		return
	}
	r, err := s.requests.Create(c.Request.Context(), principal(c).Principal, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", "/api/v1/requests/"+r.ID)
	s.writeRequest(c, http.StatusCreated, r)
}

// handleAPIRequestGet handles "GET /api/v1/requests/:id": the request with
// its history and the policy's scope decision.
func (s *Server) handleAPIRequestGet(c *gin.Context) {
	f, err := s.casefiles.Open(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.writeFile(c, http.StatusOK, f)
}

// handleAPIRequestUpdate handles "PATCH /api/v1/requests/:id": edit a draft.
// The client names the version it read in If-Match (the ETag of GET).
func (s *Server) handleAPIRequestUpdate(c *gin.Context) {
	version, err := ifMatchVersion(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	body, err := readJSON(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	u, err := request.DecodeUpdate(body)
	if err != nil {
		s.renderError(c, err)
		return
	}
	r, err := s.requests.Update(c.Request.Context(), principal(c).Principal, c.Param("id"), version, u)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.writeRequest(c, http.StatusOK, r)
}

func ifMatchVersion(c *gin.Context) (int, error) {
	h := strings.TrimPrefix(strings.TrimSpace(c.GetHeader("If-Match")), "W/")
	if h == "" {
		return 0, errs.E(codePreconditionRequired, "Send If-Match with the ETag (version) of the request you read, so that concurrent edits are not lost.")
	}
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v < 1 {
		return 0, &errs.Error{Code: errs.Invalid, Message: "If-Match must be the ETag returned by GET, such as \"3\".",
			Fields: []errs.FieldError{{Field: "If-Match", Message: "not a version"}}}
	}
	return v, nil
}

// handleAPIDocumentUpload handles "POST /api/v1/requests/:id/documents": the
// signed order as multipart field "file". The part is streamed, never held
// whole in memory.
func (s *Server) handleAPIDocumentUpload(c *gin.Context) {
	doc, err := s.upload(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	id := c.Param("id")
	c.Header("Location", "/api/v1/requests/"+id+"/documents/"+doc.ID)
	c.JSON(http.StatusCreated, apiDocument{ID: doc.ID, Filename: doc.Filename, SHA256: doc.SHA256, Size: doc.Size,
		UploadedAt: doc.CreatedAt, URL: "/api/v1/requests/" + id + "/documents/" + doc.ID})
}

// upload finds the multipart field "file" and hands its stream to the domain.
func (s *Server) upload(c *gin.Context) (*request.Document, error) {
	fileErr := func(e *errs.Error) error {
		e.Fields = []errs.FieldError{{Field: "file", Message: e.Message, Format: e.Format, Args: e.Args}}
		return e
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, fileErr(errs.E(errs.Unsupported, "Upload the order as multipart/form-data with the PDF in the field \"file\"."))
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, fileErr(errs.E(errs.Invalid, "The upload is not valid multipart/form-data."))
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, fileErr(errs.E(errs.TooLarge, "The file is larger than the upload limit."))
			}
			return nil, fileErr(errs.E(errs.Invalid, "No file was sent: attach the PDF in the field \"file\"."))
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		doc, err := s.requests.UploadDocument(c.Request.Context(), principal(c).Principal, c.Param("id"), part.FileName(), part)
		part.Close()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fileErr(errs.E(errs.TooLarge, "The file is larger than the upload limit."))
		}
		return doc, err
	}
}

// handleDocumentDownload handles "GET …/requests/:id/documents/:doc": the
// order, always as an attachment so a browser never renders it in our origin.
func (s *Server) handleDocumentDownload(c *gin.Context) {
	doc, rc, err := s.requests.OpenDocument(c.Request.Context(), principal(c).Principal, c.Param("id"), c.Param("doc"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	defer rc.Close()
	serveAttachment(c, doc.DownloadName(), doc.SHA256, doc.Size, "application/pdf", rc)
}

// serveAttachment sends an uploaded file always as an attachment, in a
// sandbox, so a browser never renders it in our origin; Digest names its
// SHA-256 as stored.
func serveAttachment(c *gin.Context, filename, sha256 string, size int64, contentType string, rc io.Reader) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Header("Digest", "sha-256="+sha256)
	c.DataFromReader(http.StatusOK, size, contentType, rc, nil)
}

// handleAPIRequestSubmit handles "POST /api/v1/requests/:id/submit".
func (s *Server) handleAPIRequestSubmit(c *gin.Context) {
	f, err := s.submit(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.writeFile(c, http.StatusOK, f)
}

// submit files the draft of the route's :id with the provider: a
// transition of the workflow (draft → submitted, routed in the same
// transaction). It returns the request's case file as it now stands.
func (s *Server) submit(c *gin.Context) (*casefile.File, error) {
	if err := s.workflowReady(); err != nil {
		return nil, err
	}
	p := principal(c).Principal
	if _, err := s.workflow.Transition(c.Request.Context(), p, c.Param("id"), 0, workflow.ActionSubmit, workflow.Input{}); err != nil {
		return nil, err
	}
	return s.casefiles.Open(c.Request.Context(), p, c.Param("id"))
}

// handleAPIRequestList handles "GET /api/v1/requests?q=&status=&agency=&process=&page=&cursor=&limit=":
// the caller's agency's requests (the submitted ones for provider staff),
// newest first, keyset-paginated or, with page, numbered.
func (s *Server) handleAPIRequestList(c *gin.Context) {
	f, err := listFilter(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	list, err := s.listRequests(c, f, "/api/v1")
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// listFilter reads a request list's query parameters. numbered pages the
// list by number from the first page when no page is asked for (the
// pages); without it a list without page or cursor is the first of the
// cursor's pages (the API, as before page numbers).
func listFilter(c *gin.Context, numbered bool) (request.Filter, error) {
	f := request.Filter{Status: request.State(c.Query("status")), Cursor: c.Query("cursor"), Query: c.Query("q"),
		AgencyID: c.Query("agency"), Process: c.Query("process")}
	var problems errs.Fields
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			problems.Add("limit", "must be a number from 1 to 100")
		}
		f.Limit = n
	}
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			problems.Add("page", "Pages are numbered from 1.")
		}
		f.Page = n
	} else if numbered && f.Cursor == "" {
		f.Page = 1
	}
	return f, problems.Err()
}

func (s *Server) listRequests(c *gin.Context, f request.Filter, base string) (apiRequestList, error) {
	page, err := s.requests.List(c.Request.Context(), principal(c).Principal, f)
	if err != nil {
		return apiRequestList{}, err
	}
	out := apiRequestList{Items: make([]apiRequest, 0, len(page.Items)), NextCursor: page.NextCursor,
		Page: page.Number, Pages: page.Pages, Total: page.Total}
	for i := range page.Items {
		r := &page.Items[i]
		item := toAPIRequest(r, page.Agencies[r.AgencyID], nil, base)
		item.cosigning = page.AwaitingCosign[r.ID]
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// listChoices are the agencies and processes the provider's list filters by.
func (s *Server) listChoices(c *gin.Context) ([]option, []option, error) {
	as, err := s.requests.Agencies(c.Request.Context(), principal(c).Principal)
	if err != nil {
		return nil, nil, err
	}
	agencies := make([]option, 0, len(as))
	for _, a := range as {
		agencies = append(agencies, option{Value: a.ID, Label: a.Name + " (" + a.Country + ")"})
	}
	cat, err := s.policy.Catalogue(c.Request.Context())
	if err != nil {
		return nil, nil, err
	}
	var processes []option
	for _, j := range cat.Jurisdictions {
		for _, pr := range j.Processes {
			processes = append(processes, option{Value: pr.ID, Label: j.Name + ": " + pr.Name})
		}
	}
	return agencies, processes, nil
}

// handleAPIMe handles "GET /api/v1/me": who the caller is, as the portal sees them.
func (s *Server) handleAPIMe(c *gin.Context) {
	p := principal(c).Principal
	c.JSON(http.StatusOK, gin.H{
		"id": p.PersonID, "issuer": p.Issuer, "subject": p.Subject, "kind": p.Kind, "name": p.Name, "email": p.Email,
		"roles": p.RoleStrings(), "provider": p.Provider,
		"agency": gin.H{"id": p.AgencyID, "name": p.AgencyName, "country": p.AgencyCountry},
	})
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
