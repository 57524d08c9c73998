package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// historyUsage is the help of `seed --history N`.
const historyUsage = "file N past requests, spread over the last three years, through the portal's own services " +
	"(decided, produced, withdrawn, preserved…); --seed S makes the same history again, and a seed already used is refused"

// demoHistorySeed makes every demo the same history. Its size is
// config.DemoHistory (150 by default: enough requests that most cells of
// every half-year's transparency report pass the reporting threshold).
const demoHistorySeed = 2026

// historyRun is what a history generation is wired from: the database and
// settings serve uses, and the portal's production service.
type historyRun struct {
	cfg   config.Config
	d     *db.DB
	log   *slog.Logger
	prods *disclosure.Service // nil: built here as serve builds it
	// reports, when set, publishes the transparency report of every
	// half-year the demo history covers that has ended.
	reports *transparency.Service
}

// generate files n past requests with seed, through the same services serve
// wires: the policy bundle (loaded once more, on the history's clock), the
// blob store and the production service, with the demo agencies and people
// of the demo issuer as the cast; scene adds the requester signals scene
// (demo.HistoryOptions.Signals), which the demo shows.
func (h historyRun) generate(ctx context.Context, n int, seed uint64, scene bool, progress func(done, total int64)) (demo.HistoryStats, error) {
	clock := &demo.Clock{}
	pol, err := loadPolicy(ctx, h.cfg, policy.WithClock(clock.Now))
	if err != nil {
		return demo.HistoryStats{}, err
	}
	prods := h.prods
	if prods == nil {
		blobs, err := openBlobs(ctx, h.cfg)
		if err != nil {
			return demo.HistoryStats{}, err
		}
		if prods, err = newProductions(ctx, h.cfg, h.d, pol, blobs, h.log); err != nil {
			return demo.HistoryStats{}, err
		}
	}
	ags, staff, err := demoCast(ctx, h.d, h.cfg.BaseURL+"/idp")
	if err != nil {
		return demo.HistoryStats{}, err
	}
	return demo.GenerateHistory(ctx, demo.HistoryConfig{
		DB: h.d, Policy: pol, Clock: clock, Blobs: prods.Blobs, Disclosure: prods,
		Agencies: ags, Staff: staff, Log: h.log,
	}, demo.HistoryOptions{Requests: n, Seed: seed, Progress: progress, Signals: scene})
}

// seedHistory is `warrantdesk seed --history N [--seed S]`, with a
// progress bar on a terminal and a summary either way.
func seedHistory(ctx context.Context, h historyRun, n int, seed uint64, out io.Writer) error {
	start := time.Now()
	bar := newProgressBar(out)
	bar.unit = "requests"
	st, err := h.generate(ctx, n, seed, false, bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "seeded %d past requests (%d log leaves) in %s: %s; received per half-year: %s\n",
		st.Requests, st.Leaves, time.Since(start).Round(time.Millisecond), counts(st.States), counts(st.Periods))
	if st.Failed > 0 {
		return fmt.Errorf("%d of %d requests stopped early; the first: %w", st.Failed, n, st.Err)
	}
	return nil
}

// startJobsAfterDemoHistory starts wf's workers (startJobs). A demo whose
// database holds no request yet first gets its past: demoHistory requests
// (WARRANTDESK_DEMO_HISTORY; 0 turns it off), filed in the background so
// that the portal is ready at once, with the workers started only when the
// history is complete: the deadlines its transitions scheduled are then
// worked after every request has moved on, and do nothing. The returned
// stop ends the history (a cut-short history is not resumed) and the
// workers.
func startJobsAfterDemoHistory(ctx context.Context, h historyRun, wf *workflow.Engine) (func(), error) {
	n := h.demoHistory(ctx)
	if n == 0 {
		return startJobs(ctx, wf, h.log)
	}
	hctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var stopJobs func()
	go func() {
		defer close(done)
		seedDemoHistory(hctx, h, n)
		if hctx.Err() != nil {
			return
		}
		stop, err := startJobs(hctx, wf, h.log)
		if err != nil {
			h.log.Error("start jobs", "err", err)
			return
		}
		stopJobs = stop
	}()
	return func() {
		cancel()
		<-done
		if stopJobs != nil {
			stopJobs()
		}
	}, nil
}

// demoHistory is how many past requests a demo start files: the
// configured number (WARRANTDESK_DEMO_HISTORY), and none unless this is the
// demo and its database holds no request at all.
func (h historyRun) demoHistory(ctx context.Context) int {
	n := h.cfg.DemoHistory
	if !h.cfg.Demo || n == 0 {
		return 0
	}
	if n > demo.MaxRequests {
		h.log.Warn("WARRANTDESK_DEMO_HISTORY is more than the history generator files; no history", "value", n, "most", demo.MaxRequests)
		return 0
	}
	if existing, err := request.Any(ctx, h.d.DB); err != nil || existing {
		return 0
	}
	return n
}

