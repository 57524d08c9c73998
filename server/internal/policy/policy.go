// Package policy loads the legal policy bundle (policies/) into OPA's Rego
// engine and answers its decisions with reasons written in Rego: the scope of
// a request, its routing, the approvals it needs, who may do what to it, and
// the public catalogue of processes.
//
// Every query is compiled and prepared once, in Load; an *Engine is then safe
// for concurrent use. An evaluation error never allows anything: Authorize
// fails closed, and every error is logged.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// The decision points Go asks, one object rule each.
const (
	queryScope     = "data.disclosure.scope"
	queryRoute     = "data.routing.route"
	queryApprovals = "data.approvals.required"
	queryAuthz     = "data.authz.decision"
	queryCatalogue = "data.catalogue.public"
	queryCaps      = "data.authz.capabilities"
	querySignals   = "data.signals.found"
)

// ErrUndefined reports a decision that evaluated to nothing: the bundle lacks
// the rule or its default. It is a bug in the policy; treat as Internal.
var ErrUndefined = errors.New("policy: decision is undefined")

// An Engine answers policy decisions from one compiled bundle.
type Engine struct {
	scope     rego.PreparedEvalQuery
	route     rego.PreparedEvalQuery
	approvals rego.PreparedEvalQuery
	authz     rego.PreparedEvalQuery
	catalogue rego.PreparedEvalQuery
	caps      rego.PreparedEvalQuery
	signals   rego.PreparedEvalQuery

	scopes       *memo[Scope]
	routes       *memo[Routing]
	approvalSets *memo[Approvals]
	authzs       *memo[Decision]
	memoSize     int
	messages     *Messages
	said         sync.Map // language → Catalogue: the catalogue said in it (CatalogueIn)
	log          *slog.Logger
	now          func() time.Time
}

// DefaultMemoSize is how many recent decisions of each kind an Engine
// remembers unless WithMemo says otherwise.
const DefaultMemoSize = 4096

// An Option configures an Engine.
type Option func(*Engine)

// WithLogger sets where evaluation errors are logged (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) { e.log = l }
}

// WithMemo sets how many recent decisions of each kind the Engine remembers
// (default DefaultMemoSize); 0 turns remembering off. A bundle that calls a
// nondeterministic built-in (time.now_ns, http.send, …) is never remembered.
func WithMemo(size int) Option {
	return func(e *Engine) { e.memoSize = size }
}

// WithClock sets the clock that supplies "today" when a ScopeInput has none
// (default time.Now, in UTC).
func WithClock(now func() time.Time) Option {
	return func(e *Engine) { e.now = now }
}

// Load compiles every *.rego file of fsys except *_test.rego, in strict mode,
// prepares every decision once, and checks that each is defined and that the
// catalogue decodes. A file that does not parse or compile is reported as
// "path:line: message" for each problem; a missing decision rule is an error.
// Use policies.FS for the embedded bundle or os.DirFS for an override.
func Load(ctx context.Context, fsys fs.FS, opts ...Option) (*Engine, error) {
	modules, err := parseModules(fsys)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithStrict(true)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("policy: compile: %w", compileError(compiler.Errors))
	}

	e := &Engine{log: slog.Default(), now: time.Now, memoSize: DefaultMemoSize}
	for _, o := range opts {
		o(e)
	}
	// The compiled modules, where calls in rule heads have moved into bodies.
	if calls := nondeterministic(compiler.Modules); len(calls) > 0 {
		e.log.WarnContext(ctx, "policy bundle is nondeterministic; decisions are not remembered", slog.Any("calls", calls))
		e.memoSize = 0
	}
	e.scopes = newMemo(e.memoSize, cloneScope)
	e.routes = newMemo(e.memoSize, cloneRouting)
	e.approvalSets = newMemo(e.memoSize, cloneApprovals)
	e.authzs = newMemo(e.memoSize, cloneDecision)
	for _, q := range []struct {
		query string
		into  *rego.PreparedEvalQuery
	}{
		{queryScope, &e.scope},
		{queryRoute, &e.route},
		{queryApprovals, &e.approvals},
		{queryAuthz, &e.authz},
		{queryCatalogue, &e.catalogue},
		{queryCaps, &e.caps},
		{querySignals, &e.signals},
	} {
		ref := ast.MustParseRef(q.query)
		if len(compiler.GetRules(ref)) == 0 {
			return nil, fmt.Errorf("policy: the bundle has no rule %s", q.query)
		}
		pq, err := rego.New(rego.Query(q.query), rego.Compiler(compiler)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy: prepare %s: %w", q.query, err)
		}
		*q.into = pq
	}

	// Every decision must be defined even for an empty input (its default),
	// so that a broken override fails at start, not on the first request.
	empty := ast.NewObject()
	for _, pq := range []struct {
		name string
		q    rego.PreparedEvalQuery
	}{{queryScope, e.scope}, {queryRoute, e.route}, {queryApprovals, e.approvals}, {queryAuthz, e.authz}, {queryCaps, e.caps}, {querySignals, e.signals}} {
		if _, err := evalValue(ctx, pq.q, empty, pq.name); err != nil {
			return nil, err
		}
	}
	if e.messages, err = loadMessages(fsys); err != nil {
		return nil, err
	}
	cat, err := e.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	e.messages.addVerbatim(reflect.ValueOf(cat), "")
	return e, nil
}

