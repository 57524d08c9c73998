package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// RiverDriver returns River's driver for this database, over the same
// connection pool gorm uses, so that jobs can be enqueued in the transaction
// of the change that causes them. On SQLite the pool has one connection:
// inside a transaction, River must be given that transaction, never the pool.
func (d *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if d.Dialect == Postgres {
		return riverdatabasesql.New(d.SQL)
	}
	return riversqlite.New(d.SQL)
}

// riverLockKey is the PostgreSQL advisory lock that keeps two replicas from
// applying River's migrations at once (River's migrator takes no lock).
const riverLockKey = 0x7744_7269 // "wDri"

// migrateRiver applies River's own migrations (its job, queue and leader
// tables), which River versions separately from ours.
func (d *DB) migrateRiver(ctx context.Context, log *slog.Logger) error {
	m, err := rivermigrate.New(d.RiverDriver(), &rivermigrate.Config{Logger: riverLog(log)})
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	if d.Dialect == Postgres {
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate river: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverLockKey); err != nil {
			return fmt.Errorf("migrate river: lock: %w", err)
		}
		// A session lock: released explicitly, or when the connection dies.
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverLockKey) //nolint:errcheck
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	if log != nil && len(res.Versions) > 0 {
		versions := make([]int, len(res.Versions))
		for i, v := range res.Versions {
			versions[i] = v.Version
		}
		log.Info("migrated river", "versions", versions)
	}
	return nil
}

// checkRiver reports ErrPendingMigrations when River's tables are behind.
func (d *DB) checkRiver(ctx context.Context) error {
	m, err := rivermigrate.New(d.RiverDriver(), &rivermigrate.Config{Logger: riverLog(nil)})
	if err != nil {
		return fmt.Errorf("check river schema: %w", err)
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("check river schema: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("%w (river: %v)", ErrPendingMigrations, res.Messages)
	}
	return nil
}

func riverLog(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return log
}
