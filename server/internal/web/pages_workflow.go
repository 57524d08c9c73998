package web

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

type queuePage struct {
	Page
	Team      string
	Teams     []string
	Status    string
	Statuses  []request.State // the live ones: a queue holds no finished work
	Overdue   bool
	Emergency bool
	Mine      bool
	Done      bool // disclosed requests shown too
	Sort      string
	// Sorts are the orders offered, each a link that keeps the filters.
	Sorts         []queueSort
	Items         []apiQueueItem
	NextHref      string
	FirstHref     string // back to the first page, when on a later one
	Notifications []apiNotification
	Now           time.Time // what the deadlines' time left is counted from
}

// SortLabel names the order the queue is shown in.
func (p queuePage) SortLabel() string {
	for _, s := range p.Sorts {
		if s.Current {
			return s.Label
		}
	}
	return ""
}

// queueTitle names the queue's tab: its team, or all teams.
func queueTitle(pr *locale.Printer, team string) string {
	if team == "" {
		return pr.Sprintf("Queue: all teams")
	}
	return pr.Sprintf("Queue: %s", wording.In(pr).Team(team))
}

// A queueSort is one order of the queue, as a link.
type queueSort struct {
	Label, Href string
	Current     bool
}

// queueSorts are the links to each order of the queue asked with query,
// keeping its filters; current is the order shown.
func queueSorts(query url.Values, current string, w wording.Words) []queueSort {
	var out []queueSort
	for _, sort := range workflow.QueueSorts {
		q := maps.Clone(query)
		q.Del("cursor") // a cursor continues only its own order
		q.Set("sort", sort)
		out = append(out, queueSort{Label: w.QueueSort(sort), Href: "/provider/queue?" + q.Encode(), Current: sort == current})
	}
	return out
}

// queueStates are the states a queued request can be in: the queue's
// state filter offers no draft and no finished request.
func queueStates() []request.State {
	return slices.DeleteFunc(slices.Clone(request.States), func(s request.State) bool {
		return s == request.StateDraft || s.Terminal()
	})
}

