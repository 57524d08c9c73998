package identity_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// reviewer2@provider.example has a TOTP secret in the demo world, as
// everyone who may need to step up has; auditor@provider.example, who only
// reads, signs in with the password alone.
const (
	withSecondFactor    = "reviewer2@provider.example"
	withoutSecondFactor = "auditor@provider.example"
)

// wantMFARefused checks a sign-in refused for want of a second factor:
// Unauthenticated with a message the person can act on, audited as a failed
// auth.login with reason mfa_required, and no session.
func (f *fixture) wantMFARefused(t *testing.T, err error, sessionsBefore int64) {
	t.Helper()
	wantCode(t, err, errs.Unauthenticated)
	if msg := errs.Message(err); !strings.Contains(msg, "second factor") {
		t.Errorf("message = %q, want it to name the second factor", msg)
	}
	ev := f.lastEvent()
	if ev.Action != "auth.login" || ev.Outcome != audit.OutcomeFailure || !strings.Contains(ev.Details, `"mfa_required"`) {
		t.Errorf("audit event = %+v, want a failed auth.login with reason mfa_required", ev)
	}
	if got := f.count("sessions", ""); got != sessionsBefore {
		t.Errorf("%d sessions, want %d: a refused sign-in created one", got, sessionsBefore)
	}
}

// TestSignInAssurance: an issuer configured to require a second factor gets
// acr_values in the authorization request and refuses a sign-in whose ID
// token does not assert it; the demo's issuer (no requirement) signs people
// in with the password alone.
func TestSignInAssurance(t *testing.T) {
	f := newFixture(t)
	strict := f.cfg
	strict.ACRValues = []string{devidp.ACRMFA}
	strict.AMRRequired = []string{"mfa"}
	svc := f.service(strict)

	t.Run("AskedInTheAuthorizationRequest", func(t *testing.T) {
		authURL, _, err := svc.BeginLogin(f.ctx, f.issuer, "/")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := u.Query().Get("acr_values"), devidp.ACRMFA; got != want {
			t.Errorf("acr_values = %q, want %q", got, want)
		}
		authURL, _, err = f.svc.BeginLogin(f.ctx, f.issuer, "/")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(authURL, "acr_values") {
			t.Errorf("an issuer without a requirement asks for acr_values: %s", authURL)
		}
	})

	t.Run("RefusedWithoutSecondFactor", func(t *testing.T) {
		// The provider answers unmet_authentication_requirements.
		before := f.count("sessions", "")
		_, err := f.signIn(svc, withoutSecondFactor)
		f.wantMFARefused(t, err, before)
	})

	t.Run("AcceptedWithSecondFactor", func(t *testing.T) {
		login, err := f.signIn(svc, withSecondFactor)
		if err != nil {
			t.Fatalf("sign in with the second factor: %v", err)
		}
		if got, want := login.Principal.Subject, demoPerson(t, withSecondFactor).Subject(); got != want {
			t.Errorf("subject = %q, want %q", got, want)
		}
		if !login.Principal.Has(identity.RoleReviewer) {
			t.Errorf("roles = %v, want reviewer", login.Principal.Roles)
		}
	})

	t.Run("NoRequirementPasswordEnough", func(t *testing.T) {
		if _, err := f.signIn(f.svc, withoutSecondFactor); err != nil {
			t.Fatalf("sign in at the demo issuer: %v", err)
		}
	})

	t.Run("AMRRequiredAlone", func(t *testing.T) {
		// Without acr_values the provider signs in with the password
		// alone; the ID token's amr ["pwd"] is then refused.
		amrOnly := f.cfg
		amrOnly.AMRRequired = []string{"mfa"}
		before := f.count("sessions", "")
		_, err := f.signIn(f.service(amrOnly), withoutSecondFactor)
		f.wantMFARefused(t, err, before)
	})

	t.Run("IDTokenClaims", func(t *testing.T) {
		// Tokens the provider would not issue to this person, checked
		// claim by claim.
		p := demoPerson(t, withoutSecondFactor)
		for _, tc := range []struct {
			desc string
			acr  any
			amr  any
			ok   bool
		}{
			{"Both", devidp.ACRMFA, []string{"pwd", "otp", "mfa"}, true},
			{"PasswordACR", devidp.ACRPassword, []string{"pwd", "otp", "mfa"}, false},
			{"NoACR", nil, []string{"pwd", "otp", "mfa"}, false},
			{"PasswordAMR", devidp.ACRMFA, []string{"pwd"}, false},
			{"NoAMR", devidp.ACRMFA, nil, false},
			{"AMRAsString", devidp.ACRMFA, "pwd otp mfa", false},
			{"ACRAsArray", []string{devidp.ACRMFA}, []string{"pwd", "otp", "mfa"}, false},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				c := f.idClaims(p, "n0nce")
				if tc.acr != nil {
					c["acr"] = tc.acr
				}
				if tc.amr != nil {
					c["amr"] = tc.amr
				}
				before := f.count("sessions", "")
				_, err := svc.FinishLogin(f.ctx, f.issuer, f.sign(c), "n0nce")
				if tc.ok {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				f.wantMFARefused(t, err, before)
			})
		}
	})
}
