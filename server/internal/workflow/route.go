package workflow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// guardSubmit lets a draft be submitted when it is complete and the legal
// policy authorises something for it; it settles the request's
// national-security classification for the facts as submitted (process and
// stated purpose), which its log leaves and its place in reports follow.
func (s *step) guardSubmit() error {
	if err := request.CheckResponsible(s.actor); err != nil {
		return s.deny(err)
	}
	if err := request.CheckSubmittable(s.ctx, s.tx, s.req); err != nil {
		return err
	}
	sc, err := s.scopeDecision()
	if err != nil {
		return err
	}
	if !sc.Valid || len(sc.Categories) == 0 {
		return s.deny(policyDenied(sc))
	}
	s.req.NationalSecurity = sc.NationalSecurity
	return nil
}

// submit is the submission's effect, in its transaction: the public log
// counts the request as received, and the workflow takes it in, with the
// approvals it will need, its place in a team queue (placed by apply), the
// job that expires its order and, for legal process that follows up an
// emergency, the follow-up met. An emergency waits outside every queue for
// its supervisor's co-signature.
func (s *step) submit() error {
	// The person submitting answers for a draft a system filed on its own.
	if err := request.TakeResponsibility(s.ctx, s.tx, s.actor, s.req, s.now); err != nil {
		return err
	}
	sc := *s.scope
	ap, err := s.approvalsDecision()
	if err != nil {
		return err
	}
	kind := sc.ProcessKind
	if kind != KindEmergency && kind != KindPreservation {
		kind = KindLegalProcess
	}
	r := s.req
	s.c = &Case{RequestID: r.ID, Status: request.StateSubmitted, Kind: kind, Emergency: kind == KindEmergency,
		ApprovalsRequired: max(ap.Required, 1), DueAt: noDeadline, RoutedAt: s.now, UpdatedAt: s.now}
	// Under a non-disclosure order when one that binds, or a statute,
	// forbids telling the account holder: not a prosecutor's request on a
	// subpoena (18 U.S.C. § 2705(b)).
	s.leaf = &translog.Record{Event: translog.EventReceived, Categories: r.Categories, NDO: sc.UserNotice.Gagged}
	if s.c.Emergency {
		s.tell(s.T("Emergency: waiting for a supervisor of the agency to co-sign before it reaches the provider."))
		s.notes = append(s.notes, s.cosignNote())
	}
	if !r.ExpiresOn.IsZero() {
		s.jobs = append(s.jobs, orderExpiryJob(r))
	}
	return s.e.meetFollowUp(s.ctx, s.tx, r, s.now)
}

// cosignNote asks for an emergency's co-signature at once: of the
// supervisor it names, or of the agency's supervisors when it names none (a
// request filed before supervisors were named).
func (s *step) cosignNote() note {
	r := s.req
	if r.EmergencySupervisor == nil {
		return s.agencyNote("cosign", s.T("Co-signature needed: %s", r.Reference),
			s.T("Emergency request %s reaches the provider once a supervisor of your agency, other than the officer who filed it, co-signs it.", r.Reference))
	}
	return s.personNote(*r.EmergencySupervisor, "cosign", s.T("Co-signature needed: %s", r.Reference),
		s.T("%s filed emergency request %s and names you as the supervisor who co-signs it. It reaches the provider only once you co-sign: open it, check the emergency, and co-sign it now.", s.actor.Name, r.Reference))
}

// policyDenied explains a scope decision that authorises nothing, with the
// policy's errors and refusals as field errors.
func policyDenied(sc policy.Scope) error {
	var f errs.Fields
	reasons := make([]string, 0, len(sc.Errors)+len(sc.Refused))
	for _, e := range sc.Errors {
		f.Add(e.Field, "%s", e.Text)
		reasons = append(reasons, e.Text)
	}
	for _, r := range sc.Refused {
		f.Add("categories", "%s: %s", r.Category, r.Reason)
		reasons = append(reasons, r.Category+": "+r.Reason)
	}
	var e *errs.Error
	if len(sc.Categories) == 0 && len(sc.Refused) == 0 && len(sc.Errors) == 0 {
		e = errs.E(errs.PolicyDenied, "The legal policy does not authorise this request: no data category can be disclosed under this process")
	} else {
		e = errs.E(errs.PolicyDenied, "The legal policy does not authorise this request: %s", errs.Clip(strings.Join(reasons, "; "), 1000))
	}
	e.Fields = f
	return e
}

