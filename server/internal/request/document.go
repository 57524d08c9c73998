package request

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// ContentTypePDF is the only document type accepted.
const ContentTypePDF = "application/pdf"

const maxFilename = 200

// fileError is e with field as its message about the field "file".
func fileError(e *errs.Error, field errs.Text) error {
	e.Fields = []errs.FieldError{{Field: "file", Message: field.String(), Format: field.Format, Args: field.Args}}
	return e
}

// uploadStates are the states in which the agency may attach documents:
// its draft, and while the provider asks it for information (a corrected
// or missing order is often what is asked for). The policy's authz grant
// says the same; this is the storage's own guard.
var uploadStates = []State{StateDraft, StateNeedsInfo}

// notUploadable is the refusal of an upload in any other state.
func notUploadable(r *Request) error {
	return errs.E(errs.Conflict, "Request %s is %s; documents can be attached only to a draft, or while the provider asks for information.", r.Reference, r.Status)
}

// UploadDocument attaches the signed order, read from r, to request id: a
// draft, or one the provider asked for information. The file must be a PDF
// of at most MaxUpload bytes; it is stored in the blob store under its
// SHA-256, and filename is kept, sanitised, for display only. A failed
// upload leaves neither a blob nor a row behind. Returns NotFound,
// Forbidden, Conflict if the request is in no state that takes documents
// (uploadStates) or already has this document, TooLarge, Unsupported for a
// file that is not a PDF, and Invalid for a damaged or incomplete PDF —
// each naming field "file".
func (s *Service) UploadDocument(ctx context.Context, actor *identity.Principal, id string, filename string, r io.Reader) (*Document, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	// Check access before reading the body, so nobody can fill the blob
	// store through a request they may not touch.
	if err := s.run(ctx, func(tx *gorm.DB) error {
		req, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionUpload, req); err != nil {
			return err
		}
		if !slices.Contains(uploadStates, req.Status) {
			return notUploadable(req)
		}
		return nil
	}); err != nil {
		return nil, err
	}

	tmp, size, sum, err := spool(r, s.maxUpload())
	if tmp != nil {
		defer func() {
			tmp.Close()
			os.Remove(tmp.Name())
		}()
	}
	if err != nil {
		return nil, err
	}
	if err := checkPDF(tmp, size); err != nil {
		var bad pdfError
		switch {
		case errors.Is(err, errNotPDF):
			return nil, fileError(errs.E(errs.Unsupported, "Upload the signed order as a PDF file."), errs.Msg("The file is not a PDF."))
		case errors.As(err, &bad):
			return nil, fileError(errs.E(errs.Invalid, "The PDF is damaged or incomplete."), errs.Msg("The PDF is damaged or incomplete: %s.", bad.Error()))
		}
		return nil, fmt.Errorf("upload: check PDF: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("upload: rewind: %w", err)
	}

	// A blob that was already stored (the same order attached to another
	// request) is never deleted by this upload's failure.
	_, statErr := s.Blobs.Stat(ctx, sum)
	existed := statErr == nil
	if statErr != nil && !errors.Is(statErr, blob.ErrNotFound) {
		return nil, fmt.Errorf("upload: %w", statErr)
	}
	obj, err := s.Blobs.Put(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("upload: store: %w", err)
	}
	if obj.SHA256 != sum || obj.Size != size {
		s.discard(ctx, obj.SHA256, existed)
		return nil, fmt.Errorf("upload: the blob store returned %s (%d bytes), want %s (%d bytes)", obj.SHA256, obj.Size, sum, size)
	}

	docID, err := uuid.NewV7()
	if err != nil {
		s.discard(ctx, sum, existed)
		return nil, fmt.Errorf("upload: %w", err)
	}
	now := s.now()
	doc := &Document{
		ID:          docID.String(),
		SHA256:      sum,
		Size:        size,
		Filename:    sanitizeFilename(filename),
		ContentType: ContentTypePDF,
		UploadedBy:  actor.PersonID,
		CreatedAt:   now,
	}
	err = s.run(ctx, func(tx *gorm.DB) error {
		req, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionUpload, req); err != nil {
			return err
		}
		// The status condition makes the write the check: a submission
		// that committed since the first look leaves nothing to update.
		res := tx.Model(&Request{}).Where("id = ? AND status IN ?", req.ID, uploadStates).Update("updated_at", now)
		if res.Error != nil {
			return fmt.Errorf("upload: touch request %s: %w", req.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return notUploadable(req)
		}
		var dup int64
		if err := tx.Model(&Document{}).Where("request_id = ? AND sha256 = ?", req.ID, sum).Count(&dup).Error; err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		if dup > 0 {
			return fileError(errs.E(errs.Conflict, "This document is already attached to the request."), errs.Msg("This file is already attached."))
		}
		doc.RequestID = req.ID
		if err := tx.Create(doc).Error; err != nil {
			return fmt.Errorf("upload: add document to request %s: %w", req.ID, err)
		}
		return s.record(ctx, tx, actor, req,
			&HistoryEntry{At: now, Action: ActionUpload, FromStatus: req.Status, ToStatus: req.Status, Comment: "Uploaded " + doc.Filename + "."},
			audit.Event{At: now, Action: ActionUpload, ObjectType: "document", ObjectID: doc.ID,
				Details: audit.JSON(map[string]any{"sha256": sum, "size": size})})
	})
	if err != nil {
		if derr := s.discard(ctx, sum, existed); derr != nil {
			return nil, fmt.Errorf("%w (and %v)", err, derr)
		}
		return nil, err
	}
	return doc, nil
}

