package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// appendOnly are the tables whose triggers refuse UPDATE and DELETE; serve's
// role lacks the grants as well.
var appendOnly = []string{"audit_events", "audit_anchors", "tlog_leaves", "tlog_hashes", "tlog_checkpoints",
	"transparency_reports", "national_security_events"}

type roleTestArgs struct{}

func (roleTestArgs) Kind() string { return "role_test" }

// TestAppRole connects as serve does in production (a login role that is a
// member of warrantdesk_app only) to a database `migrate` prepared as its
// non-superuser owner: rows can be written and read, River jobs enqueued,
// but the schema cannot change, and the audit trail cannot be rewritten even
// after the owner drops its triggers.
func TestAppRole(t *testing.T) {
	ctx := context.Background()
	ownerURL := dbtest.OwnerPostgresURL(t)
	owner := open(t, ownerURL)
	if _, err := owner.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate as the owner: %v", err)
	}
	if err := owner.CheckLeastPrivilege(ctx); err == nil || !strings.Contains(err.Error(), "owns schema public") {
		t.Errorf("CheckLeastPrivilege as the owner = %v, want it refused as owner of the schema", err)
	}
	app := open(t, dbtest.AppPostgresURL(t, ownerURL))
	if err := app.CheckLeastPrivilege(ctx); err != nil {
		t.Errorf("CheckLeastPrivilege as a member of %s: %v", db.AppRole, err)
	}
	if err := app.CheckCurrent(ctx); err != nil {
		t.Errorf("CheckCurrent as the app role (what serve without migrations does): %v", err)
	}

	// Rows: an audit event through the real chain, read back.
	if err := audit.Write(ctx, app.DB, audit.Event{Action: "role.test", Outcome: "success"}); err != nil {
		t.Fatalf("append an audit event as the app role: %v", err)
	}
	if _, err := audit.Flush(ctx, app.DB); err != nil {
		t.Fatalf("flush the audit queue as the app role: %v", err)
	}
	var n int64
	if err := app.Raw("SELECT count(*) FROM audit_events WHERE action = 'role.test'").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("read the event back as the app role: %d rows, %v", n, err)
	}
	// River's tables, which River's migrator made after ours.
	rc, err := river.NewClient(app.RiverDriver(), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Insert(ctx, roleTestArgs{}, nil); err != nil {
		t.Errorf("enqueue a River job as the app role: %v", err)
	}

	refused := func(what, sql string) {
		t.Helper()
		err := app.Exec(sql).Error
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s as the app role: err = %v, want insufficient_privilege (42501)", what, err)
		}
	}
	refused("CREATE TABLE", "CREATE TABLE intruder (id INT)")
	refused("ALTER TABLE", "ALTER TABLE requests ADD COLUMN intruder TEXT")
	refused("DROP TRIGGER", "DROP TRIGGER audit_events_no_update ON audit_events")

	// Without the triggers, only the grants stand between serve's role and
	// the history.
	if err := owner.Exec("DROP TRIGGER audit_events_no_update ON audit_events").Error; err != nil {
		t.Fatalf("drop the trigger as the owner: %v", err)
	}
	for _, table := range appendOnly {
		refused("UPDATE "+table, "UPDATE "+table+" SET "+firstColumn(t, owner, table)+" = "+firstColumn(t, owner, table))
		refused("DELETE FROM "+table, "DELETE FROM "+table)
		refused("TRUNCATE "+table, "TRUNCATE "+table)
	}
	if err := app.Raw("SELECT count(*) FROM audit_events WHERE action = 'role.test'").Scan(&n).Error; err != nil || n != 1 {
		t.Errorf("the event after the attempts: %d rows, %v", n, err)
	}
}

// TestLeastPrivilegeRefusesSuperuser: the test server's superuser, as the
// compose set-up used to connect, is refused.
func TestLeastPrivilegeRefusesSuperuser(t *testing.T) {
	d := dbtest.OpenPostgres(t)
	if err := d.CheckLeastPrivilege(context.Background()); err == nil || !strings.Contains(err.Error(), "is a superuser") {
		t.Errorf("CheckLeastPrivilege as a superuser = %v, want refused", err)
	}
}

func open(t *testing.T, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func firstColumn(t *testing.T, d *db.DB, table string) string {
	t.Helper()
	var col string
	err := d.Raw("SELECT column_name FROM information_schema.columns WHERE table_name = ? AND is_identity = 'NO' ORDER BY ordinal_position LIMIT 1", table).Scan(&col).Error
	if err != nil || col == "" {
		t.Fatalf("columns of %s: %q, %v", table, col, err)
	}
	return col
}
