package policy

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
)

// An Agency is the law-enforcement agency a request comes from.
type Agency struct {
	ID      string `json:"id"`
	Country string `json:"country"` // ISO 3166-1 alpha-2, e.g. "US", "GB", "DE"
	Kind    string `json:"kind"`
}

// A Target is one identifier a request names.
type Target struct {
	Type  string `json:"type"` // phone | username | account_id | email
	Value string `json:"value"`
}

// A Request is what the policy sees of a legal request. Dates are
// "YYYY-MM-DD" or "".
type Request struct {
	ID                     string   `json:"id"`
	AgencyID               string   `json:"agency_id"`
	Status                 string   `json:"status"`
	Process                string   `json:"process"`
	AuthorityKind          string   `json:"authority_kind"`
	Categories             []string `json:"categories"`
	Targets                []Target `json:"targets"`
	DateFrom               string   `json:"date_from"`
	DateTo                 string   `json:"date_to"`
	IssuedOn               string   `json:"issued_on"`
	ExpiresOn              string   `json:"expires_on"`
	Emergency              bool     `json:"emergency"`
	EmergencyNarrative     string   `json:"emergency_narrative"`
	OffenceDescription     string   `json:"offence_description"`
	OffenceMaxPenaltyYears *int     `json:"offence_max_penalty_years"`
	// SeriousCrime is the officer's statement that the offence is a serious
	// crime, which UK law demands for events data.
	SeriousCrime         bool   `json:"serious_crime"`
	NondisclosureOrdered bool   `json:"nondisclosure_ordered"`
	NondisclosureUntil   string `json:"nondisclosure_until"`
}

// A ScopeInput is a request with its agency, as of a day. Scope, Route and
// Approvals all take it.
type ScopeInput struct {
	Agency  Agency  `json:"agency"`
	Request Request `json:"request"`
	Today   string  `json:"today"` // "YYYY-MM-DD"; "" means today (UTC)
}

// A FieldReason is a validation problem with one input field, named as in
// the API ("process", "categories[2]", "targets[0].type", "date_from",
// "issuing_authority.kind", "emergency.narrative", "nondisclosure.until",
// "offence.max_penalty_years", "agency.country").
type FieldReason struct {
	Field string `json:"field"`
	Code  string `json:"code"`
	Text  string `json:"text"`
}

// A Refusal says why one requested category cannot be obtained.
type Refusal struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
}

// A Scope is the policy's decision on what a request may obtain. Every
// requested category is either in Categories or in Refused.
type Scope struct {
	// Valid is false when input errors make the request unfileable (unknown
	// process or category, missing dates, an issuer that cannot issue the
	// process, …). Categories still shows what would be authorised once the
	// errors are fixed, so that an officer editing a draft sees it.
	Valid        bool          `json:"valid"`
	Errors       []FieldReason `json:"errors"`
	Categories   []string      `json:"categories"` // authorised, in catalogue order
	Refused      []Refusal     `json:"refused"`
	DateFrom     string        `json:"date_from"` // clipped to retention and the process's longest range
	DateTo       string        `json:"date_to"`
	Warnings     []string      `json:"warnings"`
	Jurisdiction string        `json:"jurisdiction"` // "us", "uk", "eu"; "" for an unknown process
	ProcessKind  string        `json:"process_kind"` // "legal_process" | "emergency" | "preservation"
}

// Scope decides what the request may obtain. An evaluation failure is
// returned as an Internal error (and logged); it never authorises anything.
func (e *Engine) Scope(ctx context.Context, in ScopeInput) (Scope, error) {
	return decide(ctx, e, e.scopes, e.scope, queryScope, e.scopeValue(in), decodeScope)
}

func (e *Engine) scopeValue(in ScopeInput) ast.Value {
	return ast.NewObject(
		ast.Item(ast.InternedTerm("agency"), agencyTerm(in.Agency)),
		ast.Item(ast.InternedTerm("request"), requestTerm(in.Request)),
		ast.Item(ast.InternedTerm("today"), ast.StringTerm(e.today(in.Today))),
	)
}

