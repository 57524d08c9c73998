package request

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// Sentinels, wrapped inside the *errs.Error the Service returns so callers
// can branch with errors.Is.
var (
	// ErrNotFound: no such request, or one the caller may not see; the two
	// are deliberately indistinguishable. Surface as 404.
	ErrNotFound = errors.New("request not found")
	// ErrStaleVersion: the request changed since the caller read it.
	// Re-read, re-apply and retry; surface as 409.
	ErrStaleVersion = errors.New("request version is stale")
)

const msgNotFound = "No such request."

func notFound(id string) error {
	return errs.Wrap(fmt.Errorf("request %q: %w", errs.Clip(id, 64), ErrNotFound), errs.NotFound, msgNotFound)
}

// Stale is the Conflict a change of request id meets when the request
// changed since it was read (wrapping ErrStaleVersion).
func Stale(id string) error { return stale(id) }

func stale(id string) error {
	return errs.Wrap(fmt.Errorf("request %s: %w", id, ErrStaleVersion), errs.Conflict,
		"This request was changed by someone else since you opened it. Reload it and make your change again.")
}

func notDraft(r *Request) error {
	return errs.E(errs.Conflict, "Request %s is %s; only a draft can be changed.", r.Reference, r.Status)
}

// checkActor refuses a missing principal, and one that belongs neither to
// the provider nor to an agency.
func checkActor(actor *identity.Principal) error {
	if actor == nil || actor.PersonID == "" {
		return errs.E(errs.Unauthenticated, "Sign in first.")
	}
	if !actor.Provider && actor.AgencyID == "" {
		return errs.E(errs.Forbidden, "Your account is not linked to an agency.")
	}
	return nil
}

// authorize asks the policy whether actor may perform action on r. A
// Forbidden answer is marked for the audit trail as a denial (see
// audit.Run); NotFound passes through unaudited (it must look exactly like a
// missing request).
func (s *Service) authorize(ctx context.Context, actor *identity.Principal, action string, r *Request) error {
	if s.Policy == nil {
		return errors.New("request: no policy configured")
	}
	return deny(s.Policy.Authorize(ctx, actor, action, r), actor, action, r, "")
}

// deny marks err, a refusal of action on r, for the audit trail, with the
// policy's decision (JSON) when one was made.
func deny(err error, actor *identity.Principal, action string, r *Request, decision string) error {
	ev := audit.Event{Actor: actor.AuditActor(), Action: action, ObjectType: "request", Decision: decision}
	// A refused creation has no request to point at.
	if r != nil && r.ID != "" && action != ActionCreate {
		ev.ObjectID, ev.RequestID = r.ID, r.ID
	}
	return audit.Deny(err, ev)
}

// run executes fn in one transaction (audit.Run: a denial is recorded
// after the rollback).
func (s *Service) run(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return audit.Run(ctx, s.DB, fn)
}

// record appends the history entry (for changes) and the audit event of an
// action on r, inside tx.
func (s *Service) record(ctx context.Context, tx *gorm.DB, actor *identity.Principal, r *Request, h *HistoryEntry, ev audit.Event) error {
	if h != nil {
		h.RequestID = r.ID
		h.ActorID = actor.PersonID
		if err := tx.Create(h).Error; err != nil {
			return fmt.Errorf("add history to request %s: %w", r.ID, err)
		}
	}
	ev.Actor = actor.AuditActor()
	if ev.ObjectType == "" {
		ev.ObjectType, ev.ObjectID = "request", r.ID
	}
	ev.RequestID = r.ID
	return audit.Append(ctx, tx, ev)
}

