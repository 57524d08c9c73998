package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// commonFlags are accepted by every subcommand that touches the database.
var commonFlags = []string{"data-dir", "database-url", "log-level"}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, args, getenv, stdout, stderr, nil)
	case "migrate":
		err = runMigrate(ctx, args, getenv, stdout, stderr)
	case "seed":
		err = runSeed(ctx, args, getenv, stdout, stderr)
	case "verify-log":
		err = runVerifyLog(ctx, args, getenv, stdout, stderr)
	case "report":
		err = runReport(ctx, args, getenv, stdout, stderr)
	case "log-key":
		err = runLogKey(ctx, args, stdout, stderr)
	case "healthcheck":
		err = runHealthcheck(ctx, args, getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, "warrantdesk", buildVersion())
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "warrantdesk: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "warrantdesk %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: warrantdesk <command> [flags]

commands:
  serve      run the portal (default); --demo runs the embedded OpenID Provider with demo agencies
  migrate    apply pending database migrations and exit
  seed       create the demo agencies; --accounts N --days D writes synthetic retained metadata;
             --history N files N past requests through the portal's services
  verify-log recompute the audit chain and the transparency log and check their signatures
  report     publish a period's transparency report, or verify one from a portal's public log
  log-key    print a new transparency-log signing key (stdout) and its public verifier key (stderr)
  healthcheck
             exit 0 if the portal at --addr (WARRANTDESK_ADDR) answers GET /readyz with 200, else 1
  version    print the version
  help       this text: the commands and every setting

Configuration comes from WARRANTDESK_* environment variables; flags override them.
Run 'warrantdesk <command> -h' for the flags of a command. The settings:

`)
	config.PrintSettings(w)
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return version
}

// loadConfig reads the configuration of one subcommand: the settings it
// offers as flags beside commonFlags, and its own flags, on one flag set
// (whose -h writes to stdout).
func loadConfig(cmd config.Command, args []string, getenv func(string) string, stdout io.Writer) (config.Config, error) {
	cmd.Flags = append(slices.Clone(commonFlags), cmd.Flags...)
	return config.Load(cmd, args, getenv, stdout)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
