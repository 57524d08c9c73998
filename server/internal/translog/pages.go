package translog

import (
	"fmt"
	"os"
	"path/filepath"
)

// A PageCache keeps complete pages of the log's bulk form as files: a page
// of MaxLeaves leaves starting at a multiple of MaxLeaves. The log is
// append-only, so such a page never changes once the log holds all its
// leaves, and serving it again costs a file read instead of a database
// scan (the way transparency logs serve tiles). A recount checks every leaf
// against the signed tree, so a cached page can be trusted no more and no
// less than one read from the database.
type PageCache struct {
	Dir string // "" disables the cache
}

// Cacheable reports whether leaves [start, end) form a complete page.
func Cacheable(start, end int64) bool { return start%MaxLeaves == 0 && end-start == MaxLeaves }

func (c PageCache) path(start int64) string {
	return filepath.Join(c.Dir, fmt.Sprintf("leaves-%012d.ndjson", start))
}

// Open returns the cached page that starts at start, or nil when there is
// none (or the cache is off).
func (c PageCache) Open(start int64) *os.File {
	if c.Dir == "" {
		return nil
	}
	f, err := os.Open(c.path(start))
	if err != nil {
		return nil
	}
	return f
}

// A PageWriter stores a page as it is served; only Commit makes it
// visible, so a page cut short is never cached.
type PageWriter struct {
	f     *os.File
	final string
	err   error // the first write error: the page is then not kept
}

// Create starts caching the page that starts at start. It fails when the
// cache is off or its directory cannot be written (a read-only replica):
// serve the page without caching it then.
func (c PageCache) Create(start int64) (*PageWriter, error) {
	if c.Dir == "" {
		return nil, fmt.Errorf("translog: no page cache")
	}
	if err := os.MkdirAll(c.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("translog: page cache: %w", err)
	}
	f, err := os.CreateTemp(c.Dir, ".page-*")
	if err != nil {
		return nil, fmt.Errorf("translog: page cache: %w", err)
	}
	return &PageWriter{f: f, final: c.path(start)}, nil
}

// Write implements io.Writer. It never fails: a cache that cannot be
// written (a full disk) must not cut the response it copies; Commit
// reports the error and keeps nothing.
func (w *PageWriter) Write(p []byte) (int, error) {
	if w.err == nil {
		_, w.err = w.f.Write(p)
	}
	return len(p), nil
}

// Commit makes the page visible to Open; concurrent writers of one page
// each rename a complete copy, so the last one wins harmlessly.
func (w *PageWriter) Commit() error {
	if w.err != nil {
		w.Abort()
		return fmt.Errorf("translog: page cache: %w", w.err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("translog: page cache: %w", err)
	}
	if err := os.Rename(w.f.Name(), w.final); err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("translog: page cache: %w", err)
	}
	return nil
}

// Abort discards the page.
func (w *PageWriter) Abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}
