// Package workflow owns a legal request's life: it submits a draft (routing
// it to its team queue in the same transaction) and moves it through the
// provider's review to a decision, under rules that cannot be skipped: one declared
// transition table (Rules), every transition guarded by the policy's
// authorisation decision and by the engine's own invariants (four eyes,
// verification before review, a supervisor's co-signature before an
// emergency reaches the provider, nobody acting on their own agency's
// request), team queues and deadlines from the routing policy, and durable
// jobs on River for everything that must happen later.
//
// Every transition is one database transaction: the new state under an
// optimistic version check (request.Advance: a stale version is a
// Conflict), a history row, one audit event, the transparency log leaf
// where the event is public (received, decided, withdrawn, preserved), the
// notifications it causes and the River jobs it starts, enqueued with
// InsertTx on the same transaction. A job's effect is applied in its own
// transaction, which also completes the job (river.JobCompleteTx) and
// re-checks the state it was scheduled for: a job that survives a crash or
// runs on two replicas takes effect exactly once.
package workflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A State is a request's state; the request package keeps the one list
// (request.States), the workflow the transitions between them.
type State = request.State

// An Action is what someone (or the engine itself) does to a request.
type Action string

// Provider actions, through POST /api/v1/requests/{id}/transitions.
const (
	ActionTake        Action = "take"
	ActionRelease     Action = "release"
	ActionAssign      Action = "assign"
	ActionVerify      Action = "verify"
	ActionRequestInfo Action = "request_info"
	ActionApprove     Action = "approve"
	ActionCountersign Action = "countersign"
	ActionReject      Action = "reject"
	ActionExtend      Action = "extend"
	ActionClose       Action = "close"
	// ActionRecordEnforcingAuthority records the answer of the authority
	// notified of an EU order (Regulation (EU) 2023/1543, Arts. 10 and 12).
	ActionRecordEnforcingAuthority Action = "record_enforcing_authority"
	// ActionConfirmProductionIssued records the issuing authority's
	// confirmation that the production request a European preservation
	// awaits has been issued (Art. 11(1)).
	ActionConfirmProductionIssued Action = "confirm_production_issued"
)

// Agency actions, each with its own route.
const (
	ActionSubmit   Action = "submit" // draft → submitted: the agency files it; routing is its effect
	ActionCosign   Action = "cosign"
	ActionMessage  Action = "message"
	ActionWithdraw Action = "withdraw"
)

// System actions: the engine's own, taken by River jobs and by the
// disclosure seam, never by a person.
const (
	ActionProduce  Action = "produce"  // approved → producing, handing over to the Producer
	ActionDisclose Action = "disclose" // producing → disclosed, called by the disclosure part
	ActionExpire   Action = "expire"   // the order or the preservation hold ran out
	ActionFulfil   Action = "fulfil"   // a linked production request was disclosed
)

// Sentinels, wrapped inside the *errs.Error the engine returns so callers can
// branch with errors.Is. A stale version is request.ErrStaleVersion, the
// one for every change of a request.
var (
	// ErrNotAllowed: the action is not allowed in the request's current
	// state; the error's Allowed lists what is. Surface as 409.
	ErrNotAllowed = errors.New("workflow: action not allowed in this state")
)

// A Producer builds and releases the production of an approved request. It
// is the seam to the disclosure part: the produce job calls Produce inside
// the transaction that moves the request from approved to producing, so a
// Producer typically enqueues its own job there. When the production has
// been released to the agency, the disclosure part calls Engine.Disclosed.
type Producer interface {
	Produce(ctx context.Context, tx *gorm.DB, p Production) error
}

// A Production is what an approved request may release: its final decided
// scope.
type Production struct {
	RequestID string
	Reference string
	Decision  Decision
}

// AwaitDisclosure is the Producer used until the disclosure part exists: it
// does nothing, so the request waits in producing (and is escalated when its
// deadline passes) rather than being marked disclosed with nothing produced.
type AwaitDisclosure struct{}

// Produce does nothing.
func (AwaitDisclosure) Produce(context.Context, *gorm.DB, Production) error { return nil }

