package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// Limits of free text.
const (
	maxComment = 4000
	maxNote    = 2000
)

// checkText reports a problem with free text: empty when ask (what to do
// about it, "Say how you verified the requester.") is set, too long, not
// UTF-8, or holding control characters (other than newlines and tabs).
// Each message says what to do: pages show it beside the field and in the
// error summary, where the label is not.
func checkText(f *errs.Fields, field, s string, max int, ask string) {
	switch {
	case strings.TrimSpace(s) == "":
		if ask != "" {
			f.Add(field, "%s", ask)
		}
	case !utf8.ValidString(s):
		f.Add(field, "Enter plain text: this is not valid UTF-8.")
	case utf8.RuneCountInString(s) > max:
		f.Add(field, "Shorten this to at most %d characters.", max)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.Add(field, "Remove the control characters from this text.")
	}
}

func (s *step) guardTake() error {
	if a := s.c.AssigneeID; a != nil {
		if *a == s.actor.PersonID {
			return errs.E(errs.Conflict, "You have already taken request %s.", s.req.Reference)
		}
		return errs.E(errs.Conflict, "Request %s is already taken by %s; they can release it, or an administrator can reassign it.",
			s.req.Reference, personName(s.ctx, s.tx, *a))
	}
	if s.from == request.StateAwaitingCountersign {
		// Taking the countersignature claims it for oneself; the first
		// approver can never give it, so they may not hold it either.
		first, err := s.firstApproval()
		if err != nil {
			return err
		}
		if first.gaveBy(s.actor) {
			return s.deny(errs.E(errs.Forbidden, "You gave the first approval of request %s; another person countersigns it.", s.req.Reference))
		}
	}
	return nil
}

// firstApproval is the request's first approval (seq 1).
func (s *step) firstApproval() (Approval, error) {
	var first Approval
	if err := s.tx.Where("request_id = ? AND seq = 1", s.req.ID).Take(&first).Error; err != nil {
		return Approval{}, fmt.Errorf("find the first approval of %s: %w", s.req.ID, err)
	}
	return first, nil
}

// gaveBy reports whether p gave approval a: the same person, or the same
// (issuer, subject) under another people row.
func (a Approval) gaveBy(p *identity.Principal) bool {
	return (a.Issuer == p.Issuer && a.Subject == p.Subject) || a.PersonID == p.PersonID
}

func (s *step) take() error {
	id := s.actor.PersonID
	s.c.AssigneeID = &id
	s.details["assignee"] = id
	return nil
}

func (s *step) guardRelease() error {
	switch a := s.c.AssigneeID; {
	case a == nil:
		return errs.E(errs.Conflict, "Nobody has taken request %s.", s.req.Reference)
	case *a != s.actor.PersonID:
		return errs.E(errs.Conflict, "Only %s, who took request %s, can release it; an administrator can reassign it.",
			personName(s.ctx, s.tx, *a), s.req.Reference)
	}
	return nil
}

func (s *step) release() error {
	s.c.AssigneeID = nil
	return nil
}

// teamRoles are the provider roles that work each queue.
var teamRoles = map[string][]identity.Role{
	"intake":        {identity.RoleIntake},
	"legal":         {identity.RoleReviewer, identity.RoleCounsel},
	"international": {identity.RoleReviewer, identity.RoleCounsel},
	"counsel":       {identity.RoleCounsel},
	"emergency":     {identity.RoleIntake, identity.RoleReviewer, identity.RoleCounsel},
}

func (s *step) guardAssign() error {
	if s.in.Assignee == "" {
		return nil
	}
	var f errs.Fields
	var p struct {
		ID       string
		AgencyID *string
		Roles    string
		Status   string
		Kind     string
	}
	err := s.tx.Table("people").Select("id, agency_id, roles, status, kind").Where("id = ?", s.in.Assignee).Take(&p).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		f.Add("assignee", "Choose a person from the list.")
	case err != nil:
		return fmt.Errorf("find assignee: %w", err)
	case p.AgencyID != nil || p.Kind != identity.KindPerson || p.ID == SystemPersonID:
		f.Add("assignee", "Choose one of the provider's staff: only they can be assigned.")
	case p.Status != "active":
		f.Add("assignee", "Choose someone else: this person is suspended.")
	default:
		roles := strings.Fields(p.Roles)
		ok := false
		for _, r := range teamRoles[s.c.Queue] {
			ok = ok || slices.Contains(roles, string(r))
		}
		if !ok {
			f.Add("assignee", "Choose someone of the team that holds the request (%s).", s.c.Queue)
		}
	}
	return f.Err()
}

