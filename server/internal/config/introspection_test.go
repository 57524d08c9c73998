package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIssuerIntrospection: an issuer's introspection setting is read with
// its secret from a file, never printed, and refused without what it needs.
func TestIssuerIntrospection(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "rs")
	if err := os.WriteFile(secretFile, []byte("rs-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	issuers := func(introspection string) func(string) string {
		return env(map[string]string{"WARRANTDESK_ISSUERS": `[{"issuer":"https://idp.example","api_audience":"wd-api",
			"introspection":` + introspection + `}]`})
	}
	c, err := load(nil, issuers(`{"client_id":"wd-rs","client_secret_file":"`+secretFile+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if in := c.Issuers[0].Introspection; in == nil || in.ClientID != "wd-rs" || in.ClientSecret != "rs-s3cret" || in.Endpoint != "" {
		t.Errorf("introspection = %+v, want wd-rs with the file's secret and the discovered endpoint", in)
	}
	if strings.Contains(c.String(), "rs-s3cret") {
		t.Errorf("String() leaks the introspection secret: %s", c.String())
	}

	for _, tc := range []struct {
		desc, env, introspection, want string
	}{
		{"ErrNoSecret", "development", `{"client_id":"wd-rs"}`, "resource-server credentials"},
		{"ErrNoClient", "development", `{"client_secret":"s"}`, "resource-server credentials"},
		{"ErrRelativeEndpoint", "development", `{"client_id":"wd-rs","client_secret":"s","endpoint":"/introspect"}`, "absolute http(s) URL"},
		{"ErrPlainHTTPInProduction", "production", `{"client_id":"wd-rs","client_secret":"s","endpoint":"http://idp.example/introspect"}`, "must be https in production"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			getenv := issuers(tc.introspection)
			c, err := load(nil, func(k string) string {
				if k == "WARRANTDESK_ENV" {
					return tc.env
				}
				return getenv(k)
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want a problem saying %q", err, tc.want)
			}
		})
	}
	t.Run("ErrNoAPIAudience", func(t *testing.T) {
		c, err := load(nil, env(map[string]string{"WARRANTDESK_ISSUERS": `[{"issuer":"https://idp.example","client_id":"wd","client_secret":"s",
			"introspection":{"client_id":"wd-rs","client_secret":"s"}}]`}))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "set api_audience too") {
			t.Errorf("Validate = %v, want introspection without api_audience refused", err)
		}
	})
}
