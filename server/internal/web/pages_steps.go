package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/casefile"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// The request form is a sequence of steps, one thing per page: the legal
// process, then the authority and the order (or the emergency), the order
// itself as a PDF, the targets, the data and dates, the offence, and
// "check your answers" before the one irreversible act, submitting. Every
// step saves the draft (request.Service.Update of that step's fields
// only), so a session that expires loses at most the page being typed;
// nothing is checked for completeness before submission, which checks
// everything and sends each problem back to the step that asks it.

// A formStep is one page of the request form. Its Title is English, said
// in the page's language by the template ({{t .Title}}).
type formStep struct {
	Slug, Title string
}

// Step slugs, in the order the form asks them.
const (
	stepProcess  = "process"
	stepOrder    = "order"
	stepDocument = "document"
	stepTargets  = "targets"
	stepData     = "data"
	stepOffence  = "offence"
)

// formSteps are the steps for a request; an emergency has no court order
// to describe or upload, so it has a step for the emergency instead.
func formSteps(emergency bool) []formStep {
	if emergency {
		return []formStep{
			{stepProcess, locale.M("Which legal process?")},
			{stepOrder, locale.M("The emergency")},
			{stepTargets, locale.M("Who is it about?")},
			{stepData, locale.M("What data, for which dates?")},
			{stepOffence, locale.M("The offence")},
		}
	}
	return []formStep{
		{stepProcess, locale.M("Which legal process?")},
		{stepOrder, locale.M("The authority and the order")},
		{stepDocument, locale.M("Upload the signed order")},
		{stepTargets, locale.M("Who is it about?")},
		{stepData, locale.M("What data, for which dates?")},
		{stepOffence, locale.M("The offence")},
	}
}

// stepTitle is a step page's title: the step, which of how many, and the
// draft ("Which legal process? — step 1 of 6, draft WD-2026-000123"; a
// new request has no reference yet).
func stepTitle(pr *locale.Printer, st formStep, number, steps int, reference string) string {
	if reference == "" {
		return pr.Sprintf("%[1]s — step %[2]d of %[3]d, new request", pr.Sprintf(st.Title), number, steps)
	}
	return pr.Sprintf("%[1]s — step %[2]d of %[3]d, draft %[4]s", pr.Sprintf(st.Title), number, steps, reference)
}

// stepOfField is the step that asks field (a name in the API's errors),
// so an error found at submission links to the page that fixes it.
func stepOfField(field string) string {
	head, _, _ := strings.Cut(field, ".")
	head, _, _ = strings.Cut(head, "[")
	switch head {
	case "process":
		return stepProcess
	case "issuing_authority", "docket", "issued_on", "expires_on", "nondisclosure", "emergency":
		return stepOrder
	case "file":
		return stepDocument
	case "targets":
		return stepTargets
	case "date_from", "date_to", "categories":
		return stepData
	case "offence", "purpose", "person_resides_in_issuing_state", "summary":
		return stepOffence
	}
	return ""
}

// stepPage is one step of the request form, with the draft as typed.
type stepPage struct {
	Page
	Action      string
	R           requestForm
	FieldErrors map[string]*errs.FieldError
	// The choices: processes of the agency's jurisdiction, the issuers
	// the chosen process allows, the kinds of target, the categories.
	Processes      []option
	AuthorityKinds []option
	TargetTypes    []option
	Categories     []option
	// EmergencyRule is what the chosen process asks of an emergency.
	EmergencyRule emergencyRule
	TargetRows    []apiTarget
	MaxUploadMiB  int64
	Step          formStep
	Steps         []formStep
	Number        int
	Back          string
	Next          string // the page after this one (the document step's "Continue")
	Return        string // "check": go back to check your answers when saved
	Jurisdiction  string
	// The chosen process's own questions: its purposes and statutory
	// grounds, and the EU facts under an EU process.
	PurposeOptions []option
	GroundOptions  []option
	EU             bool
	// NeverDisclosed names the categories no process can reach (content),
	// explained on the data step rather than offered.
	NeverDisclosed []string
	// NewTarget is the target being added, as typed.
	NewTarget apiTarget
	Documents []apiDocument
}

