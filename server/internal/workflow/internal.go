package workflow

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// Internal words stay internal (issue 16): every provider action carries
// a note to the agency (Input.Note, in the history row the agency reads)
// and an internal note (Input.InternalNote) that only the provider's
// staff read. The internal part of a row — what staff typed, and what the
// portal says for staff only (the queue a request was routed to) — lives
// in request_internal_notes (migration 0027), which no read on the
// agency's behalf touches: request.Load never joins it, and View reads it
// for the provider alone.

// An InternalNote is the internal part of one history row.
type InternalNote struct {
	HistoryID int64  `gorm:"column:history_id;primaryKey"`
	RequestID string `gorm:"column:request_id"`
	Note      string `gorm:"column:note"`  // what a person of the provider typed, as typed
	Words     string `gorm:"column:words"` // the portal's sentences for staff, as request_history.words
}

// TableName maps InternalNote onto request_internal_notes.
func (InternalNote) TableName() string { return "request_internal_notes" }

// Text is the internal part said in v's language (the zero Voice: as
// written): the portal's sentences, then what staff typed.
func (n InternalNote) Text(v Voice) string {
	if v.Sprintf == nil {
		v = english
	}
	comment, _ := historyText(nil, n.Note)
	return SayHistory(comment, n.Words, v)
}

// agencyNoteActions take the old comment as the note to the agency, by
// their nature: a question, the reasons for a rejection, the enforcing
// authority's reasons.
var agencyNoteActions = map[Action]bool{
	ActionRequestInfo: true, ActionReject: true, ActionRecordEnforcingAuthority: true,
}

// resolveComment reads the old comment field of in into the note to the
// agency or the internal note (Input.Comment), and names the field the
// note to the agency came in, for the errors about it. A client that sends
// both the old field and the new one it maps to is taken at the new one.
func resolveComment(a Action, in Input) (Input, string) {
	field := "note"
	if in.Comment == "" {
		return in, field
	}
	by := actionBy(a)
	switch {
	case by == ByProvider && !agencyNoteActions[a]:
		if in.InternalNote == "" {
			in.InternalNote = in.Comment
		}
	case in.Note == "":
		in.Note, field = in.Comment, "comment"
	}
	return in, field
}

// notesOK checks the two notes every action takes; ask says what to write
// to the agency when the action needs it ("" when it is optional). Only
// the provider's staff write internal notes.
func (s *step) notesOK(ask string) errs.Fields {
	var f errs.Fields
	checkText(&f, s.noteField, s.in.Note, maxComment, ask)
	switch {
	case s.in.InternalNote != "" && s.rule != nil && s.rule.By != ByProvider:
		f.Add("internal_note", "Only the provider's staff write internal notes; write to the provider in the note.")
	default:
		checkText(&f, "internal_note", s.in.InternalNote, maxComment, "")
	}
	return f
}

// addInternal keeps the internal part of history row h, when it has one.
func addInternal(ctx context.Context, tx *gorm.DB, h *request.HistoryEntry, said []Phrase, typed string) error {
	if len(said) == 0 && typed == "" {
		return nil
	}
	_, words := historyText(said, typed)
	n := InternalNote{HistoryID: h.ID, RequestID: h.RequestID, Note: errs.Clip(typed, maxComment), Words: words}
	if err := tx.WithContext(ctx).Create(&n).Error; err != nil {
		return fmt.Errorf("keep the internal note of %s: %w", h.RequestID, err)
	}
	return nil
}

// internalNotes are the internal parts of request id's history rows, by
// history row id. Only View calls it, for the provider's staff.
func internalNotes(ctx context.Context, tx *gorm.DB, id string) (map[int64]InternalNote, error) {
	var rows []InternalNote
	if err := tx.WithContext(ctx).Where("request_id = ?", id).Order("history_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the internal notes of %s: %w", id, err)
	}
	out := make(map[int64]InternalNote, len(rows))
	for _, n := range rows {
		out[n.HistoryID] = n
	}
	return out, nil
}
