package workflow

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// River queues.
const (
	queueWorkflow = "workflow"
	queueEmail    = "email"
)

// emailAttempts is how often an e-mail is tried before it is marked failed.
const emailAttempts = 8

// Each job names the state it was scheduled for and re-checks it inside the
// transaction of its effect, which also completes the job: a job whose
// state has moved on does nothing, and an effect is never applied twice.

// deadlineArgs: the deadline of a state passed.
type deadlineArgs struct {
	RequestID string    `json:"request_id"`
	State     State     `json:"state"`
	DueAt     time.Time `json:"due_at"`
}

func (deadlineArgs) Kind() string { return "workflow.deadline" }

// orderExpiryArgs: the court order of a request that awaits a decision ran out.
type orderExpiryArgs struct {
	RequestID string `json:"request_id"`
	ExpiresOn string `json:"expires_on"`
}

func (orderExpiryArgs) Kind() string { return "workflow.order_expiry" }

// holdArgs: a preservation hold ends.
type holdArgs struct {
	RequestID string    `json:"request_id"`
	Until     time.Time `json:"until"`
}

func (holdArgs) Kind() string { return "workflow.hold_expiry" }

// followUpArgs: the legal process owed after an emergency disclosure is due.
type followUpArgs struct {
	RequestID string    `json:"request_id"`
	Due       time.Time `json:"due"`
}

func (followUpArgs) Kind() string { return "workflow.follow_up" }

// produceArgs: an approved request goes to production.
type produceArgs struct {
	RequestID string `json:"request_id"`
}

func (produceArgs) Kind() string { return "workflow.produce" }

// emailArgs: e-mail a notification.
type emailArgs struct {
	NotificationID int64 `json:"notification_id"`
}

func (emailArgs) Kind() string { return "workflow.email" }

// due schedules a job for at, or for now when at has passed: River keeps a
// job with any ScheduledAt in its scheduled state until its scheduler's next
// tick (every few seconds), so an overdue escalation would wait for nothing.
func due(at time.Time) *river.InsertOpts {
	o := &river.InsertOpts{Queue: queueWorkflow}
	if at.After(time.Now()) {
		o.ScheduledAt = at
	}
	return o
}

func deadlineJob(c *Case) river.InsertManyParams {
	return river.InsertManyParams{Args: deadlineArgs{RequestID: c.RequestID, State: c.Status, DueAt: c.DueAt}, InsertOpts: due(c.DueAt)}
}

func holdJob(c *Case) river.InsertManyParams {
	return river.InsertManyParams{Args: holdArgs{RequestID: c.RequestID, Until: *c.HoldUntil}, InsertOpts: due(*c.HoldUntil)}
}

func followUpJob(c *Case) river.InsertManyParams {
	return river.InsertManyParams{Args: followUpArgs{RequestID: c.RequestID, Due: *c.FollowUpDue}, InsertOpts: due(*c.FollowUpDue)}
}

// produceJob starts the production of request id at at: now for the zero
// time, or when a hold for the enforcing authority ends.
func produceJob(id string, at time.Time) river.InsertManyParams {
	return river.InsertManyParams{Args: produceArgs{RequestID: id}, InsertOpts: due(at)}
}

func orderExpiryJob(r *request.Request) river.InsertManyParams {
	// The order is valid through its last day (UTC).
	at := r.ExpiresOn.Time().UTC().AddDate(0, 0, 1)
	return river.InsertManyParams{Args: orderExpiryArgs{RequestID: r.ID, ExpiresOn: r.ExpiresOn.String()}, InsertOpts: due(at)}
}

// enqueue inserts jobs in the gorm transaction tx.
func (e *Engine) enqueue(ctx context.Context, tx *gorm.DB, jobs []river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	stx, err := sqlTx(tx)
	if err != nil {
		return err
	}
	if _, err := e.jobs.InsertManyTx(ctx, stx, jobs); err != nil {
		return fmt.Errorf("enqueue %d jobs: %w", len(jobs), err)
	}
	return nil
}

func (e *Engine) riverConfig(cfg Config) *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker[deadlineArgs]{e: e, fn: e.onDeadline})
	river.AddWorker(workers, &worker[orderExpiryArgs]{e: e, fn: e.onOrderExpiry})
	river.AddWorker(workers, &worker[holdArgs]{e: e, fn: e.onHoldExpiry})
	river.AddWorker(workers, &worker[followUpArgs]{e: e, fn: e.onFollowUp})
	river.AddWorker(workers, &worker[produceArgs]{e: e, fn: e.onProduce})
	river.AddWorker(workers, &emailWorker{e: e})
	for _, p := range cfg.Parts {
		if p.AddWorkers != nil {
			p.AddWorkers(workers)
		}
	}

	rescue := cfg.RescueAfter
	if rescue <= 0 {
		rescue = time.Minute
	}
	rc := &river.Config{
		ID:                   cfg.ClientID,
		Logger:               e.log,
		Workers:              workers,
		FetchPollInterval:    cfg.PollInterval,
		JobTimeout:           min(45*time.Second, rescue),
		RescueStuckJobsAfter: rescue,
		// database/sql has no LISTEN, and SQLite none at all: workers poll.
		PollOnly: true,
	}
	if rc.FetchPollInterval <= 0 {
		rc.FetchPollInterval = time.Second
	}
	rc.FetchCooldown = min(100*time.Millisecond, rc.FetchPollInterval)
	if cfg.Workers > 0 {
		rc.Queues = map[string]river.QueueConfig{
			queueWorkflow: {MaxWorkers: cfg.Workers},
			queueEmail:    {MaxWorkers: 2},
		}
		if len(cfg.Parts) > 0 {
			rc.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: cmp.Or(cfg.PartWorkers, 2)}
		}
		for _, p := range cfg.Parts {
			rc.PeriodicJobs = append(rc.PeriodicJobs, p.Periodic...)
		}
	}
	return rc
}