// handleQueuePage handles "GET /provider/queue": a team's queue, most urgent
// first, with the team's latest notifications.
func (s *Server) handleQueuePage(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	a := principal(c).Principal
	pg := s.page(c, "Queue")
	if c.Query("team") == "" && c.Query("all") == "" && pg.Caps.HomeQueue != "" {
		// The team queue the policy says this person works from, by its own
		// address, so the tab, the orders and the pages all name the team.
		// (Rewriting the query in place would not do: gin has read it.)
		q := c.Request.URL.Query()
		q.Set("team", pg.Caps.HomeQueue)
		c.Redirect(http.StatusSeeOther, "/provider/queue?"+q.Encode())
		return
	}
	f, err := queueFilter(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	pg.Title = queueTitle(s.printer(c), f.Team)
	// The page opens on live work; disclosed requests, which only wait to
	// be closed, are one box away.
	f.Live = c.Query("done") == "" && f.Status == ""
	page, err := s.workflow.Queue(c.Request.Context(), a, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	notes, err := s.workflow.Notifications(c.Request.Context(), a, workflow.NotificationFilter{Limit: 10})
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := queuePage{Page: pg, Team: f.Team, Teams: workflow.Teams, Status: string(f.Status),
		Statuses: queueStates(), Overdue: f.Overdue != nil && *f.Overdue, Emergency: f.Emergency != nil && *f.Emergency,
		Mine: c.Query("assignee") == "me", Done: !f.Live, Sort: cmp.Or(f.Sort, workflow.SortDeadline), Items: toAPIQueue(page).Items,
		Notifications: toAPINotifications(notes.Said(s.voice(c))).Items, Now: time.Now()}
	p.Sorts = queueSorts(c.Request.URL.Query(), p.Sort, wording.In(s.printer(c)))
	if page.NextCursor != "" {
		q := c.Request.URL.Query()
		q.Set("cursor", page.NextCursor)
		p.NextHref = "/provider/queue?" + q.Encode()
	}
	if f.Cursor != "" {
		q := c.Request.URL.Query()
		q.Del("cursor")
		p.FirstHref = "/provider/queue?" + q.Encode()
	}
	s.html(c, http.StatusOK, "provider_queue", p)
}

type reviewPage struct {
	Page
	R                apiRequest
	Can              map[string]bool
	Categories       []string // the scope decision's, for the approval form
	Staff            []option
	ReasonCodes      []string
	CallbackOutcomes []string
	Callbacks        *workflow.CallbackView // the agency's callback directory and the calls recorded (emergencies)
	FieldErrors      map[string]*errs.FieldError
	Form             url.Values        // what was typed, when a decision is refused
	Actors           map[string]string // who acted in each history row, by person id
	StepUp           map[string]bool   // offered actions that first ask for the second factor
}

// A commentBox is one decision form's two notes (the comment_box
// template): the note to the agency and the internal note, fields
// "<action>.note" and "<action>.internal_note" (ownComment). Label names
// the note to the agency where the action gives it a purpose.
type commentBox struct {
	Action, Label string
	FieldErrors   map[string]*errs.FieldError
	Form          url.Values
	Typed         bool // the failed form was this one: show what was typed
}

// CommentBox is the comment box of the form of action.
func (p reviewPage) CommentBox(action, label string) commentBox {
	failed := p.Form.Get("action")
	failed = sharedForm(failed)
	return commentBox{Action: action, Label: label, FieldErrors: p.FieldErrors, Form: p.Form, Typed: failed == action}
}

// handleReviewPage handles "GET /provider/requests/:id/review": the review
// workspace with the request, its order, the scope decision with reasons,
// history, messages and the decision forms.
func (s *Server) handleReviewPage(c *gin.Context) {
	s.showReview(c, http.StatusOK, nil, nil)
}

func (s *Server) showReview(c *gin.Context, status int, problem error, form url.Values) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	a := principal(c).Principal
	f, err := s.casefiles.Open(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	r, view := f.Request, toAPIFile(f, "/provider")
	pg := s.page(c, "")
	pg.Title = s.printer(c).Sprintf("Review %s — %s", r.Reference, wording.State(r.Status, wording.Provider))
	p := reviewPage{Page: pg, R: view, Can: map[string]bool{}, ReasonCodes: workflow.ReviewerReasonCodes(),
		CallbackOutcomes: workflow.CallbackOutcomes, Form: form}
	for _, act := range view.AllowedActions {
		p.Can[act] = true
	}
	p.StepUp = stepUpActions(f.Workflow)
	if view.Workflow != nil && view.Workflow.Emergency {
		if p.Callbacks, err = s.workflow.CallbackView(c.Request.Context(), a, r.ID); err != nil {
			s.renderError(c, err)
			return
		}
	}
	if view.Scope != nil {
		p.Categories = view.Scope.Categories
	}
	for _, person := range f.Staff {
		p.Staff = append(p.Staff, option{Value: person.ID, Label: person.Name + " (" + person.Roles + ")"})
	}
	if problem != nil {
		p.Page.Errors, p.FieldErrors = fieldErrors(ownComment(overtaken(problem, view, f.Actors, wording.Provider, wording.In(s.printer(c))), form.Get("action")))
	}
	p.Actors = f.Actors
	if p.Form == nil {
		p.Form = url.Values{}
	}
	s.html(c, status, "provider_review", p)
}

// handleReviewDecision handles "POST /provider/requests/:id/review": one
// provider action from the workspace's forms. An approval, a
// countersignature or a rejection is checked first and answered with its
// confirmation (confirmReview); only the confirmed form acts.
func (s *Server) handleReviewDecision(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.renderError(c, errs.Wrap(err, errs.Invalid, "The form could not be read."))
		return
	}
	form := c.Request.PostForm
	ctx, actor, id := c.Request.Context(), principal(c).Principal, c.Param("id")
	action, version, in, err := reviewInput(form)
	var st *workflow.Status
	switch {
	case err != nil:
	case !isProviderAction(action):
		err = chooseAction()
	case slices.Contains(reviewConfirms, action) && !confirmed(form):
		if err = s.workflow.Check(ctx, actor, id, version, action, in); err == nil {
			s.confirmReview(c, action, in, form)
			return
		}
	default:
		st, err = s.workflow.Transition(ctx, actor, id, version, action, in)
	}
	if err != nil {
		s.reviewFailed(c, err, form)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("%s. Request %s is now: %s.", wording.Happened(action), st.Reference, wording.State(st.State, wording.Provider)))
	c.Redirect(http.StatusSeeOther, "/provider/requests/"+st.RequestID+"/review")
}

// reviewInput reads a review form (the workspace's or its confirmation's) into
// the workflow's action, the version it was read at and its input; the
// error names a field the form itself got wrong (a date).
func reviewInput(form url.Values) (workflow.Action, int, workflow.Input, error) {
	action := workflow.Action(form.Get("action"))
	version, _ := strconv.Atoi(form.Get("version"))
	in := workflow.Input{Comment: form.Get("comment"), Note: form.Get("note"), InternalNote: form.Get("internal_note"), ReasonCode: form.Get("reason_code"), Assignee: form.Get("assignee"),
		Outcome: form.Get("outcome"), Grounds: form["grounds"]}
	var problems errs.Fields
	switch action {
	case workflow.ActionVerify:
		in.Verification = &workflow.Verification{Requester: form.Get("verification_requester"), Document: form.Get("verification_document")}
		if form.Get("callback_directory_id") != "" || form.Get("callback_outcome") != "" || form.Get("callback_note") != "" {
			in.Verification.Callback = &workflow.Callback{DirectoryID: form.Get("callback_directory_id"),
				Outcome: form.Get("callback_outcome"), Note: form.Get("callback_note")}
		}
	case workflow.ActionApprove:
		n := &workflow.Narrowing{Categories: append([]string{}, form["scope_categories"]...), Targets: []request.Target{}}
		for _, t := range form["scope_targets"] {
			typ, val, _ := strings.Cut(t, ":")
			n.Targets = append(n.Targets, request.Target{Type: typ, Value: val})
		}
		for _, d := range []struct {
			field string
			into  *day.Date
		}{{"scope_date_from", &n.DateFrom}, {"scope_date_to", &n.DateTo}} {
			if v := strings.TrimSpace(form.Get(d.field)); v != "" {
				parsed, err := day.Parse(v)
				if err != nil {
					problems.Add(strings.Replace(d.field, "scope_", "scope.", 1), "Enter the date as year-month-day, for example 2026-01-31.")
				}
				*d.into = parsed
			}
		}
		in.Scope = n
	}
	return action, version, in, problems.Err()
}

// ownComment names the note of the form that failed: every decision
// form has a note to the agency and an internal note, and the workflow's
// error says only "note" or "internal_note", so the summary's link and
// the message land on the box of the action taken ("reject.note", id
// f-reject-note).
func ownComment(err error, action string) error {
	e, ok := errs.As(err)
	if !ok || action == "" || !slices.ContainsFunc(e.Fields, func(f errs.FieldError) bool { return noteFields[f.Field] }) {
		return err
	}
	action = sharedForm(action) // one form, one pair of notes, several buttons
	out := *e
	out.Fields = slices.Clone(e.Fields)
	for i := range out.Fields {
		if f := out.Fields[i].Field; noteFields[f] {
			out.Fields[i].Field = action + "." + f
		}
	}
	return &out
}

// noteFields are the fields of a decision form's notes (the old comment
// too, which the forms no longer send but a saved form might).
var noteFields = map[string]bool{"note": true, "internal_note": true, "comment": true}

// sharedForm names the notes of action's form: "hold" for take and
// release, "finish" for the finishing form's buttons, else the action.
func sharedForm(action string) string {
	switch a := workflow.Action(action); {
	case finishes(a):
		return "finish"
	case a == workflow.ActionTake || a == workflow.ActionRelease:
		return "hold"
	}
	return action
}

// finishes reports whether a is one of the finishing form's buttons.
func finishes(a workflow.Action) bool {
	return a == workflow.ActionExtend || a == workflow.ActionClose || a == workflow.ActionConfirmProductionIssued
}

func chooseAction() error {
	return &errs.Error{Code: errs.Invalid, Message: "Choose an action.", Fields: []errs.FieldError{{Field: "action", Message: "Choose an action."}}}
}

// reviewFailed shows why a review form did not act: the workspace again,
// with the error summary and what was typed, or the error page when there
// is no workspace to show.
func (s *Server) reviewFailed(c *gin.Context, err error, form url.Values) {
	if s.needsStepUp(c, err) {
		return
	}
	if code := errs.CodeOf(err); code == errs.Internal || code == errs.NotFound || code == errs.Unavailable {
		s.renderError(c, err)
		return
	}
	s.showReview(c, statuses[errs.CodeOf(err)], err, form)
}

// agencyInput reads an agency action's form: the version it was read at
// and its input.
func agencyInput(form url.Values) (int, workflow.Input) {
	version, _ := strconv.Atoi(form.Get("version"))
	return version, workflow.Input{Comment: form.Get("comment"), Body: form.Get("body")}
}

// agencyPageAction runs one of the agency's actions from the request page
// and returns to it.
func (s *Server) agencyPageAction(c *gin.Context, a workflow.Action, done string) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.renderError(c, errs.Wrap(err, errs.Invalid, "The form could not be read."))
		return
	}
	version, in := agencyInput(c.Request.PostForm)
	st, err := s.workflow.Transition(c.Request.Context(), principal(c).Principal, c.Param("id"), version, a, in)
	if err != nil {
		s.agencyActionFailed(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("%s Request %s is now: %s.", s.printer(c).Sprintf(done), st.Reference, wording.State(st.State, wording.Agency)))
	c.Redirect(http.StatusSeeOther, "/agency/requests/"+st.RequestID)
}