// A Config is what an Engine is built from.
type Config struct {
	DB       *db.DB
	Policy   *policy.Engine
	Producer Producer // nil: AwaitDisclosure
	Holds    Holds    // nil: preservations record their hold period but keep no records
	Mailer   Mailer   // nil: notifications are shown in the portal only
	BaseURL  string   // for links in e-mails
	// Locales are the languages e-mails are said in, each recipient's
	// (default: the portal's catalogues, frontend.Locales).
	Locales *locale.Catalogue
	Log     *slog.Logger // nil: discard
	// Now is the engine's clock for timestamps and deadlines (default
	// time.Now). River schedules jobs by the database's clock.
	Now func() time.Time

	// Workers is how many River jobs this process works at once; 0 makes
	// the engine enqueue only (a process that must not run jobs).
	Workers int
	// PollInterval is how often idle workers look for due jobs (default 1s).
	PollInterval time.Duration
	// RescueAfter is how long a job may stay running before another worker
	// assumes its process died and runs it again (default 1 minute). Job
	// effects are idempotent, so a rescue never applies one twice.
	RescueAfter time.Duration
	// ClientID names this process in River's tables (default: River's).
	ClientID string

	// Parts are the other parts' River jobs (the disclosure and metadata
	// parts'), worked by the engine's client: one River client per
	// process, so one set of workers, one leader for periodic jobs and one
	// Stop. They run on River's default queue.
	Parts []JobPart
	// PartWorkers is how many of the parts' jobs this process works at once
	// (default 2: package builds and purges are long and database-bound).
	PartWorkers int
}

// A JobPart is one part's River jobs: its workers and its periodic jobs.
type JobPart struct {
	AddWorkers func(*river.Workers)
	Periodic   []*river.PeriodicJob
}

// Holds keeps the records a preservation preserves: the metadata store
// (*metadata.Store) in the portal. The engine calls it inside the
// transaction of each preservation transition, so the state and the holds
// never disagree.
type Holds interface {
	Preserve(ctx context.Context, tx *gorm.DB, p metadata.Preservation) ([]metadata.Resolution, error)
	ExtendHolds(ctx context.Context, tx *gorm.DB, requestID string, until time.Time) error
	EndHolds(ctx context.Context, tx *gorm.DB, requestID, status string) error
}

// An Engine runs the workflow. It is safe for concurrent use.
type Engine struct {
	db       *db.DB
	policy   *policy.Engine
	producer Producer
	holds    Holds
	mailer   Mailer
	baseURL  string
	locales  *locale.Catalogue
	log      *slog.Logger
	clock    func() time.Time
	jobs     *river.Client[*sql.Tx]
	working  bool
	catalogue
}

// New builds an Engine and its River client. It fails if River rejects the
// configuration.
func New(cfg Config) (*Engine, error) {
	if cfg.DB == nil || cfg.Policy == nil {
		return nil, errors.New("workflow: a database and a policy engine are required")
	}
	e := &Engine{
		db: cfg.DB, policy: cfg.Policy, producer: cfg.Producer, holds: cfg.Holds, mailer: cfg.Mailer, baseURL: cfg.BaseURL,
		log: cfg.Log, clock: cfg.Now, locales: cfg.Locales,
	}
	if e.locales == nil {
		l, err := locale.Load(frontend.Locales)
		if err != nil {
			return nil, fmt.Errorf("workflow: %w", err)
		}
		e.locales = l
	}
	if e.producer == nil {
		e.producer = AwaitDisclosure{}
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	client, err := river.NewClient(cfg.DB.RiverDriver(), e.riverConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("workflow: river: %w", err)
	}
	e.jobs = client
	e.working = cfg.Workers > 0
	return e, nil
}

// Start starts working jobs (when Config.Workers > 0). Stop it before the
// database closes.
func (e *Engine) Start(ctx context.Context) error {
	if !e.working {
		return nil
	}
	if err := e.jobs.Start(ctx); err != nil {
		return fmt.Errorf("workflow: start jobs: %w", err)
	}
	return nil
}

// Jobs is the engine's River client, for other parts that enqueue jobs in
// their own transactions (disclosure.Service.Jobs).
func (e *Engine) Jobs() *river.Client[*sql.Tx] { return e.jobs }

// Stop waits for running jobs to finish (until ctx ends) and stops working.
func (e *Engine) Stop(ctx context.Context) error {
	if !e.working {
		return nil
	}
	if err := e.jobs.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("workflow: stop jobs: %w", err)
	}
	return nil
}

// now is the engine's clock in UTC with the microsecond precision both
// databases keep, so a value read back equals the one written.
func (e *Engine) now() time.Time { return e.clock().UTC().Truncate(time.Microsecond) }

// noDeadline is the due time of a state without a deadline: the keyset of a
// queue page never meets a NULL.
var noDeadline = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// SystemPersonID is the people row the engine's own transitions (deadlines,
// expiry, production) are recorded under. It is created on first use; no one
// can sign in as it (its issuer is never trusted).
const SystemPersonID = "00000000-0000-0000-0000-000000000001"

// system is the principal of the engine's own transitions.
var system = identity.System(SystemPersonID, "workflow", "warrantdesk (automatic)")
