package policy

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/warrantdesk/warrantdesk/policies"
)

func TestZZProfile(t *testing.T) {
	ctx := context.Background()
	e, err := Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	n := 20
	in := ScopeInput{Agency: Agency{Country: "US"}, Request: Request{Process: "us.subpoena", AuthorityKind: "grand_jury", Categories: []string{"subscriber", "connection_log", "device", "content"}, Targets: []Target{{"phone", "1"}}, DateFrom: "2026-10-01", DateTo: "2026-11-20", IssuedOn: "2026-11-20", ExpiresOn: "2027-02-20", OffenceMaxPenaltyYears: &n}, Today: "2026-11-25"}
	for _, q := range []struct{ name string; pq rego.PreparedEvalQuery; v any }{
		{"scope", e.scope, e.scopeValue(in)},
		{"authz", e.authz, authzValue(AuthzInput{Actor: Actor{Roles: []string{"reviewer"}, Provider: true}, Action: "approve", Request: &Request{AgencyID: "x", Status: "in_review"}, Relation: "provider"})},
	} {
		p := profiler.New()
		for i := 0; i < 200; i++ {
			_, _ = q.pq.Eval(ctx, rego.EvalParsedInput(q.v.(ast.Value)), rego.EvalQueryTracer(p))
		}
		fmt.Println("==", q.name)
		for _, s := range p.ReportTopNResults(25, []string{"total_time_ns"}) {
			fmt.Printf("%8dus %6d %s:%d\n", s.ExprTimeNs/200/1000, s.NumEval/200, s.Location.File, s.Location.Row)
		}
	}
}
