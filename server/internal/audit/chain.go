package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// A Pending event is an event written by its transaction while another held
// the chain head, waiting to be chained (see Append). It has every field of
// an Event except its place in the chain.
type Pending struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	At         time.Time `gorm:"column:at"`
	Actor      Actor     `gorm:"embedded;embeddedPrefix:actor_"`
	Action     string    `gorm:"column:action"`
	ObjectType string    `gorm:"column:object_type"`
	ObjectID   string    `gorm:"column:object_id"`
	Outcome    string    `gorm:"column:outcome"`
	RequestID  string    `gorm:"column:request_id"`
	Decision   string    `gorm:"column:decision"`
	Details    string    `gorm:"column:details"`
}

// TableName maps Pending onto audit_pending.
func (Pending) TableName() string { return "audit_pending" }

func pendingOf(ev Event) Pending {
	return Pending{At: ev.At, Actor: ev.Actor, Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
		Outcome: ev.Outcome, RequestID: ev.RequestID, Decision: ev.Decision, Details: ev.Details}
}

func (p Pending) event() Event {
	return Event{At: p.At.UTC(), Actor: p.Actor, Action: p.Action, ObjectType: p.ObjectType, ObjectID: p.ObjectID,
		Outcome: p.Outcome, RequestID: p.RequestID, Decision: p.Decision, Details: p.Details}
}

// maxBatch is the most queued events one Flush transaction chains, and
// inlineBatch the most an action's own transaction chains on its way: an
// action should not pay for a backlog.
const (
	maxBatch    = 1000
	inlineBatch = 64
)

// takeHead locks the chain head for tx, unless another transaction holds it:
// ok is false then, and tx must not wait for it. On SQLite every
// transaction already holds the database's one write lock, so the head is
// always free.
func takeHead(tx *gorm.DB) (h head, ok bool, err error) {
	q := "SELECT seq, hash FROM audit_head WHERE id = 1"
	if tx.Dialector.Name() == "postgres" {
		q += " FOR UPDATE SKIP LOCKED"
	}
	res := tx.Raw(q).Scan(&h)
	if res.Error != nil {
		return head{}, false, fmt.Errorf("audit: read chain head: %w", res.Error)
	}
	if res.RowsAffected == 0 || h.Hash == "" {
		if tx.Dialector.Name() != "postgres" {
			return head{}, false, errors.New("audit: chain head missing: is the database migrated?")
		}
		return head{}, false, nil // locked by another transaction
	}
	return h, true, nil
}

// moveHead advances the locked head from from to to.
func moveHead(tx *gorm.DB, from, to head) error {
	if to == from {
		return nil
	}
	res := tx.Exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?", to.Seq, to.Hash, from.Seq)
	if res.Error != nil {
		return fmt.Errorf("audit: advance chain head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errors.New("audit: chain head moved during append")
	}
	return nil
}

// chainPending moves up to limit queued events, oldest first, onto the chain
// whose head tx holds at h, and returns the new head (not yet written) and
// how many it chained. It sees only queued events whose transactions have
// committed; the others are chained later.
func chainPending(tx *gorm.DB, h head, limit int) (head, int, error) {
	var ps []Pending
	if err := tx.Order("id").Limit(limit).Find(&ps).Error; err != nil {
		return h, 0, fmt.Errorf("audit: read queued events: %w", err)
	}
	if len(ps) == 0 {
		return h, 0, nil
	}
	events := make([]Event, len(ps))
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ev := p.event()
		ev.Seq = h.Seq + 1
		ev.PrevHash = h.Hash
		ev.Hash = Hash(ev)
		events[i], ids[i] = ev, p.ID
		h = head{Seq: ev.Seq, Hash: ev.Hash}
	}
	if err := tx.CreateInBatches(events, 200).Error; err != nil {
		return h, 0, fmt.Errorf("audit: chain queued events: %w", err)
	}
	if err := tx.Where("id IN ?", ids).Delete(&Pending{}).Error; err != nil {
		return h, 0, fmt.Errorf("audit: dequeue chained events: %w", err)
	}
	return h, len(ps), nil
}

// Flush chains the queued events, if the chain head is free, and returns how
// many it chained. The log signer calls it every second, so an event queued
// while the server was busy is chained within about a second of its
// transaction's commit even when nothing else is appended; call it before
// counting events right after concurrent appends.
func Flush(ctx context.Context, db *gorm.DB) (int, error) {
	total := 0
	for {
		n := 0
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			h, ok, err := takeHead(tx)
			if err != nil || !ok {
				return err
			}
			to, chained, err := chainPending(tx, h, maxBatch)
			if err != nil {
				return err
			}
			n = chained
			return moveHead(tx, h, to)
		})
		total += n
		if err != nil || n < maxBatch {
			return total, err
		}
	}
}