// meetFollowUp records that r, just submitted, is the legal process an
// earlier emergency disclosure it links was owed.
func (e *Engine) meetFollowUp(ctx context.Context, tx *gorm.DB, r *request.Request, now time.Time) error {
	var l Link
	err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find the link of %s: %w", r.ID, err)
	}
	ec, err := loadCase(ctx, tx, l.LinkedID)
	if err != nil || ec == nil || !ec.Emergency || ec.FollowUpMetAt != nil {
		return err
	}
	ec.FollowUpMetAt = &now
	if ec.FollowUpOverdue {
		ec.FollowUpOverdue, ec.Overdue = false, false
	}
	ec.UpdatedAt = now
	if err := tx.WithContext(ctx).Save(ec).Error; err != nil {
		return fmt.Errorf("record follow-up of %s: %w", ec.RequestID, err)
	}
	return audit.Append(ctx, tx, audit.Event{At: now, Actor: system.AuditActor(), Action: "workflow.follow_up_met",
		ObjectType: "request", ObjectID: ec.RequestID, RequestID: ec.RequestID,
		Details: audit.JSON(map[string]any{"by": r.ID, "reference": r.Reference})})
}

// process returns the catalogue entry of a process. The catalogue is read
// once: the policy engine never changes after Load.
func (e *Engine) process(ctx context.Context, id string) (policy.Process, error) {
	if err := e.loadCatalogue(ctx); err != nil {
		return policy.Process{}, err
	}
	p, ok := e.procs[id]
	if !ok {
		return policy.Process{}, errs.E(errs.PolicyDenied, "The legal policy does not know the process %q.", id)
	}
	return p, nil
}

// loadCatalogue reads the catalogue once.
func (e *Engine) loadCatalogue(ctx context.Context) error {
	e.catOnce.Do(func() {
		cat, err := e.policy.Catalogue(context.WithoutCancel(ctx))
		if err != nil {
			e.catErr = err
			return
		}
		e.procs = map[string]policy.Process{}
		e.categories = map[string]string{}
		for _, c := range cat.Categories {
			e.categories[c.ID] = c.Name
		}
		e.euCountry, e.euState = cat.Provider.EULegalRepresentative.Country, cat.Provider.EULegalRepresentative.State
		for _, j := range cat.Jurisdictions {
			for _, p := range j.Processes {
				e.procs[p.ID] = p
			}
		}
	})
	return e.catErr
}

// categoryNames names the data categories ids for a notification people
// read ("Subscriber information, Connection log"); an id the catalogue
// does not name stays as it is.
func (e *Engine) categoryNames(ctx context.Context, ids []string) (Phrase, error) {
	if err := e.loadCatalogue(ctx); err != nil {
		return Phrase{}, err
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = cmp.Or(e.categories[id], id)
	}
	return PolicyList(names), nil
}

// enforcingState is the Member State whose authority is notified of EU
// orders: that of the provider's legal representative in the Union.
func (e *Engine) enforcingState(ctx context.Context) (country, name string, err error) {
	if err := e.loadCatalogue(ctx); err != nil {
		return "", "", err
	}
	if e.euCountry == "" {
		return "", "", errs.E(errs.PolicyDenied, "The legal policy names no enforcing State for EU orders.")
	}
	return e.euCountry, e.euState, nil
}

// catalogue holds the processes, the categories' names and the EU legal
// representative, read once.
type catalogue struct {
	catOnce            sync.Once
	procs              map[string]policy.Process
	categories         map[string]string // id → name
	euCountry, euState string
	catErr             error
}
