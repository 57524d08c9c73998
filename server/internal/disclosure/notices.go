package disclosure

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	// NoticeWithheld: the law forbids telling the account holder (a statute
	// such as IPA 2016 s. 82, or the issuing authority informs the person,
	// Reg. (EU) 2023/1543 Art. 13). Never queued, never sent, never released.
	NoticeWithheld  = "withheld"
	NoticeScheduled = "scheduled" // waits for a binding order, or a sealed order, to end
	NoticeQueued    = "queued"    // in the outbox, waiting for the webhook
	NoticeSent      = "sent"      // the webhook accepted it
	NoticeFailed    = "failed"    // the webhook refused it MaxNoticeAttempts times
)

// MaxNoticeAttempts is how often a notice is offered to the webhook before
// it is marked failed for the provider to look at.
const MaxNoticeAttempts = 8

// A Notice is the notice owed to one affected account holder, with the
// legal policy's word on whether and when it may be given.
type Notice struct {
	ID            string     `gorm:"column:id;primaryKey"`
	ProductionID  string     `gorm:"column:production_id"`
	RequestID     string     `gorm:"column:request_id"`
	AccountID     string     `gorm:"column:account_id"`
	Status        string     `gorm:"column:status"`
	DueAt         time.Time  `gorm:"column:due_at"` // Indefinite while withheld or until a court lifts the order
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt *time.Time `gorm:"column:next_attempt_at"`
	LastError     string     `gorm:"column:last_error"`
	SentAt        *time.Time `gorm:"column:sent_at"`
	CreatedAt     time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt     time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	// ReasonCode, Reason and Citation are the policy's user-notice decision
	// the status rests on: its code, its reason in words, and the provision.
	ReasonCode string `gorm:"column:reason_code"`
	Reason     string `gorm:"column:reason"`
	Citation   string `gorm:"column:citation"`
}

// TableName maps Notice onto user_notices.
func (Notice) TableName() string { return "user_notices" }

// Indefinite is the due time of a notice that has no date: one withheld,
// or one under an order that lasts until a court lifts it. ReleaseDue asks
// the policy again on every run, so a recorded end date is picked up.
var Indefinite = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Codes of the policy's user-notice decision that rest on a non-disclosure
// order rather than on the process's statute (policies/disclosure).
const (
	codeNondisclosureOrder      = "nondisclosure_order"
	codeNondisclosureNotBinding = "nondisclosure_not_binding"
)

// A noticePlan is what the policy's user-notice decision means, at one
// moment, for the notices of one request.
type noticePlan struct {
	status       string    // NoticeWithheld, NoticeScheduled or NoticeQueued
	due          time.Time // now, the day after a binding order ends, or Indefinite
	code, reason string
}

// planNotice asks the policy, as of now, whether and when the account
// holders of r may be told. The statute decides first (never, or not while
// sealed), then a binding non-disclosure order (in the U.S. only a court's,
// 18 U.S.C. § 2705(b)); the policy's default tells nobody. Returns Internal
// when the policy cannot be asked: no notice is written without its answer.
func (s *Service) planNotice(ctx context.Context, tx *gorm.DB, r *request.Request, now time.Time) (noticePlan, error) {
	if s.Authz == nil {
		return noticePlan{}, errors.New("disclosure: no policy to decide user notices")
	}
	a, err := agency.FindByID(ctx, tx, r.AgencyID)
	if err != nil {
		return noticePlan{}, err
	}
	sc, err := s.Authz.Scope(ctx, r, a)
	if err != nil {
		return noticePlan{}, fmt.Errorf("user notice decision: %w", err)
	}
	u := sc.UserNotice
	p := noticePlan{code: u.Code, reason: u.Reason}
	switch {
	case !u.Allowed:
		p.status, p.due = NoticeWithheld, Indefinite
	case u.Indefinite:
		p.status, p.due = NoticeScheduled, Indefinite
	case u.Until != "":
		until, err := day.Parse(u.Until)
		if err != nil {
			return noticePlan{}, fmt.Errorf("user notice decision: until %q: %w", u.Until, err)
		}
		// The order forbids notice up to and including its last day.
		if day.Of(now).After(until) {
			p.status, p.due = NoticeQueued, now
		} else {
			p.status, p.due = NoticeScheduled, until.AddDays(1).Time()
		}
	default:
		p.status, p.due = NoticeQueued, now
	}
	return p, nil
}

// noticeCitation is the provision a user-notice decision rests on, from the
// catalogue: the process's own rule for the statute's codes, the
// jurisdiction's rule on non-disclosure orders for an order's; "" when the
// catalogue names none.
func (s *Service) noticeCitation(ctx context.Context, process, code string) string {
	if s.Policy == nil {
		return ""
	}
	c, err := s.Policy.Catalogue(ctx)
	if err != nil {
		return ""
	}
	for _, j := range c.Jurisdictions {
		for _, p := range j.Processes {
			switch {
			case p.ID != process:
			case code == p.UserNotice.Code:
				return p.UserNotice.Citation
			case code == codeNondisclosureOrder || code == codeNondisclosureNotBinding:
				return j.Nondisclosure.Citation
			default:
				return ""
			}
		}
	}
	return ""
}

