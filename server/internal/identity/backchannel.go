package identity

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// BackChannelLogoutPath is where an issuer posts logout tokens (OpenID
// Connect Back-Channel Logout 1.0): the backchannel_logout_uri to register.
const BackChannelLogoutPath = "/auth/backchannel-logout"

// backChannelEvent is the event a logout token must carry (2.4).
const backChannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutTokenMaxAge bounds how old a logout token may be (its iat): the
// issuer sends it when the person signs out there, not later.
const logoutTokenMaxAge = 5 * time.Minute

// BackChannelLogout ends the sessions of the person a logout token names,
// when their issuer says they signed out there (OpenID Connect Back-Channel
// Logout 1.0, 2.6): the token must be signed by a trusted issuer with a
// sign-in client, be for that client, carry the logout event and a
// subject, no nonce (so an ID token is never taken for one), and be at
// most five minutes old. Sessions are ended by subject: the portal keeps
// no session ids of the issuer's. Returns Invalid for a token that fails
// (the issuer gets 400), nil when it named someone with no session.
func (s *Service) BackChannelLogout(ctx context.Context, raw string) error {
	bad := func(reason string) error {
		return errs.E(errs.Invalid, "The logout token was refused: %s.", reason)
	}
	iss, err := unverifiedIssuer(raw)
	if err != nil {
		return bad("it is not a JWT")
	}
	is, ok := s.issuers[iss]
	if !ok || is.cfg.ClientID == "" {
		return bad("it comes from an issuer this portal does not sign people in with")
	}
	if _, err := s.discover(ctx, is); err != nil {
		return err
	}
	tok, err := is.logout.Verify(s.clientContext(ctx), raw)
	if err != nil {
		if verr := verifyError(is, err, ""); errs.CodeOf(verr) == errs.Unavailable {
			return verr
		}
		return bad("its signature, issuer or audience does not verify")
	}
	var c claims
	if err := tok.Claims(&c); err != nil {
		return bad("its claims cannot be read")
	}
	events, _ := c.at("events").(map[string]any)
	if _, ok := events[backChannelEvent].(map[string]any); !ok {
		return bad("it carries no back-channel logout event")
	}
	if c.at("nonce") != nil {
		return bad("it carries a nonce, as an ID token does")
	}
	sub := c.str("sub")
	if sub == "" {
		return bad("it names no subject (this portal ends sessions by subject, not by sid)")
	}
	now := s.now()
	if tok.IssuedAt.IsZero() || now.Sub(tok.IssuedAt) > logoutTokenMaxAge || tok.IssuedAt.Sub(now) > time.Minute {
		return bad("it was not issued within the last five minutes")
	}
	if !tok.Expiry.IsZero() && now.After(tok.Expiry) {
		return bad("it has expired")
	}
	return audit.Run(ctx, s.db, func(tx *gorm.DB) error {
		var p Person
		err := tx.WithContext(ctx).Where("issuer = ? AND subject = ?", iss, sub).Take(&p).Error
		if isNotFound(err) {
			return nil // never signed in here: nothing to end
		}
		if err != nil {
			return err
		}
		res := tx.WithContext(ctx).Where("person_id = ?", p.ID).Delete(&Session{})
		if res.Error != nil {
			return res.Error
		}
		return audit.Append(ctx, tx, audit.Event{Actor: audit.Actor{Issuer: iss, Subject: sub, AgencyID: deref(p.AgencyID)},
			Action: "session.backchannel_logout", ObjectType: "person", ObjectID: p.ID,
			Details: audit.JSON(map[string]any{"sessions_ended": res.RowsAffected})})
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