// stepURL is where step of request id is answered.
func stepURL(id, step string) string { return "/agency/requests/" + id + "/steps/" + step }

// checkURL is the request's "check your answers" page.
func checkURL(id string) string { return "/agency/requests/" + id + "/check" }

// newStepPage builds the page of step for a draft as typed (form): the
// choices the chosen process offers and where Back and Next go.
func (s *Server) newStepPage(c *gin.Context, slug string, form requestForm) (stepPage, bool, error) {
	cat, err := s.policy.CatalogueIn(c.Request.Context(), s.lang(c)) // its names and texts in the reader's language
	if err != nil {
		return stepPage{}, false, err
	}
	p := stepPage{Page: s.page(c, ""), R: form, FieldErrors: map[string]*errs.FieldError{}}
	pr, known := cat.Process(form.Process)
	if known {
		p.EmergencyRule.Always, p.EmergencyRule.Optional = pr.AlwaysEmergency(), !pr.AlwaysEmergency() && pr.MayBeEmergency()
	}
	if slug == stepOrder && (p.EmergencyRule.Always || p.EmergencyRule.Optional) {
		sups, err := s.requests.Supervisors(c.Request.Context(), principal(c).Principal)
		if err != nil {
			return stepPage{}, false, err
		}
		for _, sup := range sups {
			p.EmergencyRule.Supervisors = append(p.EmergencyRule.Supervisors, option{Value: sup.ID, Label: cmp.Or(sup.Name, sup.Email)})
		}
	}
	steps := formSteps(p.EmergencyRule.Always)
	i := slices.IndexFunc(steps, func(st formStep) bool { return st.Slug == slug })
	if i < 0 {
		return stepPage{}, false, nil
	}
	p.Step, p.Steps, p.Number = steps[i], steps, i+1
	p.Title = stepTitle(s.printer(c), p.Step, p.Number, len(steps), form.Reference)
	if c.Query("return") == "check" || c.PostForm("return") == "check" {
		p.Return = "check"
	}
	switch {
	case form.ID == "":
		p.Back, p.Action = "/agency", "/agency/requests"
	case p.Return != "":
		p.Back, p.Action = checkURL(form.ID), stepURL(form.ID, slug)
	case i == 0:
		p.Back, p.Action = "/agency/requests/"+form.ID, stepURL(form.ID, slug)
	default:
		p.Back, p.Action = stepURL(form.ID, steps[i-1].Slug), stepURL(form.ID, slug)
	}
	p.Next = checkURL(form.ID)
	if i+1 < len(steps) && p.Return == "" {
		p.Next = stepURL(form.ID, steps[i+1].Slug)
	}
	p.MaxUploadMiB = s.cfg.MaxUploadBytes >> 20
	country := strings.ToUpper(principal(c).Principal.AgencyCountry)
	for _, j := range cat.Jurisdictions {
		if !slices.Contains(j.Countries, country) {
			continue
		}
		p.Jurisdiction = j.Name
		for _, pr := range j.Processes {
			p.Processes = append(p.Processes, option{Value: pr.ID, Label: pr.Name})
		}
	}
	for _, k := range cat.AuthorityKinds {
		if !known || len(pr.IssuerKinds) == 0 || slices.Contains(pr.IssuerKinds, k.ID) || k.ID == form.IssuingAuthority.Kind {
			p.AuthorityKinds = append(p.AuthorityKinds, option{Value: k.ID, Label: k.Name})
		}
	}
	for _, t := range cat.TargetTypes {
		p.TargetTypes = append(p.TargetTypes, option{Value: t.ID, Label: t.Name})
	}
	if known {
		p.PurposeOptions = choiceGroup("", pr.Purposes).options()
		p.GroundOptions = choiceGroup("", pr.OffenceGrounds).options()
		p.EU = pr.Jurisdiction == "eu"
	}
	for _, cg := range cat.Categories {
		if !cg.Disclosable {
			p.NeverDisclosed = append(p.NeverDisclosed, cg.Name)
			continue
		}
		p.Categories = append(p.Categories, option{Value: cg.ID, Label: cg.Name})
	}
	return p, true, nil
}

func (g *optionGroup) options() []option {
	if g == nil {
		return nil
	}
	return g.Options
}

