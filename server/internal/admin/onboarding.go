package admin

// Onboarding with evidence (issue 16): an administrator registers an agency
// as pending with how it was verified, its e-mail domains and its callback
// directory; a second, different administrator activates it. Every step is
// authorised by the policy and audited in its transaction; none of it is
// ever shown to the agency.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// MaxDocument is the largest supporting document accepted.
const MaxDocument = 10 << 20

// DocumentTypes are the supporting documents' accepted content types.
var DocumentTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// An AgencyRecord is everything the provider keeps about an agency, for
// its administrators' page.
type AgencyRecord struct {
	Agency        agency.Agency
	StatusChanges []agency.StatusChange
	Verifications []agency.Verification
	Documents     []agency.Document
	Domains       []agency.EmailDomain
	Callbacks     []agency.CallbackEntry // removed ones too
	Names         map[string]string      // person id → name, for the people the record cites
}

// Agency returns an agency's record. Returns NotFound or Forbidden.
func (s *Service) Agency(ctx context.Context, actor *identity.Principal, id string) (*AgencyRecord, error) {
	var out AgencyRecord
	err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, "agency.view", "agency", id); err != nil {
			return err
		}
		a, err := agency.FindByID(ctx, tx, id)
		if err != nil {
			return err
		}
		out.Agency = *a
		if out.StatusChanges, err = agency.StatusChanges(ctx, tx, id); err != nil {
			return err
		}
		if out.Verifications, err = agency.Verifications(ctx, tx, id); err != nil {
			return err
		}
		if out.Documents, err = agency.Documents(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.WithContext(ctx).Where("agency_id = ?", id).Order("domain").Find(&out.Domains).Error; err != nil {
			return fmt.Errorf("list e-mail domains: %w", err)
		}
		if out.Callbacks, err = agency.Callbacks(ctx, tx, id, true); err != nil {
			return err
		}
		out.Names, err = s.names(ctx, tx, &out)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// names finds the names of the people the record cites.
func (s *Service) names(ctx context.Context, tx *gorm.DB, r *AgencyRecord) (map[string]string, error) {
	var ids []string
	add := func(p *string) {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	add(r.Agency.CreatedBy)
	add(r.Agency.ActivatedBy)
	for _, c := range r.StatusChanges {
		add(c.ActorID)
	}
	for _, v := range r.Verifications {
		ids = append(ids, v.VerifiedBy)
	}
	for _, d := range r.Documents {
		ids = append(ids, d.UploadedBy)
	}
	for _, c := range r.Callbacks {
		add(c.AddedBy)
		add(c.RemovedBy)
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var people []identity.Person
	if err := tx.WithContext(ctx).Where("id IN ?", ids).Find(&people).Error; err != nil {
		return nil, fmt.Errorf("names of an agency's record: %w", err)
	}
	for _, p := range people {
		out[p.ID] = p.Name
	}
	return out, nil
}

// actorID is the actor's person id as a column value.
func actorID(actor *identity.Principal) *string {
	id := actor.PersonID
	return &id
}

// withAgency runs fn in a transaction after authorising action on the
// agency and reading it; fn's changes and the audit event it returns are
// one transaction.
func (s *Service) withAgency(ctx context.Context, actor *identity.Principal, action, id string, fn func(tx *gorm.DB, a *agency.Agency) (any, error)) error {
	return audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, action, "agency", id); err != nil {
			return err
		}
		a, err := agency.FindByID(ctx, tx, id)
		if err != nil {
			return err
		}
		details, err := fn(tx, a)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actor.AuditActor(), Action: action, ObjectType: "agency", ObjectID: id, Details: audit.JSON(details)})
	})
}