// noticeAudit is what an audit event about notices records of the plan.
func noticeAudit(p noticePlan, accounts int) string {
	d := map[string]any{"accounts": accounts, "status": p.status, "code": p.code, "reason": p.reason}
	if p.status == NoticeScheduled {
		if p.due.Equal(Indefinite) {
			d["until_lifted"] = true
		} else {
			d["due_at"] = p.due
		}
	}
	return audit.JSON(d)
}

// queueNotices owes a notice to each affected account, inside the
// transaction that makes the package available, as the policy decides at
// that moment: withheld (never sent) where the law forbids telling the
// account holder, scheduled (with a River job at the order's end) while a
// binding or sealed order is in force, queued at once otherwise.
func (s *Service) queueNotices(ctx context.Context, tx *gorm.DB, p *Production, r *request.Request, accounts []string) error {
	if len(accounts) == 0 {
		return nil
	}
	now := s.now()
	plan, err := s.planNotice(ctx, tx, r, now)
	if err != nil {
		return fmt.Errorf("queue notices: %w", err)
	}
	citation := s.noticeCitation(ctx, r.Process, plan.code)
	ns := make([]Notice, len(accounts))
	for i, a := range accounts {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("queue notices: %w", err)
		}
		ns[i] = Notice{ID: id.String(), ProductionID: p.ID, RequestID: r.ID, AccountID: a, Status: plan.status, DueAt: plan.due,
			ReasonCode: plan.code, Reason: plan.reason, Citation: citation, CreatedAt: now, UpdatedAt: now}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ns).Error; err != nil {
		return fmt.Errorf("queue notices: %w", err)
	}
	action := ActionNoticeQueue
	if plan.status == NoticeWithheld {
		action = ActionNoticeWithhold
	}
	if err := audit.Append(ctx, tx, audit.Event{
		At: now, Actor: systemActor, Action: action, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
		Details: noticeAudit(plan, len(accounts)),
	}); err != nil {
		return err
	}
	if s.Jobs == nil {
		return nil
	}
	switch {
	case plan.status == NoticeQueued:
		return insertJob(ctx, tx, s.Jobs, NoticeDeliverArgs{}, nil)
	case plan.status == NoticeScheduled && !plan.due.Equal(Indefinite):
		return insertJob(ctx, tx, s.Jobs, NoticeReleaseArgs{ProductionID: p.ID}, &river.InsertOpts{ScheduledAt: plan.due})
	}
	return nil // withheld, or nothing to schedule until an end date is recorded
}

// releaseBatch is how many requests ReleaseDue reads at a time.
const releaseBatch = 200

// ReleaseDue asks the policy again about every request with scheduled
// notices and acts on its answer: a court may have extended an order,
// recorded an end for a sealed one, or lifted it. Notices whose time has
// come go to the outbox (and the public log learns, once per request, that
// the order was lifted); others are rescheduled; notices the law now
// forbids are withheld. A withheld notice is never read here, so never
// released. Each change is one transaction with its audit event; an
// unchanged decision writes nothing. Returns how many notices it released.
func (s *Service) ReleaseDue(ctx context.Context) (int, error) {
	released, after := 0, ""
	for {
		var ids []string
		if err := s.DB.WithContext(ctx).Model(&Notice{}).Where("status = ? AND request_id > ?", NoticeScheduled, after).
			Distinct("request_id").Order("request_id").Limit(releaseBatch).Pluck("request_id", &ids).Error; err != nil {
			return released, fmt.Errorf("release notices: %w", err)
		}
		for _, id := range ids {
			n, err := s.reviewNotices(ctx, id)
			released += n
			if err != nil {
				return released, err
			}
		}
		if len(ids) < releaseBatch {
			return released, nil
		}
		after = ids[len(ids)-1]
	}
}

