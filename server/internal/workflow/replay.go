package workflow

import (
	"context"

	"gorm.io/gorm"
)

// StartProduction takes approved request id to production now, exactly as
// its produce job does: approved → producing, handing the decision to the
// Producer, in one transaction. The job, when it runs later, finds the
// request producing and does nothing. It is for callers that replay a
// request's life step by step on the engine's clock (the history seeder,
// package demo); the portal leaves it to the job. A request that is not
// approved is left alone. Returns an error only when the transition fails.
func (e *Engine) StartProduction(ctx context.Context, id string) error {
	return e.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return e.onProduce(ctx, tx, produceArgs{RequestID: id})
	})
}
