package wording_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/wording"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// dynamicAuditActions are the audit actions the code computes rather than
// names, keyed by file and expression: what each expression can be. A new
// computed action fails TestEveryAuditActionHasWords until it is listed
// here (and given words).
func dynamicAuditActions() map[string][]string {
	var transitions []string
	for _, r := range workflow.Rules() {
		transitions = append(transitions, workflow.AuditAction(r.Action))
	}
	return map[string][]string{
		// admin.authorize's callers, and SetAgencyStatus/SetPersonStatus.
		"internal/admin/admin.go: action": {"agency.list", "agency.create", "person.list",
			"agency.suspend", "agency.activate", "agency.approve", "person.suspend", "person.activate",
			"agency.view", "agency.verify", "agency.document.upload", "agency.document.download", "agency.domain.add",
			"agency.callback.add", "agency.callback.remove"},
		// admin's onboarding: withAgency's callers and SetAgencyStatus.
		"internal/admin/onboarding.go: action": {"agency.view", "agency.verify", "agency.document.upload", "agency.document.download",
			"agency.domain.add", "agency.callback.add", "agency.callback.remove", "agency.suspend", "agency.activate", "agency.approve"},
		"internal/request/service.go: action": {"request.create", "request.edit", "request.view", "request.list",
			"request.receipt", "request.document.upload", "request.document.download"},
		"internal/disclosure/recipient.go: action": {"agency.recipient.get", "agency.recipient.set", "agency.recipient.delete"},
		"internal/disclosure/notices.go: action":   {"notice.queue", "notice.withhold"},
		// The jobs' events (Engine.event's callers in workflow/jobs.go).
		`internal/workflow/jobs.go: "workflow." + action`:             {"workflow.escalate", "workflow.follow_up_overdue"},
		"internal/workflow/transition.go: AuditAction(s.rule.Action)": transitions,
		// Chaining a queued event copies its action: nothing new.
		"internal/audit/chain.go: p.Action":  nil,
		"internal/audit/chain.go: ev.Action": nil,
	}
}

// TestEveryAuditActionHasWords reads the server's source for every audit
// event it writes (an Action: field of an audit.Event) and checks that the
// audit trail page says each action in words.
func TestEveryAuditActionHasWords(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	type use struct{ file, expr string }
	var uses []use
	consts := map[string]string{} // "package.Name" → value, for Action* constants
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		pkg := f.Name.Name
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) && strings.HasPrefix(name.Name, "Action") {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							consts[pkg+"."+name.Name] = v
						}
					}
				}
			case *ast.CompositeLit:
				if !isAuditEvent(n.Type, pkg) {
					return true
				}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if key, isIdent := kv.Key.(*ast.Ident); ok && isIdent && key.Name == "Action" {
						uses = append(uses, use{rel + "|" + pkg, exprText(kv.Value)})
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dynamic := dynamicAuditActions()
	seen := map[string]bool{}
	for _, u := range uses {
		file, pkg, _ := strings.Cut(u.file, "|")
		var values []string
		lit, litErr := strconv.Unquote(u.expr)
		switch {
		case litErr == nil:
			values = []string{lit}
		case consts[pkg+"."+u.expr] != "":
			values = []string{consts[pkg+"."+u.expr]}
		case consts[u.expr] != "":
			values = []string{consts[u.expr]}
		default:
			var ok bool
			if values, ok = dynamic[filepath.ToSlash(file)+": "+u.expr]; !ok {
				t.Errorf("%s writes audit action %s, which this test cannot read: list what it can be in dynamicAuditActions", file, u.expr)
			}
		}
		for _, v := range values {
			seen[v] = true
		}
	}
	if len(seen) < 40 {
		t.Fatalf("found only %d audit actions in the source (%v): is the scan broken?", len(seen), seen)
	}
	for a := range seen {
		wantWords(t, "audit action", wording.AuditAction(a), a)
	}
}

// isAuditEvent says whether a composite literal's type is audit.Event (or
// Event inside package audit).
func isAuditEvent(typ ast.Expr, pkg string) bool {
	switch typ := typ.(type) {
	case *ast.SelectorExpr:
		x, ok := typ.X.(*ast.Ident)
		return ok && x.Name == "audit" && typ.Sel.Name == "Event"
	case *ast.Ident:
		return pkg == "audit" && typ.Name == "Event"
	}
	return false
}

// exprText prints the expressions an Action: field holds: literals,
// names, selectors, calls and concatenations.
func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Value
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		args := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			args = append(args, exprText(a))
		}
		return exprText(e.Fun) + "(" + strings.Join(args, ", ") + ")"
	case *ast.BinaryExpr:
		return exprText(e.X) + " " + e.Op.String() + " " + exprText(e.Y)
	}
	return "?"
}

// TestAuditDetailsInWords: details read as named facts in the order of
// their keys, states and times in words.
func TestAuditDetailsInWords(t *testing.T) {
	got := wording.AuditDetails(`{"from":"in_review","to":"approved","version":3,"enforcing_authority":{"answer":"none"},"complete":true,"cutoff":"2026-09-08T05:41:45.854562Z","fields":["docket","targets"]}`, wording.Provider)
	want := []wording.Detail{
		{"Complete", "yes"},
		{"Older than", "2026-09-08 05:41 UTC"},
		{"Enforcing authority: Answer", "none"},
		{"Fields changed", "docket, targets"},
		{"From", "In review"},
		{"To", "Approved: production queued"},
		{"Version", "3"},
	}
	if len(got) != len(want) {
		t.Fatalf("AuditDetails = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("detail %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := wording.AuditDetails("not json", wording.Provider); len(got) != 1 || got[0].Value != "not json" {
		t.Errorf("AuditDetails(not json) = %+v, want it shown as stored", got)
	}
	if got := wording.AuditOutcome("denied"); got.Text != "Refused by the policy" || got.Meaning != wording.Refused {
		t.Errorf("AuditOutcome(denied) = %+v, want Refused", got)
	}
}
