package policy

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Reason explains a decision, in words written in the policy.
type Reason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// A Decision allows or denies, with the reasons. StepUp marks a denial
// that a recent sign-in with a second factor would turn into an allow: the
// action is the person's to take, once they have confirmed it is them.
type Decision struct {
	Allow   bool     `json:"allow"`
	StepUp  bool     `json:"step_up"`
	Reasons []Reason `json:"reasons"`
}

// ErrStepUp is wrapped by the Forbidden error of a step-up denial
// (Decision.StepUp): the pages offer the action and, when it is taken, send
// the person to sign in again with their second factor.
var ErrStepUp = errors.New("policy: a recent sign-in with a second factor is needed")

// An Actor is who asks: an agency person (AgencyID set, Provider false) or a
// member of the provider's staff (Provider true). Kind, MFA and AuthAge say
// how they authenticated, for the step-up rule: Kind "person", "client" (an
// agency system) or "system" (the portal's own work); MFA whether the
// person's sign-in proved a second factor; AuthAge the seconds since they
// authenticated at their provider, -1 when unknown.
type Actor struct {
	ID       string   `json:"id"`
	Roles    []string `json:"roles"` // officer, supervisor; intake, reviewer, counsel, admin, auditor
	Provider bool     `json:"provider"`
	AgencyID string   `json:"agency_id"`
	Kind     string   `json:"kind"`
	MFA      bool     `json:"mfa"`
	AuthAge  int64    `json:"auth_age"`
}

// Relations of an actor to a request, for AuthzInput.Relation.
const (
	RelationNone        = ""             // the action is not about one request
	RelationOwnAgency   = "own_agency"   // the actor's agency filed the request
	RelationOtherAgency = "other_agency" // another agency filed it: never allowed anything
	RelationProvider    = "provider"     // the actor is the provider's staff
)

// An AuthzInput asks whether Actor may take Action (an API action such as
// "request.submit", or a workflow transition such as "approve") on Request.
type AuthzInput struct {
	Actor    Actor    `json:"actor"`
	Action   string   `json:"action"`
	Request  *Request `json:"request"` // nil for actions on no request
	Relation string   `json:"relation"`
}

// Authorize decides whether the actor may take the action. It fails closed:
// on an evaluation error the Decision denies and the error (Internal, logged)
// is returned as well.
func (e *Engine) Authorize(ctx context.Context, in AuthzInput) (Decision, error) {
	d, err := decide(ctx, e, e.authzs, e.authz, queryAuthz, authzValue(in), decodeDecision)
	if err != nil {
		return Decision{Allow: false, Reasons: []Reason{{Code: "policy_error", Text: "The authorisation policy could not decide; access is denied."}}}, err
	}
	return d, nil
}

func authzValue(in AuthzInput) ast.Value {
	roles := make([]*ast.Term, len(in.Actor.Roles))
	for i, r := range in.Actor.Roles {
		roles[i] = ast.StringTerm(r)
	}
	req := ast.NullTerm()
	if in.Request != nil {
		req = requestTerm(*in.Request)
	}
	return ast.NewObject(
		ast.Item(ast.InternedTerm("actor"), ast.ObjectTerm(
			ast.Item(ast.InternedTerm("id"), ast.StringTerm(in.Actor.ID)),
			ast.Item(ast.InternedTerm("roles"), ast.ArrayTerm(roles...)),
			ast.Item(ast.InternedTerm("provider"), ast.BooleanTerm(in.Actor.Provider)),
			ast.Item(ast.InternedTerm("agency_id"), ast.StringTerm(in.Actor.AgencyID)),
			ast.Item(ast.InternedTerm("kind"), ast.StringTerm(in.Actor.Kind)),
			ast.Item(ast.InternedTerm("mfa"), ast.BooleanTerm(in.Actor.MFA)),
			ast.Item(ast.InternedTerm("auth_age"), ast.IntNumberTerm(int(in.Actor.AuthAge))),
		)),
		ast.Item(ast.InternedTerm("action"), ast.StringTerm(in.Action)),
		ast.Item(ast.InternedTerm("request"), req),
		ast.Item(ast.InternedTerm("relation"), ast.StringTerm(in.Relation)),
	)
}

func decodeDecision(v any) (Decision, error) {
	var d decoder
	m := d.object(v, "decision")
	out := Decision{Allow: d.boolean(m, "allow"), Reasons: d.reasons(m, "reasons")}
	if v, ok := m["step_up"].(bool); ok {
		out.StepUp = v
	}
	if d.err != nil {
		// A malformed decision never allows.
		out.Allow = false
	}
	return out, d.err
}

// Says reports whether one of d's reasons has code.
func (d Decision) Says(code string) bool {
	return slices.ContainsFunc(d.Reasons, func(r Reason) bool { return r.Code == code })
}

// Refusal is nil when d allows, and otherwise a Forbidden error whose
// message is the policy's reasons in its own words (fallback when it gave
// none). Every service turns a denial into an error this one way.
func (d Decision) Refusal(fallback string) error {
	if d.Allow {
		return nil
	}
	texts := make([]string, 0, len(d.Reasons))
	for _, r := range d.Reasons {
		if r.Text != "" {
			texts = append(texts, r.Text)
		}
	}
	if len(texts) == 0 {
		texts = []string{fallback}
	}
	if d.StepUp {
		return errs.Wrap(ErrStepUp, errs.Forbidden, strings.Join(texts, " "))
	}
	return errs.E(errs.Forbidden, "%s", strings.Join(texts, " "))
}

// Capabilities are what an actor may do beyond any particular request: the
// actions its roles are granted for no request (the pages show menus and
// buttons from them) and the team queue it works from ("" for none).
type Capabilities struct {
	Actions   []string `json:"actions"`
	HomeQueue string   `json:"home_queue"`
}

// Can reports whether action is among the capabilities.
func (c Capabilities) Can(action string) bool { return slices.Contains(c.Actions, action) }

// Capabilities asks what actor may do beyond any particular request. It
// fails closed: on an error, nothing.
func (e *Engine) Capabilities(ctx context.Context, actor Actor) (Capabilities, error) {
	in := authzValue(AuthzInput{Actor: actor})
	return decide(ctx, e, (*memo[Capabilities])(nil), e.caps, queryCaps, in, func(v any) (Capabilities, error) {
		var d decoder
		m := d.object(v, "capabilities")
		return Capabilities{Actions: d.strings(m, "actions"), HomeQueue: d.string(m, "home_queue")}, d.err
	})
}
