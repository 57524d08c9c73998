package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestServeRefusesComposeSecretsInProduction runs `warrantdesk serve` as
// docker-compose.yml runs the replicas (its database URL, its secret files
// from deploy/, its http Keycloak issuer), but with WARRANTDESK_ENV=production
// and an https base URL: the binary must refuse to start, naming every demo
// secret and what to do about it, before it touches the database.
func TestServeRefusesComposeSecretsInProduction(t *testing.T) {
	const deploy = "../../../deploy/"
	settings := map[string]string{
		"WARRANTDESK_ENV":                  "production",
		"WARRANTDESK_BASE_URL":             "https://wd.example",
		"WARRANTDESK_DATABASE_URL":         "postgres://warrantdesk_serve:warrantdesk-serve@postgres:5432/warrantdesk?sslmode=disable",
		"WARRANTDESK_LOG_KEY_FILE":         deploy + "log-key.txt",
		"WARRANTDESK_PRODUCTION_KEY_FILE":  deploy + "production-key.txt",
		"WARRANTDESK_METRICS_TOKEN_FILE":   deploy + "metrics-token.txt",
		"WARRANTDESK_S3_ENDPOINT":          "http://object-store:8333",
		"WARRANTDESK_S3_BUCKET":            "warrantdesk",
		"WARRANTDESK_S3_ACCESS_KEY_ID":     "warrantdesk-demo",
		"WARRANTDESK_S3_SECRET_ACCESS_KEY": "warrantdesk-demo-object-store-secret",
		"WARRANTDESK_ISSUERS": `[{"issuer": "http://keycloak.localhost:8180/realms/warrantdesk", "client_id": "warrantdesk-portal",
			"client_secret_file": "` + deploy + `keycloak/portal-client-secret.txt", "api_audience": "warrantdesk-api"}]`,
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()},
		func(k string) string { return settings[k] }, &stdout, &stderr)
	if code == 0 {
		t.Fatal("serve started in production with the compose set-up's demo secrets")
	}
	for _, want := range []string{
		"WARRANTDESK_LOG_KEY is the demo key", "`warrantdesk log-key`",
		"WARRANTDESK_PRODUCTION_KEY is the demo key",
		"WARRANTDESK_METRICS_TOKEN is the demo metrics token",
		"WARRANTDESK_S3_SECRET_ACCESS_KEY is the demo object store secret key",
		"client_secret is the demo portal client secret",
		"the password of WARRANTDESK_DATABASE_URL is the demo PostgreSQL password",
		"WARRANTDESK_DATABASE_URL has sslmode=disable", "WARRANTDESK_DATABASE_TRUSTED_NETWORK=true",
		"issuer must be https in production",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
}
