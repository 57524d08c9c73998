package disclosure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Delivery is a package on its way to an officer. Body streams exactly
// Size bytes hashing to SHA256; the caller sends them and then calls
// Service.RecordDownload with what was actually sent.
type Delivery struct {
	Production  *Production
	Reference   string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Body        io.ReadCloser
}

// findForActor reads request id as actor may see it: another agency's, or
// one the provider may not see, is NotFound exactly as a missing one.
func findForActor(ctx context.Context, tx *gorm.DB, actor *identity.Principal, id string) (*request.Request, error) {
	r, err := request.Read(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := request.Visible(ctx, tx, actor, r); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return nil, errs.E(errs.NotFound, "No such request.")
	}
	return r, nil
}

// OpenDownload prepares the package of request requestID for actor, an
// officer of the requesting agency, and audits the start of the download.
// Before anything is sent the stored package is read through once and
// checked against its hashes, so a damaged or missing blob is never served
// in part: the production is marked failed for the provider to rebuild and
// the officer gets Unavailable.
//
// Returns Unauthenticated; NotFound for another agency's request (exactly
// as for a missing one) or when nothing has been produced; Forbidden when
// the policy does not let actor download (role, or the request's state);
// Conflict while the package is being built; Gone once the link has
// expired (the blob is then deleted); Unavailable when the package failed
// or its blob is damaged.
func (s *Service) OpenDownload(ctx context.Context, actor *identity.Principal, requestID string) (*Delivery, error) {
	if actor == nil || actor.PersonID == "" {
		return nil, errs.E(errs.Unauthenticated, "Sign in first.")
	}
	r, err := findForActor(ctx, s.DB.DB, actor, requestID)
	if err != nil {
		return nil, err
	}
	if err := s.Authz.Authorize(ctx, actor, ActionDownloadPolicy, r); err != nil {
		return nil, audit.Settle(ctx, s.DB.DB, audit.Deny(err, audit.Event{At: s.now(), Actor: actor.AuditActor(),
			Action: ActionDownload, ObjectType: "request", ObjectID: r.ID, RequestID: r.ID}))
	}
	var p Production
	err = s.DB.WithContext(ctx).Where("request_id = ?", r.ID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errs.E(errs.NotFound, "No package has been produced for this request yet.")
	}
	if err != nil {
		return nil, fmt.Errorf("open download: %w", err)
	}
	now := s.now()
	switch {
	case p.Status == StatusReady && p.ExpiresAt != nil && !now.Before(*p.ExpiresAt):
		if err := s.expire(ctx, &p); err != nil {
			return nil, err
		}
		return nil, gone(&p)
	case p.Status == StatusExpired:
		return nil, gone(&p)
	case p.Status == StatusBuilding:
		return nil, errs.E(errs.Conflict, "The package is still being built; try again shortly.")
	case p.Status == StatusFailed:
		return nil, errs.E(errs.Unavailable, "The package could not be built; the provider has been told and will rebuild it.")
	}
	if err := s.verifyStored(ctx, &p); err != nil {
		s.fail(ctx, &p, err)
		return nil, errs.Wrap(err, errs.Unavailable, "The stored package is damaged; the provider has been told and will rebuild it. Nothing was sent.")
	}
	body, err := s.openServed(ctx, &p)
	if err != nil {
		return nil, err
	}
	d := &Delivery{Production: &p, Reference: r.Reference, Filename: p.Filename(r.Reference), ContentType: "application/zip",
		Size: p.ServedSize, SHA256: p.ServedSHA256, Body: body}
	if p.Sealing == SealRecipient {
		d.ContentType = "application/octet-stream"
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return audit.Append(ctx, tx, audit.Event{
			At: now, Actor: actor.AuditActor(), Action: ActionDownloadStart, ObjectType: "production", ObjectID: p.ID, RequestID: r.ID,
			Details: audit.JSON(map[string]any{"sha256": p.ServedSHA256, "bytes": p.ServedSize}),
		})
	})
	if err != nil {
		body.Close()
		return nil, err
	}
	return d, nil
}

func gone(p *Production) error {
	return errs.E(errs.Gone, "The download link of this package expired on %s and the package was deleted. Ask the provider if you still need it.",
		p.ExpiresAt.UTC().Format("2006-01-02"))
}

// openServed opens the bytes a download sends: the sealed blob itself, or
// the zip decrypted from its at-rest seal.
func (s *Service) openServed(ctx context.Context, p *Production) (io.ReadCloser, error) {
	rc, err := s.Blobs.Open(ctx, p.BlobSHA256)
	if err != nil {
		return nil, fmt.Errorf("open package blob: %w", err)
	}
	if p.Sealing != SealAtRest {
		return rc, nil
	}
	plain, err := age.Decrypt(rc, atRestIdentity{key: s.Keys.packageKey(p.ID, p.Attempts)})
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("open package: %w: %w", ErrBlobDamaged, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{plain, rc}, nil
}

// verifyStored reads the served bytes through once and checks their hash
// and size (the blob store checks the stored bytes' own hash on the way).
func (s *Service) verifyStored(ctx context.Context, p *Production) error {
	rc, err := s.openServed(ctx, p)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return fmt.Errorf("%w: %w", ErrBlobDamaged, err)
		}
		return err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBlobDamaged, err)
	}
	if n != p.ServedSize || hex.EncodeToString(h.Sum(nil)) != p.ServedSHA256 {
		return fmt.Errorf("%w: production %s read %d bytes that do not match its record", ErrBlobDamaged, p.ID, n)
	}
	return nil
}

