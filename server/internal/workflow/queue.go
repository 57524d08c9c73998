package workflow

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// Teams are the provider's team queues, as the routing policy names them.
var Teams = []string{policy.QueueIntake, policy.QueueLegal, policy.QueueEmergency, policy.QueueInternational, policy.QueueCounsel}

// A QueueFilter selects a page of a team queue. Zero values do not filter.
type QueueFilter struct {
	Team      string // one of Teams; "" for every queue
	Status    State
	Overdue   *bool
	Emergency *bool
	Assignee  string // a people id
	Cursor    string // from the previous page's NextCursor
	Limit     int    // 1–100; default 25
}

// A QueueItem is one request in a queue.
type QueueItem struct {
	RequestID     string     `gorm:"column:request_id"`
	Reference     string     `gorm:"column:reference"`
	Status        State      `gorm:"column:status"`
	Queue         string     `gorm:"column:queue"`
	Kind          string     `gorm:"column:kind"`
	Emergency     bool       `gorm:"column:emergency"`
	Overdue       bool       `gorm:"column:overdue"`
	DueAt         time.Time  `gorm:"column:due_at"`
	AssigneeID    *string    `gorm:"column:assignee_id"`
	AssigneeName  *string    `gorm:"column:assignee_name"`
	Process       string     `gorm:"column:process"`
	AgencyID      string     `gorm:"column:agency_id"`
	AgencyName    string     `gorm:"column:agency_name"`
	AgencyCountry string     `gorm:"column:agency_country"`
	SubmittedAt   *time.Time `gorm:"column:submitted_at"`
}

// HasDeadline reports whether the item's state has a deadline.
func (q QueueItem) HasDeadline() bool { return q.DueAt.Before(noDeadline) }

// A QueuePage is a page of a queue, most urgent first.
type QueuePage struct {
	Items      []QueueItem
	NextCursor string
}

// queueCursor versions the cursor format.
const queueCursor = "q1:"

func encodeQueueCursor(due time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(queueCursor + due.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeQueueCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), queueCursor) {
		return time.Time{}, "", false
	}
	ts, id, ok := strings.Cut(strings.TrimPrefix(string(b), queueCursor), "|")
	if !ok {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if u, uerr := uuid.Parse(id); err != nil || uerr != nil || u.String() != id {
		return time.Time{}, "", false
	}
	return t.UTC(), id, true
}

// Queue returns a page of the provider's queues, most urgent deadline
// first. Pages are keyset-paginated on (deadline, id): a page costs the same
// at the millionth request as at the first, and never repeats or skips one
// when others arrive. Emergencies awaiting their co-signature and finished
// requests are in no queue.
// Returns Forbidden unless the policy lets actor view the queues, and
// Invalid for a bad filter or cursor.
func (e *Engine) Queue(ctx context.Context, actor *identity.Principal, f QueueFilter) (QueuePage, error) {
	if err := checkActor(actor); err != nil {
		return QueuePage{}, err
	}
	d, err := e.policy.Authorize(ctx, policy.AuthzInput{
		Actor:  policy.Actor{ID: actor.PersonID, Roles: actor.RoleStrings(), Provider: actor.Provider, AgencyID: actor.AgencyID},
		Action: "queue.view",
	})
	if err != nil {
		return QueuePage{}, err
	}
	if !d.Allow || !actor.Provider {
		return QueuePage{}, errs.E(errs.Forbidden, "Only the provider's teams work from the queues.")
	}
	var problems errs.Fields
	if f.Team != "" && !slices.Contains(Teams, f.Team) {
		problems.Add("team", "Choose one of: %s.", strings.Join(Teams, ", "))
	}
	if f.Status != "" && !slices.Contains(States, f.Status) {
		problems.Add("status", "Not a state of the workflow.")
	}
	switch {
	case f.Limit < 0 || f.Limit > 100:
		problems.Add("limit", "Use a limit from 1 to 100.")
	case f.Limit == 0:
		f.Limit = 25
	}
	var (
		afterDue time.Time
		afterID  string
	)
	if f.Cursor != "" {
		var ok bool
		if afterDue, afterID, ok = decodeQueueCursor(f.Cursor); !ok {
			problems.Add("cursor", "The page cursor is not valid; start again from the first page.")
		}
	}
	if err := problems.Err(); err != nil {
		return QueuePage{}, err
	}
	q := e.db.WithContext(ctx).Table("workflow_requests w").
		Select(`w.request_id, w.status, w.queue, w.kind, w.emergency, w.overdue, w.due_at, w.assignee_id,
			r.reference, r.process, r.agency_id, r.submitted_at, a.name AS agency_name, a.country AS agency_country,
			p.name AS assignee_name`).
		Joins("JOIN requests r ON r.id = w.request_id").
		Joins("JOIN agencies a ON a.id = r.agency_id").
		Joins("LEFT JOIN people p ON p.id = w.assignee_id")
	if f.Team != "" {
		q = q.Where("w.queue = ?", f.Team)
	} else {
		q = q.Where("w.queue <> ''")
	}
	if f.Status != "" {
		q = q.Where("w.status = ?", string(f.Status))
	}
	if f.Overdue != nil {
		q = q.Where("w.overdue = ?", *f.Overdue)
	}
	if f.Emergency != nil {
		q = q.Where("w.emergency = ?", *f.Emergency)
	}
	if f.Assignee != "" {
		q = q.Where("w.assignee_id = ?", f.Assignee)
	}
	if afterID != "" {
		q = q.Where("(w.due_at, w.request_id) > (?, ?)", afterDue, afterID)
	}
	var items []QueueItem
	if err := q.Order("w.due_at, w.request_id").Limit(f.Limit + 1).Scan(&items).Error; err != nil {
		return QueuePage{}, fmt.Errorf("queue: %w", err)
	}
	var page QueuePage
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[len(items)-1]
		page.NextCursor = encodeQueueCursor(last.DueAt, last.RequestID)
	}
	page.Items = items
	return page, nil
}
