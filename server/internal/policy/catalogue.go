package policy

import (
	"context"
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/ast"
)

// A Catalogue is the policy's public law-enforcement guide: what the provider
// retains, which process of which jurisdiction compels what, and what can
// never be produced. GET /api/v1/catalogue and the /guide page render it.
type Catalogue struct {
	Provider            CatalogueProvider `json:"provider"`
	Categories          []Category        `json:"categories"`
	AuthorityKinds      []Named           `json:"authority_kinds"`
	TargetTypes         []Named           `json:"target_types"`
	Jurisdictions       []Jurisdiction    `json:"jurisdictions"`
	NeverProduced       []NeverProduced   `json:"never_produced"`
	CrossBorderGuidance string            `json:"cross_border_guidance"`
	Transparency        TransparencyRules `json:"transparency"`

	messages *Messages // the bundle's translations: In, Say
}

// TransparencyRules are how transparency reports protect investigations
// (see policies/catalogue/catalogue.rego, rule transparency).
type TransparencyRules struct {
	PeriodMonths              int      `json:"period_months"`                // 3, 6 or 12
	Threshold                 int      `json:"threshold"`                    // k: 1..k-1 show as "fewer than k"
	BandWidth                 int      `json:"band_width"`                   // national-security counts in bands this wide
	NationalSecurityDelayDays int      `json:"national_security_delay_days"` // bands appear this long after the period
	ComplementarySuppression  bool     `json:"complementary_suppression"`    // hide more counts so a protected one cannot be subtracted out
	Barred                    []string `json:"barred"`                       // what the provider may not report
}

// CatalogueProvider describes the provider; its home jurisdiction's process
// is domestic, every other arrives under an international instrument.
type CatalogueProvider struct {
	Name             string `json:"name"`
	HomeJurisdiction string `json:"home_jurisdiction"`
	// EULegalRepresentative: the Member State whose authority enforces EU
	// orders and is notified of them (Regulation (EU) 2023/1543, Art. 8).
	EULegalRepresentative struct {
		Country string `json:"country"`
		State   string `json:"state"`
	} `json:"eu_legal_representative"`
}

// A Category is a kind of data the provider retains (or, for content, never
// can produce).
type Category struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	RetentionDays   int    `json:"retention_days"`
	Retention       string `json:"retention"`
	TimeBound       bool   `json:"time_bound"`       // records are dated; a date range selects them
	ProspectiveOnly bool   `json:"prospective_only"` // never stored; collected under a live order
	Disclosable     bool   `json:"disclosable"`
}

// Named is an id with a display name.
type Named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// A Jurisdiction groups the processes of one legal order.
type Jurisdiction struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	LawName       string        `json:"law_name"` // for sentences: "U.S. law"
	Law           string        `json:"law"`
	Countries     []string      `json:"countries"` // whose agencies may use its processes
	Classes       []DataClass   `json:"classes"`
	Nondisclosure Nondisclosure `json:"nondisclosure"`
	Processes     []Process     `json:"processes"`
}

// A DataClass is a jurisdiction's own class of data, with our categories in it.
type DataClass struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Citation   string   `json:"citation"`
	Categories []string `json:"categories"`
}

// Nondisclosure describes a jurisdiction's orders not to tell the account
// holder; longer ones than FlagAfterDays go to counsel.
type Nondisclosure struct {
	Citation      string `json:"citation"`
	FlagAfterDays int    `json:"flag_after_days"`
	Text          string `json:"text"`
	// BindingIssuerKinds: only an order of these binds the provider (in the
	// U.S. a court's, 18 U.S.C. § 2705(b)); empty: any issuer's.
	BindingIssuerKinds []string `json:"binding_issuer_kinds"`
}

