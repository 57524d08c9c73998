package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// TestMigrateAsOwnerServeAsAppRole runs the compose set-up's database roles
// with the same programs: `warrantdesk migrate` as the schema's owner (not a
// superuser), then `warrantdesk serve` with WARRANTDESK_MIGRATE=false as a
// login role that is only a member of warrantdesk_app, which files a
// request over the API, signs a checkpoint in a background job and answers
// `warrantdesk healthcheck`; register-agencies' script runs as that role too. PostgreSQL only: SQLite has no roles.
func TestMigrateAsOwnerServeAsAppRole(t *testing.T) {
	ownerURL := dbtest.OwnerPostgresURL(t)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, envOf(map[string]string{"WARRANTDESK_DATABASE_URL": ownerURL}), &stdout, &stderr); code != 0 {
		t.Fatalf("migrate as the owner: exit %d\n%s", code, stderr.String())
	}
	appURL := dbtest.AppPostgresURL(t, ownerURL)

	// register-agencies, which compose runs as the replicas' role.
	agencies, err := os.ReadFile("../../../deploy/keycloak/agencies.sql")
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(context.Background(), appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.SQL.Exec(string(agencies)); err != nil {
		t.Fatalf("deploy/keycloak/agencies.sql as the app role: %v", err)
	}
	var n int64
	if err := d.Raw("SELECT count(*) FROM agencies WHERE issuer LIKE 'http://keycloak.localhost:8180/%'").Scan(&n).Error; err != nil || n != 3 {
		t.Errorf("agencies registered by agencies.sql: %d, %v; want 3", n, err)
	}

	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+appURL, "WARRANTDESK_MIGRATE=false")
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	fileRequest(t, riverside)
	code, vkey := httpGet(t, base+"/api/v1/log/key")
	if code != http.StatusOK {
		t.Fatalf("log key: %d", code)
	}
	waitCheckpoint(t, base, vkey, 1)

	u, _ := url.Parse(base)
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"healthcheck", "--addr", u.Host}, envOf(nil), &stdout, &stderr); code != 0 {
		t.Errorf("healthcheck of serve as the app role: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestProductionServeRefusesPowerfulRoles: in production, serve starts as a
// member of warrantdesk_app, and refuses the schema's owner, a superuser,
// and migrating itself, each with what to do.
func TestProductionServeRefusesPowerfulRoles(t *testing.T) {
	ownerURL := dbtest.OwnerPostgresURL(t)
	if code := run(context.Background(), []string{"migrate"}, envOf(map[string]string{"WARRANTDESK_DATABASE_URL": ownerURL}), io.Discard, io.Discard); code != 0 {
		t.Fatalf("migrate as the owner: exit %d", code)
	}
	appURL := dbtest.AppPostgresURL(t, ownerURL)
	admin, err := url.Parse(os.Getenv(dbtest.EnvPostgresDSN))
	if err != nil {
		t.Fatal(err)
	}
	superURL := dbtest.WithUser(t, ownerURL, admin.User.Username()) // the test server's superuser

	var logKey bytes.Buffer
	if code := run(context.Background(), []string{"log-key"}, envOf(nil), &logKey, io.Discard); code != 0 {
		t.Fatal("log-key failed")
	}
	seed := make([]byte, 32)
	rand.Read(seed)
	production := func(dbURL, migrate string) map[string]string {
		return map[string]string{
			"WARRANTDESK_ENV":                      "production",
			"WARRANTDESK_BASE_URL":                 "https://wd.example",
			"WARRANTDESK_DATABASE_URL":             dbURL,
			"WARRANTDESK_DATABASE_TRUSTED_NETWORK": "true",
			"WARRANTDESK_MIGRATE":                  migrate,
			"WARRANTDESK_LOG_KEY":                  strings.TrimSpace(logKey.String()),
			"WARRANTDESK_PRODUCTION_KEY":           "warrantdesk-production-key-v1:" + base64.RawURLEncoding.EncodeToString(seed),
			// Discovered on first use, so it need not answer for serve to start.
			"WARRANTDESK_ISSUERS": `[{"issuer": "https://idp.example", "client_id": "warrantdesk-portal", "client_secret": "` + randomHex(16) + `"}]`,
		}
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		refusal []string // empty: serve must start
	}{
		{"AppRole", production(appURL, "false"), nil},
		{"Owner", production(ownerURL, "false"), []string{"owns schema public", "member of warrantdesk_app", `"Database roles"`}},
		{"Superuser", production(superURL, "false"), []string{"is a superuser", "WARRANTDESK_MIGRATE=false"}},
		{"Migrating", production(ownerURL, "true"), []string{"set WARRANTDESK_MIGRATE=false", "`warrantdesk migrate`"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := startServe(t, tc.env)
			if len(tc.refusal) == 0 {
				if err != nil {
					t.Fatalf("serve did not start: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("serve started")
			}
			for _, want := range tc.refusal {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not say %q: %v", want, err)
				}
			}
		})
	}
}

// startServe runs `warrantdesk serve` with env until it is ready (nil, and
// stops it) or exits (its error).
func startServe(t *testing.T, env map[string]string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn"}, envOf(env), io.Discard, io.Discard, ready)
	}()
	select {
	case <-ready:
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve stopped with: %v", err)
		}
		return nil
	case err := <-done:
		return err
	}
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