func (s *step) assign() error {
	if s.in.Assignee == "" {
		s.c.AssigneeID = nil
	} else {
		id := s.in.Assignee
		s.c.AssigneeID = &id
	}
	s.details["assignee"] = s.in.Assignee
	return nil
}

func (s *step) guardVerify() error {
	var f errs.Fields
	v := s.in.Verification
	if v == nil {
		f.Add("verification", "Record how you verified the requester and the document.")
		return f.Err()
	}
	checkText(&f, "verification.requester", v.Requester, maxNote, "Say how you verified the requester.")
	checkText(&f, "verification.document", v.Document, maxNote, "Say how you verified the document.")
	if s.c.Emergency {
		switch cb := v.Callback; {
		case cb == nil:
			f.Add("verification.callback", "Call the agency back on a number from its callback directory, not one from the request, and record the call: an emergency is verified that way.")
		default:
			s.checkCallback(&f, cb)
		}
	}
	if s.fail != nil {
		return s.fail
	}
	if err := f.Err(); err != nil {
		return err
	}
	if s.c.Kind == KindPreservation {
		p, err := s.e.process(s.ctx, s.req.Process)
		if err != nil {
			return err
		}
		if p.HoldDays <= 0 {
			return errs.E(errs.PolicyDenied, "The legal policy sets no preservation period for %s.", s.req.Process)
		}
	}
	return nil
}

// checkCallback holds an emergency's callback to the agency's directory:
// a number of this agency's, not removed; the entry's number and source
// are copied into the verification.
func (s *step) checkCallback(f *errs.Fields, cb *Callback) {
	cb.Note = strings.TrimSpace(cb.Note)
	if utf8.RuneCountInString(cb.Note) > maxNote {
		f.Add("verification.callback.note", "Use at most %d characters.", maxNote)
	}
	switch {
	case !slices.Contains(CallbackOutcomes, cb.Outcome):
		f.Add("verification.callback.outcome", "Choose the outcome of the callback.")
	case cb.Outcome != "confirmed":
		f.Add("verification.callback.outcome", "Only a callback that confirmed the request verifies an emergency; try again, or ask a reviewer to reject it.")
	}
	if strings.TrimSpace(cb.DirectoryID) == "" {
		f.Add("verification.callback.directory_id", "Choose the number you called from the agency's callback directory.")
		return
	}
	e, err := agency.FindCallback(s.ctx, s.tx, s.ag.ID, cb.DirectoryID)
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		s.fail = err
		return
	}
	if err != nil || e.RemovedAt != nil {
		f.Add("verification.callback.directory_id", "Call a number from the agency's callback directory: this one is not in it, or was removed.")
		return
	}
	cb.Number, cb.Directory = e.Phone, e.Label+" ("+e.Source+")"
}

func (s *step) nextVerify() State {
	if s.c.Kind == KindPreservation {
		return request.StatePreserved
	}
	return request.StateInReview
}

func (s *step) verify() error {
	id := s.actor.PersonID
	s.c.VerifiedBy, s.c.VerifiedAt = &id, &s.now
	s.c.Verification = mustJSON(s.in.Verification)
	s.details["verification"] = s.in.Verification
	if cb := s.in.Verification.Callback; cb != nil && cb.DirectoryID != "" {
		if err := recordCallback(s.ctx, s.tx, s.req.ID, cb, id, s.now); err != nil {
			return err
		}
	}
	if s.to != request.StatePreserved {
		return s.recordNotification()
	}
	p, err := s.e.process(s.ctx, s.req.Process)
	if err != nil {
		return err
	}
	until := s.now.Add(time.Duration(p.HoldDays) * 24 * time.Hour)
	s.c.HoldUntil = &until
	s.tell(s.T("Preserved until %s.", until.Format(time.DateOnly)))
	s.leaf = &translog.Record{Event: translog.EventPreserved, Categories: s.req.Categories}
	s.jobs = append(s.jobs, holdJob(s.c))
	s.notes = append(s.notes, s.agencyNote("preserved", s.T("Data preserved"),
		s.T("The records of request %s that exist now are preserved until %s. Serve legal process before then to obtain them.",
			s.req.Reference, until.Format(time.DateOnly))))
	return nil
}

