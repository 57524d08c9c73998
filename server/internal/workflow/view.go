package workflow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A View is where a request stands in the workflow, as one viewer may see
// it: the provider sees who works on it, how intake verified it and who
// approved it; the agency sees its status, deadline, questions and answers.
type View struct {
	Status
	Kind              string
	Emergency         bool
	ApprovalsRequired int
	Assignee          *PersonRef     // provider only
	Approvals         []ApprovalView // provider only
	Verification      *Verification  // provider only
	VerifiedBy        *PersonRef     // provider only
	VerifiedAt        *time.Time
	CosignedBy        *PersonRef
	CosignedAt        *time.Time
	Decision          *Decision
	HoldUntil         *time.Time
	Extended          bool
	// ProductionConfirmedAt: a European preservation is kept until produced
	// from then (HoldUntil is nil).
	ProductionConfirmedAt *time.Time
	ProductionConfirmedBy *PersonRef       // provider only
	Enforcement           *EnforcementView // the enforcing authority notified of an EU order, or nil
	FollowUpDue           *time.Time
	FollowUpMetAt         *time.Time
	FollowUpOverdue       bool
	Linked                *RequestRef   // the earlier request this one follows up
	LinkedBy              []RequestRef  // later requests that follow this one up
	Messages              []MessageView // oldest first
	// Internal are the internal parts of the history rows, by history row
	// id (InternalNote): provider only.
	Internal map[int64]InternalNote
	Allowed  []Action // what the viewer may do now
	// StepUp are the actions of Allowed the viewer must first confirm with
	// a recent second factor (the policy's step-up): the pages say so
	// before they are taken.
	StepUp []Action
}

// A PersonRef names a person.
type PersonRef struct {
	ID   string
	Name string
}

// A RequestRef names a request.
type RequestRef struct {
	ID        string
	Reference string
	Status    State
}

// An ApprovalView is one approval as the provider sees it.
type ApprovalView struct {
	Seq    int
	By     PersonRef
	Role   string
	At     time.Time
	Values Decision
}

// A MessageView is one message of the thread. The agency sees the
// provider's side as the team, not as a named person.
type MessageView struct {
	ID     int64
	At     time.Time
	Side   string
	Author string
	Body   string
}

// View returns the workflow view of r for actor. The caller has read r as
// actor may (request.Service.Get). A draft has no case: only what the agency
// may do with it and its link.
func (e *Engine) View(ctx context.Context, actor *identity.Principal, r *request.Request) (*View, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	tx := e.db.WithContext(ctx)
	if ok, err := visible(ctx, tx, actor, r); err != nil || !ok {
		return nil, orNotFound(err, r.ID)
	}
	v := &View{Status: Status{RequestID: r.ID, Reference: r.Reference, State: State(r.Status), Version: r.Version}}
	c, err := loadCase(ctx, tx, r.ID)
	if err != nil {
		return nil, err
	}
	provider := actor.Provider
	names := map[string]string{}
	name := func(id *string) *PersonRef {
		if id == nil {
			return nil
		}
		if _, ok := names[*id]; !ok {
			names[*id] = personName(ctx, tx, *id)
		}
		return &PersonRef{ID: *id, Name: names[*id]}
	}
	if c != nil {
		v.Overdue, v.Kind, v.Emergency, v.ApprovalsRequired = c.Overdue, c.Kind, c.Emergency, c.ApprovalsRequired
		if c.DueAt.Before(noDeadline) {
			d := c.DueAt
			v.DueAt = &d
		}
		v.CosignedAt, v.HoldUntil, v.Extended = c.CosignedAt, c.HoldUntil, c.Extended
		v.FollowUpDue, v.FollowUpMetAt, v.FollowUpOverdue = c.FollowUpDue, c.FollowUpMetAt, c.FollowUpOverdue
		v.CosignedBy = name(c.CosignedBy)
		v.ProductionConfirmedAt = c.ProductionConfirmedAt
		if provider {
			v.ProductionConfirmedBy = name(c.ProductionConfirmedBy)
		}
		if v.Enforcement, err = enforcementView(c, State(r.Status), e.now(), name, provider); err != nil {
			return nil, fmt.Errorf("view %s: %w", r.ID, err)
		}
		if c.Decision != "" {
			var d Decision
			if err := json.Unmarshal([]byte(c.Decision), &d); err != nil {
				return nil, fmt.Errorf("read the decision of %s: %w", r.ID, err)
			}
			v.Decision = &d
		}
		if provider {
			v.Queue = c.Queue // the provider's routing: never the agency's to read
			if c.AssigneeID != nil {
				v.AssigneeID = *c.AssigneeID
				v.Assignee = name(c.AssigneeID)
			}
			v.VerifiedBy, v.VerifiedAt = name(c.VerifiedBy), c.VerifiedAt
			if c.Verification != "" {
				var ver Verification
				if err := json.Unmarshal([]byte(c.Verification), &ver); err != nil {
					return nil, fmt.Errorf("read the verification of %s: %w", r.ID, err)
				}
				v.Verification = &ver
			}
			var as []Approval
			if err := tx.Where("request_id = ?", r.ID).Order("seq").Find(&as).Error; err != nil {
				return nil, fmt.Errorf("load approvals of %s: %w", r.ID, err)
			}
			for _, a := range as {
				av := ApprovalView{Seq: a.Seq, By: *name(&a.PersonID), Role: a.Role, At: a.At}
				_ = json.Unmarshal([]byte(a.Scope), &av.Values)
				v.Approvals = append(v.Approvals, av)
			}
		}
	}
	if provider {
		if v.Internal, err = internalNotes(ctx, tx, r.ID); err != nil {
			return nil, err
		}
	}
	var msgs []Message
	if err := tx.Where("request_id = ?", r.ID).Order("id").Find(&msgs).Error; err != nil {
		return nil, fmt.Errorf("load messages of %s: %w", r.ID, err)
	}
	for _, m := range msgs {
		mv := MessageView{ID: m.ID, At: m.At, Side: m.Side, Body: m.Body}
		switch {
		case m.Side == SideProvider && !provider:
			mv.Author = ProviderTeam
		default:
			mv.Author = name(&m.AuthorID).Name
		}
		v.Messages = append(v.Messages, mv)
	}
	if v.Linked, v.LinkedBy, err = links(ctx, tx, actor, r.ID); err != nil {
		return nil, err
	}
	if v.Allowed, err = e.allowed(ctx, actor, r, c); err != nil {
		return nil, err
	}
	if v.StepUp, err = e.stepUp(ctx, actor, r, v.Allowed); err != nil {
		return nil, err
	}
	return v, nil
}

