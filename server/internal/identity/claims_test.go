package identity

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// TestClaimPaths reads claims as providers send them: top-level or nested
// (Keycloak's realm_access.roles, a client's resource_access roles), a
// namespaced claim whose name holds dots, strings, arrays and ZITADEL's
// object of roles.
func TestClaimPaths(t *testing.T) {
	var c claims
	if err := json.Unmarshal([]byte(`{
		"sub": "u1",
		"org": ["riverside-pd"],
		"groups": "officer supervisor",
		"realm_access": {"roles": ["officer", "offline_access"]},
		"resource_access": {"warrantdesk": {"roles": ["supervisor"]}},
		"https://idp.example/roles": ["officer"],
		"urn:zitadel:iam:org:project:roles": {"officer": {"1": "riverside"}, "auditor": {}},
		"agency": {"id": "riverside-pd", "name": "Riverside"}
	}`), &c); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"realm_access.roles", []string{"officer", "offline_access"}},
		{"resource_access.warrantdesk.roles", []string{"supervisor"}},
		{"https://idp.example/roles", []string{"officer"}},
		{"urn:zitadel:iam:org:project:roles", []string{"auditor", "officer"}},
		{"groups", []string{"officer", "supervisor"}},
		{"realm_access.nothing", nil},
		{"sub.deeper", nil},
	} {
		if got := c.values(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("values(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
	for path, want := range map[string]string{"sub": "u1", "org": "riverside-pd", "agency.id": "riverside-pd", "agency": "", "realm_access.roles": ""} {
		if got := c.str(path); got != want {
			t.Errorf("str(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestSystemToken tells agency systems' access tokens from people's by
// their claims, as each provider issues them: a subject equal to the
// client at Okta, Hydra and the demo provider; a claim only systems carry
// at Keycloak; idtyp=app at Entra ID.
func TestSystemToken(t *testing.T) {
	for _, tc := range []struct {
		desc, systemClaim, token string
		want                     bool
	}{
		{"demo system", "", `{"sub": "riverside-pd-cms", "client_id": "riverside-pd-cms"}`, true},
		{"okta system", "", `{"sub": "0oa1", "cid": "0oa1"}`, true},
		{"a person's token", "", `{"sub": "248289761001", "client_id": "warrantdesk"}`, false},
		{"a person's token with azp", "", `{"sub": "248289761001", "azp": "warrantdesk"}`, false},
		{"no subject", "", `{"client_id": "x"}`, false},
		{"keycloak service account", "client_id", `{"sub": "5d1a", "azp": "cms", "client_id": "cms"}`, true},
		{"keycloak person", "client_id", `{"sub": "9f2b", "azp": "warrantdesk"}`, false},
		{"entra app", "idtyp=app", `{"sub": "7c4e", "azp": "cms", "idtyp": "app"}`, true},
		{"entra user", "idtyp=app", `{"sub": "7c4e", "azp": "cms", "idtyp": "user"}`, false},
		{"flag false", "is_system", `{"sub": "a", "is_system": false}`, false},
		{"flag true", "is_system", `{"sub": "a", "is_system": true}`, true},
	} {
		var c claims
		if err := json.Unmarshal([]byte(tc.token), &c); err != nil {
			t.Fatal(err)
		}
		if got := systemToken(&config.Issuer{SystemClaim: tc.systemClaim}, c); got != tc.want {
			t.Errorf("%s: systemToken = %v, want %v", tc.desc, got, tc.want)
		}
	}
}
