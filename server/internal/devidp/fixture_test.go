package devidp_test

import "github.com/warrantdesk/warrantdesk/server/internal/devidp"

// The people and agency systems every test provider is configured with.
// They are the tests' own rather than package demo's, which drives the
// whole domain and has no business in this package's tests; they have the
// same shapes: agency officers and a supervisor, the provider's staff.
const (
	password = "test-password"
	staffOrg = "provider"
)

var (
	people = []devidp.Person{
		{Email: "officer@agency-a.example", Name: "Avery Officer", Org: "agency-a", Roles: []string{"officer"}},
		{Email: "supervisor@agency-b.example", Name: "Blake Sørensen", Org: "agency-b", Roles: []string{"officer", "supervisor"}},
		{Email: "reviewer@provider.example", Name: "Robin Reviewer", Org: staffOrg, Roles: []string{"reviewer"}},
		{Email: "counsel@provider.example", Name: "Casey Counsel", Org: staffOrg, Roles: []string{"counsel"}},
		{Email: "admin@provider.example", Name: "Alex Admin", Org: staffOrg, Roles: []string{"admin"}},
		{Email: "auditor@provider.example", Name: "Ariel Auditor", Org: staffOrg, Roles: []string{"auditor"}},
	}

	// mfaPerson has a second factor (TOTP); people have the password alone.
	mfaPerson = devidp.Person{
		Email: "approver@provider.example", Name: "Morgan Approver", Org: staffOrg, Roles: []string{"counsel"},
		TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
	}

	clients = []devidp.Client{
		{ID: "agency-a-cms", Secret: "agency-a-secret", Org: "agency-a", Roles: []string{"officer"}},
		{ID: "agency-b-cms", Secret: "agency-b-secret", Org: "agency-b", Roles: []string{"officer"}},
	}
)
