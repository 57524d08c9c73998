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

	// People keeps events by any of these people (issuer and subject): the
	// people a search by name found. Nil does not filter.
	People []Actor
	// Through keeps events up to this sequence number, so that numbered
	// pages stay put while events are appended (every reading appends
	// one); 0 means the newest, and Page.Through says which that was.
	Through int64
	// Offset skips this many events (after Through), for numbered pages.
	Offset int
	// Asked is what the reader asked in words that the fields above were
	// resolved from (a request's reference, a person's name): the reading's
	// event records it beside them.
	Asked map[string]string
}

// A Page is one page of events, newest first.
type Page struct {
	Events     []Event
	NextCursor string // "" on the last page
	Total      int64  // how many events the filter selects, up to Through
	Through    int64  // the newest sequence number the reading considered
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
	before, err := f.check()
	if err != nil {
		return Page{}, err
	}
	var page Page
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if page.Through, err = through(tx, f.Through); err != nil {
			return err
		}
		f.Through = page.Through
		if err := f.where(tx.Model(&Event{})).Count(&page.Total).Error; err != nil {
			return fmt.Errorf("audit: count events: %w", err)
		}
		q := f.where(tx.Model(&Event{}))
		if before > 0 {
			q = q.Where("seq < ?", before)
		}
		var events []Event
		if err := q.Order("seq DESC").Offset(f.Offset).Limit(f.Limit + 1).Find(&events).Error; err != nil {
			return fmt.Errorf("audit: find events: %w", err)
		}
		if len(events) > f.Limit {
			events = events[:f.Limit]
			page.NextCursor = encodeCursor(events[len(events)-1].Seq)
		}
		page.Events = events
		return Append(ctx, tx, Event{Actor: actor, Action: ActionView, ObjectType: "audit", Details: JSON(filterDetails(f, ""))})
	})
	if err != nil {
		return Page{}, err
	}
	return page, nil
}

// Export records a reading of every event f selects (f's cursor, offset
// and limit aside) as an ActionView event whose details say it was an
// export in format, and commits it; then it calls fn with each event,
// newest first, reading batches outside any transaction, so a slow
// download holds no lock. The reading is recorded before the first event
// is read: no one exports the trail without leaving a trace, even if the
// export stops half way. Callers authorise actor first (policy action
// "audit.view"). Returns Invalid for a bad time range, and fn's error.
func Export(ctx context.Context, db *gorm.DB, actor Actor, f Filter, format string, fn func(Event) error) error {
	f.Cursor, f.Offset, f.Limit = "", 0, 0
	if _, err := f.check(); err != nil {
		return err
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if f.Through, err = through(tx, f.Through); err != nil {
			return err
		}
		return Append(ctx, tx, Event{Actor: actor, Action: ActionView, ObjectType: "audit", Details: JSON(filterDetails(f, format))})
	})
	if err != nil {
		return err
	}
	const batch = 500
	before := f.Through + 1
	for {
		var events []Event
		err := f.where(db.WithContext(ctx).Model(&Event{})).Where("seq < ?", before).Order("seq DESC").Limit(batch).Find(&events).Error
		if err != nil {
			return fmt.Errorf("audit: export events: %w", err)
		}
		for _, ev := range events {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if len(events) < batch {
			return nil
		}
		before = events[len(events)-1].Seq
	}
}

// check validates f, returning the sequence number its cursor stands for.
// Returns Invalid, naming every bad field.
func (f *Filter) check() (before int64, err error) {
	var problems errs.Fields
	switch {
	case f.Limit < 0 || f.Limit > 200:
		problems.Add("limit", "Use a limit from 1 to 200.")
	case f.Limit == 0:
		f.Limit = 50
	}
	if f.Cursor != "" {
		var ok bool
		if before, ok = decodeCursor(f.Cursor); !ok {
			problems.Add("cursor", "The page cursor is not valid; start again from the newest events.")
		}
	}
	if f.Offset < 0 || f.Through < 0 {
		problems.Add("page", "The page number is not valid; start again from the first page.")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		problems.Add("to", "The end of the time range must be after its start.")
	}
	return before, problems.Err()
}

// through is the newest sequence number a reading considers: want, or the
// newest event's when want is 0.
func through(tx *gorm.DB, want int64) (int64, error) {
	if want > 0 {
		return want, nil
	}
	var head int64
	if err := tx.Model(&Event{}).Select("COALESCE(MAX(seq), 0)").Scan(&head).Error; err != nil {
		return 0, fmt.Errorf("audit: find the newest event: %w", err)
	}
	return head, nil
}

// where narrows q to the events f selects (its cursor and offset aside).
func (f *Filter) where(q *gorm.DB) *gorm.DB {
	if f.RequestID != "" {
		q = q.Where("request_id = ?", f.RequestID)
	}
	if f.Actor != "" {
		q = q.Where("actor_subject = ?", f.Actor)
	}
	if f.People != nil {
		// An empty list matches no one; each person is an issuer and a
		// subject, since subjects are unique only per issuer.
		cond, args := "1 = 0", []any{}
		for _, p := range f.People {
			cond += " OR (actor_issuer = ? AND actor_subject = ?)"
			args = append(args, p.Issuer, p.Subject)
		}
		q = q.Where("("+cond+")", args...)
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
	if f.Through > 0 {
		q = q.Where("seq <= ?", f.Through)
	}
	return q
}

// filterDetails is what the ActionView event records of the filter, and
// the export's format ("" for a page).
func filterDetails(f Filter, format string) map[string]string {
	d := map[string]string{}
	for k, v := range f.Asked {
		if v != "" {
			d[k] = v
		}
	}
	set := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	set("request_id", f.RequestID)
	set("actor", f.Actor)
	set("action", f.Action)
	set("cursor", f.Cursor)
	set("export", format)
	if f.People != nil {
		subjects := make([]string, 0, len(f.People))
		for _, p := range f.People {
			subjects = append(subjects, p.Subject)
		}
		d["people"] = strings.Join(subjects, " ")
	}
	if f.Offset > 0 {
		d["offset"] = strconv.Itoa(f.Offset)
	}
	if f.Through > 0 {
		d["through"] = strconv.FormatInt(f.Through, 10)
	}
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
