package logclient_test

import (
	"errors"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/warrantdesk/warrantdesk"

// allowedImport reports whether the verifier may depend on path: the
// standard library (no dot in the first element), golang.org/x/mod, and
// its own two packages.
func allowedImport(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	switch {
	case !strings.Contains(first, "."):
		return true
	case path == "golang.org/x/mod" || strings.HasPrefix(path, "golang.org/x/mod/"):
		return true
	}
	return path == module+"/server/internal/logclient" || path == module+"/server/cmd/wd-logcheck"
}

// TestImportsOnlyStdlibAndXMod keeps the verifier small and independent of
// the portal's code: anyone can read all it trusts and build it with the Go
// toolchain and x/mod alone. It reads the package's own imports from its
// source, then asks the go tool for everything logclient and wd-logcheck
// depend on, transitively.
func TestImportsOnlyStdlibAndXMod(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowedImport(path) {
				t.Errorf("%s imports %s: logclient may use only the standard library and golang.org/x/mod", name, path)
			}
		}
	}

	t.Run("transitive", func(t *testing.T) {
		goTool, err := exec.LookPath("go")
		if err != nil {
			t.Skip("no go tool on PATH to list dependencies with")
		}
		out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".", "../../cmd/wd-logcheck").Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				t.Fatalf("go list -deps: %v\n%s", err, exit.Stderr)
			}
			t.Fatalf("go list -deps: %v", err)
		}
		deps := strings.Fields(string(out))
		for _, want := range []string{module + "/server/internal/logclient", module + "/server/cmd/wd-logcheck"} {
			if !slices.Contains(deps, want) {
				t.Errorf("go list -deps did not list %s:\n%s", want, out)
			}
		}
		for _, p := range deps {
			if !allowedImport(p) {
				t.Errorf("logclient or wd-logcheck depends on %s: only the standard library and golang.org/x/mod are allowed", p)
			}
		}
	})
}
