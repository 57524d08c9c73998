package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// TestAgencyOnboardingMigration steps an existing database across migration
// 0024, which on SQLite rebuilds the agencies table that people, requests and
// a view refer to: every agency, person and request survives, the references
// still hold, an agency already registered counts as activated, and the way
// down and up again works.
func TestAgencyOnboardingMigration(t *testing.T) {
	ctx := context.Background()
	open := map[string]func(t *testing.T) *db.DB{
		"sqlite": func(t *testing.T) *db.DB {
			d, err := db.Open(ctx, filepath.Join(t.TempDir(), "step.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		},
		"postgres": func(t *testing.T) *db.DB {
			d, err := db.Open(ctx, dbtest.PostgresURL(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		},
	}
	for name, openDB := range open {
		t.Run(name, func(t *testing.T) {
			d := openDB(t)
			p, err := d.Provider()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 23); err != nil {
				t.Fatalf("up to 23: %v", err)
			}
			for _, q := range []string{
				`INSERT INTO agencies (id, name, country, kind, status, issuer, issuer_org, created_at, updated_at)
					VALUES ('a1', 'Riverside PD', 'US', 'police', 'active', 'https://idp.example', 'riverside', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
				`INSERT INTO people (id, issuer, subject, kind, agency_id, created_at, updated_at)
					VALUES ('p1', 'https://idp.example', 'officer', 'person', 'a1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
			} {
				if err := d.Exec(q).Error; err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if _, err := p.UpTo(ctx, 24); err != nil {
				t.Fatalf("up to 24: %v", err)
			}
			var row struct {
				Status    string
				Activated bool
				People    int
			}
			if err := d.Raw(`SELECT a.status, a.activated_at IS NOT NULL AS activated,
				(SELECT COUNT(*) FROM people WHERE agency_id = a.id) AS people FROM agencies a WHERE a.id = 'a1'`).Scan(&row).Error; err != nil {
				t.Fatal(err)
			}
			if row.Status != "active" || !row.Activated || row.People != 1 {
				t.Errorf("after 0024 the agency reads %+v, want active, activated, with its one person", row)
			}
			if err := d.Exec(`INSERT INTO agencies (id, name, country, kind, status, issuer, issuer_org, created_at, updated_at)
				VALUES ('a2', 'New agency', 'GB', 'police', 'pending', 'https://idp.example', 'new', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error; err != nil {
				t.Fatalf("a pending agency: %v", err)
			}
			if err := d.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, created_at, updated_at)
				VALUES ('p2', 'https://idp.example', 'nobody', 'person', 'no-such-agency', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error; err == nil {
				t.Error("a person of a missing agency was stored: the foreign key was lost in the rebuild")
			}
			if _, err := p.DownTo(ctx, 23); err != nil {
				t.Fatalf("down to 23: %v", err)
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
		})
	}
}
