package policy_test

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/warrantdesk/warrantdesk/policies"
)

// TestRego runs every *_test.rego of the embedded bundle through OPA's
// tester, as `opa test --coverage` would, and reports policy line coverage
// (test files excluded).
func TestRego(t *testing.T) {
	ctx := context.Background()
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" {
			return err
		}
		src, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return err
		}
		modules[p] = m
		return nil
	})
	if err != nil {
		t.Fatalf("read bundle: %v", err)
	}

	cov := cover.New()
	compiler := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true).WithDefaultRegoVersion(ast.RegoV1)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetModules(modules).
		SetCoverageQueryTracer(cov).
		// The supplementary passes (no indexing, no early exit) only tag
		// uncovered lines and triple the run time.
		SetCoverageRuns(nil).
		SetTimeout(time.Minute).
		RunTests(ctx, nil)
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}

	var passed, cases int
	var slowest []*tester.Result
	for r := range ch {
		slowest = append(slowest, r)
		switch {
		case r.Error != nil:
			t.Errorf("%s.%s (%s): error: %v", r.Package, r.Name, r.Location, r.Error)
		case r.Fail:
			var failed []string
			for name, sr := range r.SubResults.Iter {
				if sr.Fail {
					failed = append(failed, strings.Join(name, " / "))
				}
			}
			sort.Strings(failed)
			t.Errorf("%s.%s (%s): FAIL %s%s", r.Package, r.Name, r.Location, strings.Join(failed, "; "), r.Output)
		case r.Skip:
			t.Errorf("%s.%s is skipped; remove the todo_ prefix or the test", r.Package, r.Name)
		default:
			passed++
			cases += max(1, len(r.SubResults))
		}
	}
	if passed == 0 {
		t.Fatal("no Rego tests found")
	}
	sort.Slice(slowest, func(i, j int) bool { return slowest[i].Duration > slowest[j].Duration })
	for _, r := range slowest[:min(5, len(slowest))] {
		t.Logf("slow: %s.%s %v", r.Package, r.Name, r.Duration.Round(time.Millisecond))
	}

	policyModules := map[string]*ast.Module{}
	for p, m := range modules {
		if !strings.HasSuffix(p, "_test.rego") {
			policyModules[p] = m
		}
	}
	report := cov.Report(policyModules)
	files := make([]string, 0, len(report.Files))
	for f := range report.Files {
		if _, ok := policyModules[f]; ok {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		fr := report.Files[f]
		t.Logf("coverage %-36s %6.2f%% (%d/%d lines)", f, fr.Coverage, fr.CoveredLines, fr.CoveredLines+fr.NotCoveredLines)
		seen := map[[2]int]bool{}
		for _, r := range fr.NotCovered {
			if k := [2]int{r.Start.Row, r.End.Row}; !seen[k] {
				seen[k] = true
				t.Logf("  not covered: %s:%d-%d", f, r.Start.Row, r.End.Row)
			}
		}
	}
	t.Logf("rego: %d tests passed (%d cases); policy line coverage %.2f%% (%d/%d lines)",
		passed, cases, report.Coverage, report.CoveredLines, report.CoveredLines+report.NotCoveredLines)
}