// spool copies at most max bytes of r to a temporary file, hashing them,
// so the PDF check can seek and nothing reaches the blob store before it
// passes. The caller closes and removes the file, which is returned even
// with an error.
func spool(r io.Reader, max int64) (*os.File, int64, string, error) {
	tmp, err := os.CreateTemp("", "warrantdesk-upload-*")
	if err != nil {
		return nil, 0, "", fmt.Errorf("upload: temporary file: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return tmp, 0, "", errs.Wrap(fmt.Errorf("upload: read: %w", err), errs.Invalid, "The upload could not be read; try again.")
	}
	if n > max {
		return tmp, 0, "", fileError(errs.E(errs.TooLarge, "The file is larger than %s.", formatSize(max)),
			errs.Msg("Upload a PDF of at most %s.", formatSize(max)))
	}
	if n == 0 {
		return tmp, 0, "", fileError(errs.E(errs.Invalid, "The file is empty."), errs.Msg("Choose the PDF of the signed order."))
	}
	return tmp, n, hex.EncodeToString(h.Sum(nil)), nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// discard deletes a blob this upload stored, unless it was there before or
// a document row (of another upload that committed meanwhile) references
// it. It runs after the upload's transaction has ended and on a context that
// is not cancelled with the request, which is often why the upload failed.
func (s *Service) discard(ctx context.Context, sum string, existed bool) error {
	if existed {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	var refs int64
	if err := s.DB.WithContext(ctx).Model(&Document{}).Where("sha256 = ?", sum).Count(&refs).Error; err != nil {
		return fmt.Errorf("discard blob %s: %w", sum, err)
	}
	if refs > 0 {
		return nil
	}
	if err := s.Blobs.Delete(ctx, sum); err != nil && !errors.Is(err, blob.ErrNotFound) {
		return fmt.Errorf("discard blob %s: %w", sum, err)
	}
	return nil
}

// OpenDocument returns document docID of request id and its content, and
// audits the download. The caller closes the reader; a read error at the end
// means the stored bytes were damaged (blob.ErrCorrupt) and the download must
// be abandoned. Returns NotFound (for the request, also another agency's,
// or the document) or Forbidden.
func (s *Service) OpenDocument(ctx context.Context, actor *identity.Principal, id, docID string) (*Document, io.ReadCloser, error) {
	if err := checkActor(actor); err != nil {
		return nil, nil, err
	}
	var (
		doc Document
		rc  io.ReadCloser
	)
	err := s.run(ctx, func(tx *gorm.DB) error {
		req, err := find(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, actor, ActionDownload, req); err != nil {
			return err
		}
		noDoc := errs.E(errs.NotFound, "No such document.")
		if u, err := uuid.Parse(docID); err != nil || u.String() != docID {
			return noDoc
		}
		err = tx.Where("id = ? AND request_id = ?", docID, req.ID).Take(&doc).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return noDoc
		}
		if err != nil {
			return fmt.Errorf("find document %s: %w", docID, err)
		}
		if rc, err = s.Blobs.Open(ctx, doc.SHA256); err != nil {
			// The row exists, so a missing blob is lost data, not the
			// caller's mistake.
			return errs.Wrap(fmt.Errorf("open document %s: %w", doc.ID, err), errs.Internal, "")
		}
		return s.record(ctx, tx, actor, req, nil,
			audit.Event{At: s.now(), Action: ActionDownload, ObjectType: "document", ObjectID: doc.ID})
	})
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, nil, err
	}
	return &doc, rc, nil
}

// sanitizeFilename makes an uploaded file name safe to display and to put
// in a Content-Disposition header: the last path element only, NFC, no
// control, formatting or bidirectional-override characters, no quotes or
// backslashes, no leading dots, at most maxFilename characters. Whatever the
// file was called, the name ends in .pdf, the only type accepted: a name
// such as "order.html" or "invoice.exe" would tell a browser or a desktop
// to open the bytes as something they are not.
func sanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = norm.NFC.String(name)
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), isBidiControl(r):
			return -1
		case r == '"' || r == '\\':
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	base := strings.TrimSpace(stripExtension(name))
	for strings.HasSuffix(strings.ToLower(base), ".pdf") {
		base = strings.TrimSpace(base[:len(base)-len(".pdf")])
	}
	base = strings.TrimRight(base, ". ")
	if base == "" {
		base = "document"
	}
	if utf8.RuneCountInString(base) > maxFilename-len(".pdf") {
		base = string([]rune(base)[:maxFilename-len(".pdf")])
	}
	return base + ".pdf"
}

// stripExtension removes a file name's extension: a final dot followed by
// one to ten letters or digits ("order.docx", not "Order v1.2 final").
func stripExtension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return name
	}
	ext := name[i+1:]
	if ext == "" || utf8.RuneCountInString(ext) > 10 {
		return name
	}
	for _, r := range ext {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return name
		}
	}
	return name[:i]
}

// DownloadName is the name the document is served under: its stored name,
// sanitised and ending in .pdf also where it was stored before uploads
// were renamed.
func (d *Document) DownloadName() string { return sanitizeFilename(d.Filename) }
