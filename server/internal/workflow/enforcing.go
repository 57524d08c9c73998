package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// EU production and preservation orders (Regulation (EU) 2023/1543) in the
// workflow.
//
// An order for traffic data whose person does not live, or whose offence
// was not committed, in the issuing State is notified to the enforcing
// authority: that of the Member State of the provider's legal
// representative (Art. 8). The issuing authority notifies it by sending it
// the order at the same time as the provider (Art. 8(1)), so the workflow
// does not wait for anyone to say so: when intake verifies the order, the
// notification is recorded as made on the order's receipt, with the
// deadlines that run from it, and the team is told when the authority's
// answer is due. A reviewer's separate "notified" step would only add a
// way to forget it, and the 10 days run from receipt whatever the portal
// records (Art. 10(2)).
//
// An approved order is then produced at the end of the 10 days, unless the
// authority confirms earlier that it raises no ground for refusal; a ground
// raised before production rejects the request. In an emergency the data
// is produced at once and the authority has 96 hours to object; an
// objection after production tells the agency that the data must not be
// used (Art. 10(4)).

// stamp formats an instant for people.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// A fit is what decides whether a rule applies to a request at all
// (Rule.applies).
type fit struct {
	ref     string
	c       *Case          // nil for a draft
	process policy.Process // zero when the catalogue does not know the process
	now     time.Time
}

// fit reads what Rule.applies decides on.
func (e *Engine) fit(ctx context.Context, r *request.Request, c *Case, now time.Time) (fit, error) {
	f := fit{ref: r.Reference, c: c, now: now}
	p, err := e.process(ctx, r.Process)
	switch {
	case err == nil:
		f.process = p
	case errs.CodeOf(err) != errs.PolicyDenied: // an unknown process fits nothing
		return fit{}, err
	}
	return f, nil
}

// answerApplies: an answer is recorded for a notified order, once, while
// the enforcing authority may still give it.
func answerApplies(f fit) errs.Text {
	if f.c == nil || !f.c.EA.Notified() {
		return errs.Msg("No enforcing authority was notified of request %s: only a European Production Order for traffic data is notified, where the person does not live, or the offence was not committed, in the issuing State (Regulation (EU) 2023/1543, Art. 8).", f.ref)
	}
	n := f.c.EA
	switch {
	case n.Answer != "":
		return errs.Msg("The answer of the enforcing authority of %s to request %s was recorded on %s (%s); it is recorded once.",
			n.State, f.ref, stamp(*n.AnsweredAt), strings.ReplaceAll(n.Answer, "_", " "))
	case !n.objectionOpen(f.now):
		return errs.Msg("The enforcing authority of %s could raise a ground for refusal of request %s until %s (Regulation (EU) 2023/1543, Arts. 10 and 12); an answer after that changes nothing and is not recorded.",
			n.State, f.ref, stamp(*n.ObjectionUntil))
	}
	return errs.Text{}
}

// confirmApplies: only a process whose preservation is kept until produced
// takes the confirmation, once.
func confirmApplies(f fit) errs.Text {
	switch {
	case f.c == nil || f.c.Kind != KindPreservation || !f.process.HoldUntilProduced:
		name := f.process.ShortName
		if name == "" {
			name = "this process"
		}
		return errs.Msg("Under %s a preservation is not kept until production on the issuing authority's word; extend or release it instead.", name)
	case f.c.ProductionConfirmedAt != nil:
		return errs.Msg("The issuing authority's production request for %s was confirmed on %s; the records are already kept until produced.",
			f.ref, stamp(*f.c.ProductionConfirmedAt))
	}
	return errs.Text{}
}

// receipt is when the provider received the request: its submission, or
// for an emergency its co-signature, when it reaches the provider.
func (s *step) receipt() time.Time {
	switch {
	case s.c.Emergency && s.c.CosignedAt != nil:
		return s.c.CosignedAt.UTC()
	case s.req.SubmittedAt != nil:
		return s.req.SubmittedAt.UTC()
	}
	return s.c.RoutedAt
}

