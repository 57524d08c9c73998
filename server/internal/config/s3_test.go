package config_test

import (
	"strings"
	"testing"
)

// TestObjectStoreSettings: the S3 settings are all or nothing, and the
// endpoint is a URL the client can use.
func TestObjectStoreSettings(t *testing.T) {
	full := map[string]string{
		"WARRANTDESK_S3_ENDPOINT":          "https://s3.example",
		"WARRANTDESK_S3_BUCKET":            "warrantdesk",
		"WARRANTDESK_S3_ACCESS_KEY_ID":     "id",
		"WARRANTDESK_S3_SECRET_ACCESS_KEY": "secret",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		desc string
		env  map[string]string
		want string // in the error; empty: valid
	}{
		{"none", map[string]string{}, ""},
		{"complete", full, ""},
		{"no credentials", with("WARRANTDESK_S3_ACCESS_KEY_ID", ""), "set both WARRANTDESK_S3_ACCESS_KEY_ID"},
		{"no bucket", with("WARRANTDESK_S3_BUCKET", ""), "WARRANTDESK_S3_BUCKET is empty"},
		{"bucket in the path", with("WARRANTDESK_S3_ENDPOINT", "https://s3.example/warrantdesk"), "without a path"},
		{"not http", with("WARRANTDESK_S3_ENDPOINT", "s3.example:9000"), "not an http(s) URL"},
		{"bucket without endpoint", map[string]string{"WARRANTDESK_S3_BUCKET": "b"}, "without WARRANTDESK_S3_ENDPOINT"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			tc.env["WARRANTDESK_DEMO"] = "true"
			c, err := load(nil, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want one saying %q", err, tc.want)
			}
		})
	}
}
