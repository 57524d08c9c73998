package request

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// The request package owns the requests, request_targets,
// request_documents and request_history tables: other packages read and
// change a request only through the functions below (and, for read models
// that list many requests, the request_summaries view of migration 0015,
// the package's published read interface), never by querying the tables.

// Load reads request id with its targets, for a decision or a change inside
// tx: on PostgreSQL its row stays locked until tx ends (SQLite transactions
// are already exclusive), so concurrent changes of one request queue up.
// It says nothing about who may see it (see Visible). Returns NotFound
// (wrapping ErrNotFound) for a missing request or a malformed id.
func Load(ctx context.Context, tx *gorm.DB, id string) (*Request, error) {
	return load(ctx, tx, id, tx.Dialector.Name() == "postgres")
}

// Read reads request id with its targets, as Load does, without locking it:
// for a read, or for work that changes only its own tables. Returns
// NotFound (wrapping ErrNotFound).
func Read(ctx context.Context, tx *gorm.DB, id string) (*Request, error) {
	return load(ctx, tx, id, false)
}

func load(ctx context.Context, tx *gorm.DB, id string, lock bool) (*Request, error) {
	if u, err := uuid.Parse(id); err != nil || len(id) != 36 || u.String() != strings.ToLower(id) {
		return nil, notFound(id)
	}
	id = strings.ToLower(id)
	q := tx.WithContext(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r Request
	err := q.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("load request %s: %w", id, err)
	}
	if err := loadTargets(ctx, tx, &r); err != nil {
		return nil, err
	}
	if err := loadShares(ctx, tx, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Advance moves r, as the caller read it, to state to at now: the status
// and a new version under the version the caller read (so a concurrent
// change is never overwritten), and the submission time when to is
// submitted, with the national-security classification the caller settled
// on r for the facts as submitted (which its log leaves and its place in
// reports then follow). r is updated to match. The workflow decides which moves are
// lawful; this only writes them. Returns Conflict (wrapping ErrStaleVersion)
// when r changed since it was read.
func Advance(ctx context.Context, tx *gorm.DB, r *Request, to State, now time.Time) error {
	cols := map[string]any{"status": to, "version": r.Version + 1, "updated_at": now}
	if to == StateSubmitted && r.SubmittedAt == nil {
		cols["submitted_at"] = now
		cols["national_security"] = r.NationalSecurity
	}
	res := tx.WithContext(ctx).Model(&Request{}).Where("id = ? AND version = ?", r.ID, r.Version).Updates(cols)
	if res.Error != nil {
		return fmt.Errorf("move request %s to %s: %w", r.ID, to, res.Error)
	}
	if res.RowsAffected != 1 {
		return stale(r.ID)
	}
	r.Status, r.Version, r.UpdatedAt = to, r.Version+1, now
	if _, ok := cols["submitted_at"]; ok {
		r.SubmittedAt = &now
	}
	return nil
}

// AddHistory appends h to its request's history, which the agency and the
// provider both read.
func AddHistory(ctx context.Context, tx *gorm.DB, h *HistoryEntry) error {
	if err := tx.WithContext(ctx).Create(h).Error; err != nil {
		return fmt.Errorf("add history to request %s: %w", h.RequestID, err)
	}
	return nil
}

// A Ref names a request for a link or a list: its id, reference, state
// and agency.
type Ref struct {
	ID          string     `gorm:"column:id"`
	Reference   string     `gorm:"column:reference"`
	Status      State      `gorm:"column:status"`
	AgencyID    string     `gorm:"column:agency_id"`
	SubmittedAt *time.Time `gorm:"column:submitted_at"`
}

// refColumns are what a Ref reads.
const refColumns = "id, reference, status, agency_id, submitted_at"

// Refs returns the refs of the requests ids names that exist, by id.
func Refs(ctx context.Context, tx *gorm.DB, ids []string) (map[string]Ref, error) {
	out := map[string]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Ref
	if err := tx.WithContext(ctx).Table("requests").Select(refColumns).Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("refs of %d requests: %w", len(ids), err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// FindOfAgency returns the ref of the request of actor's agency that
// idOrReference names, by id or by reference ("WD-2026-000123"), among
// those actor may see (AgencySees). Returns NotFound when there is none.
func FindOfAgency(ctx context.Context, tx *gorm.DB, actor *identity.Principal, idOrReference string) (Ref, error) {
	v := strings.TrimSpace(idOrReference)
	var r Ref
	cond, args := AgencySees("requests", actor)
	err := tx.WithContext(ctx).Table("requests").Select(refColumns).
		Where("(requests.id = ? OR requests.reference = ?)", strings.ToLower(v), strings.ToUpper(v)).Where(cond, args...).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Ref{}, notFound(v)
	}
	if err != nil {
		return Ref{}, fmt.Errorf("find request %q: %w", errs.Clip(v, 64), err)
	}
	return r, nil
}

// Any reports whether any request exists (a demo seeds its history only
// into an empty portal).
func Any(ctx context.Context, tx *gorm.DB) (bool, error) {
	var n int64
	if err := tx.WithContext(ctx).Model(&Request{}).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count requests: %w", err)
	}
	return n > 0, nil
}

// VisibleRefs returns the refs of the requests ids names that actor may
// know exist (Sees), by id; the others are left out, exactly as missing
// ones.
func VisibleRefs(ctx context.Context, tx *gorm.DB, actor *identity.Principal, ids []string) (map[string]Ref, error) {
	out := map[string]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	cond, args := Sees("requests", actor)
	q := tx.WithContext(ctx).Table("requests").Select(refColumns).Where("requests.id IN ?", ids).Where(cond, args...)
	var rows []Ref
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("refs of %d requests: %w", len(ids), err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