// AddVerification records how the actor verified the agency (a method of
// agency.VerificationMethods and what they saw). Returns Invalid with
// field errors, NotFound, Forbidden.
func (s *Service) AddVerification(ctx context.Context, actor *identity.Principal, agencyID, method, note string) (*agency.Verification, error) {
	v := &agency.Verification{AgencyID: agencyID, Method: method, Note: note}
	err := s.withAgency(ctx, actor, "agency.verify", agencyID, func(tx *gorm.DB, a *agency.Agency) (any, error) {
		v.VerifiedBy = actor.PersonID
		if err := agency.AddVerification(ctx, tx, v); err != nil {
			return nil, err
		}
		return map[string]string{"verification": v.ID, "method": v.Method}, nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// AddEmailDomain adds an e-mail domain to the agency's. Returns Invalid
// (field "domain"), NotFound, Forbidden.
func (s *Service) AddEmailDomain(ctx context.Context, actor *identity.Principal, agencyID, domain string) (string, error) {
	var out string
	err := s.withAgency(ctx, actor, "agency.domain.add", agencyID, func(tx *gorm.DB, a *agency.Agency) (any, error) {
		var err error
		out, err = agency.AddEmailDomain(ctx, tx, a.ID, domain, actorID(actor))
		return map[string]string{"domain": out}, err
	})
	return out, err
}

// AddCallback adds a number to the agency's callback directory. Returns
// Invalid with field errors (label, phone, source), NotFound, Forbidden.
func (s *Service) AddCallback(ctx context.Context, actor *identity.Principal, agencyID, label, phone, source string) (*agency.CallbackEntry, error) {
	c := &agency.CallbackEntry{Label: label, Phone: phone, Source: source, AddedBy: actorID(actor)}
	err := s.withAgency(ctx, actor, "agency.callback.add", agencyID, func(tx *gorm.DB, a *agency.Agency) (any, error) {
		if err := agency.AddCallback(ctx, tx, a, c); err != nil {
			return nil, err
		}
		return map[string]string{"callback": c.ID, "phone": c.Phone, "source": c.Source}, nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RemoveCallback takes a number out of the agency's callback directory (its
// row stays, with who removed it and when). Returns NotFound, Conflict,
// Forbidden.
func (s *Service) RemoveCallback(ctx context.Context, actor *identity.Principal, agencyID, callbackID string) error {
	return s.withAgency(ctx, actor, "agency.callback.remove", agencyID, func(tx *gorm.DB, a *agency.Agency) (any, error) {
		return map[string]string{"callback": callbackID}, agency.RemoveCallback(ctx, tx, a.ID, callbackID, actorID(actor))
	})
}

// sniff names the type of a supporting document from its first bytes, or
// "" for one that is none of DocumentTypes.
func sniff(b []byte) string {
	switch t := http.DetectContentType(b); {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case t == "image/png" || t == "image/jpeg":
		return t
	}
	return ""
}

// cleanFilename keeps a display name: its last path element, printable,
// at most 200 characters.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	for utf8.RuneCountInString(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	if name == "" {
		return "document"
	}
	return name
}

// fileErr is e about the field "file".
func fileErr(e *errs.Error, format string, args ...any) error {
	e.Fields = []errs.FieldError{{Field: "file", Message: fmt.Sprintf(format, args...), Format: format, Args: args}}
	return e
}

// UploadAgencyDocument stores a document supporting the agency's
// verification (verificationID, or "" for none in particular): a PDF, PNG
// or JPEG of at most MaxDocument bytes, in the blob store under its
// SHA-256. A failed upload leaves no row and no blob it added. Returns
// TooLarge, Unsupported or Invalid (field "file"), NotFound, Forbidden.
func (s *Service) UploadAgencyDocument(ctx context.Context, actor *identity.Principal, agencyID, verificationID, filename string, r io.Reader) (*agency.Document, error) {
	// Authorise before reading the body, so nobody fills the blob store.
	if err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, "agency.document.upload", "agency", agencyID); err != nil {
			return err
		}
		_, err := agency.FindByID(ctx, tx, agencyID)
		return err
	}); err != nil {
		return nil, err
	}
	if s.Blobs == nil {
		return nil, errs.E(errs.Unavailable, "Document storage is not configured on this server.")
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxDocument+1))
	if err != nil {
		return nil, errs.Wrap(fmt.Errorf("agency document: read: %w", err), errs.Invalid, "The upload could not be read; try again.")
	}
	if len(body) > MaxDocument {
		return nil, fileErr(errs.E(errs.TooLarge, "The file is larger than 10 MiB."), "Upload a file of at most 10 MiB.")
	}
	ctype := sniff(body)
	if ctype == "" {
		return nil, fileErr(errs.E(errs.Unsupported, "Upload a PDF, PNG or JPEG file."), "The file is not a PDF, PNG or JPEG.")
	}
	h := sha256.Sum256(body)
	sum := hex.EncodeToString(h[:])
	_, statErr := s.Blobs.Stat(ctx, sum)
	existed := statErr == nil
	if statErr != nil && !errors.Is(statErr, blob.ErrNotFound) {
		return nil, fmt.Errorf("agency document: %w", statErr)
	}
	if _, err := s.Blobs.Put(ctx, bytes.NewReader(body)); err != nil {
		return nil, fmt.Errorf("agency document: store: %w", err)
	}
	d := &agency.Document{AgencyID: agencyID, SHA256: sum, Size: int64(len(body)), Filename: cleanFilename(filename),
		ContentType: ctype, UploadedBy: actor.PersonID}
	err = s.withAgency(ctx, actor, "agency.document.upload", agencyID, func(tx *gorm.DB, a *agency.Agency) (any, error) {
		if verificationID != "" {
			var n int64
			if err := tx.Model(&agency.Verification{}).Where("agency_id = ? AND id = ?", a.ID, verificationID).Count(&n).Error; err != nil {
				return nil, fmt.Errorf("agency document: %w", err)
			}
			if n == 0 {
				var f errs.Fields
				f.Add("verification_id", "Choose one of this agency's verification records.")
				return nil, f.Err()
			}
			d.VerificationID = &verificationID
		}
		if err := agency.AddDocument(ctx, tx, d); err != nil {
			return nil, err
		}
		return map[string]any{"document": d.ID, "sha256": sum, "size": d.Size}, nil
	})
	if err != nil {
		if !existed {
			if derr := s.Blobs.Delete(ctx, sum); derr != nil && !errors.Is(derr, blob.ErrNotFound) {
				return nil, fmt.Errorf("%w (and %v)", err, derr)
			}
		}
		return nil, err
	}
	return d, nil
}