// A Process is one kind of legal process.
type Process struct {
	ID                     string          `json:"id"`
	Jurisdiction           string          `json:"jurisdiction"`
	Name                   string          `json:"name"`
	ShortName              string          `json:"short_name"` // for sentences: "a subpoena"
	Citation               string          `json:"citation"`
	Country                string          `json:"country"`
	IssuerKinds            []string        `json:"issuer_kinds"`
	Categories             []string        `json:"categories"` // what it can compel
	MaxRangeDays           int             `json:"max_range_days"`
	DeadlineHours          int             `json:"deadline_hours"`
	EmergencyDeadlineHours int             `json:"emergency_deadline_hours"` // 0: no emergency procedure
	Flags                  ProcessFlags    `json:"flags"`
	HoldDays               int             `json:"hold_days"`      // preservation
	ExtensionDays          int             `json:"extension_days"` // preservation, or a prospective order's extension
	CosignRequired         bool            `json:"cosign_required"`
	FollowUpDays           int             `json:"follow_up_days"` // legal process due after a voluntary disclosure
	CategoryClasses        []CategoryClass `json:"category_classes"`
	Requirements           []Requirement   `json:"requirements"`
	AppliesFrom            string          `json:"applies_from"` // "YYYY-MM-DD" or ""
	Notes                  []string        `json:"notes"`
	// Purposes the order must state one of (empty: none asked), such as
	// the purposes of UK IPA s. 60A(7).
	Purposes []Choice `json:"purposes"`
	// OffenceGrounds the request may state (UK IPA s. 86(2A)(b), EU Art.
	// 5(4)(b)–(c)); a requirement with GroundsSuffice is met by any.
	OffenceGrounds []Choice `json:"offence_grounds"`
	// Validity: how long an authorisation lasts, per issuer (UK IPA s. 65).
	Validity []Validity `json:"validity"`
	// ServeWithin: the order is void if not served within this many months
	// of being made (UK COPOA 2019 s. 9(1)); nil when no such rule.
	ServeWithin *ServeWithin `json:"serve_within"`
	// UrgentOnly: these issuers may issue the process only in an urgent
	// case, which the request states as an emergency (UK IPA s. 61A).
	UrgentOnly *UrgentOnly `json:"urgent_only"`
	// WindowFromIssue: a prospective order collects for at most this many
	// days from its date (18 U.S.C. § 3123(c)(1)).
	WindowFromIssue *WindowFromIssue `json:"window_from_issue"`
	// Excepted: why the process reaches nothing outside Categories, where
	// its statute excepts what the provider holds; nil otherwise.
	Excepted *Excepted `json:"excepted"`
	// Notification: another State's authority is notified of an order for
	// these classes (EU Art. 8); nil when none is.
	Notification *ProcessNotification `json:"notification"`
	// NationalSecurityPurposes: the process is national-security when the
	// request states one of these purposes (Flags.NationalSecurity: always).
	NationalSecurityPurposes []string `json:"national_security_purposes"`
	// UserNotice is the statute's word on telling the account holder.
	UserNotice ProcessNotice `json:"user_notice"`
	// HoldUntilProduced: once the issuing authority confirms that the
	// production request has been issued, a preservation under this process
	// is kept until the data is produced, with no end date (Regulation (EU)
	// 2023/1543, Art. 11(1)). The catalogue states it per process
	// ("hold_until_produced"); where it does not, it is false. (omitempty
	// only while the catalogue does not state it for every process, so that
	// the catalogue still round-trips through Go.)
	HoldUntilProduced bool `json:"hold_until_produced"`
}

// A Choice is one statutory option a request may state: a purpose, a
// ground, a listed offence. Classes, for a purpose, are the only classes of
// data an order for that purpose may reach (empty: any).
type Choice struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Citation string   `json:"citation"`
	Classes  []string `json:"classes,omitempty"`
	Limit    string   `json:"limit,omitempty"` // what an order for this purpose cannot reach, and why
}

// ServeWithin voids an order not served in time.
type ServeWithin struct {
	Months   int    `json:"months"`
	Citation string `json:"citation"`
}

// UrgentOnly names issuers who may act only in an urgent case.
type UrgentOnly struct {
	IssuerKinds []string `json:"issuer_kinds"`
	Citation    string   `json:"citation"`
}

// WindowFromIssue bounds a prospective order's collection from its date.
type WindowFromIssue struct {
	Days     int    `json:"days"`
	Citation string `json:"citation"`
}

// A ProcessNotification is who is notified of an order, and how long they
// have to object.
type ProcessNotification struct {
	Citation                string   `json:"citation"`
	Classes                 []string `json:"classes"`
	EnforcingState          string   `json:"enforcing_state"`
	HoldHours               int      `json:"hold_hours"`
	EmergencyObjectionHours int      `json:"emergency_objection_hours"`
	RefusalGrounds          []Choice `json:"refusal_grounds"`
}

// Excepted is a statute's exception of everything the provider holds.
type Excepted struct {
	Code     string `json:"code"`
	Citation string `json:"citation"`
	Text     string `json:"text"`
}

// A Validity is how long an authorisation by some issuers lasts.
type Validity struct {
	IssuerKinds []string `json:"issuer_kinds"`
	Months      int      `json:"months"`
	Days        int      `json:"days"`
	Citation    string   `json:"citation"`
}

// A ProcessNotice says whether the provider may tell the account holder of
// a request under the process, as the statute has it.
type ProcessNotice struct {
	// Rule: "allowed" (unless a binding order forbids it), "never" (the
	// statute forbids it, or another authority informs the person), or
	// "sealed" (not until a court unseals the order).
	Rule string `json:"rule"`
	// Gag: the statute forbids the provider to tell (false where another
	// authority informs the person instead).
	Gag      bool   `json:"gag"`
	Code     string `json:"code"`
	Citation string `json:"citation"`
	Text     string `json:"text"`
}

