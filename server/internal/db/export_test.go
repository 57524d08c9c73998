package db

import "github.com/pressly/goose/v3"

// Provider exposes the migration provider to tests that step through
// versions one by one.
func (d *DB) Provider() (*goose.Provider, error) { return d.provider(nil) }