// recordNotification records, on verification, that the enforcing
// authority was notified of an order the policy says is notified, and
// tells the team when its answer is due.
func (s *step) recordNotification() error {
	sc, err := s.scopeDecision()
	if err != nil {
		return err
	}
	n := sc.Notification
	if !n.Required {
		return nil
	}
	country, state, err := s.e.enforcingState(s.ctx)
	if err != nil {
		return err
	}
	at, by := s.receipt(), s.actor.PersonID
	ea := Enforcement{Country: country, State: state, NotifiedAt: &at, RecordedBy: &by, Citation: n.Citation,
		RefusalGrounds: mustJSON(n.RefusalGrounds)}
	if n.HoldHours > 0 {
		t := at.Add(time.Duration(n.HoldHours) * time.Hour)
		ea.ProduceAfter = &t
	}
	if n.ObjectionHours > 0 {
		t := at.Add(time.Duration(n.ObjectionHours) * time.Hour)
		ea.ObjectionUntil = &t
	}
	s.c.EA = ea
	s.details["enforcing_authority"] = map[string]any{"country": country, "notified_at": at,
		"produce_after": ea.ProduceAfter, "objection_until": ea.ObjectionUntil}
	said := PolicyText(state) // the Member State, in the reader's language
	var body Phrase
	switch {
	case ea.ProduceAfter != nil:
		s.tell(s.T("The enforcing authority of %s was notified with the order on %s (Art. 8); nothing is produced before %s unless it confirms earlier that it raises no ground for refusal (Art. 10(2)).",
			said, stamp(at), stamp(*ea.ProduceAfter)))
		body = s.T("Request %s is an EU order notified to the enforcing authority of %s on %s. It is produced, once approved, on %s, or as soon as that authority confirms that it raises no ground for refusal; a ground raised before then rejects it. Record its answer on the review page.",
			s.req.Reference, said, stamp(at), stamp(*ea.ProduceAfter))
	case ea.ObjectionUntil != nil:
		s.tell(s.T("The enforcing authority of %s was notified with the order on %s (Art. 8); it may object until %s (Arts. 10(4) and 12).",
			said, stamp(at), stamp(*ea.ObjectionUntil)))
		body = s.T("Emergency request %s is an EU order notified to the enforcing authority of %s on %s. It is produced at once once approved; that authority may object until %s. Record its answer on the review page.", s.req.Reference, said, stamp(at), stamp(*ea.ObjectionUntil))
	default:
		body = s.T("The enforcing authority of %s was notified with the order on %s (Art. 8).", said, stamp(at))
		s.tell(body)
	}
	s.notes = append(s.notes, s.queueNote("enforcing_authority", s.T("Enforcing authority notified"), body))
	return nil
}

// refusalGrounds is the Art. 12(1) checklist the authority was notified
// with.
func (n Enforcement) refusalGrounds() ([]policy.Choice, error) {
	var out []policy.Choice
	if n.RefusalGrounds == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(n.RefusalGrounds), &out); err != nil {
		return nil, fmt.Errorf("read the refusal grounds: %w", err)
	}
	return out, nil
}

// groundNames names the grounds ids of the checklist, in its order.
// Each name is said as the policy bundle translates it.
func groundNames(checklist []policy.Choice, ids []string) Phrase {
	var m Phrase
	for _, g := range checklist {
		if slices.Contains(ids, g.ID) {
			m.Format += "; %s (%s)"
			m.Args = append(m.Args, PolicyText(g.Name), g.Citation)
		}
	}
	m.Format = strings.TrimPrefix(m.Format, "; ")
	return m
}