// worker runs a job's effect in one transaction that also completes the job.
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	e  *Engine
	fn func(ctx context.Context, tx *gorm.DB, args T) error
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	return complete(ctx, w.e, job, func(tx *gorm.DB) error { return w.fn(ctx, tx, job.Args) })
}

// complete runs fn and marks job completed in the same transaction: either
// both happen or neither, so a crash between them cannot apply an effect
// twice.
func complete[T river.JobArgs](ctx context.Context, e *Engine, job *river.Job[T], fn func(tx *gorm.DB) error) error {
	return e.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		// The driver type only pleases the type checker: JobCompleteTx uses
		// the client of the worker's context.
		if _, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, stx, job); err != nil {
			return fmt.Errorf("complete job %d: %w", job.ID, err)
		}
		return nil
	})
}

// current loads the request and case a job is about, or nil when either
// is gone.
func current(ctx context.Context, tx *gorm.DB, id string) (*request.Request, *Case, error) {
	r, err := request.Load(ctx, tx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := loadCase(ctx, tx, id)
	if err != nil || c == nil {
		return nil, nil, err
	}
	return r, c, nil
}

// system runs a transition of the engine's own; one that no longer applies
// (the request moved on) is nothing to do.
func (e *Engine) system(ctx context.Context, tx *gorm.DB, id string, a Action, comment ...Phrase) error {
	in := Input{said: comment}
	_, err := e.transition(ctx, tx, system, id, 0, a, in)
	if errors.Is(err, ErrNotAllowed) {
		return nil
	}
	return err
}

func (e *Engine) onDeadline(ctx context.Context, tx *gorm.DB, a deadlineArgs) error {
	r, c, err := current(ctx, tx, a.RequestID)
	if err != nil || c == nil || c.Status != a.State || !c.DueAt.Equal(a.DueAt) || c.Overdue {
		return err
	}
	if slices.Contains(preDecision, c.Status) && !r.ExpiresOn.IsZero() && r.ExpiresOn.Time().AddDate(0, 0, 1).Before(e.now()) {
		return e.system(ctx, tx, r.ID, ActionExpire, Say(locale.M("The order expired on %s."), r.ExpiresOn.String()))
	}
	c.Overdue, c.UpdatedAt = true, e.now()
	if err := tx.Save(c).Error; err != nil {
		return fmt.Errorf("escalate %s: %w", r.ID, err)
	}
	text := Say(locale.M("Request %s passed its %s deadline (%s) and is overdue."), r.Reference, string(c.Status), a.DueAt.Format("2006-01-02 15:04 UTC"))
	return e.event(ctx, tx, r, "escalate", Say(locale.M("Deadline passed; escalated to the team.")),
		map[string]any{"state": c.Status, "due_at": a.DueAt},
		note{audience: AudienceProvider, team: c.Queue, kind: "deadline", subject: Say(locale.M("Request overdue")), body: text, requestID: r.ID})
}

func (e *Engine) onOrderExpiry(ctx context.Context, tx *gorm.DB, a orderExpiryArgs) error {
	r, c, err := current(ctx, tx, a.RequestID)
	if err != nil || c == nil || !slices.Contains(preDecision, c.Status) || r.ExpiresOn.String() != a.ExpiresOn {
		return err
	}
	return e.system(ctx, tx, r.ID, ActionExpire, Say(locale.M("The order expired on %s."), a.ExpiresOn))
}

func (e *Engine) onHoldExpiry(ctx context.Context, tx *gorm.DB, a holdArgs) error {
	_, c, err := current(ctx, tx, a.RequestID)
	if err != nil || c == nil || (c.Status != request.StatePreserved && c.Status != request.StateExtended) || c.HoldUntil == nil || !c.HoldUntil.Equal(a.Until) {
		return err
	}
	return e.system(ctx, tx, c.RequestID, ActionExpire, Say(locale.M("The preservation hold ended on %s."), a.Until.Format(time.DateOnly)))
}

func (e *Engine) onFollowUp(ctx context.Context, tx *gorm.DB, a followUpArgs) error {
	r, c, err := current(ctx, tx, a.RequestID)
	if err != nil || c == nil || c.FollowUpDue == nil || !c.FollowUpDue.Equal(a.Due) || c.FollowUpMetAt != nil || c.FollowUpOverdue {
		return err
	}
	c.FollowUpOverdue, c.UpdatedAt = true, e.now()
	if c.Queue != "" {
		c.Overdue = true
	}
	if err := tx.Save(c).Error; err != nil {
		return fmt.Errorf("flag follow-up of %s: %w", r.ID, err)
	}
	// Transparency reports count overdue follow-ups from the public log,
	// so the flag is a leaf too (before the audit event: lock order).
	ag, err := agency.FindByID(ctx, tx, r.AgencyID)
	if err != nil {
		return fmt.Errorf("flag follow-up of %s: %w", r.ID, err)
	}
	if _, err := translog.Append(ctx, tx, translog.Leaf{RequestID: r.ID, Reference: r.Reference, NationalSecurity: r.NationalSecurity, Record: translog.Record{
		Event: translog.EventFollowUpOverdue, Date: day.Of(c.UpdatedAt), Country: ag.Country, AgencyKind: ag.Kind,
		Process: r.Process, RequestType: translog.TypeEmergency, Categories: []string{}, Accounts: len(r.Targets), NDO: r.Nondisclosure.Ordered,
	}}); err != nil {
		return err
	}
	text := Say(locale.M("The legal process owed after emergency disclosure %s was due on %s and has not been filed."), r.Reference, a.Due.Format(time.DateOnly))
	return e.event(ctx, tx, r, "follow_up_overdue", Say(locale.M("Follow-up legal process overdue.")), map[string]any{"due": a.Due},
		note{audience: AudienceAgency, agencyID: r.AgencyID, kind: "follow_up", subject: Say(locale.M("Legal process overdue")), body: text, requestID: r.ID},
		note{audience: AudienceProvider, team: "emergency", kind: "follow_up", subject: Say(locale.M("Follow-up overdue")), body: text, requestID: r.ID})
}

func (e *Engine) onProduce(ctx context.Context, tx *gorm.DB, a produceArgs) error {
	_, c, err := current(ctx, tx, a.RequestID)
	if err != nil || c == nil || c.Status != request.StateApproved {
		return err
	}
	if until, held := c.productionHeld(e.now()); held {
		// Due by the database's clock but not yet by the engine's: come back
		// when the hold ends rather than drop the production.
		return river.JobSnooze(until.Sub(e.now()))
	}
	return e.system(ctx, tx, a.RequestID, ActionProduce)
}

// event records something the engine did that is not a transition (an
// escalation, a flag): a history row, an audit event, notifications.
func (e *Engine) event(ctx context.Context, tx *gorm.DB, r *request.Request, action string, said Phrase, details map[string]any, notes ...note) error {
	now := e.now()
	if err := ensureSystemPerson(ctx, tx, now); err != nil {
		return err
	}
	comment, words := historyText([]Phrase{said}, "")
	h := &request.HistoryEntry{RequestID: r.ID, At: now, ActorID: SystemPersonID, Action: action,
		FromStatus: r.Status, ToStatus: r.Status, Comment: comment, Words: words}
	if err := request.AddHistory(ctx, tx, h); err != nil {
		return err
	}
	if err := audit.Append(ctx, tx, audit.Event{At: now, Actor: system.AuditActor(), Action: "workflow." + action,
		ObjectType: "request", ObjectID: r.ID, RequestID: r.ID, Details: audit.JSON(details)}); err != nil {
		return err
	}
	var jobs []river.InsertManyParams
	if err := e.notify(ctx, tx, notes, &jobs); err != nil {
		return err
	}
	return e.enqueue(ctx, tx, jobs)
}

// emailWorker sends a notification by e-mail. Sending is outside the
// database, so it is at least once: a crash after sending and before the
// commit sends it again.
type emailWorker struct {
	river.WorkerDefaults[emailArgs]
	e *Engine
}

func (w *emailWorker) Work(ctx context.Context, job *river.Job[emailArgs]) error {
	e := w.e
	var n Notification
	err := e.db.WithContext(ctx).Where("id = ?", job.Args.NotificationID).Take(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n.EmailState != EmailPending || e.mailer == nil {
		return nil
	}
	to, err := e.recipients(ctx, e.db.DB, &n)
	if err != nil {
		return err
	}
	state := EmailSent
	// One e-mail per language its recipients read, each said in it. A
	// retry after a failure sends again the languages already sent: at
	// least once, as above.
	for _, lang := range slices.Sorted(maps.Keys(to)) {
		subject, body := n.Say(e.voice(lang))
		if e.baseURL != "" {
			body += "\n\n" + e.baseURL + "/login"
		}
		if err := e.mailer.Send(ctx, to[lang], "[warrantdesk] "+subject, body); err != nil {
			if job.Attempt < job.MaxAttempts {
				return err
			}
			e.log.WarnContext(ctx, "notification e-mail failed", "notification", n.ID, "language", lang, "err", err)
			state = EmailFailed
		}
	}
	return complete(ctx, e, job, func(tx *gorm.DB) error {
		now := e.now()
		return tx.Model(&Notification{}).Where("id = ? AND email_state = ?", n.ID, EmailPending).
			Updates(map[string]any{"email_state": state, "emailed_at": &now}).Error
	})
}
