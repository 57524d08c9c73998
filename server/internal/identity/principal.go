package identity

import (
	"slices"
	"time"
)

// A Role is what a signed-in person or system may do, mapped from the
// issuer's claims. Agency roles and provider roles never mix: a role claim
// from an agency's issuer can never grant a provider role.
type Role string

// Roles.
const (
	RoleOfficer    Role = "officer"    // agency: files requests
	RoleSupervisor Role = "supervisor" // agency: co-signs emergency requests
	RoleIntake     Role = "intake"     // provider: verifies requester and document
	RoleReviewer   Role = "reviewer"   // provider: legal review
	RoleCounsel    Role = "counsel"    // provider: second approval
	RoleAdmin      Role = "admin"      // provider: agencies, issuers, teams
	RoleAuditor    Role = "auditor"    // provider: reads the audit trail
)

// AgencyRoles may be granted to people and systems of an agency.
var AgencyRoles = []Role{RoleOfficer, RoleSupervisor}

// ProviderRoles may be granted only to the provider's own staff.
var ProviderRoles = []Role{RoleIntake, RoleReviewer, RoleCounsel, RoleAdmin, RoleAuditor}

// Kinds of principal.
const (
	KindPerson = "person" // signed in through the browser
	KindClient = "client" // an agency system with a client-credentials bearer token
)

// A Principal is who is acting on this HTTP request: a person with a session
// or an agency system with a bearer token, re-read from the database on every
// request so that suspension takes effect at once.
type Principal struct {
	PersonID string // people.id
	Issuer   string
	Subject  string
	Kind     string // KindPerson or KindClient
	Name     string
	Email    string
	Roles    []Role

	// Provider is true for the provider's staff; AgencyID is then "".
	Provider      bool
	AgencyID      string
	AgencyName    string
	AgencyCountry string
	AgencyKind    string

	// MFA and AuthTime are what a person's sign-in proved: a second factor
	// (as their issuer's configuration defines it) and when they
	// authenticated at their provider (zero when it did not say). The
	// step-up rule of the authorisation policy reads them.
	MFA      bool
	AuthTime time.Time

	// Language and TimeZone are how the person reads the portal: their
	// own choice, else their agency's; "" when neither chose (the browser's
	// language then, and UTC).
	Language string
	TimeZone string

	// ActingSystem is the agency system acting for this person, when the
	// person is an officer named by a bearer token that acts for them (RFC
	// 8693 token exchange, acting.go); nil otherwise.
	ActingSystem *ActingSystem
}

// An ActingSystem is an agency system that files for a person: its
// people row, its subject (the client id at the agency's provider) and
// its name.
type ActingSystem struct {
	PersonID string
	Subject  string
	Name     string
}

// Has reports whether the principal holds role r.
func (p *Principal) Has(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// RoleStrings returns the roles as plain strings, for policy input and audit.
func (p *Principal) RoleStrings() []string {
	out := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		out[i] = string(r)
	}
	return out
}

// PrimaryRole is the role recorded in audit events: the most privileged one held.
func (p *Principal) PrimaryRole() string {
	order := []Role{RoleAdmin, RoleCounsel, RoleReviewer, RoleIntake, RoleAuditor, RoleSupervisor, RoleOfficer}
	for _, r := range order {
		if p.Has(r) {
			return string(r)
		}
	}
	return ""
}

// HasRole is Has for templates, which pass roles as plain strings.
func (p *Principal) HasRole(r string) bool { return p.Has(Role(r)) }
