// Package migrations holds the versioned SQL schema, one folder per dialect
// with the same version numbers, applied by goose from this embedded FS.
// Files are append-only: a released migration is never edited, a change is a
// new file in both folders.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// SQLite is the schema for the embedded SQLite database.
var SQLite = mustSub("sqlite")

// Postgres is the schema for PostgreSQL.
var Postgres = mustSub("postgres")

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail at run time
	}
	return sub
}
