// Package db opens the database (embedded SQLite or PostgreSQL) through gorm
// and applies the SQL migrations with goose. The schema comes only from the
// files in migrations/: gorm never creates or alters a table.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/warrantdesk/warrantdesk/migrations"
)

// A Dialect names the database kind.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// A DB is the open database: gorm for queries, the dialect for the few places
// where SQL differs.
type DB struct {
	*gorm.DB
	Dialect Dialect
	SQL     *sql.DB
}

// DialectOf tells which database a URL names: postgres:// and postgresql://
// are PostgreSQL; anything else is a SQLite file path (or sqlite:// URL).
func DialectOf(url string) Dialect {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open connects to the database named by url. For SQLite, url is a file path
// (its directory is created) or ":memory:".
func Open(ctx context.Context, url string) (*DB, error) {
	cfg := &gorm.Config{
		// Driver errors become gorm.ErrDuplicatedKey and friends, so domain
		// packages can translate them without knowing the driver.
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC() },
		// Every write we make is already inside an explicit transaction.
		SkipDefaultTransaction: true,
	}
	d := &DB{Dialect: DialectOf(url)}
	var err error
	switch d.Dialect {
	case Postgres:
		d.DB, err = gorm.Open(postgres.Open(url), cfg)
	default:
		var dsn string
		dsn, err = sqliteDSN(url)
		if err == nil {
			d.DB, err = gorm.Open(sqlite.Open(dsn), cfg)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.Dialect, err)
	}
	if d.SQL, err = d.DB.DB(); err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.Dialect, err)
	}
	if d.Dialect == SQLite {
		// SQLite has one writer; a single connection serialises our writes in
		// process instead of failing them with SQLITE_BUSY, and it is what
		// River's SQLite driver expects.
		d.SQL.SetMaxOpenConns(1)
	} else {
		d.SQL.SetMaxOpenConns(32)
		d.SQL.SetMaxIdleConns(16)
		d.SQL.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := d.SQL.PingContext(ctx); err != nil {
		d.SQL.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.Dialect, err)
	}
	return d, nil
}

// sqliteDSN turns a path into a DSN with the pragmas we rely on: WAL so readers
// never block the writer, a busy timeout instead of immediate failure,
// foreign keys enforced (SQLite leaves them off by default), and IMMEDIATE
// transactions so a read-then-write transaction never fails to upgrade its lock.
func sqliteDSN(url string) (string, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "", errors.New("the SQLite database path is empty")
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if path == ":memory:" {
		return "file::memory:?" + pragmas, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("create the database directory: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return "", err
	}
	return "file:" + path + "?_pragma=journal_mode(WAL)&" + pragmas, nil
}

// createPrivate creates the SQLite file, if it does not exist yet, readable
// and writable by this user only (0600): it holds every request, person and
// audit event. SQLite gives the -wal and -shm files it creates beside it the
// database file's permissions, so they are private too.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("create the database file: %w", err)
	}
	return f.Close()
}

// Close closes the connection pool.
func (d *DB) Close() error { return d.SQL.Close() }

func (d *DB) migrationsFS() fs.FS {
	if d.Dialect == Postgres {
		return migrations.Postgres
	}
	return migrations.SQLite
}

func (d *DB) provider(log *slog.Logger) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
		// An advisory session lock: two replicas or a replica and the one-shot
		// migrate job never apply the same migration twice.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	return goose.NewProvider(dialect, d.SQL, d.migrationsFS(), opts...)
}

// Migrate applies every pending migration, then River's own (its job
// tables), and returns the versions of ours it applied.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) ([]int64, error) {
	p, err := d.provider(log)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := d.migrateRiver(ctx, log); err != nil {
		return nil, err
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// ErrPendingMigrations is returned by CheckCurrent when the schema is behind
// the binary. Run `warrantdesk migrate` (or start with migrations enabled).
var ErrPendingMigrations = errors.New("the database schema is behind this binary: run `warrantdesk migrate`")

// CheckCurrent verifies the schema is at the version this binary expects,
// without changing anything. /readyz and serve (when it does not migrate) use it.
func (d *DB) CheckCurrent(ctx context.Context) error {
	p, err := d.provider(nil)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w (at %d, want %d)", ErrPendingMigrations, current, target)
	}
	return d.checkRiver(ctx)
}

// Readiness reports whether the database answers and its schema is the one
// this binary expects, as a check name → state map and whether all are
// well: what /readyz answers a load balancer.
func (d *DB) Readiness(ctx context.Context) (map[string]string, bool) {
	checks := map[string]string{"database": "ok", "migrations": "ok"}
	if err := d.SQL.PingContext(ctx); err != nil {
		checks["database"], checks["migrations"] = "unreachable", "unknown"
		return checks, false
	}
	if err := d.CheckCurrent(ctx); err != nil {
		checks["migrations"] = "pending"
		return checks, false
	}
	return checks, true
}
