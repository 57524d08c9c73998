package agency

// Onboarding evidence (migration 0024): how the provider verified an
// agency, the documents it saw, the e-mail domains its people use, the
// callback directory, and every move of its status. These are the
// provider's own records: nothing here is ever shown to the agency.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/phone"
)

// VerificationMethods are the ways the provider may satisfy itself that an
// agency is what it says, in the order the pages offer them.
var VerificationMethods = []string{"official_directory", "known_contact", "in_person", "government_registry", "other"}

// A Verification records how the provider verified an agency.
type Verification struct {
	ID         string    `gorm:"column:id;primaryKey" json:"id"`
	AgencyID   string    `gorm:"column:agency_id" json:"-"`
	Method     string    `gorm:"column:method" json:"method"`
	Note       string    `gorm:"column:note" json:"note"`
	VerifiedBy string    `gorm:"column:verified_by" json:"verified_by"`
	VerifiedAt time.Time `gorm:"column:verified_at" json:"verified_at"`
}

// TableName maps Verification onto agency_verifications.
func (Verification) TableName() string { return "agency_verifications" }

// A Document supports a verification: its bytes are in the blob store
// under SHA256.
type Document struct {
	ID             string    `gorm:"column:id;primaryKey" json:"id"`
	AgencyID       string    `gorm:"column:agency_id" json:"-"`
	VerificationID *string   `gorm:"column:verification_id" json:"verification_id,omitempty"`
	SHA256         string    `gorm:"column:sha256" json:"sha256"`
	Size           int64     `gorm:"column:size_bytes" json:"size_bytes"`
	Filename       string    `gorm:"column:filename" json:"filename"`
	ContentType    string    `gorm:"column:content_type" json:"content_type"`
	UploadedBy     string    `gorm:"column:uploaded_by" json:"uploaded_by"`
	CreatedAt      time.Time `gorm:"column:created_at" json:"created_at"`
}

// TableName maps Document onto agency_documents.
func (Document) TableName() string { return "agency_documents" }

// An EmailDomain is a domain the agency's people's addresses use.
type EmailDomain struct {
	AgencyID string    `gorm:"column:agency_id;primaryKey" json:"-"`
	Domain   string    `gorm:"column:domain;primaryKey" json:"domain"`
	AddedBy  *string   `gorm:"column:added_by" json:"added_by,omitempty"`
	AddedAt  time.Time `gorm:"column:added_at" json:"added_at"`
}

// TableName maps EmailDomain onto agency_email_domains.
func (EmailDomain) TableName() string { return "agency_email_domains" }

// A CallbackEntry is a number of the agency's callback directory, found by
// the provider independently of any request (Source says where). A removed
// entry keeps its row: callbacks recorded against it still cite it.
type CallbackEntry struct {
	ID        string     `gorm:"column:id;primaryKey" json:"id"`
	AgencyID  string     `gorm:"column:agency_id" json:"-"`
	Label     string     `gorm:"column:label" json:"label"`
	Phone     string     `gorm:"column:phone" json:"phone"`
	Source    string     `gorm:"column:source" json:"source"`
	AddedBy   *string    `gorm:"column:added_by" json:"added_by,omitempty"`
	AddedAt   time.Time  `gorm:"column:added_at" json:"added_at"`
	RemovedBy *string    `gorm:"column:removed_by" json:"removed_by,omitempty"`
	RemovedAt *time.Time `gorm:"column:removed_at" json:"removed_at,omitempty"`
}

// TableName maps CallbackEntry onto agency_callbacks.
func (CallbackEntry) TableName() string { return "agency_callbacks" }

// A StatusChange is one move of an agency's status.
type StatusChange struct {
	ID         int64     `gorm:"column:id;primaryKey;autoIncrement" json:"-"`
	AgencyID   string    `gorm:"column:agency_id" json:"-"`
	FromStatus string    `gorm:"column:from_status" json:"from_status"` // "" when registered
	ToStatus   string    `gorm:"column:to_status" json:"to_status"`
	ActorID    *string   `gorm:"column:actor_id" json:"actor_id,omitempty"`
	Reason     string    `gorm:"column:reason" json:"reason"`
	At         time.Time `gorm:"column:at" json:"at"`
}

// TableName maps StatusChange onto agency_status_changes.
func (StatusChange) TableName() string { return "agency_status_changes" }