func (s *step) guardEnforcing() error {
	var f errs.Fields
	checklist, err := s.c.EA.refusalGrounds()
	if err != nil {
		return err
	}
	switch s.in.Outcome {
	case AnswerNoGrounds:
		if len(s.in.Grounds) > 0 {
			f.Add("grounds", "An authority that raises no ground for refusal raises none; record %s to tick grounds.", AnswerGroundsRaised)
		}
	case AnswerGroundsRaised:
		ids := make([]string, len(checklist))
		for i, g := range checklist {
			ids[i] = g.ID
		}
		if len(s.in.Grounds) == 0 {
			f.Add("grounds", "Tick the grounds for refusal the enforcing authority raised (Regulation (EU) 2023/1543, Art. 12(1)).")
		}
		for i, g := range s.in.Grounds {
			if !slices.Contains(ids, g) {
				f.Add(fmt.Sprintf("grounds[%d]", i), "%q is not a ground the authority was notified with; choose from: %s.", errs.Clip(g, 40), strings.Join(ids, ", "))
			}
		}
		checkText(&f, s.noteField, s.in.Note, maxComment, "Write the authority's reasons for the agency.") // the agency is told why
	default:
		f.Add("outcome", "Choose the authority's answer.")
	}
	return f.Err()
}

// produced reports whether the data may already have left: an objection
// then restricts its use rather than the production.
func produced(st State) bool { return st == request.StateProducing || st == request.StateDisclosed }

func (s *step) nextEnforcing() State {
	if s.in.Outcome == AnswerGroundsRaised && !produced(s.from) {
		return request.StateRejected
	}
	return s.from
}

func (s *step) recordEnforcing() error {
	n := &s.c.EA
	checklist, err := n.refusalGrounds()
	if err != nil {
		return err
	}
	by := s.actor.PersonID
	n.Answer, n.AnsweredAt, n.AnsweredBy, n.Comment = s.in.Outcome, &s.now, &by, s.in.Note
	n.Grounds = nil
	for _, g := range s.in.Grounds {
		if !slices.Contains(n.Grounds, g) {
			n.Grounds = append(n.Grounds, g)
		}
	}
	n.AfterProduction = n.Answer == AnswerGroundsRaised && s.to != request.StateRejected
	s.details["enforcing_authority"] = map[string]any{"answer": n.Answer, "grounds": n.Grounds, "after_production": n.AfterProduction}
	ref, names := s.req.Reference, groundNames(checklist, n.Grounds)
	// Who, in the notes: said in each reader's language.
	whoSays, whoStarts := s.T("the enforcing authority of %s", PolicyText(n.State)), s.T("The enforcing authority of %s", PolicyText(n.State))
	switch {
	case n.Answer == AnswerNoGrounds:
		s.tell(s.T("The enforcing authority of %s raises no ground for refusal (Art. 10(2)).", PolicyText(n.State)))
		if s.from == request.StateApproved {
			// Held until now: produce as soon as possible (Art. 10(2)).
			s.tell(s.T("Produced now."))
			s.jobs = append(s.jobs, produceJob(s.req.ID, time.Time{}))
			s.notes = append(s.notes, s.agencyNote("decision", s.T("Production follows"),
				s.T("%s confirmed that it raises no ground for refusal of request %s; the production follows now.", whoStarts, ref)))
		}
	case s.to == request.StateRejected:
		d := Decision{Outcome: OutcomeRejected, ReasonCode: ReasonEnforcingAuthorityRefusal, Reason: s.in.Note}
		s.c.Decision = mustJSON(d)
		s.details["reason_code"] = ReasonEnforcingAuthorityRefusal
		s.tell(s.T("Rejected: %s raised a ground for refusal (%s).", whoSays, names))
		s.leaf = &translog.Record{Event: translog.EventDecided, Outcome: translog.RejectedBecause(ReasonEnforcingAuthorityRefusal), Categories: []string{}}
		s.notes = append(s.notes, s.agencyNote("decision", s.T("Request rejected"),
			s.T("Request %s was rejected: %s raised a ground for refusal under Article 12(1) of Regulation (EU) 2023/1543 (%s), so nothing is produced. %s",
				ref, whoSays, names, s.in.Note)))
	default:
		// The data has left, or is leaving: its use is what the objection
		// restricts (Art. 10(4)).
		s.tell(s.T("%s objected after production (%s): the data must not be used (Art. 10(4)).", whoStarts, names))
		s.notes = append(s.notes,
			s.agencyNote("objection", s.T("The data must not be used"),
				s.T("On %s %s objected to the use of the data produced for request %s, raising a ground for refusal under Article 12(1) of Regulation (EU) 2023/1543 (%s). Delete the data or otherwise restrict its use, or comply with the conditions that authority set (Article 10(4)). %s",
					stamp(s.now), whoSays, ref, names, s.in.Note)),
			s.teamNote("objection", s.T("Enforcing authority objected"),
				s.T("%s objected to the use of the data of request %s (%s); the agency was told that the data must not be used. If its package is not yet released, do not release it.",
					whoStarts, ref, names)))
	}
	return nil
}

