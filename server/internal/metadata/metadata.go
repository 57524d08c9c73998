// Package metadata is the provider's retained-metadata store: the accounts
// and the little an end-to-end-encrypted messaging service keeps about them
// (subscriber data, activity, connection events, devices, contacts and
// blocks as identifiers, group memberships, and routing envelopes collected
// only while a prospective order is live). Its schema has no column for
// message content, media, attachments or keys; a test lists every column of
// the whole database and fails on any not on a reviewed allow-list.
//
// The package enforces retention (Purge deletes what the policy no longer
// keeps, unless a preservation hold covers it), keeps preservation holds,
// resolves request targets to accounts exactly (a target that matches no
// account is reported, never guessed), streams extractions of an approved
// scope row by row so that memory does not grow with the number of records.
// The fictional data of the demo, the tests and the benchmarks is written by
// package demo.
package metadata

import (
	"slices"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// Category ids, as the policy catalogue names them.
const (
	Subscriber    = "subscriber"
	Activity      = "activity"
	ConnectionLog = "connection_log"
	Device        = "device"
	Contacts      = "contacts"
	Groups        = "groups"
	Envelope      = "envelope"
)

// Categories lists every category the store holds, in catalogue order.
// "content" is not among them: no content exists to hold.
var Categories = []string{Subscriber, Activity, ConnectionLog, Device, Contacts, Groups, Envelope}

// IsCategory reports whether c is a category the store holds.
func IsCategory(c string) bool { return slices.Contains(Categories, c) }

// Account statuses.
const (
	StatusActive  = "active"
	StatusDeleted = "deleted"
)

// An Account is one account of the messaging service: the subscriber
// category.
type Account struct {
	ID           string     `gorm:"column:id;primaryKey"` // UUID
	Phone        string     `gorm:"column:phone"`         // E.164
	Username     *string    `gorm:"column:username"`      // case-folded; nil when none chosen
	Email        *string    `gorm:"column:email"`         // lowercase; nil when none given
	ProfileName  string     `gorm:"column:profile_name"`
	Status       string     `gorm:"column:status"`
	RegisteredAt time.Time  `gorm:"column:registered_at"`
	DeletedAt    *time.Time `gorm:"column:deleted_at"`
}

// TableName maps Account onto md_accounts.
func (Account) TableName() string { return "md_accounts" }

// AccountActivity is the activity category: the latest values only.
type AccountActivity struct {
	AccountID    string   `gorm:"column:account_id;primaryKey"`
	ServiceStart day.Date `gorm:"column:service_start"`
	LastSeen     day.Date `gorm:"column:last_seen"`
}

// TableName maps AccountActivity onto md_activity.
func (AccountActivity) TableName() string { return "md_activity" }

// Connection events.
const (
	EventConnect    = "connect"
	EventDisconnect = "disconnect"
	EventRegister   = "register"
)

// A ConnectionEvent is one entry of the connection log.
type ConnectionEvent struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	AccountID string    `gorm:"column:account_id"`
	At        time.Time `gorm:"column:at"`
	IP        string    `gorm:"column:ip"`
	Port      int       `gorm:"column:port"`
	Event     string    `gorm:"column:event"`
}

// TableName maps ConnectionEvent onto md_connection_events.
func (ConnectionEvent) TableName() string { return "md_connection_events" }

// A DeviceRecord is one device of an account.
type DeviceRecord struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	AccountID   string    `gorm:"column:account_id"`
	DeviceNo    int       `gorm:"column:device_no"`
	Model       string    `gorm:"column:model"`
	OS          string    `gorm:"column:os"`
	AppVersion  string    `gorm:"column:app_version"`
	FirstSeenAt time.Time `gorm:"column:first_seen_at"`
	LastSeenAt  time.Time `gorm:"column:last_seen_at"`
}

// TableName maps DeviceRecord onto md_devices.
func (DeviceRecord) TableName() string { return "md_devices" }

// Contact kinds.
const (
	ContactEntry   = "contact"
	ContactBlocked = "blocked"
)

// A Contact is an address-book entry or a block: an identifier, never a name.
type Contact struct {
	ID         int64      `gorm:"column:id;primaryKey"`
	AccountID  string     `gorm:"column:account_id"`
	Kind       string     `gorm:"column:kind"`
	Identifier string     `gorm:"column:identifier"` // E.164
	AddedAt    time.Time  `gorm:"column:added_at"`
	RemovedAt  *time.Time `gorm:"column:removed_at"`
}

