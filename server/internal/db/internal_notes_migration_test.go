package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// TestInternalNotesMigration steps a database with a submission's routing
// note across migration 0027: the note moves to request_internal_notes,
// the row the agency reads says only that the request was received, a
// person's typed comment stays where it was, and the way down and up
// again works.
func TestInternalNotesMigration(t *testing.T) {
	ctx := context.Background()
	var d *db.DB
	var err error
	if os.Getenv(dbtest.EnvDatabase) == "postgres" {
		d, err = db.Open(ctx, dbtest.PostgresURL(t))
	} else {
		d, err = db.Open(ctx, filepath.Join(t.TempDir(), "step.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	p, err := d.Provider()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 26); err != nil {
		t.Fatalf("up to 26: %v", err)
	}
	routed := `{"said":[{"format":"In the %s queue; answer due %s.","args":[{"format":"Intake"},"2026-10-15 13:51 UTC"]}]}`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO agencies (id, name, country, kind, status, issuer, issuer_org, created_at, updated_at)
			VALUES ('a1', 'Riverside PD', 'US', 'police', 'active', 'https://idp.example', 'riverside', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, nil},
		{`INSERT INTO people (id, issuer, subject, kind, agency_id, created_at, updated_at)
			VALUES ('p1', 'https://idp.example', 'officer', 'person', 'a1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, nil},
		{`INSERT INTO requests (id, reference, agency_id, created_by, status, created_at, updated_at)
			VALUES ('r1', 'WD-2026-000001', 'a1', 'p1', 'intake', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, nil},
		{`INSERT INTO request_history (request_id, at, actor_id, action, comment, words) VALUES
			('r1', CURRENT_TIMESTAMP, 'p1', 'request.submit', 'In the Intake queue; answer due 2026-10-15 13:51 UTC.', ?),
			('r1', CURRENT_TIMESTAMP, 'p1', 'request.submit', 'In the Legal review queue; answer due 2026-10-16 09:00 UTC.', ''),
			('r1', CURRENT_TIMESTAMP, 'p1', 'verify', 'Badge checked.', '')`, []any{routed}},
	} {
		if err := d.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if _, err := p.UpTo(ctx, 27); err != nil {
		t.Fatalf("up to 27: %v", err)
	}
	var rows []struct {
		Comment, Note, Words string
	}
	if err := d.Raw(`SELECT h.comment, COALESCE(n.note, '') AS note, COALESCE(n.words, '') AS words
		FROM request_history h LEFT JOIN request_internal_notes n ON n.history_id = h.id ORDER BY h.id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for i, r := range rows[:2] {
		if r.Comment != "Received by the provider; under review." {
			t.Errorf("submission %d: the agency reads %q", i, r.Comment)
		}
	}
	if rows[0].Words != routed || rows[0].Note != "" {
		t.Errorf("routing note with words kept as %+v", rows[0])
	}
	if rows[1].Note != "In the Legal review queue; answer due 2026-10-16 09:00 UTC." {
		t.Errorf("routing note without words kept as %+v", rows[1])
	}
	if rows[2].Comment != "Badge checked." || rows[2].Note != "" {
		t.Errorf("a person's comment moved: %+v", rows[2])
	}
	if _, err := p.DownTo(ctx, 26); err != nil {
		t.Fatalf("down to 26: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
