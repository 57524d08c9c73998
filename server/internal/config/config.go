// Package config is the one table of warrantdesk's settings: each is read
// from a WARRANTDESK_* environment variable, may be offered as a flag that
// overrides it, has a _FILE twin when it is a secret (for Docker and
// Kubernetes secrets), is validated with the others, is masked when logged,
// and is listed by `warrantdesk help` and in the README (a test keeps the
// README's table equal to this one). Domain packages never read the
// environment: cmd/warrantdesk loads one Config and passes its parts down.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Environments. Production refuses the demo identity provider, the demo
// secrets committed in this repository (production.go) and plain http, and
// demands TLS to PostgreSQL unless the network is declared trusted.
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

	// DatabaseTrustedNetwork lets production connect to PostgreSQL without
	// TLS, on a network the operator vouches for.
	DatabaseTrustedNetwork bool

	// Issuers are the trusted OpenID Providers. With --demo the embedded
	// provider is added automatically.
	Issuers []Issuer

	SessionTTL     time.Duration // absolute timeout: a sign-in ends this long after it began
	SessionIdle    time.Duration // idle timeout: a sign-in ends after this long unused
	MaxBodyBytes   int64         // JSON and form bodies
	MaxUploadBytes int64         // court documents
	TrustedProxies []string
	RateLimit      float64 // API requests per second per caller (burst: twice that); 0 disables

	// LogKey is the Ed25519 note signing key of the transparency log, in
	// golang.org/x/mod/sumdb/note format. Empty in demo: one is generated
	// and kept in DataDir.
	LogKey string
	// ProductionKey signs package manifests and seals packages at rest
	// (disclosure.ParseKeys' format). Empty outside production: one is
	// generated once and kept in DataDir.
	ProductionKey string
	// NoticeWebhook is where user notices are POSTed; empty, they stay
	// queued. A secret: such URLs often carry a token.
	NoticeWebhook string
	// SMTP sends notifications by e-mail; an empty Host sends none.
	SMTP SMTP
	// Jobs tunes this process's River workers.
	Jobs Jobs
	// DemoHistory is how many past requests `serve --demo` files when its
	// database holds none (0: none).
	DemoHistory int
	// MetricsToken is the bearer token /metrics asks scrapers for. Empty,
	// /metrics is open with --demo and closed otherwise.
	MetricsToken string
	// S3 is the object store court documents and packages go to; an empty
	// Endpoint keeps them in DataDir/blobs.
	S3 S3

	// BaseURLDerived says BaseURL was not set but derived from Addr, so a
	// server listening on port 0 may replace it with the port it got.
	BaseURLDerived bool
}

// SMTP is the mail server notifications leave through.
type SMTP struct {
	Host     string
	Port     int
	From     string
	Username string
	Password string
}

// S3 is an S3-compatible object store shared by every replica.
type S3 struct {
	Endpoint        string // http(s) URL without a bucket; empty: blobs stay in DataDir
	Bucket          string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	PathStyle       bool // always address the bucket in the path
}

// Addr is the server's host:port.
func (s SMTP) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Jobs tunes this process's River workers.
type Jobs struct {
	// Workers is how many jobs this process works at once: 8 on
	// PostgreSQL, 2 on SQLite (one connection: more would only wait for
	// it); 0 only enqueues (a web-only replica).
	Workers int
	// PollInterval is how often idle workers look for due jobs.
	PollInterval time.Duration
	// RescueAfter is when a running job of a dead process is run again.
	RescueAfter time.Duration
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
	// Claims are named by path: a top-level claim of that exact name, else
	// a path through nested objects ("realm_access.roles").
	OrgClaim  string `json:"org_claim,omitempty"`
	RoleClaim string `json:"role_claim,omitempty"` // default "roles"
	// SystemRoleClaim is where agency systems' (client credentials) tokens
	// carry their roles, for an issuer that puts them elsewhere than
	// people's; empty: RoleClaim.
	SystemRoleClaim string `json:"system_role_claim,omitempty"`
	// SystemClaim tells agency systems' access tokens from people's: a
	// claim that only systems' carry ("client_id" at Keycloak), or
	// "name=value" ("idtyp=app" at Entra ID); empty: a subject equal to
	// the token's client (client_id, azp or cid), as most providers issue
	// client-credentials tokens.
	SystemClaim string            `json:"system_claim,omitempty"`
	Roles       map[string]string `json:"roles,omitempty"` // claim value → warrantdesk role; empty: identity
	Scopes      []string          `json:"scopes,omitempty"`
	// ACRValues, when set, is the assurance people must sign in with: sent
	// as acr_values in the authorization request, and the ID token's acr
	// must be one of them. AMRRequired, when set, lists authentication
	// methods (RFC 8176: "mfa", "otp", "hwk", ...) the ID token's amr must
	// all contain. A sign-in without them is refused (mfa_required).
	ACRValues   []string `json:"acr_values,omitempty"`
	AMRRequired []string `json:"amr_required,omitempty"`
	// StepUpACRValues and StepUpAMR say what counts as a second factor for
	// step-up (policies/authz: approving, countersigning, co-signing,
	// downloading a package, administrators' changes): an ID token whose acr
	// is one of StepUpACRValues (when set) and whose amr holds every method
	// of StepUpAMR (when set); with neither set, an amr holding "mfa" (RFC
	// 8176). A step-up sends StepUpACRValues as acr_values, with max_age=0
	// and prompt=login, so that the provider asks again.
	StepUpACRValues []string `json:"step_up_acr_values,omitempty"`
	StepUpAMR       []string `json:"step_up_amr,omitempty"`
	// Introspection, when set, lets agency systems call the API with the
	// issuer's opaque access tokens, which the portal asks the issuer
	// about (RFC 7662); needs APIAudience.
	Introspection *Introspection `json:"introspection,omitempty"`
}