// guardProduce keeps a notified order from production until its hold ends.
// The produce job snoozes until then (onProduce); this guard is the rule.
func (s *step) guardProduce() error {
	if until, held := s.c.productionHeld(s.now); held {
		e := errs.E(errs.Conflict, "Request %s is held for the enforcing authority of %s until %s (Regulation (EU) 2023/1543, Art. 10(2)).",
			s.req.Reference, s.c.EA.State, stamp(until))
		e.Allowed, e.Err = []string{}, fmt.Errorf("produce %s: %w", s.req.ID, ErrNotAllowed)
		return e
	}
	return nil
}

// guardClose keeps a disclosed request open while the enforcing authority
// may still object to the use of its data (Art. 10(4)): closed, the
// objection could not be recorded.
func (s *step) guardClose() error {
	if n := s.c.EA; s.from == request.StateDisclosed && n.objectionOpen(s.now) {
		return errs.E(errs.Conflict, "The enforcing authority of %s may object to the use of the data of request %s until %s (Regulation (EU) 2023/1543, Art. 10(4)); close it after that, or once its answer is recorded.",
			n.State, s.req.Reference, stamp(*n.ObjectionUntil))
	}
	return nil
}

// confirmProductionIssued keeps a European preservation until produced:
// the hold loses its end date, so no expiry job ends it, and the records
// are held until a linked production fulfils it or it is released.
func (s *step) confirmProductionIssued() error {
	by := s.actor.PersonID
	was := s.c.HoldUntil
	s.c.ProductionConfirmedAt, s.c.ProductionConfirmedBy = &s.now, &by
	s.c.HoldUntil, s.c.DueAt = nil, noDeadline
	if h := s.e.holds; h != nil {
		if err := h.ExtendHolds(s.ctx, s.tx, s.req.ID, noDeadline); err != nil && errs.CodeOf(err) != errs.NotFound {
			return err // NotFound: no target matched an account, nothing is held
		}
	}
	s.details["hold_was_until"] = was
	s.tell(s.T("The issuing authority confirmed that the production request has been issued: the records are kept until produced (Art. 11(1))."))
	s.notes = append(s.notes, s.agencyNote("preserved", s.T("Preserved until produced"),
		s.T("As the issuing authority confirmed that the production request has been issued, the records of preservation %s are kept until they are produced, or until the preservation is released, with no end date (Regulation (EU) 2023/1543, Article 11(1)). Link the production request to %s when you file it.",
			s.req.Reference, s.req.Reference)))
	return nil
}

// An EnforcementView is the notification of the enforcing authority and
// its answer, as a viewer may see it.
type EnforcementView struct {
	Country        string
	State          string
	NotifiedAt     time.Time
	RecordedBy     *PersonRef // provider only
	ProduceAfter   *time.Time // production held until then; nil in an emergency
	ObjectionUntil *time.Time
	Citation       string
	RefusalGrounds []policy.Choice // the Art. 12(1) checklist
	Answer         string          // "", AnswerNoGrounds or AnswerGroundsRaised
	Grounds        []policy.Choice // the grounds raised
	AnsweredAt     *time.Time
	AnsweredBy     *PersonRef // provider only
	Comment        string
	// AfterProduction: the objection came after the data was produced, so
	// it restricts the data's use (Art. 10(4)).
	AfterProduction bool
	Held            bool   // production waits for it now
	Open            bool   // it may still answer
	Summary         string // where things stand, in English words
	SummaryWords    Phrase // the same, to say in a reader's language
}

