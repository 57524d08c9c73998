package workflow

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// An Input carries what an action needs besides its name; each action reads
// only its own fields.
type Input struct {
	// Note is the note to the agency: shown in the history the agency
	// reads; request_info: the question; reject: the explanation;
	// record_enforcing_authority: the authority's reasons.
	Note string
	// InternalNote is for the provider's staff only: kept beside the
	// history row (request_internal_notes), never in what the agency reads.
	InternalNote string
	// Comment is the field clients wrote before notes were split, read as
	// the note to the agency where that is its nature (request_info,
	// reject, record_enforcing_authority, the agency's own actions, the
	// engine's) and as an INTERNAL note on every other provider action:
	// never leaking is the safe default (resolveComment).
	Comment      string
	Scope        *Narrowing    // approve: a narrower scope than the policy's decision
	ReasonCode   string        // reject: one of ReasonCodes
	Verification *Verification // verify
	Assignee     string        // assign: the people id of provider staff, or "" to unassign
	Body         string        // message: the answer
	Outcome      string        // record_enforcing_authority: one of Answers
	Grounds      []string      // record_enforcing_authority: the ids of the grounds raised, from the notified checklist

	said []Phrase // the engine's own comment (Comment is its English), said in each reader's language
}

// A Narrowing is an approval for less than the policy's scope decision. A
// nil list or a zero date keeps the decision's value.
type Narrowing struct {
	Categories []string
	Targets    []request.Target
	DateFrom   day.Date
	DateTo     day.Date
}

// A Status is where a request stands after a transition.
type Status struct {
	RequestID  string
	Reference  string
	State      State
	Version    int
	Queue      string
	AssigneeID string
	DueAt      *time.Time // nil when the state has no deadline
	Overdue    bool
	Allowed    []Action // what the actor may do next
}

// step is one transition in progress, inside its transaction.
type step struct {
	e     *Engine
	ctx   context.Context
	tx    *gorm.DB
	actor *identity.Principal // system for the engine's own
	rule  *Rule
	req   *request.Request // with targets
	ag    *agency.Agency
	c     *Case // nil for a draft
	from  State
	to    State
	in    Input
	now   time.Time

	scope     *policy.Scope
	approvals *policy.Approvals
	decided   *Decision // approve and countersign: what is approved

	said     []Phrase // the history comment the portal writes, said in each reader's language
	whispers []Phrase // what the portal writes for the provider's staff only (request_internal_notes)
	// noteField names the field the note to the agency came in: "note",
	// or "comment" from a client that sent the old field.
	noteField string
	details   map[string]any // the audit event's details
	policies  map[string]any // the policy decisions consulted, for the audit event
	leaf      *translog.Record
	notes     []note
	jobs      []river.InsertManyParams
	reroute   bool   // place the case in a queue again although the state did not change
	fulfils   string // a preservation this transition fulfils, next in the same transaction
	fail      error  // a guard's storage error, returned before its field errors
}

