package config_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

const repo = "../../../"

// The files of deploy/ that docker-compose.yml hands the replicas as
// secrets, by the setting each fills.
const (
	demoLogKeyFile        = repo + "deploy/log-key.txt"
	demoProductionKeyFile = repo + "deploy/production-key.txt"
	demoMetricsTokenFile  = repo + "deploy/metrics-token.txt"
	demoPortalSecretFile  = repo + "deploy/keycloak/portal-client-secret.txt"
)

// freshSettings is a production configuration with secrets of its own:
// every test below changes one thing of it.
func freshSettings(t *testing.T) map[string]string {
	t.Helper()
	logKey, _, err := translog.GenerateKey("wd.example")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"WARRANTDESK_ENV":            config.EnvProduction,
		"WARRANTDESK_BASE_URL":       "https://wd.example",
		"WARRANTDESK_ISSUERS":        issuers(t, "https://idp.example", "0d9b4c1e7a2f", "5e8a1f0c3b7d"),
		"WARRANTDESK_DATABASE_URL":   "postgres://wd:7f3a9c2e1b@db.example/wd?sslmode=verify-full",
		"WARRANTDESK_LOG_KEY":        logKey,
		"WARRANTDESK_PRODUCTION_KEY": disclosure.GenerateKey(),
		"WARRANTDESK_METRICS_TOKEN":  "c4f0e2b9a7d65e3f1a8b",
		"WARRANTDESK_SMTP_PASSWORD":  "b2e9d4a7c1f0",
	}
}

