package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// TestUnavailable tells an outage from a wrong statement, with errors the
// drivers really return.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()

	t.Run("SQLiteClosed", func(t *testing.T) {
		d, err := db.Open(ctx, filepath.Join(t.TempDir(), "closed.db"))
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		err = d.Exec("SELECT 1").Error
		if err == nil || !db.Unavailable(err) {
			t.Errorf("a closed database: Unavailable(%v) = false", err)
		}
	})

	t.Run("SQLiteLocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "locked.db")
		// Without a busy timeout, so that the contender fails at once
		// instead of after db.Open's ten seconds.
		open := func() *sql.DB {
			s, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(0)")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		holder, contender := open(), open()
		if _, err := holder.Exec("CREATE TABLE t (x INTEGER)"); err != nil {
			t.Fatal(err)
		}
		conn, err := holder.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "ROLLBACK")
		_, err = contender.Exec("INSERT INTO t VALUES (1)")
		if err == nil || !db.Unavailable(err) {
			t.Errorf("a locked database: Unavailable(%v) = false", err)
		}
	})

	t.Run("PostgreSQLRefused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close() // nothing listens there now
		_, err = db.Open(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", port))
		if err == nil || !db.Unavailable(err) {
			t.Errorf("a refused connection: Unavailable(%v) = false", err)
		}
	})

	t.Run("PostgreSQLServerCodes", func(t *testing.T) {
		for code, want := range map[string]bool{
			"57P01": true, "57P03": true, "08006": true, "53300": true, "53100": true,
			"23505": false, "42601": false, "40001": false, "22P02": false,
		} {
			err := fmt.Errorf("find: %w", &pgconn.PgError{Code: code})
			if got := db.Unavailable(err); got != want {
				t.Errorf("SQLSTATE %s: Unavailable = %v, want %v", code, got, want)
			}
		}
	})

	t.Run("NotOutages", func(t *testing.T) {
		d := dbtest.Open(t)
		for _, err := range []error{
			nil,
			errors.New("something else"),
			gorm.ErrRecordNotFound,
			d.Exec("SELEKT 1").Error,
			d.Exec("SELECT * FROM no_such_table").Error,
			d.Exec("INSERT INTO schema_migrations (name) VALUES (NULL)").Error,
		} {
			if db.Unavailable(err) {
				t.Errorf("Unavailable(%v) = true on %s", err, dbtest.Name(d))
			}
		}
	})

	t.Run("ConnectionKilled", func(t *testing.T) {
		if os.Getenv(dbtest.EnvDatabase) != "postgres" {
			t.Skip("PostgreSQL only: SQLite has no server to end a connection")
		}
		d := dbtest.Open(t)
		err := d.Exec("SELECT pg_terminate_backend(pg_backend_pid())").Error
		if err == nil || !db.Unavailable(err) {
			t.Errorf("a connection the server ended: Unavailable(%v) = false", err)
		}
	})
}
