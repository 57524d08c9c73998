package policy_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/warrantdesk/warrantdesk/policies"
)

// bundleCopy returns the embedded bundle as a map the test may change.
func bundleCopy(tb testing.TB) fstest.MapFS {
	tb.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		tb.Fatalf("copy bundle: %v", err)
	}
	return m
}

// withFile is the embedded bundle with one file replaced or added.
func withFile(tb testing.TB, name, src string) fs.FS {
	tb.Helper()
	m := bundleCopy(tb)
	m[name] = &fstest.MapFile{Data: []byte(src)}
	return m
}

// withoutFile is the embedded bundle without one file.
func withoutFile(tb testing.TB, name string) fs.FS {
	tb.Helper()
	m := bundleCopy(tb)
	if _, ok := m[name]; !ok {
		tb.Fatalf("bundle has no %s", name)
	}
	delete(m, name)
	return m
}

// osDirFS writes the embedded bundle to a directory, as an operator's
// override would be, and opens it.
func osDirFS(tb testing.TB) fs.FS {
	tb.Helper()
	dir := tb.TempDir()
	for name, f := range bundleCopy(tb) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return os.DirFS(dir)
}
