package metadata_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// now is the fixed clock of these tests.
var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// retention is the catalogue's retention policy (policies/catalogue),
// written out so these tests do not need the policy engine.
var retention = metadata.Retention{
	"subscriber": 90, "activity": 90, "connection_log": 90, "device": 180, "contacts": 30, "groups": 180, "envelope": 0, "content": 0,
}

func newStore(d *db.DB) *metadata.Store {
	return &metadata.Store{DB: d, Retention: retention, Now: func() time.Time { return now }, PurgeBatch: 500}
}

// seed writes accounts numbered from first with days of history up to now.
func seed(t testing.TB, d *db.DB, first, n, days int, perDay float64) demo.MetadataStats {
	t.Helper()
	st, err := demo.GenerateMetadata(context.Background(), d, demo.MetadataOptions{
		Accounts: n, FirstIndex: first, Days: days, EventsPerDay: perDay, Seed: 42, Now: now,
	})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return st
}

// mustRequest stores a bare request row, which holds and collection orders
// refer to. It needs an agency and a person.
func mustRequest(t testing.TB, d *db.DB) string {
	t.Helper()
	agencyID, personID, id := uuid.NewString(), uuid.NewString(), uuid.NewString()
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO agencies (id, name, country, kind, status, issuer, issuer_org, created_at, updated_at)
			VALUES (?, 'Riverside Police Department', 'US', 'police', 'active', ?, '', ?, ?)`,
			[]any{agencyID, "https://idp.example/" + agencyID, now, now}},
		{`INSERT INTO people (id, issuer, subject, kind, agency_id, roles, created_at, updated_at)
			VALUES (?, 'https://idp.example', ?, 'person', ?, 'officer', ?, ?)`, []any{personID, personID, agencyID, now, now}},
		{`INSERT INTO requests (id, reference, agency_id, created_by, status, process, categories, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'preserved', 'us.preservation', 'subscriber connection_log', ?, ?)`,
			[]any{id, "WD-TEST-" + id[:8], agencyID, personID, now, now}},
	}
	for _, s := range steps {
		if err := d.Exec(s.sql, s.args...).Error; err != nil {
			t.Fatalf("store request: %v", err)
		}
	}
	return id
}

func count(t testing.TB, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
