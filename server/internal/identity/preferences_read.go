package identity

import (
	"context"
	"fmt"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// Preferences are how a person chose to read the portal, beside what
// their agency chose for its people, for their settings page. A
// Principal's Language and TimeZone cannot tell them apart: they hold the
// person's choice, else the agency's.
type Preferences struct {
	Language, TimeZone             string // the person's own; "" follows their agency (or their browser)
	AgencyLanguage, AgencyTimeZone string // "" for the provider's staff, or an agency that chose none
}

// PreferencesOf reads the preferences of p, who is signed in.
func (s *Service) PreferencesOf(ctx context.Context, p *Principal) (Preferences, error) {
	var person Person
	err := s.db.WithContext(ctx).Where("id = ?", p.PersonID).Take(&person).Error
	if isNotFound(err) {
		return Preferences{}, errs.E(errs.Unauthenticated, "Your session has ended. Sign in again.")
	}
	if err != nil {
		return Preferences{}, fmt.Errorf("read preferences: %w", err)
	}
	out := Preferences{Language: person.Language, TimeZone: person.TimeZone}
	if person.AgencyID != nil {
		a, err := agency.FindByID(ctx, s.db, *person.AgencyID)
		if err != nil {
			return Preferences{}, err
		}
		out.AgencyLanguage, out.AgencyTimeZone = a.Language, a.TimeZone
	}
	return out, nil
}
