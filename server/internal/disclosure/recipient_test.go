package disclosure_test

import (
	"context"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// TestRecipientRegistration: an agency's officers and supervisors register
// an age recipient; nothing else is accepted, and nobody else may.
func TestRecipientRegistration(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	x25519, _ := age.GenerateX25519Identity()
	hybrid, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	supervisor := e.person(e.us, "sergeant", identity.RoleSupervisor)
	for _, tc := range []struct {
		desc      string
		actor     *identity.Principal
		recipient string
		want      errs.Code // "" for success
	}{
		{"an X25519 recipient", e.officer, x25519.Recipient().String(), ""},
		{"a post-quantum hybrid recipient", supervisor, hybrid.Recipient().String(), ""},
		{"the secret key by mistake", e.officer, x25519.String(), errs.Invalid},
		{"an SSH key", e.officer, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", errs.Invalid},
		{"a mangled recipient", e.officer, x25519.Recipient().String()[:40], errs.Invalid},
		{"empty", e.officer, "", errs.Invalid},
		{"the provider", e.reviewer, x25519.Recipient().String(), errs.Forbidden},
		{"nobody", nil, x25519.Recipient().String(), errs.Unauthenticated},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			r, err := e.svc.SetRecipient(ctx, tc.actor, tc.recipient)
			if got := errs.CodeOf(err); err != nil && got != tc.want || err == nil && tc.want != "" {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if err != nil {
				if strings.Contains(errs.Message(err), "AGE-SECRET-KEY-1") && strings.Contains(errs.Message(err), tc.recipient) {
					t.Error("the error repeats the secret key")
				}
				if tc.want == errs.Invalid {
					if e, _ := errs.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "recipient" {
						t.Errorf("fields %+v", e.Fields)
					}
				}
				return
			}
			if r.Recipient != tc.recipient || r.AgencyID != e.us.ID {
				t.Errorf("registered %+v", r)
			}
		})
	}
	// Another agency sees its own (none).
	if r, err := e.svc.GetRecipient(ctx, e.officer2); err != nil || r != nil {
		t.Errorf("Northshire's recipient: %+v, %v", r, err)
	}
	if err := e.svc.DeleteRecipient(ctx, e.officer); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.svc.GetRecipient(ctx, e.officer); r != nil {
		t.Errorf("after deletion: %+v", r)
	}
	if got := auditCount(t, e, disclosure.ActionRecipientSet, "success"); got != 2 {
		t.Errorf("%d recipient changes audited", got)
	}
}

// TestProductionKeys: the encoded key round-trips, and bad ones are
// refused without being echoed.
func TestProductionKeys(t *testing.T) {
	k1, err := disclosure.ParseKeys(testKey)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := disclosure.ParseKeys(testKey + "\n")
	if !k1.PublicKey().Equal(k2.PublicKey()) || k1.Fingerprint() != k2.Fingerprint() {
		t.Error("the same key parsed twice differs")
	}
	gen := disclosure.GenerateKey()
	k3, err := disclosure.ParseKeys(gen)
	if err != nil || k3.PublicKey().Equal(k1.PublicKey()) {
		t.Errorf("a generated key: %v", err)
	}
	for _, bad := range []string{"", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", disclosure.KeyPrefix + "c2hvcnQ", disclosure.KeyPrefix + "!!!"} {
		if _, err := disclosure.ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) succeeded", bad)
		} else if len(bad) > 20 && strings.Contains(err.Error(), bad[len(bad)-10:]) {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
	if !strings.HasPrefix(k1.PublicKeyPEM(), "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("PEM %q", k1.PublicKeyPEM())
	}
}
