package workflow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// Route puts submitted request id into the workflow: the team queue and
// deadline the routing policy gives it, the approvals it will need, and the
// jobs that enforce its deadline and its order's expiry. An emergency waits
// outside every queue for its supervisor's co-signature. Route is
// idempotent: a request already routed, or no longer submitted, is left
// alone, so the web layer calls it right after submission and a periodic
// sweep catches any submission whose process stopped before routing.
// Returns NotFound for a missing request.
func (e *Engine) Route(ctx context.Context, id string) error {
	return e.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if State(r.Status) != request.StateSubmitted {
			return nil
		}
		c, err := loadCase(ctx, tx, r.ID)
		if err != nil || c != nil {
			return err
		}
		a, err := agency.FindByID(ctx, tx, r.AgencyID)
		if err != nil {
			return fmt.Errorf("route %s: %w", r.ID, err)
		}
		_, err = e.route(ctx, tx, r, a)
		return err
	})
}

// route creates the case of submitted request r inside tx.
func (e *Engine) route(ctx context.Context, tx *gorm.DB, r *request.Request, a *agency.Agency) (*Case, error) {
	now := e.now()
	pr := request.PolicyRequest(r)
	in := policy.ScopeInput{Agency: policy.Agency{ID: a.ID, Country: a.Country, Kind: a.Kind}, Request: pr, Today: now.Format(time.DateOnly)}
	sc, err := e.policy.Scope(ctx, in)
	if err != nil {
		return nil, err
	}
	ap, err := e.policy.Approvals(ctx, in)
	if err != nil {
		return nil, err
	}
	kind := sc.ProcessKind
	if kind != KindEmergency && kind != KindPreservation {
		kind = KindLegalProcess
	}
	c := &Case{RequestID: r.ID, Status: request.StateSubmitted, Kind: kind, Emergency: kind == KindEmergency,
		ApprovalsRequired: max(ap.Required, 1), DueAt: noDeadline, RoutedAt: now, UpdatedAt: now}
	decisions := map[string]any{"approvals": ap, "process_kind": kind}
	var (
		jobs    []river.InsertManyParams
		notes   []note
		comment string
	)
	if c.Emergency {
		comment = "Emergency: waiting for a supervisor of the agency to co-sign before it reaches the provider."
		notes = append(notes, note{audience: AudienceAgency, agencyID: r.AgencyID, requestID: r.ID, kind: "cosign",
			subject: "Co-signature needed",
			body:    fmt.Sprintf("Emergency request %s reaches the provider once a supervisor of your agency, other than the officer who filed it, co-signs it.", r.Reference)})
	} else {
		rt, err := e.policy.Route(ctx, in)
		if err != nil {
			return nil, err
		}
		decisions["route"] = rt
		c.Queue = rt.Queue
		c.DueAt = now.Add(time.Duration(rt.DeadlineHours) * time.Hour)
		jobs = append(jobs, deadlineJob(c))
		comment = fmt.Sprintf("In the %s queue; answer due %s.", c.Queue, c.DueAt.Format("2006-01-02 15:04 UTC"))
	}
	if !r.ExpiresOn.IsZero() {
		jobs = append(jobs, orderExpiryJob(r))
	}
	// DO NOTHING: a concurrent route of the same request (another replica's
	// sweep) may have won; the loser then finds the row and stops.
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(c)
	if res.Error != nil {
		return nil, fmt.Errorf("route %s: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return loadCase(ctx, tx, r.ID)
	}
	if err := e.meetFollowUp(ctx, tx, r, now); err != nil {
		return nil, err
	}
	if err := ensureSystemPerson(ctx, tx, now); err != nil {
		return nil, err
	}
	h := &request.HistoryEntry{RequestID: r.ID, At: now, ActorID: SystemPersonID, Action: "route",
		FromStatus: r.Status, ToStatus: r.Status, Comment: comment}
	if err := tx.Create(h).Error; err != nil {
		return nil, fmt.Errorf("add history to %s: %w", r.ID, err)
	}
	if err := audit.Append(ctx, tx, audit.Event{At: now, Actor: system.AuditActor(), Action: "workflow.route",
		ObjectType: "request", ObjectID: r.ID, RequestID: r.ID, Decision: audit.JSON(decisions),
		Details: audit.JSON(map[string]any{"queue": c.Queue, "kind": kind, "emergency": c.Emergency})}); err != nil {
		return nil, err
	}
	if err := e.notify(ctx, tx, notes, &jobs); err != nil {
		return nil, err
	}
	return c, e.enqueue(ctx, tx, jobs)
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
		e.euCountry, e.euState = cat.Provider.EULegalRepresentative.Country, cat.Provider.EULegalRepresentative.State
		for _, j := range cat.Jurisdictions {
			for _, p := range j.Processes {
				e.procs[p.ID] = p
			}
		}
	})
	return e.catErr
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

// catalogue holds the processes and the EU legal representative, read once.
type catalogue struct {
	catOnce            sync.Once
	procs              map[string]policy.Process
	euCountry, euState string
	catErr             error
}
