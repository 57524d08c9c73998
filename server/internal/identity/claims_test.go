package identity

import (
	"encoding/json"
	"slices"
	"testing"
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
