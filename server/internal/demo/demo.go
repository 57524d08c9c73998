// Package demo is warrantdesk's demo: the fictional world of DESIGN.md, the
// past it gives that world, and the retained metadata its requests ask for.
// `warrantdesk serve --demo` and `warrantdesk seed` are built from it.
//
// The world is three agencies in three countries (Agencies), their officers
// and supervisors and the provider's staff (People), who sign in at the
// embedded identity provider with the public Password, and the agencies'
// case-management and records systems (Clients), which get API tokens
// there: JWTs, or opaque tokens the portal introspects. Tests,
// docs and people trying the demo rely on these exact values.
//
// The history (GenerateHistory) creates past requests through the domain
// services, as if the agencies had filed them and the provider had decided
// them over the last years: request.Service creates, uploads the order and
// submits; the workflow engine routes, takes the co-signature,
// verification, questions and answers, approvals (narrowed or not),
// countersignatures, rejections with reason codes, withdrawals,
// preservations with their extension, release or fulfilment, and closure;
// disclosure.Service builds each production (records found or none) and
// lets its link expire. Every service runs on a Clock that the generator
// sets to each step's past moment, so request rows, their history, the
// audit trail and the transparency log's leaves carry past dates, and a
// report counts each event in the period it happened in. The steps of all
// requests run one at a time in the order of their moments, so both
// append-only chains are written in order. Nothing is written directly:
// whatever the portal would refuse, the generator cannot do either.
//
// The metadata (GenerateMetadata, and SeedMetadata for the demo's small
// set) is entirely fictional: +1 555 01xx numbers, documentation address
// ranges, example.com-style addresses, written straight into the metadata
// store's tables as the provider's own systems would have filled them.
//
// The world lives here, with the history, rather than in a package of its
// own: the people and clients are devidp.Person and devidp.Client values,
// and devidp takes whom it signs in as configuration and does not import
// this package, so the identity provider stays free of the domain (request,
// workflow, disclosure) the history drives. Nothing this package imports
// imports it back, so the tests of those packages may use the demo too.
package demo

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
)

// Password is every demo person's password. It is public: that is why
// devidp refuses to run in production.
const Password = "demo"

// ReviewerTwoTOTPSecret is the TOTP secret (base32) of
// reviewer2@provider.example. Every demo person who may need to step up has
// one (People, listed in the README; the auditor, who only reads, has none): add it to any authenticator app to get the codes the demo
// provider asks for when the portal asks for a second factor (step-up).
// They are public, as Password is, and the provider's code page shows the
// current code.
const ReviewerTwoTOTPSecret = "WARRANTDESKDEMOREVIEWERTWOSECRET"

// ProviderOrg is the "org" claim of the provider's own staff.
const ProviderOrg = "provider"

// An Agency is a fictional law-enforcement agency. Org is the value of the
// "org" claim its people and API clients carry, so the portal can create a
// matching agency that owns that claim value.
type Agency struct {
	Org     string
	Name    string
	Country string // ISO 3166-1 alpha-2
	Kind    string
	// Language and TimeZone are what its people see by default: the
	// German agency reads German, in Berlin's time.
	Language string
	TimeZone string
	// Onboarding evidence (issue 16), fixed so that tests can rely on it:
	// the area it covers, its people's e-mail domains, how the provider
	// verified it and its callback directory (fictional numbers).
	Jurisdiction string
	Domains      []string
	Verification string // the verification record's note (method official_directory)
	Directory    []DirectoryNumber
}

// A DirectoryNumber is a number of a demo agency's callback directory.
type DirectoryNumber struct{ Label, Phone, Source string }

// CallbackID is the fixed id of the i-th number (from 0) of the callback
// directory of the demo agency with org, for tests that verify an
// emergency of a seeded agency.
func CallbackID(org string, i int) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(fmt.Sprintf("https://warrantdesk.example/demo-callback/%s/%d", org, i))).String()
}

// VerificationID is the fixed id of the demo agency's verification record.
func VerificationID(org string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://warrantdesk.example/demo-verification/"+org)).String()
}

