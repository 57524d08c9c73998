package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// The workflow's JSON shapes.

type apiPersonRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type apiMessage struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	From   string    `json:"from"` // provider or agency
	Author string    `json:"author"`
	Body   string    `json:"body"`
}

// apiCallback is an emergency's callback: in a verify transition, the
// directory entry called (directory_id), the outcome and a note; in
// answers, also the number and the entry's label and source. A number
// typed in is ignored: only the agency's callback directory counts.
type apiCallback struct {
	DirectoryID string `json:"directory_id"`
	Number      string `json:"number,omitempty"`
	Directory   string `json:"directory,omitempty"`
	Outcome     string `json:"outcome"`
	Note        string `json:"note,omitempty"`
}

type apiVerification struct {
	Requester  string        `json:"requester"`
	Document   string        `json:"document"`
	Callback   *apiCallback  `json:"callback,omitempty"`
	VerifiedBy *apiPersonRef `json:"verified_by,omitempty"`
	VerifiedAt *time.Time    `json:"verified_at,omitempty"`
}

type apiDecision struct {
	Outcome    string      `json:"outcome"` // approved, narrowed or rejected
	Categories []string    `json:"categories,omitempty"`
	Targets    []apiTarget `json:"targets,omitempty"`
	DateFrom   string      `json:"date_from,omitempty"`
	DateTo     string      `json:"date_to,omitempty"`
	ReasonCode string      `json:"reason_code,omitempty"`
	Reason     string      `json:"reason,omitempty"`
}

type apiApproval struct {
	Seq   int          `json:"seq"` // 1 approves, 2 countersigns
	By    apiPersonRef `json:"by"`
	Role  string       `json:"role"`
	At    time.Time    `json:"at"`
	Scope apiDecision  `json:"scope"`
}

type apiCosign struct {
	By apiPersonRef `json:"by"`
	At time.Time    `json:"at"`
}

type apiPreservation struct {
	HoldUntil *time.Time `json:"hold_until"` // null once kept until produced
	Extended  bool       `json:"extended"`
	// KeptUntilProduced: the issuing authority confirmed that the
	// production request has been issued, so the records are kept until
	// produced or released (Regulation (EU) 2023/1543, Art. 11(1)).
	KeptUntilProduced     bool          `json:"kept_until_produced"`
	ProductionConfirmedAt *time.Time    `json:"production_confirmed_at,omitempty"`
	ProductionConfirmedBy *apiPersonRef `json:"production_confirmed_by,omitempty"` // provider staff only
}

// apiEnforcingAuthority is the notification of the authority that enforces
// an EU order (Regulation (EU) 2023/1543, Art. 8) and its answer.
type apiEnforcingAuthority struct {
	Country        string          `json:"country"`
	State          string          `json:"state"`
	NotifiedAt     time.Time       `json:"notified_at"`
	RecordedBy     *apiPersonRef   `json:"recorded_by,omitempty"` // provider staff only
	ProduceAfter   *time.Time      `json:"produce_after"`         // production held until then; null in an emergency
	ObjectionUntil *time.Time      `json:"objection_until"`
	Citation       string          `json:"citation"`
	RefusalGrounds []apiChoice     `json:"refusal_grounds"` // the Art. 12(1) checklist
	Held           bool            `json:"held"`            // production waits for it now
	Open           bool            `json:"open"`            // it may still answer
	Summary        string          `json:"summary"`
	SummaryWords   workflow.Phrase `json:"-"`      // Summary, for a page to say in its reader's language
	Answer         *apiAnswer      `json:"answer"` // null until recorded
}

// apiAnswer is the enforcing authority's answer.
type apiAnswer struct {
	Outcome         string        `json:"outcome"` // no_grounds or grounds_raised
	Grounds         []apiChoice   `json:"grounds"`
	Comment         string        `json:"comment,omitempty"`
	At              time.Time     `json:"at"`
	By              *apiPersonRef `json:"by,omitempty"` // provider staff only
	AfterProduction bool          `json:"after_production"`
}

