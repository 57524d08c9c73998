package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// A RequestCallback is intake's call back to a number of the agency's
// callback directory before an emergency is verified: who called, when,
// the outcome. It is the provider's own record, never shown to the agency.
type RequestCallback struct {
	ID         string    `gorm:"column:id;primaryKey"`
	RequestID  string    `gorm:"column:request_id"`
	CallbackID string    `gorm:"column:callback_id"` // agency_callbacks.id
	CalledBy   string    `gorm:"column:called_by"`
	CalledAt   time.Time `gorm:"column:called_at"`
	Outcome    string    `gorm:"column:outcome"`
	Note       string    `gorm:"column:note"`
}

// TableName maps RequestCallback onto request_callbacks.
func (RequestCallback) TableName() string { return "request_callbacks" }

// recordCallback records cb, made by person at now, in the transaction of
// the verification it supports.
func recordCallback(ctx context.Context, tx *gorm.DB, requestID string, cb *Callback, person string, now time.Time) error {
	rc := RequestCallback{ID: uuid.NewString(), RequestID: requestID, CallbackID: cb.DirectoryID, CalledBy: person,
		CalledAt: now, Outcome: cb.Outcome, Note: cb.Note}
	if err := tx.WithContext(ctx).Create(&rc).Error; err != nil {
		return fmt.Errorf("record callback: %w", err)
	}
	return nil
}

// A CallbackRecord is a recorded callback with the directory entry called
// and the caller's name, for the provider's review page.
type CallbackRecord struct {
	RequestCallback
	Label, Phone, Source string
	CallerName           string
}

// Callbacks lists the callbacks recorded for request id, oldest first. The
// caller authorises the reader: provider staff only.
func Callbacks(ctx context.Context, db *gorm.DB, requestID string) ([]CallbackRecord, error) {
	var out []CallbackRecord
	err := db.WithContext(ctx).Table("request_callbacks AS rc").
		Select("rc.*, ac.label AS label, ac.phone AS phone, ac.source AS source, COALESCE(p.name, '') AS caller_name").
		Joins("JOIN agency_callbacks ac ON ac.id = rc.callback_id").
		Joins("LEFT JOIN people p ON p.id = rc.called_by").
		Where("rc.request_id = ?", requestID).Order("rc.called_at, rc.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list callbacks of request %s: %w", requestID, err)
	}
	return out, nil
}

// A CallbackView is what the provider's review page shows of an
// emergency's callback: the agency's directory (numbers not removed) to
// choose from, and the callbacks recorded.
type CallbackView struct {
	Directory []agency.CallbackEntry
	Recorded  []CallbackRecord
}

// CallbackView returns the callback directory of request id's agency and
// the callbacks recorded for it. Provider staff only: the agency never
// reads either. Returns Forbidden or NotFound.
func (e *Engine) CallbackView(ctx context.Context, actor *identity.Principal, id string) (*CallbackView, error) {
	if actor == nil || !actor.Provider {
		return nil, errs.E(errs.Forbidden, "Only the provider's staff see the callback directory.")
	}
	var agencyID string
	if err := e.db.WithContext(ctx).Table("requests").Where("id = ?", id).Pluck("agency_id", &agencyID).Error; err != nil {
		return nil, fmt.Errorf("callback view: %w", err)
	}
	if agencyID == "" {
		return nil, errs.E(errs.NotFound, "No such request.")
	}
	dir, err := agency.Callbacks(ctx, e.db.DB, agencyID, false)
	if err != nil {
		return nil, err
	}
	rec, err := Callbacks(ctx, e.db.DB, id)
	if err != nil {
		return nil, err
	}
	return &CallbackView{Directory: dir, Recorded: rec}, nil
}
