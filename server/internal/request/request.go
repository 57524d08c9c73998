// Package request is the legal request an agency files: the process and the
// authority that issued it, the docket and dates, the targets (normalised
// identifiers), the date range and data categories asked for, the signed
// order as a PDF, the non-disclosure order and the emergency attestation.
//
// The package owns the request's data and its tables: drafts are created,
// edited and given their order here; every other package reads or changes a
// request through Load, Read, Advance, AddHistory and Refs (load.go), and
// read models that list requests join the request_summaries view. The
// request's life — submission and every state after it — belongs to the
// workflow, whose transitions move it through States. Every change is one
// database transaction holding the row, a history entry and an audit event.
// Inside an agency a request is need-to-know: the person who filed it, the
// colleagues they share it with and the agency's supervisors see it
// (AgencySees); anyone else, in the agency or in another, is told exactly
// what a missing request tells (NotFound), so its existence is never
// revealed. Provider staff see every request but drafts and
// emergencies awaiting their supervisor's co-signature (ProviderSees).
package request

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// Actions, as passed to Policy.Authorize and recorded in history and audit.
const (
	ActionCreate   = "request.create"
	ActionEdit     = "request.edit"
	ActionUpload   = "request.document.upload"
	ActionDownload = "request.document.download"
	ActionSubmit   = "request.submit"
	ActionView     = "request.view"
	ActionList     = "request.list"
	ActionReceipt  = "request.receipt"
)

// Target types.
const (
	TargetPhone     = "phone"      // E.164, "+15550100123"
	TargetUsername  = "username"   // case-folded, [a-z0-9._-]{3,32}
	TargetAccountID = "account_id" // the provider's account UUID, lowercase canonical form
	TargetEmail     = "email"      // lowercase addr-spec
)

// TargetTypes lists the target types in the order forms show them.
var TargetTypes = []string{TargetPhone, TargetUsername, TargetAccountID, TargetEmail}

// Categories are the data category ids of DESIGN.md's legal model, the only
// things that can ever be disclosed. "content" is accepted as input so the
// policy can refuse it with its reason (it is end-to-end encrypted).
var Categories = []string{"subscriber", "activity", "connection_log", "device", "contacts", "groups", "envelope", "content"}

// AuthorityKinds are the kinds of issuing authority DESIGN.md names.
var AuthorityKinds = []string{"court", "judge", "prosecutor", "grand_jury", "agency", "ocda", "designated_senior_officer"}

// MaxTargets is the most targets one request may name.
const MaxTargets = 50

// DefaultMaxUpload is the largest accepted document when Service.MaxUpload is 0.
const DefaultMaxUpload = 20 << 20

// An Authority is who issued the legal process.
type Authority struct {
	Kind     string `json:"kind" gorm:"column:kind"` // one of AuthorityKinds
	Name     string `json:"name" gorm:"column:name"`
	SignedBy string `json:"signed_by" gorm:"column:signed_by"`
}

// A Target is one identifier the request asks about, normalised (see
// NormalizeTarget).
type Target struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// A Nondisclosure says whether an authority forbade telling the user, until
// when, and who: IssuedBy is an authority kind, because in the U.S. only a
// court's order binds the provider (18 U.S.C. § 2705(b)). Empty IssuedBy
// means the authority that issued the process.
type Nondisclosure struct {
	Ordered  bool     `json:"ordered" gorm:"column:ordered"`
	Until    day.Date `json:"until" gorm:"column:until"`
	IssuedBy string   `json:"issued_by" gorm:"column:issued_by"`
}

// An Emergency is the officer's attestation that waiting for legal process
// risks death or serious physical injury; Narrative says what harm, to
// whom. An emergency has no court order: instead it gives the number the
// provider may call the officer back on (Callback, E.164) and names the
// supervisor of the agency who will co-sign it (SupervisorID, a people id),
// who is notified as soon as it is submitted.
type Emergency struct {
	Narrative    string `json:"narrative"`
	Callback     string `json:"callback"`
	SupervisorID string `json:"supervisor_id"`
}

