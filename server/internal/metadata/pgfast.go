package metadata

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// errNotPgx: the pool's driver is not pgx; the generic path is used.
var errNotPgx = errors.New("not a pgx connection")

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// streamConnectionLogPG reads one account's connection log on PostgreSQL
// through pgx itself rather than database/sql: the row's wire values are
// encoded as they arrive, with the time and port in binary and the text
// columns as bytes, so a million events cost no allocation each. It runs
// the same query as the generic path (q), and is checked against the same
// ground truth. It returns errNotPgx when the pool is not pgx's.
func streamConnectionLogPG(ctx context.Context, pool *sql.DB, q *queryBuilder, e *encoder, emit func(*Record) error) (int64, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errNotPgx
		}
		text, args := rebind(q.b.String(), q.args)
		formats := pgx.QueryResultFormats{pgx.TextFormatCode, pgx.BinaryFormatCode, pgx.TextFormatCode, pgx.BinaryFormatCode, pgx.TextFormatCode}
		rows, err := c.Conn().Query(ctx, text, append([]any{formats}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v := rows.RawValues()
			if len(v) != 5 || len(v[1]) != 8 || len(v[3]) != 4 {
				return fmt.Errorf("unexpected row shape from the connection log query")
			}
			at := pgEpoch.Add(time.Duration(int64(binary.BigEndian.Uint64(v[1]))) * time.Microsecond)
			e.begin()
			e.bytes("account_id", v[0])
			e.time("time", at)
			e.bytes("ip", v[2])
			e.int("port", int64(int32(binary.BigEndian.Uint32(v[3]))))
			e.bytes("event", v[4])
			if err := emit(e.end()); err != nil {
				return err
			}
			n++
		}
		return rows.Err()
	})
	return n, err
}

// rebind turns the builder's ? placeholders into PostgreSQL's $n, a slice
// argument into a parenthesised list, as gorm does for the generic path.
// The queries it sees are ours: no ? appears in a literal.
func rebind(query string, args []any) (string, []any) {
	var b strings.Builder
	var out []any
	i := 0
	for _, r := range query {
		if r != '?' || i >= len(args) {
			b.WriteRune(r)
			continue
		}
		if list, ok := args[i].([]string); ok {
			b.WriteByte('(')
			for j, v := range list {
				if j > 0 {
					b.WriteByte(',')
				}
				out = append(out, v)
				b.WriteString("$" + strconv.Itoa(len(out)))
			}
			b.WriteByte(')')
		} else {
			out = append(out, args[i])
			b.WriteString("$" + strconv.Itoa(len(out)))
		}
		i++
	}
	return b.String(), out
}
