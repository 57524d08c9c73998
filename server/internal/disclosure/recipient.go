package disclosure

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

func recipientInvalid() error {
	return &errs.Error{Code: errs.Invalid, Message: "Some fields need attention.", Fields: []errs.FieldError{{
		Field:   "recipient",
		Message: `Enter an age recipient: the public key that begins with "age1" (never the secret key, which begins with "AGE-SECRET-KEY-").`,
	}}}
}

// agencyStaff asks the policy whether actor may manage its agency's key
// (its officers and supervisors decide which key their agency's packages
// are sealed to); a refusal is marked for the audit trail as action.
func (s *Service) agencyStaff(ctx context.Context, actor *identity.Principal, action string) error {
	if actor == nil || actor.PersonID == "" {
		return errs.E(errs.Unauthenticated, "Sign in first.")
	}
	if s.Authz == nil {
		return errs.E(errs.Unavailable, "Productions are not available on this server.")
	}
	return audit.Deny(s.Authz.Authorize(ctx, actor, ActionRecipientManage, nil),
		audit.Event{At: s.now(), Actor: actor.AuditActor(), Action: action, ObjectType: "agency", ObjectID: actor.AgencyID})
}

// GetRecipient returns the age recipient registered for the actor's
// agency, or nil when there is none. Returns Unauthenticated or Forbidden
// for anyone but the agency's officers and supervisors.
func (s *Service) GetRecipient(ctx context.Context, actor *identity.Principal) (*Recipient, error) {
	if err := audit.Settle(ctx, s.DB.DB, s.agencyStaff(ctx, actor, ActionRecipientGet)); err != nil {
		return nil, err
	}
	var r Recipient
	err := s.DB.WithContext(ctx).Where("agency_id = ?", actor.AgencyID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recipient: %w", err)
	}
	return &r, nil
}

// SetRecipient registers (or replaces) the age recipient packages for the
// actor's agency are encrypted to from now on; packages already built keep
// the key they were sealed to. Returns Invalid (field "recipient") for
// anything but an age X25519 or hybrid recipient, and Unauthenticated or
// Forbidden for anyone but the agency's officers and supervisors.
func (s *Service) SetRecipient(ctx context.Context, actor *identity.Principal, recipient string) (*Recipient, error) {
	if err := audit.Settle(ctx, s.DB.DB, s.agencyStaff(ctx, actor, ActionRecipientSet)); err != nil {
		return nil, err
	}
	recipient = strings.TrimSpace(recipient)
	if _, err := ParseRecipient(recipient); err != nil {
		return nil, err
	}
	now := s.now()
	r := Recipient{AgencyID: actor.AgencyID, Recipient: recipient, SetBy: actor.PersonID, CreatedAt: now, UpdatedAt: now}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "agency_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"recipient", "set_by", "updated_at"}),
		}).Create(&r).Error; err != nil {
			return fmt.Errorf("set recipient: %w", err)
		}
		return audit.Append(ctx, tx, audit.Event{
			At: now, Actor: actor.AuditActor(), Action: ActionRecipientSet, ObjectType: "agency", ObjectID: actor.AgencyID,
			Details: audit.JSON(map[string]string{"recipient": recipient}),
		})
	})
	if err != nil {
		return nil, err
	}
	return s.GetRecipient(ctx, actor)
}

// DeleteRecipient removes the actor's agency's recipient: later packages
// are sealed at rest with a per-package key and served only through the
// portal. Removing none is not an error. Returns Unauthenticated or
// Forbidden as SetRecipient does.
func (s *Service) DeleteRecipient(ctx context.Context, actor *identity.Principal) error {
	return audit.Run(ctx, s.DB.DB, func(tx *gorm.DB) error {
		if err := s.agencyStaff(ctx, actor, ActionRecipientDel); err != nil {
			return err
		}
		q := tx.Where("agency_id = ?", actor.AgencyID).Delete(&Recipient{})
		if q.Error != nil {
			return fmt.Errorf("delete recipient: %w", q.Error)
		}
		if q.RowsAffected == 0 {
			return nil
		}
		return audit.Append(ctx, tx, audit.Event{
			At: s.now(), Actor: actor.AuditActor(), Action: ActionRecipientDel, ObjectType: "agency", ObjectID: actor.AgencyID,
		})
	})
}
