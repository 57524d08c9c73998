// Package frontend holds the server-rendered pages: html/template files and
// static assets, embedded into the binary. Pages work without JavaScript.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed templates static locales
var files embed.FS

// Templates holds layout/, partials/ and pages/ (one file per page).
var Templates = mustSub("templates")

// Locales holds the translation catalogues, <language>/*.json (package
// locale reads them; locales/README.md tells translators how).
var Locales = mustSub("locales")

// Static holds the CSS and images served under /static/<hash>/.
var Static = mustSub("static")

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // embedded above; cannot fail at run time
	}
	return sub
}