// Introspection is how the portal asks an issuer about an opaque access
// token: at Endpoint, authenticated as a resource server of its own.
type Introspection struct {
	Endpoint     string `json:"endpoint,omitempty"`      // default: the discovery document's introspection_endpoint
	ClientID     string `json:"client_id"`               // the portal's resource-server client at the issuer
	ClientSecret string `json:"client_secret,omitempty"` // or client_secret_file
	SecretFile   string `json:"client_secret_file,omitempty"`
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
		SessionIdle:    30 * time.Minute,
		MaxBodyBytes:   1 << 20,
		MaxUploadBytes: 20 << 20,
		RateLimit:      50,
		SMTP:           SMTP{Port: 587},
		Jobs:           Jobs{Workers: -1, PollInterval: time.Second, RescueAfter: time.Minute},
		DemoHistory:    150,
	}
}

// A Command is one subcommand's view of the configuration: which settings
// it offers as flags, and its own flags, all on one flag set.
type Command struct {
	Name  string
	Flags []string            // settings offered as flags (by flag name)
	Own   func(*flag.FlagSet) // the command's own flags; nil: none
	// Usage is printed above the flags by -h: the command's synopsis.
	Usage string
}

// Load reads the environment into a copy of Default, then parses args with
// one flag set holding the settings cmd offers and cmd's own flags. -h
// prints them and returns flag.ErrHelp.
func Load(cmd Command, args []string, getenv func(string) string, out io.Writer) (Config, error) {
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
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		if cmd.Usage != "" {
			fmt.Fprintln(out, cmd.Usage)
		}
		fmt.Fprintln(out, "\nflags:")
		fs.PrintDefaults()
		fmt.Fprintln(out, "\nEvery setting also reads from its WARRANTDESK_* variable; `warrantdesk help` lists them all.")
	}
	if cmd.Own != nil {
		cmd.Own(fs)
	}
	for _, o := range opts {
		if o.flag == "" || !slices.Contains(cmd.Flags, o.flag) {
			continue
		}
		usage := o.usage + " (" + o.env + ")"
		if o.boolean {
			fs.BoolFunc(o.flag, usage, o.set)
		} else {
			fs.Func(o.flag, usage, o.set)
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
	def     string // the default as documented; empty: taken from Default()
	secret  bool   // has a _FILE twin and is masked when printed
	boolean bool
	set     func(string) error
	get     func() string
}

// A binding reads a setting into its field and prints it back.
type binding struct {
	set func(string) error
	get func() string
}

func (c *Config) options() []option {
	str := func(p *string) binding {
		return binding{func(v string) error { *p = v; return nil }, func() string { return *p }}
	}
	boolean := func(p *bool) binding {
		return binding{func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p = b
			return nil
		}, func() string {
			return strconv.FormatBool(*p)
		}}
	}
	size := func(p *int64) binding {
		return binding{func(v string) error {
			n, err := parseSize(v)
			if err != nil {
				return err
			}
			*p = n
			return nil
		}, func() string {
			return formatSize(*p)
		}}
	}
	count := func(p *int) binding {
		return binding{func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a whole number, 0 or more", v)
			}
			*p = n
			return nil
		}, func() string {
			return strconv.Itoa(*p)
		}}
	}
	duration := func(p *time.Duration) binding {
		return binding{func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 8h or 1s", v)
			}
			*p = d
			return nil
		}, func() string {
			return formatDuration(*p)
		}}
	}
	opt := func(o option, b binding) option {
		o.set, o.get = b.set, b.get
		return o
	}
	return []option{
		opt(option{env: "WARRANTDESK_ENV", usage: "development or production; production refuses --demo, the repository's demo secrets, plain http, and PostgreSQL without TLS"}, str(&c.Env)),
		opt(option{env: "WARRANTDESK_ADDR", flag: "addr", usage: "listen address"}, str(&c.Addr)),
		opt(option{env: "WARRANTDESK_BASE_URL", flag: "base-url", def: "http://<addr>", usage: "public URL people and identity providers reach the portal at (cookies are Secure when https)"}, str(&c.BaseURL)),
		opt(option{env: "WARRANTDESK_DATA_DIR", flag: "data-dir", usage: "directory for the SQLite database, blobs and demo keys"}, str(&c.DataDir)),
		opt(option{env: "WARRANTDESK_DATABASE_URL", flag: "database-url", def: "<data-dir>/warrantdesk.db", usage: "postgres://… for PostgreSQL, or a SQLite file path", secret: true}, str(&c.DatabaseURL)),
		opt(option{env: "WARRANTDESK_DATABASE_TRUSTED_NETWORK", usage: "the network to PostgreSQL is private (same host, Unix socket, an encrypted overlay): production then accepts a URL without sslmode=require or verify-full", boolean: true}, boolean(&c.DatabaseTrustedNetwork)),
		opt(option{env: "WARRANTDESK_DEMO", flag: "demo", usage: "run the embedded OpenID Provider with the demo agencies and people", boolean: true}, boolean(&c.Demo)),
		opt(option{env: "WARRANTDESK_MIGRATE", flag: "migrate", usage: "apply pending migrations at start (replicas behind a migrate job set false)", boolean: true}, boolean(&c.Migrate)),
		opt(option{env: "WARRANTDESK_POLICY_DIR", flag: "policy-dir", def: "the embedded bundle", usage: "load the policy bundle from this directory"}, str(&c.PolicyDir)),
		opt(option{env: "WARRANTDESK_LOG_LEVEL", flag: "log-level", usage: "debug, info, warn or error"}, str(&c.LogLevel)),
		opt(option{env: "WARRANTDESK_ISSUERS", def: "none", usage: "trusted OpenID Providers, a JSON array (see Identity providers)", secret: true}, binding{c.setIssuers, func() string { return issuerURLs(c.Issuers) }}),
		opt(option{env: "WARRANTDESK_SESSION_TTL", usage: "absolute timeout: how long a sign-in lasts, however busy"}, duration(&c.SessionTTL)),
		opt(option{env: "WARRANTDESK_SESSION_IDLE_TIMEOUT", usage: "idle timeout: a sign-in unused this long ends"}, duration(&c.SessionIdle)),
		opt(option{env: "WARRANTDESK_MAX_BODY", usage: "largest JSON or form body"}, size(&c.MaxBodyBytes)),
		opt(option{env: "WARRANTDESK_MAX_UPLOAD", usage: "largest court document upload"}, size(&c.MaxUploadBytes)),
		opt(option{env: "WARRANTDESK_TRUSTED_PROXIES", def: "none", usage: "comma-separated proxy addresses whose X-Forwarded-For is believed"}, binding{func(v string) error {
			c.TrustedProxies = splitList(v)
			return nil
		}, func() string { return strings.Join(c.TrustedProxies, ",") }}),
		opt(option{env: "WARRANTDESK_RATE_LIMIT", usage: "API requests per second per caller, burst twice that; 0 disables"}, binding{func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 {
				return fmt.Errorf("%q is not a non-negative number", v)
			}
			c.RateLimit = f
			return nil
		}, func() string { return strconv.FormatFloat(c.RateLimit, 'g', -1, 64) }}),
		opt(option{env: "WARRANTDESK_LOG_KEY", def: "generated in <data-dir> outside production", usage: "transparency-log note signing key (`warrantdesk log-key` makes one)", secret: true}, str(&c.LogKey)),
		opt(option{env: "WARRANTDESK_PRODUCTION_KEY", def: "generated in <data-dir> outside production", usage: "Ed25519 key that signs package manifests and seals packages at rest", secret: true}, str(&c.ProductionKey)),
		opt(option{env: "WARRANTDESK_NOTICE_WEBHOOK", def: "none (notices stay queued)", usage: "http(s) URL user notices are POSTed to", secret: true}, str(&c.NoticeWebhook)),
		opt(option{env: "WARRANTDESK_SMTP_HOST", def: "none (no e-mail)", usage: "mail server for e-mail notifications"}, str(&c.SMTP.Host)),
		opt(option{env: "WARRANTDESK_SMTP_PORT", usage: "the mail server's port"}, count(&c.SMTP.Port)),
		opt(option{env: "WARRANTDESK_SMTP_FROM", def: "none", usage: "the From address of e-mail notifications (required with a host)"}, str(&c.SMTP.From)),
		opt(option{env: "WARRANTDESK_SMTP_USERNAME", def: "none", usage: "the mail server account"}, str(&c.SMTP.Username)),
		opt(option{env: "WARRANTDESK_SMTP_PASSWORD", def: "none", usage: "the mail server account's password", secret: true}, str(&c.SMTP.Password)),
		opt(option{env: "WARRANTDESK_JOB_WORKERS", def: "8 (PostgreSQL), 2 (SQLite)", usage: "River jobs this process works at once; 0 only enqueues"}, count(&c.Jobs.Workers)),
		opt(option{env: "WARRANTDESK_JOB_POLL_INTERVAL", usage: "how often idle workers look for due jobs"}, duration(&c.Jobs.PollInterval)),
		opt(option{env: "WARRANTDESK_JOB_RESCUE_AFTER", usage: "when a running job of a dead process is run again"}, duration(&c.Jobs.RescueAfter)),
		opt(option{env: "WARRANTDESK_DEMO_HISTORY", usage: "past requests `serve --demo` files on an empty database, then publishing each ended half-year's report; 0: none"}, count(&c.DemoHistory)),
		opt(option{env: "WARRANTDESK_S3_ENDPOINT", def: "none: blobs go to <data-dir>/blobs", usage: "http(s) URL of an S3-compatible object store for court documents and packages, shared by all replicas"}, str(&c.S3.Endpoint)),
		opt(option{env: "WARRANTDESK_S3_BUCKET", def: "none", usage: "the object store's bucket (created at start if missing and allowed)"}, str(&c.S3.Bucket)),
		opt(option{env: "WARRANTDESK_S3_REGION", def: "none (the store's default)", usage: "the bucket's region"}, str(&c.S3.Region)),
		opt(option{env: "WARRANTDESK_S3_ACCESS_KEY_ID", def: "none", usage: "the object store account's access key ID"}, str(&c.S3.AccessKeyID)),
		opt(option{env: "WARRANTDESK_S3_SECRET_ACCESS_KEY", def: "none", usage: "the object store account's secret access key", secret: true}, str(&c.S3.SecretAccessKey)),
		opt(option{env: "WARRANTDESK_S3_PATH_STYLE", usage: "address the bucket in the URL path, as most self-hosted stores want (false: as a host name on Amazon S3 and its likes, in the path elsewhere)", boolean: true}, boolean(&c.S3.PathStyle)),
		opt(option{env: "WARRANTDESK_METRICS_TOKEN", def: "none (/metrics open with --demo, closed otherwise)", usage: "bearer token Prometheus scrapes /metrics with (at least 16 characters)", secret: true}, str(&c.MetricsToken)),
	}
}

