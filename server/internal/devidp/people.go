package devidp

import (
	"strings"

	"github.com/google/uuid"
)

// A Person is someone who can sign in at the provider with Config.Password.
// Roles become the "roles" claim, Org the "org" claim. A person with a
// TOTPSecret (RFC 6238: base32, SHA-1, six digits, 30-second steps, what
// every authenticator app uses) is asked for a code after the password,
// and their ID tokens then say so (amr, acr).
type Person struct {
	Email      string
	Name       string
	Org        string
	Roles      []string
	TOTPSecret string
}

// Subject returns the person's "sub" claim: a name-based UUID derived from
// the e-mail address, stable across restarts but deliberately not the e-mail
// itself, so that the portal cannot get away with keying people by address.
func (p Person) Subject() string {
	return subjectFor(p.Email)
}

// A Client is an agency's case-management system, which authenticates with
// the client-credentials grant and gets a JWT access token for the API whose
// "org" and "roles" claims are Org and Roles. An Opaque client gets an
// opaque access token instead, which carries nothing: the portal learns
// its claims from the introspection endpoint (Config.ResourceServerID).
type Client struct {
	ID     string
	Secret string
	Org    string
	Roles  []string
	Opaque bool
}

// subjectNamespace scopes the name-based subjects to this provider, so they
// cannot collide with UUIDs derived from the same addresses elsewhere.
var subjectNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://warrantdesk.example/devidp/subject"))

func subjectFor(email string) string {
	return uuid.NewSHA1(subjectNamespace, []byte(strings.ToLower(email))).String()
}
