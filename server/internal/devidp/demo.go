package devidp

import (
	"strings"

	"github.com/google/uuid"
)

// DemoPassword is every demo person's password. It is public: that is why
// New refuses to run in production.
const DemoPassword = "demo"

// ProviderOrg is the "org" claim of the provider's own staff.
const ProviderOrg = "provider"

// A DemoAgency is a fictional law-enforcement agency. Org is the value of the
// "org" claim its people and API clients carry, so the portal can create a
// matching agency that owns that claim value.
type DemoAgency struct {
	Org     string
	Name    string
	Country string // ISO 3166-1 alpha-2
	Kind    string
}

// A DemoPerson is someone who can sign in at the demo provider with
// DemoPassword. Roles become the "roles" claim, Org the "org" claim.
type DemoPerson struct {
	Email string
	Name  string
	Org   string
	Roles []string
}

// Subject returns the person's "sub" claim: a name-based UUID derived from
// the e-mail address, stable across restarts but deliberately not the e-mail
// itself, so that the portal cannot get away with keying people by address.
func (p DemoPerson) Subject() string {
	return subjectFor(p.Email)
}

// A DemoClient is an agency's case-management system, which authenticates
// with the client-credentials grant and gets a JWT access token for the API.
type DemoClient struct {
	ID     string
	Secret string
	Org    string
	Roles  []string
}

// The demo data of DESIGN.md. Tests, docs and people trying the demo rely on
// these exact values; New copies them, so changing them afterwards has no
// effect on a running Provider.
var (
	DemoAgencies = []DemoAgency{
		{Org: "riverside-pd", Name: "Riverside Police Department", Country: "US", Kind: "police"},
		{Org: "northshire-police", Name: "Northshire Constabulary", Country: "GB", Kind: "police"},
		{Org: "lka-musterland", Name: "Landeskriminalamt Musterland", Country: "DE", Kind: "police"},
	}

	DemoPeople = []DemoPerson{
		{Email: "officer@riverside-pd.example", Name: "Dana Reyes", Org: "riverside-pd", Roles: []string{"officer"}},
		{Email: "sergeant@riverside-pd.example", Name: "Marcus Hill", Org: "riverside-pd", Roles: []string{"officer", "supervisor"}},
		{Email: "officer@northshire-police.example", Name: "Amelia Hart", Org: "northshire-police", Roles: []string{"officer"}},
		{Email: "inspector@northshire-police.example", Name: "Owen Price", Org: "northshire-police", Roles: []string{"officer", "supervisor"}},
		{Email: "ermittler@lka-musterland.example", Name: "Jonas Becker", Org: "lka-musterland", Roles: []string{"officer"}},
		{Email: "leitung@lka-musterland.example", Name: "Sabine Krüger", Org: "lka-musterland", Roles: []string{"officer", "supervisor"}},
		{Email: "intake@provider.example", Name: "Priya Shah", Org: ProviderOrg, Roles: []string{"intake"}},
		{Email: "reviewer@provider.example", Name: "Sam Okafor", Org: ProviderOrg, Roles: []string{"reviewer"}},
		{Email: "reviewer2@provider.example", Name: "Lena Novak", Org: ProviderOrg, Roles: []string{"reviewer"}},
		{Email: "counsel@provider.example", Name: "Ruth Adler", Org: ProviderOrg, Roles: []string{"counsel"}},
		{Email: "admin@provider.example", Name: "Tomás Ortega", Org: ProviderOrg, Roles: []string{"admin"}},
		{Email: "auditor@provider.example", Name: "Grace Liu", Org: ProviderOrg, Roles: []string{"auditor"}},
	}

	DemoClients = []DemoClient{
		{ID: "riverside-pd-cms", Secret: "riverside-demo-secret", Org: "riverside-pd", Roles: []string{"officer"}},
		{ID: "northshire-cms", Secret: "northshire-demo-secret", Org: "northshire-police", Roles: []string{"officer"}},
		{ID: "lka-musterland-cms", Secret: "lka-demo-secret", Org: "lka-musterland", Roles: []string{"officer"}},
	}
)

// subjectNamespace scopes the name-based subjects to this provider, so they
// cannot collide with UUIDs derived from the same addresses elsewhere.
var subjectNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://warrantdesk.example/devidp/subject"))

func subjectFor(email string) string {
	return uuid.NewSHA1(subjectNamespace, []byte(strings.ToLower(email))).String()
}
