package workflow

import (
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Case is a submitted request's place in the workflow: its team queue,
// assignee and deadline, and what the review has recorded so far. Status is
// a copy of requests.status written in the same transaction, so that a
// queue page is one index range scan.
type Case struct {
	RequestID         string     `gorm:"column:request_id;primaryKey"`
	Status            State      `gorm:"column:status"`
	Queue             string     `gorm:"column:queue"` // "" while in no queue
	AssigneeID        *string    `gorm:"column:assignee_id"`
	DueAt             time.Time  `gorm:"column:due_at"` // noDeadline when the state has none
	Overdue           bool       `gorm:"column:overdue"`
	Emergency         bool       `gorm:"column:emergency"`
	Kind              string     `gorm:"column:kind"` // legal_process, emergency or preservation
	ApprovalsRequired int        `gorm:"column:approvals_required"`
	CosignedBy        *string    `gorm:"column:cosigned_by"`
	CosignedAt        *time.Time `gorm:"column:cosigned_at"`
	VerifiedBy        *string    `gorm:"column:verified_by"`
	VerifiedAt        *time.Time `gorm:"column:verified_at"`
	Verification      string     `gorm:"column:verification"` // JSON Verification
	Decision          string     `gorm:"column:decision"`     // JSON Decision
	HoldUntil         *time.Time `gorm:"column:hold_until"`
	Extended          bool       `gorm:"column:extended"`
	FollowUpDue       *time.Time `gorm:"column:follow_up_due"`
	FollowUpMetAt     *time.Time `gorm:"column:follow_up_met_at"`
	FollowUpOverdue   bool       `gorm:"column:follow_up_overdue"`
	RoutedAt          time.Time  `gorm:"column:routed_at"`
	UpdatedAt         time.Time  `gorm:"column:updated_at"`
	// EA is the notification of the enforcing authority of an EU order
	// (Regulation (EU) 2023/1543, Art. 8) and its answer; zero when none
	// was notified.
	EA Enforcement `gorm:"embedded;embeddedPrefix:ea_"`
	// ProductionConfirmedAt: the issuing authority confirmed that the
	// production request a European preservation awaits has been issued,
	// so the records are kept until produced (Art. 11(1)); HoldUntil is nil
	// from then on.
	ProductionConfirmedAt *time.Time `gorm:"column:production_confirmed_at"`
	ProductionConfirmedBy *string    `gorm:"column:production_confirmed_by"`
}

// An Enforcement is what the workflow knows of the authority notified of
// an EU production order for traffic data (Regulation (EU) 2023/1543, Art.
// 8): the Member State of the provider's legal representative. It is
// recorded when intake verifies the order, counted from the order's
// receipt, because the issuing authority notifies that authority by sending
// it the order at the same time as the provider (Art. 8(1)).
type Enforcement struct {
	Country    string     `gorm:"column:country"` // ISO 3166; "" when none was notified
	State      string     `gorm:"column:state"`   // its name, "Ireland"
	NotifiedAt *time.Time `gorm:"column:notified_at"`
	RecordedBy *string    `gorm:"column:recorded_by"` // intake's verifier
	// ProduceAfter: production waits until then (the 10 days of Art.
	// 10(2)) unless the authority confirms earlier that it raises no ground
	// for refusal; nil in an emergency, which is produced at once.
	ProduceAfter *time.Time `gorm:"column:produce_after"`
	// ObjectionUntil: the authority may raise a ground for refusal until
	// then (10 days; 96 hours in an emergency, Art. 10(4)); later answers
	// are not recorded.
	ObjectionUntil  *time.Time           `gorm:"column:objection_until"`
	Citation        string               `gorm:"column:citation"`
	RefusalGrounds  string               `gorm:"column:refusal_grounds"` // JSON []policy.Choice: the Art. 12(1) checklist, as notified
	Answer          string               `gorm:"column:answer"`          // "", AnswerNoGrounds or AnswerGroundsRaised
	Grounds         request.CategoryList `gorm:"column:grounds"`         // ids of the grounds raised
	AnsweredAt      *time.Time           `gorm:"column:answered_at"`
	AnsweredBy      *string              `gorm:"column:answered_by"`
	AfterProduction bool                 `gorm:"column:after_production"` // the objection came after the data was produced
	Comment         string               `gorm:"column:comment"`
}

// Notified reports whether an enforcing authority was notified.
func (n Enforcement) Notified() bool { return n.NotifiedAt != nil }

// productionHeld returns when the production of an approved request may
// start, and whether that is still ahead at now: an order notified to the
// enforcing authority waits for the end of its 10 days unless the
// authority has confirmed that it raises no ground for refusal (Art.
// 10(2)).
func (c *Case) productionHeld(now time.Time) (time.Time, bool) {
	n := c.EA
	if n.ProduceAfter == nil || n.Answer == AnswerNoGrounds || !now.Before(*n.ProduceAfter) {
		return time.Time{}, false
	}
	return *n.ProduceAfter, true
}

// objectionOpen reports whether the enforcing authority may still answer
// at now.
func (n Enforcement) objectionOpen(now time.Time) bool {
	return n.Notified() && n.Answer == "" && n.ObjectionUntil != nil && now.Before(*n.ObjectionUntil)
}

// Answers an enforcing authority gives, recorded by the provider's
// reviewer.
const (
	AnswerNoGrounds     = "no_grounds"     // it raises no ground for refusal: produce now (Art. 10(2))
	AnswerGroundsRaised = "grounds_raised" // it raises one of the Art. 12(1) grounds: nothing is produced
)

// Answers lists the answers an enforcing authority gives.
var Answers = []string{AnswerNoGrounds, AnswerGroundsRaised}

// TableName maps Case onto workflow_requests.
func (Case) TableName() string { return "workflow_requests" }

// Kinds of request, as the scope decision's process_kind names them.
const (
	KindLegalProcess = "legal_process"
	KindEmergency    = "emergency"
	KindPreservation = "preservation"
)

// An Approval is one person's approval of a request: Seq 1 approves, Seq 2
// countersigns. (Issuer, Subject) is unique per request.
type Approval struct {
	RequestID string    `gorm:"column:request_id;primaryKey"`
	Seq       int       `gorm:"column:seq;primaryKey"`
	PersonID  string    `gorm:"column:person_id"`
	Issuer    string    `gorm:"column:issuer"`
	Subject   string    `gorm:"column:subject"`
	Role      string    `gorm:"column:role"`
	Scope     string    `gorm:"column:scope"` // JSON Decision
	At        time.Time `gorm:"column:at"`
}

// TableName maps Approval onto workflow_approvals.
func (Approval) TableName() string { return "workflow_approvals" }

// A Link says that a request follows up an earlier one of its agency: the
// legal process after an emergency disclosure, or the production request
// that fulfils a preservation.
type Link struct {
	RequestID string    `gorm:"column:request_id;primaryKey"`
	LinkedID  string    `gorm:"column:linked_id"`
	LinkedBy  string    `gorm:"column:linked_by"`
	LinkedAt  time.Time `gorm:"column:linked_at"`
}

// TableName maps Link onto workflow_links.
func (Link) TableName() string { return "workflow_links" }

// Sides of a message.
const (
	SideProvider = "provider"
	SideAgency   = "agency"
)

// A Message is a reviewer's question or an officer's answer.
type Message struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	RequestID string    `gorm:"column:request_id"`
	At        time.Time `gorm:"column:at"`
	AuthorID  string    `gorm:"column:author_id"`
	Side      string    `gorm:"column:side"`
	Body      string    `gorm:"column:body"`
}

