package identity_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestTestSignIn: an administrator's test sign-in at an issuer shows what
// the portal made of the person who signed in there — who they would be
// here, or why they would be refused — and signs no one in, writes no
// person, and is audited as the administrator's.
func TestTestSignIn(t *testing.T) {
	f := newFixture(t)
	admin := f.mustSignIn("admin@provider.example").Principal
	test := func(t *testing.T, svc *identity.Service, email string) *identity.TestResult {
		t.Helper()
		authURL, state, err := svc.BeginTest(f.ctx, admin, f.issuer)
		if err != nil {
			t.Fatalf("BeginTest: %v", err)
		}
		u, _ := url.Parse(authURL)
		if got := u.Query().Get("prompt"); got != "login" {
			t.Errorf("prompt = %q, want login: an open session at the provider must not be reused", got)
		}
		sessions, people := f.count("sessions", ""), f.count("people", "")
		q := f.authorize(authURL, email)
		login, err := svc.CompleteLogin(f.ctx, state, q.Get("state"), q.Get("code"), q.Get("error"))
		if err != nil {
			t.Fatalf("CompleteLogin: %v", err)
		}
		if login.Test == nil || login.Token != "" {
			t.Fatalf("a test sign-in gave %+v, want a result and no session", login)
		}
		if f.count("sessions", "") != sessions || f.count("people", "") != people {
			t.Errorf("a test sign-in wrote sessions or people")
		}
		ev := f.lastEvent()
		if ev.Action != identity.ActionTestSignIn || ev.Actor.Subject != admin.Subject || !strings.Contains(ev.Details, f.issuer) {
			t.Errorf("audit event = %+v, want %s by the administrator naming the issuer", ev, identity.ActionTestSignIn)
		}
		if login.Test.InitiatorID != admin.PersonID {
			t.Errorf("initiator = %q, want the administrator %q", login.Test.InitiatorID, admin.PersonID)
		}
		return login.Test
	}

	t.Run("WouldSignIn", func(t *testing.T) {
		r := test(t, f.svc, "officer@riverside-pd.example")
		if !r.OK || r.Principal == nil || r.Principal.AgencyName != "Riverside Police Department" || !r.Principal.Has(identity.RoleOfficer) {
			t.Fatalf("result = %+v, want the Riverside officer", r)
		}
		if r.Subject == "" || r.Claims["email"] != "officer@riverside-pd.example" || r.AuthTime.IsZero() {
			t.Errorf("claims not reported: %+v", r)
		}
	})

	t.Run("WouldBeRefused", func(t *testing.T) {
		strict := f.cfg
		strict.AMRRequired = []string{"mfa"}
		r := test(t, f.service(strict), "officer@riverside-pd.example")
		if r.OK || r.Reason != identity.ReasonMFARequired || !strings.Contains(r.Message, "second factor") {
			t.Fatalf("result = %+v, want refused for want of a second factor", r)
		}
		if r.Claims == nil {
			t.Error("a refused test shows no claims: the administrator cannot see what the provider sent")
		}
	})

	t.Run("OnlyPeople", func(t *testing.T) {
		_, _, err := f.svc.BeginTest(f.ctx, &identity.Principal{Kind: identity.KindClient}, f.issuer)
		if err == nil {
			t.Error("a system began a test sign-in")
		}
	})
}
