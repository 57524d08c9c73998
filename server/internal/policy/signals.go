package policy

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
)

// SignalFacts are what the portal knows about who filed a request, as of
// its submission (policies/signals describes each). Gathered by the signals
// package; the policy decides which of them are worth a reviewer's look.
type SignalFacts struct {
	Emergency bool  `json:"emergency"`
	MFA       *bool `json:"mfa,omitempty"` // nil until someone submitted the request
	Person    struct {
		EarlierRequests int `json:"earlier_requests"`
		FirstSeenDays   int `json:"first_seen_days"`
	} `json:"person"`
	Agency struct {
		EarlierRequests      int      `json:"earlier_requests"`
		Domains              []string `json:"domains"`
		SubmittedLastDay     int      `json:"submitted_last_day"`
		SubmittedPrior30Days int      `json:"submitted_prior_30_days"`
	} `json:"agency"`
	EmailDomain       string     `json:"email_domain"`
	SharedIdentifiers int        `json:"shared_identifiers"`
	Targets           []string   `json:"targets"`
	SameDocket        [][]string `json:"same_docket"`
}

// Signals decides the requester signals of one request from its facts:
// each a code and its reason in English (Say gives the reader's language).
// Facts change with every request filed, so decisions are not remembered.
// An evaluation failure is returned as an Internal error (and logged).
func (e *Engine) Signals(ctx context.Context, f SignalFacts) ([]Reason, error) {
	v, err := ast.InterfaceToValue(f)
	if err != nil {
		return nil, err
	}
	return decide(ctx, e, nil, e.signals, querySignals, v, func(v any) ([]Reason, error) {
		var d decoder
		r := d.reasons(map[string]any{"found": v}, "found")
		return r, d.err
	})
}
