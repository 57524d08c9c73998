package identity

import (
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// TestRegistrable: an agency is registered only on a trusted issuer, as
// configured, with an organisation where the issuer tells several apart,
// and never with one that would match every token.
func TestRegistrable(t *testing.T) {
	s, err := New(nil, Config{Issuers: []config.Issuer{
		{URL: "https://login.provider.example", Provider: true},
		{URL: "https://idp.shared.example/realms/police", OrgClaim: "org"},
		{URL: "https://idp.riverside.example"},
		{URL: "https://idp.mixed.example", Provider: true, OrgClaim: "org", ProviderOrg: "provider"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		issuer, org string
		want        string // the issuer stored; "" when refused
		field       string // the field refused
	}{
		{"https://idp.shared.example/realms/police", "riverside-pd", "https://idp.shared.example/realms/police", ""},
		{" HTTPS://IDP.Shared.example/realms/police/ ", "riverside-pd", "https://idp.shared.example/realms/police", ""},
		{"https://idp.riverside.example/", "", "https://idp.riverside.example", ""},
		{"https://idp.mixed.example", "eastport", "https://idp.mixed.example", ""},
		{"https://idp.unknown.example", "", "", "issuer"},
		{"https://idp.shared.example/realms/Police", "x", "", "issuer"}, // the path is case-sensitive
		{"https://idp.shared.example/realms/police", "", "", "issuer_org"},
		{"https://idp.shared.example/realms/police", "   ", "", "issuer_org"},
		{"https://idp.riverside.example", "riverside-pd", "", "issuer_org"},
		{"https://login.provider.example", "", "", "issuer"},
		{"https://idp.mixed.example", "provider", "", "issuer_org"},
	} {
		got, err := s.Registrable(tc.issuer, tc.org)
		if got != tc.want {
			t.Errorf("Registrable(%q, %q) = %q, want %q", tc.issuer, tc.org, got, tc.want)
		}
		e, _ := errs.As(err)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("Registrable(%q, %q): %v", tc.issuer, tc.org, err)
		case tc.field != "" && (e == nil || len(e.Fields) != 1 || e.Fields[0].Field != tc.field):
			t.Errorf("Registrable(%q, %q): %v, want a problem with %s", tc.issuer, tc.org, err, tc.field)
		}
	}
}

// TestAPIAudienceIsNotTheSignInClient: an issuer whose API audience is its
// sign-in client would take a person's ID token for an access token.
func TestAPIAudienceIsNotTheSignInClient(t *testing.T) {
	_, err := New(nil, Config{BaseURL: "https://portal.example", Issuers: []config.Issuer{
		{URL: "https://idp.example", ClientID: "warrantdesk", APIAudience: "warrantdesk"}}})
	if err == nil || !strings.Contains(err.Error(), "api_audience must differ from client_id") {
		t.Errorf("New with api_audience = client_id: %v, want it refused", err)
	}
}
