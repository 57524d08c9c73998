package metadata

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Preservation is what a preservation request asks the provider to keep:
// its targets' records of some categories within a window, until a date.
type Preservation struct {
	RequestID  string
	Targets    []request.Target
	Categories []string
	From, To   time.Time // [From, To)
	ExpiresAt  time.Time // the hold's end; Extend moves it
}

// Preserve places holds on exactly the records p names, inside tx (the
// transaction of the workflow's transition to preserved): one hold per
// matched account and category. Targets that match no account are returned
// unmatched and hold nothing. Preserving again is idempotent: existing holds
// of the request are refreshed. Returns Invalid for an unknown category, an
// empty window or an expiry in the past, or Internal on a database failure.
func (s *Store) Preserve(ctx context.Context, tx *gorm.DB, p Preservation) ([]Resolution, error) {
	var f errs.Fields
	for i, c := range p.Categories {
		if !IsCategory(c) || c == Envelope {
			f.Add(fmt.Sprintf("categories[%d]", i), "%q cannot be preserved.", c)
		}
	}
	if p.From.IsZero() || !p.From.Before(p.To) {
		f.Add("date_from", "The preserved window is empty.")
	}
	now := s.now()
	if !p.ExpiresAt.After(now) {
		f.Add("expires_on", "The hold must end in the future.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	rs, err := Resolve(ctx, tx, p.Targets)
	if err != nil {
		return nil, err
	}
	var holds []Hold
	for _, id := range AccountIDs(rs) {
		for _, c := range p.Categories {
			holds = append(holds, Hold{
				RequestID: p.RequestID, AccountID: id, Category: c,
				FromAt: p.From.UTC(), ToAt: p.To.UTC(), ExpiresAt: p.ExpiresAt.UTC(),
				Status: HoldActive, CreatedAt: now, UpdatedAt: now,
			})
		}
	}
	if len(holds) == 0 {
		return rs, nil
	}
	err = tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "request_id"}, {Name: "account_id"}, {Name: "category"}},
		DoUpdates: clause.AssignmentColumns([]string{"from_at", "to_at", "expires_at", "status", "updated_at"}),
	}).Create(&holds).Error
	if err != nil {
		return nil, fmt.Errorf("preserve for request %s: %w", p.RequestID, err)
	}
	return rs, nil
}

