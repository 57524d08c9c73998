package workflow

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

var errDryRun = errors.New("dry run")

// DryRun answers exactly as Transition would, then rolls everything back,
// so one request can stand in its state for every case of a table.
func (e *Engine) DryRun(ctx context.Context, actor *identity.Principal, id string, version int, a Action, in Input) (*Status, error) {
	var (
		st  *Status
		out error
	)
	err := e.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s, err := e.transition(ctx, tx, actor, id, version, a, in)
		if err != nil {
			out = err
			return err
		}
		st = s.status()
		return errDryRun
	})
	if out == nil && !errors.Is(err, errDryRun) {
		out = err
	}
	return st, out
}

// RunSystem takes one of the engine's own actions, as its jobs do.
func (e *Engine) RunSystem(ctx context.Context, id string, a Action, comment string) error {
	return e.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := e.transition(ctx, tx, system, id, 0, a, Input{Comment: comment})
		return err
	})
}