// RecordDownload records one download of d with what was actually sent:
// the number of bytes, their SHA-256 and whether all of it went out. It is
// the audit event every download leaves.
func (s *Service) RecordDownload(ctx context.Context, actor *identity.Principal, d *Delivery, sent int64, sha string, complete bool) error {
	now := s.now()
	ctx = context.WithoutCancel(ctx) // a client that hung up still gets its download recorded
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		dl := Download{ProductionID: d.Production.ID, PersonID: actor.PersonID, At: now, SHA256: sha, Bytes: sent, Complete: complete}
		if err := tx.Create(&dl).Error; err != nil {
			return fmt.Errorf("record download: %w", err)
		}
		ev := audit.Event{
			At: now, Actor: actor.AuditActor(), Action: ActionDownload, ObjectType: "production", ObjectID: d.Production.ID,
			RequestID: d.Production.RequestID,
			Details:   audit.JSON(map[string]any{"sha256": sha, "bytes": sent, "complete": complete, "filename": d.Filename}),
		}
		if !complete {
			ev.Outcome = audit.OutcomeFailure
		}
		return audit.Append(ctx, tx, ev)
	})
}

// Downloads returns a production's downloads, oldest first.
func (s *Service) Downloads(ctx context.Context, productionID string) ([]Download, error) {
	var out []Download
	if err := s.DB.WithContext(ctx).Where("production_id = ?", productionID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list downloads: %w", err)
	}
	return out, nil
}

// expire marks a production expired and deletes its blob: first the mark
// (so it is never served again), then the blob, then the deletion time, so
// an interrupted expiry finishes on the next run.
func (s *Service) expire(ctx context.Context, p *Production) error {
	now := s.now()
	if p.Status != StatusExpired {
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			q := tx.Model(&Production{}).Where("id = ? AND status = ?", p.ID, StatusReady).
				Updates(map[string]any{"status": StatusExpired, "updated_at": now})
			if q.Error != nil {
				return fmt.Errorf("expire production %s: %w", p.ID, q.Error)
			}
			if q.RowsAffected == 0 {
				return nil // someone else expired it
			}
			return audit.Append(ctx, tx, audit.Event{
				At: now, Actor: systemActor, Action: ActionExpire, ObjectType: "production", ObjectID: p.ID, RequestID: p.RequestID,
				Details: audit.JSON(map[string]any{"expires_at": p.ExpiresAt, "blob_sha256": p.BlobSHA256}),
			})
		})
		if err != nil {
			return err
		}
		p.Status = StatusExpired
	}
	if p.DeletedAt != nil {
		return nil
	}
	if err := s.Blobs.Delete(ctx, p.BlobSHA256); err != nil && !errors.Is(err, blob.ErrNotFound) && !errors.Is(err, blob.ErrInvalidKey) {
		return fmt.Errorf("delete expired package: %w", err)
	}
	if err := s.DB.WithContext(ctx).Model(&Production{}).Where("id = ?", p.ID).Updates(map[string]any{"deleted_at": now, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("expire production %s: %w", p.ID, err)
	}
	p.DeletedAt = &now
	return nil
}

// ExpireDue expires every production whose link has lapsed and deletes its
// blob (the expiry job runs it hourly). Returns how many it expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.now()
	var due []Production
	err := s.DB.WithContext(ctx).Where("(status = ? AND expires_at <= ?) OR (status = ? AND deleted_at IS NULL)", StatusReady, now, StatusExpired).
		Order("id").Limit(1000).Find(&due).Error
	if err != nil {
		return 0, fmt.Errorf("expire productions: %w", err)
	}
	for i := range due {
		if err := s.expire(ctx, &due[i]); err != nil {
			return i, err
		}
	}
	return len(due), nil
}

// ForAgency lists the productions of the actor's agency's requests actor
// may see (request.AgencySees), newest first. Returns
// Unauthenticated, or Forbidden for the provider's staff.
func (s *Service) ForAgency(ctx context.Context, actor *identity.Principal) ([]Listed, error) {
	if actor == nil || actor.PersonID == "" {
		return nil, errs.E(errs.Unauthenticated, "Sign in first.")
	}
	if actor.Provider || actor.AgencyID == "" {
		return nil, errs.E(errs.Forbidden, "Productions are listed for the agency that asked for them.")
	}
	return s.List(ctx, ListFilter{AgencyID: actor.AgencyID, Viewer: actor})
}

// ExpiresIn says how long a ready production's link has left at now.
func (p *Production) ExpiresIn(now time.Time) time.Duration {
	if p.ExpiresAt == nil {
		return 0
	}
	return p.ExpiresAt.Sub(now)
}