// An Offence is what is being investigated, with the facts legal thresholds
// turn on.
type Offence struct {
	Description string `json:"description" gorm:"column:description"`
	// MaxPenaltyMonths is the longest custodial sentence the offence carries
	// for an adult, in months; nil when not stated. The API also takes it in
	// years, fractions allowed (0.5 is six months).
	MaxPenaltyMonths *float64 `json:"max_penalty_months" gorm:"column:max_penalty_months"`
	// Grounds are statutory grounds stated for the offence, ids from the
	// process's list in the catalogue (UK IPA s. 86(2A)(b); EU Art.
	// 5(4)(b)–(c)).
	Grounds CategoryList `json:"grounds" gorm:"column:grounds"`
	// SentenceMonths is the custodial sentence being executed, for an order
	// made to execute one (EU Art. 5(3)); nil otherwise.
	SentenceMonths *float64 `json:"sentence_months" gorm:"column:sentence_months"`
	// CommittedInIssuingState: the issuing authority believes the offence was
	// committed in its own State (EU Art. 8(2)(a)).
	CommittedInIssuingState bool `json:"committed_in_issuing_state" gorm:"column:committed_in_issuing_state"`
}

// clone returns o with its own copies of the pointed-to values.
func (o Offence) clone() Offence {
	o.Grounds = append(CategoryList(nil), o.Grounds...)
	if o.MaxPenaltyMonths != nil {
		v := *o.MaxPenaltyMonths
		o.MaxPenaltyMonths = &v
	}
	if o.SentenceMonths != nil {
		v := *o.SentenceMonths
		o.SentenceMonths = &v
	}
	return o
}

// CategoryList is a set of ids (categories, grounds), stored space-separated.
type CategoryList []string

// Value stores the list as space-separated ids.
func (c CategoryList) Value() (driver.Value, error) { return strings.Join(c, " "), nil }

// Scan reads space-separated ids.
func (c *CategoryList) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("request: cannot scan %T into categories", src)
	}
	*c = strings.Fields(s)
	return nil
}

