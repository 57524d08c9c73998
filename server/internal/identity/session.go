package identity

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// sessionSeenEvery throttles sessions.last_seen_at updates: one write per
// session per interval, not one per page view.
const sessionSeenEvery = 5 * time.Minute

// A Session is a person's sign-in, stored server-side. The cookie holds a
// random token; only its SHA-256 (IDHash) is stored, so a database dump
// yields no usable session.
type Session struct {
	IDHash     string    `gorm:"column:id_hash;primaryKey"`
	PersonID   string    `gorm:"column:person_id"`
	CSRFToken  string    `gorm:"column:csrf_token"` // for forms; compared in constant time by the web layer
	CreatedAt  time.Time `gorm:"column:created_at"`
	ExpiresAt  time.Time `gorm:"column:expires_at"`
	LastSeenAt time.Time `gorm:"column:last_seen_at"`
}

// TableName maps Session onto the sessions table.
func (Session) TableName() string { return "sessions" }

// Authenticate returns who holds the session token and the session. It
// re-reads the person and their agency on every call, so that suspension
// takes effect at the next request. Returns Unauthenticated for an unknown,
// ended or expired session and Forbidden if the person or their agency is
// suspended.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, *Session, error) {
	if token == "" {
		return nil, nil, errs.E(errs.Unauthenticated, "Sign in to continue.")
	}
	db := s.db.WithContext(ctx)
	var sess Session
	err := db.Where("id_hash = ?", hashToken(token)).Take(&sess).Error
	if isNotFound(err) {
		return nil, nil, errs.E(errs.Unauthenticated, "Your session has ended. Sign in again.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) {
		return nil, nil, errs.E(errs.Unauthenticated, "Your session has expired. Sign in again.")
	}
	p, err := loadPrincipal(ctx, db, sess.PersonID)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) >= sessionSeenEvery {
		seen := dbTime(now)
		if err := db.Model(&Session{}).Where("id_hash = ?", sess.IDHash).Update("last_seen_at", seen).Error; err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = seen
	}
	return p, &sess, nil
}

// Logout ends the session of token and audits "auth.logout" in the same
// transaction; p (which may be nil) is who the web layer authenticated. It
// returns the issuer's end-session URL, when the issuer announces one, so
// that the browser can end its session there too and come back to BaseURL/.
// Ending a session that is already gone is not an error.
func (s *Service) Logout(ctx context.Context, token string, p *Principal) (endSessionURL string, err error) {
	if token == "" {
		return "", nil
	}
	var sess Session
	var ended bool
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("id_hash = ?", hashToken(token)).Take(&sess).Error
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find session: %w", err)
		}
		res := tx.Where("id_hash = ?", sess.IDHash).Delete(&Session{})
		if res.Error != nil {
			return fmt.Errorf("delete session: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		ended = true
		if p == nil || p.PersonID != sess.PersonID {
			// Audit whose session it was, not whoever presented it.
			var person Person
			if err := tx.Where("id = ?", sess.PersonID).Take(&person).Error; err != nil {
				return fmt.Errorf("find person of session: %w", err)
			}
			p = principalOf(&person, nil)
			p.Provider = person.AgencyID == nil
			if person.AgencyID != nil {
				p.AgencyID = *person.AgencyID
			}
		}
		return audit.Append(ctx, tx, audit.Event{
			At:         dbTime(s.now()),
			Actor:      p.AuditActor(),
			Action:     "auth.logout",
			ObjectType: "person",
			ObjectID:   sess.PersonID,
			Outcome:    audit.OutcomeSuccess,
		})
	})
	if err != nil {
		return "", err
	}
	if !ended || p == nil {
		return "", nil
	}
	return s.endSessionURL(ctx, p.Issuer), nil
}

// endSessionURL is the issuer's RP-initiated logout URL, or "" when it has
// none or cannot be reached: the local session is over either way.
func (s *Service) endSessionURL(ctx context.Context, issuerURL string) string {
	is, ok := s.issuers[issuerURL]
	if !ok || is.cfg.ClientID == "" {
		return ""
	}
	if _, err := s.discover(ctx, is); err != nil {
		return ""
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := is.provider.Claims(&meta); err != nil || meta.EndSession == "" {
		return ""
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", is.cfg.ClientID)
	q.Set("post_logout_redirect_uri", s.baseURL+"/")
	u.RawQuery = q.Encode()
	return u.String()
}

// RevokePersonSessions ends every session of a person inside tx, for example
// when an administrator suspends them and wants them out at once rather than
// refused at their next request.
func (s *Service) RevokePersonSessions(ctx context.Context, tx *gorm.DB, personID string) error {
	if err := tx.WithContext(ctx).Where("person_id = ?", personID).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("revoke sessions of person %s: %w", personID, err)
	}
	return nil
}
