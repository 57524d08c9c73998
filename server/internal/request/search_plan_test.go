package request_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestSearchUsesIndexes asks the database how it runs each statement List
// issues for a search (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL),
// over a few thousand requests: the reference, the docket and the targets
// are each found through an index, and no table of requests or targets is
// read from end to end, for an agency's officer, for the provider's staff,
// and for the count of a numbered page.
func TestSearchUsesIndexes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	in := validInput()
	in.Docket = "CR-2026-07777"
	found := mustCreate(t, e, e.officerA, in)
	mustUpload(t, e, e.officerA, found.ID, request.BuildPDF("\n", "search"))
	if _, err := e.submit(ctx, e.officerA, found.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	copyRequest(t, e.db, found.ID, 3000)
	if e.db.Dialect == db.Postgres {
		// What autovacuum does on a live database: without statistics the
		// planner guesses the tables are tiny.
		if err := e.db.Exec("ANALYZE").Error; err != nil {
			t.Fatal(err)
		}
	}
	statements := captureQueries(t, e.db)

	indexes := map[db.Dialect][]string{
		db.SQLite:   {"(reference=?)", "requests_docket", "request_targets_identifier"},
		db.Postgres: {"requests_reference_key", "requests_docket", "request_targets_identifier"},
	}[e.db.Dialect]
	for _, tc := range []struct {
		desc  string
		actor *identity.Principal
		f     request.Filter
	}{
		{"officer, by docket", e.officerA, request.Filter{Query: "cr-2026-07777"}},
		{"officer, by reference", e.officerA, request.Filter{Query: found.Reference}},
		{"officer, by phone, numbered page", e.officerA, request.Filter{Query: "+1 (555) 010-0123", Page: 1}},
		{"provider, by phone", e.reviewer, request.Filter{Query: "+1 555 0100 123"}},
		{"provider, by username, in one agency", e.reviewer, request.Filter{Query: "@river.suspect", AgencyID: e.a.ID}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			*statements = nil
			if _, err := e.svc.List(ctx, tc.actor, tc.f); err != nil {
				t.Fatalf("List: %v", err)
			}
			searches := 0
			for _, st := range *statements {
				if !strings.Contains(st.sql, "request_targets") {
					continue // not the search (the co-signature lookup, say)
				}
				searches++
				plan := explain(t, e.db, st.sql, st.vars)
				for _, ix := range indexes {
					if !strings.Contains(plan, ix) {
						t.Errorf("the plan does not use %s:\n%s\n%s", ix, st.sql, plan)
					}
				}
				if scan := tableScan(e.db.Dialect, plan); scan != "" {
					t.Errorf("the plan reads a whole table (%s):\n%s\n%s", scan, st.sql, plan)
				}
			}
			want := 1
			if tc.f.Page > 0 {
				want = 2 // the count, then the page
			}
			if searches != want {
				t.Errorf("List issued %d searches, want %d: %v", searches, want, *statements)
			}
		})
	}
}

// copyRequest stores n copies of request id, each with its own id,
// reference, docket and phone target, so that the planner sees tables worth
// an index.
func copyRequest(t *testing.T, d *db.DB, id string, n int) {
	t.Helper()
	columns, err := d.Migrator().ColumnTypes("requests")
	if err != nil {
		t.Fatal(err)
	}
	var names, values []string
	for _, c := range columns {
		names = append(names, c.Name())
		switch c.Name() {
		case "id":
			values = append(values, "'copy-' || CAST(n.i AS TEXT)")
		case "reference":
			values = append(values, "'WD-COPY-' || CAST(n.i AS TEXT)")
		case "docket":
			values = append(values, "'CR-COPY-' || CAST(n.i AS TEXT)")
		default:
			values = append(values, "r."+c.Name())
		}
	}
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO requests (%s) SELECT %s FROM requests r, n WHERE r.id = ?`,
			n, strings.Join(names, ", "), strings.Join(values, ", ")),
		`INSERT INTO request_targets (request_id, position, type, value)
			SELECT id, 0, 'phone', '+1555' || SUBSTR(id, 6) FROM requests WHERE id LIKE 'copy-%'`,
	}
	for i, s := range stmts {
		var args []any
		if i == 0 {
			args = []any{id}
		}
		if err := d.Exec(s, args...).Error; err != nil {
			t.Fatalf("copy request: %v", err)
		}
	}
}

type statement struct {
	sql  string
	vars []any
}

// captureQueries records every SELECT issued through d's gorm handle, with
// its arguments, into the slice it returns.
func captureQueries(t *testing.T, d *db.DB) *[]statement {
	t.Helper()
	var got []statement
	record := func(tx *gorm.DB) {
		got = append(got, statement{tx.Statement.SQL.String(), append([]any{}, tx.Statement.Vars...)})
	}
	if err := d.Callback().Query().After("gorm:query").Register("test:capture", record); err != nil {
		t.Fatal(err)
	}
	if err := d.Callback().Row().After("gorm:row").Register("test:capture", record); err != nil {
		t.Fatal(err)
	}
	return &got
}

// explain returns the plan of query, one line per node.
func explain(t *testing.T, d *db.DB, query string, vars []any) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if d.Dialect == db.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := d.Raw(prefix+query, vars...).Rows()
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		cells := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, cells[len(cells)-1]) // SQLite: id, parent, notused, detail; PostgreSQL: the line
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// tableScan returns the plan line that reads requests or request_targets
// from end to end, or "": SQLite's "SCAN requests" (with or without an
// index to read them in order; "SEARCH" reads through one), PostgreSQL's
// "Seq Scan on requests".
func tableScan(d db.Dialect, plan string) string {
	for line := range strings.Lines(plan) {
		f := strings.Fields(strings.TrimLeft(line, " ->"))
		if d == db.Postgres && len(f) > 3 && f[0] == "Seq" && f[1] == "Scan" && f[2] == "on" {
			f = f[3:]
		} else if d == db.SQLite && len(f) > 1 && f[0] == "SCAN" {
			f = f[1:]
		} else {
			continue
		}
		if f[0] == "requests" || f[0] == "request_targets" {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
