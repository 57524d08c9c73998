// Package auditing lets the provider's auditors read the audit trail: each
// reading is authorised by the policy ("audit.view"), a refusal is itself
// recorded, and every reading is recorded in the trail it reads
// (audit.Find).
package auditing

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Trail reads the audit trail for those the policy lets.
type Trail struct {
	DB     *gorm.DB
	Policy request.Policy
	Now    func() time.Time // defaults to time.Now
}

// Read returns the page of events f selects, after the policy lets actor
// read the trail, and records the reading. Returns Unauthenticated;
// Forbidden (recorded as a denial) for anyone the policy does not let;
// Invalid for bad filters.
func (t *Trail) Read(ctx context.Context, actor *identity.Principal, f audit.Filter) (audit.Page, error) {
	if err := t.Check(ctx, actor); err != nil {
		return audit.Page{}, err
	}
	return audit.Find(ctx, t.DB, actor.AuditActor(), f)
}

// Check says whether actor may read the trail at all, recording a refusal:
// for a caller that must answer that before it looks at a reading's filters.
// Returns Unauthenticated, or Forbidden (recorded).
func (t *Trail) Check(ctx context.Context, actor *identity.Principal) error {
	if actor == nil || actor.PersonID == "" {
		return errs.E(errs.Unauthenticated, "Sign in first.")
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	if err := t.Policy.Authorize(ctx, actor, audit.ActionView, nil); err != nil {
		return audit.Settle(ctx, t.DB, audit.Deny(err, audit.Event{At: now(), Actor: actor.AuditActor(),
			Action: audit.ActionView, ObjectType: "audit"}))
	}
	return nil
}
