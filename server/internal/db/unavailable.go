package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says the database cannot be reached or
// cannot take work now, rather than that a statement or its data is wrong:
// a connection refused, dropped or closed, a PostgreSQL server shutting
// down, starting up or out of connections or resources, a SQLite file that
// is locked past the busy timeout, cannot be opened or read, or whose disk
// is full. The web layer answers these 503 with Retry-After instead of 500:
// the request was sound, and the same request may succeed in a moment.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	// PostgreSQL, through pgx: a refused or failed connection, or a
	// server-side condition of the connection or of resources.
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || pgconn.SafeToRetry(err) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case strings.HasPrefix(pg.Code, "08"): // connection_exception
			return true
		case strings.HasPrefix(pg.Code, "53"): // insufficient_resources: disk full, out of memory, too many connections
			return true
		case pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
		return false
	}
	// SQLite (glebarez/go-sqlite, on modernc.org/sqlite): its *Error has
	// Code(), the result code, whose low byte is the primary code. Matched
	// by method, so that this package need not import the driver.
	var lite interface {
		error
		Code() int
	}
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
	}
	// database/sql and the network, whatever the driver.
	var op *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, net.ErrClosed),
		errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &op):
		return true
	}
	// database/sql's error for a closed *sql.DB is not exported.
	return strings.Contains(err.Error(), "sql: database is closed")
}

// SQLite's primary result codes that mean the file cannot take work now
// (https://sqlite.org/rescode.html).
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)
