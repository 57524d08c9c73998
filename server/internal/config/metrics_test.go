package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetricsToken: the metrics token is a secret (read from its _FILE
// twin, masked) and must not be guessable by length.
func TestMetricsToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "metrics-token")
	const token = "f3b1c0de9a8e7d6c5b4a39281706f5e4"
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load([]string{"--demo"}, env(map[string]string{"WARRANTDESK_METRICS_TOKEN_FILE": file}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsToken != token {
		t.Errorf("MetricsToken = %q, want the file's token", c.MetricsToken)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if s := c.String(); strings.Contains(s, token) || !strings.Contains(s, `metrics_token="(set)"`) {
		t.Errorf("the token is not masked when printed: %s", s)
	}

	c, err = load([]string{"--demo"}, env(map[string]string{"WARRANTDESK_METRICS_TOKEN": "short"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "WARRANTDESK_METRICS_TOKEN is shorter than 16") {
		t.Errorf("a short token: Validate = %v, want a refusal", err)
	}
}
