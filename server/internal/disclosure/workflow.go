package disclosure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// WorkflowProducer is the disclosure side of the workflow's Producer seam:
// inside the transaction that moves a request from approved to producing it
// records the decided scope on the request's production and enqueues the
// build (Enqueue). Pair it with DiscloseWith as the Service's OnReady, so
// the package becoming available and the request becoming disclosed are one
// transaction.
type WorkflowProducer struct{ Service *Service }

var _ workflow.Producer = WorkflowProducer{}

// Produce implements workflow.Producer.
func (w WorkflowProducer) Produce(ctx context.Context, tx *gorm.DB, p workflow.Production) error {
	ap, err := approvedFrom(p.Decision)
	if err != nil {
		return err
	}
	var l workflow.Link
	err = tx.WithContext(ctx).Where("request_id = ?", p.RequestID).Take(&l).Error
	switch {
	case err == nil:
		// A production request that follows a preservation may produce what
		// the preservation's holds kept.
		ap.HoldRequests = []string{l.LinkedID}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("read the request's link: %w", err)
	}
	return w.Service.Enqueue(ctx, tx, p.RequestID, &ap)
}

// approvedFrom reads the workflow's decision as an approved scope.
func approvedFrom(d workflow.Decision) (Approved, error) {
	ap := Approved{Categories: d.Categories, Targets: d.Targets, Fields: d.Fields}
	var err1, err2 error
	ap.DateFrom, err1 = day.Parse(d.DateFrom)
	ap.DateTo, err2 = day.Parse(d.DateTo)
	if err := errors.Join(err1, err2); err != nil {
		return Approved{}, errs.Wrap(err, errs.Invalid, "The decision has no valid date range to produce.")
	}
	return ap, checkApproved(ap)
}

// WorkflowScope is the ScopeSource of a Service wired to the workflow: the
// decision the reviewers recorded on the request's case (their approval,
// narrowed or not), so a build started by hand produces exactly what was
// decided. Returns PolicyDenied when the case holds no approval.
type WorkflowScope struct{}

// Approved implements ScopeSource.
func (WorkflowScope) Approved(ctx context.Context, tx *gorm.DB, r *request.Request) (Approved, error) {
	var c workflow.Case
	err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Approved{}, errs.E(errs.PolicyDenied, "Request %s has no workflow decision to produce.", r.Reference)
	}
	if err != nil {
		return Approved{}, fmt.Errorf("read the decision of %s: %w", r.ID, err)
	}
	var d workflow.Decision
	if c.Decision == "" || json.Unmarshal([]byte(c.Decision), &d) != nil ||
		(d.Outcome != workflow.OutcomeApproved && d.Outcome != workflow.OutcomeNarrowed) {
		return Approved{}, errs.E(errs.PolicyDenied, "Request %s was not approved for production.", r.Reference)
	}
	ap, err := approvedFrom(d)
	if err != nil {
		return Approved{}, err
	}
	var l workflow.Link
	if err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Take(&l).Error; err == nil {
		ap.HoldRequests = []string{l.LinkedID}
	}
	return ap, nil
}

// DiscloseWith is the OnReady of a Service wired to the workflow: it moves
// the request from producing to disclosed in the transaction that makes its
// package available.
func DiscloseWith(e *workflow.Engine) ReadyFunc {
	return func(ctx context.Context, tx *gorm.DB, _ *Production, r *request.Request) error {
		return e.Disclosed(ctx, tx, r.ID)
	}
}