// agencyActionFailed shows the request page again with why an agency's
// action did not act, or the error page when there is none to show.
func (s *Server) agencyActionFailed(c *gin.Context, err error) {
	if s.needsStepUp(c, err) {
		return
	}
	if code := errs.CodeOf(err); code == errs.Internal || code == errs.NotFound || code == errs.Unavailable {
		s.renderError(c, err)
		return
	}
	s.showRequest(c, statuses[errs.CodeOf(err)], err)
}

// handleAnswerPage handles "POST /agency/requests/:id/messages".
func (s *Server) handleAnswerPage(c *gin.Context) {
	s.agencyPageAction(c, workflow.ActionMessage, locale.M("Your answer was sent."))
}

// handleCosignPage handles "POST /agency/requests/:id/cosign".
func (s *Server) handleCosignPage(c *gin.Context) {
	s.agencyPageAction(c, workflow.ActionCosign, locale.M("Co-signed."))
}

// handleWithdrawPage handles "POST /agency/requests/:id/withdraw": checked,
// then answered with its confirmation (confirmWithdraw); only the
// confirmed form withdraws.
func (s *Server) handleWithdrawPage(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.renderError(c, errs.Wrap(err, errs.Invalid, "The form could not be read."))
		return
	}
	form := c.Request.PostForm
	if confirmed(form) {
		s.agencyPageAction(c, workflow.ActionWithdraw, locale.M("Withdrawn."))
		return
	}
	version, in := agencyInput(form)
	if err := s.workflow.Check(c.Request.Context(), principal(c).Principal, c.Param("id"), version, workflow.ActionWithdraw, in); err != nil {
		s.agencyActionFailed(c, err)
		return
	}
	s.confirmWithdraw(c, in, form)
}

// handleLinkPage handles "POST /agency/requests/:id/link".
func (s *Server) handleLinkPage(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	linked := c.PostForm("linked")
	_, err := s.workflow.Link(c.Request.Context(), principal(c).Principal, c.Param("id"), &linked)
	if err != nil {
		s.agencyActionFailed(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("Link saved."))
	c.Redirect(http.StatusSeeOther, "/agency/requests/"+c.Param("id"))
}

// stepUpActions are the actions w offers that first ask for the second
// factor (workflow.View.StepUp), by name, for the pages to say so.
func stepUpActions(w *workflow.View) map[string]bool {
	out := map[string]bool{}
	if w != nil {
		for _, a := range w.StepUp {
			out[string(a)] = true
		}
	}
	return out
}

// voice says what the portal stored in words (notifications, history) in
// the reader's language: its messages through the printer, the policy's
// names and texts in them as the policy bundle translates them.
func (s *Server) voice(c *gin.Context) workflow.Voice {
	pr := s.printer(c)
	return workflow.VoiceOf(pr, s.render.book.In(pr.Lang()).Say)
}
