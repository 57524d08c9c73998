package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// newWorkflow builds the review workflow wired to the productions: one
// River client per process works the workflow's jobs and the disclosure
// and metadata parts' (package builds, link expiry, user notices, the
// retention purge), approved requests hand over to prods (the producing
// seam), and a package becoming ready marks its request disclosed in the
// same transaction. Preservations hold records in prods' metadata store.
// Start it with startJobs. Optional settings, read from the environment
// until the config package takes them over:
//
//	WARRANTDESK_SMTP_HOST, _PORT, _FROM, _USERNAME, _PASSWORD(_FILE)  e-mail notifications
//	WARRANTDESK_JOB_WORKERS        jobs worked at once (default 8 on PostgreSQL, 2 on SQLite; 0 only enqueues)
//	WARRANTDESK_JOB_POLL_INTERVAL  how often idle workers look for due jobs (default 1s)
//	WARRANTDESK_JOB_RESCUE_AFTER   when a running job of a dead process is run again (default 1m)
func newWorkflow(cfg config.Config, d *db.DB, pol *policy.Engine, prods *disclosure.Service, log *slog.Logger, getenv func(string) string) (*workflow.Engine, error) {
	wc := workflow.Config{
		DB: d, Policy: pol, Producer: disclosure.WorkflowProducer{Service: prods}, Holds: prods.Metadata,
		BaseURL: cfg.BaseURL, Log: log, Workers: 8,
		Parts: []workflow.JobPart{
			{AddWorkers: prods.AddWorkers, Periodic: disclosure.PeriodicJobs()},
			{AddWorkers: prods.Metadata.AddWorkers, Periodic: metadata.PeriodicJobs()},
		},
	}
	if d.Dialect == db.SQLite {
		wc.Workers = 2 // one connection: more workers only wait for it
	}
	smtp, err := workflow.SMTPFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if smtp != nil {
		wc.Mailer = smtp
	}
	if v := getenv("WARRANTDESK_JOB_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("WARRANTDESK_JOB_WORKERS: %q is not a number of workers", v)
		}
		wc.Workers = n
	}
	for _, s := range []struct {
		env  string
		into *time.Duration
	}{{"WARRANTDESK_JOB_POLL_INTERVAL", &wc.PollInterval}, {"WARRANTDESK_JOB_RESCUE_AFTER", &wc.RescueAfter}} {
		if v := getenv(s.env); v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur <= 0 {
				return nil, fmt.Errorf("%s: %q is not a duration such as 1s", s.env, v)
			}
			*s.into = dur
		}
	}
	wf, err := workflow.New(wc)
	if err != nil {
		return nil, err
	}
	prods.Jobs = wf.Jobs()
	prods.OnReady = disclosure.DiscloseWith(wf)
	return wf, nil
}

// startJobs starts wf's River workers on this replica. The returned stop
// waits (briefly) for running jobs; call it before the database closes.
func startJobs(ctx context.Context, wf *workflow.Engine, log *slog.Logger) (func(), error) {
	// Start's context only bounds the start; Stop ends the workers softly.
	if err := wf.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := wf.Stop(sctx); err != nil {
			log.Warn("stop jobs", "err", err)
		}
	}, nil
}