// enforcementView is the view of c's notification as of now, or nil.
func enforcementView(c *Case, st State, now time.Time, name func(*string) *PersonRef, provider bool) (*EnforcementView, error) {
	n := c.EA
	if !n.Notified() {
		return nil, nil
	}
	checklist, err := n.refusalGrounds()
	if err != nil {
		return nil, err
	}
	v := &EnforcementView{Country: n.Country, State: n.State, NotifiedAt: *n.NotifiedAt, ProduceAfter: n.ProduceAfter,
		ObjectionUntil: n.ObjectionUntil, Citation: n.Citation, RefusalGrounds: checklist, Answer: n.Answer,
		AnsweredAt: n.AnsweredAt, Comment: n.Comment, AfterProduction: n.AfterProduction, Open: n.objectionOpen(now),
		Grounds: []policy.Choice{}}
	for _, g := range checklist {
		if slices.Contains(n.Grounds, g.ID) {
			v.Grounds = append(v.Grounds, g)
		}
	}
	_, v.Held = c.productionHeld(now)
	v.Held = v.Held && st == request.StateApproved
	if provider {
		v.RecordedBy, v.AnsweredBy = name(n.RecordedBy), name(n.AnsweredBy)
	}
	v.SummaryWords = v.summary(st)
	v.Summary = v.SummaryWords.In(english)
	return v, nil
}

// summary says where the request stands with the enforcing authority, to
// be said in each reader's language (SummaryWords; Summary is its English).
func (v *EnforcementView) summary(st State) Phrase {
	state := PolicyText(v.State)
	grounds := Phrase{Format: strings.TrimSuffix(strings.Repeat("%s; ", len(v.Grounds)), "; ")}
	for _, g := range v.Grounds {
		grounds.Args = append(grounds.Args, PolicyText(g.Name))
	}
	switch {
	case v.Answer == AnswerGroundsRaised && v.AfterProduction:
		return Say(locale.M("The enforcing authority of %s objected on %s, after the data was produced (%s): the data must not be used (Art. 10(4))."),
			state, stamp(*v.AnsweredAt), grounds)
	case v.Answer == AnswerGroundsRaised:
		return Say(locale.M("The enforcing authority of %s raised a ground for refusal on %s (%s): nothing is produced."), state, stamp(*v.AnsweredAt), grounds)
	case v.Answer == AnswerNoGrounds:
		return Say(locale.M("The enforcing authority of %s confirmed on %s that it raises no ground for refusal."), state, stamp(*v.AnsweredAt))
	case st.Terminal():
		return Say(locale.M("The enforcing authority of %s was notified on %s."), state, stamp(v.NotifiedAt))
	case v.Held:
		return Say(locale.M("Waiting for the enforcing authority of %s until %s: the data is produced then, unless it raises a ground for refusal first, or sooner if it confirms that it raises none (Art. 10(2))."),
			state, stamp(*v.ProduceAfter))
	case v.ProduceAfter != nil && v.Open && !produced(st):
		return Say(locale.M("The enforcing authority of %s was notified on %s: nothing is produced before %s unless it confirms earlier that it raises no ground for refusal (Art. 10(2))."),
			state, stamp(v.NotifiedAt), stamp(*v.ProduceAfter))
	case v.Open:
		return Say(locale.M("The enforcing authority of %s was notified on %s and may object until %s (Arts. 10(4) and 12)."), state, stamp(v.NotifiedAt), stamp(*v.ObjectionUntil))
	case v.ObjectionUntil != nil:
		return Say(locale.M("The enforcing authority of %s was notified on %s and raised no ground for refusal by %s."), state, stamp(v.NotifiedAt), stamp(*v.ObjectionUntil))
	}
	return Say(locale.M("The enforcing authority of %s was notified on %s."), state, stamp(v.NotifiedAt))
}
