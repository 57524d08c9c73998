package config_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

var serve = config.Command{Name: "serve", Flags: []string{"addr", "base-url", "data-dir", "database-url", "demo", "migrate", "policy-dir", "log-level"}}

func load(args []string, getenv func(string) string) (config.Config, error) {
	return config.Load(serve, args, getenv, io.Discard)
}

func TestLoadDefaults(t *testing.T) {
	c, err := load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ desc, got, want string }{
		{"addr", c.Addr, "127.0.0.1:8080"},
		{"base url", c.BaseURL, "http://127.0.0.1:8080"},
		{"data dir", c.DataDir, "./data"},
		{"database", c.DatabaseURL, filepath.Join("data", "warrantdesk.db")},
		{"env", c.Env, config.EnvDevelopment},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.desc, tc.got, tc.want)
		}
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := load([]string{"--addr", "127.0.0.1:9999", "--demo"},
		env(map[string]string{"WARRANTDESK_ADDR": "127.0.0.1:7000", "WARRANTDESK_DATA_DIR": "/var/lib/wd"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || !c.Demo || c.DataDir != "/var/lib/wd" {
		t.Errorf("got addr %q demo %v data dir %q", c.Addr, c.Demo, c.DataDir)
	}
	if _, err := config.Load(config.Command{Name: "migrate", Flags: []string{"data-dir"}}, []string{"--demo"}, env(nil), io.Discard); err == nil {
		t.Error("a flag the command does not declare was accepted")
	}
}

func TestSecretFileTwins(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "dsn")
	if err := os.WriteFile(file, []byte("postgres://wd:s3cret@db/wd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(nil, env(map[string]string{"WARRANTDESK_DATABASE_URL_FILE": file}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.DatabaseURL, "postgres://wd:s3cret@db/wd"; got != want {
		t.Errorf("DatabaseURL = %q, want %q", got, want)
	}
	if strings.Contains(c.String(), "s3cret") {
		t.Errorf("String() leaks the password: %s", c.String())
	}
	_, err = load(nil, env(map[string]string{"WARRANTDESK_DATABASE_URL_FILE": file, "WARRANTDESK_DATABASE_URL": "x"}))
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Errorf("both NAME and NAME_FILE: err = %v, want a refusal", err)
	}
}

// TestValidateReportsEverything makes several mistakes at once and expects
// each to be named, so an operator fixes them in one go.
func TestValidateReportsEverything(t *testing.T) {
	c, err := load([]string{"--demo", "--log-level", "loud", "--base-url", "ftp://x"},
		env(map[string]string{"WARRANTDESK_ENV": "production", "WARRANTDESK_ISSUERS": `[{"issuer":"not a url"}]`}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a broken configuration")
	}
	for _, want := range []string{"--demo", "--log-level", "--base-url", "issuer must be an absolute"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error does not mention %q:\n%v", want, err)
		}
	}
}

func TestDemoRefusedInProduction(t *testing.T) {
	c, err := load([]string{"--demo", "--base-url", "https://wd.example"},
		env(map[string]string{"WARRANTDESK_ENV": "production"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "refused when WARRANTDESK_ENV=production") {
		t.Errorf("Validate = %v, want the demo refused in production", err)
	}
}

func TestBadValues(t *testing.T) {
	for _, tc := range []struct{ desc, name, value string }{
		{"size", "WARRANTDESK_MAX_UPLOAD", "lots"},
		{"duration", "WARRANTDESK_SESSION_TTL", "forever"},
		{"idle timeout", "WARRANTDESK_SESSION_IDLE_TIMEOUT", "0s"},
		{"bool", "WARRANTDESK_DEMO", "perhaps"},
		{"issuers", "WARRANTDESK_ISSUERS", `{"issuer": 1}`},
		{"workers", "WARRANTDESK_JOB_WORKERS", "-1"},
		{"poll interval", "WARRANTDESK_JOB_POLL_INTERVAL", "0s"},
		{"demo history", "WARRANTDESK_DEMO_HISTORY", "many"},
		{"smtp port", "WARRANTDESK_SMTP_PORT", "smtp"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := load(nil, env(map[string]string{tc.name: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.name) && tc.name != "WARRANTDESK_ISSUERS" {
				t.Errorf("%s=%q: err = %v, want an error naming it", tc.name, tc.value, err)
			}
		})
	}
}

// TestOptionalParts covers the settings of the optional parts: mail, the
// notice webhook, the production key (with its _FILE twin) and the jobs,
// each validated and none printed in the clear.
func TestOptionalParts(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "production.key")
	if err := os.WriteFile(keyFile, []byte("wd-production-key-1:secretsecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load([]string{"--demo"}, env(map[string]string{
		"WARRANTDESK_SMTP_HOST": "mail.example", "WARRANTDESK_SMTP_FROM": "portal@provider.example",
		"WARRANTDESK_SMTP_PASSWORD": "mailpass", "WARRANTDESK_NOTICE_WEBHOOK": "https://hooks.example/t0ken",
		"WARRANTDESK_PRODUCTION_KEY_FILE": keyFile, "WARRANTDESK_JOB_WORKERS": "0", "WARRANTDESK_DEMO_HISTORY": "0",
		"WARRANTDESK_DATABASE_URL": "postgres://wd:dbpass@db.example/wd",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Addr() != "mail.example:587" || c.ProductionKey != "wd-production-key-1:secretsecret" || c.Jobs.Workers != 0 || c.DemoHistory != 0 {
		t.Errorf("got smtp %s, key %q, workers %d, history %d", c.SMTP.Addr(), c.ProductionKey, c.Jobs.Workers, c.DemoHistory)
	}
	for _, secret := range []string{"mailpass", "t0ken", "secretsecret", "dbpass"} {
		if strings.Contains(c.String(), secret) {
			t.Errorf("String() prints the secret %q: %s", secret, c)
		}
	}

	c, err = load([]string{"--demo"}, env(map[string]string{"WARRANTDESK_SMTP_HOST": "mail.example", "WARRANTDESK_NOTICE_WEBHOOK": "ftp://x"}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	for _, want := range []string{"WARRANTDESK_SMTP_FROM", "WARRANTDESK_NOTICE_WEBHOOK"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %s", err, want)
		}
	}

	// Workers follow the database: one SQLite connection, a PostgreSQL pool.
	for _, tc := range []struct {
		dsn  string
		want int
	}{{"", 2}, {"postgres://db.example/wd", 8}} {
		c, err := load(nil, env(map[string]string{"WARRANTDESK_DATABASE_URL": tc.dsn}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Jobs.Workers != tc.want {
			t.Errorf("database %q: %d workers, want %d", tc.dsn, c.Jobs.Workers, tc.want)
		}
	}
}

// TestOwnFlagsShareTheFlagSet gives a command flags of its own beside the
// settings it offers: both parse in one pass, and -h lists both.
func TestOwnFlagsShareTheFlagSet(t *testing.T) {
	var period string
	cmd := config.Command{Name: "report publish", Flags: []string{"data-dir"}, Usage: "usage: warrantdesk report publish",
		Own: func(fs *flag.FlagSet) { fs.StringVar(&period, "period", "", "the half-year") }}
	c, err := config.Load(cmd, []string{"--period", "2026-H2", "--data-dir", "/srv/wd"}, env(nil), io.Discard)
	if err != nil || period != "2026-H2" || c.DataDir != "/srv/wd" {
		t.Fatalf("period %q, data dir %q, err %v", period, c.DataDir, err)
	}
	var help strings.Builder
	if _, err := config.Load(cmd, []string{"-h"}, env(nil), &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"usage: warrantdesk report publish", "-period", "-data-dir", "WARRANTDESK_DATA_DIR"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("-h does not show %q:\n%s", want, help.String())
		}
	}
}

// TestBaseURLDerived: only a base URL nobody set may be replaced by the
// port a server got.
func TestBaseURLDerived(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{{nil, true}, {[]string{"--base-url", "http://wd.example"}, false}} {
		c, err := load(tc.args, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.BaseURLDerived != tc.want {
			t.Errorf("%v: BaseURLDerived = %v, want %v", tc.args, c.BaseURLDerived, tc.want)
		}
	}
}

// TestIssuerAssurance: an issuer's required acr values and amr methods are
// read from WARRANTDESK_ISSUERS, and empty or spaced values are refused.
func TestIssuerAssurance(t *testing.T) {
	c, err := load(nil, env(map[string]string{"WARRANTDESK_ISSUERS": `[{"issuer":"https://idp.example","client_id":"wd","client_secret":"s",
		"acr_values":["urn:example:acr:mfa"],"amr_required":["mfa"]}]`}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.Issuers[0]; len(got.ACRValues) != 1 || got.ACRValues[0] != "urn:example:acr:mfa" || len(got.AMRRequired) != 1 || got.AMRRequired[0] != "mfa" {
		t.Errorf("issuer = %+v, want acr_values and amr_required read", got)
	}

	c, err = load(nil, env(map[string]string{"WARRANTDESK_ISSUERS": `[{"issuer":"https://idp.example","client_id":"wd","client_secret":"s",
		"acr_values":["two words"],"amr_required":[""]}]`}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "must not hold empty strings") || !strings.Contains(err.Error(), "must not contain spaces") {
		t.Errorf("Validate = %v, want the empty and the spaced value refused", err)
	}
}