// reviewNotices applies the policy's current decision to the scheduled
// notices of one request, in one transaction, and returns how many it
// released.
func (s *Service) reviewNotices(ctx context.Context, requestID string) (int, error) {
	now := s.now()
	released := 0
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		released = 0
		q := tx.Where("request_id = ? AND status = ?", requestID, NoticeScheduled).Order("id")
		if s.DB.Dialect == db.Postgres {
			// Another replica reviewing the same request waits, then finds
			// nothing left to do.
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var ns []Notice
		if err := q.Find(&ns).Error; err != nil {
			return fmt.Errorf("release notices: %w", err)
		}
		if len(ns) == 0 {
			return nil
		}
		r, err := request.Read(ctx, tx, requestID)
		if err != nil {
			return err
		}
		plan, err := s.planNotice(ctx, tx, r, now)
		if err != nil {
			return fmt.Errorf("release notices: %w", err)
		}
		var ids []string
		for _, n := range ns {
			if plan.status != NoticeScheduled || !n.DueAt.Equal(plan.due) || n.ReasonCode != plan.code || n.Reason != plan.reason {
				ids = append(ids, n.ID)
			}
		}
		if len(ids) == 0 {
			return nil // the decision has not changed
		}
		upd := map[string]any{"status": plan.status, "due_at": plan.due, "reason_code": plan.code, "reason": plan.reason,
			"citation": s.noticeCitation(ctx, r.Process, plan.code), "updated_at": now}
		if err := tx.Model(&Notice{}).Where("id IN ? AND status = ?", ids, NoticeScheduled).Updates(upd).Error; err != nil {
			return fmt.Errorf("release notices: %w", err)
		}
		switch plan.status {
		case NoticeQueued:
			released = len(ids)
			for _, id := range ids {
				if err := audit.Append(ctx, tx, audit.Event{
					At: now, Actor: systemActor, Action: ActionNoticeRelease, ObjectType: "notice", ObjectID: id, RequestID: r.ID,
					Details: noticeAudit(plan, 1),
				}); err != nil {
					return err
				}
			}
			return ndoLifted(ctx, tx, r, now)
		case NoticeWithheld:
			// The law now forbids the notice (the policy changed, or the
			// request's facts did): it is never released, and the public
			// log claims no lift.
			return audit.Append(ctx, tx, audit.Event{
				At: now, Actor: systemActor, Action: ActionNoticeWithhold, ObjectType: "production", ObjectID: ns[0].ProductionID, RequestID: r.ID,
				Details: noticeAudit(plan, len(ids)),
			})
		}
		if err := audit.Append(ctx, tx, audit.Event{
			At: now, Actor: systemActor, Action: ActionNoticeReschedule, ObjectType: "production", ObjectID: ns[0].ProductionID, RequestID: r.ID,
			Details: noticeAudit(plan, len(ids)),
		}); err != nil {
			return err
		}
		if s.Jobs != nil && !plan.due.Equal(Indefinite) {
			return insertJob(ctx, tx, s.Jobs, NoticeReleaseArgs{ProductionID: ns[0].ProductionID}, &river.InsertOpts{ScheduledAt: plan.due})
		}
		return nil
	})
	if err != nil {
		return 0, err
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
	r, err := request.Read(ctx, s.DB.DB, n.RequestID)
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
			upd["status"], upd["last_error"] = NoticeFailed, errs.Clip(sendErr.Error(), 500)
			ev.Outcome, ev.Details = audit.OutcomeFailure, audit.JSON(map[string]any{"attempts": n.Attempts, "error": errs.Clip(sendErr.Error(), 500)})
		default:
			// 1, 2, 4, … minutes, at most six hours.
			backoff := min(time.Minute<<(n.Attempts-1), 6*time.Hour)
			upd["last_error"], upd["next_attempt_at"] = errs.Clip(sendErr.Error(), 500), now.Add(backoff)
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
			r, err := request.Read(ctx, tx, n.RequestID)
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

// A NoticeView is one notice as the provider's pending-notices view shows it.
type NoticeView struct {
	Notice
	Reference string `gorm:"column:reference"`
	Agency    string `gorm:"column:agency"`
}

// ListNotices returns notices with the given statuses (all but sent when
// none are given: withheld ones too, with the policy's reason), soonest due
// first, for whom the policy lets see them (the provider's teams). Returns
// Unauthenticated, or Forbidden (audited) for anyone else.
func (s *Service) ListNotices(ctx context.Context, actor *identity.Principal, statuses []string) ([]NoticeView, error) {
	if actor == nil || actor.PersonID == "" {
		return nil, errs.E(errs.Unauthenticated, "Sign in first.")
	}
	if s.Authz == nil {
		return nil, errs.E(errs.Unavailable, "Productions are not available on this server.")
	}
	if err := s.Authz.Authorize(ctx, actor, ActionNoticeList, nil); err != nil {
		return nil, audit.Settle(ctx, s.DB.DB, audit.Deny(err, audit.Event{At: s.now(), Actor: actor.AuditActor(),
			Action: ActionNoticeList, ObjectType: "notice"}))
	}
	if len(statuses) == 0 {
		statuses = []string{NoticeScheduled, NoticeQueued, NoticeFailed, NoticeWithheld}
	}
	var out []NoticeView
	err := s.DB.WithContext(ctx).Table("user_notices n").
		Select("n.*, r.reference, r.agency_name AS agency").
		Joins("JOIN request_summaries r ON r.id = n.request_id").
		Where("n.status IN ?", statuses).Order("n.due_at, n.id").Limit(500).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return out, nil
}
