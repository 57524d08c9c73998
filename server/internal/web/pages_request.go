package web

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/casefile"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/signals"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

type option struct{ Value, Label string }

type requestListPage struct {
	Page
	Base       string
	Items      []apiRequest
	NextCursor string
	Pager      pager
	// The filters as asked: a search, a state, and on the provider's list
	// an agency and a process, with the choices of each.
	Query     string
	Status    string
	Statuses  []request.State
	Agency    string
	Agencies  []option
	Process   string
	Processes []option
	// Notifications are the agency's newest (questions, decisions,
	// deadlines, packages ready); the provider's list has none.
	Notifications []apiNotification
	// Signals count the open requests that carry each requester signal:
	// the provider's list only, counts and never references.
	Signals []signals.Count
}

// requestForm holds what the person typed, as typed, so that a rejected form
// comes back exactly as they left it.
type requestForm struct {
	ID, Reference    string
	Version          int
	Process          string
	IssuingAuthority apiAuthority
	Docket           string
	IssuedOn         string
	ExpiresOn        string
	DateFrom         string
	DateTo           string
	Categories       []string
	Nondisclosure    struct {
		Ordered  bool
		Until    string
		IssuedBy string
	}
	Emergency *apiEmergency
	Purpose   string
	Offence   struct {
		Description string
		MaxPenalty  string // as typed, in PenaltyUnit
		PenaltyUnit string // "months" or "years"
		Grounds     []string
		Sentence    string // months, as typed
		InState     bool
	}
	PersonResides bool
	Summary       string
}

// emergencyRule is what the form asks about an emergency under the chosen
// process, as the catalogue says: an emergency process is always one and
// has no court order (no docket, order dates or non-disclosure order); a
// process with an emergency procedure may state one; others ask nothing.
type emergencyRule struct {
	Always, Optional bool
	// Supervisors are those of the officer's agency who may be named to
	// co-sign, when the process may be an emergency.
	Supervisors []option
}

// An optionGroup is a labelled list of choices (an <optgroup>, a fieldset).
type optionGroup struct {
	Label   string
	Options []option
}

type requestDetailPage struct {
	Page
	Base    string
	R       apiRequest
	CanEdit bool
	// CanAttach: the officer may attach a corrected order while the
	// provider asks for information (a draft's upload is under CanEdit).
	CanAttach   bool
	FieldErrors map[string]*errs.FieldError
	// Form is what was typed into the form that failed (Failed: the last
	// part of its action, "withdraw", "messages"), so it comes back as typed.
	Form         url.Values
	Failed       string
	MaxUploadMiB int64
	StepUp       map[string]bool // offered actions that first ask for the second factor
	// Production is the request's package, once the workflow handed it to
	// production; nil before.
	Production *apiProduction
	// Actors names who acted in each history row, by person id.
	Actors map[string]string
	// FiledFor names the officer a system filed the request for (R.FiledVia).
	FiledFor string
	// Access is who in the agency sees the request, for its own people;
	// nil for the provider's staff.
	Access *request.Access
}

func fieldErrors(err error) ([]errs.FieldError, map[string]*errs.FieldError) {
	list := []errs.FieldError{}
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		list = append(list, e.Fields...)
		if len(list) == 0 {
			list = append(list, errs.FieldError{Field: "form", Message: e.Message, Format: e.Format, Args: e.Args})
		}
	}
	m := map[string]*errs.FieldError{}
	for i := range list {
		if _, dup := m[list[i].Field]; !dup {
			m[list[i].Field] = &list[i]
		}
	}
	return list, m
}

// handleAgencyDashboard handles "GET /agency": the agency's requests.
func (s *Server) handleAgencyDashboard(c *gin.Context) {
	s.requestList(c, "/agency", "agency_dashboard", s.printer(c).Sprintf("%s: requests", principal(c).Principal.AgencyName))
}

// handleProviderList handles "GET /provider": every submitted request.
func (s *Server) handleProviderList(c *gin.Context) {
	s.requestList(c, "/provider", "provider_list", "Requests received")
}

