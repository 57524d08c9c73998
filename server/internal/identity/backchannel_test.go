package identity_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// TestBackChannelLogout: a logout token from the person's issuer ends
// their sessions here; a token that is not one (an ID token, no event, old,
// another audience, no subject, unsigned by a trusted issuer) is refused
// and ends nothing.
func TestBackChannelLogout(t *testing.T) {
	f := newFixture(t)
	login := f.mustSignIn("officer@riverside-pd.example")
	other := f.mustSignIn("sergeant@riverside-pd.example")
	sub := login.Principal.Subject
	logoutToken := func(edit func(map[string]any)) string {
		c := map[string]any{
			"iss": f.issuer, "aud": []string{devidp.PortalClientID}, "iat": time.Now().Unix(), "jti": uuid.NewString(),
			"sub": sub, "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
		}
		if edit != nil {
			edit(c)
		}
		return f.sign(c)
	}
	for _, tc := range []struct {
		desc string
		raw  string
	}{
		{"not a JWT", "not-a-token"},
		{"an ID token", f.sign(f.idClaims(demoPerson(t, "officer@riverside-pd.example"), "n-1"))},
		{"with a nonce", logoutToken(func(c map[string]any) { c["nonce"] = "n-2" })},
		{"without the event", logoutToken(func(c map[string]any) { delete(c, "events") })},
		{"for another client", logoutToken(func(c map[string]any) { c["aud"] = []string{"someone-else"} })},
		{"ten minutes old", logoutToken(func(c map[string]any) { c["iat"] = time.Now().Add(-10 * time.Minute).Unix() })},
		{"expired", logoutToken(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Second).Unix() })},
		{"by sid only", logoutToken(func(c map[string]any) { delete(c, "sub"); c["sid"] = "s-1" })},
		{"from an untrusted issuer", logoutToken(func(c map[string]any) { c["iss"] = "https://idp.elsewhere.example" })},
	} {
		if err := f.svc.BackChannelLogout(f.ctx, tc.raw); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: %v, want Invalid", tc.desc, err)
		}
		if _, _, err := f.svc.Authenticate(f.ctx, login.Token); err != nil {
			t.Fatalf("%s ended the session: %v", tc.desc, err)
		}
	}

	if err := f.svc.BackChannelLogout(f.ctx, logoutToken(nil)); err != nil {
		t.Fatalf("BackChannelLogout: %v", err)
	}
	if _, _, err := f.svc.Authenticate(f.ctx, login.Token); errs.CodeOf(err) != errs.Unauthenticated {
		t.Errorf("after the logout token the session answers %v, want Unauthenticated", err)
	}
	if _, _, err := f.svc.Authenticate(f.ctx, other.Token); err != nil {
		t.Errorf("another person's session ended too: %v", err)
	}
	if ev := f.lastEvent(); ev.Action != "session.backchannel_logout" || ev.Actor.Subject != sub {
		t.Errorf("audit event %s by %s, want session.backchannel_logout by %s", ev.Action, ev.Actor.Subject, sub)
	}
	// Someone who never signed in here: nothing to end, and no error.
	if err := f.svc.BackChannelLogout(f.ctx, logoutToken(func(c map[string]any) { c["sub"] = "never-here" })); err != nil {
		t.Errorf("a logout of someone unknown: %v", err)
	}
}