// The input is built as an AST directly rather than through JSON: it is the
// largest cost of a decision otherwise. A test checks it against the JSON tags.
func agencyTerm(a Agency) *ast.Term {
	return ast.ObjectTerm(
		ast.Item(ast.InternedTerm("id"), ast.StringTerm(a.ID)),
		ast.Item(ast.InternedTerm("country"), ast.StringTerm(a.Country)),
		ast.Item(ast.InternedTerm("kind"), ast.StringTerm(a.Kind)),
	)
}

func requestTerm(r Request) *ast.Term {
	cats := make([]*ast.Term, len(r.Categories))
	for i, c := range r.Categories {
		cats[i] = ast.StringTerm(c)
	}
	targets := make([]*ast.Term, len(r.Targets))
	for i, t := range r.Targets {
		targets[i] = ast.ObjectTerm(
			ast.Item(ast.InternedTerm("type"), ast.StringTerm(t.Type)),
			ast.Item(ast.InternedTerm("value"), ast.StringTerm(t.Value)),
		)
	}
	penalty := ast.NullTerm()
	if r.OffenceMaxPenaltyYears != nil {
		penalty = ast.IntNumberTerm(*r.OffenceMaxPenaltyYears)
	}
	return ast.ObjectTerm(
		ast.Item(ast.InternedTerm("id"), ast.StringTerm(r.ID)),
		ast.Item(ast.InternedTerm("agency_id"), ast.StringTerm(r.AgencyID)),
		ast.Item(ast.InternedTerm("status"), ast.StringTerm(r.Status)),
		ast.Item(ast.InternedTerm("process"), ast.StringTerm(r.Process)),
		ast.Item(ast.InternedTerm("authority_kind"), ast.StringTerm(r.AuthorityKind)),
		ast.Item(ast.InternedTerm("categories"), ast.ArrayTerm(cats...)),
		ast.Item(ast.InternedTerm("targets"), ast.ArrayTerm(targets...)),
		ast.Item(ast.InternedTerm("date_from"), ast.StringTerm(r.DateFrom)),
		ast.Item(ast.InternedTerm("date_to"), ast.StringTerm(r.DateTo)),
		ast.Item(ast.InternedTerm("issued_on"), ast.StringTerm(r.IssuedOn)),
		ast.Item(ast.InternedTerm("expires_on"), ast.StringTerm(r.ExpiresOn)),
		ast.Item(ast.InternedTerm("emergency"), ast.BooleanTerm(r.Emergency)),
		ast.Item(ast.InternedTerm("emergency_narrative"), ast.StringTerm(r.EmergencyNarrative)),
		ast.Item(ast.InternedTerm("offence_description"), ast.StringTerm(r.OffenceDescription)),
		ast.Item(ast.InternedTerm("offence_max_penalty_years"), penalty),
		ast.Item(ast.InternedTerm("serious_crime"), ast.BooleanTerm(r.SeriousCrime)),
		ast.Item(ast.InternedTerm("nondisclosure_ordered"), ast.BooleanTerm(r.NondisclosureOrdered)),
		ast.Item(ast.InternedTerm("nondisclosure_until"), ast.StringTerm(r.NondisclosureUntil)),
	)
}

func decodeScope(v any) (Scope, error) {
	var d decoder
	m := d.object(v, "scope")
	s := Scope{
		Errors:       []FieldReason{},
		Refused:      []Refusal{},
		Valid:        d.boolean(m, "valid"),
		Categories:   d.strings(m, "categories"),
		DateFrom:     d.string(m, "date_from"),
		DateTo:       d.string(m, "date_to"),
		Warnings:     d.strings(m, "warnings"),
		Jurisdiction: d.string(m, "jurisdiction"),
		ProcessKind:  d.string(m, "process_kind"),
	}
	for _, x := range d.array(m, "errors") {
		o := d.object(x, "errors[]")
		s.Errors = append(s.Errors, FieldReason{Field: d.string(o, "field"), Code: d.string(o, "code"), Text: d.string(o, "text")})
	}
	for _, x := range d.array(m, "refused") {
		o := d.object(x, "refused[]")
		s.Refused = append(s.Refused, Refusal{Category: d.string(o, "category"), Code: d.string(o, "code"), Reason: d.string(o, "reason")})
	}
	return s, d.err
}