func (s *step) guardQuestion() error {
	return s.notesOK("Write your question to the agency.").Err()
}

func (s *step) question() error {
	if err := s.message(SideProvider, s.in.Note); err != nil {
		return err
	}
	s.tell(s.T("Asked the agency for information."))
	s.notes = append(s.notes, s.agencyNote("question", s.T("A question about your request"),
		s.T("The provider's reviewer asks about request %s:\n\n%s\n\nAnswer in the portal.", s.req.Reference, s.in.Note)))
	return nil
}

func (s *step) guardAnswer() error {
	var f errs.Fields
	checkText(&f, "body", s.in.Body, maxComment, "Write your answer to the provider's question.")
	return f.Err()
}

func (s *step) answer() error {
	if err := s.message(SideAgency, s.in.Body); err != nil {
		return err
	}
	s.tell(s.T("Answered the reviewer's question."))
	s.notes = append(s.notes, s.teamNote("answer", s.T("The agency answered"),
		s.T("%s answered the question about request %s; it is back in review.", s.ag.Name, s.req.Reference)))
	return nil
}

func (s *step) message(side, body string) error {
	m := &Message{RequestID: s.req.ID, At: s.now, AuthorID: s.actor.PersonID, Side: side, Body: body}
	if err := s.tx.Create(m).Error; err != nil {
		return fmt.Errorf("add message to %s: %w", s.req.ID, err)
	}
	s.details["message_id"] = m.ID
	return nil
}

func (s *step) guardApprove() error {
	sc, err := s.scopeDecision()
	if err != nil {
		return err
	}
	if !sc.Valid || len(sc.Categories) == 0 {
		return errs.E(errs.PolicyDenied, "The legal policy no longer authorises anything for request %s; reject it instead.", s.req.Reference)
	}
	d, err := s.narrow()
	if err != nil {
		return err
	}
	ap, err := s.approvalsDecision()
	if err != nil {
		return err
	}
	if ap.Required > 2 {
		// Fail closed: the table knows one approval and one countersignature.
		return fmt.Errorf("workflow: the approvals policy asks for %d approvals; at most 2 are supported", ap.Required)
	}
	s.decided = &d
	return nil
}