// ExtendHolds moves the end of request requestID's active holds to until,
// inside tx (the extension's transition). Returns NotFound if the request
// holds nothing active, Invalid if until is not later than the current end.
func (s *Store) ExtendHolds(ctx context.Context, tx *gorm.DB, requestID string, until time.Time) error {
	var cur []Hold
	if err := tx.WithContext(ctx).Where("request_id = ? AND status = ?", requestID, HoldActive).Find(&cur).Error; err != nil {
		return fmt.Errorf("extend holds of request %s: %w", requestID, err)
	}
	if len(cur) == 0 {
		return errs.E(errs.NotFound, "This request holds no records.")
	}
	for _, h := range cur {
		if !until.After(h.ExpiresAt) {
			return errs.E(errs.Invalid, "An extension must end after the current hold, which ends %s.", h.ExpiresAt.UTC().Format(time.DateOnly))
		}
	}
	err := tx.WithContext(ctx).Model(&Hold{}).Where("request_id = ? AND status = ?", requestID, HoldActive).
		Updates(map[string]any{"expires_at": until.UTC(), "updated_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("extend holds of request %s: %w", requestID, err)
	}
	return nil
}

// EndHolds ends request requestID's active holds with status (HoldReleased
// when the preservation is released or fulfilled, HoldExpired when it
// lapsed), inside tx. Retention purges the records at its next run. Ending
// holds that are already ended changes nothing. Returns Invalid for another
// status.
func (s *Store) EndHolds(ctx context.Context, tx *gorm.DB, requestID, status string) error {
	if status != HoldReleased && status != HoldExpired {
		return errs.E(errs.Invalid, "A hold ends as released or expired.")
	}
	err := tx.WithContext(ctx).Model(&Hold{}).Where("request_id = ? AND status = ?", requestID, HoldActive).
		Updates(map[string]any{"status": status, "updated_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("end holds of request %s: %w", requestID, err)
	}
	return nil
}

// HoldsOf returns request requestID's holds.
func HoldsOf(ctx context.Context, tx *gorm.DB, requestID string) ([]Hold, error) {
	var hs []Hold
	if err := tx.WithContext(ctx).Where("request_id = ?", requestID).Order("account_id, category").Find(&hs).Error; err != nil {
		return nil, fmt.Errorf("holds of request %s: %w", requestID, err)
	}
	return hs, nil
}

// ErrNoLiveOrder is wrapped by RecordEnvelope when no prospective order is
// collecting for the account at the envelope's time: routing metadata is
// never stored otherwise.
var ErrNoLiveOrder = errors.New("no live collection order for this account")

// StartCollection records that request requestID's prospective order
// collects routing metadata for its targets during [from, to), inside tx
// (the transition that puts the order into effect). Targets that match no
// account are returned unmatched. Returns Invalid for an empty window.
func (s *Store) StartCollection(ctx context.Context, tx *gorm.DB, requestID string, targets []request.Target, from, to time.Time) ([]Resolution, error) {
	if from.IsZero() || !from.Before(to) {
		return nil, errs.E(errs.Invalid, "The collection window is empty.")
	}
	rs, err := Resolve(ctx, tx, targets)
	if err != nil {
		return nil, err
	}
	for _, id := range AccountIDs(rs) {
		o := CollectionOrder{RequestID: requestID, AccountID: id, StartsAt: from.UTC(), EndsAt: to.UTC()}
		err := tx.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "request_id"}, {Name: "account_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"starts_at", "ends_at"}),
		}).Create(&o).Error
		if err != nil {
			return nil, fmt.Errorf("start collection for request %s: %w", requestID, err)
		}
	}
	return rs, nil
}

// StopCollection ends request requestID's collection at now (the order was
// withdrawn or revoked), inside tx.
func (s *Store) StopCollection(ctx context.Context, tx *gorm.DB, requestID string) error {
	err := tx.WithContext(ctx).Model(&CollectionOrder{}).Where("request_id = ? AND stopped_at IS NULL", requestID).
		Update("stopped_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("stop collection for request %s: %w", requestID, err)
	}
	return nil
}

// RecordEnvelope stores the routing metadata of one message or call of
// env.AccountID, inside tx, under every order live for it at env.At (each
// order gets its own copy, released only to its request). Returns an error
// wrapping ErrNoLiveOrder (code Conflict) when no order is live, and
// Invalid for an unknown type.
func (s *Store) RecordEnvelope(ctx context.Context, tx *gorm.DB, env EnvelopeRecord) error {
	switch env.Type {
	case EnvelopeMessage, EnvelopeCall, EnvelopeReceipt:
	default:
		return errs.E(errs.Invalid, "Unknown envelope type %q.", env.Type)
	}
	var orders []CollectionOrder
	err := tx.WithContext(ctx).Where("account_id = ? AND starts_at <= ? AND ends_at > ? AND (stopped_at IS NULL OR stopped_at > ?)",
		env.AccountID, env.At, env.At, env.At).Order("id").Find(&orders).Error
	if err != nil {
		return fmt.Errorf("record envelope: %w", err)
	}
	if len(orders) == 0 {
		return errs.Wrap(ErrNoLiveOrder, errs.Conflict, "Routing metadata is collected only under a live order.")
	}
	for _, o := range orders {
		rec := env
		rec.ID, rec.OrderID, rec.At = 0, o.ID, env.At.UTC().Truncate(time.Second)
		if err := tx.WithContext(ctx).Create(&rec).Error; err != nil {
			return fmt.Errorf("record envelope: %w", err)
		}
	}
	return nil
}
