package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/admin"
	"github.com/warrantdesk/warrantdesk/server/internal/auditing"
	"github.com/warrantdesk/warrantdesk/server/internal/casefile"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/devidp"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
	"github.com/warrantdesk/warrantdesk/server/internal/web"
)

var serveCommand = config.Command{Name: "serve", Flags: []string{"addr", "base-url", "demo", "migrate", "policy-dir"},
	Usage: "usage: warrantdesk serve [--demo] [flags]"}

// runServe runs the portal until ctx is cancelled. ready, if not nil,
// receives the base URL once the listener accepts connections (tests use it
// with --addr 127.0.0.1:0).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	start := time.Now()
	cfg, err := loadConfig(serveCommand, args, getenv, stdout)
	if err != nil {
		return err
	}
	// Listen first: with --addr :0 the port, and so the base URL, is known
	// only now.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if cfg.BaseURLDerived {
		cfg.BaseURL = "http://" + publicAddr(ln.Addr().String())
	}
	// The demo provider's two clients for the portal, sign-in and resource
	// server, get secrets of this run's only: nothing else can use them.
	var demoSecret, demoRSSecret string
	if cfg.Demo {
		demoSecret, demoRSSecret = randomHex(32), randomHex(32)
		cfg.Issuers = append(cfg.Issuers, demoIssuer(cfg.BaseURL, demoSecret, demoRSSecret))
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	log.Info("starting", "version", buildVersion(), "config", cfg.String())
	if err := resolveLogKey(&cfg, log); err != nil {
		return err
	}

	production := cfg.Env == config.EnvProduction && db.DialectOf(cfg.DatabaseURL) == db.Postgres
	if production && cfg.Migrate {
		return errors.New("in production serve does not change the schema: set WARRANTDESK_MIGRATE=false and run `warrantdesk migrate` " +
			"as the schema's owner before starting replicas (deploy/README.md, \"Database roles\")")
	}
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if production {
		if err := d.CheckLeastPrivilege(ctx); err != nil {
			return err
		}
	}

	pol, err := loadPolicy(ctx, cfg)
	if err != nil {
		return err
	}

	var idp *devidp.Provider
	if cfg.Demo {
		idp, err = devidp.New(demo.WithPeople(devidp.Config{
			Issuer:                 cfg.BaseURL + "/idp",
			PortalClientID:         devidp.PortalClientID,
			PortalClientSecret:     demoSecret,
			PortalRedirectURIs:     []string{cfg.BaseURL + "/auth/callback"},
			PostLogoutRedirectURIs: []string{cfg.BaseURL + "/"},
			APIAudience:            devidp.APIAudience,
			ResourceServerID:       devidp.ResourceServerID,
			ResourceServerSecret:   demoRSSecret,
			Production:             cfg.Env == config.EnvProduction,
			ShowCodes:              true, // its TOTP secrets are public, as its password is
		}))
		if err != nil {
			return fmt.Errorf("demo identity provider: %w", err)
		}
		if err := seedDemoAgencies(ctx, d, cfg.BaseURL+"/idp", io.Discard); err != nil {
			return err
		}
	}

	ids, err := identity.New(d.DB, identity.Config{Issuers: cfg.Issuers, BaseURL: cfg.BaseURL, SessionTTL: cfg.SessionTTL, SessionIdle: cfg.SessionIdle})
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	reqs := &request.Service{DB: d.DB, Blobs: blobs, Policy: request.NewPolicy(pol), MaxUpload: cfg.MaxUploadBytes}
	prods, err := newProductions(ctx, cfg, d, pol, blobs, log)
	if err != nil {
		return err
	}
	wf, err := newWorkflow(cfg, d, pol, prods, log)
	if err != nil {
		return err
	}
	tl, err := translog.New(d.DB, cfg.LogKey)
	if err != nil {
		return err
	}
	reqs.Log = tl
	reports := &transparency.Service{DB: d.DB, Policy: pol, Log: tl}
	stopJobs, err := startJobsAfterDemoHistory(ctx, historyRun{cfg: cfg, d: d, log: log, prods: prods, reports: reports}, wf)
	if err != nil {
		return err
	}
	defer stopJobs()

	// The transparency log's signer: a checkpoint within a second of a new
	// leaf, on every replica (signing is idempotent). It stops before the
	// database closes.
	signCtx, stopSigner := context.WithCancel(ctx)
	signerDone := make(chan struct{})
	go func() { defer close(signerDone); tl.Run(signCtx, time.Second, log) }()
	defer func() { stopSigner(); <-signerDone }()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	adm := &admin.Service{DB: d.DB, Policy: pol, Identity: ids, Blobs: blobs}
	srv, err := web.New(web.Deps{Config: cfg, Ready: d.Readiness, TransparencyLog: tl,
		Trail: &auditing.Trail{DB: d.DB, Policy: request.NewPolicy(pol)}, Log: log, Identity: ids, Requests: reqs,
		CaseFiles: &casefile.Service{DB: d.DB, Requests: reqs, Workflow: wf, Disclosure: prods},
		Admin:     adm, Policy: pol, IdP: idp, Registry: reg, Workflow: wf, Disclosure: prods, Transparency: reports})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of up to 20 MiB on slow links
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("ready", "base_url", cfg.BaseURL, "demo", cfg.Demo, "startup_ms", time.Since(start).Milliseconds())
	if cfg.Demo {
		fmt.Fprintf(stdout, "warrantdesk is running at %s (demo: sign in with any demo account, password %q)\n", cfg.BaseURL, demo.Password)
	}
	if ready != nil {
		ready <- cfg.BaseURL
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

// openDB connects and either applies migrations or, for replicas that leave
// that to a one-shot migrate job, checks the schema is current.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		applied, err := d.Migrate(ctx, log)
		if err != nil {
			d.Close()
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("migrated", "versions", applied)
		}
	} else if err := d.CheckCurrent(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// loadPolicy loads the embedded bundle, or the directory an operator named.
// A policy that does not compile stops the start with its file and line.
func loadPolicy(ctx context.Context, cfg config.Config, opts ...policy.Option) (*policy.Engine, error) {
	fsys := policies.FS
	if cfg.PolicyDir != "" {
		if st, err := os.Stat(cfg.PolicyDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--policy-dir %s is not a directory", cfg.PolicyDir)
		}
		fsys = os.DirFS(cfg.PolicyDir)
	}
	pol, err := policy.Load(ctx, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return pol, nil
}

// demoIssuer is how the portal trusts its embedded demo provider: one issuer
// for the provider's staff and the three demo agencies, told apart by the
// "org" claim. The portal introspects the opaque tokens of the demo's
// Opaque clients as the provider's resource server (rsSecret), at the
// endpoint its discovery document names.
func demoIssuer(baseURL, secret, rsSecret string) config.Issuer {
	return config.Issuer{
		URL: baseURL + "/idp", ClientID: devidp.PortalClientID, ClientSecret: secret,
		APIAudience: devidp.APIAudience, Provider: true, ProviderOrg: demo.ProviderOrg,
		OrgClaim: "org", RoleClaim: "roles",
		// People sign in with the password; approving, countersigning,
		// co-signing, downloading and administrators' changes ask again,
		// with the authenticator code (the policy's step-up).
		StepUpACRValues: []string{devidp.ACRMFA},
		Introspection:   &config.Introspection{ClientID: devidp.ResourceServerID, ClientSecret: rsSecret},
	}
}

func publicAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
