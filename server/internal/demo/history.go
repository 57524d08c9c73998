package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// A Clock is the time every service of a generation reads; the generator
// sets it to the moment of each step. Unset, it is the real time. It is safe
// for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

// Set moves the clock to t; the zero time returns it to the real time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// A FilingAgency is an agency whose requests the history files, with the
// officer who files them and the supervisor who co-signs emergencies.
type FilingAgency struct {
	*agency.Agency
	Officer, Supervisor *identity.Principal
}

// Staff are the provider's people who decide.
type Staff struct {
	Intake    *identity.Principal
	Reviewers []*identity.Principal // take turns
	Counsel   *identity.Principal   // countersigns
}

// A HistoryConfig is what a generation works with.
type HistoryConfig struct {
	DB *db.DB
	// Policy is the bundle loaded with policy.WithClock(Clock.Now), so that
	// "today" in its decisions is the step's day.
	Policy *policy.Engine
	Clock  *Clock
	Blobs  blob.Store // the court orders
	// Disclosure is the portal's production service; the generation works on
	// a copy that reads Clock (its metadata store too, which keeps the
	// preservations' holds) and marks requests disclosed through its own
	// workflow engine.
	Disclosure *disclosure.Service
	Agencies   []FilingAgency
	Staff      Staff
	Log        *slog.Logger // nil: discard
}

// HistoryOptions say how much history to make.
type HistoryOptions struct {
	Requests int    // how many requests, follow-ups included (1 to MaxRequests)
	Seed     uint64 // the same seed on an empty database makes the same history
	// End is the moment the history stops before (default: now). Every
	// request has finished its life by then.
	End time.Time
	// Periods is how many half-years the requests are spread over, the one
	// End falls in included (default 6, that is about three years).
	Periods  int
	Progress func(done, total int64) // called as requests finish; may be nil
	// Signals adds the requester signals scene (signals.go): a few requests
	// filed in the history's last day that stay open, beyond Requests.
	Signals bool
}

// MaxRequests is the most requests one generation makes.
const MaxRequests = 100000

// HistoryStats say what a generation made.
type HistoryStats struct {
	Requests int            // requests filed
	States   map[string]int // their final states
	Periods  map[string]int // requests received per half-year ("2025-H1")
	Leaves   int            // transparency-log leaves appended
	Failed   int            // requests whose life stopped at an error
	Err      error          // the first such error
}

// ErrHistorySeeded: a history with this seed was made in this database before.
// Another seed adds another history.
var ErrHistorySeeded = errors.New("history: this seed was already used in this database")

// Audit actions that record each generation (its seed and size): before
// its first request, and once its last request has finished.
const (
	ActionHistorySeed = "history.seed"
	ActionHistoryDone = "history.done"
)

// seedLock is the PostgreSQL advisory lock a generation holds while it
// claims its seed, so that two processes starting one seed together (demo
// replicas on one database) make one history, not two.
const seedLock = 0x7744_7368 // "wDsh"

type marker struct {
	Seed     uint64 `json:"seed"`
	Requests int    `json:"requests"`
	End      string `json:"end"`
}

// GenerateHistory makes opt.Requests past requests. It refuses (ErrHistorySeeded) a seed
// already used in this database, so running it twice does not duplicate a
// history. A request whose life stops at an error is counted in HistoryStats.Failed
// and the others go on; GenerateHistory returns an error only when it cannot start
// or ctx ends.
func GenerateHistory(ctx context.Context, cfg HistoryConfig, opt HistoryOptions) (HistoryStats, error) {
	if opt.Requests < 1 || opt.Requests > MaxRequests {
		return HistoryStats{}, fmt.Errorf("history: requests must be 1 to %d", MaxRequests)
	}
	if cfg.DB == nil || cfg.Policy == nil || cfg.Clock == nil || cfg.Blobs == nil || cfg.Disclosure == nil {
		return HistoryStats{}, errors.New("history: a database, policy, clock, blob store and disclosure service are required")
	}
	if len(cfg.Agencies) == 0 || cfg.Staff.Intake == nil || len(cfg.Staff.Reviewers) == 0 || cfg.Staff.Counsel == nil {
		return HistoryStats{}, errors.New("history: agencies and the provider's intake, reviewers and counsel are required")
	}
	if opt.End.IsZero() {
		opt.End = time.Now()
	}
	opt.End = opt.End.UTC().Truncate(time.Microsecond)
	if opt.Periods <= 0 {
		opt.Periods = 6
	}
	if err := claimSeed(ctx, cfg.DB.DB, opt); err != nil {
		return HistoryStats{}, err
	}

	g, err := newGenerator(cfg, opt)
	if err != nil {
		return HistoryStats{}, err
	}
	defer cfg.Clock.Set(time.Time{})
	g.ctx = ctx
	g.plan()
	if opt.Signals {
		if err := g.planSignals(); err != nil {
			return HistoryStats{}, err
		}
	}
	if err := g.sim.run(ctx, cfg.Clock); err != nil {
		return HistoryStats{}, err
	}
	st, err := g.stats(ctx)
	if err != nil {
		return st, err
	}
	err = cfg.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return audit.Append(ctx, tx, audit.Event{
			Actor: audit.Actor{Subject: "system:seed"}, Action: ActionHistoryDone, ObjectType: "history", ObjectID: fmt.Sprint(opt.Seed),
			Details: audit.JSON(map[string]any{"requests": st.Requests, "failed": st.Failed, "leaves": st.Leaves}),
		})
	})
	return st, err
}

