// Command warrantdesk runs the metadata-only warrant request portal.
//
//	warrantdesk serve [--demo]   run the portal (the default)
//	warrantdesk migrate          apply database migrations and exit
//	warrantdesk seed             create the demo agencies (and, later, synthetic data)
//	warrantdesk version          print the version
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