// A Setting is one row of the settings table, for help and the README.
type Setting struct {
	Env, Flag, Default, Usage string
	Secret                    bool // has a _FILE twin
}

// Settings lists every setting with its documented default.
func Settings() []Setting {
	c := Default()
	var out []Setting
	for _, o := range c.options() {
		def := o.def
		if def == "" {
			def = o.get()
		}
		out = append(out, Setting{Env: o.env, Flag: o.flag, Default: def, Usage: o.usage, Secret: o.secret})
	}
	return out
}

// PrintSettings writes the settings table for `warrantdesk help`.
func PrintSettings(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  variable\tflag\tdefault\twhat")
	for _, s := range Settings() {
		env, fl := s.Env, ""
		if s.Secret {
			env += " (or _FILE)"
		}
		if s.Flag != "" {
			fl = "--" + s.Flag
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", env, fl, s.Default, s.Usage)
	}
	tw.Flush()
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
		if in := iss[i].Introspection; in != nil && in.SecretFile != "" {
			b, err := os.ReadFile(in.SecretFile)
			if err != nil {
				return fmt.Errorf("issuer %s: introspection client_secret_file: %v", iss[i].URL, err)
			}
			in.ClientSecret = strings.TrimSpace(string(b))
		}
	}
	c.Issuers = append(c.Issuers, iss...)
	return nil
}

