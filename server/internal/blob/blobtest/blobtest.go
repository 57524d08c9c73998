// Package blobtest is the conformance test every blob.Store implementation
// must pass: run TestStore against a fresh, empty store.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// TestStore checks that s behaves as blob.Store documents. s must be empty
// and must not be shared with another test running at the same time.
func TestStore(t *testing.T, s blob.Store) {
	t.Run("PutOpenStat", func(t *testing.T) { testPutOpenStat(t, s) })
	t.Run("PutIdempotent", func(t *testing.T) { testPutIdempotent(t, s) })
	t.Run("Empty", func(t *testing.T) { testEmpty(t, s) })
	t.Run("Large", func(t *testing.T) { testLarge(t, s) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, s) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, s) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, s) })
	t.Run("FailedPutLeavesNothing", func(t *testing.T) { testFailedPut(t, s) })
	t.Run("CancelledPut", func(t *testing.T) { testCancelledPut(t, s) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, s) })
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// MustPut stores b and checks the returned object.
func MustPut(tb testing.TB, s blob.Store, b []byte) blob.Object {
	tb.Helper()
	obj, err := s.Put(context.Background(), bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("Put: %v", err)
	}
	if got, want := obj.SHA256, sum(b); got != want {
		tb.Fatalf("Put: SHA256 = %s, want %s", got, want)
	}
	if got, want := obj.Size, int64(len(b)); got != want {
		tb.Fatalf("Put: Size = %d, want %d", got, want)
	}
	return obj
}

// MustRead returns the content of the blob key.
func MustRead(tb testing.TB, s blob.Store, key string) []byte {
	tb.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		tb.Fatalf("Open(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatalf("read %s: %v", key, err)
	}
	return b
}

func wantNotFound(tb testing.TB, op string, err error) {
	tb.Helper()
	if !errors.Is(err, blob.ErrNotFound) {
		tb.Errorf("%s: error = %v, want one wrapping blob.ErrNotFound", op, err)
	}
	if got, want := errs.CodeOf(err), errs.NotFound; got != want {
		tb.Errorf("%s: code = %s, want %s", op, got, want)
	}
}

func testPutOpenStat(t *testing.T, s blob.Store) {
	content := []byte("%PDF-1.7 a signed order")
	obj := MustPut(t, s, content)
	if got := MustRead(t, s, obj.SHA256); !bytes.Equal(got, content) {
		t.Errorf("Open: content = %q, want %q", got, content)
	}
	st, err := s.Stat(context.Background(), obj.SHA256)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if got, want := st, obj; got != want {
		t.Errorf("Stat = %+v, want %+v", got, want)
	}
}

func testPutIdempotent(t *testing.T, s blob.Store) {
	content := []byte("stored twice")
	a := MustPut(t, s, content)
	b := MustPut(t, s, content)
	if a != b {
		t.Errorf("second Put = %+v, want %+v", b, a)
	}
	if got := MustRead(t, s, a.SHA256); !bytes.Equal(got, content) {
		t.Errorf("content after second Put = %q, want %q", got, content)
	}
}

func testEmpty(t *testing.T, s blob.Store) {
	obj := MustPut(t, s, nil)
	if got := MustRead(t, s, obj.SHA256); len(got) != 0 {
		t.Errorf("empty blob reads %d bytes", len(got))
	}
}

func testLarge(t *testing.T, s blob.Store) {
	content := make([]byte, 3<<20+17)
	if _, err := rand.Read(content); err != nil {
		t.Fatal(err)
	}
	obj := MustPut(t, s, content)
	if got := MustRead(t, s, obj.SHA256); !bytes.Equal(got, content) {
		t.Errorf("large blob content differs (%d bytes read, want %d)", len(got), len(content))
	}
}

