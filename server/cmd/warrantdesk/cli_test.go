package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

func TestServeDemoRefusedInProduction(t *testing.T) {
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"WARRANTDESK_ENV": "production", "WARRANTDESK_BASE_URL": "https://wd.example"}[k]
	}
	code := run(context.Background(), []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, getenv, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "refused when WARRANTDESK_ENV=production") {
		t.Errorf("exit %d, stderr %q: want a refusal", code, stderr.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "unknown command") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestMigrateThenSeed(t *testing.T) {
	dir := t.TempDir()
	getenv := func(string) string { return "" }
	for _, args := range [][]string{{"migrate", "--data-dir", dir}, {"seed", "--data-dir", dir}, {"seed", "--data-dir", dir}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, getenv, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr.String())
		}
		if args[0] == "seed" && !strings.Contains(stdout.String(), "[3/3]") {
			t.Errorf("seed shows no progress: %q", stdout.String())
		}
	}
}

// TestBrokenPolicyDirStopsStart gives serve a policy directory with a Rego
// syntax error: the start must stop and name the file and line.
func TestBrokenPolicyDirStopsStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "authz"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authz", "authz.rego"), []byte("package authz\n\ndecision := {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--policy-dir", dir, "--demo"},
		func(string) string { return "" }, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "authz.rego:") {
		t.Errorf("exit %d, stderr %q: want a refusal naming authz.rego and its line", code, stderr.String())
	}
}

// TestHelpListsCommandsAndSettings: `warrantdesk help` names every
// subcommand and every setting of the config table, secrets with their
// _FILE twin.
func TestHelpListsCommandsAndSettings(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"help"}, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := []string{"serve", "migrate", "seed", "verify-log", "report", "log-key", "healthcheck", "version"}
	for _, s := range config.Settings() {
		want = append(want, s.Env)
		if s.Secret {
			want = append(want, s.Env+" (or _FILE)")
		}
	}
	for _, w := range want {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("help does not list %q", w)
		}
	}
}

// TestBadSettingStopsStart: a setting of an optional part that cannot work
// stops the start with the variable's name, before anything is written.
func TestBadSettingStopsStart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"WARRANTDESK_SMTP_HOST": "mail.example", "WARRANTDESK_NOTICE_WEBHOOK": "mailto:x"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir", dir},
		func(k string) string { return env[k] }, &stdout, &stderr)
	for _, w := range []string{"WARRANTDESK_SMTP_FROM", "WARRANTDESK_NOTICE_WEBHOOK"} {
		if code == 0 || !strings.Contains(stderr.String(), w) {
			t.Errorf("exit %d, stderr %q: want a refusal naming %s", code, stderr.String(), w)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a refused start wrote %d files to the data directory", len(entries))
	}
}
