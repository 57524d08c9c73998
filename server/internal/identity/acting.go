package identity

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// An agency system acts for an officer with an access token from the
// agency's provider that names the officer as its subject and the system
// in its act claim: OAuth 2.0 Token Exchange (RFC 8693, section 4.1), the
// system having exchanged the officer's own token. The provider vouches
// for both, so the portal takes the officer as the principal, found or
// created as at their sign-in, with the system beside them
// (Principal.ActingSystem), and the audit trail names both.

const msgBadActor = "This access token acts for a person in a way this portal does not accept: exchange the officer's own token at your identity provider (RFC 8693) for one whose act claim names your system."

// actingPrincipal is the principal of a verified access token with an act
// claim. The act claim must name one system and nothing nested (a chain
// of systems hides who held the token), that system must be the client
// the token was issued to (when the token says) and not the person
// themselves, and it must be no person known to the portal and belong to
// the officer's agency. The person's sign-in must meet what the issuer's
// configuration demands of every sign-in (acr_values, amr_required).
func (s *Service) actingPrincipal(ctx context.Context, is *issuer, c claims) (*Principal, error) {
	act, ok := c["act"].(map[string]any)
	if !ok {
		return nil, refuse(ReasonBadActor, errs.E(errs.Unauthenticated, msgBadActor))
	}
	system, _ := act["sub"].(string)
	_, nested := act["act"]
	if iss, ok := act["iss"]; nested || system == "" || ok && iss != is.cfg.URL {
		return nil, refuse(ReasonBadActor, errs.E(errs.Unauthenticated, msgBadActor))
	}
	for _, name := range []string{"client_id", "azp", "cid"} {
		if v := c.str(name); v != "" && v != system {
			return nil, refuse(ReasonBadActor, errs.E(errs.Unauthenticated, msgBadActor))
		}
	}
	if system == c.str("sub") || systemToken(&is.cfg, c) {
		return nil, refuse(ReasonBadActor, errs.E(errs.Unauthenticated, msgBadActor))
	}
	if !meets(is.cfg.ACRValues, is.cfg.AMRRequired, c) {
		return nil, refuse(ReasonMFARequired, errs.E(errs.Unauthenticated, msgMFARequired))
	}
	person := make(claims, len(c))
	for k, v := range c {
		if k != "act" {
			person[k] = v
		}
	}
	var p *Principal
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// An access token need not carry the e-mail and name the person's
		// sign-in gave: keep those rather than blank them.
		var known Person
		if err := tx.Where("issuer = ? AND subject = ?", is.cfg.URL, person.str("sub")).Take(&known).Error; err == nil {
			for name, v := range map[string]string{"email": known.Email, "name": known.Name} {
				if _, ok := person[name]; !ok {
					person[name] = v
				}
			}
		} else if !isNotFound(err) {
			return fmt.Errorf("find acting person: %w", err)
		}
		var err error
		if p, err = s.principalFor(ctx, tx, &is.cfg, KindPerson, person); err != nil {
			return err
		}
		if p.Provider {
			// The provider's staff use the pages; no system files for them.
			return refuse(ReasonBadActor, errs.E(errs.Forbidden, msgBadActor))
		}
		p.ActingSystem, err = s.actingSystem(ctx, tx, is.cfg.URL, system, p.AgencyID)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.MFA, p.AuthTime = mfaOf(&is.cfg, c), c.time("auth_time")
	return p, nil
}

// actingSystem finds the system of (issuer, subject), creating its row on
// first sight as its own client-credentials token would, without roles
// (it acts with the officer's). A known row must be a system of the same
// agency, not suspended; an existing row is left as it is.
func (s *Service) actingSystem(ctx context.Context, tx *gorm.DB, iss, subject, agencyID string) (*ActingSystem, error) {
	var row Person
	err := tx.Where("issuer = ? AND subject = ?", iss, subject).Take(&row).Error
	if isNotFound(err) {
		ag, err := agency.FindByID(ctx, tx, agencyID)
		if err != nil {
			return nil, err
		}
		made, err := s.upsertPerson(ctx, tx, iss, subject, KindClient, ag, claims{"sub": subject}, nil)
		if err != nil {
			return nil, err
		}
		row = *made
	} else if err != nil {
		return nil, fmt.Errorf("find acting system: %w", err)
	}
	if row.Kind != KindClient || row.AgencyID == nil || *row.AgencyID != agencyID {
		return nil, refuse(ReasonBadActor, errs.E(errs.Forbidden, msgBadActor))
	}
	if row.Status != StatusActive {
		return nil, refuse(ReasonSuspended, errs.E(errs.Forbidden, "The system acting for you is suspended."))
	}
	return &ActingSystem{PersonID: row.ID, Subject: row.Subject, Name: row.Name}, nil
}
