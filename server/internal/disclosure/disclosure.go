// Package disclosure builds and delivers productions: for an approved
// request it extracts exactly the approved scope from the metadata store,
// packages it (a zip with <category>.json and <category>.csv per category,
// a README for the recipient, and a manifest with the SHA-256 of every
// file, signed with Ed25519), seals it for the requesting agency (age, to
// the recipient the agency registered, or at rest with a per-package key),
// serves it to the agency's officers while its link is valid (every download
// audited with the SHA-256 of the bytes sent; afterwards 410 Gone and the
// blob deleted), and owes a notice to each affected account holder as the
// legal policy decides: withheld where the law forbids telling them,
// scheduled while a binding or sealed order is in force, queued otherwise.
//
// Produce is idempotent and safe to run again at any point: the workflow's
// producing job calls it, and after a crash or a failure it resumes the
// same production rather than making a second package.
package disclosure

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// Production statuses.
const (
	StatusQueued   = "queued"   // the decided scope is recorded; the build job is pending
	StatusBuilding = "building" // an attempt is extracting and packaging
	StatusReady    = "ready"    // sealed, stored and downloadable until ExpiresAt
	StatusFailed   = "failed"   // the last attempt failed; Error says why; retry rebuilds
	StatusExpired  = "expired"  // the link has lapsed and the blob is deleted
)

// Sealing says how a package is encrypted at rest.
const (
	SealRecipient = "recipient" // to the agency's age recipient: a .zip.age only the agency opens
	SealAtRest    = "at_rest"   // with a per-package key: the portal decrypts it to serve it
)

// Outcomes.
const (
	OutcomeRecords   = "records_found"
	OutcomeNoRecords = "no_records_found"
)

// Audit actions.
const (
	ActionQueue = "production.queue"
	ActionBuild = "production.build"
	ActionReady = "production.ready"
	ActionFail  = "production.fail"
	ActionRetry = "production.retry"
	// ActionRecipientManage is what the policy is asked for every action on
	// an agency's key.
	ActionRecipientManage = "agency.recipient.manage"
	// ActionNoticeList is what the policy is asked before the user notices
	// are shown.
	ActionNoticeList    = "notice.list"
	ActionDownloadStart = "production.download.start"
	ActionDownload      = "production.download"
	ActionExpire        = "production.expire"
	ActionRecipientGet  = "agency.recipient.get"
	ActionRecipientSet  = "agency.recipient.set"
	ActionRecipientDel  = "agency.recipient.delete"
	ActionNoticeQueue   = "notice.queue"
	ActionNoticeRelease = "notice.release"
	ActionNoticeSend    = "notice.send"
	// ActionNoticeWithhold: the policy forbids telling the account holders.
	ActionNoticeWithhold = "notice.withhold"
	// ActionNoticeReschedule: an order's end moved (a court extended it,
	// or recorded an end for a sealed one).
	ActionNoticeReschedule = "notice.reschedule"
	// ActionDownloadPolicy is the policy's authz action for downloads.
	ActionDownloadPolicy = "request.production.download"
)

// DefaultTTL is how long a download link stays valid.
const DefaultTTL = 30 * 24 * time.Hour

// A Production is one request's package as stored.
type Production struct {
	ID             string     `gorm:"column:id;primaryKey"` // UUIDv7
	RequestID      string     `gorm:"column:request_id"`
	AgencyID       string     `gorm:"column:agency_id"`
	Status         string     `gorm:"column:status"`
	Attempts       int        `gorm:"column:attempts"`
	Error          string     `gorm:"column:error"`  // the last failure, safe to show
	Scope          string     `gorm:"column:scope"`  // the approved scope produced, JSON
	Counts         string     `gorm:"column:counts"` // records per category, JSON
	Outcome        string     `gorm:"column:outcome"`
	Sealing        string     `gorm:"column:sealing"`
	Recipient      string     `gorm:"column:recipient"`
	BlobSHA256     string     `gorm:"column:blob_sha256"`
	BlobSize       int64      `gorm:"column:blob_size"`
	ServedSHA256   string     `gorm:"column:served_sha256"`
	ServedSize     int64      `gorm:"column:served_size"`
	ManifestSHA256 string     `gorm:"column:manifest_sha256"`
	ProducedAt     *time.Time `gorm:"column:produced_at"`
	ExpiresAt      *time.Time `gorm:"column:expires_at"`
	DeletedAt      *time.Time `gorm:"column:deleted_at"`
	CreatedAt      time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName maps Production onto productions.
func (Production) TableName() string { return "productions" }

// Filename is the name a download is saved under: the request's
// reference, ".zip", and ".age" when it is sealed to the agency's recipient.
func (p *Production) Filename(reference string) string {
	name := reference
	if name == "" {
		name = "production-" + p.ID
	}
	if p.Sealing == SealRecipient {
		return name + ".zip.age"
	}
	return name + ".zip"
}

// A Download is one download of a production, as recorded.
type Download struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	ProductionID string    `gorm:"column:production_id"`
	PersonID     string    `gorm:"column:person_id"`
	At           time.Time `gorm:"column:at"`
	SHA256       string    `gorm:"column:sha256"`
	Bytes        int64     `gorm:"column:bytes"`
	Complete     bool      `gorm:"column:complete"`
}

