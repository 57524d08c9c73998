package identity_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// actingToken signs in as email, and exchanges that person's access token
// at the provider, as clientID, for an API token acting for them (RFC
// 8693). It returns the token, or "" and the provider's error code.
func (f *fixture) actingToken(email, clientID string) (string, string) {
	f.t.Helper()
	c := clientByID(f.t, clientID)
	form := url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token":      {f.realTokens(email).AccessToken},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"audience":           {devidp.APIAudience},
	}
	req, err := http.NewRequest(http.MethodPost, f.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, c.Secret)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		f.t.Fatal(err)
	}
	return out.AccessToken, out.Error
}

// TestActingToken: a system's token that acts for an officer (RFC 8693)
// makes the officer the principal, with the system beside them, and the
// audit trail names both; the provider refuses to let a system act for
// another agency's officer, and the portal refuses act claims it cannot
// trust.
func TestActingToken(t *testing.T) {
	f := newFixture(t)
	officer := demoPerson(t, "officer@riverside-pd.example")
	// The officer signs in once, so the e-mail and name of that sign-in
	// are on their row.
	f.mustSignIn(officer.Email)
	raw, code := f.actingToken(officer.Email, "riverside-pd-cms")
	if raw == "" {
		t.Fatalf("token exchange refused: %s", code)
	}
	p, err := f.svc.VerifyBearer(f.ctx, raw)
	if err != nil {
		t.Fatalf("VerifyBearer: %v", err)
	}
	row := f.person(officer.Email)
	if p.Kind != identity.KindPerson || p.PersonID != row.ID || p.AgencyID != f.agencies[officer.Org].ID || !p.Has(identity.RoleOfficer) {
		t.Errorf("principal = %+v, want the officer %s of %s", p, row.ID, officer.Org)
	}
	if row.Email != officer.Email || row.Name != officer.Name {
		t.Errorf("officer's row = %q %q, want the e-mail and name kept", row.Email, row.Name)
	}
	if p.ActingSystem == nil || p.ActingSystem.Subject != "riverside-pd-cms" {
		t.Fatalf("ActingSystem = %+v, want riverside-pd-cms", p.ActingSystem)
	}
	var sys identity.Person
	if err := f.db.Where("id = ?", p.ActingSystem.PersonID).Take(&sys).Error; err != nil {
		t.Fatal(err)
	}
	if sys.Kind != identity.KindClient || sys.Subject != "riverside-pd-cms" || *sys.AgencyID != p.AgencyID {
		t.Errorf("acting system's row = %+v, want the agency's client riverside-pd-cms", sys)
	}

	// The audit trail: the officer acts, the details name the system.
	err = f.db.Transaction(func(tx *gorm.DB) error {
		return audit.Append(f.ctx, tx, audit.Event{Actor: p.AuditActor(), Action: "test.acting", ObjectType: "request",
			Details: audit.JSON(map[string]any{"reference": "WD-1"})})
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := f.lastEvent()
	var details struct {
		Reference    string
		ActingSystem audit.Via `json:"acting_system"`
	}
	if err := json.Unmarshal([]byte(ev.Details), &details); err != nil {
		t.Fatal(err)
	}
	if ev.Actor.Subject != officer.Subject() || details.ActingSystem.PersonID != sys.ID || details.ActingSystem.Subject != "riverside-pd-cms" || details.Reference != "WD-1" {
		t.Errorf("audited actor %s with details %s, want the officer and the system", ev.Actor.Subject, ev.Details)
	}

	// Another agency's system may not act for this officer.
	if raw, code := f.actingToken(officer.Email, "northshire-cms"); raw != "" || code != "invalid_grant" {
		t.Errorf("northshire-cms acting for Riverside's officer: token %t, error %q; want invalid_grant", raw != "", code)
	}

	// Tokens the provider signed, shaped as a careless or hostile one might.
	acting := func(edit func(map[string]any)) string {
		now := time.Now()
		c := map[string]any{"iss": f.issuer, "sub": officer.Subject(), "client_id": "riverside-pd-cms",
			"aud": []string{devidp.APIAudience}, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"org": officer.Org, "roles": officer.Roles, "act": map[string]any{"sub": "riverside-pd-cms"}}
		edit(c)
		return f.sign(c)
	}
	northshire := f.clientToken("northshire-cms", clientByID(t, "northshire-cms").Secret)
	if _, err := f.svc.VerifyBearer(f.ctx, northshire); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc   string
		raw    string
		reason string
	}{
		{"nested act", acting(func(c map[string]any) {
			c["act"] = map[string]any{"sub": "riverside-pd-cms", "act": map[string]any{"sub": "someone"}}
		}), identity.ReasonBadActor},
		{"act without sub", acting(func(c map[string]any) { c["act"] = map[string]any{} }), identity.ReasonBadActor},
		{"act not an object", acting(func(c map[string]any) { c["act"] = "riverside-pd-cms" }), identity.ReasonBadActor},
		{"act of another issuer", acting(func(c map[string]any) {
			c["act"] = map[string]any{"sub": "riverside-pd-cms", "iss": "https://elsewhere.example"}
		}), identity.ReasonBadActor},
		{"held by another client", acting(func(c map[string]any) { c["client_id"] = "riverside-pd-records" }), identity.ReasonBadActor},
		{"another agency's system", acting(func(c map[string]any) {
			c["client_id"] = "northshire-cms"
			c["act"] = map[string]any{"sub": "northshire-cms"}
		}), identity.ReasonBadActor},
		{"a person as the actor", acting(func(c map[string]any) {
			delete(c, "client_id")
			c["act"] = map[string]any{"sub": demoPerson(t, "sergeant@riverside-pd.example").Subject()}
		}), identity.ReasonBadActor},
		{"acting for itself", acting(func(c map[string]any) { c["sub"] = "riverside-pd-cms" }), identity.ReasonBadActor},
	} {
		// The sergeant is known to the portal as a person.
		f.mustSignIn("sergeant@riverside-pd.example")
		_, err := f.svc.VerifyBearer(f.ctx, tc.raw)
		if code := errs.CodeOf(err); code != errs.Unauthenticated && code != errs.Forbidden {
			t.Errorf("%s: %v, want it refused", tc.desc, err)
			continue
		}
		var d struct{ Reason string }
		_ = json.Unmarshal([]byte(f.lastEvent().Details), &d)
		if d.Reason != tc.reason {
			t.Errorf("%s: audited reason %q (%v), want %q", tc.desc, d.Reason, err, tc.reason)
		}
	}

	// A suspended officer is refused, whoever acts for them.
	if err := identity.SetPersonStatus(f.ctx, f.db.DB, row.ID, identity.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.VerifyBearer(f.ctx, acting(func(map[string]any) {}))
	wantCode(t, err, errs.Forbidden)
}