// narrow checks the approver's scope against the policy's scope decision
// and returns what is approved. Anything wider is named in the error.
func (s *step) narrow() (Decision, error) {
	sc := *s.scope
	d := Decision{Outcome: OutcomeApproved, Categories: slices.Clone(sc.Categories), Targets: slices.Clone(s.req.Targets),
		DateFrom: sc.DateFrom, DateTo: sc.DateTo, Fields: maps.Clone(sc.Fields)}
	n := s.in.Scope
	if n == nil {
		return d, nil
	}
	var f errs.Fields
	if n.Categories != nil {
		var excess []string
		for _, c := range n.Categories {
			if !slices.Contains(sc.Categories, c) && !slices.Contains(excess, c) {
				excess = append(excess, c)
			}
		}
		switch {
		case len(excess) > 0:
			f.Add("scope.categories", "Wider than the scope decision: %s %s not authorised (authorised: %s).",
				strings.Join(excess, ", "), plural(len(excess), "is", "are"), strings.Join(sc.Categories, ", "))
		case len(n.Categories) == 0:
			f.Add("scope.categories", "Approve at least one category, or reject the request.")
		default:
			d.Categories = slices.DeleteFunc(slices.Clone(sc.Categories), func(c string) bool { return !slices.Contains(n.Categories, c) })
		}
	}
	if n.Targets != nil {
		var keep []request.Target
		var excess []string
		for _, t := range n.Targets {
			v, err := request.NormalizeTarget(t.Type, t.Value, s.ag.Country)
			if err != nil {
				v = t.Value
			}
			if !slices.Contains(s.req.Targets, request.Target{Type: t.Type, Value: v}) {
				excess = append(excess, t.Type+" "+t.Value)
				continue
			}
			if !slices.Contains(keep, request.Target{Type: t.Type, Value: v}) {
				keep = append(keep, request.Target{Type: t.Type, Value: v})
			}
		}
		switch {
		case len(excess) > 0:
			f.Add("scope.targets", "Wider than the request: %s %s not named in it.", strings.Join(excess, ", "), plural(len(excess), "is", "are"))
		case len(keep) == 0:
			f.Add("scope.targets", "Approve at least one target, or reject the request.")
		default:
			d.Targets = keep
		}
	}
	if !n.DateFrom.IsZero() {
		if v := n.DateFrom.String(); sc.DateFrom != "" && v < sc.DateFrom {
			f.Add("scope.date_from", "Choose a start on or after %s: %s is before the window the scope decision authorises.", sc.DateFrom, v)
		} else {
			d.DateFrom = v
		}
	}
	if !n.DateTo.IsZero() {
		if v := n.DateTo.String(); sc.DateTo != "" && v > sc.DateTo {
			f.Add("scope.date_to", "Choose an end on or before %s: %s is after the window the scope decision authorises.", sc.DateTo, v)
		} else {
			d.DateTo = v
		}
	}
	if d.DateFrom != "" && d.DateTo != "" && d.DateFrom > d.DateTo && !f.Has("scope.date_from") && !f.Has("scope.date_to") {
		f.Add("scope.date_to", "Choose an end after the start: the window ends before it starts.")
	}
	if len(f) > 0 {
		e := errs.E(errs.Invalid, "The approved scope must lie within the policy's scope decision: %s", errs.Text{Format: f[0].Format, Args: f[0].Args})
		e.Fields = f
		return Decision{}, e
	}
	if len(d.Categories) < len(sc.Categories) || len(d.Targets) < len(s.req.Targets) || d.DateFrom != sc.DateFrom || d.DateTo != sc.DateTo {
		d.Outcome = OutcomeNarrowed
	}
	return d, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *step) nextApprove() State {
	if s.approvals.Required >= 2 {
		return request.StateAwaitingCountersign
	}
	return request.StateApproved
}

func (s *step) approve() error {
	ap := *s.approvals
	role := s.actor.PrimaryRole()
	if len(ap.Roles) > 0 && s.actor.HasRole(ap.Roles[0]) {
		role = ap.Roles[0]
	}
	if err := s.addApproval(1, role, *s.decided); err != nil {
		return err
	}
	s.c.ApprovalsRequired = max(ap.Required, 1)
	s.details["scope"] = s.decided
	if s.to == request.StateAwaitingCountersign {
		s.tell(s.T("Approved; a second approval is required."))
		s.notes = append(s.notes, s.teamNoteTo("counsel", "countersign", s.T("Countersignature needed"),
			s.T("Request %s was approved and needs a second approval by another person.", s.req.Reference)))
		return nil
	}
	return s.final(*s.decided)
}

func (s *step) guardCountersign() error {
	if s.in.Scope != nil {
		return &errs.Error{Code: errs.Invalid, Message: "A countersignature confirms the approved scope as it is; reject the request to change it.",
			Fields: []errs.FieldError{{Field: "scope", Message: "not accepted with a countersignature"}}}
	}
	var first Approval
	err := s.tx.Where("request_id = ? AND seq = 1", s.req.ID).Take(&first).Error
	if err != nil {
		return fmt.Errorf("find the first approval of %s: %w", s.req.ID, err)
	}
	if (first.Issuer == s.actor.Issuer && first.Subject == s.actor.Subject) || first.PersonID == s.actor.PersonID {
		return s.deny(errs.E(errs.Forbidden, "The second approval must come from a different person than the first."))
	}
	ap, err := s.approvalsDecision()
	if err != nil {
		return err
	}
	role := string(identity.RoleCounsel)
	if len(ap.Roles) >= 2 {
		role = ap.Roles[1]
	}
	if !s.actor.HasRole(role) {
		return s.deny(errs.E(errs.Forbidden, "The second approval is given by %s.", role))
	}
	var d Decision
	if err := json.Unmarshal([]byte(first.Scope), &d); err != nil {
		return fmt.Errorf("read the first approval of %s: %w", s.req.ID, err)
	}
	s.decided = &d
	return nil
}

