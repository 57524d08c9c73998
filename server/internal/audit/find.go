package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// ActionView is the audited action of reading the audit trail: auditors are
// watched too.
const ActionView = "audit.view"

// A Filter selects events for Find. Empty fields do not filter.
type Filter struct {
	RequestID string    // events about this request
	Actor     string    // events by this subject (the actor's OIDC sub)
	Action    string    // events of this action, such as "request.submit"
	From      time.Time // events at or after this instant
	To        time.Time // events before this instant
	Cursor    string    // from Page.NextCursor, or "" for the newest events
	Limit     int       // 1–200; 0 means 50
}

// A Page is one page of events, newest first.
type Page struct {
	Events     []Event
	NextCursor string // "" on the last page
}

// cursorPrefix versions the cursor format.
const cursorPrefix = "a1:"

func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return 0, false
	}
	seq, err := strconv.ParseInt(strings.TrimPrefix(string(b), cursorPrefix), 10, 64)
	if err != nil || seq < 1 {
		return 0, false
	}
	return seq, true
}

// Find returns a page of the events f selects, newest first, keyset-paginated
// on the sequence number, so a page never repeats or skips an event however
// many are appended meanwhile. The read itself is recorded as an
// ActionView event by actor, in the same transaction: whoever reads the
// trail leaves a trace in it. Callers authorise actor first (policy action
// "audit.view"). Returns Invalid, naming every bad field, for a bad limit,
// cursor or time range.
func Find(ctx context.Context, db *gorm.DB, actor Actor, f Filter) (Page, error) {
	var problems errs.Fields
	switch {
	case f.Limit < 0 || f.Limit > 200:
		problems.Add("limit", "Use a limit from 1 to 200.")
	case f.Limit == 0:
		f.Limit = 50
	}
	var before int64
	if f.Cursor != "" {
		var ok bool
		if before, ok = decodeCursor(f.Cursor); !ok {
			problems.Add("cursor", "The page cursor is not valid; start again from the newest events.")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		problems.Add("to", "The end of the time range must be after its start.")
	}
	if err := problems.Err(); err != nil {
		return Page{}, err
	}
	var page Page
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Event{})
		if f.RequestID != "" {
			q = q.Where("request_id = ?", f.RequestID)
		}
		if f.Actor != "" {
			q = q.Where("actor_subject = ?", f.Actor)
		}
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		if !f.From.IsZero() {
			q = q.Where("at >= ?", f.From.UTC())
		}
		if !f.To.IsZero() {
			q = q.Where("at < ?", f.To.UTC())
		}
		if before > 0 {
			q = q.Where("seq < ?", before)
		}
		var events []Event
		if err := q.Order("seq DESC").Limit(f.Limit + 1).Find(&events).Error; err != nil {
			return fmt.Errorf("audit: find events: %w", err)
		}
		if len(events) > f.Limit {
			events = events[:f.Limit]
			page.NextCursor = encodeCursor(events[len(events)-1].Seq)
		}
		page.Events = events
		return Append(ctx, tx, Event{Actor: actor, Action: ActionView, ObjectType: "audit", Details: JSON(filterDetails(f))})
	})
	if err != nil {
		return Page{}, err
	}
	return page, nil
}

// filterDetails is what the ActionView event records of the filter.
func filterDetails(f Filter) map[string]string {
	d := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	set("request_id", f.RequestID)
	set("actor", f.Actor)
	set("action", f.Action)
	set("cursor", f.Cursor)
	if !f.From.IsZero() {
		d["from"] = f.From.UTC().Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		d["to"] = f.To.UTC().Format(time.RFC3339)
	}
	return d
}

// Write appends ev in a transaction of its own: for events that record no
// change of their own, such as a refusal found after the refused
// transaction rolled back.
func Write(ctx context.Context, db *gorm.DB, ev Event) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return Append(ctx, tx, ev) })
}