// seedDemoHistory files the demo's n past requests; a failure is logged and
// the portal goes on without them.
func seedDemoHistory(ctx context.Context, h historyRun, n int) {
	start := time.Now()
	st, err := h.generate(ctx, n, demoHistorySeed, true, nil)
	switch {
	case errors.Is(err, demo.ErrHistorySeeded):
		// Another replica, started together with this one, is filing it:
		// its jobs are worked once it has finished.
		for tick := time.NewTicker(500 * time.Millisecond); ; {
			if done, err := demo.HistoryFinished(ctx, h.d.DB, demoHistorySeed); done || err != nil || time.Since(start) > 10*time.Minute {
				tick.Stop()
				return
			}
			select {
			case <-ctx.Done():
				tick.Stop()
				return
			case <-tick.C:
			}
		}
	case err != nil && ctx.Err() == nil:
		h.log.Warn("demo history", "err", err)
	case err != nil:
	default:
		h.log.Info("seeded the demo history", "requests", st.Requests, "leaves", st.Leaves, "failed", st.Failed,
			"ms", time.Since(start).Milliseconds())
		publishDemoReports(ctx, h, st)
		if st.Failed > 0 {
			h.log.Warn("demo history: requests stopped early", "first", st.Err)
		}
	}
}

// demoCast is the demo's people as the portal knows them after they sign
// in at the demo issuer: the agencies' officers and supervisors and the
// provider's intake, reviewers and counsel, created as the first sign-in
// creates them (keyed by issuer and subject) when they have not signed in yet.
func demoCast(ctx context.Context, d *db.DB, issuer string) ([]demo.FilingAgency, demo.Staff, error) {
	var staff demo.Staff
	byOrg := map[string]*demo.FilingAgency{}
	var order []string
	for _, da := range demo.Agencies {
		a, err := agency.FindByID(ctx, d.DB, demoAgencyID(da.Org))
		if err != nil {
			return nil, staff, fmt.Errorf("demo agency %s (run seed first): %w", da.Org, err)
		}
		byOrg[da.Org] = &demo.FilingAgency{Agency: a}
		order = append(order, da.Org)
	}
	for _, dp := range demo.People {
		ha := byOrg[dp.Org]
		if dp.Org != demo.ProviderOrg && ha == nil {
			continue
		}
		p, err := demoPerson(ctx, d.DB, issuer, dp, ha)
		if err != nil {
			return nil, staff, err
		}
		switch {
		case ha != nil && p.Has(identity.RoleSupervisor):
			ha.Supervisor = p
		case ha != nil:
			ha.Officer = p
		case p.Has(identity.RoleIntake):
			staff.Intake = p
		case p.Has(identity.RoleReviewer):
			staff.Reviewers = append(staff.Reviewers, p)
		case p.Has(identity.RoleCounsel):
			staff.Counsel = p
		}
	}
	var ags []demo.FilingAgency
	for _, org := range order {
		if a := byOrg[org]; a.Officer != nil && a.Supervisor != nil {
			ags = append(ags, *a)
		}
	}
	return ags, staff, nil
}

// demoPerson finds or creates the people row of a demo person at issuer.
func demoPerson(ctx context.Context, d *gorm.DB, issuer string, dp devidp.Person, ha *demo.FilingAgency) (*identity.Principal, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	var roles []identity.Role
	for _, r := range dp.Roles {
		roles = append(roles, identity.Role(r))
	}
	p := identity.Person{ID: uuid.NewString(), Issuer: issuer, Subject: dp.Subject(), Kind: identity.KindPerson,
		Email: dp.Email, Name: dp.Name, Roles: strings.Join(dp.Roles, " "), Status: identity.StatusActive, CreatedAt: now, UpdatedAt: now}
	if ha != nil {
		p.AgencyID = &ha.ID
	}
	if err := d.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error; err != nil {
		return nil, fmt.Errorf("demo person %s: %w", dp.Email, err)
	}
	var got identity.Person
	if err := d.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, dp.Subject()).Take(&got).Error; err != nil {
		return nil, fmt.Errorf("demo person %s: %w", dp.Email, err)
	}
	pr := &identity.Principal{PersonID: got.ID, Issuer: got.Issuer, Subject: got.Subject, Kind: got.Kind, Name: got.Name,
		Email: got.Email, Roles: roles, Provider: ha == nil}
	if ha != nil {
		pr.AgencyID, pr.AgencyName, pr.AgencyCountry, pr.AgencyKind = ha.ID, ha.Name, ha.Country, ha.Kind
	}
	return pr, nil
}

// counts lists a tally as "a 3, b 2", in key order.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// publishDemoReports publishes, as the demo's operator, the report of each
// half-year of the demo history that has ended, so that the public page has
// periods to show and `report verify` something to recount. A failure is
// logged; the portal goes on without that report.
func publishDemoReports(ctx context.Context, h historyRun, st demo.HistoryStats) {
	if h.reports == nil {
		return
	}
	periods := slices.Sorted(maps.Keys(st.Periods))
	for _, name := range periods {
		p, err := transparency.ParsePeriod(name)
		if err != nil || !day.Of(time.Now().UTC()).After(p.Last) {
			continue
		}
		if _, err := h.reports.Find(ctx, name, 0); !errors.Is(err, transparency.ErrNotPublished) {
			continue // published already (another replica, an earlier start), or unreadable
		}
		if _, err := h.reports.Publish(ctx, transparency.Publisher{Operator: "demo"}, name, "", nil); err != nil {
			if ctx.Err() == nil {
				h.log.Warn("publish the demo's transparency report", "period", name, "err", err)
			}
			continue
		}
		h.log.Info("published the demo's transparency report", "period", name)
	}
}
