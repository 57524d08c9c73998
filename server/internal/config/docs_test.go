package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIdentityDocConfigurations: every worked configuration in
// docs/identity.md is an issuer entry this package reads (no unknown or
// misspelt field: the decoder refuses them) and validates without a
// problem, so an agency's IT team can copy one.
func TestIdentityDocConfigurations(t *testing.T) {
	b, err := os.ReadFile("../../../docs/identity.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "## Worked configurations")
	if i < 0 {
		t.Fatal("docs/identity.md has no worked configurations")
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(doc[i:], -1)
	if len(blocks) < 4 {
		t.Fatalf("%d worked configurations, want Keycloak, Entra ID, Okta and Hydra", len(blocks))
	}
	for _, m := range blocks {
		entry := regexp.MustCompile(`"/run/secrets/[a-z]+"`).ReplaceAllString(m[1], `"`+secret+`"`)
		c := Default()
		c.Env, c.BaseURL = EnvProduction, "https://warrantdesk.provider.example"
		if err := c.setIssuers("[" + entry + "]"); err != nil {
			t.Errorf("%v:\n%s", err, m[1])
			continue
		}
		iss := c.Issuers[0]
		if err := c.Validate(); err != nil && strings.Contains(err.Error(), iss.URL) {
			t.Errorf("%s: %v", iss.URL, err)
		}
		if iss.ClientSecret != "s3cret" {
			t.Errorf("%s: the client secret was not read from its file", iss.URL)
		}
	}
}