// ProcessFlags mark the special kinds of process.
type ProcessFlags struct {
	Prospective  bool `json:"prospective"`
	Preservation bool `json:"preservation"`
	Emergency    bool `json:"emergency"`
	Voluntary    bool `json:"voluntary"`
	// NationalSecurity: reports count its requests only in bands, late.
	NationalSecurity bool `json:"national_security"`
}

// A CategoryClass maps one of our categories onto the jurisdiction's class.
type CategoryClass struct {
	Category   string   `json:"category"`
	Class      string   `json:"class"`
	ClassName  string   `json:"class_name"`
	Exceptions []string `json:"exceptions"`
}

// A Requirement binds the categories of some classes under a process: who
// must issue it, the least maximum penalty (in months) unless a stated
// ground suffices, and for which purposes it applies.
type Requirement struct {
	Classes             []string `json:"classes"`
	IssuerKinds         []string `json:"issuer_kinds"` // empty: any issuer of the process
	MinMaxPenaltyMonths int      `json:"min_max_penalty_months"`
	MinSentenceMonths   int      `json:"min_sentence_months"` // a sentence being executed (EU Art. 5(3))
	GroundsSuffice      bool     `json:"grounds_suffice"`     // a stated offence ground meets the threshold
	Purposes            []string `json:"purposes"`            // empty: whatever the purpose
	Code                string   `json:"code"`
	Citation            string   `json:"citation"`
	Text                string   `json:"text"`
}

// NeverProduced is something no process can obtain, and why.
type NeverProduced struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
}

// Catalogue returns the whole catalogue. An evaluation failure is returned as
// an Internal error (and logged).
func (e *Engine) Catalogue(ctx context.Context) (Catalogue, error) {
	return decide(ctx, e, (*memo[Catalogue])(nil), e.catalogue, queryCatalogue, ast.NewObject(), func(v any) (Catalogue, error) {
		// Rendered rarely (a page, a public API), so JSON is fast enough.
		b, err := json.Marshal(v)
		if err != nil {
			return Catalogue{}, err
		}
		var c Catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			return Catalogue{}, err
		}
		c.messages = e.messages
		return c, nil
	})
}

// CatalogueIn returns the catalogue said in lang (Catalogue.In), worked
// out once per language: the catalogue is a constant of the bundle (its
// query takes no input and reads no clock), and saying it in German walks
// every text (about 2 ms), too much for every page that shows it. Callers
// share the copy: they read it, never change it.
func (e *Engine) CatalogueIn(ctx context.Context, lang string) (Catalogue, error) {
	if c, ok := e.said.Load(lang); ok {
		return c.(Catalogue), nil
	}
	c, err := e.Catalogue(ctx)
	if err != nil {
		return Catalogue{}, err
	}
	c = c.In(lang)
	e.said.Store(lang, c)
	return c, nil
}

// Process returns process id, and false when the catalogue has none.
func (c Catalogue) Process(id string) (Process, bool) {
	for _, j := range c.Jurisdictions {
		for _, p := range j.Processes {
			if p.ID == id {
				return p, true
			}
		}
	}
	return Process{}, false
}

// AlwaysEmergency reports whether every request under p is an emergency:
// p is an emergency process (flags.emergency), such as a U.S. emergency
// disclosure request, so choosing it is what makes a request one.
func (p Process) AlwaysEmergency() bool { return p.Flags.Emergency }

// MayBeEmergency reports whether a request under p may state an emergency:
// an emergency process, or one with an emergency procedure of its own (EU
// Art. 10(4): eight hours; UK IPA s. 61A: an urgent authorisation), as the
// disclosure policy's has_emergency_procedure has it.
func (p Process) MayBeEmergency() bool { return p.Flags.Emergency || p.EmergencyDeadlineHours > 0 }

// CategoryName is the name of category id, or id itself when unknown.
func (c Catalogue) CategoryName(id string) string {
	for _, x := range c.Categories {
		if x.ID == id {
			return x.Name
		}
	}
	return id
}

// AuthorityName is how the catalogue names an issuing authority kind, or
// the kind itself when unknown.
func (c Catalogue) AuthorityName(kind string) string {
	for _, x := range c.AuthorityKinds {
		if x.ID == kind {
			return x.Name
		}
	}
	return kind
}

// Languages are the languages the catalogue's bundle says its texts in
// besides English (In, Say).
func (c Catalogue) Languages() []string {
	if c.messages == nil {
		return nil
	}
	return c.messages.Languages()
}