func (s *step) countersign() error {
	role := string(identity.RoleCounsel)
	if len(s.approvals.Roles) >= 2 {
		role = s.approvals.Roles[1]
	}
	if err := s.addApproval(2, role, *s.decided); err != nil {
		return err
	}
	return s.final(*s.decided)
}

func (s *step) addApproval(seq int, role string, d Decision) error {
	a := &Approval{RequestID: s.req.ID, Seq: seq, PersonID: s.actor.PersonID, Issuer: s.actor.Issuer, Subject: s.actor.Subject,
		Role: role, Scope: mustJSON(d), At: s.now}
	if err := s.tx.Create(a).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return s.deny(errs.E(errs.Forbidden, "One person cannot give two approvals of one request."))
		}
		return fmt.Errorf("record approval %d of %s: %w", seq, s.req.ID, err)
	}
	return nil
}

// final records the final approval: the decision, the public log's
// decided leaf, the agency's notification, and the job that starts the
// production.
func (s *step) final(d Decision) error {
	s.c.Decision = mustJSON(d)
	// An order notified to an enforcing authority is decided for the public
	// log only when it is produced: until then that authority may still
	// refuse it (Regulation (EU) 2023/1543, Art. 10(2), 12), and one request
	// must never count as both approved and rejected.
	if s.c.EA.ProduceAfter == nil {
		s.leaf = decidedLeaf(d)
	}
	follows := s.T("The production follows.")
	if until, held := s.c.productionHeld(s.now); held {
		// Produced at the end of the enforcing authority's 10 days, or
		// sooner on its word (Regulation (EU) 2023/1543, Art. 10(2)).
		s.jobs = append(s.jobs, produceJob(s.req.ID, until))
		s.tell(s.T("Held for the enforcing authority of %s until %s.", PolicyText(s.c.EA.State), stamp(until)))
		follows = s.T("It is produced on %s unless the enforcing authority of %s raises a ground for refusal first, or sooner if it confirms that it raises none (Regulation (EU) 2023/1543, Article 10(2)).",
			stamp(until), PolicyText(s.c.EA.State))
	} else {
		s.jobs = append(s.jobs, produceJob(s.req.ID, time.Time{}))
	}
	cats, err := s.e.categoryNames(s.ctx, d.Categories)
	if err != nil {
		return err
	}
	subject, body := s.T("Request approved"), s.T("Request %s was approved: %s, %s to %s. %s", s.req.Reference, cats, d.DateFrom, d.DateTo, follows)
	if d.Outcome == OutcomeNarrowed {
		subject = s.T("Request approved with a narrower scope")
		body = s.T("Request %s was approved with a narrower scope: %s, %s to %s. %s", s.req.Reference, cats, d.DateFrom, d.DateTo, follows)
	}
	s.notes = append(s.notes, s.agencyNote("decision", subject, body))
	return nil
}

// decidedLeaf is the public log's record of an approval.
func decidedLeaf(d Decision) *translog.Record {
	outcome := translog.OutcomeApproved
	if d.Outcome == OutcomeNarrowed {
		outcome = translog.OutcomeNarrowed
	}
	return &translog.Record{Event: translog.EventDecided, Outcome: outcome, Categories: d.Categories}
}

func (s *step) guardReject() error {
	f := s.notesOK("Explain the rejection to the agency.")
	switch codes := ReviewerReasonCodes(); {
	case s.in.ReasonCode == ReasonEnforcingAuthorityRefusal:
		f.Add("reason_code", "Record the enforcing authority's answer with the grounds it raised (%s); that rejects the request.", ActionRecordEnforcingAuthority)
	case !slices.Contains(codes, s.in.ReasonCode):
		f.Add("reason_code", "Choose the reason for the rejection.")
	}
	return f.Err()
}

