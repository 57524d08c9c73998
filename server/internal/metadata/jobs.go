package metadata

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// PurgeArgs runs the retention purge (Store.Purge).
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "metadata.purge" }

// PurgeWorker runs PurgeArgs.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Store *Store
}

// Work implements river.Worker. Purge works in small transactions, so a
// run that is cut short loses nothing: the next one carries on.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.Store.Purge(ctx)
	return err
}

// Timeout gives a large purge time to finish.
func (w *PurgeWorker) Timeout(*river.Job[PurgeArgs]) time.Duration { return time.Hour }

// AddWorkers registers the store's job workers.
func (s *Store) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &PurgeWorker{Store: s})
}

// PeriodicJobs is the retention purge, hourly and at start.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}
