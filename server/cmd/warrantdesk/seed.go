package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
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
				Status: agency.StatusActive, Issuer: issuer, IssuerOrg: da.Org, Language: da.Language, TimeZone: da.TimeZone,
				Jurisdiction: da.Jurisdiction}
			if err := a.Validate(); err != nil {
				return fmt.Errorf("demo agency %s: %w", da.Org, err)
			}
			now := time.Now().UTC()
			a.CreatedAt, a.UpdatedAt = now, now
			res := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "id"}},
				DoUpdates: clause.AssignmentColumns([]string{"name", "country", "kind", "issuer", "issuer_org", "language", "time_zone", "jurisdiction", "updated_at"}),
			}).Create(&a)
			if res.Error != nil {
				return fmt.Errorf("seed demo agency %s: %w", da.Org, res.Error)
			}
			if err := seedOnboarding(tx, issuer, a.ID, da, now); err != nil {
				return fmt.Errorf("seed demo agency %s: %w", da.Org, err)
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

// seedOnboarding gives a demo agency its onboarding evidence, with fixed
// ids (demo.VerificationID, demo.CallbackID) that tests rely on: a
// verification record, its e-mail domains, its callback directory and its
// first status. What exists already is kept as it is.
func seedOnboarding(tx *gorm.DB, issuer, agencyID string, da demo.Agency, now time.Time) error {
	keep := clause.OnConflict{DoNothing: true}
	var n int64
	if err := tx.Model(&agency.StatusChange{}).Where("agency_id = ?", agencyID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		if err := tx.Create(&agency.StatusChange{AgencyID: agencyID, ToStatus: agency.StatusActive, Reason: "Set up at installation", At: now}).Error; err != nil {
			return err
		}
	}
	// The verification cites the demo's administrator, whose row is made
	// here as their first sign-in would make it (same issuer and subject),
	// so that a fresh database already has someone to cite.
	admin, err := seedDemoAdmin(tx, issuer, now)
	if err != nil {
		return err
	}
	if admin != "" {
		v := agency.Verification{ID: demo.VerificationID(da.Org), AgencyID: agencyID, Method: "official_directory", Note: da.Verification,
			VerifiedBy: admin, VerifiedAt: now}
		if err := tx.Clauses(keep).Create(&v).Error; err != nil {
			return err
		}
	}
	for _, d := range da.Domains {
		if err := tx.Clauses(keep).Create(&agency.EmailDomain{AgencyID: agencyID, Domain: d, AddedAt: now}).Error; err != nil {
			return err
		}
	}
	for i, e := range da.Directory {
		c := agency.CallbackEntry{ID: demo.CallbackID(da.Org, i), AgencyID: agencyID, Label: e.Label, Phone: e.Phone, Source: e.Source, AddedAt: now}
		if err := tx.Clauses(keep).Create(&c).Error; err != nil {
			return err
		}
	}
	return nil
}

// seedDemoAdmin returns the person id of the demo's administrator
// (admin@provider.example) at issuer, making their row if they have never
// signed in.
func seedDemoAdmin(tx *gorm.DB, issuer string, now time.Time) (string, error) {
	for _, p := range demo.People {
		if p.Org != demo.ProviderOrg || !slices.Contains(p.Roles, "admin") {
			continue
		}
		person := identity.Person{ID: uuid.NewString(), Issuer: issuer, Subject: p.Subject(), Kind: identity.KindPerson,
			Email: p.Email, Name: p.Name, Roles: "admin", Status: identity.StatusActive, CreatedAt: now, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&person).Error; err != nil {
			return "", err
		}
		var id string
		if err := tx.Model(&identity.Person{}).Where("issuer = ? AND subject = ?", issuer, p.Subject()).Pluck("id", &id).Error; err != nil {
			return "", err
		}
		return id, nil
	}
	return "", fmt.Errorf("the demo has no administrator")
}
