package policy_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/docstest"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the process table in policies/README.md from the catalogue")

const (
	readmePath  = "../../../policies/README.md"
	tableBegin  = "<!-- processes: generated from the catalogue by `go test ./server/internal/policy -run TestReadmeProcessTable -update` -->"
	tableFinish = "<!-- end of processes -->"
)

// TestReadmeProcessTable keeps the law as reviewers read it in
// policies/README.md equal to the law the policy applies: the table of
// processes is rendered from the catalogue, and any difference fails.
func TestReadmeProcessTable(t *testing.T) {
	e := MustLoad(t)
	cat, err := e.Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	docstest.Generated(t, readmePath, tableBegin, tableFinish, processTable(cat), *update,
		"go test ./server/internal/policy -run TestReadmeProcessTable -update")
}

// processTable is the catalogue's processes as a Markdown table, one row a
// process, every fact with its citation.
func processTable(cat policy.Catalogue) string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	list := func(items []string) string { return strings.Join(items, "<br>") }
	b.WriteString("| process | compels | issued by | periods | conditions and thresholds | the account holder | reported |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, j := range cat.Jurisdictions {
		for _, p := range j.Processes {
			var compels []string
			for _, c := range p.Categories {
				compels = append(compels, cat.CategoryName(c))
			}
			if len(compels) == 0 {
				compels = []string{"nothing"}
				if p.Excepted != nil {
					compels = []string{"nothing this provider holds: excepted electronic data (" + p.Excepted.Citation + ")"}
				}
			}
			var issuers []string
			for _, k := range p.IssuerKinds {
				issuers = append(issuers, cat.AuthorityName(k))
			}
			if u := p.UrgentOnly; u != nil {
				issuers = append(issuers, fmt.Sprintf("%s: urgent cases only (%s)", strings.Join(u.IssuerKinds, ", "), u.Citation))
			}
			var periods []string
			switch {
			case p.Flags.Prospective && p.WindowFromIssue != nil:
				periods = append(periods, fmt.Sprintf("at most %d days from the order (%s)", p.WindowFromIssue.Days, p.WindowFromIssue.Citation))
			case p.Flags.Preservation:
				periods = append(periods, fmt.Sprintf("held %d days, extended once by %d", p.HoldDays, p.ExtensionDays))
				if p.HoldUntilProduced {
					periods = append(periods, "kept until produced once the issuing authority confirms a production request was issued")
				}
			default:
				periods = append(periods, fmt.Sprintf("records of at most %d days", p.MaxRangeDays))
			}
			if p.Flags.Prospective && p.ExtensionDays > 0 {
				periods = append(periods, fmt.Sprintf("extensions of %d days on a new order", p.ExtensionDays))
			}
			for _, v := range p.Validity {
				d := fmt.Sprintf("%d days", v.Days)
				if v.Months > 0 {
					d = fmt.Sprintf("%d month(s)", v.Months)
				}
				periods = append(periods, fmt.Sprintf("%s: lasts %s (%s)", strings.Join(v.IssuerKinds, ", "), d, v.Citation))
			}
			if s := p.ServeWithin; s != nil {
				periods = append(periods, fmt.Sprintf("void unless served within %d months (%s)", s.Months, s.Citation))
			}
			if p.FollowUpDays > 0 {
				periods = append(periods, fmt.Sprintf("legal process due within %d days", p.FollowUpDays))
			}
			periods = append(periods, fmt.Sprintf("answered within %d h", p.DeadlineHours))
			var conditions []string
			for _, x := range p.Purposes {
				conditions = append(conditions, fmt.Sprintf("purpose `%s` (%s)", x.ID, x.Citation))
			}
			for _, r := range p.Requirements {
				conditions = append(conditions, r.Text)
			}
			for _, g := range p.OffenceGrounds {
				conditions = append(conditions, fmt.Sprintf("ground `%s` (%s)", g.ID, g.Citation))
			}
			if n := p.Notification; n != nil {
				conditions = append(conditions, fmt.Sprintf("an order for %s is notified to the enforcing authority of %s and produced after %d h unless it agrees earlier; %d h to object in an emergency (%s)",
					strings.Join(n.Classes, ", "), n.EnforcingState, n.HoldHours, n.EmergencyObjectionHours, n.Citation))
			}
			if len(conditions) == 0 {
				conditions = []string{"—"}
			}
			reported := "counted"
			switch {
			case p.Flags.NationalSecurity:
				reported = "national-security: bands only, late"
			case len(p.NationalSecurityPurposes) > 0:
				reported = "counted; bands only when its purpose is " + strings.Join(p.NationalSecurityPurposes, ", ")
			}
			fmt.Fprintf(&b, "| `%s` %s (%s) | %s | %s | %s | %s | %s: %s (%s) | %s |\n",
				p.ID, cell(p.Name), cell(p.Citation), cell(strings.Join(compels, ", ")), cell(list(issuers)), cell(list(periods)),
				cell(list(conditions)), p.UserNotice.Rule, cell(p.UserNotice.Text), cell(p.UserNotice.Citation), reported)
		}
	}
	return b.String()
}
