package dbtest

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
)

// The roles of deploy/README.md ("Database roles"), per test: roles are
// cluster-wide and tests run in parallel on one cluster, so each test's
// login roles get random names and are dropped at cleanup. The group role
// db.AppRole is shared by all, as it is in a real cluster.

// OwnerPostgresURL creates an empty database owned by a fresh login role
// that is not a superuser and returns its URL as that role: what `warrantdesk
// migrate` connects as. As an operator does once per cluster, it makes sure
// db.AppRole exists, since the owner may not create roles. It skips when no
// server is configured.
func OwnerPostgresURL(tb testing.TB) string {
	tb.Helper()
	dbURL := PostgresURL(tb)
	name := "wdtest_owner_" + randomHex(6)
	admin(tb, `DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+db.AppRole+`') THEN CREATE ROLE `+db.AppRole+` NOLOGIN; END IF;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`)
	admin(tb, "CREATE ROLE "+name+" LOGIN")
	tb.Cleanup(func() {
		// The role owns the database and everything migrate made in it: drop
		// that first (PostgresURL's own clean-up then finds nothing).
		adminCleanup(tb, "DROP DATABASE IF EXISTS "+databaseName(tb, dbURL)+" WITH (FORCE)")
		adminCleanup(tb, "DROP ROLE IF EXISTS "+name)
	})
	admin(tb, "ALTER DATABASE "+databaseName(tb, dbURL)+" OWNER TO "+name)
	return WithUser(tb, dbURL, name)
}

// AppPostgresURL creates a fresh login role that is a member of db.AppRole
// and nothing else, and returns dbURL (a migrated database) as that role:
// what `warrantdesk serve` connects as. The role is dropped at cleanup.
func AppPostgresURL(tb testing.TB, dbURL string) string {
	tb.Helper()
	name := "wdtest_serve_" + randomHex(6)
	admin(tb, "CREATE ROLE "+name+" LOGIN IN ROLE "+db.AppRole)
	tb.Cleanup(func() { adminCleanup(tb, "DROP ROLE IF EXISTS "+name) })
	return WithUser(tb, dbURL, name)
}

func admin(tb testing.TB, sql string) {
	tb.Helper()
	if err := adminExec(sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

func adminCleanup(tb testing.TB, sql string) {
	if err := adminExec(sql); err != nil {
		tb.Logf("%s: %v", sql, err)
	}
}

func adminExec(sql string) error {
	s, err := db.Open(context.Background(), os.Getenv(EnvPostgresDSN))
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Exec(sql).Error
}

func databaseName(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Path[1:]
}

// WithUser returns dbURL connecting as user (trust authentication: the test
// server asks no password).
func WithUser(tb testing.TB, dbURL, user string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	u.User = url.User(user)
	return u.String()
}
