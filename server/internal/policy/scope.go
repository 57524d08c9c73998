package policy

import (
	"context"
	"encoding/json"
	"strconv"

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
	ID            string   `json:"id"`
	AgencyID      string   `json:"agency_id"`
	Status        string   `json:"status"`
	Process       string   `json:"process"`
	AuthorityKind string   `json:"authority_kind"`
	Categories    []string `json:"categories"`
	Targets       []Target `json:"targets"`
	DateFrom      string   `json:"date_from"`
	DateTo        string   `json:"date_to"`
	IssuedOn      string   `json:"issued_on"`
	ExpiresOn     string   `json:"expires_on"`
	// ReceivedOn is the day the provider received the request (its
	// submission); "" for a draft, which the policy reads as today. Laws that
	// count from service (an order void if not served in time) count to it.
	ReceivedOn         string `json:"received_on"`
	Emergency          bool   `json:"emergency"`
	EmergencyNarrative string `json:"emergency_narrative"`
	// Purpose is the purpose the order states, from the process's list in
	// the catalogue (UK IPA s. 60A(7), EU Art. 3(10), 18 U.S.C. § 3125(a)).
	Purpose            string `json:"purpose"`
	OffenceDescription string `json:"offence_description"`
	// OffenceMaxPenaltyMonths is the longest custodial sentence the offence
	// carries for an adult, in months (legal thresholds are in months); nil
	// when the request does not state it.
	OffenceMaxPenaltyMonths *float64 `json:"offence_max_penalty_months"`
	// OffenceGrounds are the statutory grounds the request states, from the
	// process's list (UK IPA s. 86(2A)(b), EU Art. 5(4)(b)–(c)).
	OffenceGrounds []string `json:"offence_grounds"`
	// OffenceSentenceMonths is the custodial sentence being executed, for
	// an order made to execute one (EU Art. 5(3), 5(4)(d)); nil otherwise.
	OffenceSentenceMonths *float64 `json:"offence_sentence_months"`
	// OffenceInIssuingState and ResidesInIssuingState are the issuing
	// authority's grounds to believe the offence was committed in, and the
	// person resides in, the issuing State (EU Art. 8(2)).
	OffenceInIssuingState bool   `json:"offence_in_issuing_state"`
	ResidesInIssuingState bool   `json:"resides_in_issuing_state"`
	NondisclosureOrdered  bool   `json:"nondisclosure_ordered"`
	NondisclosureUntil    string `json:"nondisclosure_until"`
	// NondisclosureIssuedBy is the kind of authority that ordered the
	// non-disclosure (an authority kind); it binds in the U.S. only when a
	// court did (18 U.S.C. § 2705(b)).
	NondisclosureIssuedBy string `json:"nondisclosure_issued_by"`
	// CreatedBy is the person who filed the request, and SharedWith the
	// colleagues it is shared with (people ids): the authorisation
	// policy's need-to-know rule reads them.
	CreatedBy  string   `json:"created_by"`
	SharedWith []string `json:"shared_with"`
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
	// Fields limits what an authorised category releases: for a category
	// listed here only these fields of its records are produced (EU
	// identification data, Art. 3(10): IP address, source port and time).
	// A category absent from Fields releases every field it has.
	Fields map[string][]string `json:"fields"`
	// NationalSecurity marks a request that transparency reports count only
	// in bands, late (50 U.S.C. § 1874; a UK authorisation whose purpose is
	// national security).
	NationalSecurity bool `json:"national_security"`
	// Notification is what another State's authority must be told before
	// data is produced (EU Art. 8), and how long it has to object.
	Notification Notification `json:"notification"`
	// UserNotice is whether, and from when, the provider may tell the
	// account holder: statutes and binding orders decide it.
	UserNotice UserNotice `json:"user_notice"`
}

// A Notification says whether an authority other than the issuing one must
// be notified of the order, and what that means for production.
type Notification struct {
	Required bool   `json:"required"`
	Citation string `json:"citation"`
	Text     string `json:"text"`
	// HoldHours: data is produced only this long after receipt, unless the
	// notified authority confirms earlier that it raises no ground for
	// refusal (EU Art. 10(2): 10 days). 0 in an emergency.
	HoldHours int `json:"hold_hours"`
	// ObjectionHours: how long the notified authority has to raise a ground
	// for refusal (10 days; 96 hours in an emergency, Art. 12).
	ObjectionHours int `json:"objection_hours"`
	// RefusalGrounds are the grounds it may raise, for the reviewer's
	// checklist.
	RefusalGrounds []Choice `json:"refusal_grounds"`
}