// issuers is WARRANTDESK_ISSUERS with one issuer at url, whose sign-in
// client and introspection client have the given secrets.
func issuers(t *testing.T, url, clientSecret, introspectionSecret string) string {
	t.Helper()
	b, err := json.Marshal([]config.Issuer{{URL: url, ClientID: "wd", ClientSecret: clientSecret, APIAudience: "wd-api",
		Introspection: &config.Introspection{ClientID: "wd-rs", ClientSecret: introspectionSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// validate loads settings in env (development or production) and
// validates them.
func validate(t *testing.T, settings map[string]string, envName string) error {
	t.Helper()
	m := maps.Clone(settings)
	m["WARRANTDESK_ENV"] = envName
	c, err := load(nil, env(m))
	if err != nil {
		t.Fatal(err)
	}
	return c.Validate()
}

func TestProductionAcceptsSecretsOfItsOwn(t *testing.T) {
	if err := validate(t, freshSettings(t), config.EnvProduction); err != nil {
		t.Fatal(err)
	}
}

// TestProductionRefusesDemoSecrets: each secret committed in this
// repository (the compose set-up's files, the Keycloak realm, the demo's
// clients and password), and each http URL, is refused in production with
// a message that says what to do instead, and accepted in development. The
// secrets are read from where they are committed, so that production's
// list of them cannot fall behind.
func TestProductionRefusesDemoSecrets(t *testing.T) {
	type refusal struct {
		desc     string
		settings map[string]string // on top of freshSettings; "" removes
		want     []string          // in the production error: what, and what to do
	}
	tests := []refusal{
		{"demo log key", map[string]string{"WARRANTDESK_LOG_KEY": "", "WARRANTDESK_LOG_KEY_FILE": demoLogKeyFile},
			[]string{"WARRANTDESK_LOG_KEY is the demo key", "`warrantdesk log-key`"}},
		{"demo log key under another name", map[string]string{"WARRANTDESK_LOG_KEY": renamedLogKey(t, read(t, demoLogKeyFile))},
			[]string{"WARRANTDESK_LOG_KEY is the demo key", "`warrantdesk log-key`"}},
		{"demo production key", map[string]string{"WARRANTDESK_PRODUCTION_KEY": "", "WARRANTDESK_PRODUCTION_KEY_FILE": demoProductionKeyFile},
			[]string{"WARRANTDESK_PRODUCTION_KEY is the demo key", "openssl rand 32"}},
		{"demo metrics token", map[string]string{"WARRANTDESK_METRICS_TOKEN": "", "WARRANTDESK_METRICS_TOKEN_FILE": demoMetricsTokenFile},
			[]string{"WARRANTDESK_METRICS_TOKEN is the demo metrics token", "openssl rand -hex 32"}},
		{"demo portal client secret", map[string]string{"WARRANTDESK_ISSUERS": fmt.Sprintf(
			`[{"issuer":"https://idp.example","client_id":"wd","client_secret_file":%q}]`, demoPortalSecretFile)},
			[]string{"client_secret is the demo portal client secret", "openssl rand -hex 32"}},
		{"http base URL", map[string]string{"WARRANTDESK_BASE_URL": "http://wd.example"},
			[]string{"--base-url must be https in production", "set WARRANTDESK_BASE_URL to the https URL"}},
		{"derived base URL", map[string]string{"WARRANTDESK_BASE_URL": ""},
			[]string{"--base-url must be https in production"}},
		{"http issuer", map[string]string{"WARRANTDESK_ISSUERS": issuers(t, "http://idp.example", "0d9b4c1e7a2f", "5e8a1f0c3b7d")},
			[]string{"issuer must be https in production", "use the provider's https issuer URL"}},
	}
	for _, s := range committedSecrets(t) {
		tests = append(tests,
			refusal{s.where + " as a client secret", map[string]string{"WARRANTDESK_ISSUERS": issuers(t, "https://idp.example", s.value, "5e8a1f0c3b7d")},
				[]string{"client_secret is the demo", "use a random secret of your own"}},
			refusal{s.where + " as an introspection secret", map[string]string{"WARRANTDESK_ISSUERS": issuers(t, "https://idp.example", "0d9b4c1e7a2f", s.value)},
				[]string{"introspection client_secret is the demo", "use a random secret of your own"}},
			refusal{s.where + " as the database password", map[string]string{"WARRANTDESK_DATABASE_URL": "postgres://wd:" + s.value + "@db.example/wd?sslmode=verify-full"},
				[]string{"the password of WARRANTDESK_DATABASE_URL is the demo", "use a random secret of your own"}},
			refusal{s.where + " as the mail password", map[string]string{"WARRANTDESK_SMTP_PASSWORD": s.value},
				[]string{"WARRANTDESK_SMTP_PASSWORD is the demo", "use a random secret of your own"}},
		)
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			settings := freshSettings(t)
			maps.Copy(settings, tc.settings)
			err := validate(t, settings, config.EnvProduction)
			for _, want := range tc.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("production: Validate = %v, want it to say %q", err, want)
				}
			}
			if err := validate(t, settings, config.EnvDevelopment); err != nil {
				t.Errorf("development: Validate = %v, want it accepted", err)
			}
		})
	}
}

// TestProductionDatabaseTLS: production connects to PostgreSQL only with
// TLS the driver cannot skip, unless the operator says the network is
// trusted; development and SQLite are not asked.
func TestProductionDatabaseTLS(t *testing.T) {
	const fix = "add sslmode=verify-full (or require) to the URL, or, if the network to the database is trusted, set WARRANTDESK_DATABASE_TRUSTED_NETWORK=true"
	for _, tc := range []struct {
		url  string
		want []string // in the production error; none: accepted
	}{
		{"postgres://wd:7f3a9c2e1b@db.example/wd", []string{"WARRANTDESK_DATABASE_URL has no sslmode", fix}},
		{"postgres://wd:7f3a9c2e1b@db.example/wd?sslmode=disable", []string{"WARRANTDESK_DATABASE_URL has sslmode=disable", fix}},
		{"postgres://wd:7f3a9c2e1b@db.example/wd?sslmode=allow", []string{"WARRANTDESK_DATABASE_URL has sslmode=allow", fix}},
		{"postgresql://wd:7f3a9c2e1b@db.example/wd?sslmode=prefer", []string{"WARRANTDESK_DATABASE_URL has sslmode=prefer", fix}},
		{"postgres://wd:7f3a9c2e1b@db.example/wd?sslmode=maybe", []string{`WARRANTDESK_DATABASE_URL has sslmode="maybe": use verify-full`}},
		{"postgres://wd:7f3a9c2e1b@db.example/wd?sslmode=require", nil},
		{"postgres://wd:7f3a9c2e1b@db.example/wd?sslmode=verify-ca", nil},
		{"postgres://wd:7f3a9c2e1b@db.example/wd?application_name=wd&sslmode=verify-full", nil},
		{"/var/lib/warrantdesk/warrantdesk.db", nil},
	} {
		t.Run(tc.url, func(t *testing.T) {
			settings := freshSettings(t)
			settings["WARRANTDESK_DATABASE_URL"] = tc.url
			err := validate(t, settings, config.EnvProduction)
			if tc.want == nil && err != nil {
				t.Errorf("production: Validate = %v, want it accepted", err)
			}
			for _, want := range tc.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("production: Validate = %v, want it to say %q", err, want)
				}
			}
			if err != nil && strings.Contains(err.Error(), "7f3a9c2e1b") {
				t.Errorf("the error repeats the database password: %v", err)
			}
			if err := validate(t, settings, config.EnvDevelopment); err != nil {
				t.Errorf("development: Validate = %v, want it accepted", err)
			}
			// On a trusted network the URL's sslmode is the operator's
			// choice (and the driver's to check).
			settings["WARRANTDESK_DATABASE_TRUSTED_NETWORK"] = "true"
			if err := validate(t, settings, config.EnvProduction); err != nil {
				t.Errorf("production on a trusted network: Validate = %v, want it accepted", err)
			}
		})
	}
}