// The demo world of DESIGN.md. devidp copies People and Clients when it
// starts, so changing them afterwards has no effect on a running provider.
var (
	Agencies = []Agency{
		{Org: "riverside-pd", Name: "Riverside Police Department", Country: "US", Kind: "police", Language: "en", TimeZone: "America/New_York",
			Jurisdiction: "City of Riverside", Domains: []string{"riverside-pd.example"},
			Verification: "Switchboard number taken from the city's published directory; the duty sergeant confirmed the portal contact.",
			Directory: []DirectoryNumber{
				{Label: "24-hour switchboard", Phone: "+15550100100", Source: "The city of Riverside's published telephone directory"},
				{Label: "Duty sergeant", Phone: "+15550100150", Source: "Given by the switchboard on a call the provider placed"},
			}},
		{Org: "northshire-police", Name: "Northshire Constabulary", Country: "GB", Kind: "police", Language: "en", TimeZone: "Europe/London",
			Jurisdiction: "County of Northshire", Domains: []string{"northshire-police.example"},
			Verification: "Force control room number checked against the Home Office list of police forces.",
			Directory: []DirectoryNumber{
				{Label: "Force control room", Phone: "+442079460000", Source: "The Home Office list of police forces"},
				{Label: "Single point of contact (SPoC) desk", Phone: "+442079460123", Source: "Given by the force control room on a call the provider placed"},
			}},
		{Org: "lka-musterland", Name: "Landeskriminalamt Musterland", Country: "DE", Kind: "police", Language: "de", TimeZone: "Europe/Berlin",
			Jurisdiction: "Land Musterland", Domains: []string{"lka-musterland.example"},
			Verification: "Lagezentrum number checked against the Land interior ministry's published directory.",
			Directory: []DirectoryNumber{
				{Label: "Lagezentrum (24 hours)", Phone: "+49301234567", Source: "The interior ministry of Musterland's published directory"},
				{Label: "Cybercrime unit desk", Phone: "+49301234599", Source: "Given by the Lagezentrum on a call the provider placed"},
			}},
	}

	People = []devidp.Person{
		{Email: "officer@riverside-pd.example", Name: "Dana Reyes", Org: "riverside-pd", Roles: []string{"officer"}, TOTPSecret: "5ICKU2IYYS7IWZD4ICQ6K52BZJBN7ZWS"},
		{Email: "sergeant@riverside-pd.example", Name: "Marcus Hill", Org: "riverside-pd", Roles: []string{"officer", "supervisor"}, TOTPSecret: "R43CV6NXYYOURAOJ3IW5KFFZUJJWIRF7"},
		{Email: "officer@northshire-police.example", Name: "Amelia Hart", Org: "northshire-police", Roles: []string{"officer"}, TOTPSecret: "GWJN2GUG2XT2LIRP5NSRR3R35T46ICSL"},
		{Email: "inspector@northshire-police.example", Name: "Owen Price", Org: "northshire-police", Roles: []string{"officer", "supervisor"}, TOTPSecret: "N5YW47LPINSAZLBKGYQXPF2UP3MHT27S"},
		{Email: "ermittler@lka-musterland.example", Name: "Jonas Becker", Org: "lka-musterland", Roles: []string{"officer"}, TOTPSecret: "NMM4MJPVCQVISY376KR5GSHDYGQGRD35"},
		{Email: "leitung@lka-musterland.example", Name: "Sabine Krüger", Org: "lka-musterland", Roles: []string{"officer", "supervisor"}, TOTPSecret: "J5BUHFOYZZ2QIVLIKRT7USUNFKQSTJRY"},
		{Email: "intake@provider.example", Name: "Priya Shah", Org: ProviderOrg, Roles: []string{"intake"}, TOTPSecret: "7KSNUFZ5IUE4JKZMNNCTBCYLQ4DH7RER"},
		{Email: "reviewer@provider.example", Name: "Sam Okafor", Org: ProviderOrg, Roles: []string{"reviewer"}, TOTPSecret: "KZDX2EDYSGUL2ASSACZKQ2BYQH7KVBUR"},
		{Email: "reviewer2@provider.example", Name: "Lena Novak", Org: ProviderOrg, Roles: []string{"reviewer"}, TOTPSecret: ReviewerTwoTOTPSecret},
		{Email: "counsel@provider.example", Name: "Ruth Adler", Org: ProviderOrg, Roles: []string{"counsel"}, TOTPSecret: "SMKXKCBGJTL43AWMNG2TBFAKNPZ32JDR"},
		{Email: "admin@provider.example", Name: "Tomás Ortega", Org: ProviderOrg, Roles: []string{"admin"}, TOTPSecret: "3L3LOZ6DCAENA2IPCX2AFJASXWU4ONFJ"},
		{Email: "auditor@provider.example", Name: "Grace Liu", Org: ProviderOrg, Roles: []string{"auditor"}},
	}

	Clients = []devidp.Client{
		{ID: "riverside-pd-cms", Secret: "riverside-demo-secret", Org: "riverside-pd", Roles: []string{"officer"}},
		{ID: "northshire-cms", Secret: "northshire-demo-secret", Org: "northshire-police", Roles: []string{"officer"}},
		{ID: "lka-musterland-cms", Secret: "lka-demo-secret", Org: "lka-musterland", Roles: []string{"officer"}},
		// Riverside's records system gets opaque access tokens, which the
		// portal introspects (RFC 7662): the demo shows both kinds of
		// token an agency's provider may issue.
		{ID: "riverside-pd-records", Secret: "riverside-records-demo-secret", Org: "riverside-pd", Roles: []string{"officer"}, Opaque: true},
	}
)

// WithPeople returns cfg with the demo's people, their password and the
// agencies' clients, for devidp.New.
func WithPeople(cfg devidp.Config) devidp.Config {
	cfg.People, cfg.Password, cfg.Clients = People, Password, Clients
	return cfg
}
