package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// operatingSection is the part of deploy/README.md an operator copies
// commands and settings from.
const operatingSection = "## Operating warrantdesk"

// TestOperatingNotesNameWhatExists: every WARRANTDESK_* variable the
// operating notes in deploy/README.md name is a setting (or a secret's
// _FILE twin), every `warrantdesk <command>` they name is a command, and
// every command line in their sh blocks parses: its command and flags
// exist (each is run with -h appended, which stops before any work). A
// setting or flag renamed in the code without the notes fails here.
func TestOperatingNotesNameWhatExists(t *testing.T) {
	b, err := os.ReadFile("../../../deploy/README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, operatingSection)
	if i < 0 {
		t.Fatalf("deploy/README.md has no %q section", operatingSection)
	}
	doc = doc[i+len(operatingSection):]
	if j := strings.Index(doc, "\n## "); j >= 0 {
		doc = doc[:j]
	}

	var settings []string
	for _, s := range config.Settings() {
		settings = append(settings, s.Env)
		if s.Secret {
			settings = append(settings, s.Env+"_FILE")
		}
	}
	for _, v := range regexp.MustCompile(`WARRANTDESK_[A-Z0-9_]*[A-Z0-9]`).FindAllString(doc, -1) {
		if !slices.Contains(settings, v) {
			t.Errorf("the operating notes name %s, which is not a setting", v)
		}
	}

	parses := func(args []string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		getenv := func(string) string { return "" }
		if code := run(context.Background(), append(slices.Clone(args), "-h"), getenv, &stdout, &stderr); code != 0 {
			first, _, _ := strings.Cut(stderr.String(), "\n") // an unknown command prints the usage after it
			t.Errorf("warrantdesk %s: exit %d: %s", strings.Join(args, " "), code, first)
		}
	}
	named := 0
	for _, m := range regexp.MustCompile("`warrantdesk ([a-z][a-z-]*)").FindAllStringSubmatch(doc, -1) {
		parses([]string{m[1]})
		named++
	}
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		for _, line := range strings.Split(block[1], "\n") {
			line, _, _ = strings.Cut(line, "#")
			f := strings.Fields(line)
			if len(f) > 1 && f[0] == "warrantdesk" {
				parses(f[1:])
				named++
			}
		}
	}
	if named < 4 {
		t.Errorf("the operating notes name %d warrantdesk commands: the patterns no longer find them", named)
	}
}
