// Package admin is what the provider's administrators do: onboard agencies
// (with the trusted issuer their people sign in at), suspend and reactivate
// agencies and people. Every change is authorised by the policy's
// "agency.manage" decision and audited in the same transaction.
package admin

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// ActionManage is the authz action every admin operation asks.
const ActionManage = "agency.manage"

// A Service performs admin operations.
type Service struct {
	DB       *gorm.DB
	Policy   *policy.Engine
	Identity *identity.Service // ends a suspended person's sessions at once
}

// authorize asks the policy; a denial is audited by the caller's transaction.
func (s *Service) authorize(ctx context.Context, actor *identity.Principal) error {
	if actor == nil {
		return errs.E(errs.Unauthenticated, "Sign in to continue.")
	}
	d, err := s.Policy.Authorize(ctx, policy.AuthzInput{
		Actor:  policy.Actor{ID: actor.PersonID, Roles: actor.RoleStrings(), Provider: actor.Provider, AgencyID: actor.AgencyID},
		Action: ActionManage,
	})
	if err != nil {
		return err
	}
	if !d.Allow {
		texts := make([]string, 0, len(d.Reasons))
		for _, r := range d.Reasons {
			texts = append(texts, r.Text)
		}
		msg := "Only the provider's administrators manage agencies and people."
		if len(texts) > 0 {
			msg = strings.Join(texts, " ")
		}
		return errs.E(errs.Forbidden, "%s", msg)
	}
	return nil
}

func actorOf(p *identity.Principal) audit.Actor {
	return audit.Actor{Issuer: p.Issuer, Subject: p.Subject, Role: p.PrimaryRole(), AgencyID: p.AgencyID}
}

// denied records a refused admin action, in its own transaction: the
// refusal itself is evidence.
func (s *Service) denied(ctx context.Context, actor *identity.Principal, action, objectType, objectID string, cause error) error {
	if actor == nil || errs.CodeOf(cause) != errs.Forbidden {
		return cause
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return audit.Append(ctx, tx, audit.Event{Actor: actorOf(actor), Action: action, ObjectType: objectType, ObjectID: objectID,
			Outcome: audit.OutcomeDenied, Details: audit.JSON(map[string]string{"reason": errs.Message(cause)})})
	})
	if err != nil {
		return fmt.Errorf("audit denial: %w", err)
	}
	return cause
}

// Agencies lists every agency. Returns Forbidden for non-admins.
func (s *Service) Agencies(ctx context.Context, actor *identity.Principal) ([]agency.Agency, error) {
	if err := s.authorize(ctx, actor); err != nil {
		return nil, s.denied(ctx, actor, "agency.list", "agency", "", err)
	}
	return agency.List(ctx, s.DB)
}

// CreateAgency onboards an agency. Returns Invalid, Conflict or Forbidden.
func (s *Service) CreateAgency(ctx context.Context, actor *identity.Principal, a agency.Agency) (*agency.Agency, error) {
	if err := s.authorize(ctx, actor); err != nil {
		return nil, s.denied(ctx, actor, "agency.create", "agency", "", err)
	}
	a.ID, a.Status = "", agency.StatusActive
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := agency.Create(ctx, tx, &a); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actorOf(actor), Action: "agency.create", ObjectType: "agency", ObjectID: a.ID,
			Details: audit.JSON(map[string]string{"name": a.Name, "country": a.Country, "kind": a.Kind, "issuer": a.Issuer, "issuer_org": a.IssuerOrg})})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// SetAgencyStatus suspends or reactivates an agency; its people and systems
// are refused from their next request. Returns Invalid, NotFound, Forbidden.
func (s *Service) SetAgencyStatus(ctx context.Context, actor *identity.Principal, id, status string) error {
	action := "agency." + map[string]string{agency.StatusSuspended: "suspend", agency.StatusActive: "activate"}[status]
	if err := s.authorize(ctx, actor); err != nil {
		return s.denied(ctx, actor, action, "agency", id, err)
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := agency.SetStatus(ctx, tx, id, status); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actorOf(actor), Action: action, ObjectType: "agency", ObjectID: id})
	})
}

// People lists an agency's people and systems, or the provider's staff when
// agencyID is "". Returns Forbidden.
func (s *Service) People(ctx context.Context, actor *identity.Principal, agencyID string) ([]identity.Person, error) {
	if err := s.authorize(ctx, actor); err != nil {
		return nil, s.denied(ctx, actor, "person.list", "agency", agencyID, err)
	}
	return identity.FindPeople(ctx, s.DB, agencyID)
}

// SetPersonStatus suspends or reactivates a person or agency system. A
// suspension also ends their sessions in the same transaction. Nobody can
// suspend themselves (an administrator locking the last admin out).
// Returns Invalid, NotFound, Forbidden.
func (s *Service) SetPersonStatus(ctx context.Context, actor *identity.Principal, personID, status string) error {
	action := "person." + map[string]string{identity.StatusSuspended: "suspend", identity.StatusActive: "activate"}[status]
	if err := s.authorize(ctx, actor); err != nil {
		return s.denied(ctx, actor, action, "person", personID, err)
	}
	if personID == actor.PersonID && status == identity.StatusSuspended {
		return errs.E(errs.Conflict, "You cannot suspend yourself.")
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := identity.SetPersonStatus(ctx, tx, personID, status); err != nil {
			return err
		}
		if status == identity.StatusSuspended && s.Identity != nil {
			if err := s.Identity.RevokePersonSessions(ctx, tx, personID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actorOf(actor), Action: action, ObjectType: "person", ObjectID: personID})
	})
}