func testMissing(t *testing.T, s blob.Store) {
	ctx := context.Background()
	key := sum([]byte("never stored"))
	_, err := s.Open(ctx, key)
	wantNotFound(t, "Open", err)
	_, err = s.Stat(ctx, key)
	wantNotFound(t, "Stat", err)
	wantNotFound(t, "Delete", s.Delete(ctx, key))
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := context.Background()
	valid := sum([]byte("x"))
	MustPut(t, s, []byte("x"))
	for _, tc := range []struct {
		desc string
		key  string
	}{
		{desc: "empty", key: ""},
		{desc: "short", key: valid[:63]},
		{desc: "long", key: valid + "0"},
		{desc: "uppercase", key: strings.ToUpper(valid)},
		{desc: "traversal", key: "../../../../../../../../etc/passwd"},
		{desc: "traversal of hex length", key: "../" + valid[3:]},
		{desc: "slash", key: valid[:2] + "/" + valid[3:]},
		{desc: "nul", key: valid[:63] + "\x00"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if _, err := s.Open(ctx, tc.key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Open: error = %v, want ErrInvalidKey", err)
			}
			if _, err := s.Stat(ctx, tc.key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Stat: error = %v, want ErrInvalidKey", err)
			}
			if err := s.Delete(ctx, tc.key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Delete: error = %v, want ErrInvalidKey", err)
			}
		})
	}
	if got := MustRead(t, s, valid); string(got) != "x" {
		t.Errorf("a valid blob was disturbed: %q", got)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	obj := MustPut(t, s, []byte("to be deleted"))
	keep := MustPut(t, s, []byte("to be kept"))
	if err := s.Delete(ctx, obj.SHA256); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Open(ctx, obj.SHA256)
	wantNotFound(t, "Open after Delete", err)
	_, err = s.Stat(ctx, obj.SHA256)
	wantNotFound(t, "Stat after Delete", err)
	wantNotFound(t, "second Delete", s.Delete(ctx, obj.SHA256))
	if got := MustRead(t, s, keep.SHA256); string(got) != "to be kept" {
		t.Errorf("another blob was disturbed: %q", got)
	}
	// Content can come back after deletion.
	MustPut(t, s, []byte("to be deleted"))
}

// failingReader yields some bytes and then an error, like a client that
// disconnects in the middle of an upload.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func testFailedPut(t *testing.T, s blob.Store) {
	ctx := context.Background()
	partial := []byte("the first half of an upload")
	boom := errors.New("connection reset")
	_, err := s.Put(ctx, &failingReader{data: partial, err: boom})
	if !errors.Is(err, boom) {
		t.Fatalf("Put: error = %v, want one wrapping %v", err, boom)
	}
	_, err = s.Stat(ctx, sum(partial))
	wantNotFound(t, "Stat of a failed Put's partial content", err)
}

func testCancelledPut(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	content := []byte("cancelled before it started")
	if _, err := s.Put(ctx, bytes.NewReader(content)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put: error = %v, want context.Canceled", err)
	}
	_, err := s.Stat(context.Background(), sum(content))
	wantNotFound(t, "Stat of a cancelled Put", err)
}

func testConcurrent(t *testing.T, s blob.Store) {
	const n = 8
	same := bytes.Repeat([]byte("same content "), 10000)
	var wg sync.WaitGroup
	errc := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			obj, err := s.Put(context.Background(), bytes.NewReader(same))
			if err == nil && obj.SHA256 != sum(same) {
				err = errors.New("wrong hash " + obj.SHA256)
			}
			errc <- err
		}()
		go func(i int) {
			defer wg.Done()
			own := []byte(strings.Repeat("own ", i+1))
			_, err := s.Put(context.Background(), bytes.NewReader(own))
			errc <- err
		}(i)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("concurrent Put: %v", err)
		}
	}
	if got := MustRead(t, s, sum(same)); !bytes.Equal(got, same) {
		t.Errorf("content after concurrent Puts differs")
	}
	for i := 0; i < n; i++ {
		own := []byte(strings.Repeat("own ", i+1))
		if got := MustRead(t, s, sum(own)); !bytes.Equal(got, own) {
			t.Errorf("blob %d: content %q, want %q", i, got, own)
		}
	}
}
