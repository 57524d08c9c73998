package config_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/docstest"
)

var update = flag.Bool("update", false, "rewrite the settings table in README.md from the config package")

const (
	readmePath  = "../../../README.md"
	tableBegin  = "<!-- settings: generated from server/internal/config by `go test ./server/internal/config -run TestReadmeSettings -update` -->"
	tableFinish = "<!-- end of settings -->"
)

// TestReadmeSettings keeps the README's configuration table equal to the
// settings the portal reads: a setting added, renamed or re-defaulted in
// config without the README (or the other way round) fails here.
func TestReadmeSettings(t *testing.T) {
	docstest.Generated(t, readmePath, tableBegin, tableFinish, settingsTable(), *update,
		"go test ./server/internal/config -run TestReadmeSettings -update")
}

func settingsTable() string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	b.WriteString("| variable | flag | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, s := range config.Settings() {
		env, fl, def := "`"+s.Env+"`", "", "`"+s.Default+"`"
		if s.Secret {
			env += " (or `_FILE`)"
		}
		if s.Flag != "" {
			fl = "`--" + s.Flag + "`"
		}
		if s.Default == "none" || strings.Contains(s.Default, " ") {
			// Prose, with any placeholder such as <data-dir> kept as code
			// (Markdown would take it for HTML).
			words := strings.Fields(s.Default)
			for i, w := range words {
				if strings.Contains(w, "<") {
					words[i] = "`" + w + "`"
				}
			}
			def = cell(strings.Join(words, " "))
		}
		b.WriteString("| " + env + " | " + fl + " | " + def + " | " + cell(s.Usage) + " |\n")
	}
	return b.String()
}
