package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// runLogKey prints a new transparency-log signing key on stdout (for
// WARRANTDESK_LOG_KEY_FILE; every replica must share it) and its public
// verifier key on stderr (publish it; /api/v1/log/key serves it too).
func runLogKey(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("log-key", flag.ContinueOnError)
	name := fs.String("name", "warrantdesk", "the key's name, shown in signed checkpoints (e.g. the portal's host name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	skey, vkey, err := translog.GenerateKey(*name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, skey)
	fmt.Fprintln(stderr, "verifier key (public):", vkey)
	return nil
}