// TestDemoKeysAreKeys: the demo key files are keys the portal reads, so
// the refusals above are of the keys compose really runs with.
func TestDemoKeysAreKeys(t *testing.T) {
	if _, err := translog.VerifierKey(read(t, demoLogKeyFile)); err != nil {
		t.Errorf("%s: %v", demoLogKeyFile, err)
	}
	if _, err := disclosure.ParseKeys(read(t, demoProductionKeyFile)); err != nil {
		t.Errorf("%s: %v", demoProductionKeyFile, err)
	}
}

// TestComposeSecretsCovered: every secret file docker-compose.yml hands a
// service is one of the files production refuses above; a new one fails
// here until production refuses it too.
func TestComposeSecretsCovered(t *testing.T) {
	covered := []string{demoLogKeyFile, demoProductionKeyFile, demoMetricsTokenFile, demoPortalSecretFile}
	files := regexp.MustCompile(`(?m)^\s+file:\s*\./(\S+)`).FindAllStringSubmatch(read(t, repo+"docker-compose.yml"), -1)
	if len(files) == 0 {
		t.Fatal("docker-compose.yml names no secret files: has its format changed?")
	}
	for _, m := range files {
		if !slices.Contains(covered, repo+m[1]) {
			t.Errorf("docker-compose.yml's secret %s is not refused in production: add it to config's publicSecrets and to this test", m[1])
		}
	}
}

// A committedSecret is a secret value committed in the repository.
type committedSecret struct{ where, value string }

// committedSecrets reads the demo secrets from where they are committed:
// the Keycloak realm's client secrets and user passwords, the passwords
// inline in docker-compose.yml, and the demo's clients and password.
func committedSecrets(t *testing.T) []committedSecret {
	t.Helper()
	var realm struct {
		Clients []struct {
			ClientID string `json:"clientId"`
			Secret   string `json:"secret"`
		} `json:"clients"`
		Users []struct {
			Username    string `json:"username"`
			Credentials []struct {
				Value string `json:"value"`
			} `json:"credentials"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(read(t, repo+"deploy/keycloak/warrantdesk-realm.json")), &realm); err != nil {
		t.Fatal(err)
	}
	var out []committedSecret
	for _, c := range realm.Clients {
		if c.Secret != "" {
			out = append(out, committedSecret{"realm client " + c.ClientID, c.Secret})
		}
	}
	for _, u := range realm.Users {
		for _, c := range u.Credentials {
			out = append(out, committedSecret{"realm user " + u.Username, c.Value})
		}
	}
	compose := read(t, repo+"docker-compose.yml")
	for _, m := range regexp.MustCompile(`(?m)^\s+([A-Z_]*PASSWORD):\s*(\S+)`).FindAllStringSubmatch(compose, -1) {
		out = append(out, committedSecret{"compose " + m[1], m[2]})
	}
	for _, m := range regexp.MustCompile(`postgres://[^:/@\s]+:([^@\s]+)@`).FindAllStringSubmatch(compose, -1) {
		out = append(out, committedSecret{"compose database URL", m[1]})
	}
	for _, c := range demo.Clients {
		out = append(out, committedSecret{"demo client " + c.ID, c.Secret})
	}
	out = append(out, committedSecret{"demo password", demo.Password})
	// One case per value: the demo password is every realm user's.
	seen := map[string]bool{}
	out = slices.DeleteFunc(out, func(s committedSecret) bool {
		dup := seen[s.value]
		seen[s.value] = true
		return dup
	})
	if len(out) < 7 {
		t.Fatalf("found %d committed secrets, want the realm's, compose's and the demo's: has a format changed?", len(out))
	}
	return out
}

// renamedLogKey is key with another name (and that name's hash): the same
// secret, which must still be refused.
func renamedLogKey(t *testing.T, key string) string {
	t.Helper()
	parts := strings.SplitN(key, "+", 5)
	if len(parts) != 5 {
		t.Fatalf("the demo log key is not PRIVATE+KEY+name+hash+key")
	}
	return "PRIVATE+KEY+renamed.example+00000000+" + parts[4]
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