type apiFollowUp struct {
	Due     *time.Time `json:"due"`
	MetAt   *time.Time `json:"met_at,omitempty"`
	Overdue bool       `json:"overdue"`
}

type apiRequestRef struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
}

// apiWorkflow is what the review has recorded: who approved, how intake
// verified, the co-signature, the decision, preservation and follow-up.
type apiWorkflow struct {
	Kind              string           `json:"kind"` // legal_process, emergency or preservation
	Emergency         bool             `json:"emergency"`
	ApprovalsRequired int              `json:"approvals_required"`
	Approvals         []apiApproval    `json:"approvals,omitempty"`    // provider staff only
	Verification      *apiVerification `json:"verification,omitempty"` // provider staff only
	Cosign            *apiCosign       `json:"cosign,omitempty"`
	Decision          *apiDecision     `json:"decision,omitempty"`
	Preservation      *apiPreservation `json:"preservation,omitempty"`
	FollowUp          *apiFollowUp     `json:"follow_up,omitempty"`
	Linked            *apiRequestRef   `json:"linked,omitempty"`
	LinkedBy          []apiRequestRef  `json:"linked_by,omitempty"`

	// EnforcingAuthority: the authority notified of an EU order (present
	// only for one).
	EnforcingAuthority *apiEnforcingAuthority `json:"enforcing_authority,omitempty"`
}

// apiWorkflowStatus answers a transition.
type apiWorkflowStatus struct {
	ID             string     `json:"id"`
	Reference      string     `json:"reference"`
	Status         string     `json:"status"`
	Version        int        `json:"version"`
	Queue          string     `json:"queue,omitempty"`
	AssigneeID     string     `json:"assignee_id,omitempty"`
	Deadline       *time.Time `json:"deadline,omitempty"`
	Overdue        bool       `json:"overdue"`
	AllowedActions []string   `json:"allowed_actions"`
}

type apiQueueItem struct {
	ID          string        `json:"id"`
	Reference   string        `json:"reference"`
	Status      string        `json:"status"`
	Queue       string        `json:"queue"`
	Kind        string        `json:"kind"`
	Emergency   bool          `json:"emergency"`
	Overdue     bool          `json:"overdue"`
	Deadline    *time.Time    `json:"deadline"`
	Assignee    *apiPersonRef `json:"assignee"`
	Agency      apiAgencyRef  `json:"agency"`
	Process     string        `json:"process"`
	SubmittedAt *time.Time    `json:"submitted_at"`
}

type apiQueuePage struct {
	Items      []apiQueueItem `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

type apiNotification struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	RequestID string    `json:"request_id,omitempty"`
	Team      string    `json:"team,omitempty"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	Email     string    `json:"email"` // none, pending, sent or failed
}

