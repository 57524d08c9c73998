package demo_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/warrantdesk/warrantdesk/server/internal/demo"
)

// TestWorld: every person and client belongs to a demo agency or to the
// provider, no two people share a subject, and subjects are stable.
func TestWorld(t *testing.T) {
	orgs := map[string]bool{demo.ProviderOrg: true}
	for _, a := range demo.Agencies {
		orgs[a.Org] = true
	}
	subjects := map[string]string{}
	for _, p := range demo.People {
		if !orgs[p.Org] {
			t.Errorf("%s: org %q is neither an agency nor the provider", p.Email, p.Org)
		}
		if other, dup := subjects[p.Subject()]; dup {
			t.Errorf("%s and %s share a subject", p.Email, other)
		}
		subjects[p.Subject()] = p.Email
	}
	for _, c := range demo.Clients {
		if !orgs[c.Org] || c.Org == demo.ProviderOrg {
			t.Errorf("client %s: org %q is not an agency", c.ID, c.Org)
		}
	}
	if got, want := demo.People[0].Subject(), demo.People[0].Subject(); got != want {
		t.Errorf("Subject() is not stable: %s, %s", got, want)
	}
}

// TestSecondFactor: at least one of the provider's staff has a TOTP secret
// that an authenticator app accepts, so the demo shows the second factor.
func TestSecondFactor(t *testing.T) {
	n := 0
	for _, p := range demo.People {
		if p.TOTPSecret == "" {
			continue
		}
		if _, err := totp.GenerateCode(p.TOTPSecret, time.Now()); err != nil {
			t.Errorf("%s: TOTP secret: %v", p.Email, err)
		}
		if p.Org == demo.ProviderOrg {
			n++
		}
	}
	if n == 0 {
		t.Error("no provider person has a TOTP secret")
	}
}

// TestReadmeTOTPSecret: the README gives every demo person's TOTP secret,
// so that anyone trying the demo can add it to an authenticator app.
func TestReadmeTOTPSecret(t *testing.T) {
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range demo.People {
		if p.TOTPSecret == "" {
			continue
		}
		if row := "| " + p.Email + " | `" + p.TOTPSecret + "` |"; !strings.Contains(string(b), row) {
			t.Errorf("README.md does not give %s's TOTP secret: want the row %s", p.Email, row)
		}
	}
}
