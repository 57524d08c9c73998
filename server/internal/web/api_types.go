package web

import (
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// The API's JSON shapes. They are separate from the domain structs, so an
// internal field is never serialised by accident; converters in
// api_convert.go cross the boundary. Pages render the same shapes.

type apiAgencyRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

type apiAuthority struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	SignedBy string `json:"signed_by"`
}

type apiTarget struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type apiNondisclosure struct {
	Ordered  bool     `json:"ordered"`
	Until    day.Date `json:"until"`
	IssuedBy string   `json:"issued_by"` // an authority kind; "" when not ordered
}

type apiEmergency struct {
	Narrative    string `json:"narrative"`
	Callback     string `json:"callback"`      // E.164: where the provider may call the officer back
	SupervisorID string `json:"supervisor_id"` // the people id of the supervisor named to co-sign
}

type apiOffence struct {
	Description string `json:"description"`
	// The maximum penalty, in months and (for older clients) in years.
	MaxPenaltyMonths        *float64 `json:"max_penalty_months"`
	MaxPenaltyYears         *float64 `json:"max_penalty_years"`
	Grounds                 []string `json:"grounds"`
	SentenceMonths          *float64 `json:"sentence_months"`
	CommittedInIssuingState bool     `json:"committed_in_issuing_state"`
}

type apiDocument struct {
	ID         string    `json:"id"`
	Filename   string    `json:"filename"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	UploadedAt time.Time `json:"uploaded_at"`
	URL        string    `json:"url"`
}

type apiHistory struct {
	ID      int64     `json:"-"` // the history row, which its internal note is kept beside
	At      time.Time `json:"at"`
	Action  string    `json:"action"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Comment string    `json:"comment,omitempty"`
	// ActorID is who acted; pages name them (historyActors), the API does
	// not show it.
	ActorID string `json:"-"`
	// Words are the comment's sentences the portal wrote, for pages to say
	// in the reader's language (workflow.SayHistory); the API shows Comment.
	Words string `json:"-"`
	// InternalNote is the row's internal part in English (what provider
	// staff typed as internal, and the portal's routing note): present
	// only in the provider's view (toAPIWorkflow), never the agency's.
	InternalNote string `json:"internal_note,omitempty"`
	// internal is InternalNote, for pages to say in the reader's language.
	internal *workflow.InternalNote
}

type apiRefusal struct {
	Category string `json:"category"`
	Code     string `json:"code,omitempty"`
	Reason   string `json:"reason"`
}

// apiScope is the policy's scope decision, in the shape of DESIGN.md.
type apiScope struct {
	Valid        bool              `json:"valid"`
	Categories   []string          `json:"categories"`
	Refused      []apiRefusal      `json:"refused"`
	DateFrom     string            `json:"date_from,omitempty"`
	DateTo       string            `json:"date_to,omitempty"`
	Warnings     []string          `json:"warnings"`
	Errors       []errs.FieldError `json:"errors,omitempty"`
	Jurisdiction string            `json:"jurisdiction,omitempty"`
	ProcessKind  string            `json:"process_kind,omitempty"`
	// Fields limits what a category releases (EU identification data).
	Fields           map[string][]string   `json:"fields,omitempty"`
	NationalSecurity bool                  `json:"national_security"`
	Notification     *apiStateNotification `json:"notification,omitempty"` // present when another authority must be notified
	UserNotice       apiUserNotice         `json:"user_notice"`
}

// apiStateNotification is the notification of another State's authority (EU Art. 8).
type apiStateNotification struct {
	Citation       string      `json:"citation"`
	Text           string      `json:"text"`
	HoldHours      int         `json:"hold_hours"`
	ObjectionHours int         `json:"objection_hours"`
	RefusalGrounds []apiChoice `json:"refusal_grounds"`
}

type apiChoice struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Citation string `json:"citation,omitempty"`
}

// apiUserNotice says whether, and from when, the account holder may be told.
type apiUserNotice struct {
	Allowed    bool   `json:"allowed"`
	Until      string `json:"until,omitempty"`
	Indefinite bool   `json:"indefinite"`
	Code       string `json:"code"`
	Reason     string `json:"reason"`
}

type apiRequest struct {
	ID               string           `json:"id"`
	Reference        string           `json:"reference"`
	Status           string           `json:"status"`
	Version          int              `json:"version"`
	Agency           apiAgencyRef     `json:"agency"`
	Process          string           `json:"process"`
	IssuingAuthority apiAuthority     `json:"issuing_authority"`
	Docket           string           `json:"docket"`
	IssuedOn         day.Date         `json:"issued_on"`
	ExpiresOn        day.Date         `json:"expires_on"`
	Targets          []apiTarget      `json:"targets"`
	DateFrom         day.Date         `json:"date_from"`
	DateTo           day.Date         `json:"date_to"`
	Categories       []string         `json:"categories"`
	Nondisclosure    apiNondisclosure `json:"nondisclosure"`
	Emergency        *apiEmergency    `json:"emergency"`
	Purpose          string           `json:"purpose"`
	Offence          apiOffence       `json:"offence"`
	PersonResides    bool             `json:"person_resides_in_issuing_state"`
	Summary          string           `json:"summary"`
	Documents        []apiDocument    `json:"documents"`
	History          []apiHistory     `json:"history,omitempty"`
	Scope            *apiScope        `json:"scope,omitempty"`
	// FiledVia is the agency system the request was filed through for
	// its officer (an RFC 8693 token acting for them); absent otherwise,
	// and in lists.
	FiledVia    *apiPersonRef `json:"filed_via,omitempty"`
	SubmittedAt *time.Time    `json:"submitted_at"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`

	// Where the request stands in the review (api_workflow.go); absent in lists.
	Queue          string        `json:"queue,omitempty"`
	Assignee       *apiPersonRef `json:"assignee,omitempty"` // provider staff only
	Deadline       *time.Time    `json:"deadline,omitempty"`
	Overdue        bool          `json:"overdue,omitempty"`
	Messages       []apiMessage  `json:"messages,omitempty"`
	AllowedActions []string      `json:"allowed_actions,omitempty"` // what the caller may do now
	Workflow       *apiWorkflow  `json:"workflow,omitempty"`
	// Signals are the requester signals, for the provider's staff only
	// (casefile.File.Signals): absent for an agency, whatever it reads.
	Signals *[]apiSignal `json:"signals,omitempty"`
	// cosigning: a list item that is an emergency awaiting its
	// supervisor's co-signature (request.Page.AwaitingCosign); a list
	// carries no workflow view to tell.
	cosigning bool
}

// AwaitingCosign reports whether the request is an emergency still
// waiting for its supervisor's co-signature: submitted, but not yet with
// the provider.
func (r apiRequest) AwaitingCosign() bool {
	return r.Status == string(request.StateSubmitted) && (r.cosigning || r.Workflow != nil && r.Workflow.Emergency && r.Workflow.Cosign == nil)
}

// An apiSignal is one requester signal: its code and its reason.
type apiSignal struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// SignalList is the request's signals for a page: nil when the reader
// may not see them.
func (r apiRequest) SignalList() []apiSignal {
	if r.Signals == nil {
		return nil
	}
	return *r.Signals
}

type apiRequestList struct {
	Items      []apiRequest `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
	// With page numbers (?page=): this page, how many pages, how many match.
	Page  int `json:"page,omitempty"`
	Pages int `json:"pages,omitempty"`
	Total int `json:"total,omitempty"`
}