// find returns request id as actor may see it (without targets, documents
// or history; with whom it is shared). A request actor may not see (Sees:
// another agency's, or one of their own agency's they have no need to
// know) is NotFound, exactly as a missing one.
func find(ctx context.Context, tx *gorm.DB, actor *identity.Principal, id string) (*Request, error) {
	if u, err := uuid.Parse(id); err != nil || len(id) != 36 || u.String() != strings.ToLower(id) {
		return nil, notFound(id)
	}
	var r Request
	cond, args := Sees("requests", actor)
	err := tx.WithContext(ctx).Where("requests.id = ?", strings.ToLower(id)).Where(cond, args...).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("find request %s: %w", id, err)
	}
	if err := loadShares(ctx, tx, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ProviderSees is the one rule of which requests the provider's staff may
// know exist, as a SQL condition on the requests row named alias. Get, List
// and every document route apply it here, and the workflow applies it to
// its transitions and views (Visible), so a hidden request is NotFound
// everywhere, exactly as a missing one.
//
// The provider never sees:
//   - a draft: the agency's unfinished work reaches the provider only when
//     submitted;
//   - an emergency its supervisor has not co-signed: it reaches the provider
//     only once a supervisor of the same agency, another person than the
//     filer, co-signs it. The workflow records the co-signature in
//     workflow_requests; an emergency never co-signed (withdrawn or expired
//     while it waited) never reached the provider at all, and a submitted
//     emergency the workflow has not routed yet is still waiting for it.
func ProviderSees(alias string) string {
	return fmt.Sprintf(`%[1]s.status <> '%[2]s'
		AND NOT EXISTS (SELECT 1 FROM workflow_requests pv WHERE pv.request_id = %[1]s.id AND pv.emergency AND pv.cosigned_at IS NULL)
		AND NOT (%[1]s.status = '%[3]s' AND %[1]s.emergency AND NOT EXISTS (SELECT 1 FROM workflow_requests pv WHERE pv.request_id = %[1]s.id))`,
		alias, StateDraft, StateSubmitted)
}

// awaitingCosign returns which of items are submitted emergencies the
// provider cannot see yet: they wait for their supervisor's co-signature.
func awaitingCosign(tx *gorm.DB, items []Request) (map[string]bool, error) {
	var ids []string
	for _, r := range items {
		if r.Emergency && r.Status == StateSubmitted {
			ids = append(ids, r.ID)
		}
	}
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var waiting []string
	if err := tx.Table("requests").Where("requests.id IN ? AND NOT ("+ProviderSees("requests")+")", ids).
		Pluck("requests.id", &waiting).Error; err != nil {
		return nil, fmt.Errorf("find emergencies awaiting co-signature: %w", err)
	}
	for _, id := range waiting {
		out[id] = true
	}
	return out, nil
}

// Visible reports whether actor may know that r exists (Sees): an agency's
// people what AgencySees lets them, the provider's staff what ProviderSees
// lets them.
func Visible(ctx context.Context, tx *gorm.DB, actor *identity.Principal, r *Request) (bool, error) {
	if !actor.Provider && (actor.AgencyID == "" || r.AgencyID != actor.AgencyID) {
		return false, nil
	}
	var n int64
	cond, args := Sees("requests", actor)
	if err := tx.WithContext(ctx).Table("requests").Where("requests.id = ?", r.ID).Where(cond, args...).Count(&n).Error; err != nil {
		return false, fmt.Errorf("visibility of request %s: %w", r.ID, err)
	}
	return n == 1, nil
}

func loadTargets(ctx context.Context, tx *gorm.DB, r *Request) error {
	var rows []targetRow
	if err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Order("position, id").Find(&rows).Error; err != nil {
		return fmt.Errorf("load targets of request %s: %w", r.ID, err)
	}
	r.Targets = make([]Target, len(rows))
	for i, t := range rows {
		r.Targets[i] = Target{Type: t.Type, Value: t.Value}
	}
	return nil
}

func saveTargets(ctx context.Context, tx *gorm.DB, r *Request, replace bool) error {
	tx = tx.WithContext(ctx)
	if replace {
		if err := tx.Where("request_id = ?", r.ID).Delete(&targetRow{}).Error; err != nil {
			return fmt.Errorf("replace targets of request %s: %w", r.ID, err)
		}
	}
	if len(r.Targets) == 0 {
		return nil
	}
	rows := make([]targetRow, len(r.Targets))
	for i, t := range r.Targets {
		rows[i] = targetRow{RequestID: r.ID, Position: i, Type: t.Type, Value: t.Value}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("save targets of request %s: %w", r.ID, err)
	}
	return nil
}

// nextReference issues the next reference of year, "WD-2026-000123". The
// upsert takes a row lock on the year's counter until the transaction ends,
// so concurrent creations queue for it and never share a number; a rolled
// back creation gives its number back.
func nextReference(ctx context.Context, tx *gorm.DB, year int) (string, error) {
	var last int64
	err := tx.WithContext(ctx).Raw(`INSERT INTO reference_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1
		RETURNING last`, year).Scan(&last).Error
	if err != nil {
		return "", fmt.Errorf("issue reference: %w", err)
	}
	if last < 1 {
		return "", errors.New("issue reference: the counter returned no value")
	}
	return fmt.Sprintf("WD-%04d-%06d", year, last), nil
}

// Create files a new draft for actor's agency and issues its reference.
// Drafts may be incomplete, but every value given must be valid.
// Returns Unauthenticated without an actor, Forbidden for provider staff or
// when the policy refuses, and Invalid listing every bad field.
func (s *Service) Create(ctx context.Context, actor *identity.Principal, in Input) (*Request, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	if actor.Provider {
		return nil, errs.E(errs.Forbidden, "Requests are filed by agencies, not by the provider.")
	}
	now := s.now()
	problems := normalize(&in, actor.AgencyCountry, day.Of(now))
	bad, err := s.emergencyOfProcess(ctx, &in, false, day.Of(now))
	if err != nil {
		return nil, err
	}
	problems = append(problems, bad...)
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	r := &Request{
		ID:        id.String(),
		AgencyID:  actor.AgencyID,
		CreatedBy: actor.PersonID,
		FiledVia:  filedVia(actor),
		Status:    StateDraft,
		Version:   1,
		CreatedAt: now,
		UpdatedAt: now,
	}
	r.set(in)
	err = s.run(ctx, func(tx *gorm.DB) error {
		// Authorise before validating, so a caller who may not file learns
		// nothing from the validation errors.
		if err := s.authorize(ctx, actor, ActionCreate, r); err != nil {
			return err
		}
		bad, err := checkSupervisor(ctx, tx, actor.AgencyID, actor.PersonID, &in)
		if err != nil {
			return err
		}
		if err := append(problems, bad...).Err(); err != nil {
			return err
		}
		ref, err := nextReference(ctx, tx, now.Year())
		if err != nil {
			return err
		}
		r.Reference = ref
		if err := tx.Create(r).Error; err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		if err := saveTargets(ctx, tx, r, false); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, r,
			&HistoryEntry{At: now, Action: ActionCreate, ToStatus: StateDraft},
			audit.Event{At: now, Action: ActionCreate, Details: audit.JSON(map[string]any{"reference": r.Reference})})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// editColumns are the columns an edit writes.
func editColumns(r *Request) map[string]any {
	return map[string]any{
		"version":                            r.Version,
		"process":                            r.Process,
		"authority_kind":                     r.Authority.Kind,
		"authority_name":                     r.Authority.Name,
		"authority_signed_by":                r.Authority.SignedBy,
		"docket":                             r.Docket,
		"issued_on":                          r.IssuedOn,
		"expires_on":                         r.ExpiresOn,
		"date_from":                          r.DateFrom,
		"date_to":                            r.DateTo,
		"categories":                         r.Categories,
		"nondisclosure_ordered":              r.Nondisclosure.Ordered,
		"nondisclosure_until":                r.Nondisclosure.Until,
		"nondisclosure_issued_by":            r.Nondisclosure.IssuedBy,
		"emergency":                          r.Emergency,
		"emergency_narrative":                r.EmergencyNarrative,
		"emergency_callback":                 r.EmergencyCallback,
		"emergency_supervisor_id":            r.EmergencySupervisor,
		"purpose":                            r.Purpose,
		"offence_description":                r.Offence.Description,
		"offence_max_penalty_months":         r.Offence.MaxPenaltyMonths,
		"offence_grounds":                    r.Offence.Grounds,
		"offence_sentence_months":            r.Offence.SentenceMonths,
		"offence_committed_in_issuing_state": r.Offence.CommittedInIssuingState,
		"person_resides_in_issuing_state":    r.PersonResides,
		"summary":                            r.Summary,
		"updated_at":                         r.UpdatedAt,
	}
}

// Update applies u to draft id, which the caller read at version. An empty
// Update changes nothing. Returns NotFound (also for another agency's
// request), Forbidden, Conflict if the request is no longer a draft or has
// changed since version (wrapping ErrStaleVersion), and Invalid listing
// every bad field.
func (s *Service) Update(ctx context.Context, actor *identity.Principal, id string, version int, u Update) (*Request, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out *Request
	err := s.run(ctx, func(tx *gorm.DB) error {
		r, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionEdit, r); err != nil {
			return err
		}
		if r.Status != StateDraft {
			return notDraft(r)
		}
		if r.Version != version {
			return stale(r.ID)
		}
		if err := loadTargets(ctx, tx, r); err != nil {
			return err
		}
		in := r.Input()
		changed := u.apply(&in)
		if len(changed) == 0 {
			out = r
			return loadDetails(ctx, tx, r)
		}
		a, err := agency.FindByID(ctx, tx, r.AgencyID)
		if err != nil {
			return fmt.Errorf("update request %s: %w", r.ID, err)
		}
		now := s.now()
		problems := normalize(&in, a.Country, day.Of(now))
		withdrawn := u.Emergency != nil && *u.Emergency == nil
		bad, err := s.emergencyOfProcess(ctx, &in, withdrawn, day.Of(now))
		if err != nil {
			return err
		}
		problems = append(problems, bad...)
		if bad, err = checkSupervisor(ctx, tx, r.AgencyID, r.CreatedBy, &in); err != nil {
			return err
		}
		if err := append(problems, bad...).Err(); err != nil {
			return err
		}
		r.set(in)
		r.Version++
		r.UpdatedAt = now
		// The version and status conditions make the write itself the
		// check: a concurrent edit or submission that committed first
		// leaves no row to update.
		res := tx.Model(&Request{}).Where("id = ? AND version = ? AND status = ?", r.ID, version, StateDraft).
			Updates(editColumns(r))
		if res.Error != nil {
			return fmt.Errorf("update request %s: %w", r.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return stale(r.ID)
		}
		if slices.Contains(changed, "targets") {
			if err := saveTargets(ctx, tx, r, true); err != nil {
				return err
			}
		}
		out = r
		if err := s.record(ctx, tx, actor, r,
			&HistoryEntry{At: now, Action: ActionEdit, FromStatus: StateDraft, ToStatus: StateDraft,
				Comment: "Changed " + strings.Join(changed, ", ") + "."},
			audit.Event{At: now, Action: ActionEdit, Details: audit.JSON(map[string]any{"fields": changed, "version": r.Version})}); err != nil {
			return err
		}
		// The answer shows the request as it now stands, as GET would.
		return loadDetails(ctx, tx, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Get returns request id with its targets, documents and history, and
// audits the view. Returns NotFound (also for another agency's request) or
// Forbidden.
func (s *Service) Get(ctx context.Context, actor *identity.Principal, id string) (*Request, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	var out *Request
	err := s.run(ctx, func(tx *gorm.DB) error {
		r, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionView, r); err != nil {
			return err
		}
		if err := loadDetails(ctx, tx, r); err != nil {
			return err
		}
		out = r
		return s.record(ctx, tx, actor, r, nil, audit.Event{At: s.now(), Action: ActionView})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cursorPrefix versions the cursor format, so a change can reject old ones.
const cursorPrefix = "r1:"

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return "", false
	}
	id := strings.TrimPrefix(string(b), cursorPrefix)
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		return "", false
	}
	return id, true
}

// List returns a page of the requests actor may see (Sees), newest first:
// those of their agency AgencySees lets them, or those ProviderSees for
// provider staff, narrowed by f (a
// search finds only within them, so it never reveals that a request exists).
// Pages are keyset-paginated on the time-ordered id, so a page never repeats
// or skips a request when new ones arrive; or numbered, with f.Page, for
// lists people page back and forth in. Returns Invalid for a bad status,
// search, limit, page or cursor, and Forbidden.
func (s *Service) List(ctx context.Context, actor *identity.Principal, f Filter) (Page, error) {
	if err := checkActor(actor); err != nil {
		return Page{}, err
	}
	var problems errs.Fields
	if f.Status != "" && !f.Status.Known() {
		names := make([]string, len(States))
		for i, st := range States {
			names[i] = string(st)
		}
		problems.Add("status", "Choose one of: %s.", strings.Join(names, ", "))
	}
	f.Query = strings.TrimSpace(f.Query)
	if queryTooLong(f.Query) {
		problems.Add("q", "Search for a reference, docket or identifier of at most %d characters.", maxQuery)
	}
	switch {
	case f.Limit < 0:
		problems.Add("limit", "Use a limit from 1 to 100.")
	case f.Limit == 0:
		f.Limit = 25
	case f.Limit > 100:
		f.Limit = 100
	}
	if f.Page < 0 {
		problems.Add("page", "Pages are numbered from 1.")
	}
	var after string
	if f.Cursor != "" {
		var ok bool
		if after, ok = decodeCursor(f.Cursor); !ok {
			problems.Add("cursor", "The page cursor is not valid; start again from the first page.")
		} else if f.Page > 0 {
			problems.Add("page", "Ask for a page number or a cursor, not both.")
		}
	}
	var page Page
	err := s.run(ctx, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, ActionList, nil); err != nil {
			return err
		}
		if err := problems.Err(); err != nil {
			return err
		}
		cond, args := Sees("requests", actor)
		q := tx.Model(&Request{}).Where(cond, args...)
		if f.Status != "" {
			q = q.Where("requests.status = ?", f.Status)
		}
		if f.AgencyID != "" {
			q = q.Where("requests.agency_id = ?", f.AgencyID)
		}
		if f.Process != "" {
			q = q.Where("requests.process = ?", f.Process)
		}
		if f.Query != "" {
			cond, args := searchCondition(f.Query, actor.AgencyCountry)
			q = q.Where(cond, args...)
		}
		if f.Page > 0 {
			var total int64
			if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
				return fmt.Errorf("count requests: %w", err)
			}
			page.Number, page.Total = f.Page, int(total)
			page.Pages = max(1, (page.Total+f.Limit-1)/f.Limit)
			q = q.Offset((f.Page - 1) * f.Limit)
		}
		if after != "" {
			q = q.Where("requests.id < ?", after)
		}
		var items []Request
		if err := q.Order("requests.id DESC").Limit(f.Limit + 1).Find(&items).Error; err != nil {
			return fmt.Errorf("list requests: %w", err)
		}
		if len(items) > f.Limit {
			items = items[:f.Limit]
			if f.Page == 0 {
				page.NextCursor = encodeCursor(items[len(items)-1].ID)
			}
		}
		page.Items = items
		waiting, err := awaitingCosign(tx, items)
		if err != nil {
			return err
		}
		page.AwaitingCosign = waiting
		page.Agencies = map[string]*agency.Agency{}
		for _, r := range items {
			if _, ok := page.Agencies[r.AgencyID]; ok {
				continue
			}
			a, err := agency.FindByID(ctx, tx, r.AgencyID)
			if err != nil {
				return err
			}
			page.Agencies[r.AgencyID] = a
		}
		return nil
	})
	return page, err
}

// Allowed returns which of actions actor may take on r now, as the policy
// decides (for the buttons a page offers; each action is authorised again
// when taken). Nothing is audited: this is a question, not an action.
func (s *Service) Allowed(ctx context.Context, actor *identity.Principal, r *Request, actions ...string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, a := range actions {
		err := s.Policy.Authorize(ctx, actor, a, r)
		switch code := errs.CodeOf(err); {
		case err == nil, errors.Is(err, policy.ErrStepUp):
			// Held only for a step-up: offered, and taking it asks for
			// the second factor.
			out[a] = true
		case code == errs.Forbidden || code == errs.NotFound:
		default:
			return nil, err
		}
	}
	return out, nil
}

// Evaluate returns the policy's scope decision for r (as Get returns it,
// with its targets), filed by r's agency. Returns NotFound if the agency is
// gone, or the policy's error.
func (s *Service) Evaluate(ctx context.Context, r *Request) (Scope, error) {
	return s.evaluate(ctx, s.DB.WithContext(ctx), r)
}

func (s *Service) evaluate(ctx context.Context, tx *gorm.DB, r *Request) (Scope, error) {
	if s.Policy == nil {
		return Scope{}, errors.New("request: no policy configured")
	}
	a, err := agency.FindByID(ctx, tx, r.AgencyID)
	if err != nil {
		return Scope{}, err
	}
	sc, err := s.Policy.Scope(ctx, r, a)
	if err != nil {
		return Scope{}, fmt.Errorf("evaluate request %s: %w", r.ID, err)
	}
	return sc, nil
}

// Receipt returns the public log's inclusion receipt of request id's newest
// lifecycle event (of kind event, when given), for actor, and records it.
// Returns NotFound (also for another agency's request, exactly like a
// missing one), Forbidden (recorded) unless the policy lets actor have it,
// and Unavailable without a log.
func (s *Service) Receipt(ctx context.Context, actor *identity.Principal, id, event string) (translog.Receipt, error) {
	if err := checkActor(actor); err != nil {
		return translog.Receipt{}, err
	}
	if s.Log == nil {
		return translog.Receipt{}, errs.E(errs.Unavailable, "The transparency log is not available on this server.")
	}
	var r *Request
	err := s.run(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = find(ctx, tx, actor, id); err != nil {
			return err
		}
		return s.authorize(ctx, actor, ActionReceipt, r)
	})
	if err != nil {
		return translog.Receipt{}, err
	}
	// The log records the receipt with its own event, in its transaction.
	return s.Log.Receipt(ctx, r.ID, event, audit.Event{At: s.now(), Actor: actor.AuditActor(), Action: ActionReceipt})
}

// loadDetails fills r's targets, documents and history.
func loadDetails(ctx context.Context, tx *gorm.DB, r *Request) error {
	if err := loadTargets(ctx, tx, r); err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Order("created_at, id").Find(&r.Documents).Error; err != nil {
		return fmt.Errorf("load documents of request %s: %w", r.ID, err)
	}
	if err := tx.WithContext(ctx).Where("request_id = ?", r.ID).Order("id").Find(&r.History).Error; err != nil {
		return fmt.Errorf("load history of request %s: %w", r.ID, err)
	}
	return nil
}