// HistoryFinished reports whether the generation of seed has finished in this
// database (another process may be making it).
func HistoryFinished(ctx context.Context, d *gorm.DB, seed uint64) (bool, error) {
	var n int64
	err := d.WithContext(ctx).Table("audit_events").Where("action = ? AND object_id = ?", ActionHistoryDone, fmt.Sprint(seed)).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("history: %w", err)
	}
	return n > 0, nil
}

// claimSeed records the generation in the audit trail, refusing a seed that
// is there already. It is recorded first, so an interrupted generation is
// not silently run again over its own half.
func claimSeed(ctx context.Context, d *gorm.DB, opt HistoryOptions) error {
	return d.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", seedLock).Error; err != nil {
				return fmt.Errorf("history: lock: %w", err)
			}
		}
		var n int64
		if err := tx.Table("audit_events").Where("action = ? AND object_id = ?", ActionHistorySeed, fmt.Sprint(opt.Seed)).Count(&n).Error; err != nil {
			return fmt.Errorf("history: look for earlier generations: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w (seed %d): use another --seed to add more", ErrHistorySeeded, opt.Seed)
		}
		return audit.Append(ctx, tx, audit.Event{
			Actor: audit.Actor{Subject: "system:seed"}, Action: ActionHistorySeed, ObjectType: "history",
			ObjectID: fmt.Sprint(opt.Seed),
			Details:  audit.JSON(marker{Seed: opt.Seed, Requests: opt.Requests, End: opt.End.Format(time.RFC3339)}),
		})
	})
}

// A generator holds the services of one generation, on its clock.
type generator struct {
	cfg   HistoryConfig
	opt   HistoryOptions
	reqs  *request.Service
	prod  *disclosure.Service
	wf    *workflow.Engine
	ctx   context.Context
	rng   *rand.Rand
	sim   *sim
	ids   []string // requests filed, in order
	done  int64
	fails int
	first error
}

func newGenerator(cfg HistoryConfig, opt HistoryOptions) (*generator, error) {
	clk := cfg.Clock
	g := &generator{cfg: cfg, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))}
	g.reqs = &request.Service{DB: cfg.DB.DB, Blobs: cfg.Blobs, Policy: request.NewPolicy(cfg.Policy), Now: clk.Now}
	prod := *cfg.Disclosure
	prod.Now = clk.Now
	prod.Jobs = nil // built here, step by step
	if prod.Metadata != nil {
		md := *prod.Metadata // holds and extraction on the clock too
		md.Now = clk.Now
		prod.Metadata = &md
	}
	g.prod = &prod
	// Workers 0: this engine only enqueues. The jobs its transitions start
	// (deadlines, expiries) find every request moved on when the portal's
	// workers run them, and do nothing.
	wf, err := workflow.New(workflow.Config{DB: cfg.DB, Policy: cfg.Policy, Producer: disclosure.WorkflowProducer{Service: g.prod}, Holds: g.prod.Metadata,
		Now: clk.Now, Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	g.wf = wf
	g.prod.OnReady = disclosure.DiscloseWith(wf)
	g.sim = &sim{yield: make(chan struct{})}
	return g, nil
}

// finished counts a request's end and reports progress.
func (g *generator) finished(err error) {
	g.done++
	if err != nil {
		g.fails++
		if g.first == nil {
			g.first = err
		}
		if g.cfg.Log != nil {
			g.cfg.Log.Warn("history: a request stopped early", "err", err)
		}
	}
	if g.opt.Progress != nil {
		g.opt.Progress(g.done, int64(g.opt.Requests))
	}
}

// warn reports the failure of a housekeeping step (expiring links,
// releasing notices), which is no request's life.
func (g *generator) warn(what string) func(error) {
	return func(err error) {
		if err != nil && g.cfg.Log != nil {
			g.cfg.Log.Warn("history: "+what, "err", err)
		}
	}
}

// stats reads back what the generation made.
func (g *generator) stats(ctx context.Context) (HistoryStats, error) {
	st := HistoryStats{Requests: len(g.ids), States: map[string]int{}, Periods: map[string]int{}, Failed: g.fails, Err: g.first}
	d := g.cfg.DB.WithContext(ctx)
	for i := 0; i < len(g.ids); i += 500 {
		chunk := g.ids[i:min(i+500, len(g.ids))]
		rows, err := request.Refs(ctx, d, chunk)
		if err != nil {
			return st, fmt.Errorf("history: read back: %w", err)
		}
		for _, r := range rows {
			st.States[string(r.Status)]++
			if r.SubmittedAt != nil {
				st.Periods[PeriodOf(*r.SubmittedAt)]++
			}
		}
		var n int64
		if err := d.Table("tlog_leaves").Where("request_id IN ?", chunk).Count(&n).Error; err != nil {
			return st, fmt.Errorf("history: read back: %w", err)
		}
		st.Leaves += int(n)
	}
	return st, nil
}

// PeriodOf names the half-year t falls in, "2025-H1" or "2025-H2" (UTC).
func PeriodOf(t time.Time) string {
	t = t.UTC()
	h := 1
	if t.Month() > time.June {
		h = 2
	}
	return fmt.Sprintf("%d-H%d", t.Year(), h)
}

// periodStart is the first moment of the half-year t falls in.
func periodStart(t time.Time) time.Time {
	t = t.UTC()
	m := time.January
	if t.Month() > time.June {
		m = time.July
	}
	return time.Date(t.Year(), m, 1, 0, 0, 0, 0, time.UTC)
}
