package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
)

// TestSQLiteFilesArePrivate: the database file, and the -wal and -shm files
// SQLite makes beside it, are created readable by their owner only.
func TestSQLiteFilesArePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "warrantdesk.db")
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(name), err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s is %#o, want 0600", filepath.Base(name), got)
		}
	}

	t.Run("ExistingFileKept", func(t *testing.T) {
		// A file the operator made (or restored) is opened as it is.
		path := filepath.Join(t.TempDir(), "restored.db")
		if err := os.WriteFile(path, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		d, err := db.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("an existing file's mode changed to %v", fi.Mode())
		}
	})
}