func (s *Server) requestList(c *gin.Context, base, page, title string) {
	f, err := listFilter(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	list, err := s.listRequests(c, f, base)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := requestListPage{Page: s.page(c, title), Base: base, Items: list.Items,
		Pager: newPager(c.Request.URL.Query(), list.Page, list.Pages, list.Total),
		Query: f.Query, Status: string(f.Status), Statuses: request.States, Agency: f.AgencyID, Process: f.Process}
	if base == "/provider" {
		if p.Agencies, p.Processes, err = s.listChoices(c); err != nil {
			s.renderError(c, err)
			return
		}
		if s.workflowReady() == nil {
			if p.Signals, err = s.workflow.SignalCounts(c.Request.Context()); err != nil {
				s.renderError(c, err)
				return
			}
		}
	}
	if base == "/agency" && s.workflowReady() == nil {
		notes, err := s.workflow.Notifications(c.Request.Context(), principal(c).Principal, workflow.NotificationFilter{Limit: 10})
		if err != nil {
			s.renderError(c, err)
			return
		}
		p.Notifications = toAPINotifications(notes.Said(s.voice(c))).Items
	}
	s.html(c, http.StatusOK, page, p)
}

// choiceGroup is a process's statutory choices, each labelled with its
// citation; nil when it has none.
func choiceGroup(label string, cs []policy.Choice) *optionGroup {
	if len(cs) == 0 {
		return nil
	}
	g := &optionGroup{Label: label}
	for _, c := range cs {
		g.Options = append(g.Options, option{Value: c.ID, Label: c.Name + " (" + c.Citation + ")"})
	}
	return g
}

// handleRequestShow handles "GET /agency/requests/:id" and
// "GET /provider/requests/:id": the request, its scope decision and history.
func (s *Server) handleRequestShow(c *gin.Context) {
	s.showRequest(c, http.StatusOK, nil)
}

func (s *Server) showRequest(c *gin.Context, status int, problem error) {
	base := "/agency"
	if strings.HasPrefix(c.Request.URL.Path, "/provider") {
		base = "/provider"
	}
	a := principal(c)
	f, err := s.casefiles.Open(c.Request.Context(), a.Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	r := f.Request
	pr := s.printer(c)
	sayNames(pr, f)
	p := requestDetailPage{Page: s.page(c, ""), Base: base, R: toAPIFile(f, base),
		CanEdit:   base == "/agency" && f.May[request.ActionEdit],
		CanAttach: base == "/agency" && f.May[request.ActionUpload] && r.Status == request.StateNeedsInfo, MaxUploadMiB: s.cfg.MaxUploadBytes >> 20}
	if problem != nil {
		p.Page.Errors, p.FieldErrors = fieldErrors(overtaken(problem, p.R, f.Actors, p.Audience(), wording.In(s.printer(c))))
		// What was typed comes back from the form posted, never from a
		// query: every action and its confirmation is a POST.
		p.Form, p.Failed = c.Request.PostForm, path.Base(c.Request.URL.Path)
	}
	p.Title = requestTitle(s.printer(c), p.R, p.Audience())
	p.Actors = f.Actors
	p.FiledFor = f.Actors[r.CreatedBy]
	p.StepUp = stepUpActions(f.Workflow)
	// Whoever may see the request may see its package's state; only its
	// agency's officers may download it (OpenDownload checks).
	if f.Production != nil {
		ap := toAPIProduction(f.Production, r.Reference, a.Principal.Provider)
		p.Production = &ap
	}
	if base == "/agency" {
		if p.Access, err = s.requests.Access(c.Request.Context(), a.Principal, r.ID); err != nil {
			s.renderError(c, err)
			return
		}
	}
	s.html(c, status, "request_detail", p)
}

// requestTitle is a request page's title: its reference and where it
// stands, in the reader's words ("WD-2026-000123 — In review"). The words
// are the wording package's English, which the catalogues translate.
func requestTitle(pr *locale.Printer, r apiRequest, a wording.Audience) string {
	return r.Reference + " — " + wording.In(pr).RequestTag(request.State(r.Status), r.AwaitingCosign(), a).Text
}

// handleRequestUpload handles "POST /agency/requests/:id/documents".
func (s *Server) handleRequestUpload(c *gin.Context) {
	doc, err := s.upload(c)
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Internal || code == errs.NotFound || code == errs.Forbidden {
			s.renderError(c, err)
			return
		}
		if c.Query("next") == stepDocument {
			s.showStepError(c, stepDocument, err)
			return
		}
		s.showRequest(c, statuses[errs.CodeOf(err)], err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("Uploaded %s.", doc.Filename))
	if c.Query("next") == stepDocument {
		c.Redirect(http.StatusSeeOther, stepURL(c.Param("id"), stepDocument))
		return
	}
	c.Redirect(http.StatusSeeOther, "/agency/requests/"+c.Param("id"))
}

// handleRequestSubmit handles "POST /agency/requests/:id/submit".
func (s *Server) handleRequestSubmit(c *gin.Context) {
	f, err := s.submit(c)
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Internal || code == errs.NotFound || code == errs.Forbidden || code == errs.Unavailable {
			s.renderError(c, err)
			return
		}
		if c.PostForm("from") == "check" {
			s.showCheck(c, statuses[errs.CodeOf(err)], err)
			return
		}
		s.showRequest(c, statuses[errs.CodeOf(err)], err)
		return
	}
	r := f.Request
	awaiting := f.Workflow != nil && f.Workflow.Emergency && f.Workflow.CosignedAt == nil
	supervisor := ""
	if r.EmergencySupervisor != nil {
		supervisor = f.Actors[*r.EmergencySupervisor]
	}
	s.setFlash(c, wording.In(s.printer(c)).Submitted(r.Reference, awaiting, supervisor))
	c.Redirect(http.StatusSeeOther, "/agency/requests/"+r.ID)
}

// parseRequestForm reads the HTML form as typed, for a request under
// process (the one chosen on this form, or the draft's when the form does
// not ask it). Whether it is an emergency follows from the process (the
// catalogue's): always under an emergency process, as the officer says
// under one with an emergency procedure, never under another.
func (s *Server) parseRequestForm(c *gin.Context, process string) (requestForm, []apiTarget, error) {
	f, targets := readRequestForm(c)
	f.Process = process
	pr, known, err := s.process(c, process)
	if err != nil {
		return f, targets, err
	}
	em := &apiEmergency{Narrative: c.PostForm("emergency_narrative"), Callback: c.PostForm("emergency_callback"),
		SupervisorID: c.PostForm("emergency_supervisor_id")}
	switch {
	case known && pr.AlwaysEmergency(), (!known || pr.MayBeEmergency()) && c.PostForm("emergency") == "true":
		f.Emergency = em
	}
	return f, targets, nil
}

// readRequestForm reads the HTML form as typed, but the emergency.
func readRequestForm(c *gin.Context) (requestForm, []apiTarget) {
	var f requestForm
	f.Process = c.PostForm("process")
	f.IssuingAuthority = apiAuthority{Kind: c.PostForm("authority_kind"), Name: c.PostForm("authority_name"), SignedBy: c.PostForm("authority_signed_by")}
	f.Docket = c.PostForm("docket")
	f.IssuedOn, f.ExpiresOn = c.PostForm("issued_on"), c.PostForm("expires_on")
	f.DateFrom, f.DateTo = c.PostForm("date_from"), c.PostForm("date_to")
	f.Categories = c.PostFormArray("categories")
	f.Nondisclosure.Ordered = c.PostForm("nondisclosure_ordered") == "true"
	f.Nondisclosure.Until = c.PostForm("nondisclosure_until")
	f.Nondisclosure.IssuedBy = c.PostForm("nondisclosure_issued_by")
	f.Purpose = c.PostForm("purpose")
	f.Offence.Description = c.PostForm("offence_description")
	f.Offence.MaxPenalty = strings.TrimSpace(c.PostForm("offence_max_penalty"))
	f.Offence.PenaltyUnit = c.PostForm("offence_penalty_unit")
	f.Offence.Grounds = c.PostFormArray("offence_grounds")
	f.Offence.Sentence = strings.TrimSpace(c.PostForm("offence_sentence_months"))
	f.Offence.InState = c.PostForm("offence_committed_in_issuing_state") == "true"
	f.PersonResides = c.PostForm("person_resides_in_issuing_state") == "true"
	f.Summary = c.PostForm("summary")
	types, values := c.PostFormArray("target_type"), c.PostFormArray("target_value")
	var targets []apiTarget
	for i, v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		t := apiTarget{Value: v}
		if i < len(types) {
			t.Type = types[i]
		}
		targets = append(targets, t)
	}
	return f, targets
}

