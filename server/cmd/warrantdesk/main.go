// Command warrantdesk runs the metadata-only warrant request portal.
//
//	warrantdesk serve [--demo]     run the portal (the default)
//	warrantdesk migrate            apply database migrations and exit
//	warrantdesk seed               create the demo agencies; --accounts N --days D writes synthetic
//	                               retained metadata; --history N files N past requests
//	warrantdesk verify-log         recompute the audit chain and the transparency log, check signatures
//	warrantdesk report publish     publish a period's transparency report
//	warrantdesk report verify      recount a published report from a portal's public log
//	warrantdesk log-key            print a new transparency-log signing key and its verifier key
//	warrantdesk healthcheck        exit 0 if the portal answers GET /readyz with 200 (the image's HEALTHCHECK)
//	warrantdesk version            print the version
//	warrantdesk help               list the commands and every setting
//
// Settings are listed in one table, server/internal/config; each
// subcommand parses them and its own flags on one flag set.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