// TableName maps Download onto production_downloads.
func (Download) TableName() string { return "production_downloads" }

// A Recipient is an agency's registered age recipient (a public key).
type Recipient struct {
	AgencyID  string    `gorm:"column:agency_id;primaryKey"`
	Recipient string    `gorm:"column:recipient"`
	SetBy     string    `gorm:"column:set_by"` // people.id
	CreatedAt time.Time `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName maps Recipient onto agency_recipients.
func (Recipient) TableName() string { return "agency_recipients" }

// ReadyFunc is called inside the transaction that makes a production ready
// for the first time. The workflow uses it to move the request from
// producing to disclosed and to notify the officer, atomically with the
// package becoming available; an error rolls everything back and the
// production is retried.
type ReadyFunc func(ctx context.Context, tx *gorm.DB, p *Production, r *request.Request) error

// A Service produces and delivers packages.
type Service struct {
	DB       *db.DB
	Blobs    blob.Store
	Metadata *metadata.Store
	Policy   *policy.Engine // the catalogue (process names) and, through Authz, downloads
	// Authz decides downloads with the policy's authz decision
	// (request.NewPolicy(engine)).
	Authz request.Policy
	// Scopes tells Produce what was approved when Enqueue recorded no
	// decided scope. Default: PolicyScope, the policy's scope decision on
	// the request as filed.
	Scopes ScopeSource
	Keys   *Keys
	// OnReady, when set, runs in the transaction that first makes a
	// production ready (see ReadyFunc).
	OnReady ReadyFunc
	// Jobs, when set, receives the River jobs the service schedules (user
	// notices at the end of a non-disclosure order, outbox deliveries) in
	// the same transaction as the change that needs them. Without it the
	// periodic jobs pick the work up.
	Jobs JobInserter

	TTL        time.Duration // download link validity; DefaultTTL when 0
	TempDir    string        // where a build spools encrypted intermediate files; os.TempDir() when ""
	ProducedBy string        // who the manifest names as producer; the catalogue's provider name when ""
	Version    string        // the software version the manifest names
	KeyURL     string        // where the README says the public key is published

	// NoticeWebhook is where user notices are POSTed; "" keeps them queued.
	NoticeWebhook string
	HTTPClient    *http.Client     // for the webhook; a 10-second-timeout client when nil
	Now           func() time.Time // defaults to time.Now
}

func (s *Service) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Microsecond)
}

func (s *Service) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return DefaultTTL
}

func (s *Service) tempDir() string {
	if s.TempDir != "" {
		return s.TempDir
	}
	return os.TempDir()
}

func (s *Service) scopes() ScopeSource {
	if s.Scopes != nil {
		return s.Scopes
	}
	return PolicyScope{Policy: s.Authz}
}

// systemActor is who the audit trail names for what the service does on
// its own (building, expiring, sending notices).
var systemActor = audit.Actor{Subject: "system:disclosure"}

// Sentinels, wrapped inside the *errs.Error values the service returns.
var (
	// ErrSuperseded: another attempt at the same production finished first;
	// this attempt's package was discarded. Producing again returns the
	// ready one.
	ErrSuperseded = errors.New("production attempt superseded")
	// ErrBlobDamaged: the stored package is missing or does not match its
	// hash. The production is marked failed so the provider rebuilds it.
	ErrBlobDamaged = errors.New("stored package is missing or damaged")
)
