package db_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// columns lists every table and view of the application schema with its columns,
// leaving out the migration tool's own bookkeeping.
func columns(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	type col struct{ Table, Column string }
	var rows []col
	var err error
	switch d.Dialect {
	case db.Postgres:
		err = d.Raw(`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
			WHERE table_schema = current_schema()`).Scan(&rows).Error
	default:
		err = d.Raw(`SELECT m.name AS "table", p.name AS "column" FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type IN ('table', 'view')`).Scan(&rows).Error
	}
	if err != nil {
		t.Fatalf("list columns: %v", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		if r.Table == "goose_db_version" || strings.HasPrefix(r.Table, "sqlite_") {
			continue
		}
		out[r.Table] = append(out[r.Table], r.Column)
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

// TestDialectsMatch migrates a fresh SQLite and a fresh PostgreSQL database
// and proves they have the same tables and columns: the two migration folders
// must never drift apart.
func TestDialectsMatch(t *testing.T) {
	pg := dbtest.OpenPostgres(t)
	lite := dbtest.OpenSQLite(t)
	if diff := cmp.Diff(columns(t, lite), columns(t, pg)); diff != "" {
		t.Errorf("SQLite and PostgreSQL schemas differ (-sqlite +postgres):\n%s", diff)
	}
}

// TestMigrateIsIdempotent runs the migrations a second time: nothing to do,
// and CheckCurrent agrees.
func TestMigrateIsIdempotent(t *testing.T) {
	d := dbtest.Open(t)
	applied, err := d.Migrate(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second migrate applied %v, want nothing", applied)
	}
	if err := d.CheckCurrent(context.Background()); err != nil {
		t.Errorf("CheckCurrent after migrate: %v", err)
	}
}

// TestModelsMatchSchema checks that every gorm model's table and columns exist
// in the migrated schema, so a struct tag that drifts from the SQL fails here
// rather than at run time.
func TestModelsMatchSchema(t *testing.T) {
	d := dbtest.Open(t)
	have := columns(t, d)
	for _, m := range models {
		stmt := &gorm.Statement{DB: d.DB}
		if err := stmt.Parse(m); err != nil {
			t.Fatalf("parse model %T: %v", m, err)
		}
		cols, ok := have[stmt.Schema.Table]
		if !ok {
			t.Errorf("model %T: table %q does not exist", m, stmt.Schema.Table)
			continue
		}
		for _, name := range stmt.Schema.DBNames {
			if !contains(cols, name) {
				t.Errorf("model %T: column %s.%s does not exist", m, stmt.Schema.Table, name)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