// links are the earlier request id follows up (or nil) and the later
// requests that follow it up (not drafts), as far as actor may see them.
func links(ctx context.Context, tx *gorm.DB, actor *identity.Principal, id string) (*RequestRef, []RequestRef, error) {
	var rows []Link
	if err := tx.WithContext(ctx).Where("request_id = ? OR linked_id = ?", id, id).Order("request_id").Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("load links of %s: %w", id, err)
	}
	ids := make([]string, 0, len(rows))
	for _, l := range rows {
		ids = append(ids, l.RequestID, l.LinkedID)
	}
	refs, err := request.VisibleRefs(ctx, tx, actor, ids)
	if err != nil {
		return nil, nil, err
	}
	var (
		to *RequestRef
		by []RequestRef
	)
	for _, l := range rows {
		if l.RequestID == id {
			if ref, ok := refs[l.LinkedID]; ok {
				to = &RequestRef{ID: ref.ID, Reference: ref.Reference, Status: ref.Status}
			}
			continue
		}
		if ref, ok := refs[l.RequestID]; ok && ref.Status != request.StateDraft {
			by = append(by, RequestRef{ID: ref.ID, Reference: ref.Reference, Status: ref.Status})
		}
	}
	return to, by, nil
}

// Link records that draft id follows up an earlier request of the same
// agency, named by id or reference: a preservation that its production will
// fulfil, or an emergency disclosure whose legal process it is. An empty
// linked removes the link; a nil one is Invalid.
// Returns NotFound (also for another agency's request), Forbidden unless
// actor may edit the draft, Conflict when id is no longer a draft, and
// Invalid when linked is not a preservation or emergency of the agency.
func (e *Engine) Link(ctx context.Context, actor *identity.Principal, id string, linkedRef *string) (*RequestRef, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out *RequestRef
	err := audit.Run(ctx, e.db.DB, func(tx *gorm.DB) error {
		r, err := request.Load(ctx, tx, id)
		if err != nil {
			return err
		}
		if ok, err := visible(ctx, tx, actor, r); err != nil || !ok {
			return orNotFound(err, id)
		}
		d, err := e.decide(ctx, actor, "request.edit", r)
		if err != nil {
			return err
		}
		if err := d.Refusal("You are not allowed to do this."); err != nil {
			return audit.Deny(err, audit.Event{At: e.now(), Actor: actor.AuditActor(), Action: "workflow.link", ObjectType: "request",
				ObjectID: r.ID, RequestID: r.ID, Decision: audit.JSON(d)})
		}
		if State(r.Status) != request.StateDraft {
			return errs.E(errs.Conflict, "Request %s is %s; only a draft can be linked.", r.Reference, r.Status)
		}
		if linkedRef == nil {
			return &errs.Error{Code: errs.Invalid, Message: "Name the request this one follows up, or \"\" to unlink.",
				Fields: []errs.FieldError{{Field: "linked", Message: "Required."}}}
		}
		now := e.now()
		details := map[string]any{}
		linked := strings.TrimSpace(*linkedRef)
		if linked == "" {
			if err := tx.Where("request_id = ?", r.ID).Delete(&Link{}).Error; err != nil {
				return fmt.Errorf("unlink %s: %w", r.ID, err)
			}
		} else {
			target, err := request.FindOfAgency(ctx, tx, actor, linked)
			if errs.CodeOf(err) == errs.NotFound {
				return &errs.Error{Code: errs.Invalid, Message: "No request of your agency has that reference.",
					Fields: []errs.FieldError{{Field: "linked", Message: "No request of your agency has that reference."}}}
			}
			if err != nil {
				return err
			}
			tc, err := loadCase(ctx, tx, target.ID)
			if err != nil {
				return err
			}
			if target.ID == r.ID || tc == nil || (tc.Kind != KindPreservation && tc.Kind != KindEmergency) {
				return &errs.Error{Code: errs.Invalid, Message: "Link a preservation or an emergency request this one follows up.",
					Fields: []errs.FieldError{{Field: "linked", Message: "Not a submitted preservation or emergency request."}}}
			}
			l := &Link{RequestID: r.ID, LinkedID: target.ID, LinkedBy: actor.PersonID, LinkedAt: now}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "request_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"linked_id", "linked_by", "linked_at"})}).Create(l).Error; err != nil {
				return fmt.Errorf("link %s: %w", r.ID, err)
			}
			details["linked"] = target.ID
			out = &RequestRef{ID: target.ID, Reference: target.Reference, Status: State(target.Status)}
		}
		return audit.Append(ctx, tx, audit.Event{At: now, Actor: actor.AuditActor(), Action: "workflow.link",
			ObjectType: "request", ObjectID: r.ID, RequestID: r.ID, Decision: audit.JSON(d), Details: audit.JSON(details)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// A NotificationFilter selects a page of the outbox.
type NotificationFilter struct {
	RequestID string // only this request's
	Cursor    string
	Limit     int // 1–100; default 20
}

// A NotificationPage is a page of the outbox, newest first.
type NotificationPage struct {
	Items      []Notification
	NextCursor string
}

// Notifications returns the notifications actor's audience sees, newest
// first: the agency's own (those addressed to the whole agency or to actor)
// about requests actor may see now (request.SeenBy: shared with them, or
// no longer),
// or those of the teams the provider person works
// in (all of them for administrators). Returns Invalid for a bad cursor or
// limit.
func (e *Engine) Notifications(ctx context.Context, actor *identity.Principal, f NotificationFilter) (NotificationPage, error) {
	if err := checkActor(actor); err != nil {
		return NotificationPage{}, err
	}
	switch {
	case f.Limit < 0 || f.Limit > 100:
		return NotificationPage{}, &errs.Error{Code: errs.Invalid, Message: "Use a limit from 1 to 100.",
			Fields: []errs.FieldError{{Field: "limit", Message: "from 1 to 100"}}}
	case f.Limit == 0:
		f.Limit = 20
	}
	q := e.db.WithContext(ctx).Model(&Notification{})
	if actor.Provider {
		q = q.Where("audience = ? AND team IN ?", AudienceProvider, append(teamsOf(actor), ""))
	} else {
		// An agency's notifications, but those addressed to another of its
		// people (a supervisor named to co-sign an emergency).
		q = q.Where("audience = ? AND agency_id = ? AND (person_id IS NULL OR person_id = ?)", AudienceAgency, actor.AgencyID, actor.PersonID)
		cond, args := request.SeenBy("request_id", actor)
		q = q.Where("(request_id IS NULL OR "+cond+")", args...)
	}
	if f.RequestID != "" {
		q = q.Where("request_id = ?", f.RequestID)
	}
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		n, perr := strconv.ParseInt(strings.TrimPrefix(string(b), "n1:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "n1:") {
			return NotificationPage{}, &errs.Error{Code: errs.Invalid, Message: "The page cursor is not valid; start again from the first page.",
				Fields: []errs.FieldError{{Field: "cursor", Message: "not valid"}}}
		}
		q = q.Where("id < ?", n)
	}
	var items []Notification
	if err := q.Order("id DESC").Limit(f.Limit + 1).Find(&items).Error; err != nil {
		return NotificationPage{}, fmt.Errorf("notifications: %w", err)
	}
	var page NotificationPage
	if len(items) > f.Limit {
		items = items[:f.Limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("n1:" + strconv.FormatInt(items[len(items)-1].ID, 10)))
	}
	page.Items = items
	return page, nil
}

// Allowed lists the actions actor may take on r now. Returns what the
// policy evaluation returns on failure.
func (e *Engine) Allowed(ctx context.Context, actor *identity.Principal, r *request.Request) ([]Action, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	c, err := loadCase(ctx, e.db.WithContext(ctx), r.ID)
	if err != nil {
		return nil, err
	}
	return e.allowed(ctx, actor, r, c)
}

// May reports whether the viewer may take action a now.
func (v *View) May(a Action) bool { return slices.Contains(v.Allowed, a) }

// stepUp lists the actions of allowed that actor must first confirm with a
// recent second factor: those the policy holds for a step-up.
func (e *Engine) stepUp(ctx context.Context, actor *identity.Principal, r *request.Request, allowed []Action) ([]Action, error) {
	var out []Action
	for _, a := range allowed {
		d, err := e.decide(ctx, actor, a, r)
		if err != nil {
			return nil, err
		}
		if d.StepUp {
			out = append(out, a)
		}
	}
	return out, nil
}