// Enqueue records what is to be produced for request requestID, inside tx
// (the transaction that moves the request to producing), and enqueues its
// build when Jobs is set (otherwise the periodic sweep starts it). ap is the
// decided scope; nil leaves the scope to Scopes at build time. Enqueueing a
// request whose package is already ready or expired changes nothing.
// Returns Invalid for an unproducible scope, or Internal.
func (s *Service) Enqueue(ctx context.Context, tx *gorm.DB, requestID string, ap *Approved) error {
	scope := ""
	if ap != nil {
		if err := checkApproved(*ap); err != nil {
			return err
		}
		b, err := json.Marshal(ap)
		if err != nil {
			return fmt.Errorf("enqueue production: %w", err)
		}
		scope = string(b)
	}
	r, err := request.Read(ctx, tx, requestID)
	if err != nil {
		return err
	}
	now := s.now()
	var p Production
	err = tx.WithContext(ctx).Where("request_id = ?", requestID).Take(&p).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("enqueue production: %w", err)
		}
		p = Production{ID: id.String(), RequestID: r.ID, AgencyID: r.AgencyID, Status: StatusQueued, Scope: scope, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("enqueue production: %w", err)
		}
	case err != nil:
		return fmt.Errorf("enqueue production: %w", err)
	case p.Status == StatusReady || p.Status == StatusExpired:
		return nil
	default:
		if err := tx.Model(&Production{}).Where("id = ?", p.ID).
			Updates(map[string]any{"status": StatusQueued, "scope": scope, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("enqueue production: %w", err)
		}
	}
	if err := audit.Append(ctx, tx, audit.Event{
		At: now, Actor: systemActor, Action: ActionQueue, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
		Details: audit.JSON(map[string]any{"scope": json.RawMessage(orNull(scope))}),
	}); err != nil {
		return err
	}
	if s.Jobs != nil {
		return insertJob(ctx, tx, s.Jobs, ProduceArgs{RequestID: r.ID}, nil)
	}
	return nil
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// announce records, inside the transaction that first makes a package
// available, what the public and the agency learn of it: the transparency
// log's disclosed leaf (no personal data: the categories produced and
// whether anything was found) and the officer's notification in the
// portal's outbox.
func (s *Service) announce(ctx context.Context, tx *gorm.DB, p *Production, r *request.Request, m Manifest, now time.Time) error {
	var a struct{ Country, Kind, Name string }
	if err := tx.WithContext(ctx).Raw(`SELECT country, kind, name FROM agencies WHERE id = ?`, r.AgencyID).Scan(&a).Error; err != nil {
		return fmt.Errorf("announce production: %w", err)
	}
	cats := slices.Clone(m.Scope.Categories)
	slices.Sort(cats)
	cats = slices.Compact(cats)
	rec := translog.Record{
		Event: translog.EventDisclosed, Date: day.Of(now), Country: a.Country, AgencyKind: a.Kind, Process: r.Process,
		RequestType: translog.TypeLegalProcess, Categories: cats, Accounts: len(r.Targets), NDO: r.Nondisclosure.Ordered,
	}
	if r.Emergency {
		rec.RequestType = translog.TypeEmergency
	}
	if m.Outcome == OutcomeNoRecords {
		rec.Outcome = translog.OutcomeNoRecords
	}
	if _, err := translog.Append(ctx, tx, translog.Leaf{RequestID: r.ID, Reference: r.Reference, NationalSecurity: r.NationalSecurity, Record: rec}); err != nil {
		return err
	}
	expires := p.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	body := workflow.Say(locale.M("The package for request %s is ready. Download it from the request's page or GET /api/v1/requests/%s/production before %s; the link then expires and the package is deleted."),
		r.Reference, r.ID, expires)
	if m.Outcome == OutcomeNoRecords {
		body = workflow.Say(locale.M("The provider holds no records within the approved scope of request %s. The signed answer is ready: download it from the request's page or GET /api/v1/requests/%s/production before %s."),
			r.Reference, r.ID, expires)
	}
	subject := workflow.Say(locale.M("Package ready: %s"), r.Reference)
	n := workflow.Notification{
		CreatedAt: now, RequestID: &r.ID, Audience: workflow.AudienceAgency, AgencyID: &r.AgencyID,
		Kind: "production", Subject: subject.English(), Body: body.English(), Words: workflow.Words(subject, body), EmailState: "none",
	}
	if err := tx.WithContext(ctx).Create(&n).Error; err != nil {
		return fmt.Errorf("notify the officer: %w", err)
	}
	return nil
}

// SweepArgs starts the builds that no job is running: productions queued
// without a job (no Jobs configured), and builds whose process died more
// than StaleBuild ago.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "disclosure.sweep" }

// SweepWorker runs SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Service.Sweep(ctx)
	return err
}

// Timeout lets the sweep build what it finds.
func (w *SweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return 2 * time.Hour }

// StaleBuild is how long a building production may go without its
// heartbeat (every BuildHeartbeat) before the sweep assumes its process
// died and builds it again. A superseded attempt can publish nothing, so an
// early takeover costs only work.
const (
	StaleBuild     = 2 * time.Minute
	BuildHeartbeat = 20 * time.Second
)

// Sweep builds every production that is queued (for more than a minute
// when Jobs is set, since a job should have taken it), or building without
// a heartbeat for StaleBuild (its process died: kill -9, a lost node), one
// after another. Returns how many it built;
// failures are recorded on the productions themselves.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	queuedBefore := now.Add(time.Second)
	if s.Jobs != nil {
		queuedBefore = now.Add(-time.Minute)
	}
	var ids []string
	err := s.DB.WithContext(ctx).Model(&Production{}).
		Where("(status = ? AND updated_at < ?) OR (status = ? AND updated_at < ?)",
			StatusQueued, queuedBefore, StatusBuilding, now.Add(-StaleBuild)).
		Order("id").Limit(20).Pluck("request_id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("sweep productions: %w", err)
	}
	n := 0
	for _, id := range ids {
		if _, err := s.Produce(ctx, id); err == nil {
			n++
		} else if ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	return n, nil
}
