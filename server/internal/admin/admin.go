// Package admin is what the provider's administrators do: onboard agencies
// (with the trusted issuer their people sign in at), suspend and reactivate
// agencies and people. Every change is authorised by the policy's
// "agency.manage" decision and audited in the same transaction.
package admin

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// The authz actions admin operations ask: ActionView to read (agencies,
// their people, the identity providers), ActionManage to change anything,
// which the policy holds for a recent second factor (step-up).
const (
	ActionManage = "agency.manage"
	ActionView   = "agency.view"
)

// readOnly are the audit actions of the operations that change nothing.
var readOnly = map[string]bool{"agency.list": true, "identity.inspect": true, identity.ActionTestSignIn: true, "person.list": true,
	"agency.view": true, "agency.document.download": true}

// A Service performs admin operations.
type Service struct {
	DB       *gorm.DB
	Policy   *policy.Engine
	Identity *identity.Service // ends a suspended person's or agency's sessions at once
	Blobs    blob.Store        // agencies' supporting documents
}

// authorize asks the policy whether actor may take action (an admin
// operation) on the object; a refusal is marked for the audit trail, which
// records it once the transaction (audit.Run) has rolled back.
func (s *Service) authorize(ctx context.Context, actor *identity.Principal, action, objectType, objectID string) error {
	if actor == nil {
		return errs.E(errs.Unauthenticated, "Sign in to continue.")
	}
	policyAction := ActionManage
	if readOnly[action] {
		policyAction = ActionView
	}
	d, err := s.Policy.Authorize(ctx, policy.AuthzInput{Actor: actor.PolicyActor(), Action: policyAction})
	if err != nil {
		return err
	}
	return audit.Deny(d.Refusal("Only the provider's administrators manage agencies and people."),
		audit.Event{Actor: actor.AuditActor(), Action: action, ObjectType: objectType, ObjectID: objectID, Decision: audit.JSON(d)})
}

// Agencies lists every agency. Returns Forbidden for non-admins.
func (s *Service) Agencies(ctx context.Context, actor *identity.Principal) ([]agency.Agency, error) {
	var out []agency.Agency
	err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, "agency.list", "agency", ""); err != nil {
			return err
		}
		var err error
		out, err = agency.List(ctx, tx)
		return err
	})
	return out, err
}

// BeginTestSignIn starts the administrator's test sign-in at issuer
// (identity.Service.BeginTest): it changes nothing, so it asks what reading
// the identity providers asks. Returns the authorization URL and state, or
// Forbidden for non-admins and what BeginTest returns.
func (s *Service) BeginTestSignIn(ctx context.Context, actor *identity.Principal, issuer string) (authURL, state string, err error) {
	if err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		return s.authorize(ctx, actor, identity.ActionTestSignIn, "issuer", "")
	}); err != nil {
		return "", "", err
	}
	if s.Identity == nil {
		return "", "", errs.E(errs.Unavailable, "Identity providers are not configured on this server.")
	}
	return s.Identity.BeginTest(ctx, actor, issuer)
}

// IdentityProviders checks every trusted issuer for the administrator
// connecting one (identity.Service.Inspect). Returns Forbidden for
// non-admins.
func (s *Service) IdentityProviders(ctx context.Context, actor *identity.Principal) ([]identity.IssuerReport, error) {
	if err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		return s.authorize(ctx, actor, "identity.inspect", "issuer", "")
	}); err != nil {
		return nil, err
	}
	if s.Identity == nil {
		return nil, errs.E(errs.Unavailable, "Identity providers are not configured on this server.")
	}
	return s.Identity.Inspect(ctx), nil
}

// CreateAgency registers an agency as pending, with the e-mail domains its
// people's addresses use: a second administrator activates it
// (SetAgencyStatus) once its verification and callback directory are
// recorded. Returns Invalid (field errors, also for an unknown issuer and
// an issuer and organisation another agency has), Forbidden. Nothing is
// written unless everything is.
func (s *Service) CreateAgency(ctx context.Context, actor *identity.Principal, a agency.Agency, domains []string) (*agency.Agency, error) {
	a.ID, a.Status, a.ActivatedBy, a.ActivatedAt = "", agency.StatusPending, nil, nil
	err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, "agency.create", "agency", ""); err != nil {
			return err
		}
		var f errs.Fields
		if s.Identity != nil {
			// Only a trusted issuer, as configured, and an organisation that
			// cannot match everyone: a record that never matches, or matches
			// too much, is refused here rather than found at sign-in.
			issuer, err := s.Identity.Registrable(a.Issuer, a.IssuerOrg)
			if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
				f = append(f, e.Fields...)
			} else if err != nil {
				return err
			} else {
				a.Issuer, a.IssuerOrg = issuer, strings.TrimSpace(a.IssuerOrg)
			}
		}
		var clean []string
		for _, d := range domains {
			if strings.TrimSpace(d) == "" {
				continue
			}
			n, err := agency.NormalizeDomain(d)
			if err != nil {
				f.Add("domains", "%s is not a domain name, such as police.example.", errs.Clip(strings.TrimSpace(d), 100))
				continue
			}
			clean = append(clean, n)
		}
		a.CreatedBy = actorID(actor)
		if err := agency.Create(ctx, tx, &a, f...); err != nil {
			return err
		}
		for _, d := range clean {
			if _, err := agency.AddEmailDomain(ctx, tx, a.ID, d, actorID(actor)); err != nil {
				return err
			}
		}
		if err := agency.RecordStatus(ctx, tx, a.ID, "", agency.StatusPending, actorID(actor), "Registered"); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actor.AuditActor(), Action: "agency.create", ObjectType: "agency", ObjectID: a.ID,
			Details: audit.JSON(map[string]any{"name": a.Name, "country": a.Country, "kind": a.Kind, "issuer": a.Issuer, "issuer_org": a.IssuerOrg,
				"jurisdiction": a.Jurisdiction, "domains": clean})})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// People lists an agency's people and systems, or the provider's staff when
// agencyID is "". Returns Forbidden.
func (s *Service) People(ctx context.Context, actor *identity.Principal, agencyID string) ([]identity.Person, error) {
	var out []identity.Person
	err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, "person.list", "agency", agencyID); err != nil {
			return err
		}
		var err error
		out, err = identity.FindPeople(ctx, tx, agencyID)
		return err
	})
	return out, err
}

// SetPersonStatus suspends or reactivates a person or agency system. A
// suspension also ends their sessions in the same transaction. Nobody can
// suspend themselves (an administrator locking the last admin out).
// Returns Invalid, NotFound, Forbidden.
func (s *Service) SetPersonStatus(ctx context.Context, actor *identity.Principal, personID, status string) error {
	action := "person." + map[string]string{identity.StatusSuspended: "suspend", identity.StatusActive: "activate"}[status]
	return audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, action, "person", personID); err != nil {
			return err
		}
		if personID == actor.PersonID && status == identity.StatusSuspended {
			return errs.E(errs.Conflict, "You cannot suspend yourself.")
		}
		if err := identity.SetPersonStatus(ctx, tx, personID, status); err != nil {
			return err
		}
		if status == identity.StatusSuspended && s.Identity != nil {
			if err := s.Identity.RevokePersonSessions(ctx, tx, personID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actor.AuditActor(), Action: action, ObjectType: "person", ObjectID: personID})
	})
}