// TableName maps Contact onto md_contacts.
func (Contact) TableName() string { return "md_contacts" }

// A GroupMembership is an account's membership of a group.
type GroupMembership struct {
	ID          int64      `gorm:"column:id;primaryKey"`
	AccountID   string     `gorm:"column:account_id"`
	GroupID     string     `gorm:"column:group_id"` // opaque
	Role        string     `gorm:"column:role"`     // member or admin
	MemberCount int        `gorm:"column:member_count"`
	JoinedAt    time.Time  `gorm:"column:joined_at"`
	LeftAt      *time.Time `gorm:"column:left_at"`
}

// TableName maps GroupMembership onto md_group_memberships.
func (GroupMembership) TableName() string { return "md_group_memberships" }

// A CollectionOrder is a prospective order collecting routing metadata for
// one account from StartsAt until EndsAt (or StoppedAt).
type CollectionOrder struct {
	ID        int64      `gorm:"column:id;primaryKey"`
	RequestID string     `gorm:"column:request_id"`
	AccountID string     `gorm:"column:account_id"`
	StartsAt  time.Time  `gorm:"column:starts_at"`
	EndsAt    time.Time  `gorm:"column:ends_at"`
	StoppedAt *time.Time `gorm:"column:stopped_at"`
}

// TableName maps CollectionOrder onto md_collection_orders.
func (CollectionOrder) TableName() string { return "md_collection_orders" }

// Envelope types.
const (
	EnvelopeMessage = "message"
	EnvelopeCall    = "call"
	EnvelopeReceipt = "receipt"
)

// An EnvelopeRecord is the routing metadata of one message or call
// collected under a live order: never its content.
type EnvelopeRecord struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	OrderID   int64     `gorm:"column:order_id"`
	AccountID string    `gorm:"column:account_id"`
	At        time.Time `gorm:"column:at"`
	Sender    string    `gorm:"column:sender"`
	Recipient string    `gorm:"column:recipient"`
	Type      string    `gorm:"column:type"`
	SizeBytes int64     `gorm:"column:size_bytes"`
}

// TableName maps EnvelopeRecord onto md_envelopes.
func (EnvelopeRecord) TableName() string { return "md_envelopes" }

// Hold statuses.
const (
	HoldActive   = "active"
	HoldReleased = "released"
	HoldExpired  = "expired"
)

// A Hold keeps one account's rows of one category within [FromAt, ToAt)
// from being purged until ExpiresAt, for a preservation request.
type Hold struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	RequestID string    `gorm:"column:request_id"`
	AccountID string    `gorm:"column:account_id"`
	Category  string    `gorm:"column:category"`
	FromAt    time.Time `gorm:"column:from_at"`
	ToAt      time.Time `gorm:"column:to_at"`
	ExpiresAt time.Time `gorm:"column:expires_at"`
	Status    string    `gorm:"column:status"`
	CreatedAt time.Time `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName maps Hold onto md_holds.
func (Hold) TableName() string { return "md_holds" }

// Retention is how many days the provider keeps each category, from the
// policy catalogue: the one place the windows are written down.
type Retention map[string]int

// RetentionFrom reads the retention windows from the policy catalogue.
func RetentionFrom(c policy.Catalogue) Retention {
	r := Retention{}
	for _, cat := range c.Categories {
		r[cat.ID] = cat.RetentionDays
	}
	return r
}

// EnvelopeGraceDays is how long routing metadata collected under a
// prospective order is kept after the order ends, so that its production
// can be made; then it is purged. The policy retains nothing else of it.
const EnvelopeGraceDays = 30

// Cutoff is the oldest time category c still keeps at now: records whose
// retention clock started before it are purged. An unknown category keeps
// nothing.
func (r Retention) Cutoff(c string, now time.Time) time.Time {
	days, ok := r[c]
	if !ok {
		return now
	}
	return now.AddDate(0, 0, -days)
}

// Window turns an inclusive range of days into the instants [from, to).
func Window(from, to day.Date) (time.Time, time.Time) {
	return from.Time(), to.AddDays(1).Time()
}