// A UserNotice says whether the provider may ever tell the account holder
// of the request, and when.
type UserNotice struct {
	// Allowed false: never (a statute forbids it, or the issuing authority
	// informs the person); Reason says which.
	Allowed bool `json:"allowed"`
	// Until: a binding order forbids notice up to and including this day
	// ("YYYY-MM-DD"); "" when none does.
	Until string `json:"until"`
	// Indefinite: a binding order forbids notice until a court lifts it.
	Indefinite bool `json:"indefinite"`
	// Gagged: an order or a statute forbids the provider to tell (what
	// transparency reports count as under a non-disclosure order); false
	// where nothing binds it, or another authority informs the person.
	Gagged bool   `json:"gagged"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
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
	shared := make([]*ast.Term, len(r.SharedWith))
	for i, p := range r.SharedWith {
		shared[i] = ast.StringTerm(p)
	}
	grounds := make([]*ast.Term, len(r.OffenceGrounds))
	for i, g := range r.OffenceGrounds {
		grounds[i] = ast.StringTerm(g)
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
		ast.Item(ast.InternedTerm("received_on"), ast.StringTerm(r.ReceivedOn)),
		ast.Item(ast.InternedTerm("emergency"), ast.BooleanTerm(r.Emergency)),
		ast.Item(ast.InternedTerm("emergency_narrative"), ast.StringTerm(r.EmergencyNarrative)),
		ast.Item(ast.InternedTerm("purpose"), ast.StringTerm(r.Purpose)),
		ast.Item(ast.InternedTerm("offence_description"), ast.StringTerm(r.OffenceDescription)),
		ast.Item(ast.InternedTerm("offence_max_penalty_months"), numberTerm(r.OffenceMaxPenaltyMonths)),
		ast.Item(ast.InternedTerm("offence_grounds"), ast.ArrayTerm(grounds...)),
		ast.Item(ast.InternedTerm("offence_sentence_months"), numberTerm(r.OffenceSentenceMonths)),
		ast.Item(ast.InternedTerm("offence_in_issuing_state"), ast.BooleanTerm(r.OffenceInIssuingState)),
		ast.Item(ast.InternedTerm("resides_in_issuing_state"), ast.BooleanTerm(r.ResidesInIssuingState)),
		ast.Item(ast.InternedTerm("nondisclosure_ordered"), ast.BooleanTerm(r.NondisclosureOrdered)),
		ast.Item(ast.InternedTerm("nondisclosure_until"), ast.StringTerm(r.NondisclosureUntil)),
		ast.Item(ast.InternedTerm("nondisclosure_issued_by"), ast.StringTerm(r.NondisclosureIssuedBy)),
		ast.Item(ast.InternedTerm("created_by"), ast.StringTerm(r.CreatedBy)),
		ast.Item(ast.InternedTerm("shared_with"), ast.ArrayTerm(shared...)),
	)
}

// numberTerm is a number, or null for nil, as encoding/json writes them.
func numberTerm(v *float64) *ast.Term {
	if v == nil {
		return ast.NullTerm()
	}
	return ast.NumberTerm(json.Number(strconv.FormatFloat(*v, 'g', -1, 64)))
}

func decodeScope(v any) (Scope, error) {
	var d decoder
	m := d.object(v, "scope")
	s := Scope{
		Errors:           []FieldReason{},
		Refused:          []Refusal{},
		Valid:            d.boolean(m, "valid"),
		Categories:       d.strings(m, "categories"),
		DateFrom:         d.string(m, "date_from"),
		DateTo:           d.string(m, "date_to"),
		Warnings:         d.strings(m, "warnings"),
		Jurisdiction:     d.string(m, "jurisdiction"),
		ProcessKind:      d.string(m, "process_kind"),
		Fields:           map[string][]string{},
		NationalSecurity: d.boolean(m, "national_security"),
	}
	for c, v := range d.object(d.field(m, "fields"), "fields") {
		s.Fields[c] = d.stringList(v, "fields."+c)
	}
	n := d.object(d.field(m, "notification"), "notification")
	s.Notification = Notification{
		Required: d.boolean(n, "required"), Citation: d.string(n, "citation"), Text: d.string(n, "text"),
		HoldHours: d.integer(n, "hold_hours"), ObjectionHours: d.integer(n, "objection_hours"), RefusalGrounds: []Choice{},
	}
	for _, x := range d.array(n, "refusal_grounds") {
		o := d.object(x, "refusal_grounds[]")
		s.Notification.RefusalGrounds = append(s.Notification.RefusalGrounds, Choice{ID: d.string(o, "id"), Name: d.string(o, "name"), Citation: d.string(o, "citation")})
	}
	u := d.object(d.field(m, "user_notice"), "user_notice")
	s.UserNotice = UserNotice{Allowed: d.boolean(u, "allowed"), Until: d.string(u, "until"), Indefinite: d.boolean(u, "indefinite"), Gagged: d.boolean(u, "gagged"),
		Code: d.string(u, "code"), Reason: d.string(u, "reason")}
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