// handleRequestNew handles "GET /agency/requests/new": the first step,
// choosing the legal process, before there is a draft.
func (s *Server) handleRequestNew(c *gin.Context) {
	p, _, err := s.newStepPage(c, stepProcess, requestForm{Process: c.Query("process")})
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.html(c, http.StatusOK, "request_step", p)
}

// handleRequestCreate handles "POST /agency/requests": the draft is made
// from the first step (the process), and the form goes on to the next.
func (s *Server) handleRequestCreate(c *gin.Context) {
	form, targets, err := s.parseRequestForm(c, c.PostForm("process"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	in, err := request.DecodeInput(form.json(targets))
	if err == nil {
		err = processChosen(form.Process)
	}
	var r *request.Request
	if err == nil {
		r, err = s.requests.Create(c.Request.Context(), principal(c).Principal, in)
	}
	if err != nil {
		if code := errs.CodeOf(err); code == errs.Internal || code == errs.Forbidden || code == errs.Unavailable {
			s.renderError(c, err)
			return
		}
		p, _, perr := s.newStepPage(c, stepProcess, form)
		if perr != nil {
			s.renderError(c, perr)
			return
		}
		p.Errors, p.FieldErrors = fieldErrors(err)
		s.html(c, statusOf(err), "request_step", p)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("Draft %s saved. You can leave at any step and come back to it.", r.Reference))
	c.Redirect(http.StatusSeeOther, stepURL(r.ID, stepOrder))
}

// handleRequestEdit handles "GET /agency/requests/:id/edit": a draft is
// changed from its answers, one step at a time.
func (s *Server) handleRequestEdit(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, checkURL(c.Param("id")))
}

// handleStepShow handles "GET /agency/requests/:id/steps/:step".
func (s *Server) handleStepShow(c *gin.Context) {
	s.showStepError(c, c.Param("step"), nil)
}

// showStepError shows step of the draft as saved, with problem (an
// upload that failed) beside its field.
func (s *Server) showStepError(c *gin.Context, slug string, problem error) {
	_, view, ok := s.openDraft(c)
	if !ok {
		return
	}
	p, ok, err := s.newStepPage(c, slug, formFromView(view))
	if err != nil || !ok {
		s.renderError(c, cmpErr(err, errs.E(errs.NotFound, "The request form has no step %q.", errs.Clip(slug, 40))))
		return
	}
	p.Documents = view.Documents
	p.TargetRows = view.Targets
	status := http.StatusOK
	if problem != nil {
		p.Errors, p.FieldErrors = fieldErrors(problem)
		status = statuses[errs.CodeOf(problem)]
	}
	s.html(c, status, "request_step", p)
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// handleStepSave handles "POST /agency/requests/:id/steps/:step": save
// that step's answers and go on (or back to check your answers).
func (s *Server) handleStepSave(c *gin.Context) {
	slug := c.Param("step")
	ctx, who := c.Request.Context(), principal(c).Principal
	_, view, ok := s.openDraft(c)
	if !ok {
		return
	}
	process := view.Process
	if slug == stepProcess {
		process = c.PostForm("process")
	}
	form, _, err := s.parseRequestForm(c, process)
	if err != nil {
		s.renderError(c, err)
		return
	}
	form.ID = view.ID
	version, verr := strconv.Atoi(c.PostForm("version"))
	form.Version = version
	// A step shows and saves only its own answers: the rest come from the
	// draft as saved, so the page keeps them when it is shown again.
	saved := formFromView(view)
	targets := view.Targets
	var u request.Update
	typed := form
	form = mergeStep(slug, saved, typed)
	adding := apiTarget{Type: c.PostForm("target_type"), Value: strings.TrimSpace(c.PostForm("target_value"))}
	if slug == stepTargets {
		if i, err := strconv.Atoi(c.PostForm("remove")); err == nil && i >= 0 && i < len(targets) {
			targets = slices.Delete(slices.Clone(targets), i, i+1)
		} else if adding.Value != "" {
			targets = append(slices.Clone(targets), adding)
		}
	}
	in, err := request.DecodeInput(form.json(targets))
	if err == nil && verr != nil {
		err = errs.E(errs.Invalid, "The form is missing its version; reload the page.")
	}
	if err == nil && slug == stepProcess {
		err = processChosen(form.Process)
	}
	if err == nil {
		u, err = s.stepUpdate(c, slug, in, saved.Process)
	}
	var r *request.Request
	if err == nil {
		r, err = s.requests.Update(ctx, who, form.ID, version, u)
	}
	if err != nil {
		if code := errs.CodeOf(err); code == errs.NotFound || code == errs.Internal || code == errs.Forbidden || code == errs.Unavailable {
			s.renderError(c, err)
			return
		}
		p, ok, perr := s.newStepPage(c, slug, form)
		if perr != nil || !ok {
			s.renderError(c, cmpErr(perr, errs.E(errs.NotFound, "The request form has no step %q.", errs.Clip(slug, 40))))
			return
		}
		p.Documents, p.TargetRows, p.NewTarget = view.Documents, view.Targets, adding
		p.Errors, p.FieldErrors = fieldErrors(targetError(err, len(view.Targets)))
		s.html(c, statusOf(err), "request_step", p)
		return
	}
	switch {
	case slug == stepTargets && (c.PostForm("add") != "" || c.PostForm("remove") != ""):
		// Adding or removing a target stays on the page, to add another.
		dest := stepURL(r.ID, slug)
		if c.PostForm("return") == "check" {
			dest += "?return=check"
		}
		c.Redirect(http.StatusSeeOther, dest)
	case c.PostForm("return") == "check":
		c.Redirect(http.StatusSeeOther, checkURL(r.ID))
	default:
		steps, err := s.stepsOf(c, r.Process)
		if err != nil {
			s.renderError(c, err)
			return
		}
		i := slices.IndexFunc(steps, func(st formStep) bool { return st.Slug == slug })
		next := checkURL(r.ID)
		if i >= 0 && i+1 < len(steps) {
			next = stepURL(r.ID, steps[i+1].Slug)
		}
		c.Redirect(http.StatusSeeOther, next)
	}
}

// processChosen: the first step's one question must be answered, since
// every later one depends on it (a draft may lack anything else).
func processChosen(process string) error {
	if strings.TrimSpace(process) != "" {
		return nil
	}
	var f errs.Fields
	f.Add("process", "Choose the legal process the order was made under.")
	return f.Err()
}

// statusOf is the HTTP status of a form that could not be saved.
func statusOf(err error) int {
	if errs.CodeOf(err) == errs.Conflict {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// targetError moves the error of the target being added (the last one,
// at index added) to the field it was typed in.
func targetError(err error, added int) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	prefix := "targets[" + strconv.Itoa(added) + "]."
	out := *e
	out.Fields = nil
	for _, fe := range e.Fields {
		if rest, ok := strings.CutPrefix(fe.Field, prefix); ok {
			fe.Field = "target." + rest
		}
		out.Fields = append(out.Fields, fe)
	}
	return &out
}

// mergeStep is the draft as saved with step's answers as typed.
func mergeStep(step string, saved, typed requestForm) requestForm {
	out := saved
	switch step {
	case stepProcess:
		out.Process = typed.Process
	case stepOrder:
		out.IssuingAuthority = typed.IssuingAuthority
		out.Docket, out.IssuedOn, out.ExpiresOn = typed.Docket, typed.IssuedOn, typed.ExpiresOn
		out.Nondisclosure = typed.Nondisclosure
		out.Emergency = typed.Emergency
	case stepData:
		out.DateFrom, out.DateTo, out.Categories = typed.DateFrom, typed.DateTo, typed.Categories
	case stepOffence:
		out.Offence, out.Purpose, out.PersonResides, out.Summary = typed.Offence, typed.Purpose, typed.PersonResides, typed.Summary
	}
	return out
}

// stepUpdate is the change step makes to the draft: its own fields only.
func (s *Server) stepUpdate(c *gin.Context, step string, in request.Input, was string) (request.Update, error) {
	switch step {
	case stepProcess:
		u := request.Update{Process: &in.Process}
		// A process with no emergency procedure leaves no emergency behind
		// (an emergency process makes one by itself).
		pr, known, err := s.process(c, in.Process)
		if err != nil {
			return u, err
		}
		if known && !pr.MayBeEmergency() && in.Process != was {
			none := (*request.Emergency)(nil)
			u.Emergency = &none
		}
		return u, nil
	case stepOrder:
		u := request.Update{IssuingAuthority: &in.IssuingAuthority, Emergency: &in.Emergency}
		pr, known, err := s.process(c, in.Process)
		if err != nil {
			return u, err
		}
		if !known || !pr.AlwaysEmergency() {
			u.Docket, u.IssuedOn, u.ExpiresOn, u.Nondisclosure = &in.Docket, &in.IssuedOn, &in.ExpiresOn, &in.Nondisclosure
		}
		if known && !pr.MayBeEmergency() {
			u.Emergency = nil
		}
		return u, nil
	case stepTargets:
		return request.Update{Targets: &in.Targets}, nil
	case stepData:
		return request.Update{DateFrom: &in.DateFrom, DateTo: &in.DateTo, Categories: &in.Categories}, nil
	case stepOffence:
		return request.Update{Offence: &in.Offence, Purpose: &in.Purpose, PersonResides: &in.PersonResides, Summary: &in.Summary}, nil
	}
	return request.Update{}, errs.E(errs.NotFound, "The request form has no step %q.", errs.Clip(step, 40))
}

// checkPage is "check your answers": every answer with a link to change
// it, what the policy would allow, and the one button that submits.
type checkPage struct {
	Page
	R     apiRequest
	Steps []formStep
	// AlwaysEmergency: the process is an emergency one, with no order.
	AlwaysEmergency bool
	// Supervisor names who is asked to co-sign an emergency.
	Supervisor string
}

// openDraft opens the request of the path as a draft its reader may edit;
// a request that is no longer one sends them to its page (ok false: the
// answer is written).
func (s *Server) openDraft(c *gin.Context) (*casefile.File, apiRequest, bool) {
	f, err := s.casefiles.Open(c.Request.Context(), principal(c).Principal, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return nil, apiRequest{}, false
	}
	view := toAPIFile(f, "/agency")
	if !f.May[request.ActionEdit] {
		c.Redirect(http.StatusSeeOther, "/agency/requests/"+view.ID)
		return nil, apiRequest{}, false
	}
	return f, view, true
}

// handleCheckAnswers handles "GET /agency/requests/:id/check".
func (s *Server) handleCheckAnswers(c *gin.Context) {
	s.showCheck(c, http.StatusOK, nil)
}

// showCheck renders check your answers, with problem (the submission's
// errors) linked to the steps that fix them.
func (s *Server) showCheck(c *gin.Context, status int, problem error) {
	f, view, ok := s.openDraft(c)
	if !ok {
		return
	}
	pr, known, err := s.process(c, view.Process)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := checkPage{Page: s.page(c, s.printer(c).Sprintf("Check your answers — %s", view.Reference)), R: view,
		Steps: formSteps(known && pr.AlwaysEmergency()), AlwaysEmergency: known && pr.AlwaysEmergency()}
	if em := view.Emergency; em != nil && em.SupervisorID != "" {
		p.Supervisor = f.Actors[em.SupervisorID]
	}
	if problem != nil {
		p.Page.Errors, _ = fieldErrors(problem)
		p.Page.ErrorPages = map[string]string{}
		for _, fe := range p.Page.Errors {
			if st := stepOfField(fe.Field); st != "" {
				p.Page.ErrorPages[fe.Field] = stepURL(view.ID, st) + "?return=check"
			}
		}
	}
	s.html(c, status, "request_check", p)
}

// stepsOf are the steps of a draft under process.
func (s *Server) stepsOf(c *gin.Context, process string) ([]formStep, error) {
	pr, known, err := s.process(c, process)
	if err != nil {
		return nil, err
	}
	return formSteps(known && pr.AlwaysEmergency()), nil
}

// process is the catalogue's process id (known false when it has none).
func (s *Server) process(c *gin.Context, id string) (pr policy.Process, known bool, err error) {
	cat, err := s.policy.Catalogue(c.Request.Context())
	if err != nil {
		return pr, false, err
	}
	pr, known = cat.Process(id)
	return pr, known, nil
}
