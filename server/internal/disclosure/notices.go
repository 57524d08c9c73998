package disclosure

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// Notice statuses.
const (
	NoticeScheduled = "scheduled" // waits for a non-disclosure order to end
	NoticeQueued    = "queued"    // in the outbox, waiting for the webhook
	NoticeSent      = "sent"      // the webhook accepted it
	NoticeFailed    = "failed"    // the webhook refused it MaxNoticeAttempts times
)

// MaxNoticeAttempts is how often a notice is offered to the webhook before
// it is marked failed for the provider to look at.
const MaxNoticeAttempts = 8

// A Notice is the notice owed to one affected account holder.
type Notice struct {
	ID            string     `gorm:"column:id;primaryKey"`
	ProductionID  string     `gorm:"column:production_id"`
	RequestID     string     `gorm:"column:request_id"`
	AccountID     string     `gorm:"column:account_id"`
	Status        string     `gorm:"column:status"`
	DueAt         time.Time  `gorm:"column:due_at"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt *time.Time `gorm:"column:next_attempt_at"`
	LastError     string     `gorm:"column:last_error"`
	SentAt        *time.Time `gorm:"column:sent_at"`
	CreatedAt     time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt     time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName maps Notice onto user_notices.
func (Notice) TableName() string { return "user_notices" }

// indefinite is the due time of a notice under an order without an end
// date: it waits until someone records one.
var indefinite = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// noticeDue says when a notice about r may go out at now: at once, or at
// the start of the day after its non-disclosure order ends.
func noticeDue(r *request.Request, now time.Time) (time.Time, bool) {
	nd := r.Nondisclosure
	if !nd.Ordered {
		return now, false
	}
	if nd.Until.IsZero() {
		return indefinite, true
	}
	if day.Of(now).After(nd.Until) {
		return now, false
	}
	return nd.Until.AddDays(1).Time(), true
}

// queueNotices owes a notice to each affected account, inside the
// transaction that makes the package available: queued at once, or
// scheduled (with a River job at the order's end) while a non-disclosure
// order is in force.
func (s *Service) queueNotices(ctx context.Context, tx *gorm.DB, p *Production, r *request.Request, accounts []string) error {
	if len(accounts) == 0 {
		return nil
	}
	now := s.now()
	due, gagged := noticeDue(r, now)
	status := NoticeQueued
	if gagged {
		status = NoticeScheduled
	}
	ns := make([]Notice, len(accounts))
	for i, a := range accounts {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("queue notices: %w", err)
		}
		ns[i] = Notice{ID: id.String(), ProductionID: p.ID, RequestID: r.ID, AccountID: a, Status: status, DueAt: due, CreatedAt: now, UpdatedAt: now}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ns).Error; err != nil {
		return fmt.Errorf("queue notices: %w", err)
	}
	details := map[string]any{"accounts": len(accounts), "status": status}
	if gagged {
		details["due_at"] = due
	}
	if err := audit.Append(ctx, tx, audit.Event{
		At: now, Actor: systemActor, Action: ActionNoticeQueue, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
		Details: audit.JSON(details),
	}); err != nil {
		return err
	}
	if s.Jobs == nil {
		return nil
	}
	if gagged {
		if due.Equal(indefinite) {
			return nil // nothing to schedule until an end date is recorded
		}
		return insertJob(ctx, tx, s.Jobs, NoticeReleaseArgs{ProductionID: p.ID}, &river.InsertOpts{ScheduledAt: due})
	}
	return insertJob(ctx, tx, s.Jobs, NoticeDeliverArgs{}, nil)
}

// ReleaseDue moves scheduled notices whose non-disclosure order has ended
// into the outbox. The order is read again first: one a court extended
// reschedules the notice instead. Returns how many it released.
func (s *Service) ReleaseDue(ctx context.Context) (int, error) {
	now := s.now()
	var due []Notice
	if err := s.DB.WithContext(ctx).Where("status = ? AND due_at <= ?", NoticeScheduled, now).Order("due_at, id").Limit(500).Find(&due).Error; err != nil {
		return 0, fmt.Errorf("release notices: %w", err)
	}
	released := 0
	for _, n := range due {
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			r, err := loadRequest(ctx, tx, n.RequestID)
			if err != nil {
				return err
			}
			next, gagged := noticeDue(r, now)
			upd := map[string]any{"updated_at": now}
			if gagged {
				upd["due_at"] = next
			} else {
				upd["status"], upd["due_at"] = NoticeQueued, now
			}
			q := tx.Model(&Notice{}).Where("id = ? AND status = ?", n.ID, NoticeScheduled).Updates(upd)
			if q.Error != nil || q.RowsAffected != 1 {
				return q.Error
			}
			if gagged {
				if s.Jobs != nil && !next.Equal(indefinite) {
					return insertJob(ctx, tx, s.Jobs, NoticeReleaseArgs{ProductionID: n.ProductionID}, &river.InsertOpts{ScheduledAt: next})
				}
				return nil
			}
			released++
			if err := ndoLifted(ctx, tx, r, now); err != nil {
				return err
			}
			return audit.Append(ctx, tx, audit.Event{
				At: now, Actor: systemActor, Action: ActionNoticeRelease, ObjectType: "notice", ObjectID: n.ID, RequestID: n.RequestID,
			})
		})
		if err != nil {
			return released, err
		}
	}
	return released, nil
}

// A NoticeMessage is what the webhook receives: enough for the provider's
// messaging system to tell the account holder who obtained what.
type NoticeMessage struct {
	NoticeID    string   `json:"notice_id"`
	AccountID   string   `json:"account_id"`
	Reference   string   `json:"request_reference"`
	Agency      string   `json:"agency"`
	Country     string   `json:"agency_country"`
	Process     string   `json:"legal_process"`
	Categories  []string `json:"categories"`
	DateFrom    string   `json:"date_from"`
	DateTo      string   `json:"date_to"`
	DisclosedOn string   `json:"disclosed_on"`
}

// noticeLease is how long a claimed notice is left alone by other
// deliverers before it is offered again.
const noticeLease = 5 * time.Minute

// DeliverNotices offers due notices of the outbox to the webhook, each once
// per run: accepted ones (2xx) are sent; others are retried with growing
// delays and marked failed after MaxNoticeAttempts. Delivery is at least
// once: the webhook gets the notice id (also as Idempotency-Key) and an
// Ed25519 signature of the body (X-Warrantdesk-Signature), made with the
// production key. Without a webhook nothing leaves and notices stay queued.
// Returns how many were sent.
func (s *Service) DeliverNotices(ctx context.Context) (int, error) {
	if s.NoticeWebhook == "" {
		return 0, nil
	}
	now := s.now()
	var claimed []Notice
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("status = ? AND due_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", NoticeQueued, now, now).
			Order("due_at, id").Limit(50)
		if s.DB.Dialect == db.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&claimed).Error; err != nil {
			return err
		}
		for i := range claimed {
			claimed[i].Attempts++
			if err := tx.Model(&Notice{}).Where("id = ?", claimed[i].ID).
				Updates(map[string]any{"attempts": claimed[i].Attempts, "next_attempt_at": now.Add(noticeLease), "updated_at": now}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("deliver notices: %w", err)
	}
	sent := 0
	for _, n := range claimed {
		sendErr := s.sendNotice(ctx, &n)
		if err := s.recordDelivery(ctx, &n, sendErr); err != nil {
			return sent, err
		}
		if sendErr == nil {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) sendNotice(ctx context.Context, n *Notice) error {
	var msg NoticeMessage
	var p Production
	if err := s.DB.WithContext(ctx).Where("id = ?", n.ProductionID).Take(&p).Error; err != nil {
		return fmt.Errorf("read production: %w", err)
	}
	r, err := loadRequest(ctx, s.DB.DB, n.RequestID)
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	a, err := agency.FindByID(ctx, s.DB.DB, r.AgencyID)
	if err != nil {
		return fmt.Errorf("read agency: %w", err)
	}
	var ap Approved
	json.Unmarshal([]byte(p.Scope), &ap) // written by finish; an empty scope still says who asked
	msg = NoticeMessage{
		NoticeID: n.ID, AccountID: n.AccountID, Reference: r.Reference, Agency: a.Name, Country: a.Country,
		Process: r.Process, Categories: ap.Categories, DateFrom: ap.DateFrom.String(), DateTo: ap.DateTo.String(),
	}
	if p.ProducedAt != nil {
		msg.DisclosedOn = day.Of(*p.ProducedAt).String()
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.NoticeWebhook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", n.ID)
	req.Header.Set("X-Warrantdesk-Signature", "ed25519="+base64.StdEncoding.EncodeToString(s.Keys.signature(body)))
	client := s.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// recordDelivery writes the outcome of one offer to the webhook.
func (s *Service) recordDelivery(ctx context.Context, n *Notice, sendErr error) error {
	now := s.now()
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		upd := map[string]any{"updated_at": now}
		ev := audit.Event{At: now, Actor: systemActor, Action: ActionNoticeSend, ObjectType: "notice", ObjectID: n.ID, RequestID: n.RequestID}
		switch {
		case sendErr == nil:
			upd["status"], upd["sent_at"], upd["last_error"], upd["next_attempt_at"] = NoticeSent, now, "", nil
		case n.Attempts >= MaxNoticeAttempts:
			upd["status"], upd["last_error"] = NoticeFailed, clip(sendErr.Error(), 500)
			ev.Outcome, ev.Details = audit.OutcomeFailure, audit.JSON(map[string]any{"attempts": n.Attempts, "error": clip(sendErr.Error(), 500)})
		default:
			// 1, 2, 4, … minutes, at most six hours.
			backoff := min(time.Minute<<(n.Attempts-1), 6*time.Hour)
			upd["last_error"], upd["next_attempt_at"] = clip(sendErr.Error(), 500), now.Add(backoff)
		}
		q := tx.Model(&Notice{}).Where("id = ? AND status = ?", n.ID, NoticeQueued).Updates(upd)
		if q.Error != nil {
			return fmt.Errorf("record notice delivery: %w", q.Error)
		}
		if sendErr != nil && n.Attempts < MaxNoticeAttempts {
			return nil // a retry is not an event
		}
		if sendErr == nil && q.RowsAffected == 1 {
			// Reports count notices sent from the public log: the leaf
			// says one notice left, never for which account.
			r, err := loadRequest(ctx, tx, n.RequestID)
			if err != nil {
				return err
			}
			if err := noticeLeaf(ctx, tx, r, translog.EventNoticeSent, 1, now); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, ev)
	})
}

// ndoLifted records in the public log, once per request, that its
// non-disclosure order ended: when the last of its scheduled notices is
// released (the caller has just released one inside tx).
func ndoLifted(ctx context.Context, tx *gorm.DB, r *request.Request, now time.Time) error {
	var waiting int64
	if err := tx.Model(&Notice{}).Where("request_id = ? AND status = ?", r.ID, NoticeScheduled).Count(&waiting).Error; err != nil {
		return fmt.Errorf("release notices: %w", err)
	}
	if waiting > 0 {
		return nil
	}
	return noticeLeaf(ctx, tx, r, translog.EventNDOLifted, len(r.Targets), now)
}

// noticeLeaf appends a notice-related event of r to the public log, with
// the same public facts as its other leaves.
func noticeLeaf(ctx context.Context, tx *gorm.DB, r *request.Request, event string, accounts int, now time.Time) error {
	a, err := agency.FindByID(ctx, tx, r.AgencyID)
	if err != nil {
		return fmt.Errorf("log %s: %w", event, err)
	}
	rec := translog.Record{Event: event, Date: day.Of(now), Country: a.Country, AgencyKind: a.Kind, Process: r.Process,
		RequestType: translog.TypeLegalProcess, Categories: []string{}, Accounts: accounts, NDO: r.Nondisclosure.Ordered}
	if r.Emergency {
		rec.RequestType = translog.TypeEmergency
	}
	_, err = translog.Append(ctx, tx, translog.Leaf{RequestID: r.ID, Reference: r.Reference, NationalSecurity: r.NationalSecurity, Record: rec})
	return err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// A NoticeView is one notice as the provider's pending-notices view shows it.
type NoticeView struct {
	Notice
	Reference string `gorm:"column:reference"`
	Agency    string `gorm:"column:agency"`
}

// ListNotices returns notices with the given statuses (all but sent when
// none are given), soonest due first, for the provider's staff. Returns
// Unauthenticated or Forbidden for anyone else.
func (s *Service) ListNotices(ctx context.Context, actor *identity.Principal, statuses []string) ([]NoticeView, error) {
	if actor == nil || actor.PersonID == "" {
		return nil, errs.E(errs.Unauthenticated, "Sign in first.")
	}
	if !actor.Provider {
		return nil, errs.E(errs.Forbidden, "Only the provider's staff see user notices.")
	}
	if len(statuses) == 0 {
		statuses = []string{NoticeScheduled, NoticeQueued, NoticeFailed}
	}
	var out []NoticeView
	err := s.DB.WithContext(ctx).Table("user_notices n").
		Select("n.*, r.reference, a.name AS agency").
		Joins("JOIN requests r ON r.id = n.request_id").Joins("JOIN agencies a ON a.id = r.agency_id").
		Where("n.status IN ?", statuses).Order("n.due_at, n.id").Limit(500).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return out, nil
}
