package web

import (
	"cmp"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// Actions that cannot be undone are confirmed: their form posts without
// confirm=yes, the handler checks it (workflow.Check: the same answers as
// the action, nothing written) and answers that POST with a confirmation
// page saying what will happen; only that page's form, carrying the same
// inputs as hidden fields plus confirm=yes and a fresh CSRF token, acts.
// The confirmation is the POST's own answer, never a redirect to a GET:
// what was typed (a rejection's explanation, why a request is withdrawn)
// would otherwise sit in a URL, and so in the browser's history, in the
// access log of any proxy in front of the portal and in a sign-in's
// return_to. (The portal's own access log names only the route.)

// confirmed reports whether the form is the confirmation page's.
func confirmed(form url.Values) bool { return form.Get("confirm") == "yes" }

// csrfField is the form field of the CSRF token (requireCSRF reads it).
const csrfField = "csrf_token"

// inputs are form's inputs without its CSRF token and confirm: what a
// confirmation carries over.
func inputs(form url.Values) url.Values {
	q := url.Values{}
	for k, v := range form {
		if k != csrfField && k != "confirm" {
			q[k] = v
		}
	}
	return q
}

// A hiddenField is one input the confirmation carries over.
type hiddenField struct{ Name, Value string }

// A fact is one line of what the confirmation is about.
type fact struct{ Label, Value string }

// A confirmPage asks the person to confirm one action that cannot be
// undone, saying what will happen; its one button names what it does.
type confirmPage struct {
	Page
	Heading string
	Facts   []fact
	// Scope is what an approval releases, said in words on the page.
	Scope  *apiDecision
	What   []string // what will happen, sentence by sentence
	Action string   // where the confirmed form posts
	Fields []hiddenField
	Button string
	Cancel string // back to where the person came from, acting on nothing
}

// carry lists form's inputs (without the CSRF token and confirm) in a
// stable order, for the confirmation's hidden fields.
func carry(form url.Values) []hiddenField {
	q := inputs(form)
	var out []hiddenField
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			out = append(out, hiddenField{Name: k, Value: v})
		}
	}
	return out
}

// lowerFirst puts a name in the middle of a sentence ("Subscriber
// information" → "subscriber information"), leaving acronyms ("IP
// addresses") as they are.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// inSentence puts a name in the middle of a sentence: lowered in English
// (lowerFirst), as it is in German, whose nouns keep their capital.
func inSentence(pr *locale.Printer, s string) string {
	if pr.Lang() == "en" {
		return lowerFirst(s)
	}
	return s
}

// overtaken turns a refusal because someone else acted first (a stale
// version, or an action no longer allowed in the request's state) into
// what a page says: who did what, and where the request stands now, in
// words. Any other error is returned as it is.
func overtaken(err error, r apiRequest, actors map[string]string, a wording.Audience, w wording.Words) error {
	if !errors.Is(err, request.ErrStaleVersion) && !errors.Is(err, workflow.ErrNotAllowed) {
		return err
	}
	// The state and the history line are already in the reader's words
	// (w); the sentence around them is said in their language too.
	state := w.State(request.State(r.Status), a)
	e := errs.E(errs.Conflict, "Someone else acted on request %s first. Request %s is now: %s. Nothing was changed by you; check it and decide again.",
		r.Reference, r.Reference, state)
	if n := len(r.History); n > 0 {
		last := r.History[n-1]
		line := w.History(last.Action, actors[last.ActorID], last.Comment)
		e = errs.E(errs.Conflict, "%s on %s, before you. Request %s is now: %s. Nothing was changed by you; check it and decide again.",
			line.Text, last.At.UTC().Format("2006-01-02 15:04 UTC"), r.Reference, state)
	}
	e.Err = err
	return e
}

// reviewConfirms are the review actions that are confirmed first.
var reviewConfirms = []workflow.Action{workflow.ActionApprove, workflow.ActionCountersign, workflow.ActionReject}

