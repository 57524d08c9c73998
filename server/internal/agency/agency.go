// Package agency keeps the law-enforcement agencies that may file requests:
// their country and kind, the trusted OpenID Provider their people sign in
// with, and whether they are active. A suspended agency's people and systems
// are refused at their next request.
package agency

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
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// Statuses.
const (
	StatusPending   = "pending" // registered, waiting for a second administrator to activate it
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Statuses lists every status, in the order an agency moves through them.
var Statuses = []string{StatusPending, StatusActive, StatusSuspended}

// Kinds of agency, as the transparency reports count them.
var Kinds = []string{"police", "prosecutor", "intelligence", "regulator", "court", "other"}

// An Agency is a law-enforcement body that files requests.
type Agency struct {
	ID        string `gorm:"column:id;primaryKey"`
	Name      string `gorm:"column:name"`
	Country   string `gorm:"column:country"` // ISO 3166-1 alpha-2
	Kind      string `gorm:"column:kind"`
	Status    string `gorm:"column:status"`
	Issuer    string `gorm:"column:issuer"`     // trusted OIDC issuer URL
	IssuerOrg string `gorm:"column:issuer_org"` // org claim value at a shared issuer; "" for a dedicated one
	Language  string `gorm:"column:language"`   // its people's default language ("de"); "" for their browser's
	TimeZone  string `gorm:"column:time_zone"`  // its people's default time zone (IANA); "" for UTC
	// Jurisdiction is the area its authority covers, in words ("Riverside
	// County, California"); its country decides which law it files under.
	Jurisdiction string     `gorm:"column:jurisdiction"`
	CreatedBy    *string    `gorm:"column:created_by"`   // the administrator who registered it; nil for seeded agencies
	ActivatedBy  *string    `gorm:"column:activated_by"` // the second administrator who first activated it
	ActivatedAt  *time.Time `gorm:"column:activated_at"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	UpdatedAt    time.Time  `gorm:"column:updated_at"`
}

// TableName maps Agency onto the agencies table.
func (Agency) TableName() string { return "agencies" }

// Active reports whether the agency may act: a pending agency may not,
// any more than a suspended one.
func (a *Agency) Active() bool { return a.Status == StatusActive }

// Refusal is what its people are told when the agency may not act, or nil
// when it may.
func (a *Agency) Refusal() *errs.Error {
	switch a.Status {
	case StatusActive:
		return nil
	case StatusPending:
		return errs.E(errs.Forbidden, "Your agency is registered but not yet activated on this portal. The provider activates it once its verification is complete.")
	}
	return errs.E(errs.Forbidden, "Your agency's access to this portal is suspended.")
}

const msgDuplicate = "Another agency already signs in through this issuer and organisation."

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks an agency before it is stored and reports every problem,
// after those in extra (found by the caller).
func (a *Agency) Validate(extra ...errs.FieldError) error {
	f := append(errs.Fields(nil), extra...)
	if strings.TrimSpace(a.Name) == "" {
		f.Add("name", "Enter the agency's name.")
	}
	if !countryRE.MatchString(a.Country) {
		f.Add("country", "Use the two-letter ISO 3166-1 country code, such as US or GB.")
	}
	if !slices.Contains(Kinds, a.Kind) {
		f.Add("kind", "Choose one of: %s.", strings.Join(Kinds, ", "))
	}
	if !slices.Contains(Statuses, a.Status) {
		f.Add("status", "Use pending, active or suspended.")
	}
	if !strings.HasPrefix(a.Issuer, "https://") && !strings.HasPrefix(a.Issuer, "http://") {
		f.Add("issuer", "Enter the OpenID Provider's issuer URL.")
	}
	if a.Language != "" && !locale.Has(a.Language) {
		f.Add("language", "Choose one of the portal's languages: %s.", strings.Join(locale.Languages, ", "))
	}
	if _, err := locale.Zone(a.TimeZone); err != nil {
		f.Add("time_zone", "Use an IANA time zone name, such as Europe/Berlin.")
	}
	if utf8.RuneCountInString(a.Jurisdiction) > 200 {
		f.Add("jurisdiction", "Use at most %d characters.", 200)
	}
	return f.Err()
}

// Create stores a new agency. Returns Invalid for bad fields (with those in
// extra, found by the caller), also when another agency already owns the
// same issuer and org (field issuer_org), so that every problem is shown
// at once; Conflict when such an agency commits meanwhile.
func Create(ctx context.Context, tx *gorm.DB, a *Agency, extra ...errs.FieldError) error {
	if a.ID == "" {
		a.ID = uuid.NewString()
	}
	if a.Status == "" {
		a.Status = StatusActive
	}
	a.Country = strings.ToUpper(a.Country)
	a.Jurisdiction = strings.TrimSpace(a.Jurisdiction)
	var n int64
	if err := tx.WithContext(ctx).Model(&Agency{}).Where("issuer = ? AND issuer_org = ?", a.Issuer, a.IssuerOrg).Count(&n).Error; err != nil {
		return fmt.Errorf("create agency: %w", err)
	}
	if n > 0 {
		extra = append(extra, errs.FieldError{Field: "issuer_org", Message: msgDuplicate, Format: msgDuplicate})
	}
	if err := a.Validate(extra...); err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(a).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errs.E(errs.Conflict, msgDuplicate)
		}
		return fmt.Errorf("create agency: %w", err)
	}
	return nil
}

// FindByID returns the agency. Returns NotFound if there is none.
func FindByID(ctx context.Context, db *gorm.DB, id string) (*Agency, error) {
	var a Agency
	err := db.WithContext(ctx).Where("id = ?", id).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errs.E(errs.NotFound, "No such agency.")
	}
	if err != nil {
		return nil, fmt.Errorf("find agency %s: %w", id, err)
	}
	return &a, nil
}

// FindByIssuer returns the agency whose people sign in at issuer with the
// given org claim value (org is "" for an issuer dedicated to one agency).
// Returns NotFound if no agency is registered for them.
func FindByIssuer(ctx context.Context, db *gorm.DB, issuer, org string) (*Agency, error) {
	var a Agency
	err := db.WithContext(ctx).Where("issuer = ? AND issuer_org = ?", issuer, org).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errs.E(errs.NotFound, "Your organisation is not registered with this portal.")
	}
	if err != nil {
		return nil, fmt.Errorf("find agency for issuer %s: %w", issuer, err)
	}
	return &a, nil
}

// List returns every agency by name.
func List(ctx context.Context, db *gorm.DB) ([]Agency, error) {
	var as []Agency
	if err := db.WithContext(ctx).Order("name, id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	return as, nil
}

// SetStatus sets an agency's status as it is, for seeding and tests: the
// admin package moves agencies with four eyes and records each move.
// Suspension takes effect at the next request of each of its people and
// systems, because every request re-reads the agency. Returns NotFound or
// Invalid.
func SetStatus(ctx context.Context, tx *gorm.DB, id, status string) error {
	if !slices.Contains(Statuses, status) {
		return (&errs.Fields{{Field: "status", Message: "Use pending, active or suspended."}}).Err()
	}
	res := tx.WithContext(ctx).Model(&Agency{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("set agency status: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "No such agency.")
	}
	return nil
}
