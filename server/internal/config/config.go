// Package config loads warrantdesk's configuration from WARRANTDESK_*
// environment variables, with command-line flags overriding them and a _FILE
// twin for every secret (for Docker and Kubernetes secrets). There is no
// global: cmd/warrantdesk loads one Config and passes it down.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Environments. Production refuses the demo identity provider and demands TLS
// in the base URL.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// A Config is the complete configuration of one warrantdesk process.
type Config struct {
	Env         string // development or production
	Addr        string // listen address
	BaseURL     string // public URL people and IdPs reach us at; derived from Addr when empty
	DataDir     string // SQLite file, blobs and demo keys live here
	DatabaseURL string // postgres://… or a SQLite path; defaults to DataDir/warrantdesk.db
	Demo        bool   // run the embedded OpenID Provider with the demo agencies and people
	Migrate     bool   // apply pending migrations at start; replicas behind a migrate job set false
	PolicyDir   string // load policies from this directory instead of the embedded bundle
	LogLevel    string // debug, info, warn, error

	// Issuers are the trusted OpenID Providers. With --demo the embedded
	// provider is added automatically.
	Issuers []Issuer

	SessionTTL     time.Duration
	MaxBodyBytes   int64 // JSON and form bodies
	MaxUploadBytes int64 // court documents
	TrustedProxies []string
	RateLimit      float64 // API requests per second per caller (burst: twice that); 0 disables

	// LogKey is the Ed25519 note signing key of the transparency log, in
	// golang.org/x/mod/sumdb/note format. Empty in demo: one is generated
	// and kept in DataDir.
	LogKey string
}

