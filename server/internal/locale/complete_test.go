package locale_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"golang.org/x/net/html"

	"github.com/warrantdesk/warrantdesk/frontend"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// TestCataloguesComplete holds every language's catalogue complete: each
// message a template, a page title, an error or an e-mail can show (found
// in the templates' {{t "…"}} calls and in the Go code's messages) is
// translated into every language, a message that counts is given its
// plural forms in English too, and no catalogue translates a message that
// nothing uses any more.
func TestCataloguesComplete(t *testing.T) {
	cat, err := locale.Load(frontend.Locales)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{} // id → where it is used
	for id, where := range templateMessages(t) {
		used[id] = where
	}
	for id, where := range goMessages(t) {
		used[id] = where
	}
	if len(used) < 50 {
		t.Fatalf("found only %d messages: the scan is broken", len(used))
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, lang := range locale.Languages[1:] {
		have := map[string]bool{}
		for _, id := range cat.IDs(lang) {
			have[id] = true
		}
		for _, id := range ids {
			if !have[id] {
				t.Errorf("%s: no translation of %q (used in %s)", lang, id, used[id])
			}
			if cat.Plural(lang, id) && !cat.Plural(locale.Default, id) {
				t.Errorf("en: %q counts something in %s but English has no plural forms for it", id, lang)
			}
		}
		for id := range have {
			if _, ok := used[id]; !ok {
				t.Errorf("%s: %q is translated but nothing uses it: remove it", lang, id)
			}
		}
	}
	for _, id := range cat.IDs(locale.Default) {
		if _, ok := used[id]; !ok {
			t.Errorf("en: %q has plural forms but nothing uses it: remove it", id)
		}
	}
}

// untranslatedAllowed is text a template may hold as it is: the portal's
// name and symbols.
var untranslatedAllowed = regexp.MustCompile(`^([\s·—–:;,.()/#%+×*→←|-]|warrantdesk)*$`)

// translatedAttrs are the attributes a person reads or hears.
var translatedAttrs = []string{"aria-label", "title", "alt", "placeholder", "aria-roledescription"}

// templateMessages returns the ids of every {{t "…"}} call in the
// templates, and fails the test on text outside one: words between tags,
// or in an attribute a person reads.
func templateMessages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(frontend.Templates, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		src, err := fs.ReadFile(frontend.Templates, p)
		if err != nil {
			return err
		}
		trees, err := parse.Parse(p, string(src), "{{", "}}", map[string]any{})
		if err != nil {
			// Parsing without the real functions: declare every name
			// used as a function so the parse succeeds.
			trees, err = parse.Parse(p, string(src), "{{", "}}", anyFuncs(string(src)))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
		for name, tree := range trees {
			var text strings.Builder
			walk(tree.Root, func(n parse.Node) {
				switch n := n.(type) {
				case *parse.TextNode:
					text.Write(n.Text)
				case *parse.ActionNode, *parse.TemplateNode:
					text.WriteString("\x00")
				case *parse.CommandNode:
					if len(n.Args) >= 2 {
						if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" {
							if s, ok := n.Args[1].(*parse.StringNode); ok {
								out[s.Text] = p
							}
						}
					}
				}
			})
			checkText(t, p+" ("+name+")", text.String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// walk visits every node under n, in document order.
func walk(n parse.Node, visit func(parse.Node)) {
	if n == nil {
		return
	}
	visit(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, visit)
		}
	case *parse.ActionNode:
		walk(n.Pipe, visit)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, visit)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, visit)
		}
	case *parse.IfNode:
		walk(n.Pipe, visit)
		walk(n.List, visit)
		if n.ElseList != nil {
			walk(n.ElseList, visit)
		}
	case *parse.RangeNode:
		walk(n.Pipe, visit)
		walk(n.List, visit)
		if n.ElseList != nil {
			walk(n.ElseList, visit)
		}
	case *parse.WithNode:
		walk(n.Pipe, visit)
		walk(n.List, visit)
		if n.ElseList != nil {
			walk(n.ElseList, visit)
		}
	case *parse.TemplateNode:
		walk(n.Pipe, visit)
	}
}

// checkText fails on words in a template's text outside actions: the
// text is tokenised as HTML, each action standing in as a NUL.
func checkText(t *testing.T, where, src string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.TextToken:
			checkWords(t, where, string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			tag, hasAttr := z.TagName()
			if string(tag) == "style" || string(tag) == "script" {
				z.Next() // their text is code, not words
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if slices.Contains(translatedAttrs, string(k)) {
					checkWords(t, where+" ["+string(k)+"]", string(v))
				}
			}
		}
	}
}

var letters = regexp.MustCompile(`\pL{2,}`)

