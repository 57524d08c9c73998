// Package dbtest opens real, freshly migrated databases for tests: SQLite in
// a temporary directory by default, or a brand-new PostgreSQL database per
// test when WARRANTDESK_TEST_POSTGRES_DSN names a server. Nothing is mocked.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
)

// EnvPostgresDSN names a PostgreSQL server tests may create databases on, for
// example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvPostgresDSN = "WARRANTDESK_TEST_POSTGRES_DSN"

// EnvDatabase selects the database every Open uses: "sqlite" (default) or
// "postgres". CI runs the whole suite once with each.
const EnvDatabase = "WARRANTDESK_TEST_DATABASE"

// Open returns a migrated database of the kind EnvDatabase selects.
func Open(tb testing.TB) *db.DB {
	tb.Helper()
	if os.Getenv(EnvDatabase) == "postgres" {
		return OpenPostgres(tb)
	}
	return OpenSQLite(tb)
}

// OpenSQLite returns a migrated SQLite database in a temporary directory.
func OpenSQLite(tb testing.TB) *db.DB {
	tb.Helper()
	d, err := db.Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	migrate(tb, d)
	return d
}

// OpenPostgres returns a migrated, brand-new PostgreSQL database that is
// dropped when the test ends. It skips the test when no server is configured,
// so `go test ./...` passes on a machine without PostgreSQL; CI configures one.
func OpenPostgres(tb testing.TB) *db.DB {
	tb.Helper()
	url := PostgresURL(tb)
	d, err := db.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	migrate(tb, d)
	return d
}

// PostgresURL creates an empty PostgreSQL database for this test, drops it at
// cleanup, and returns its URL. It skips when no server is configured.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(EnvPostgresDSN)
	if admin == "" {
		if os.Getenv(EnvDatabase) == "postgres" || os.Getenv("CI") != "" {
			tb.Fatalf("%s is not set, but PostgreSQL tests were requested", EnvPostgresDSN)
		}
		tb.Skipf("skipping: PostgreSQL not configured (set %s=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", EnvPostgresDSN)
	}
	ctx := context.Background()
	server, err := db.Open(ctx, admin)
	if err != nil {
		tb.Fatalf("connect to PostgreSQL at %s: %v", EnvPostgresDSN, err)
	}
	defer server.Close()
	name := "wdtest_" + randomHex(8)
	if err := server.Exec("CREATE DATABASE " + name).Error; err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		s, err := db.Open(context.Background(), admin)
		if err != nil {
			tb.Logf("drop database %s: %v", name, err)
			return
		}
		defer s.Close()
		if err := s.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvPostgresDSN, err)
	}
	u.Path = "/" + name
	return u.String()
}

func migrate(tb testing.TB, d *db.DB) {
	tb.Helper()
	if _, err := d.Migrate(context.Background(), nil); err != nil {
		tb.Fatalf("migrate %s: %v", d.Dialect, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(hex.EncodeToString(b))
}

// Name returns a short description of the database, for test names and logs.
func Name(d *db.DB) string { return fmt.Sprint(d.Dialect) }
