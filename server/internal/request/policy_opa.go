package request

import (
	"context"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// opaPolicy is the production Policy: the OPA bundle of package policy.
type opaPolicy struct{ e *policy.Engine }

// NewPolicy adapts the policy engine to the request domain's Policy seam.
func NewPolicy(e *policy.Engine) Policy { return opaPolicy{e: e} }

// Authorize asks the authz decision. An agency actor asking about another
// agency's request, or about one of their own agency's they have no need to
// know, is answered NotFound, exactly like a missing request, so that a
// request's existence never leaks across agencies or inside one.
func (p opaPolicy) Authorize(ctx context.Context, actor *identity.Principal, action string, r *Request) error {
	in := policy.AuthzInput{Actor: actor.PolicyActor(), Action: action}
	// Creating and listing are not actions on an existing request: the
	// policy decides them on the actor alone.
	if r != nil && action != ActionCreate && action != ActionList {
		pr := PolicyRequest(r)
		in.Request = &pr
		in.Relation = actor.RelationTo(r.AgencyID)
	}
	d, err := p.e.Authorize(ctx, in)
	if err != nil {
		return err // fails closed: logged by the engine, Internal to the caller
	}
	if !d.Allow && (in.Relation == policy.RelationOtherAgency || d.Says("need_to_know")) {
		return errs.E(errs.NotFound, "No such request.")
	}
	return d.Refusal("You are not allowed to do this.")
}

// Scope asks the disclosure scope decision for r as filed by agency a.
func (p opaPolicy) Scope(ctx context.Context, r *Request, a *agency.Agency) (Scope, error) {
	s, err := p.e.Scope(ctx, policy.ScopeInput{
		Agency:  policy.Agency{ID: a.ID, Country: a.Country, Kind: a.Kind},
		Request: PolicyRequest(r),
	})
	if err != nil {
		return Scope{}, err
	}
	out := Scope{
		Valid: s.Valid, Categories: s.Categories, DateFrom: s.DateFrom, DateTo: s.DateTo,
		Warnings: s.Warnings, Jurisdiction: s.Jurisdiction, ProcessKind: s.ProcessKind,
		Fields: s.Fields, NationalSecurity: s.NationalSecurity, Notification: s.Notification, UserNotice: s.UserNotice,
	}
	for _, e := range s.Errors {
		out.Errors = append(out.Errors, errs.FieldError{Field: e.Field, Message: e.Text})
	}
	for _, rf := range s.Refused {
		out.Refused = append(out.Refused, Refusal{Category: rf.Category, Code: rf.Code, Reason: rf.Reason})
	}
	return out, nil
}

// Process looks process id up in the catalogue.
func (p opaPolicy) Process(ctx context.Context, id string) (policy.Process, bool, error) {
	cat, err := p.e.Catalogue(ctx)
	if err != nil {
		return policy.Process{}, false, err
	}
	pr, ok := cat.Process(id)
	return pr, ok, nil
}

// PolicyRequest is r as the policy sees it: the facts its rules read, and
// nothing it does not need.
func PolicyRequest(r *Request) policy.Request {
	pr := policy.Request{
		ID: r.ID, AgencyID: r.AgencyID, CreatedBy: r.CreatedBy, SharedWith: append([]string{}, r.SharedWith...), Status: string(r.Status), Process: r.Process, AuthorityKind: r.Authority.Kind,
		Categories: append([]string{}, r.Categories...),
		DateFrom:   r.DateFrom.String(), DateTo: r.DateTo.String(), IssuedOn: r.IssuedOn.String(), ExpiresOn: r.ExpiresOn.String(),
		Emergency: r.Emergency, EmergencyNarrative: r.EmergencyNarrative,
		Purpose:            r.Purpose,
		OffenceDescription: r.Offence.Description, OffenceMaxPenaltyMonths: r.Offence.MaxPenaltyMonths,
		OffenceGrounds:        append([]string{}, r.Offence.Grounds...),
		OffenceSentenceMonths: r.Offence.SentenceMonths,
		OffenceInIssuingState: r.Offence.CommittedInIssuingState, ResidesInIssuingState: r.PersonResides,
		NondisclosureOrdered: r.Nondisclosure.Ordered, NondisclosureUntil: r.Nondisclosure.Until.String(),
		NondisclosureIssuedBy: r.Nondisclosure.IssuedBy,
		Targets:               []policy.Target{},
	}
	if pr.NondisclosureOrdered && pr.NondisclosureIssuedBy == "" {
		pr.NondisclosureIssuedBy = r.Authority.Kind // the order came with the process
	}
	if r.SubmittedAt != nil {
		pr.ReceivedOn = r.SubmittedAt.UTC().Format(time.DateOnly)
	}
	for _, t := range r.Targets {
		pr.Targets = append(pr.Targets, policy.Target{Type: t.Type, Value: t.Value})
	}
	return pr
}
