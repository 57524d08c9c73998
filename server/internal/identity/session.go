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

// DefaultSessionIdle is how long a session may go unused before it ends,
// when Config.SessionIdle is not set.
const DefaultSessionIdle = 30 * time.Minute

// sessionSeenEvery throttles sessions.last_seen_at updates: one write per
// session per interval, not one per page view. The idle timeout is therefore
// enforced to within this interval (or half the idle timeout, if shorter).
const sessionSeenEvery = time.Minute

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
	// IDToken is the ID token the sign-in received, sent back to the
	// issuer as id_token_hint when the person signs out.
	IDToken string `gorm:"column:id_token"`
	// MFA and AuthTime are what the sign-in proved (Principal.MFA,
	// Principal.AuthTime); AuthTime is nil when the provider did not say.
	MFA      bool       `gorm:"column:mfa"`
	AuthTime *time.Time `gorm:"column:auth_time"`
}

// TableName maps Session onto the sessions table.
func (Session) TableName() string { return "sessions" }

// Authenticate returns who holds the session token and the session. It
// re-reads the person and their agency on every call, so that suspension
// takes effect at the next request. A session ends, and is deleted, when it
// has gone unused for the idle timeout or has lasted the absolute timeout
// (SessionTTL), whichever comes first. Returns Unauthenticated for an
// unknown, ended or expired session and Forbidden if the person or their
// agency is suspended.
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
	if reason := s.sessionOver(&sess, now); reason != "" {
		if err := s.endSession(ctx, &sess, now); err != nil {
			return nil, nil, err
		}
		return nil, nil, errs.Wrap(fmt.Errorf("session %s timeout", reason), errs.Unauthenticated,
			"Your session has expired. Sign in again.")
	}
	p, err := loadPrincipal(ctx, db, sess.PersonID)
	if err != nil {
		return nil, nil, err
	}
	p.MFA = sess.MFA
	if sess.AuthTime != nil {
		p.AuthTime = *sess.AuthTime
	}
	if now.Sub(sess.LastSeenAt) >= s.seenEvery() {
		seen := dbTime(now)
		if err := db.Model(&Session{}).Where("id_hash = ?", sess.IDHash).Update("last_seen_at", seen).Error; err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = seen
	}
	return p, &sess, nil
}

// sessionOver says why sess is over at now: "absolute" once it has lasted
// the absolute timeout, "idle" once it has gone unused for the idle timeout,
// "" while it lasts. last_seen_at is kept by every replica in the database,
// so they all agree.
func (s *Service) sessionOver(sess *Session, now time.Time) string {
	switch {
	case !now.Before(sess.ExpiresAt):
		return "absolute"
	case now.Sub(sess.LastSeenAt) >= s.idleTimeout():
		return "idle"
	}
	return ""
}

func (s *Service) idleTimeout() time.Duration {
	if s.idle <= 0 {
		return DefaultSessionIdle
	}
	return s.idle
}

// seenEvery is how stale last_seen_at may get before a request writes it:
// sessionSeenEvery, or half the idle timeout when that is shorter, so a
// session in use never looks idle.
func (s *Service) seenEvery() time.Duration {
	return min(sessionSeenEvery, s.idleTimeout()/2)
}

// endSession deletes a session that is over, and with it every other
// session that is over by now, so that sessions nobody presents again do not
// pile up. Timing out is not an action of anyone's and is not audited;
// signing in again is.
func (s *Service) endSession(ctx context.Context, sess *Session, now time.Time) error {
	now = dbTime(now)
	err := s.db.WithContext(ctx).
		Where("id_hash = ? OR expires_at <= ? OR last_seen_at <= ?", sess.IDHash, now, now.Add(-s.idleTimeout())).
		Delete(&Session{}).Error
	if err != nil {
		return fmt.Errorf("end expired session: %w", err)
	}
	return nil
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
	return s.endSessionURL(ctx, p.Issuer, sess.IDToken), nil
}

// endSessionURL is the issuer's RP-initiated logout URL, or "" when it has
// none or cannot be reached: the local session is over either way. It
// carries the session's ID token as id_token_hint (when it has one), which
// tells the issuer whose sign-in ends and lets it honour
// post_logout_redirect_uri without asking the person to confirm.
func (s *Service) endSessionURL(ctx context.Context, issuerURL, idToken string) string {
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
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
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

// RevokeAgencySessions ends every session of an agency's people inside tx,
// when the agency is suspended: they are out at once, and reactivating the
// agency does not bring the sessions back (each person signs in again).
func (s *Service) RevokeAgencySessions(ctx context.Context, tx *gorm.DB, agencyID string) error {
	people := tx.Model(&Person{}).Select("id").Where("agency_id = ?", agencyID)
	if err := tx.WithContext(ctx).Where("person_id IN (?)", people).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("revoke sessions of agency %s: %w", agencyID, err)
	}
	return nil
}
