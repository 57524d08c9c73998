package disclosure

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"
)

// A JobInserter enqueues River jobs inside a database transaction;
// *river.Client[*sql.Tx] (River's database/sql and SQLite drivers) is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// insertJob enqueues args on the transaction of tx, so the job exists if
// and only if the change that needs it commits.
func insertJob(ctx context.Context, tx *gorm.DB, j JobInserter, args river.JobArgs, opts *river.InsertOpts) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("disclosure: enqueue a job: not inside a transaction")
	}
	if _, err := j.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// ProduceArgs builds one request's package (Produce). The workflow's
// producing job may call Produce itself; this job is what a provider's
// retry enqueues.
type ProduceArgs struct {
	RequestID string `json:"request_id"`
}

// Kind implements river.JobArgs.
func (ProduceArgs) Kind() string { return "disclosure.produce" }

// InsertOpts makes one pending build per request.
func (ProduceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ProduceWorker runs ProduceArgs.
type ProduceWorker struct {
	river.WorkerDefaults[ProduceArgs]
	Service *Service
}

// Work implements river.Worker. A Conflict because another attempt won is
// success: the package exists.
func (w *ProduceWorker) Work(ctx context.Context, job *river.Job[ProduceArgs]) error {
	_, err := w.Service.Produce(ctx, job.Args.RequestID)
	if errors.Is(err, ErrSuperseded) {
		return nil
	}
	return err
}

// Timeout lets a large package take its time.
func (w *ProduceWorker) Timeout(*river.Job[ProduceArgs]) time.Duration { return 2 * time.Hour }

// ExpireArgs expires lapsed download links and deletes their blobs.
type ExpireArgs struct{}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "disclosure.expire" }

// NoticeReleaseArgs releases user notices whose non-disclosure order has
// ended. One is scheduled at each order's end; a periodic one catches up.
type NoticeReleaseArgs struct {
	ProductionID string `json:"production_id,omitempty"`
}

// Kind implements river.JobArgs.
func (NoticeReleaseArgs) Kind() string { return "disclosure.notice_release" }

// NoticeDeliverArgs sends queued user notices to the webhook.
type NoticeDeliverArgs struct{}

// Kind implements river.JobArgs.
func (NoticeDeliverArgs) Kind() string { return "disclosure.notice_deliver" }

// AddWorkers registers the service's job workers.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &ProduceWorker{Service: s})
	// The simple jobs: each runs one method of the service.
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[ExpireArgs]) error {
		_, err := s.ExpireDue(ctx)
		return err
	}))
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[NoticeReleaseArgs]) error {
		if _, err := s.ReleaseDue(ctx); err != nil {
			return err
		}
		_, err := s.DeliverNotices(ctx)
		return err
	}))
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[NoticeDeliverArgs]) error {
		_, err := s.DeliverNotices(ctx)
		return err
	}))
	river.AddWorker(w, &SweepWorker{Service: s})
}

// PeriodicJobs are the service's periodic jobs: expiring links hourly,
// releasing due notices hourly, delivering the outbox and sweeping for
// builds no job runs every minute.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return NoticeReleaseArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return NoticeDeliverArgs{}, nil }, nil),
	}
}