// Transition takes action on request id, which the caller read at version,
// in one transaction. Provider actions need the version; agency actions
// accept 0 for "as it is now".
//
// Returns NotFound for a missing request or another agency's; Invalid for an
// unknown action, a missing version or bad input (naming the fields, and
// for a narrowed scope naming what is wider than the scope decision);
// Conflict when the action is not allowed in the request's state (Allowed
// lists what is, wrapping ErrNotAllowed) or the version is stale (wrapping
// request.ErrStaleVersion); Forbidden when the policy or a four-eyes rule refuses
// (audited as a denial); PolicyDenied when the legal policy no longer
// authorises the approval.
func (e *Engine) Transition(ctx context.Context, actor *identity.Principal, id string, version int, action Action, in Input) (*Status, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out *Status
	err := audit.Run(ctx, e.db.DB, func(tx *gorm.DB) error {
		s, err := e.transition(ctx, tx, actor, id, version, action, in)
		if err != nil {
			return err
		}
		out = s.status()
		if !actor.Provider {
			// The queue and who holds the request are the provider's
			// own: an agency's action is answered without them.
			out.Queue, out.AssigneeID = "", ""
		}
		out.Allowed, err = e.allowed(ctx, actor, s.req, s.c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Disclosed marks request id disclosed, inside tx: the disclosure part calls
// it in the transaction that releases the production to the agency, and
// appends the transparency log's disclosed leaf itself (it knows what was
// produced). For an emergency it starts the follow-up deadline; a
// preservation the request links is fulfilled. Returns NotFound, or
// Conflict (wrapping ErrNotAllowed) unless the request is producing.
func (e *Engine) Disclosed(ctx context.Context, tx *gorm.DB, id string) error {
	_, err := e.transition(ctx, tx, system, id, 0, ActionDisclose, Input{})
	return err
}

// Check answers whether actor may take action on request id, read at
// version, with in, without taking it: it runs every check Transition runs
// and writes nothing (a refusal by the policy is audited, as an attempt).
// A page checks a form this way before it asks the person to confirm an
// action that cannot be undone.
//
// Returns nil, or the error Transition would return (same codes, same
// fields).
func (e *Engine) Check(ctx context.Context, actor *identity.Principal, id string, version int, action Action, in Input) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	return audit.Run(ctx, e.db.DB, func(tx *gorm.DB) error {
		_, err := e.prepare(ctx, tx, actor, id, version, action, in)
		return err
	})
}

// transition runs one transition inside tx.
func (e *Engine) transition(ctx context.Context, tx *gorm.DB, actor *identity.Principal, id string, version int, action Action, in Input) (*step, error) {
	s, err := e.prepare(ctx, tx, actor, id, version, action, in)
	if err != nil {
		return nil, err
	}
	if err := s.apply(); err != nil {
		return nil, err
	}
	if s.fulfils != "" {
		if _, err := e.transition(ctx, tx, system, s.fulfils, 0, ActionFulfil, Input{said: []Phrase{Say(locale.M("Fulfilled by %s."), s.req.Reference)}}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// prepare loads request id and runs every check of the transition (who,
// what, the version, the input, the rule's guard), deciding the state it
// goes to; it writes nothing.
func (e *Engine) prepare(ctx context.Context, tx *gorm.DB, actor *identity.Principal, id string, version int, action Action, in Input) (*step, error) {
	tx = tx.WithContext(ctx)
	r, err := request.Load(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if actor != system {
		// The request's existence is settled before anything about the
		// input is said, so another agency learns nothing from the answer.
		if ok, err := visible(ctx, tx, actor, r); err != nil || !ok {
			return nil, orNotFound(err, id)
		}
		by := actionBy(action)
		if by == "" || by == BySystem {
			unknown := errs.E(errs.Invalid, "Unknown action %q.", errs.Clip(string(action), 40))
			unknown.Fields = []errs.FieldError{{Field: "action", Message: "not an action of the workflow"}}
			return nil, unknown
		}
		if by == ByProvider && version < 1 {
			return nil, &errs.Error{Code: errs.Invalid, Message: "Send the version of the request you read, so that concurrent decisions are not lost.",
				Fields: []errs.FieldError{{Field: "version", Message: "required"}}}
		}
	}
	in, noteField := resolveComment(action, in)
	s := &step{e: e, ctx: ctx, tx: tx, actor: actor, req: r, from: State(r.Status), in: in, now: e.now(),
		details: map[string]any{}, policies: map[string]any{}, noteField: noteField}
	if s.ag, err = agency.FindByID(ctx, tx, r.AgencyID); err != nil {
		return nil, fmt.Errorf("transition %s: %w", r.ID, err)
	}
	if s.c, err = loadCase(ctx, tx, r.ID); err != nil {
		return nil, err
	}
	rule := ruleFor(action, s.from)
	if rule == nil || (actor == system) != (rule.By == BySystem) {
		return nil, e.notAllowed(ctx, actor, s, action, errs.Text{})
	}
	if rule.applies != nil {
		f, err := e.fit(ctx, r, s.c, s.now)
		if err != nil {
			return nil, err
		}
		if why := rule.applies(f); why.Format != "" {
			return nil, e.notAllowed(ctx, actor, s, action, why)
		}
	}
	s.rule = rule
	if rule.By == ByProvider && s.awaitingCosign() {
		awaiting := errs.E(errs.Conflict, "Request %s is an emergency awaiting its supervisor's co-signature; it reaches the provider once co-signed.", r.Reference)
		awaiting.Err, awaiting.Allowed = ErrNotAllowed, []string{}
		return nil, awaiting
	}
	if actor != system {
		if err := s.authorize(); err != nil {
			return nil, err
		}
	}
	if version != 0 && version != r.Version {
		return nil, request.Stale(r.ID)
	}
	if f := s.notesOK(""); len(f) > 0 {
		return nil, f.Err()
	}
	if rule.guard != nil {
		if err := rule.guard(s); err != nil {
			return nil, err
		}
	}
	switch {
	case rule.next != nil:
		s.to = rule.next(s)
	case rule.Stays():
		s.to = s.from
	default:
		s.to = rule.To[0]
	}
	return s, nil
}

// authorize asks the policy, and adds the engine's own invariants: provider
// actions only by provider staff who belong to no agency, agency actions
// only by the agency's own people.
func (s *step) authorize() error {
	a := s.actor
	switch s.rule.By {
	case ByProvider:
		if !a.Provider || a.AgencyID != "" {
			return s.deny(errs.E(errs.Forbidden, "Only the provider's staff, who belong to no agency, act as the provider."))
		}
	case ByAgency:
		if a.Provider || a.AgencyID != s.req.AgencyID {
			return s.deny(errs.E(errs.Forbidden, "Only the requesting agency's people can do this."))
		}
	}
	d, err := s.e.decide(s.ctx, a, s.rule.Action, s.req)
	if err != nil {
		return err
	}
	s.policies["authz"] = d
	if err := d.Refusal("You are not allowed to do this."); err != nil {
		return s.deny(err)
	}
	return nil
}

// decide asks the authorisation policy about actor taking a on r.
func (e *Engine) decide(ctx context.Context, actor *identity.Principal, a Action, r *request.Request) (policy.Decision, error) {
	pr := request.PolicyRequest(r)
	return e.policy.Authorize(ctx, policy.AuthzInput{Actor: actor.PolicyActor(), Action: policyAction(a), Request: &pr,
		Relation: actor.RelationTo(r.AgencyID)})
}

// deny marks a refusal to be audited after the transaction rolls back
// (audit.Run), with the authorisation decision consulted.
func (s *step) deny(err error) error {
	ev := audit.Event{At: s.now, Actor: s.actor.AuditActor(), Action: AuditAction(s.rule.Action), ObjectType: "request",
		ObjectID: s.req.ID, RequestID: s.req.ID}
	if d, ok := s.policies["authz"]; ok {
		ev.Decision = audit.JSON(d)
	}
	return audit.Deny(err, ev)
}

// historyAction names a transition in the request's history: the
// submission as the request package named it when it recorded it itself
// ("request.submit"), beside the draft's other entries; every other
// transition by its action.
func historyAction(a Action) string {
	if a == ActionSubmit {
		return request.ActionSubmit
	}
	return string(a)
}

// AuditAction names a transition in the audit trail: the agency's actions
// on its request as the request's other events are named
// ("request.submit", "request.cosign"), the provider's and the engine's as
// workflow events ("workflow.approve").
func AuditAction(a Action) string {
	if p := policyAction(a); strings.HasPrefix(p, "request.") {
		return p
	}
	return "workflow." + string(a)
}

// apply writes the transition: state under the version check, the case,
// the rule's effects, history, log leaf, audit event, notifications, jobs.
func (s *step) apply() error {
	r, tx := s.req, s.tx
	if err := request.Advance(s.ctx, tx, r, s.to, s.now); err != nil {
		return err
	}
	version := r.Version
	if s.rule.effect != nil {
		if err := s.rule.effect(s); err != nil {
			return err
		}
	}
	if err := s.keepHolds(); err != nil {
		return err
	}
	if s.c != nil {
		if s.to != s.from || s.reroute {
			if err := s.place(); err != nil {
				return err
			}
		}
		s.c.Status = s.to
		s.c.UpdatedAt = s.now
		if err := tx.Save(s.c).Error; err != nil {
			return fmt.Errorf("save workflow of %s: %w", r.ID, err)
		}
	}
	if s.actor == system {
		if err := ensureSystemPerson(s.ctx, tx, s.now); err != nil {
			return err
		}
	}
	comment, words := historyText(append(s.said, s.in.said...), s.in.Note)
	h := &request.HistoryEntry{RequestID: r.ID, At: s.now, ActorID: s.actor.PersonID, Action: historyAction(s.rule.Action),
		FromStatus: s.from, ToStatus: s.to, Comment: errs.Clip(comment, 2000), Words: words}
	if err := request.AddHistory(s.ctx, tx, h); err != nil {
		return err
	}
	if err := addInternal(s.ctx, tx, h, s.whispers, s.in.InternalNote); err != nil {
		return err
	}
	// Lock order: the transparency log before the audit chain.
	if s.leaf != nil {
		if err := s.appendLeaf(*s.leaf); err != nil {
			return err
		}
	}
	if err := s.recordSignals(); err != nil {
		return err
	}
	s.details["from"], s.details["to"], s.details["version"] = s.from, s.to, version
	if s.in.Comment != "" {
		s.details["comment"] = s.in.Comment
	} else if len(s.in.said) > 0 {
		s.details["comment"] = s.in.said[0].English()
	}
	if s.in.Note != "" {
		s.details["note"] = s.in.Note
	}
	if s.in.InternalNote != "" {
		s.details["internal_note"] = s.in.InternalNote
	}
	ev := audit.Event{At: s.now, Actor: s.actor.AuditActor(), Action: AuditAction(s.rule.Action),
		ObjectType: "request", ObjectID: r.ID, RequestID: r.ID, Details: audit.JSON(s.details)}
	if len(s.policies) > 0 {
		ev.Decision = audit.JSON(s.policies)
	}
	if err := audit.Append(s.ctx, tx, ev); err != nil {
		return err
	}
	for i, n := range s.notes {
		if n.queued {
			s.notes[i].team = cmp.Or(s.c.Queue, "intake")
		}
	}
	if err := s.e.notify(s.ctx, tx, s.notes, &s.jobs); err != nil {
		return err
	}
	return s.e.enqueue(s.ctx, tx, s.jobs)
}

// typed is the comment the transition was given: a person's, as typed, or
// the engine's own, as a Phrase.
func (s *step) typed() any {
	if len(s.in.said) > 0 {
		return s.in.said[0]
	}
	return s.in.Note
}

// tell adds a sentence to the history comment of the transition, which the
// agency reads.
func (s *step) tell(p Phrase) { s.said = append(s.said, p) }

// whisper adds a sentence for the provider's staff only: kept with the
// row's internal note, never in the history the agency reads.
func (s *step) whisper(p Phrase) { s.whispers = append(s.whispers, p) }

// place puts the case in the queue the routing policy names for its new
// state, with that state's deadline and the job that enforces it.
func (s *step) place() error {
	c := s.c
	prevQueue := c.Queue
	c.Overdue = false
	switch {
	case s.to.Terminal():
		c.Queue, c.DueAt = "", noDeadline
		return nil
	case c.Emergency && c.CosignedAt == nil:
		c.Queue, c.DueAt = "", noDeadline
		return nil
	}
	rt, err := s.e.policy.Route(s.ctx, s.scopeInput(s.to))
	if err != nil {
		return err
	}
	s.policies["route"] = rt
	c.Queue = rt.Queue
	defer func() {
		if s.rule.Action == ActionSubmit && c.Queue != "" {
			// The team and its deadline are the provider's routing: the
			// agency is told only that the request arrived.
			s.said = []Phrase{s.T("Received by the provider; under review.")}
			s.whisper(s.T("In the %s queue; answer due %s.", Say(teamName(c.Queue)), c.DueAt.Format("2006-01-02 15:04 UTC")))
		}
	}()
	if c.Queue != prevQueue || s.to == request.StateAwaitingCountersign {
		// Another team's work now; or another person's: whoever approved
		// first never countersigns, so does not keep the request.
		c.AssigneeID = nil
	}
	switch {
	case slices.Contains(timed, s.to):
		start := s.now
		if until, held := c.productionHeld(s.now); held && s.to == request.StateApproved {
			start = until // nothing is owed while production waits for the enforcing authority
		}
		c.DueAt = start.Add(time.Duration(rt.DeadlineHours) * time.Hour)
		s.jobs = append(s.jobs, deadlineJob(c))
	case (s.to == request.StatePreserved || s.to == request.StateExtended) && c.HoldUntil != nil:
		c.DueAt = *c.HoldUntil
	default:
		c.DueAt = noDeadline
	}
	return nil
}

func (s *step) status() *Status {
	st := &Status{RequestID: s.req.ID, Reference: s.req.Reference, State: s.to, Version: s.req.Version}
	if s.c != nil {
		st.Queue, st.Overdue = s.c.Queue, s.c.Overdue
		if s.c.AssigneeID != nil {
			st.AssigneeID = *s.c.AssigneeID
		}
		if s.c.DueAt.Before(noDeadline) {
			d := s.c.DueAt
			st.DueAt = &d
		}
	}
	return st
}

// awaitingCosign reports whether the request is an emergency its supervisor
// has not co-signed: the provider may not act on it yet.
func (s *step) awaitingCosign() bool {
	return s.c != nil && s.c.Emergency && s.c.CosignedAt == nil && s.from == request.StateSubmitted
}

// scopeInput is the request as the policy sees it in state st.
func (s *step) scopeInput(st State) policy.ScopeInput {
	pr := request.PolicyRequest(s.req)
	pr.Status = string(st)
	return policy.ScopeInput{
		Agency:  policy.Agency{ID: s.ag.ID, Country: s.ag.Country, Kind: s.ag.Kind},
		Request: pr,
		Today:   s.now.Format(time.DateOnly),
	}
}

// scopeDecision evaluates the policy's scope decision as of now.
func (s *step) scopeDecision() (policy.Scope, error) {
	if s.scope == nil {
		sc, err := s.e.policy.Scope(s.ctx, s.scopeInput(s.from))
		if err != nil {
			return policy.Scope{}, err
		}
		s.scope = &sc
		s.policies["scope"] = sc
	}
	return *s.scope, nil
}

// approvalsDecision evaluates the approvals policy.
func (s *step) approvalsDecision() (policy.Approvals, error) {
	if s.approvals == nil {
		ap, err := s.e.policy.Approvals(s.ctx, s.scopeInput(s.from))
		if err != nil {
			return policy.Approvals{}, err
		}
		s.approvals = &ap
		s.policies["approvals"] = ap
	}
	return *s.approvals, nil
}

// notAllowed explains that action cannot be taken in the request's state
// (or, with why, on this request at all), naming the actions this actor may
// take in it.
func (e *Engine) notAllowed(ctx context.Context, actor *identity.Principal, s *step, action Action, why errs.Text) error {
	allowed := []string{}
	if actor != system {
		acts, err := e.allowed(ctx, actor, s.req, s.c)
		if err != nil {
			return err
		}
		for _, a := range acts {
			allowed = append(allowed, string(a))
		}
	}
	if why.Format == "" {
		why = errs.Msg("You cannot %s request %s while it is %s.", strings.ReplaceAll(string(action), "_", " "), s.req.Reference, s.from)
	}
	var refusal *errs.Error
	if len(allowed) > 0 {
		refusal = errs.E(errs.Conflict, "%s Allowed now: %s.", why, strings.Join(allowed, ", "))
	} else {
		refusal = errs.E(errs.Conflict, "%s Nothing you may do changes it now.", why)
	}
	refusal.Allowed, refusal.Err = allowed, fmt.Errorf("%s in %s: %w", action, s.from, ErrNotAllowed)
	return refusal
}

// allowed lists the actions actor may take on r now, in table order.
func (e *Engine) allowed(ctx context.Context, actor *identity.Principal, r *request.Request, c *Case) ([]Action, error) {
	st := State(r.Status)
	var (
		out []Action
		f   *fit
	)
	for _, rule := range rules {
		if rule.By == BySystem || !slices.Contains(rule.From, st) || slices.Contains(out, rule.Action) {
			continue
		}
		if rule.applies != nil {
			if f == nil {
				got, err := e.fit(ctx, r, c, e.now())
				if err != nil {
					return nil, err
				}
				f = &got
			}
			if rule.applies(*f).Format != "" {
				continue
			}
		}
		// A taken request cannot be taken again (guardTake): not by
		// whoever holds it, who would be offered to take their own work.
		if rule.Action == ActionTake && c != nil && c.AssigneeID != nil {
			continue
		}
		switch rule.By {
		case ByProvider:
			if !actor.Provider || actor.AgencyID != "" || (c != nil && c.Emergency && c.CosignedAt == nil && st == request.StateSubmitted) {
				continue
			}
		case ByAgency:
			if actor.Provider || actor.AgencyID != r.AgencyID {
				continue
			}
		}
		// The policy knows the request, not the case: co-signing is
		// offered only while the emergency waits for it, and never to the
		// officer who filed it (the guard would refuse both).
		if rule.Action == ActionCosign && (c == nil || !c.Emergency || c.CosignedAt != nil || r.CreatedBy == actor.PersonID) {
			continue
		}
		d, err := e.decide(ctx, actor, rule.Action, r)
		if err != nil {
			return nil, err
		}
		// An action held only for a step-up is the person's to take: it
		// is offered, and taking it asks for the second factor.
		if d.Allow || d.StepUp {
			out = append(out, rule.Action)
		}
	}
	return out, nil
}

// appendLeaf adds a lifecycle event of the request to the public log.
func (s *step) appendLeaf(rec translog.Record) error {
	r := s.req
	rec.Date = day.Of(s.now)
	rec.Country, rec.AgencyKind, rec.Process = s.ag.Country, s.ag.Kind, r.Process
	rec.RequestType = translog.TypeLegalProcess
	if s.c != nil && (s.c.Kind == KindEmergency || s.c.Kind == KindPreservation) {
		rec.RequestType = s.c.Kind
	}
	rec.Accounts = len(r.Targets)
	rec.NDO = r.Nondisclosure.Ordered
	if rec.Categories == nil {
		rec.Categories = []string{}
	}
	idx, err := translog.Append(s.ctx, s.tx, translog.Leaf{RequestID: r.ID, Reference: r.Reference, NationalSecurity: r.NationalSecurity, Record: rec})
	if err != nil {
		return err
	}
	s.details["log_index"] = idx
	return nil
}

// visible reports whether actor may know r exists, by the request
// package's one rule (request.ProviderSees): an agency sees its own, the
// provider everything but drafts and emergencies awaiting their co-signature.
func visible(ctx context.Context, tx *gorm.DB, actor *identity.Principal, r *request.Request) (bool, error) {
	return request.Visible(ctx, tx, actor, r)
}

// orNotFound is err, or NotFound for request id when err is nil.
func orNotFound(err error, id string) error {
	if err != nil {
		return err
	}
	return notFound(id)
}

func loadCase(ctx context.Context, tx *gorm.DB, id string) (*Case, error) {
	var c Case
	err := tx.WithContext(ctx).Where("request_id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load workflow of %s: %w", id, err)
	}
	return &c, nil
}

// ensureSystemPerson creates the people row the engine's own transitions
// are recorded under, once.
func ensureSystemPerson(ctx context.Context, tx *gorm.DB, now time.Time) error {
	err := tx.WithContext(ctx).Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, email, name, roles, status, created_at, updated_at)
		VALUES (?, ?, ?, 'client', NULL, '', ?, '', 'active', ?, ?) ON CONFLICT DO NOTHING`,
		SystemPersonID, system.Issuer, system.Subject, system.Name, now, now).Error
	if err != nil {
		return fmt.Errorf("create the system person: %w", err)
	}
	return nil
}

// sqlTx is the *sql.Tx under a gorm transaction, for River's InsertTx.
func sqlTx(tx *gorm.DB) (*sql.Tx, error) {
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("workflow: not inside a transaction (%T)", tx.Statement.ConnPool)
	}
	return t, nil
}

func checkActor(actor *identity.Principal) error {
	if actor == nil || actor.PersonID == "" {
		return errs.E(errs.Unauthenticated, "Sign in first.")
	}
	if !actor.Provider && actor.AgencyID == "" {
		return errs.E(errs.Forbidden, "Your account is not linked to an agency.")
	}
	return nil
}

func notFound(id string) error {
	return errs.Wrap(fmt.Errorf("request %q: %w", errs.Clip(id, 64), request.ErrNotFound), errs.NotFound, "No such request.")
}
