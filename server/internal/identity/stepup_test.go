package identity_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// stepUpIssuer is the fixture's issuer with the demo's step-up class.
func (f *fixture) stepUpService() *identity.Service {
	cfg := f.cfg
	cfg.StepUpACRValues = []string{devidp.ACRMFA}
	return f.service(cfg)
}

// stepUp runs a whole step-up for p through svc, as the browser would.
func (f *fixture) stepUp(svc *identity.Service, p *identity.Principal, email string) (identity.Login, error) {
	f.t.Helper()
	authURL, state, err := svc.BeginStepUp(f.ctx, p, "/provider/requests/x/review")
	if err != nil {
		f.t.Fatalf("BeginStepUp: %v", err)
	}
	q := f.authorize(authURL, email)
	return svc.CompleteLogin(f.ctx, state, q.Get("state"), q.Get("code"), q.Get("error"))
}

// TestStepUp: a person signed in with the password alone holds a session
// without a second factor; a step-up asks their issuer to authenticate them
// again, now, with it, and the new session says so (mfa, auth_time), which
// is what the authorisation policy's step-up rule reads.
func TestStepUp(t *testing.T) {
	f := newFixture(t)
	svc := f.stepUpService()

	login, err := f.signIn(svc, withSecondFactor)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	p, _, err := svc.Authenticate(f.ctx, login.Token)
	if err != nil {
		t.Fatal(err)
	}
	if p.MFA || p.PolicyActor().MFA {
		t.Fatalf("a password-only sign-in is taken for a second factor: %+v", p)
	}
	if age := p.PolicyActor().AuthAge; age < 0 || age > 60 {
		t.Errorf("auth_age of a sign-in just now = %d, want 0..60 (the provider's auth_time)", age)
	}

	t.Run("AsksTheIssuerAgain", func(t *testing.T) {
		authURL, _, err := svc.BeginStepUp(f.ctx, p, "/x")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		for k, want := range map[string]string{"prompt": "login", "max_age": "0", "acr_values": devidp.ACRMFA, "login_hint": withSecondFactor} {
			if got := q.Get(k); got != want {
				t.Errorf("%s = %q, want %q (%s)", k, got, want, authURL)
			}
		}
	})

	t.Run("SecondFactorRecorded", func(t *testing.T) {
		up, err := f.stepUp(svc, p, withSecondFactor)
		if err != nil {
			t.Fatalf("step up: %v", err)
		}
		if up.ReturnTo != "/provider/requests/x/review" {
			t.Errorf("returns to %q, want the page the person acted from", up.ReturnTo)
		}
		q, _, err := svc.Authenticate(f.ctx, up.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !q.MFA || time.Since(q.AuthTime) > time.Minute {
			t.Errorf("after the step-up: mfa %v, auth_time %v; want a second factor just now", q.MFA, q.AuthTime)
		}
		ev := f.lastEvent()
		if ev.Action != "auth.login" || !strings.Contains(ev.Details, `"step_up":true`) || !strings.Contains(ev.Details, `"mfa":true`) {
			t.Errorf("audit event = %+v, want auth.login with step_up and mfa", ev)
		}
	})

	t.Run("NoSecondFactorToGive", func(t *testing.T) {
		// The provider answers unmet_authentication_requirements.
		l, err := f.signIn(svc, withoutSecondFactor)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := svc.Authenticate(f.ctx, l.Token)
		if err != nil {
			t.Fatal(err)
		}
		before := f.count("sessions", "")
		_, err = f.stepUp(svc, a, withoutSecondFactor)
		f.wantMFARefused(t, err, before)
	})

	t.Run("OnlyPeople", func(t *testing.T) {
		_, _, err := svc.BeginStepUp(f.ctx, &identity.Principal{Kind: identity.KindClient, Issuer: f.issuer}, "/")
		wantCode(t, err, errs.Invalid)
	})
}

// TestStepUpIDToken: the callback of a step-up takes only an ID token that
// asserts the second factor and an authentication no older than the
// step-up (less a minute's clock skew); anything else is refused, audited
// with its reason, and creates no session.
func TestStepUpIDToken(t *testing.T) {
	f := newFixture(t)
	svc := f.stepUpService()
	p := demoPerson(t, withSecondFactor)
	began := time.Now()
	for _, tc := range []struct {
		desc     string
		acr      string
		authTime time.Time
		reason   string // "" accepted
	}{
		{"Fresh", devidp.ACRMFA, began, ""},
		{"WithinSkew", devidp.ACRMFA, began.Add(-50 * time.Second), ""},
		{"PasswordOnly", devidp.ACRPassword, began, "mfa_required"},
		{"Stale", devidp.ACRMFA, began.Add(-2 * time.Minute), "stale_auth_time"},
		{"NoAuthTime", devidp.ACRMFA, time.Time{}, "stale_auth_time"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			c := f.idClaims(p, "n0nce")
			c["acr"] = tc.acr
			if !tc.authTime.IsZero() {
				c["auth_time"] = tc.authTime.Unix()
			}
			before := f.count("sessions", "")
			login, err := svc.FinishStepUp(f.ctx, f.issuer, f.sign(c), "n0nce", began)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !login.Principal.MFA {
					t.Error("accepted without recording the second factor")
				}
				return
			}
			wantCode(t, err, errs.Unauthenticated)
			ev := f.lastEvent()
			if ev.Action != "auth.login" || !strings.Contains(ev.Details, `"`+tc.reason+`"`) {
				t.Errorf("audit event = %+v, want a failed auth.login with reason %s", ev, tc.reason)
			}
			if got := f.count("sessions", ""); got != before {
				t.Errorf("%d sessions, want %d", got, before)
			}
		})
	}
}
