package main

import (
	"context"
	"log/slog"
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
// Mail and the workers' settings come from cfg.SMTP and cfg.Jobs. Start it
// with startJobs.
func newWorkflow(cfg config.Config, d *db.DB, pol *policy.Engine, prods *disclosure.Service, log *slog.Logger) (*workflow.Engine, error) {
	wc := workflow.Config{
		DB: d, Policy: pol, Producer: disclosure.WorkflowProducer{Service: prods}, Holds: prods.Metadata,
		BaseURL: cfg.BaseURL, Log: log,
		Workers: cfg.Jobs.Workers, PollInterval: cfg.Jobs.PollInterval, RescueAfter: cfg.Jobs.RescueAfter,
		Parts: []workflow.JobPart{
			{AddWorkers: prods.AddWorkers, Periodic: disclosure.PeriodicJobs()},
			{AddWorkers: prods.Metadata.AddWorkers, Periodic: metadata.PeriodicJobs()},
		},
	}
	if m := cfg.SMTP; m.Host != "" {
		wc.Mailer = &workflow.SMTP{Addr: m.Addr(), From: m.From, Username: m.Username, Password: m.Password}
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