// json turns the form into the API's JSON body, so the form and the API share
// one decoder and report the same field names ("targets[1].value").
func (f requestForm) json(targets []apiTarget) []byte {
	orNull := func(s string) any {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return strings.TrimSpace(s)
	}
	// A number the decoder cannot read is passed on as text, so that it
	// names the field.
	number := func(s string) any {
		if s == "" {
			return nil
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return n
		}
		return s
	}
	offence := map[string]any{"description": f.Offence.Description, "sentence_months": number(f.Offence.Sentence),
		"grounds": nonNil(f.Offence.Grounds), "committed_in_issuing_state": f.Offence.InState}
	// Years unless months were chosen: the form offers years first.
	if f.Offence.PenaltyUnit == "months" {
		offence["max_penalty_months"] = number(f.Offence.MaxPenalty)
	} else {
		offence["max_penalty_years"] = number(f.Offence.MaxPenalty)
	}
	issuedBy := ""
	if f.Nondisclosure.Ordered {
		issuedBy = f.Nondisclosure.IssuedBy
	}
	var emergency any
	if f.Emergency != nil {
		emergency = map[string]any{"narrative": f.Emergency.Narrative, "callback": f.Emergency.Callback, "supervisor_id": f.Emergency.SupervisorID}
	}
	if targets == nil {
		targets = []apiTarget{}
	}
	categories := f.Categories
	if categories == nil {
		categories = []string{}
	}
	body := map[string]any{
		"process":                         f.Process,
		"issuing_authority":               map[string]any{"kind": f.IssuingAuthority.Kind, "name": f.IssuingAuthority.Name, "signed_by": f.IssuingAuthority.SignedBy},
		"docket":                          f.Docket,
		"issued_on":                       orNull(f.IssuedOn),
		"expires_on":                      orNull(f.ExpiresOn),
		"targets":                         targets,
		"date_from":                       orNull(f.DateFrom),
		"date_to":                         orNull(f.DateTo),
		"categories":                      categories,
		"nondisclosure":                   map[string]any{"ordered": f.Nondisclosure.Ordered, "until": orNull(f.Nondisclosure.Until), "issued_by": issuedBy},
		"emergency":                       emergency,
		"purpose":                         f.Purpose,
		"offence":                         offence,
		"person_resides_in_issuing_state": f.PersonResides,
		"summary":                         f.Summary,
	}
	b, _ := json.Marshal(body) // plain maps and strings: cannot fail
	return b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func formFromView(v apiRequest) requestForm {
	f := requestForm{ID: v.ID, Reference: v.Reference, Version: v.Version, Process: v.Process,
		IssuingAuthority: v.IssuingAuthority, Docket: v.Docket,
		IssuedOn: v.IssuedOn.String(), ExpiresOn: v.ExpiresOn.String(), DateFrom: v.DateFrom.String(), DateTo: v.DateTo.String(),
		Categories: v.Categories, Emergency: v.Emergency, Purpose: v.Purpose, PersonResides: v.PersonResides, Summary: v.Summary}
	f.Nondisclosure.Ordered, f.Nondisclosure.Until = v.Nondisclosure.Ordered, v.Nondisclosure.Until.String()
	f.Nondisclosure.IssuedBy = v.Nondisclosure.IssuedBy
	f.Offence.Description = v.Offence.Description
	f.Offence.PenaltyUnit = "years"
	if m := v.Offence.MaxPenaltyMonths; m != nil {
		f.Offence.PenaltyUnit = "months"
		f.Offence.MaxPenalty = strconv.FormatFloat(*m, 'f', -1, 64)
		if y := *m / 12; y >= 1 && y == math.Trunc(y) {
			f.Offence.MaxPenalty, f.Offence.PenaltyUnit = strconv.FormatFloat(y, 'f', -1, 64), "years"
		}
	}
	if m := v.Offence.SentenceMonths; m != nil {
		f.Offence.Sentence = strconv.FormatFloat(*m, 'f', -1, 64)
	}
	f.Offence.Grounds = v.Offence.Grounds
	f.Offence.InState = v.Offence.CommittedInIssuingState
	return f
}

// fullUpdate replaces every field: the edit form always sends them all.
func fullUpdate(in request.Input) request.Update {
	emergency := in.Emergency
	return request.Update{
		Process: &in.Process, IssuingAuthority: &in.IssuingAuthority, Docket: &in.Docket,
		IssuedOn: &in.IssuedOn, ExpiresOn: &in.ExpiresOn, Targets: &in.Targets,
		DateFrom: &in.DateFrom, DateTo: &in.DateTo, Categories: &in.Categories,
		Nondisclosure: &in.Nondisclosure, Emergency: &emergency, Purpose: &in.Purpose, Offence: &in.Offence,
		PersonResides: &in.PersonResides, Summary: &in.Summary,
	}
}

// sayNames says in pr's language the fixed names the file gives people
// (workflow.ProviderTeam for the provider's staff, as the agency sees
// them) in its history and messages; people's own names stay as written.
func sayNames(pr *locale.Printer, f *casefile.File) {
	for id, name := range f.Actors {
		if name == workflow.ProviderTeam {
			f.Actors[id] = pr.Sprintf(name)
		}
	}
	if f.Workflow == nil {
		return
	}
	for i, m := range f.Workflow.Messages {
		if m.Author == workflow.ProviderTeam {
			f.Workflow.Messages[i].Author = pr.Sprintf(m.Author)
		}
	}
}
