package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
)

// runSeed creates the demo agencies, so that a database prepared by
// `warrantdesk migrate && warrantdesk seed` accepts the demo sign-ins, and
// with --accounts N [--days D] fills the metadata store with fictional
// data (seed_metadata.go), and with --history N files N past requests
// through the portal's services (seed_history.go).
func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	hist := 0
	ms := metadataSeed{Days: 90, Seed: 1}
	cfg, err := loadConfig(config.Command{Name: "seed", Flags: []string{"base-url"},
		Usage: "usage: warrantdesk seed [--accounts N [--days D]] [--history N [--seed S]] [flags]",
		Own: func(fs *flag.FlagSet) {
			fs.Func("history", historyUsage, intIn(&hist, 1, demo.MaxRequests))
			ms.flags(fs)
		}}, args, getenv, stdout)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := seedDemoAgencies(ctx, d, cfg.BaseURL+"/idp", stdout); err != nil {
		return err
	}
	if ms.Accounts > 0 {
		if err := seedMetadata(ctx, d, ms, stdout); err != nil {
			return err
		}
	}
	if hist > 0 {
		return seedHistory(ctx, historyRun{cfg: cfg, d: d, log: log}, hist, ms.Seed, stdout)
	}
	return nil
}

// demoAgencyID is stable across runs, so a restart on another port updates
// the demo agencies instead of duplicating them.
func demoAgencyID(org string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://warrantdesk.example/demo-agency/"+org)).String()
}

// seedDemoAgencyLock is the PostgreSQL advisory lock seedDemoAgencies holds.
const seedDemoAgencyLock = 0x7744_7361 // "wDsa"

// seedDemoAgencies creates or refreshes the demo agencies for the demo
// issuer, in one transaction with an audit event for each change. Replicas
// starting together on one PostgreSQL refresh them one after the other,
// under a transaction-scoped advisory lock: the upsert alone would settle a
// clash on the id, but not one on (issuer, issuer_org), and each replica's
// audit events would interleave.
func seedDemoAgencies(ctx context.Context, d *db.DB, issuer string, progress io.Writer) error {
	return d.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if d.Dialect == db.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", seedDemoAgencyLock).Error; err != nil {
				return fmt.Errorf("seed demo agencies: lock: %w", err)
			}
		}
		for i, da := range demo.Agencies {
			a := agency.Agency{ID: demoAgencyID(da.Org), Name: da.Name, Country: da.Country, Kind: da.Kind,
				Status: agency.StatusActive, Issuer: issuer, IssuerOrg: da.Org, Language: da.Language, TimeZone: da.TimeZone}
			if err := a.Validate(); err != nil {
				return fmt.Errorf("demo agency %s: %w", da.Org, err)
			}
			now := time.Now().UTC()
			a.CreatedAt, a.UpdatedAt = now, now
			res := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "id"}},
				DoUpdates: clause.AssignmentColumns([]string{"name", "country", "kind", "issuer", "issuer_org", "language", "time_zone", "updated_at"}),
			}).Create(&a)
			if res.Error != nil {
				return fmt.Errorf("seed demo agency %s: %w", da.Org, res.Error)
			}
			if err := audit.Append(ctx, tx, audit.Event{
				Actor: audit.Actor{Subject: "system:seed"}, Action: "agency.seed", ObjectType: "agency", ObjectID: a.ID,
				Details: audit.JSON(map[string]string{"name": a.Name, "issuer": issuer, "org": da.Org}),
			}); err != nil {
				return err
			}
			fmt.Fprintf(progress, "[%d/%d] demo agency %s (%s)\n", i+1, len(demo.Agencies), a.Name, a.Country)
		}
		return nil
	})
}