const maxText = 2000

// checkText adds msg for field when s is blank, and a length message when
// it is longer than max characters.
func checkText(f *errs.Fields, field, s string, max int, msg string) {
	switch {
	case strings.TrimSpace(s) == "":
		f.Add(field, "%s", msg)
	case utf8.RuneCountInString(s) > max:
		f.Add(field, "Use at most %d characters.", max)
	}
}

// nowUTC is the time rows are stamped with, at the precision both
// databases keep.
func nowUTC() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// AddVerification records how by verified the agency. Returns Invalid for
// an unknown method (field "method") or a note too long.
func AddVerification(ctx context.Context, tx *gorm.DB, v *Verification) error {
	var f errs.Fields
	if !slices.Contains(VerificationMethods, v.Method) {
		f.Add("method", "Choose how you verified the agency.")
	}
	v.Note = strings.TrimSpace(v.Note)
	if utf8.RuneCountInString(v.Note) > maxText {
		f.Add("note", "Use at most %d characters.", maxText)
	}
	if err := f.Err(); err != nil {
		return err
	}
	v.ID, v.VerifiedAt = uuid.NewString(), nowUTC()
	if err := tx.WithContext(ctx).Create(v).Error; err != nil {
		return fmt.Errorf("add agency verification: %w", err)
	}
	return nil
}

// Verifications lists the agency's verification records, oldest first.
func Verifications(ctx context.Context, db *gorm.DB, agencyID string) ([]Verification, error) {
	var out []Verification
	if err := db.WithContext(ctx).Where("agency_id = ?", agencyID).Order("verified_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list agency verifications: %w", err)
	}
	return out, nil
}

// AddDocument stores the row of a supporting document whose bytes are
// already in the blob store.
func AddDocument(ctx context.Context, tx *gorm.DB, d *Document) error {
	d.ID, d.CreatedAt = uuid.NewString(), nowUTC()
	if err := tx.WithContext(ctx).Create(d).Error; err != nil {
		return fmt.Errorf("add agency document: %w", err)
	}
	return nil
}

// Documents lists the agency's supporting documents, oldest first.
func Documents(ctx context.Context, db *gorm.DB, agencyID string) ([]Document, error) {
	var out []Document
	if err := db.WithContext(ctx).Where("agency_id = ?", agencyID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list agency documents: %w", err)
	}
	return out, nil
}

// FindDocument returns one of the agency's documents. Returns NotFound.
func FindDocument(ctx context.Context, db *gorm.DB, agencyID, id string) (*Document, error) {
	var d Document
	err := db.WithContext(ctx).Where("agency_id = ? AND id = ?", agencyID, id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errs.E(errs.NotFound, "No such document.")
	}
	if err != nil {
		return nil, fmt.Errorf("find agency document: %w", err)
	}
	return &d, nil
}

var domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$`)

// NormalizeDomain lower-cases an e-mail domain and drops a leading "@".
// Returns Invalid for anything that is not a domain name.
func NormalizeDomain(s string) (string, error) {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	if len(d) > 253 || !domainRE.MatchString(d) {
		return "", errs.E(errs.Invalid, "Enter a domain name, such as police.example.")
	}
	return d, nil
}

// AddEmailDomain adds a domain to the agency's; adding one it has already
// changes nothing. Returns Invalid (field "domain").
func AddEmailDomain(ctx context.Context, tx *gorm.DB, agencyID, domain string, by *string) (string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		var f errs.Fields
		f.Add("domain", "%s", errs.TextOf(err))
		return "", f.Err()
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&EmailDomain{}).Where("agency_id = ? AND domain = ?", agencyID, d).Count(&n).Error; err != nil {
		return "", fmt.Errorf("add e-mail domain: %w", err)
	}
	if n > 0 {
		return d, nil
	}
	if err := tx.WithContext(ctx).Create(&EmailDomain{AgencyID: agencyID, Domain: d, AddedBy: by, AddedAt: nowUTC()}).Error; err != nil {
		return "", fmt.Errorf("add e-mail domain: %w", err)
	}
	return d, nil
}

// EmailDomains returns the domains the agency's people's addresses use, in
// order.
func EmailDomains(ctx context.Context, db *gorm.DB, agencyID string) ([]string, error) {
	var out []string
	if err := db.WithContext(ctx).Model(&EmailDomain{}).Where("agency_id = ?", agencyID).Order("domain").Pluck("domain", &out).Error; err != nil {
		return nil, fmt.Errorf("list e-mail domains: %w", err)
	}
	return out, nil
}

// NormalizePhone returns a directory number in E.164. The number must carry
// its country code or be possible in the agency's country (region); it
// must be possible, not valid, so that fictional ranges pass. Returns
// Invalid with a message to show beside the field.
func NormalizePhone(s, region string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", errs.E(errs.Invalid, "Enter the phone number.")
	}
	return phone.Normalize(s, region)
}

// AddCallback adds a number to the agency's callback directory, checking
// the label, the phone number (E.164, in the agency's country unless it
// says its own) and the source. Returns Invalid with field errors.
func AddCallback(ctx context.Context, tx *gorm.DB, a *Agency, c *CallbackEntry) error {
	var f errs.Fields
	c.Label, c.Source = strings.TrimSpace(c.Label), strings.TrimSpace(c.Source)
	checkText(&f, "label", c.Label, 200, "Say whose number this is, such as 24-hour switchboard.")
	if n, err := NormalizePhone(c.Phone, a.Country); err != nil {
		f.Add("phone", "%s", errs.TextOf(err))
	} else {
		c.Phone = n
	}
	checkText(&f, "source", c.Source, 500, "Say where you found the number, independently of any request.")
	if err := f.Err(); err != nil {
		return err
	}
	c.AgencyID, c.AddedAt, c.RemovedAt, c.RemovedBy = a.ID, nowUTC(), nil, nil
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	if err := tx.WithContext(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("add callback number: %w", err)
	}
	return nil
}

// RemoveCallback takes a number out of the agency's directory; its row
// stays. Returns NotFound, or Conflict if it was removed already.
func RemoveCallback(ctx context.Context, tx *gorm.DB, agencyID, id string, by *string) error {
	c, err := FindCallback(ctx, tx, agencyID, id)
	if err != nil {
		return err
	}
	if c.RemovedAt != nil {
		return errs.E(errs.Conflict, "This number was removed from the directory already.")
	}
	if err := tx.WithContext(ctx).Model(&CallbackEntry{}).Where("id = ?", id).
		Updates(map[string]any{"removed_at": nowUTC(), "removed_by": by}).Error; err != nil {
		return fmt.Errorf("remove callback number: %w", err)
	}
	return nil
}

// FindCallback returns an entry of the agency's directory, removed or not.
// Returns NotFound, also for another agency's entry.
func FindCallback(ctx context.Context, db *gorm.DB, agencyID, id string) (*CallbackEntry, error) {
	var c CallbackEntry
	err := db.WithContext(ctx).Where("agency_id = ? AND id = ?", agencyID, id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errs.E(errs.NotFound, "No such number in the agency's callback directory.")
	}
	if err != nil {
		return nil, fmt.Errorf("find callback number: %w", err)
	}
	return &c, nil
}

// Callbacks lists the agency's directory, oldest first; removed entries
// too when all is true.
func Callbacks(ctx context.Context, db *gorm.DB, agencyID string, all bool) ([]CallbackEntry, error) {
	q := db.WithContext(ctx).Where("agency_id = ?", agencyID)
	if !all {
		q = q.Where("removed_at IS NULL")
	}
	var out []CallbackEntry
	if err := q.Order("added_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list callback directory: %w", err)
	}
	return out, nil
}

// RecordStatus writes one move of the agency's status.
func RecordStatus(ctx context.Context, tx *gorm.DB, agencyID, from, to string, actor *string, reason string) error {
	sc := StatusChange{AgencyID: agencyID, FromStatus: from, ToStatus: to, ActorID: actor, Reason: strings.TrimSpace(reason), At: nowUTC()}
	if err := tx.WithContext(ctx).Create(&sc).Error; err != nil {
		return fmt.Errorf("record agency status: %w", err)
	}
	return nil
}

// StatusChanges lists every move of the agency's status, oldest first.
func StatusChanges(ctx context.Context, db *gorm.DB, agencyID string) ([]StatusChange, error) {
	var out []StatusChange
	if err := db.WithContext(ctx).Where("agency_id = ?", agencyID).Order("at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list agency status changes: %w", err)
	}
	return out, nil
}
