package request

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// ActionSupervisorsList is what the policy is asked before an agency's
// supervisors are listed (GET /api/v1/agency/supervisors).
const ActionSupervisorsList = "agency.supervisors.list"

// ListSupervisors returns, when the policy allows actor to list them, the
// people an emergency actor files may name to co-sign it: the same active
// supervisors of actor's own agency, other than actor, as Supervisors
// offers the request form. An agency system finds there the id its
// emergency.supervisor_id names. Returns Unauthenticated, or Forbidden
// (recorded in the audit trail) for anyone the policy refuses, the
// provider's staff among them.
func (s *Service) ListSupervisors(ctx context.Context, actor *identity.Principal) ([]Supervisor, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out []Supervisor
	err := s.run(ctx, func(tx *gorm.DB) error {
		if s.Policy == nil {
			return errors.New("request: no policy configured")
		}
		// The refusal is of the agency's list, not of a request.
		err := s.Policy.Authorize(ctx, actor, ActionSupervisorsList, nil)
		if err = audit.Deny(err, audit.Event{At: s.now(), Actor: actor.AuditActor(), Action: ActionSupervisorsList,
			ObjectType: "agency", ObjectID: actor.AgencyID}); err != nil {
			return err
		}
		out, err = supervisors(ctx, tx, actor.AgencyID, actor.PersonID)
		return err
	})
	return out, err
}