func (c *Config) fillDefaults() {
	if c.BaseURL == "" {
		c.BaseURLDerived = true
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
	if c.Jobs.Workers < 0 {
		c.Jobs.Workers = 2 // SQLite has one connection: more workers only wait for it
		if DialectIsURL(c.DatabaseURL) {
			c.Jobs.Workers = 8
		}
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
		p = append(p, "--base-url must be https in production (session cookies are Secure): serve behind TLS and set WARRANTDESK_BASE_URL to the https URL people use")
	}
	if c.DataDir == "" {
		p = append(p, "--data-dir is empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, fmt.Sprintf("--log-level %q: use debug, info, warn or error", c.LogLevel))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p = append(p, "WARRANTDESK_METRICS_TOKEN is shorter than 16 characters: use a random token, such as `openssl rand -hex 32`")
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
			p = append(p, name+": issuer must be https in production (the portal trusts the keys it fetches there): use the provider's https issuer URL")
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
		if slices.Contains(iss.ACRValues, "") || slices.Contains(iss.AMRRequired, "") ||
			slices.Contains(iss.StepUpACRValues, "") || slices.Contains(iss.StepUpAMR, "") {
			p = append(p, name+": acr_values, amr_required, step_up_acr_values and step_up_amr must not hold empty strings")
		}
		spaced := func(v string) bool { return strings.ContainsAny(v, " \t\n") }
		if slices.ContainsFunc(iss.ACRValues, spaced) || slices.ContainsFunc(iss.StepUpACRValues, spaced) {
			p = append(p, name+": an acr_values or step_up_acr_values entry must not contain spaces")
		}
		p = append(p, iss.introspectionProblems(name, c.Env)...)
	}
	if c.SMTP.Host != "" {
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			p = append(p, "WARRANTDESK_SMTP_FROM must be an e-mail address when WARRANTDESK_SMTP_HOST is set")
		}
		if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
			p = append(p, fmt.Sprintf("WARRANTDESK_SMTP_PORT %d is not a port number", c.SMTP.Port))
		}
	}
	if c.NoticeWebhook != "" {
		if u, err := url.Parse(c.NoticeWebhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p = append(p, "WARRANTDESK_NOTICE_WEBHOOK is not an http(s) URL")
		} else if c.Env == EnvProduction && u.Scheme != "https" {
			p = append(p, "WARRANTDESK_NOTICE_WEBHOOK must be https in production: notices name accounts")
		}
	}
	p = append(p, c.S3.problems()...)
	if c.Env == EnvProduction {
		p = append(p, c.productionProblems()...)
	}
	if len(p) > 0 {
		return errors.New("configuration problems:\n  - " + strings.Join(p, "\n  - "))
	}
	return nil
}

// String prints every setting for the start-up log, secrets masked: a
// database URL keeps its host but not its password, issuers show their URLs,
// and any other secret shows only whether it is set.
func (c Config) String() string {
	var b strings.Builder
	for i, o := range c.options() {
		v := o.get()
		switch {
		case o.env == "WARRANTDESK_DATABASE_URL":
			v = maskURL(v)
		case o.env == "WARRANTDESK_ISSUERS":
		case o.secret && v != "":
			v = "(set)"
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", strings.ToLower(strings.TrimPrefix(o.env, "WARRANTDESK_")), v)
	}
	return b.String()
}

// maskURL hides a URL's password.
func maskURL(s string) string {
	if !DialectIsURL(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func issuerURLs(iss []Issuer) string {
	urls := make([]string, 0, len(iss))
	for _, i := range iss {
		urls = append(urls, i.URL)
	}
	return strings.Join(urls, ",")
}

// DialectIsURL reports whether a database setting is a URL (PostgreSQL)
// rather than a SQLite path.
func DialectIsURL(s string) bool { return strings.Contains(s, "://") }

// formatDuration prints d as people write it: 8h, 1m, 90s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// formatSize prints n the way parseSize reads it, in the largest unit that
// divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

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