// Messages are the bundle's translations of the texts its decisions and
// catalogue write in English (Messages.Say).
func (e *Engine) Messages() *Messages { return e.messages }

// Say is a text of a decision (a reason, a refusal, a warning, a user
// notice) in lang, as the bundle translates it; English as written.
func (e *Engine) Say(lang, text string) string {
	return e.messages.Say(lang, text)
}

// parseModules parses every Rego module of fsys except tests, as Rego v1.
func parseModules(fsys fs.FS) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	var problems ast.Errors
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			var parseErrs ast.Errors
			if errors.As(err, &parseErrs) {
				problems = append(problems, parseErrs...)
				return nil
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		modules[p] = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policy: read bundle: %w", err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("policy: parse: %w", compileError(problems))
	}
	if len(modules) == 0 {
		return nil, errors.New("policy: the bundle has no Rego modules")
	}
	return modules, nil
}

// A CompileError lists every problem of a bundle that does not parse or
// compile, each naming its file and line.
type CompileError struct {
	Problems []Problem
}

// A Problem is one parse or compile error at a place in a policy file.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (e *CompileError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return strings.Join(lines, "; ")
}

func compileError(list ast.Errors) *CompileError {
	ce := &CompileError{}
	for _, e := range list {
		p := Problem{Message: e.Code + ": " + e.Message}
		if e.Location != nil {
			p.File, p.Line = e.Location.File, e.Location.Row
		}
		ce.Problems = append(ce.Problems, p)
	}
	return ce
}

// evalValue evaluates a prepared decision and returns its single value.
func evalValue(ctx context.Context, pq rego.PreparedEvalQuery, input ast.Value, name string) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	// Cancel with the context through a callback rather than the goroutine
	// the rego package would otherwise start for every evaluation.
	cancel := topdown.NewCancel()
	stop := context.AfterFunc(ctx, cancel.Cancel)
	defer stop()
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalExternalCancel(cancel))
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, fmt.Errorf("evaluate %s: %w", name, ErrUndefined)
	}
	return rs[0].Expressions[0].Value, nil
}

// decide answers a decision from the memo, or evaluates and decodes it;
// failures are logged and returned as Internal errors with a safe message,
// and never remembered.
func decide[T any](ctx context.Context, e *Engine, m *memo[T], pq rego.PreparedEvalQuery, name string, input ast.Value, decode func(any) (T, error)) (T, error) {
	var key [32]byte
	if m != nil {
		key = memoKey(input)
		if out, ok := m.get(key); ok {
			return out, nil
		}
	}
	v, err := evalValue(ctx, pq, input, name)
	var out T
	if err == nil {
		out, err = decode(v)
		if err != nil {
			err = fmt.Errorf("decode %s: %w", name, err)
		}
	}
	if err != nil {
		level := slog.LevelError
		if ctx.Err() != nil {
			level = slog.LevelInfo // the caller gave up; not a policy failure
		}
		e.log.Log(ctx, level, "policy decision failed", slog.String("decision", name), slog.Any("err", err))
		var zero T
		return zero, errs.Wrap(err, errs.Internal, "The legal policy could not be evaluated.")
	}
	m.put(key, out)
	return out, nil
}

func (e *Engine) today(t string) string {
	if t != "" {
		return t
	}
	return e.now().UTC().Format(time.DateOnly)
}