// AgencyDocument opens a supporting document for an administrator to
// download; the download is audited. The caller closes the reader.
// Returns NotFound, Forbidden.
func (s *Service) AgencyDocument(ctx context.Context, actor *identity.Principal, agencyID, docID string) (*agency.Document, io.ReadCloser, error) {
	var d *agency.Document
	if err := audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, "agency.document.download", "agency", agencyID); err != nil {
			return err
		}
		var err error
		if d, err = agency.FindDocument(ctx, tx, agencyID, docID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actor.AuditActor(), Action: "agency.document.download", ObjectType: "agency", ObjectID: agencyID,
			Details: audit.JSON(map[string]string{"document": d.ID, "sha256": d.SHA256})})
	}); err != nil {
		return nil, nil, err
	}
	if s.Blobs == nil {
		return nil, nil, errs.E(errs.Unavailable, "Document storage is not configured on this server.")
	}
	rc, err := s.Blobs.Open(ctx, d.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("agency document %s: %w", d.ID, err)
	}
	return d, rc, nil
}

// SetAgencyStatus moves an agency: pending → active (activation, by an
// administrator other than the one who registered it, once it has a
// verification record and a number in its callback directory), active →
// suspended (with a reason), suspended → active. Its people and systems
// are refused from their next request; a suspension also ends their
// sessions in the same transaction, so reactivation needs a new sign-in.
// Every move is recorded with its reason. Returns Invalid, NotFound,
// Conflict, Forbidden.
func (s *Service) SetAgencyStatus(ctx context.Context, actor *identity.Principal, id, status, reason string) error {
	action := "agency." + map[string]string{agency.StatusSuspended: "suspend", agency.StatusActive: "activate"}[status]
	return audit.Run(ctx, s.DB, func(tx *gorm.DB) error {
		if err := s.authorize(ctx, actor, action, "agency", id); err != nil {
			return err
		}
		var f errs.Fields
		if status != agency.StatusActive && status != agency.StatusSuspended {
			f.Add("status", "Use active or suspended.")
		}
		reason = strings.TrimSpace(reason)
		switch {
		case status == agency.StatusSuspended && reason == "":
			f.Add("reason", "Say why the agency is suspended.")
		case utf8.RuneCountInString(reason) > 2000:
			f.Add("reason", "Use at most %d characters.", 2000)
		}
		if err := f.Err(); err != nil {
			return err
		}
		a, err := agency.FindByID(ctx, tx, id)
		if err != nil {
			return err
		}
		from := a.Status
		updates := map[string]any{"status": status, "updated_at": time.Now().UTC()}
		switch {
		case from == status:
			return errs.E(errs.Conflict, "The agency is already %s.", status)
		case from == agency.StatusPending && status == agency.StatusSuspended:
			return errs.E(errs.Conflict, "The agency is still pending: activate it, or leave it pending.")
		case from == agency.StatusPending:
			action = "agency.approve"
			if err := s.checkActivation(ctx, tx, actor, a); err != nil {
				return err
			}
			updates["activated_by"], updates["activated_at"] = actor.PersonID, time.Now().UTC()
		}
		// The status condition makes the write the check: a concurrent
		// move leaves nothing to update.
		res := tx.WithContext(ctx).Model(&agency.Agency{}).Where("id = ? AND status = ?", id, from).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("set agency status: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return errs.E(errs.Conflict, "The agency's status changed meanwhile; reload and try again.")
		}
		if err := agency.RecordStatus(ctx, tx, id, from, status, actorID(actor), reason); err != nil {
			return err
		}
		if status == agency.StatusSuspended && s.Identity != nil {
			if err := s.Identity.RevokeAgencySessions(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Event{Actor: actor.AuditActor(), Action: action, ObjectType: "agency", ObjectID: id,
			Details: audit.JSON(map[string]string{"from": from, "to": status, "reason": reason})})
	})
}

// checkActivation holds the four eyes and the evidence of a first
// activation. Returns Conflict.
func (s *Service) checkActivation(ctx context.Context, tx *gorm.DB, actor *identity.Principal, a *agency.Agency) error {
	if a.CreatedBy != nil && *a.CreatedBy == actor.PersonID {
		return errs.E(errs.Conflict, "You registered this agency: another administrator must activate it (four eyes).")
	}
	vs, err := agency.Verifications(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return errs.E(errs.Conflict, "Record how the agency was verified before activating it.")
	}
	cs, err := agency.Callbacks(ctx, tx, a.ID, false)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return errs.E(errs.Conflict, "Add at least one number to the agency's callback directory before activating it.")
	}
	return nil
}