// A Request is a legal request as stored. Targets, Documents and History are
// filled by Get only.
type Request struct {
	ID        string `gorm:"column:id;primaryKey"` // UUIDv7
	Reference string `gorm:"column:reference"`     // "WD-2026-000123"
	AgencyID  string `gorm:"column:agency_id"`
	CreatedBy string `gorm:"column:created_by"` // people.id: the filer, the officer responsible
	// FiledVia is the agency system the request was filed or submitted
	// through for the officer in CreatedBy (responsible.go); nil when a
	// person filed it in the pages or a system filed it on its own.
	FiledVia *string `gorm:"column:filed_via"`
	Status   State   `gorm:"column:status"`
	Version  int     `gorm:"column:version"` // incremented by every edit; Update takes the version it read

	Process            string        `gorm:"column:process"` // a catalogue id such as "us.subpoena"
	Authority          Authority     `gorm:"embedded;embeddedPrefix:authority_"`
	Docket             string        `gorm:"column:docket"`
	IssuedOn           day.Date      `gorm:"column:issued_on"`
	ExpiresOn          day.Date      `gorm:"column:expires_on"`
	DateFrom           day.Date      `gorm:"column:date_from"`
	DateTo             day.Date      `gorm:"column:date_to"`
	Categories         CategoryList  `gorm:"column:categories"`
	Nondisclosure      Nondisclosure `gorm:"embedded;embeddedPrefix:nondisclosure_"`
	Emergency          bool          `gorm:"column:emergency"`
	EmergencyNarrative string        `gorm:"column:emergency_narrative"`
	EmergencyCallback  string        `gorm:"column:emergency_callback"`
	// EmergencySupervisor is the supervisor named to co-sign the emergency;
	// nil when none is named (yet).
	EmergencySupervisor *string `gorm:"column:emergency_supervisor_id"`
	Purpose             string  `gorm:"column:purpose"` // a purpose id of the process, or ""
	Offence             Offence `gorm:"embedded;embeddedPrefix:offence_"`
	// PersonResides: the issuing authority believes the person whose data
	// is sought lives in its State (EU Art. 8(2)(b)).
	PersonResides bool   `gorm:"column:person_resides_in_issuing_state"`
	Summary       string `gorm:"column:summary"`

	// NationalSecurity is the scope decision's classification, stored when
	// the request is submitted: a national-security request is counted only
	// in bands, late (50 U.S.C. § 1874), and has no leaves in the public
	// log. It is decided per request, not per process: a UK IPA
	// authorisation is national-security only when its stated purpose is
	// (s. 60A(7)(a)). False for drafts.
	NationalSecurity bool `gorm:"column:national_security"`

	SubmittedAt *time.Time `gorm:"column:submitted_at"`
	CreatedAt   time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt   time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`

	Targets   []Target       `gorm:"-"`
	Documents []Document     `gorm:"-"`
	History   []HistoryEntry `gorm:"-"`
	// SharedWith are the colleagues the request is shared with (people
	// ids), as every read of the package fills it: the policy's
	// need-to-know rule reads them (AgencySees).
	SharedWith []string `gorm:"-"`
}

// TableName maps Request onto the requests table.
func (Request) TableName() string { return "requests" }

// Input returns the request's editable fields.
func (r *Request) Input() Input {
	in := Input{
		Process:          r.Process,
		IssuingAuthority: r.Authority,
		Docket:           r.Docket,
		IssuedOn:         r.IssuedOn,
		ExpiresOn:        r.ExpiresOn,
		Targets:          append([]Target(nil), r.Targets...),
		DateFrom:         r.DateFrom,
		DateTo:           r.DateTo,
		Categories:       append([]string(nil), r.Categories...),
		Nondisclosure:    r.Nondisclosure,
		Purpose:          r.Purpose,
		Offence:          r.Offence.clone(),
		PersonResides:    r.PersonResides,
		Summary:          r.Summary,
	}
	if r.Emergency {
		in.Emergency = &Emergency{Narrative: r.EmergencyNarrative, Callback: r.EmergencyCallback}
		if r.EmergencySupervisor != nil {
			in.Emergency.SupervisorID = *r.EmergencySupervisor
		}
	}
	return in
}

// set copies the editable fields of in onto r.
func (r *Request) set(in Input) {
	r.Process = in.Process
	r.Authority = in.IssuingAuthority
	r.Docket = in.Docket
	r.IssuedOn = in.IssuedOn
	r.ExpiresOn = in.ExpiresOn
	r.Targets = in.Targets
	r.DateFrom = in.DateFrom
	r.DateTo = in.DateTo
	r.Categories = CategoryList(in.Categories)
	r.Nondisclosure = in.Nondisclosure
	r.Emergency = in.Emergency != nil
	r.EmergencyNarrative, r.EmergencyCallback, r.EmergencySupervisor = "", "", nil
	if e := in.Emergency; e != nil {
		r.EmergencyNarrative, r.EmergencyCallback = e.Narrative, e.Callback
		if e.SupervisorID != "" {
			id := e.SupervisorID
			r.EmergencySupervisor = &id
		}
	}
	r.Purpose = in.Purpose
	r.Offence = in.Offence.clone()
	r.PersonResides = in.PersonResides
	r.Summary = in.Summary
}

// Input is every editable field of a request, as DESIGN.md's request body
// spells it. Create takes an Input; drafts may leave fields empty, but every
// value present must be valid. Emergency is nil when there is no emergency,
// and Offence.MaxPenaltyMonths nil when the penalty is not stated: those are
// the only pointers, because JSON null means something there.
type Input struct {
	Process          string        `json:"process"`
	IssuingAuthority Authority     `json:"issuing_authority"`
	Docket           string        `json:"docket"`
	IssuedOn         day.Date      `json:"issued_on"`
	ExpiresOn        day.Date      `json:"expires_on"`
	Targets          []Target      `json:"targets"`
	DateFrom         day.Date      `json:"date_from"`
	DateTo           day.Date      `json:"date_to"`
	Categories       []string      `json:"categories"`
	Nondisclosure    Nondisclosure `json:"nondisclosure"`
	Emergency        *Emergency    `json:"emergency"`
	Purpose          string        `json:"purpose"`
	Offence          Offence       `json:"offence"`
	PersonResides    bool          `json:"person_resides_in_issuing_state"`
	Summary          string        `json:"summary"`
}

// An Update changes some fields of a draft (PATCH). A nil field is left
// unchanged; a pointer to a zero value clears the field (an empty date, an
// empty target list). Objects are replaced whole. Emergency is a pointer to
// the new *Emergency: a pointer to nil withdraws the emergency attestation.
// DecodeUpdate builds an Update from JSON with exactly these semantics
// (absent: unchanged; null: cleared).
type Update struct {
	Process          *string
	IssuingAuthority *Authority
	Docket           *string
	IssuedOn         *day.Date
	ExpiresOn        *day.Date
	Targets          *[]Target
	DateFrom         *day.Date
	DateTo           *day.Date
	Categories       *[]string
	Nondisclosure    *Nondisclosure
	Emergency        **Emergency
	Purpose          *string
	Offence          *Offence
	PersonResides    *bool
	Summary          *string
}

// apply sets the fields u changes on in and returns their JSON names.
func (u Update) apply(in *Input) []string {
	var changed []string
	set := func(name string, ok bool, f func()) {
		if ok {
			f()
			changed = append(changed, name)
		}
	}
	set("process", u.Process != nil, func() { in.Process = *u.Process })
	set("issuing_authority", u.IssuingAuthority != nil, func() { in.IssuingAuthority = *u.IssuingAuthority })
	set("docket", u.Docket != nil, func() { in.Docket = *u.Docket })
	set("issued_on", u.IssuedOn != nil, func() { in.IssuedOn = *u.IssuedOn })
	set("expires_on", u.ExpiresOn != nil, func() { in.ExpiresOn = *u.ExpiresOn })
	set("targets", u.Targets != nil, func() { in.Targets = append([]Target(nil), (*u.Targets)...) })
	set("date_from", u.DateFrom != nil, func() { in.DateFrom = *u.DateFrom })
	set("date_to", u.DateTo != nil, func() { in.DateTo = *u.DateTo })
	set("categories", u.Categories != nil, func() { in.Categories = append([]string(nil), (*u.Categories)...) })
	set("nondisclosure", u.Nondisclosure != nil, func() { in.Nondisclosure = *u.Nondisclosure })
	set("emergency", u.Emergency != nil, func() { in.Emergency = *u.Emergency })
	set("purpose", u.Purpose != nil, func() { in.Purpose = *u.Purpose })
	set("offence", u.Offence != nil, func() { in.Offence = u.Offence.clone() })
	set("person_resides_in_issuing_state", u.PersonResides != nil, func() { in.PersonResides = *u.PersonResides })
	set("summary", u.Summary != nil, func() { in.Summary = *u.Summary })
	return changed
}

// A Document is an uploaded signed order. Its bytes are in the blob store
// under SHA256; Filename is the uploader's name for it, sanitised for display
// and never used as a path.
type Document struct {
	ID          string    `gorm:"column:id;primaryKey"`
	RequestID   string    `gorm:"column:request_id"`
	SHA256      string    `gorm:"column:sha256"`
	Size        int64     `gorm:"column:size_bytes"`
	Filename    string    `gorm:"column:filename"`
	ContentType string    `gorm:"column:content_type"`
	UploadedBy  string    `gorm:"column:uploaded_by"`
	CreatedAt   time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

// TableName maps Document onto request_documents.
func (Document) TableName() string { return "request_documents" }

// A HistoryEntry is one change to a request, shown to the agency and the
// provider alike.
type HistoryEntry struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	RequestID  string    `gorm:"column:request_id"`
	At         time.Time `gorm:"column:at"`
	ActorID    string    `gorm:"column:actor_id"` // people.id
	Action     string    `gorm:"column:action"`
	FromStatus State     `gorm:"column:from_status"`
	ToStatus   State     `gorm:"column:to_status"`
	Comment    string    `gorm:"column:comment"` // in English, for the API and the audit
	// Words are the comment's sentences the portal wrote, kept to say them
	// in each reader's language (workflow.SayHistory); '' when a person
	// wrote it all, or before migration 0023.
	Words string `gorm:"column:words"`
}

// TableName maps HistoryEntry onto request_history.
func (HistoryEntry) TableName() string { return "request_history" }

// targetRow is a target as stored.
type targetRow struct {
	ID        int64  `gorm:"column:id;primaryKey"`
	RequestID string `gorm:"column:request_id"`
	Position  int    `gorm:"column:position"`
	Type      string `gorm:"column:type"`
	Value     string `gorm:"column:value"`
}

func (targetRow) TableName() string { return "request_targets" }

// Policy is the seam to the legal policy engine. The production
// implementation adapts the OPA engine of package policy; tests use a small
// real implementation that decides by role.
type Policy interface {
	// Authorize decides whether actor may perform action on r (r is nil for
	// ActionList). It returns nil, or an error with code Forbidden or NotFound.
	Authorize(ctx context.Context, actor *identity.Principal, action string, r *Request) error
	// Scope returns what r may lawfully obtain when filed by agency a.
	Scope(ctx context.Context, r *Request, a *agency.Agency) (Scope, error)
	// Process returns the catalogue's entry for process id, and false when
	// the catalogue does not know it.
	Process(ctx context.Context, id string) (policy.Process, bool, error)
}

// A Scope is the policy's decision on what a request may obtain: the
// intersection of what it asks, what its process compels and what is
// retained, with a reason for everything cut.
// Its JSON form is DESIGN.md's "scope" object and what the audit trail records.
type Scope struct {
	Valid        bool              `json:"valid"`      // the request is well-formed for its process
	Errors       []errs.FieldError `json:"errors"`     // why it is not, per field
	Categories   []string          `json:"categories"` // authorised categories
	Refused      []Refusal         `json:"refused"`    // asked for but refused, with reasons
	DateFrom     string            `json:"date_from"`  // the authorised range, YYYY-MM-DD
	DateTo       string            `json:"date_to"`
	Warnings     []string          `json:"warnings"`
	Jurisdiction string            `json:"jurisdiction"` // e.g. "us"
	ProcessKind  string            `json:"process_kind"` // e.g. "subpoena", "emergency", "preservation"
	// Fields limits the fields an authorised category releases (see
	// policy.Scope.Fields); a category not listed releases all of its fields.
	Fields           map[string][]string `json:"fields"`
	NationalSecurity bool                `json:"national_security"` // reported only in bands, late
	Notification     policy.Notification `json:"notification"`      // another State's authority to notify (EU Art. 8)
	UserNotice       policy.UserNotice   `json:"user_notice"`       // whether, and from when, the account holder may be told
}

// A Refusal is a category the policy will not authorise, and why.
type Refusal struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
}

// Service files and reads legal requests.
type Service struct {
	DB        *gorm.DB
	Blobs     blob.Store
	Policy    Policy
	Log       *translog.Log    // the public log, for the agency's inclusion receipts; nil: none
	Now       func() time.Time // defaults to time.Now
	MaxUpload int64            // largest document in bytes; DefaultMaxUpload when 0
}

func (s *Service) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	// Both databases keep microseconds; truncate so a value read back equals
	// the one written.
	return now().UTC().Truncate(time.Microsecond)
}

func (s *Service) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return DefaultMaxUpload
}

// A Filter selects requests for List. Zero values do not filter.
type Filter struct {
	Status State // "" for all
	// Query finds a request by its reference, its docket or one of its
	// target identifiers, normalised as targets are when stored.
	Query    string
	AgencyID string // the filing agency (the provider's lists)
	Process  string // a catalogue id such as "us.subpoena"
	Cursor   string // from Page.NextCursor, or "" for the first page
	// Page numbers the pages from 1, in place of a cursor, for lists
	// people page back and forth in; List then counts the matches.
	Page  int
	Limit int // 1–100; 0 means 25
}

// A Page is one page of List, newest first.
type Page struct {
	Items      []Request
	Agencies   map[string]*agency.Agency // the items' agencies, by id
	NextCursor string                    // "" on the last page, and with page numbers
	// Number, Pages and Total are set with page numbers (Filter.Page):
	// this page's number, how many pages and how many requests match.
	Number, Pages, Total int
	// AwaitingCosign holds the ids of the items that are emergencies still
	// waiting for their supervisor's co-signature (only an agency's
	// people see such requests), so a list can say so.
	AwaitingCosign map[string]bool
}
