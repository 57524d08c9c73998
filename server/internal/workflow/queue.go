package workflow

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
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
	Sort      string // one of QueueSorts; "" for SortDeadline
	// Live leaves out the work that is done but for its closing:
	// disclosed requests (and any finished one a queue still holds), so a
	// team sees what still needs deciding.
	Live   bool
	Cursor string // from the previous page's NextCursor, of the same Sort
	Limit  int    // 1–100; default 25
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

// The orders a queue is read in.
const (
	SortDeadline = "deadline" // most urgent deadline first
	SortReceived = "received" // oldest submission first: first come, first served
	SortAgency   = "agency"   // by agency name, then most urgent first
)

// QueueSorts lists the orders, the default first.
var QueueSorts = []string{SortDeadline, SortReceived, SortAgency}

// queueCursor versions the cursor format of the deadline order, and
// sortedCursor that of the others: a cursor holds the sort keys of the
// page's last item, so it continues only the order it was read in.
const (
	queueCursor  = "q1:"
	sortedCursor = "q2:"
)

// A queueKey is where a page of a queue ends, in its order's keys: At is
// the deadline (or, received first, the submission), Agency the agency's
// name in the agency order.
type queueKey struct {
	Sort   string
	At     time.Time
	ID     string
	Agency string
}

func keyOf(sort string, it QueueItem) queueKey {
	k := queueKey{Sort: sort, At: it.DueAt, ID: it.RequestID}
	switch sort {
	case SortReceived:
		k.At = time.Time{}
		if it.SubmittedAt != nil {
			k.At = *it.SubmittedAt
		}
	case SortAgency:
		k.Agency = it.AgencyName
	}
	return k
}

func (k queueKey) encode() string {
	if k.Sort == SortDeadline {
		return encodeQueueCursor(k.At, k.ID)
	}
	// The agency's name goes last: it is the one key that may hold "|".
	return base64.RawURLEncoding.EncodeToString([]byte(sortedCursor + k.Sort + "|" + k.At.UTC().Format(time.RFC3339Nano) + "|" + k.ID + "|" + k.Agency))
}

// decodeQueueKey reads a cursor of order sort; ok is false for a cursor
// that is malformed or of another order.
func decodeQueueKey(sort, c string) (queueKey, bool) {
	if sort == SortDeadline {
		at, id, ok := decodeQueueCursor(c)
		return queueKey{Sort: sort, At: at, ID: id}, ok
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), sortedCursor) {
		return queueKey{}, false
	}
	parts := strings.SplitN(strings.TrimPrefix(string(b), sortedCursor), "|", 4)
	if len(parts) != 4 || parts[0] != sort {
		return queueKey{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, parts[1])
	if u, uerr := uuid.Parse(parts[2]); err != nil || uerr != nil || u.String() != parts[2] {
		return queueKey{}, false
	}
	return queueKey{Sort: sort, At: at.UTC(), ID: parts[2], Agency: parts[3]}, true
}

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

// doneStates are the states of a request whose work is done: disclosed,
// or finished.
func doneStates() []string {
	out := []string{string(request.StateDisclosed)}
	for _, st := range request.States {
		if st.Terminal() {
			out = append(out, string(st))
		}
	}
	return out
}

// Queue returns a page of the provider's queues, most urgent deadline
// first, or in the order f.Sort names. Pages are keyset-paginated on the
// order's keys (deadline, id): a page costs the same at the millionth
// request as at the first, and never repeats or skips one when others
// arrive. Emergencies awaiting their co-signature and finished
// requests are in no queue: a queued request is always one the provider may
// see (request.ProviderSees), because place never queues an emergency its
// supervisor has not co-signed; the page keeps to that index-only range
// scan rather than testing the rule again row by row.
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
	if f.Status != "" && !slices.Contains(request.States, f.Status) {
		problems.Add("status", "Not a state of the workflow.")
	}
	switch {
	case f.Limit < 0 || f.Limit > 100:
		problems.Add("limit", "Use a limit from 1 to 100.")
	case f.Limit == 0:
		f.Limit = 25
	}
	switch {
	case f.Sort == "":
		f.Sort = SortDeadline
	case !slices.Contains(QueueSorts, f.Sort):
		problems.Add("sort", "Choose one of: %s.", strings.Join(QueueSorts, ", "))
	}
	var after queueKey
	if f.Cursor != "" && slices.Contains(QueueSorts, f.Sort) {
		var ok bool
		if after, ok = decodeQueueKey(f.Sort, f.Cursor); !ok {
			problems.Add("cursor", "The page cursor is not valid; start again from the first page.")
		}
	}
	if err := problems.Err(); err != nil {
		return QueuePage{}, err
	}
	var (
		conds []string
		args  []any
	)
	where := func(cond string, a ...any) { conds, args = append(conds, cond), append(args, a...) }
	if f.Team != "" {
		where("w.queue = ?", f.Team)
	} else {
		where("w.queue <> ''")
	}
	if f.Status != "" {
		where("w.status = ?", string(f.Status))
	}
	if f.Live {
		where("w.status NOT IN ?", doneStates())
	}
	if f.Overdue != nil {
		where("w.overdue = ?", *f.Overdue)
	}
	if f.Emergency != nil {
		where("w.emergency = ?", *f.Emergency)
	}
	if f.Assignee != "" {
		where("w.assignee_id = ?", f.Assignee)
	}
	// A queued request was always submitted, so submitted_at is never
	// NULL here and the received order's keys compare.
	order := "w.due_at, w.request_id"
	switch f.Sort {
	case SortReceived:
		order = "r.submitted_at, w.request_id"
	case SortAgency:
		order = "r.agency_name, w.due_at, w.request_id"
	}
	if after.ID != "" {
		switch f.Sort {
		case SortReceived:
			where("(r.submitted_at, w.request_id) > (?, ?)", after.At, after.ID)
		case SortAgency:
			where("(r.agency_name, w.due_at, w.request_id) > (?, ?, ?)", after.Agency, after.At, after.ID)
		default:
			where("(w.due_at, w.request_id) > (?, ?)", after.At, after.ID)
		}
	}
	// The limit is written into the statement rather than bound: with a
	// known limit, PostgreSQL's generic plan of the cached statement is the
	// index-only range scan at any table size, so the page is not planned
	// again on every call (planning alone would cost more at a million rows
	// than the scan).
	query := `SELECT w.request_id, w.status, w.queue, w.kind, w.emergency, w.overdue, w.due_at, w.assignee_id,
			r.reference, r.process, r.agency_id, r.submitted_at, r.agency_name, r.agency_country,
			p.name AS assignee_name
		FROM workflow_requests w
		JOIN request_summaries r ON r.id = w.request_id
		LEFT JOIN people p ON p.id = w.assignee_id
		WHERE ` + strings.Join(conds, " AND ") + `
		ORDER BY ` + order + `
		LIMIT ` + strconv.Itoa(f.Limit+1)
	var items []QueueItem
	read := func(tx *gorm.DB) error { return tx.Raw(query, args...).Scan(&items).Error }
	if e.db.Dialect == db.Postgres {
		err = e.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL plan_cache_mode = force_generic_plan").Error; err != nil {
				return err
			}
			return read(tx)
		})
	} else {
		// Not in a transaction: SQLite's are immediate, and take the write lock.
		err = read(e.db.WithContext(ctx))
	}
	if err != nil {
		return QueuePage{}, fmt.Errorf("queue: %w", err)
	}
	var page QueuePage
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[len(items)-1]
		page.NextCursor = keyOf(f.Sort, last).encode()
	}
	page.Items = items
	return page, nil
}
