package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Denial is a refusal the audit trail must keep although the transaction
// that found it rolls back: Event records it (Outcome denied, the refusal's
// safe message as the reason), Err is what the caller is told.
type Denial struct {
	Err   error
	Event Event
}

func (d *Denial) Error() string { return d.Err.Error() }
func (d *Denial) Unwrap() error { return d.Err }

// Deny marks err, a refusal, to be recorded as ev by Run. A refusal that
// must look exactly like a missing object (NotFound) is not a refusal the
// caller may learn of: Deny returns it unmarked, and nobody records it.
func Deny(err error, ev Event) error {
	if err == nil || errs.CodeOf(err) == errs.NotFound {
		return err
	}
	return &Denial{Err: err, Event: ev}
}

// Run runs fn in one transaction of db: every service's action goes
// through it. When fn is refused with a Denial (see Deny), the transaction
// rolls back and the denial is appended to the audit trail in a transaction
// of its own: the refusal is evidence too, and on SQLite a second
// transaction cannot start inside the first. The refusal's error is then
// returned, as fn's other errors are.
func Run(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return Settle(ctx, db, db.WithContext(ctx).Transaction(fn))
}

// Settle returns err, after appending it to the audit trail in a
// transaction of its own when it is a Denial: for a refusal found outside
// a transaction (a check before long work that holds none).
func Settle(ctx context.Context, db *gorm.DB, err error) error {
	var d *Denial
	if !errors.As(err, &d) {
		return err
	}
	if aerr := recordDenial(ctx, db, d.Event, d.Err); aerr != nil {
		return aerr
	}
	return d.Err
}

// recordDenial appends ev as the denial of an action refused with cause.
func recordDenial(ctx context.Context, db *gorm.DB, ev Event, cause error) error {
	ev.Outcome = OutcomeDenied
	ev.Details = withReason(ev.Details, errs.Message(cause))
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return Append(ctx, tx, ev) })
	if err != nil {
		return fmt.Errorf("record denial of %s: %w", ev.Action, err)
	}
	return nil
}

// withReason adds "reason" to the details JSON object (or makes one).
func withReason(details, reason string) string {
	return withDetail(details, "reason", reason)
}

// withDetail adds key to the details JSON object (or makes one).
func withDetail(details, key string, v any) string {
	m := map[string]any{}
	if details != "" {
		if err := json.Unmarshal([]byte(details), &m); err != nil || m == nil {
			m = map[string]any{"details": details}
		}
	}
	m[key] = v
	return JSON(m)
}
