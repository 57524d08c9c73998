package policy

import (
	"context"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/warrantdesk/warrantdesk/policies"
)

func BenchmarkZZParts(b *testing.B) {
	ctx := context.Background()
	modules, _ := parseModules(policies.FS)
	c := ast.NewCompiler()
	c.Compile(modules)
	n := 20
	e := &Engine{now: time.Now}
	in := e.scopeValue(ScopeInput{Agency: Agency{Country: "US"}, Request: Request{Process: "us.subpoena", AuthorityKind: "grand_jury", Categories: []string{"subscriber", "connection_log", "device", "content"}, Targets: []Target{{"phone", "1"}}, DateFrom: "2026-10-01", DateTo: "2026-11-20", IssuedOn: "2026-11-20", ExpiresOn: "2027-02-20", OffenceMaxPenaltyYears: &n}, Today: "2026-11-25"})
	for _, q := range []string{"x := 1", "x := data.catalogue.category_order[0]", "x := data.catalogue.categories.subscriber.name", "x := data.catalogue.us.processes[\"us.subpoena\"].name", "x := data.catalogue.us.jurisdiction.name", "x := data.catalogue.jurisdictions.us.name", "x := data.disclosure.process.name", "x := count(data.disclosure.errors)", "x := count(data.disclosure.warnings)", "x := count(data.disclosure.refusals)", "x := data.disclosure.window"} {
		pq, err := rego.New(rego.Query(q), rego.Compiler(c)).PrepareForEval(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := pq.Eval(ctx, rego.EvalParsedInput(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkZZBaseline(b *testing.B) {
	ctx := context.Background()
	pq, _ := rego.New(rego.Query("x := 1")).PrepareForEval(ctx)
	b.Run("noinput", func(b *testing.B) {
		for b.Loop() {
			pq.Eval(ctx)
		}
	})
	modules, _ := parseModules(policies.FS)
	c := ast.NewCompiler()
	c.Compile(modules)
	pq2, _ := rego.New(rego.Query("x := 1"), rego.Compiler(c)).PrepareForEval(ctx)
	b.Run("compiler", func(b *testing.B) {
		for b.Loop() {
			pq2.Eval(ctx)
		}
	})
}

func BenchmarkZZInput(b *testing.B) {
	ctx := context.Background()
	n := 20
	e := &Engine{now: time.Now}
	in := e.scopeValue(ScopeInput{Agency: Agency{Country: "US"}, Request: Request{Process: "us.subpoena", AuthorityKind: "grand_jury", Categories: []string{"subscriber", "connection_log", "device", "content"}, Targets: []Target{{"phone", "1"}}, DateFrom: "2026-10-01", DateTo: "2026-11-20", IssuedOn: "2026-11-20", ExpiresOn: "2027-02-20", OffenceMaxPenaltyYears: &n}, Today: "2026-11-25"})
	pq, _ := rego.New(rego.Query("x := 1")).PrepareForEval(ctx)
	b.Run("noinput", func(b *testing.B) {
		for b.Loop() {
			pq.Eval(ctx)
		}
	})
	b.Run("input", func(b *testing.B) {
		for b.Loop() {
			pq.Eval(ctx, rego.EvalParsedInput(in))
		}
	})
}
