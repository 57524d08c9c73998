package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

var allFlags = []string{"addr", "base-url", "data-dir", "database-url", "demo", "migrate", "policy-dir", "log-level"}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load("serve", nil, env(nil), allFlags...)
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
	c, err := config.Load("serve", []string{"--addr", "127.0.0.1:9999", "--demo"},
		env(map[string]string{"WARRANTDESK_ADDR": "127.0.0.1:7000", "WARRANTDESK_DATA_DIR": "/var/lib/wd"}), allFlags...)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || !c.Demo || c.DataDir != "/var/lib/wd" {
		t.Errorf("got addr %q demo %v data dir %q", c.Addr, c.Demo, c.DataDir)
	}
	if _, err := config.Load("migrate", []string{"--demo"}, env(nil), "data-dir"); err == nil {
		t.Error("a flag the command does not declare was accepted")
	}
}

func TestSecretFileTwins(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "dsn")
	if err := os.WriteFile(file, []byte("postgres://wd:s3cret@db/wd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load("serve", nil, env(map[string]string{"WARRANTDESK_DATABASE_URL_FILE": file}), allFlags...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.DatabaseURL, "postgres://wd:s3cret@db/wd"; got != want {
		t.Errorf("DatabaseURL = %q, want %q", got, want)
	}
	if strings.Contains(c.String(), "s3cret") {
		t.Errorf("String() leaks the password: %s", c.String())
	}
	_, err = config.Load("serve", nil, env(map[string]string{"WARRANTDESK_DATABASE_URL_FILE": file, "WARRANTDESK_DATABASE_URL": "x"}), allFlags...)
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Errorf("both NAME and NAME_FILE: err = %v, want a refusal", err)
	}
}

// TestValidateReportsEverything makes several mistakes at once and expects
// each to be named, so an operator fixes them in one go.
func TestValidateReportsEverything(t *testing.T) {
	c, err := config.Load("serve", []string{"--demo", "--log-level", "loud", "--base-url", "ftp://x"},
		env(map[string]string{"WARRANTDESK_ENV": "production", "WARRANTDESK_ISSUERS": `[{"issuer":"not a url"}]`}), allFlags...)
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
	c, err := config.Load("serve", []string{"--demo", "--base-url", "https://wd.example"},
		env(map[string]string{"WARRANTDESK_ENV": "production"}), allFlags...)
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
		{"bool", "WARRANTDESK_DEMO", "perhaps"},
		{"issuers", "WARRANTDESK_ISSUERS", `{"issuer": 1}`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := config.Load("serve", nil, env(map[string]string{tc.name: tc.value}), allFlags...)
			if err == nil || !strings.Contains(err.Error(), tc.name) && tc.name != "WARRANTDESK_ISSUERS" {
				t.Errorf("%s=%q: err = %v, want an error naming it", tc.name, tc.value, err)
			}
		})
	}
}
