package main

import (
	"context"
	"fmt"
	"io"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// runMigrate applies pending migrations and exits: the one-shot job that runs
// before replicas start, so replicas never race to change the schema.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(config.Command{Name: "migrate", Usage: "usage: warrantdesk migrate [flags]"}, args, getenv, stdout)
	if err != nil {
		return err
	}
	cfg.Migrate = true
	log := newLogger(stderr, cfg.LogLevel)
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintf(stdout, "database schema is current (%s)\n", d.Dialect)
	return nil
}