// confirmReview answers a review form's approval, countersignature or
// rejection, which the workflow has checked, with its confirmation: the
// review form's inputs carried as hidden fields. It acts on nothing.
func (s *Server) confirmReview(c *gin.Context, action workflow.Action, in workflow.Input, form url.Values) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	f, err := s.casefiles.Open(ctx, actor, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	r := toAPIFile(f, "/provider")
	pr := s.printer(c)
	p := confirmPage{Action: "/provider/requests/" + r.ID + "/review",
		Fields: carry(form), Cancel: "/provider/requests/" + r.ID + "/review"}
	agencyName := r.Agency.Name
	switch action {
	case workflow.ActionApprove:
		sc := approvedScope(form, r)
		p.Scope = &sc
		what := inSentence(pr, s.render.book.Categories(sc.Categories))
		if r.Workflow != nil && r.Workflow.ApprovalsRequired > 1 {
			p.Heading = pr.Sprintf("Approve request %s for countersignature?", r.Reference)
			p.What = []string{pr.Sprintf("Your approval goes to counsel. Nothing is released until a second person countersigns it; then %s receives what is listed above.", agencyName)}
			p.Button = pr.Sprintf("Approve %s for countersignature", what)
		} else {
			p.Heading = pr.Sprintf("Approve request %s and release it?", r.Reference)
			p.What = []string{pr.Sprintf("The package with what is listed above is built at once and %s can download it.", agencyName),
				pr.Sprintf("This cannot be undone: once downloaded, the data has left the provider.")}
			p.Button = pr.Sprintf("Approve and release %s", what)
		}
	case workflow.ActionCountersign:
		if r.Workflow != nil && len(r.Workflow.Approvals) > 0 {
			sc := r.Workflow.Approvals[0].Scope
			p.Scope = &sc
			p.Facts = append(p.Facts, fact{pr.Sprintf("Approved by"), r.Workflow.Approvals[0].By.Name})
		}
		p.Heading = pr.Sprintf("Countersign request %s and release it?", r.Reference)
		p.What = []string{pr.Sprintf("Your countersignature completes the approval: the package with what is listed above is built at once and %s can download it.", agencyName),
			pr.Sprintf("This cannot be undone: once downloaded, the data has left the provider.")}
		p.Button = pr.Sprintf("Countersign and release")
		if p.Scope != nil {
			p.Button = pr.Sprintf("Countersign and release %s", inSentence(pr, s.render.book.Categories(p.Scope.Categories)))
		}
	case workflow.ActionReject:
		p.Heading = pr.Sprintf("Reject request %s?", r.Reference)
		p.Facts = []fact{{pr.Sprintf("Reason"), wording.In(pr).Reason(in.ReasonCode)}, {pr.Sprintf("Your explanation to the agency"), cmp.Or(in.Note, in.Comment)}}
		if in.InternalNote != "" {
			p.Facts = append(p.Facts, fact{pr.Sprintf("Internal note (provider staff only)"), in.InternalNote})
		}
		p.What = []string{pr.Sprintf("%s is told that the provider refuses the request, with your reason and explanation. Nothing is disclosed.", agencyName),
			pr.Sprintf("This cannot be undone: to ask again, the agency must file a new request.")}
		p.Button = pr.Sprintf("Reject request %s", r.Reference)
	default:
		p.Heading = pr.Sprintf("Confirm: %s", r.Reference)
	}
	// The title is the question the page asks, which names the request.
	p.Page = s.page(c, p.Heading)
	s.html(c, http.StatusOK, "confirm", p)
}

// approvedScope is what an approval form releases: the categories and
// targets it ticks, and its window (the scope decision's where the form
// leaves a date empty). The workflow has checked it lies within the scope
// decision.
func approvedScope(form url.Values, r apiRequest) apiDecision {
	d := apiDecision{Categories: form["scope_categories"], DateFrom: form.Get("scope_date_from"), DateTo: form.Get("scope_date_to")}
	for _, t := range form["scope_targets"] {
		typ, val, _ := strings.Cut(t, ":")
		d.Targets = append(d.Targets, apiTarget{Type: typ, Value: val})
	}
	if sc := r.Scope; sc != nil {
		if d.DateFrom == "" {
			d.DateFrom = sc.DateFrom
		}
		if d.DateTo == "" {
			d.DateTo = sc.DateTo
		}
	}
	return d
}

// confirmWithdraw answers a withdraw form, which the workflow has
// checked, with its confirmation: the form's inputs carried as hidden
// fields, its reason said back. It acts on nothing.
func (s *Server) confirmWithdraw(c *gin.Context, in workflow.Input, form url.Values) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	f, err := s.casefiles.Open(ctx, actor, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	r := f.Request
	pr := s.printer(c)
	heading := pr.Sprintf("Withdraw request %s?", r.Reference)
	p := confirmPage{Page: s.page(c, heading), Heading: heading,
		What: []string{pr.Sprintf("The provider stops working on it and discloses nothing."),
			pr.Sprintf("This cannot be undone: to ask again, file a new request.")},
		Action: "/agency/requests/" + r.ID + "/withdraw", Fields: carry(form), Button: pr.Sprintf("Withdraw request %s", r.Reference),
		Cancel: "/agency/requests/" + r.ID}
	if in.Comment != "" {
		p.Facts = []fact{{pr.Sprintf("Why you withdraw it"), in.Comment}}
	}
	s.html(c, http.StatusOK, "confirm", p)
}

// confirmPersonSuspension answers a person's suspension form, which names
// their agency, with its confirmation. It acts on nothing.
func (s *Server) confirmPersonSuspension(c *gin.Context, form url.Values) {
	ctx, actor := c.Request.Context(), principal(c).Principal
	people, err := s.admin.People(ctx, actor, form.Get("agency"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	i := slices.IndexFunc(people, func(p identity.Person) bool { return p.ID == c.Param("id") })
	if i < 0 {
		s.renderError(c, errs.E(errs.NotFound, "No such person in this agency."))
		return
	}
	person := people[i]
	pr := s.printer(c)
	heading := pr.Sprintf("Suspend %s?", person.Name)
	p := confirmPage{Page: s.page(c, heading), Heading: heading,
		What: []string{pr.Sprintf("%s is signed out at once and refused from their next request, in the portal and through the API.", person.Name),
			pr.Sprintf("What they filed or decided stays as it is. An administrator can reactivate them.")},
		Action: "/provider/people/" + person.ID + "/status", Fields: carry(form), Button: pr.Sprintf("Suspend %s", person.Name),
		Cancel: "/provider/agencies"}
	if person.Email != "" {
		p.Facts = []fact{{pr.Sprintf("Person"), person.Name + " <" + person.Email + ">"}}
	}
	s.html(c, http.StatusOK, "confirm", p)
}