type apiNotificationPage struct {
	Items      []apiNotification `json:"items"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// apiTransitionBody is the body of POST /api/v1/requests/{id}/transitions;
// the agency's routes take the same shape, reading only what they need.
type apiTransitionBody struct {
	Action       string           `json:"action"`
	Version      int              `json:"version"`
	Comment      string           `json:"comment"`       // before notes were split: see workflow.Input.Comment
	Note         string           `json:"note"`          // to the agency
	InternalNote string           `json:"internal_note"` // provider staff only
	Body         string           `json:"body"`
	Scope        *apiNarrowing    `json:"scope"`
	ReasonCode   string           `json:"reason_code"`
	Verification *apiVerification `json:"verification"`
	Assignee     string           `json:"assignee"`
	Linked       *string          `json:"linked"`
	Outcome      string           `json:"outcome"` // record_enforcing_authority
	Grounds      []string         `json:"grounds"` // record_enforcing_authority: ids from the notified checklist
}

type apiNarrowing struct {
	Categories []string    `json:"categories"`
	Targets    []apiTarget `json:"targets"`
	DateFrom   day.Date    `json:"date_from"`
	DateTo     day.Date    `json:"date_to"`
}

func (b apiTransitionBody) input() workflow.Input {
	in := workflow.Input{Comment: b.Comment, Note: b.Note, InternalNote: b.InternalNote, ReasonCode: b.ReasonCode, Assignee: b.Assignee, Body: b.Body, Outcome: b.Outcome, Grounds: b.Grounds}
	if b.Scope != nil {
		n := &workflow.Narrowing{Categories: b.Scope.Categories, DateFrom: b.Scope.DateFrom, DateTo: b.Scope.DateTo}
		if b.Scope.Targets != nil {
			n.Targets = []request.Target{}
			for _, t := range b.Scope.Targets {
				n.Targets = append(n.Targets, request.Target{Type: t.Type, Value: t.Value})
			}
		}
		in.Scope = n
	}
	if v := b.Verification; v != nil {
		in.Verification = &workflow.Verification{Requester: v.Requester, Document: v.Document}
		if v.Callback != nil {
			in.Verification.Callback = &workflow.Callback{DirectoryID: v.Callback.DirectoryID, Outcome: v.Callback.Outcome, Note: v.Callback.Note}
		}
	}
	return in
}

// readTransition decodes a workflow body strictly. An empty body is the
// zero body when optional (cosign, withdraw).
func readTransition(c *gin.Context, optional bool) (apiTransitionBody, error) {
	var b apiTransitionBody
	if optional && c.Request.ContentLength == 0 && c.ContentType() == "" {
		return b, nil
	}
	raw, err := readJSON(c)
	if err != nil {
		return b, err
	}
	if optional && len(bytes.TrimSpace(raw)) == 0 {
		return b, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, bodyError(err)
	}
	if dec.Decode(new(json.RawMessage)) != io.EOF {
		return b, errs.E(errs.Invalid, "Send one JSON object.")
	}
	return b, nil
}

// bodyError names the field a JSON decoding error is about.
func bodyError(err error) error {
	var te *json.UnmarshalTypeError
	var e *errs.Error
	var f errs.Fields
	switch {
	case errors.As(err, &te) && te.Field == "":
		return errs.Wrap(err, errs.Invalid, "has the wrong type")
	case errors.As(err, &te):
		e = errs.E(errs.Invalid, "The body has a problem: %s has the wrong type.", te.Field)
		f.Add(te.Field, "has the wrong type")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e = errs.E(errs.Invalid, "The body has a problem: %s is not a field of this body.", field)
		f.Add(field, "is not a field of this body")
	case strings.Contains(err.Error(), "YYYY-MM-DD") || strings.Contains(err.Error(), "date"):
		return errs.Wrap(err, errs.Invalid, "A date is not a valid YYYY-MM-DD date.")
	default:
		return errs.Wrap(err, errs.Invalid, "The body is not valid JSON.")
	}
	e.Fields, e.Err = f, err
	return e
}

// addWorkflow adds where r stands in the review to its API view.
func (s *Server) addWorkflow(c *gin.Context, r *request.Request, out *apiRequest) error {
	if s.workflow == nil {
		return nil
	}
	v, err := s.workflow.View(c.Request.Context(), principal(c).Principal, r)
	if err != nil {
		return err
	}
	toAPIWorkflow(v, out)
	return nil
}

func toAPIWorkflow(v *workflow.View, out *apiRequest) {
	out.Queue, out.Deadline, out.Overdue = v.Queue, v.DueAt, v.Overdue
	if v.Assignee != nil {
		out.Assignee = &apiPersonRef{ID: v.Assignee.ID, Name: v.Assignee.Name}
	}
	out.AllowedActions = []string{}
	for _, a := range v.Allowed {
		out.AllowedActions = append(out.AllowedActions, string(a))
	}
	out.Messages = []apiMessage{}
	for _, m := range v.Messages {
		out.Messages = append(out.Messages, apiMessage{ID: m.ID, At: m.At, From: m.Side, Author: m.Author, Body: m.Body})
	}
	for i, h := range out.History {
		if n, ok := v.Internal[h.ID]; ok {
			out.History[i].InternalNote, out.History[i].internal = n.Text(workflow.Voice{}), &n
		}
	}
	if v.Kind == "" && v.Linked == nil {
		return // a draft: nothing recorded yet
	}
	w := &apiWorkflow{Kind: v.Kind, Emergency: v.Emergency, ApprovalsRequired: v.ApprovalsRequired}
	for _, a := range v.Approvals {
		w.Approvals = append(w.Approvals, apiApproval{Seq: a.Seq, By: apiPersonRef{ID: a.By.ID, Name: a.By.Name}, Role: a.Role, At: a.At,
			Scope: toAPIDecision(a.Values)})
	}
	if ver := v.Verification; ver != nil {
		w.Verification = &apiVerification{Requester: ver.Requester, Document: ver.Document, VerifiedAt: v.VerifiedAt}
		if ver.Callback != nil {
			w.Verification.Callback = &apiCallback{DirectoryID: ver.Callback.DirectoryID, Number: ver.Callback.Number, Directory: ver.Callback.Directory,
				Outcome: ver.Callback.Outcome, Note: ver.Callback.Note}
		}
		if v.VerifiedBy != nil {
			w.Verification.VerifiedBy = &apiPersonRef{ID: v.VerifiedBy.ID, Name: v.VerifiedBy.Name}
		}
	}
	if v.CosignedAt != nil && v.CosignedBy != nil {
		w.Cosign = &apiCosign{By: apiPersonRef{ID: v.CosignedBy.ID, Name: v.CosignedBy.Name}, At: *v.CosignedAt}
	}
	if v.Decision != nil {
		d := toAPIDecision(*v.Decision)
		w.Decision = &d
	}
	if v.HoldUntil != nil || v.ProductionConfirmedAt != nil {
		w.Preservation = &apiPreservation{HoldUntil: v.HoldUntil, Extended: v.Extended, KeptUntilProduced: v.ProductionConfirmedAt != nil,
			ProductionConfirmedAt: v.ProductionConfirmedAt, ProductionConfirmedBy: toAPIPersonRef(v.ProductionConfirmedBy)}
	}
	w.EnforcingAuthority = toAPIEnforcingAuthority(v.Enforcement)
	if v.FollowUpDue != nil {
		w.FollowUp = &apiFollowUp{Due: v.FollowUpDue, MetAt: v.FollowUpMetAt, Overdue: v.FollowUpOverdue}
	}
	if v.Linked != nil {
		w.Linked = &apiRequestRef{ID: v.Linked.ID, Reference: v.Linked.Reference, Status: string(v.Linked.Status)}
	}
	for _, l := range v.LinkedBy {
		w.LinkedBy = append(w.LinkedBy, apiRequestRef{ID: l.ID, Reference: l.Reference, Status: string(l.Status)})
	}
	out.Workflow = w
}

func toAPIPersonRef(p *workflow.PersonRef) *apiPersonRef {
	if p == nil {
		return nil
	}
	return &apiPersonRef{ID: p.ID, Name: p.Name}
}

func toAPIEnforcingAuthority(n *workflow.EnforcementView) *apiEnforcingAuthority {
	if n == nil {
		return nil
	}
	out := &apiEnforcingAuthority{Country: n.Country, State: n.State, NotifiedAt: n.NotifiedAt, RecordedBy: toAPIPersonRef(n.RecordedBy),
		ProduceAfter: n.ProduceAfter, ObjectionUntil: n.ObjectionUntil, Citation: n.Citation, RefusalGrounds: toAPIChoices(n.RefusalGrounds),
		Held: n.Held, Open: n.Open, Summary: n.Summary, SummaryWords: n.SummaryWords}
	if n.Answer != "" && n.AnsweredAt != nil {
		out.Answer = &apiAnswer{Outcome: n.Answer, Grounds: toAPIChoices(n.Grounds), Comment: n.Comment, At: *n.AnsweredAt,
			By: toAPIPersonRef(n.AnsweredBy), AfterProduction: n.AfterProduction}
	}
	return out
}

func toAPIDecision(d workflow.Decision) apiDecision {
	out := apiDecision{Outcome: d.Outcome, Categories: d.Categories, DateFrom: d.DateFrom, DateTo: d.DateTo,
		ReasonCode: d.ReasonCode, Reason: d.Reason}
	for _, t := range d.Targets {
		out.Targets = append(out.Targets, apiTarget{Type: t.Type, Value: t.Value})
	}
	return out
}

func (s *Server) workflowReady() error {
	if s.workflow == nil {
		return errs.E(errs.Unavailable, "The review workflow is not running.")
	}
	return nil
}

// writeStatus answers a transition with where the request now stands and
// what the caller may do next.
func (s *Server) writeStatus(c *gin.Context, st *workflow.Status) {
	out := apiWorkflowStatus{ID: st.RequestID, Reference: st.Reference, Status: string(st.State), Version: st.Version,
		Queue: st.Queue, AssigneeID: st.AssigneeID, Deadline: st.DueAt, Overdue: st.Overdue, AllowedActions: []string{}}
	for _, a := range st.Allowed {
		out.AllowedActions = append(out.AllowedActions, string(a))
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(st.Version)))
	c.JSON(http.StatusOK, out)
}

// handleAPITransition handles "POST /api/v1/requests/:id/transitions": a
// provider action (take, release, assign, verify, request_info, approve,
// countersign, reject, extend, close, record_enforcing_authority,
// confirm_production_issued) at the version the caller read.
func (s *Server) handleAPITransition(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	b, err := readTransition(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	// The engine answers NotFound before judging the action, so another
	// agency learns nothing from the answer.
	st, err := s.workflow.Transition(c.Request.Context(), principal(c).Principal, c.Param("id"), b.Version, workflow.Action(b.Action), b.input())
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.writeStatus(c, st)
}

func isProviderAction(a workflow.Action) bool {
	for _, p := range workflow.ProviderActions {
		if p == a {
			return true
		}
	}
	return false
}

// agencyAction runs one of the agency's own actions from a JSON body.
func (s *Server) agencyAction(c *gin.Context, a workflow.Action, optional bool) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	b, err := readTransition(c, optional)
	if err != nil {
		s.renderError(c, err)
		return
	}
	st, err := s.workflow.Transition(c.Request.Context(), principal(c).Principal, c.Param("id"), b.Version, a, b.input())
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.writeStatus(c, st)
}

// handleAPICosign handles "POST /api/v1/requests/:id/cosign": a supervisor
// of the agency co-signs an emergency request, through their own sign-in.
func (s *Server) handleAPICosign(c *gin.Context) { s.agencyAction(c, workflow.ActionCosign, true) }

// handleAPIWithdraw handles "POST /api/v1/requests/:id/withdraw".
func (s *Server) handleAPIWithdraw(c *gin.Context) { s.agencyAction(c, workflow.ActionWithdraw, true) }

// handleAPIMessage handles "POST /api/v1/requests/:id/messages": the
// officer's answer to the reviewer's question, which returns the request to
// review.
func (s *Server) handleAPIMessage(c *gin.Context) { s.agencyAction(c, workflow.ActionMessage, false) }

// handleAPILink handles "POST /api/v1/requests/:id/link" {"linked": "WD-…"}:
// a draft follows up a preservation or an emergency of the agency ("" unlinks).
func (s *Server) handleAPILink(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	b, err := readTransition(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ref, err := s.workflow.Link(c.Request.Context(), principal(c).Principal, c.Param("id"), b.Linked)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var out struct {
		Linked *apiRequestRef `json:"linked"`
	}
	if ref != nil {
		out.Linked = &apiRequestRef{ID: ref.ID, Reference: ref.Reference, Status: string(ref.Status)}
	}
	c.JSON(http.StatusOK, out)
}

// queueFilter reads the queue's query parameters.
func queueFilter(c *gin.Context) (workflow.QueueFilter, error) {
	f := workflow.QueueFilter{Team: c.Query("team"), Status: workflow.State(c.Query("status")), Cursor: c.Query("cursor"),
		Sort: c.Query("sort")}
	var problems errs.Fields
	flag := func(name string) *bool {
		switch c.Query(name) {
		case "":
			return nil
		case "true", "1", "on":
			t := true
			return &t
		case "false", "0":
			f := false
			return &f
		}
		problems.Add(name, "Use true or false.")
		return nil
	}
	f.Overdue, f.Emergency = flag("overdue"), flag("emergency")
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			problems.Add("limit", "Use a limit from 1 to 100.")
		}
		f.Limit = n
	}
	if a := c.Query("assignee"); a == "me" {
		f.Assignee = principal(c).Principal.PersonID
	} else {
		f.Assignee = a
	}
	return f, problems.Err()
}

func toAPIQueue(p workflow.QueuePage) apiQueuePage {
	out := apiQueuePage{Items: []apiQueueItem{}, NextCursor: p.NextCursor}
	for _, it := range p.Items {
		q := apiQueueItem{ID: it.RequestID, Reference: it.Reference, Status: string(it.Status), Queue: it.Queue, Kind: it.Kind,
			Emergency: it.Emergency, Overdue: it.Overdue, Process: it.Process, SubmittedAt: it.SubmittedAt,
			Agency: apiAgencyRef{ID: it.AgencyID, Name: it.AgencyName, Country: it.AgencyCountry}}
		if it.HasDeadline() {
			d := it.DueAt
			q.Deadline = &d
		}
		if it.AssigneeID != nil {
			q.Assignee = &apiPersonRef{ID: *it.AssigneeID}
			if it.AssigneeName != nil {
				q.Assignee.Name = *it.AssigneeName
			}
		}
		out.Items = append(out.Items, q)
	}
	return out
}

// handleAPIQueue handles "GET /api/v1/queue?team=&status=&overdue=&emergency=&assignee=&sort=&cursor=&limit=":
// a page of the provider's team queues, most urgent first (or by sort).
func (s *Server) handleAPIQueue(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	f, err := queueFilter(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	page, err := s.workflow.Queue(c.Request.Context(), principal(c).Principal, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIQueue(page))
}

func toAPINotifications(p workflow.NotificationPage) apiNotificationPage {
	out := apiNotificationPage{Items: []apiNotification{}, NextCursor: p.NextCursor}
	for _, n := range p.Items {
		a := apiNotification{ID: n.ID, CreatedAt: n.CreatedAt, Team: n.Team, Kind: n.Kind, Subject: n.Subject, Body: n.Body, Email: n.EmailState}
		if n.RequestID != nil {
			a.RequestID = *n.RequestID
		}
		out.Items = append(out.Items, a)
	}
	return out
}

// handleAPINotifications handles "GET /api/v1/notifications?request=&cursor=&limit=":
// the outbox as the caller's agency or team sees it, newest first.
func (s *Server) handleAPINotifications(c *gin.Context) {
	if err := s.workflowReady(); err != nil {
		s.renderError(c, err)
		return
	}
	f := workflow.NotificationFilter{RequestID: c.Query("request"), Cursor: c.Query("cursor")}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			s.renderError(c, &errs.Error{Code: errs.Invalid, Message: "Use a limit from 1 to 100.",
				Fields: []errs.FieldError{{Field: "limit", Message: "from 1 to 100"}}})
			return
		}
		f.Limit = n
	}
	page, err := s.workflow.Notifications(c.Request.Context(), principal(c).Principal, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPINotifications(page))
}
