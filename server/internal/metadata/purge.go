package metadata

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
)

// A Store reads and maintains the retained metadata.
type Store struct {
	DB        *db.DB
	Retention Retention        // from the policy catalogue (RetentionFrom)
	Now       func() time.Time // defaults to time.Now
	// PurgeBatch is how many rows one purge transaction deletes at most
	// (default 20000): a large purge never holds one huge transaction.
	PurgeBatch int
}

func (s *Store) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Microsecond)
}

// PurgeResult counts what one Purge deleted, per table.
type PurgeResult map[string]int64

// Total is the number of rows deleted.
func (r PurgeResult) Total() int64 {
	var n int64
	for _, v := range r {
		n += v
	}
	return n
}

// activeHold is the condition "an active, unexpired hold covers this row";
// it is written once here so purge and its tests agree on it.
const activeHold = `SELECT 1 FROM md_holds h WHERE h.account_id = %s AND h.category = '%s' AND h.status = 'active' AND h.expires_at > ?`

// purges are the retention rules: which rows of which table are past their
// category's window. Each is a SELECT of ids; %s stands for the batch
// limit. Arguments: the category's cutoff, then now (for holds).
var purges = []struct {
	table    string
	category string
	query    string
}{
	{"md_connection_events", ConnectionLog, `SELECT e.id FROM md_connection_events e WHERE e.at < ?
		AND NOT EXISTS (` + fmt.Sprintf(activeHold, "e.account_id", ConnectionLog) + ` AND e.at >= h.from_at AND e.at < h.to_at)`},
	{"md_devices", Device, `SELECT d.id FROM md_devices d WHERE d.last_seen_at < ?
		AND NOT EXISTS (` + fmt.Sprintf(activeHold, "d.account_id", Device) + ` AND d.first_seen_at < h.to_at AND d.last_seen_at >= h.from_at)`},
	{"md_contacts", Contacts, `SELECT c.id FROM md_contacts c WHERE c.removed_at < ?
		AND NOT EXISTS (` + fmt.Sprintf(activeHold, "c.account_id", Contacts) + ` AND c.added_at < h.to_at AND c.removed_at >= h.from_at)`},
	{"md_group_memberships", Groups, `SELECT g.id FROM md_group_memberships g WHERE g.left_at < ?
		AND NOT EXISTS (` + fmt.Sprintf(activeHold, "g.account_id", Groups) + ` AND g.joined_at < h.to_at AND g.left_at >= h.from_at)`},
	// A deleted account goes, with everything still attached to it, once
	// the subscriber window has passed and no active hold of any category
	// keeps anything of it.
	{"md_accounts", Subscriber, `SELECT a.id FROM md_accounts a WHERE a.status = 'deleted' AND a.deleted_at < ?
		AND NOT EXISTS (SELECT 1 FROM md_holds h WHERE h.account_id = a.id AND h.status = 'active' AND h.expires_at > ?)`},
}

// Purge deletes every row past its category's retention window at now,
// except rows an active, unexpired preservation hold covers, and routing
// metadata whose order ended more than EnvelopeGraceDays ago. It works in
// batches of PurgeBatch rows, each its own transaction with an audit event
// counting what it deleted, so it can be interrupted and run again at any
// time (the retention job runs it periodically). Returns what it deleted,
// and Internal on a database failure.
func (s *Store) Purge(ctx context.Context) (PurgeResult, error) {
	now := s.now()
	batch := s.PurgeBatch
	if batch <= 0 {
		batch = 20000
	}
	res := PurgeResult{}
	for _, p := range purges {
		if _, ok := s.Retention[p.category]; !ok {
			// No window in the policy: keep everything rather than guess.
			continue
		}
		cutoff := s.Retention.Cutoff(p.category, now)
		for {
			n, err := s.purgeBatch(ctx, p.table, p.category, p.query+fmt.Sprintf(" LIMIT %d", batch), now, cutoff, now)
			if err != nil {
				return res, err
			}
			res[p.table] += n
			if n < int64(batch) {
				break
			}
		}
	}
	// Collection orders, with their envelopes, once the grace has passed.
	for {
		n, err := s.purgeBatch(ctx, "md_collection_orders", Envelope,
			fmt.Sprintf(`SELECT o.id FROM md_collection_orders o WHERE COALESCE(o.stopped_at, o.ends_at) < ? LIMIT %d`, batch),
			now, now.AddDate(0, 0, -EnvelopeGraceDays))
		if err != nil {
			return res, err
		}
		res["md_collection_orders"] += n
		if n < int64(batch) {
			break
		}
	}
	return res, nil
}

// purgeBatch deletes the rows ids selects and audits the deletion, in one
// transaction.
func (s *Store) purgeBatch(ctx context.Context, table, category, ids string, now time.Time, args ...any) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Exec("DELETE FROM "+table+" WHERE id IN ("+ids+")", args...)
		if r.Error != nil {
			return fmt.Errorf("purge %s: %w", table, r.Error)
		}
		n = r.RowsAffected
		if n == 0 {
			return nil
		}
		return audit.Append(ctx, tx, audit.Event{
			At: now, Actor: audit.Actor{Subject: "system:retention"}, Action: "metadata.purge",
			ObjectType: "metadata", ObjectID: table,
			Details: audit.JSON(map[string]any{"table": table, "category": category, "rows": n, "cutoff": args[0]}),
		})
	})
	return n, err
}
