package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
)

// TestSeedMetadata runs `warrantdesk seed --accounts N --days D` and checks
// what it wrote; bad values are refused before anything is written.
func TestSeedMetadata(t *testing.T) {
	dir := t.TempDir()
	getenv := func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	args := []string{"seed", "--data-dir", dir, "--accounts", "12", "-days=30", "--first", "120", "--events-per-day", "5"}
	if code := run(context.Background(), args, getenv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "seeded 12 accounts") {
		t.Errorf("stdout %q", stdout.String())
	}
	d, err := db.Open(context.Background(), filepath.Join(dir, "warrantdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var accounts, target, events int64
	d.Raw(`SELECT COUNT(*) FROM md_accounts`).Scan(&accounts)
	d.Raw(`SELECT COUNT(*) FROM md_accounts WHERE phone = '+15550100123'`).Scan(&target)
	d.Raw(`SELECT COUNT(*) FROM md_connection_events`).Scan(&events)
	if accounts != 12 || target != 1 || events < 12*30*3 {
		t.Errorf("%d accounts (target %d), %d events", accounts, target, events)
	}

	for _, tc := range []struct {
		desc string
		args []string
		want string
	}{
		{"no number", []string{"--accounts"}, "needs an argument"},
		{"not a number", []string{"--accounts", "many"}, "-accounts"},
		{"too many", []string{"--accounts", "100001"}, "use 1 to 100000"},
		{"zero days", []string{"--accounts", "1", "--days", "0"}, "-days"},
		{"past the fictional range", []string{"--accounts", "10", "--first", "99995"}, "fictional range"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"seed", "--data-dir", t.TempDir()}, tc.args...), getenv, &stdout, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want an error naming %q", code, stderr.String(), tc.want)
			}
		})
	}
}
