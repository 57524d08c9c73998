package request

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// A request has a responsible person: the officer who filed it. An agency
// system may draft a request on its own (its client-credentials token), but
// only a person submits one: in the pages, or through a token of the system
// that acts for the officer (RFC 8693 token exchange; identity's
// ActingSystem). Whoever submits a draft a system filed on its own becomes
// its filer, recorded with an audit event of its own, so that the request
// always names the person who answers for it and that person sees it.

// ActionResponsible is the audit action of a person taking over a draft a
// system filed on its own.
const ActionResponsible = "request.responsible"

// msgNoResponsible is the refusal of a submission by a system on its own.
const msgNoResponsible = "Name the responsible officer: exchange the officer's token for one that acts for them (RFC 8693 token exchange at your identity provider) and submit with that token. A system on its own cannot submit a request."

// filedVia is the system a request is filed through for an officer, or
// nil when a person or a system on its own files it.
func filedVia(actor *identity.Principal) *string {
	if actor.ActingSystem == nil {
		return nil
	}
	id := actor.ActingSystem.PersonID
	return &id
}

// CheckResponsible refuses a submission by an agency system acting on its
// own: no person would answer for the request. Returns Forbidden.
func CheckResponsible(actor *identity.Principal) error {
	if actor.Kind == identity.KindClient {
		return errs.E(errs.Forbidden, msgNoResponsible)
	}
	return nil
}

// TakeResponsibility makes actor, a person submitting r inside tx, its
// filer when a system filed r on its own: created_by becomes the person
// and filed_via the system that drafted it, audited as
// ActionResponsible. A request a person filed is left as it is. Returns
// Invalid when the person is the supervisor the emergency names to
// co-sign it, which its filer may not be.
func TakeResponsibility(ctx context.Context, tx *gorm.DB, actor *identity.Principal, r *Request, now time.Time) error {
	if actor.Kind != identity.KindPerson || r.CreatedBy == actor.PersonID {
		return nil
	}
	var filer identity.Person
	if err := tx.WithContext(ctx).Select("id, kind").Where("id = ?", r.CreatedBy).Take(&filer).Error; err != nil {
		return fmt.Errorf("find the filer of %s: %w", r.ID, err)
	}
	if filer.Kind != identity.KindClient {
		return nil
	}
	if s := r.EmergencySupervisor; s != nil && *s == actor.PersonID {
		// The filer never co-signs their own emergency.
		var f errs.Fields
		f.Add("emergency.supervisor_id", "The officer who files an emergency request cannot co-sign it: choose another supervisor of your agency.")
		return f.Err()
	}
	via := r.FiledVia
	if via == nil {
		via = &filer.ID
	}
	res := tx.WithContext(ctx).Model(&Request{}).Where("id = ? AND created_by = ?", r.ID, filer.ID).
		Updates(map[string]any{"created_by": actor.PersonID, "filed_via": *via})
	if res.Error != nil {
		return fmt.Errorf("make %s responsible for %s: %w", actor.PersonID, r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return stale(r.ID)
	}
	r.CreatedBy, r.FiledVia = actor.PersonID, via
	return audit.Append(ctx, tx, audit.Event{At: now, Actor: actor.AuditActor(), Action: ActionResponsible,
		ObjectType: "request", ObjectID: r.ID, RequestID: r.ID,
		Details: audit.JSON(map[string]any{"reference": r.Reference, "from": filer.ID, "to": actor.PersonID, "filed_via": *via})})
}