// An Issuer is one trusted OpenID Provider and how its tokens map onto
// warrantdesk: to the provider's staff, or to agencies.
type Issuer struct {
	URL          string `json:"issuer"`
	ClientID     string `json:"client_id"`               // our relying-party client for people's sign-in
	ClientSecret string `json:"client_secret,omitempty"` // or client_secret_file
	SecretFile   string `json:"client_secret_file,omitempty"`
	APIAudience  string `json:"api_audience,omitempty"` // the aud agency systems' bearer tokens must carry; empty: no API access
	// Provider marks an issuer that signs in the provider's own staff. People of
	// such an issuer are staff when their OrgClaim equals ProviderOrg (or
	// always, when OrgClaim is empty).
	Provider    bool   `json:"provider,omitempty"`
	ProviderOrg string `json:"provider_org,omitempty"`
	// OrgClaim names a claim that tells which agency a subject belongs to,
	// for an issuer that serves several; agencies record the value they own.
	OrgClaim  string            `json:"org_claim,omitempty"`
	RoleClaim string            `json:"role_claim,omitempty"` // default "roles"
	Roles     map[string]string `json:"roles,omitempty"`      // claim value → warrantdesk role; empty: identity
	Scopes    []string          `json:"scopes,omitempty"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Env:            EnvDevelopment,
		Addr:           "127.0.0.1:8080",
		DataDir:        "./data",
		Migrate:        true,
		LogLevel:       "info",
		SessionTTL:     8 * time.Hour,
		MaxBodyBytes:   1 << 20,
		MaxUploadBytes: 20 << 20,
		RateLimit:      50,
	}
}

// Load reads the environment into a copy of Default, then lets the flags in
// args override it. Only the flags the command declares are accepted.
func Load(name string, args []string, getenv func(string) string, flags ...string) (Config, error) {
	c := Default()
	var problems []string
	opts := c.options()
	for _, o := range opts {
		v, ok, err := envValue(getenv, o)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if ok {
			if err := o.set(v); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", o.env, err))
			}
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	for _, o := range opts {
		if o.flag == "" || !contains(flags, o.flag) {
			continue
		}
		o := o
		if o.boolean {
			fs.BoolFunc(o.flag, o.usage+" ("+o.env+")", o.set)
		} else {
			fs.Func(o.flag, o.usage+" ("+o.env+")", o.set)
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "\n"))
	}
	c.fillDefaults()
	return c, nil
}

// An option binds one environment variable (and optionally one flag) to a field.
type option struct {
	env     string
	flag    string
	usage   string
	secret  bool // has a _FILE twin and is masked when printed
	boolean bool
	set     func(string) error
}

func (c *Config) options() []option {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	boolean := func(p *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p = b
			return nil
		}
	}
	size := func(p *int64) func(string) error {
		return func(v string) error {
			n, err := parseSize(v)
			if err != nil {
				return err
			}
			*p = n
			return nil
		}
	}
	return []option{
		{env: "WARRANTDESK_ENV", usage: "development or production", set: str(&c.Env)},
		{env: "WARRANTDESK_ADDR", flag: "addr", usage: "listen address", set: str(&c.Addr)},
		{env: "WARRANTDESK_BASE_URL", flag: "base-url", usage: "public base URL (default http://<addr>)", set: str(&c.BaseURL)},
		{env: "WARRANTDESK_DATA_DIR", flag: "data-dir", usage: "directory for the SQLite database, blobs and demo keys", set: str(&c.DataDir)},
		{env: "WARRANTDESK_DATABASE_URL", flag: "database-url", usage: "postgres://… or a SQLite file path", secret: true, set: str(&c.DatabaseURL)},
		{env: "WARRANTDESK_DEMO", flag: "demo", usage: "run the embedded OpenID Provider with demo agencies and people", boolean: true, set: boolean(&c.Demo)},
		{env: "WARRANTDESK_MIGRATE", flag: "migrate", usage: "apply pending migrations at start", boolean: true, set: boolean(&c.Migrate)},
		{env: "WARRANTDESK_POLICY_DIR", flag: "policy-dir", usage: "load the policy bundle from this directory instead of the embedded one", set: str(&c.PolicyDir)},
		{env: "WARRANTDESK_LOG_LEVEL", flag: "log-level", usage: "debug, info, warn or error", set: str(&c.LogLevel)},
		{env: "WARRANTDESK_ISSUERS", usage: "trusted OpenID Providers as a JSON array", secret: true, set: c.setIssuers},
		{env: "WARRANTDESK_SESSION_TTL", usage: "how long a sign-in lasts (e.g. 8h)", set: func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 8h", v)
			}
			c.SessionTTL = d
			return nil
		}},
		{env: "WARRANTDESK_MAX_BODY", usage: "largest JSON or form body (e.g. 1MiB)", set: size(&c.MaxBodyBytes)},
		{env: "WARRANTDESK_MAX_UPLOAD", usage: "largest court document upload (e.g. 20MiB)", set: size(&c.MaxUploadBytes)},
		{env: "WARRANTDESK_TRUSTED_PROXIES", usage: "comma-separated proxy addresses whose X-Forwarded-For is believed", set: func(v string) error {
			c.TrustedProxies = splitList(v)
			return nil
		}},
		{env: "WARRANTDESK_RATE_LIMIT", usage: "API requests per second per caller; 0 disables", set: func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 {
				return fmt.Errorf("%q is not a non-negative number", v)
			}
			c.RateLimit = f
			return nil
		}},
		{env: "WARRANTDESK_LOG_KEY", usage: "transparency log note signing key", secret: true, set: str(&c.LogKey)},
	}
}

// envValue reads NAME, or the file named by NAME_FILE for secrets. Setting
// both is an error: which one wins would be a guess.
func envValue(getenv func(string) string, o option) (string, bool, error) {
	v := getenv(o.env)
	if !o.secret {
		return v, v != "", nil
	}
	file := getenv(o.env + "_FILE")
	switch {
	case v != "" && file != "":
		return "", false, fmt.Errorf("%s and %s_FILE are both set: set only one", o.env, o.env)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, fmt.Errorf("%s_FILE: %v", o.env, err)
		}
		return strings.TrimSpace(string(b)), true, nil
	}
	return v, v != "", nil
}

func (c *Config) setIssuers(v string) error {
	var iss []Issuer
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&iss); err != nil {
		return fmt.Errorf("not a JSON array of issuers: %v", err)
	}
	for i := range iss {
		if iss[i].SecretFile != "" {
			b, err := os.ReadFile(iss[i].SecretFile)
			if err != nil {
				return fmt.Errorf("issuer %s: client_secret_file: %v", iss[i].URL, err)
			}
			iss[i].ClientSecret = strings.TrimSpace(string(b))
		}
	}
	c.Issuers = append(c.Issuers, iss...)
	return nil
}

func (c *Config) fillDefaults() {
	if c.BaseURL == "" {
		host, port, err := net.SplitHostPort(c.Addr)
		if err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
			host = "127.0.0.1"
		}
		if err == nil {
			c.BaseURL = "http://" + net.JoinHostPort(host, port)
		}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "warrantdesk.db")
	}
	for i := range c.Issuers {
		if c.Issuers[i].RoleClaim == "" {
			c.Issuers[i].RoleClaim = "roles"
		}
	}
}

// Validate reports every problem at once, so an operator fixes them in one go.
func (c Config) Validate() error {
	var p []string
	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		p = append(p, fmt.Sprintf("WARRANTDESK_ENV is %q: use %q or %q", c.Env, EnvDevelopment, EnvProduction))
	}
	if c.Demo && c.Env == EnvProduction {
		p = append(p, "--demo runs a demo identity provider with public passwords and is refused when WARRANTDESK_ENV=production")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		p = append(p, fmt.Sprintf("--addr %q is not host:port", c.Addr))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p = append(p, fmt.Sprintf("--base-url %q is not an http(s) URL", c.BaseURL))
	} else if c.Env == EnvProduction && u.Scheme != "https" {
		p = append(p, "--base-url must be https in production: session cookies are Secure")
	}
	if c.DataDir == "" {
		p = append(p, "--data-dir is empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, fmt.Sprintf("--log-level %q: use debug, info, warn or error", c.LogLevel))
	}
	if c.MaxBodyBytes < 1024 {
		p = append(p, "WARRANTDESK_MAX_BODY must be at least 1KiB")
	}
	if c.MaxUploadBytes < 1024 {
		p = append(p, "WARRANTDESK_MAX_UPLOAD must be at least 1KiB")
	}
	if len(c.Issuers) == 0 && !c.Demo {
		p = append(p, "no trusted OpenID Provider: set WARRANTDESK_ISSUERS (or run with --demo)")
	}
	seen := map[string]bool{}
	for i, iss := range c.Issuers {
		name := fmt.Sprintf("issuer %d (%s)", i+1, iss.URL)
		if u, err := url.Parse(iss.URL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			p = append(p, name+": issuer must be an absolute http(s) URL")
		} else if c.Env == EnvProduction && u.Scheme != "https" {
			p = append(p, name+": issuer must be https in production")
		}
		if seen[iss.URL] {
			p = append(p, name+": listed twice")
		}
		seen[iss.URL] = true
		if iss.ClientID == "" && iss.APIAudience == "" {
			p = append(p, name+": set client_id (people sign in) or api_audience (agency systems), or both")
		}
		if iss.ClientID != "" && iss.ClientSecret == "" {
			p = append(p, name+": client_id needs client_secret or client_secret_file")
		}
	}
	if len(p) > 0 {
		return errors.New("configuration problems:\n  - " + strings.Join(p, "\n  - "))
	}
	return nil
}

// String prints the configuration with secrets masked, for the start-up log.
func (c Config) String() string {
	masked := c
	if masked.DatabaseURL != "" && DialectIsURL(masked.DatabaseURL) {
		if u, err := url.Parse(masked.DatabaseURL); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			}
			masked.DatabaseURL = u.String()
		}
	}
	if masked.LogKey != "" {
		masked.LogKey = "xxxxx"
	}
	iss := make([]string, 0, len(c.Issuers))
	for _, i := range c.Issuers {
		iss = append(iss, i.URL)
	}
	return fmt.Sprintf("env=%s addr=%s base_url=%s data_dir=%s database=%s demo=%t migrate=%t policy_dir=%q issuers=%v",
		masked.Env, masked.Addr, masked.BaseURL, masked.DataDir, masked.DatabaseURL, masked.Demo, masked.Migrate, masked.PolicyDir, iss)
}

// DialectIsURL reports whether a database setting is a URL (PostgreSQL)
// rather than a SQLite path.
func DialectIsURL(s string) bool { return strings.Contains(s, "://") }

func parseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 20MiB", v)
	}
	return n * mult, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
