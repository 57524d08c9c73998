package identity

import (
	"context"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// SetPreferences records how a person reads the portal: their language
// and their time zone (nil: unchanged; "": their agency's again). A person
// changes only their own: p is who is signed in. The change and its audit
// event are one transaction.
func (s *Service) SetPreferences(ctx context.Context, p *Principal, lang, zone *string) error {
	var f errs.Fields
	if lang != nil && *lang != "" && !locale.Has(*lang) {
		f.Add("language", "Choose one of the portal's languages.")
	}
	if zone != nil {
		if _, err := locale.Zone(*zone); err != nil {
			f.Add("time_zone", "Enter a time zone by its IANA name, such as Europe/Berlin or America/New_York.")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	set := map[string]any{}
	details := map[string]string{}
	if lang != nil {
		set["language"], details["language"] = *lang, *lang
	}
	if zone != nil {
		set["time_zone"], details["time_zone"] = *zone, *zone
	}
	if len(set) == 0 {
		return nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Person{}).Where("id = ?", p.PersonID).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.E(errs.Unauthenticated, "Your session has ended. Sign in again.")
		}
		return audit.Append(ctx, tx, audit.Event{
			At:         dbTime(s.now()),
			Actor:      p.AuditActor(),
			Action:     "person.preferences",
			ObjectType: "person",
			ObjectID:   p.PersonID,
			Outcome:    audit.OutcomeSuccess,
			Details:    audit.JSON(details),
		})
	})
}