func (s *step) reject() error {
	d := Decision{Outcome: OutcomeRejected, ReasonCode: s.in.ReasonCode, Reason: s.in.Note}
	s.c.Decision = mustJSON(d)
	s.tell(s.T("Rejected: %s.", Say(reasonName(s.in.ReasonCode))))
	s.details["reason_code"] = s.in.ReasonCode
	s.leaf = &translog.Record{Event: translog.EventDecided, Outcome: translog.RejectedBecause(s.in.ReasonCode), Categories: []string{}}
	s.notes = append(s.notes, s.agencyNote("decision", s.T("Request rejected"),
		s.T("Request %s was rejected (%s): %s", s.req.Reference, Say(reasonName(s.in.ReasonCode)), s.in.Note)))
	return nil
}

func (s *step) guardExtend() error {
	p, err := s.e.process(s.ctx, s.req.Process)
	if err != nil {
		return err
	}
	if p.ExtensionDays <= 0 {
		return errs.E(errs.PolicyDenied, "The legal policy allows no extension of %s.", p.ShortName)
	}
	if at := s.c.ProductionConfirmedAt; at != nil {
		return errs.E(errs.Conflict, "Preservation %s is kept until produced since the issuing authority confirmed its production request on %s; there is no end to extend.",
			s.req.Reference, stamp(*at))
	}
	if s.c.HoldUntil == nil || s.c.Extended {
		return errs.E(errs.Conflict, "A preservation is extended once.")
	}
	return nil
}

func (s *step) extend() error {
	p, err := s.e.process(s.ctx, s.req.Process)
	if err != nil {
		return err
	}
	until := s.c.HoldUntil.Add(time.Duration(p.ExtensionDays) * 24 * time.Hour)
	s.c.HoldUntil, s.c.Extended = &until, true
	s.tell(s.T("Extended until %s.", until.Format(time.DateOnly)))
	s.jobs = append(s.jobs, holdJob(s.c))
	s.notes = append(s.notes, s.agencyNote("preserved", s.T("Preservation extended"),
		s.T("The preservation of request %s is extended once, until %s.", s.req.Reference, until.Format(time.DateOnly))))
	return nil
}

func (s *step) releaseHold() error {
	s.tell(s.T("Preservation released."))
	s.notes = append(s.notes, s.agencyNote("preserved", s.T("Preservation released"),
		s.T("The preservation of request %s was released; the records are no longer held.", s.req.Reference)))
	return nil
}

func (s *step) guardCosign() error {
	c := s.c
	switch {
	case c == nil || !c.Emergency:
		return errs.E(errs.Conflict, "Only emergency requests are co-signed.")
	case c.CosignedAt != nil:
		return errs.E(errs.Conflict, "Request %s is already co-signed.", s.req.Reference)
	case strings.TrimSpace(s.req.EmergencyNarrative) == "":
		return &errs.Error{Code: errs.Invalid, Message: "An emergency request needs its harm narrative.",
			Fields: []errs.FieldError{{Field: "emergency.narrative", Message: "Describe the danger of death or serious physical injury."}}}
	case s.actor.Kind != identity.KindPerson || s.actor.ActingSystem != nil:
		return s.deny(errs.E(errs.Forbidden, "A supervisor co-signs through their own sign-in, not through an agency system."))
	case !s.actor.Has(identity.RoleSupervisor):
		return s.deny(errs.E(errs.Forbidden, "Only a supervisor of the agency co-signs."))
	}
	var filer struct{ Issuer, Subject string }
	if err := s.tx.Table("people").Select("issuer, subject").Where("id = ?", s.req.CreatedBy).Take(&filer).Error; err != nil {
		return fmt.Errorf("find the filer of %s: %w", s.req.ID, err)
	}
	if s.req.CreatedBy == s.actor.PersonID || (filer.Issuer == s.actor.Issuer && filer.Subject == s.actor.Subject) {
		return s.deny(errs.E(errs.Forbidden, "The person who filed an emergency request cannot co-sign it; another supervisor must."))
	}
	return nil
}