// TableName maps Message onto workflow_messages.
func (Message) TableName() string { return "workflow_messages" }

// Audiences of a notification.
const (
	AudienceAgency   = "agency"
	AudienceProvider = "provider"
)

// E-mail states of a notification.
const (
	EmailNone    = "none"    // not e-mailed (no SMTP configured)
	EmailPending = "pending" // a River job will send it
	EmailSent    = "sent"
	EmailFailed  = "failed" // gave up after River's retries
)

// A Notification is one entry of the outbox: shown in the portal to its
// audience (an agency's people, or a provider team) or to one person of it,
// and e-mailed when SMTP is configured.
type Notification struct {
	ID         int64      `gorm:"column:id;primaryKey"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	RequestID  *string    `gorm:"column:request_id"`
	Audience   string     `gorm:"column:audience"`
	AgencyID   *string    `gorm:"column:agency_id"`
	PersonID   *string    `gorm:"column:person_id"` // the one person of the audience it is addressed to; nil: all of them
	Team       string     `gorm:"column:team"`
	Kind       string     `gorm:"column:kind"` // question, answer, decision, deadline, cosign, …
	Subject    string     `gorm:"column:subject"`
	Body       string     `gorm:"column:body"`
	Words      string     `gorm:"column:words"` // subject and body as Phrases (JSON), to say them in each reader's language; '' before migration 0022
	EmailState string     `gorm:"column:email_state"`
	EmailedAt  *time.Time `gorm:"column:emailed_at"`
}

// TableName maps Notification onto notifications.
func (Notification) TableName() string { return "notifications" }

// A Verification is what intake recorded before review: how it verified the
// requester and the document, and for an emergency the callback it made to
// the agency on a number it found independently.
type Verification struct {
	Requester string    `json:"requester"` // how the requester's identity and authority were checked
	Document  string    `json:"document"`  // how the order was checked
	Callback  *Callback `json:"callback,omitempty"`
}

// A Callback is intake's call to the requesting agency, on a number of
// the agency's callback directory (DirectoryID), never one taken from the
// request. Number and Directory are copied from the directory entry when
// the call is recorded (verifications before the directory carry only
// them, as typed).
type Callback struct {
	DirectoryID string `json:"directory_id,omitempty"` // agency.CallbackEntry.ID
	Number      string `json:"number,omitempty"`       // E.164, the number called
	Directory   string `json:"directory,omitempty"`    // the entry's label and where the provider found it
	Outcome     string `json:"outcome"`                // confirmed, not_confirmed or no_answer
	Note        string `json:"note,omitempty"`
}

// Callback outcomes.
var CallbackOutcomes = []string{"confirmed", "not_confirmed", "no_answer"}

// Decision outcomes.
const (
	OutcomeApproved = "approved" // everything the scope decision allows
	OutcomeNarrowed = "narrowed" // less than the scope decision allows
	OutcomeRejected = "rejected"
)

// A Decision is what was decided: the approved scope, or the rejection.
type Decision struct {
	Outcome    string           `json:"outcome"`
	Categories []string         `json:"categories,omitempty"`
	Targets    []request.Target `json:"targets,omitempty"`
	DateFrom   string           `json:"date_from,omitempty"`
	DateTo     string           `json:"date_to,omitempty"`
	ReasonCode string           `json:"reason_code,omitempty"`
	Reason     string           `json:"reason,omitempty"`

	// Fields: for a category listed, only these fields are released (the
	// policy's scope decision; EU identification data, Reg. 2023/1543
	// Art. 3(10)). A category not listed releases every field.
	Fields map[string][]string `json:"fields,omitempty"`
}

// ReasonEnforcingAuthorityRefusal is the rejection of an EU order whose
// enforcing authority raised a ground for refusal (Regulation (EU)
// 2023/1543, Art. 12): the workflow sets it when that answer is recorded
// (ActionRecordEnforcingAuthority), never a reviewer's reject.
const ReasonEnforcingAuthorityRefusal = "enforcing_authority_refusal"

// ReasonCodes are the reasons a request can be rejected for.
var ReasonCodes = []string{
	"insufficient_process", "overbroad", "defective_document", "wrong_jurisdiction",
	"no_such_account", "suspected_fraud", ReasonEnforcingAuthorityRefusal, "other",
}

// ReviewerReasonCodes are the reasons a reviewer rejects a request for
// (ActionReject): every reason but those the workflow gives itself.
func ReviewerReasonCodes() []string {
	out := make([]string, 0, len(ReasonCodes))
	for _, c := range ReasonCodes {
		if c != ReasonEnforcingAuthorityRefusal {
			out = append(out, c)
		}
	}
	return out
}
