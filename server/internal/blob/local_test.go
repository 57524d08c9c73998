package blob_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/blob/blobtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

func mustLocal(t *testing.T) (*blob.Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	l, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatalf("NewLocal: %v", err)
	}
	return l, dir
}

func TestLocal(t *testing.T) {
	l, dir := mustLocal(t)
	blobtest.TestStore(t, l)
	// Failed and cancelled Puts must not leave temporary files behind.
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".put-") {
			left = append(left, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return left
}

func TestLocalLayout(t *testing.T) {
	l, dir := mustLocal(t)
	obj := blobtest.MustPut(t, l, []byte("layout"))
	want := filepath.Join(dir, obj.SHA256[:2], obj.SHA256[2:4], obj.SHA256)
	if _, err := os.Stat(want); err != nil {
		t.Errorf("blob not at %s: %v", want, err)
	}
}

func TestLocalDetectsCorruption(t *testing.T) {
	for _, tc := range []struct {
		desc    string
		corrupt []byte
	}{
		{desc: "same length, different bytes", corrupt: []byte("THE ORIGINAL BYTES")},
		{desc: "truncated", corrupt: []byte("the original")},
		{desc: "appended", corrupt: []byte("the original bytes and more")},
		{desc: "emptied", corrupt: nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			l, dir := mustLocal(t)
			obj := blobtest.MustPut(t, l, []byte("the original bytes"))
			path := filepath.Join(dir, obj.SHA256[:2], obj.SHA256[2:4], obj.SHA256)
			if err := os.Chmod(path, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.corrupt, 0o600); err != nil {
				t.Fatal(err)
			}
			rc, err := l.Open(context.Background(), obj.SHA256)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer rc.Close()
			_, err = io.ReadAll(rc)
			if !errors.Is(err, blob.ErrCorrupt) {
				t.Fatalf("ReadAll: error = %v, want ErrCorrupt", err)
			}
			if got, want := errs.CodeOf(err), errs.Internal; got != want {
				t.Errorf("code = %s, want %s", got, want)
			}
			// The error is sticky: a caller that reads again is not told EOF.
			if _, err := rc.Read(make([]byte, 8)); !errors.Is(err, blob.ErrCorrupt) {
				t.Errorf("second Read: error = %v, want ErrCorrupt", err)
			}
			// Storing the original again repairs the blob.
			blobtest.MustPut(t, l, []byte("the original bytes"))
			if got := blobtest.MustRead(t, l, obj.SHA256); string(got) != "the original bytes" {
				t.Errorf("after repair: %q", got)
			}
		})
	}
}

func TestNewLocalEmptyDir(t *testing.T) {
	if _, err := blob.NewLocal(""); err == nil {
		t.Error("NewLocal(\"\") succeeded, want an error")
	}
}