func (s *step) cosign() error {
	id := s.actor.PersonID
	s.c.CosignedBy, s.c.CosignedAt = &id, &s.now
	s.reroute = true
	s.tell(s.T("Co-signed by a supervisor; sent to the provider's emergency team."))
	s.notes = append(s.notes, s.teamNoteTo("emergency", "emergency", s.T("Emergency request"),
		s.T("Emergency request %s from %s was co-signed by its supervisor and needs verification and review now.", s.req.Reference, s.ag.Name)))
	return nil
}

func (s *step) withdraw() error {
	if s.from != request.StateDraft {
		// A draft never reached the provider, so the log never counted it.
		s.leaf = &translog.Record{Event: translog.EventWithdrawn, Categories: s.req.Categories}
	}
	if s.c != nil && s.c.Queue != "" {
		s.notes = append(s.notes, s.teamNote("withdrawn", s.T("Request withdrawn"),
			s.T("%s withdrew request %s.", s.ag.Name, s.req.Reference)))
	}
	return nil
}

func (s *step) produce() error {
	var d Decision
	if s.c.Decision != "" {
		if err := json.Unmarshal([]byte(s.c.Decision), &d); err != nil {
			return fmt.Errorf("read the decision of %s: %w", s.req.ID, err)
		}
	}
	s.tell(s.T("Production started."))
	if s.c.EA.ProduceAfter != nil {
		s.leaf = decidedLeaf(d) // deferred from the approval (see final)
	}
	return s.e.producer.Produce(s.ctx, s.tx, Production{RequestID: s.req.ID, Reference: s.req.Reference, Decision: d})
}

func (s *step) disclosed() error {
	if s.c.Emergency {
		p, err := s.e.process(s.ctx, s.req.Process)
		if err != nil {
			return err
		}
		if p.FollowUpDays > 0 && s.c.FollowUpMetAt == nil {
			due := s.now.Add(time.Duration(p.FollowUpDays) * 24 * time.Hour)
			s.c.FollowUpDue = &due
			s.jobs = append(s.jobs, followUpJob(s.c))
			s.notes = append(s.notes, s.agencyNote("follow_up", s.T("Legal process due"),
				s.T("Emergency request %s was disclosed. Legal process for the same data is due by %s: file it and link it to %s.",
					s.req.Reference, due.Format(time.DateOnly), s.req.Reference)))
		}
	}
	// A production request that links a preservation fulfils it.
	var l Link
	err := s.tx.Where("request_id = ?", s.req.ID).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find the link of %s: %w", s.req.ID, err)
	}
	refs, err := request.Refs(s.ctx, s.tx, []string{l.LinkedID})
	if err != nil {
		return err
	}
	if st := refs[l.LinkedID].Status; st == request.StatePreserved || st == request.StateExtended {
		s.fulfils = l.LinkedID // after this transition is written
	}
	return nil
}

func (s *step) expired() error {
	subject, body := s.T("Request expired"), s.T("Request %s expired: %s", s.req.Reference, s.typed())
	s.notes = append(s.notes, s.agencyNote("deadline", subject, body))
	if s.c != nil && s.c.Queue != "" {
		s.notes = append(s.notes, s.teamNote("deadline", subject, body))
	}
	return nil
}

func (s *step) fulfilled() error {
	s.notes = append(s.notes, s.agencyNote("preserved", s.T("Preservation fulfilled"),
		s.T("The preservation %s is fulfilled: %s", s.req.Reference, s.typed())))
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("workflow: encode %T: %v", v, err)) // plain structs: cannot fail
	}
	return string(b)
}

// personName is a person's display name, for messages to provider staff.
func personName(ctx context.Context, tx *gorm.DB, id string) string {
	var p struct{ Name, Email string }
	if err := tx.WithContext(ctx).Table("people").Select("name, email").Where("id = ?", id).Take(&p).Error; err != nil {
		return "someone"
	}
	if p.Name != "" {
		return p.Name
	}
	if p.Email != "" {
		return p.Email
	}
	return "someone"
}