func checkWords(t *testing.T, where, text string) {
	t.Helper()
	// The tokenizer turns the NULs standing for actions into U+FFFD.
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == 0 || r == '\uFFFD' }) {
		part = strings.TrimSpace(part)
		if part == "" || untranslatedAllowed.MatchString(part) {
			continue
		}
		if letters.MatchString(part) {
			t.Errorf("%s: untranslated text %q: say it with {{t %q}}", where, part, part)
		}
	}
}

var funcName = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// anyFuncs declares every identifier in src as a function, so the
// templates parse without the renderer's function map.
func anyFuncs(src string) map[string]any {
	fns := map[string]any{}
	for _, n := range funcName.FindAllString(src, -1) {
		fns[n] = func() {}
	}
	return fns
}

// messageCalls names the functions whose string argument at the index is
// a message shown to people: errs.E(code, msg, …), errs.Wrap(err, code,
// msg), Fields.Add(field, msg, …), a printer's Sprintf(msg, …), a page's
// title (s.page(c, title)) and the flash after an action.
var messageCalls = map[string]int{
	"errs.E":    1,
	"errs.Wrap": 2,
	".Add":      1,
	".Sprintf":  0,
	".page":     1,
	".T":        0,
	".M":        0, // locale.M, a message kept in a table
	"errs.Msg":  0, // a message said inside another
}

// msgName is the name of a constant that holds a message.
var msgName = regexp.MustCompile(`^msg[A-Z]`)

// importsErrs reports whether a file is or imports package errs, whose
// errors its msg… constants are said in.
func importsErrs(f *ast.File) bool {
	if f.Name.Name == "errs" {
		return true
	}
	for _, im := range f.Imports {
		if strings.HasSuffix(im.Path.Value, `/internal/errs"`) {
			return true
		}
	}
	return false
}

// goMessages returns the messages of the Go code under server/, found by
// messageCalls, in errs.Error and errs.FieldError literals' Message or
// Format, and in constants named msg….
func goMessages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if base := d.Name(); base == "testdata" || strings.HasSuffix(base, "test") && base != "docstest" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				name := "." + sel.Sel.Name
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "errs" {
					name = "errs." + sel.Sel.Name
				}
				i, ok := messageCalls[name]
				if !ok || len(n.Args) <= i {
					return true
				}
				if name == ".Sprintf" {
					// fmt.Sprintf formats; only a printer's translates.
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fmt" {
						return true
					}
				}
				if s, ok := stringLit(n.Args[i]); ok {
					out[s] = fset.Position(n.Pos()).String()
				}
			case *ast.ValueSpec:
				// const msgNotFound = "No such request.": a message
				// kept under a name, which errs.E or errs.Wrap is given.
				if !importsErrs(f) {
					return true
				}
				for i, name := range n.Names {
					if i < len(n.Values) && msgName.MatchString(name.Name) {
						if s, ok := stringLit(n.Values[i]); ok {
							out[s] = fset.Position(n.Pos()).String()
						}
					}
				}
			case *ast.CompositeLit:
				lits := []*ast.CompositeLit{n}
				if !errsLiteral(f, n.Type) {
					if !fieldErrorList(f, n.Type) {
						return true
					}
					// []errs.FieldError{{Field: …, Message: …}}: the
					// elements' type is left out.
					lits = lits[:0]
					for _, e := range n.Elts {
						if c, ok := e.(*ast.CompositeLit); ok && c.Type == nil {
							lits = append(lits, c)
						}
					}
				}
				for _, c := range lits {
					for _, e := range c.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Message" || k.Name == "Format") {
								if s, ok := stringLit(kv.Value); ok {
									out[s] = fset.Position(c.Pos()).String()
								}
							}
						}
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
	return out
}

// errsLiteral reports whether a composite literal's type is an errs.Error
// or an errs.FieldError (written Error, FieldError in package errs), whose
// Message (or Format) is a message.
func errsLiteral(f *ast.File, typ ast.Expr) bool {
	switch t := typ.(type) {
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return t.Sel.Name == "FieldError" || ok && x.Name == "errs" && t.Sel.Name == "Error"
	case *ast.Ident:
		return f.Name.Name == "errs" && (t.Name == "Error" || t.Name == "FieldError")
	}
	return false
}

// fieldErrorList reports whether a composite literal's type is
// []errs.FieldError or errs.Fields, whose elements are field errors.
func fieldErrorList(f *ast.File, typ ast.Expr) bool {
	if a, ok := typ.(*ast.ArrayType); ok {
		return errsLiteral(f, a.Elt)
	}
	switch t := typ.(type) {
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "errs" && t.Sel.Name == "Fields"
	case *ast.Ident:
		return f.Name.Name == "errs" && t.Name == "Fields"
	}
	return false
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil && s != ""
}
