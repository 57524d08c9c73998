package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Local is a Store in a directory on the local file system. A blob lives at
// dir/ab/cd/<sha256> (the first two byte pairs of its hash fan the files out
// over subdirectories). Writes go to a temporary file in dir, are synced,
// and are renamed into place, so a reader never sees a partial blob and a
// crash leaves at most a stray temporary file.
type Local struct {
	dir string
}

var _ Store = (*Local)(nil)

// tempPrefix marks files that are being written; they are never blobs.
const tempPrefix = ".put-"

// NewLocal returns a Store rooted at dir, creating the directory if needed.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("blob: the directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: resolve %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", abs, err)
	}
	return &Local{dir: abs}, nil
}

// path returns where the blob with a validated key lives.
func (l *Local) path(key string) string {
	return filepath.Join(l.dir, key[0:2], key[2:4], key)
}

// Put implements Store.
func (l *Local) Put(ctx context.Context, r io.Reader) (obj Object, err error) {
	tmp, obj, err := spool(ctx, l.dir, r)
	if err != nil {
		return Object{}, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Sync(); err != nil {
		return Object{}, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Object{}, fmt.Errorf("blob: close: %w", err)
	}
	dst := l.path(obj.SHA256)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Object{}, fmt.Errorf("blob: create directory: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return Object{}, fmt.Errorf("blob: chmod: %w", err)
	}
	// Rename is atomic: if the blob is already present (a concurrent or an
	// earlier Put of the same content), it is replaced by identical, freshly
	// verified bytes, and readers see the old file or the new one, whole.
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Object{}, fmt.Errorf("blob: rename into place: %w", err)
	}
	// Sync the directory so the new name survives a crash.
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return Object{}, err
	}
	return obj, nil
}

// spool copies r to a new temporary file in dir while hashing it: a
// blob's key is known only once all of it has been read. On error nothing
// is left behind.
func spool(ctx context.Context, dir string, r io.Reader) (*os.File, Object, error) {
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return nil, Object{}, fmt.Errorf("blob: create temporary file: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), &ctxReader{ctx: ctx, r: r})
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, Object{}, fmt.Errorf("blob: write: %w", err)
	}
	return tmp, Object{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: open directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blob: sync directory: %w", err)
	}
	return nil
}

// Open implements Store.
func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, InvalidKey()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, NotFound(key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	return &verifier{f: f, h: sha256.New(), key: key}, nil
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return InvalidKey()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := os.Remove(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return NotFound(key)
	}
	if err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Stat implements Store.
func (l *Local) Stat(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return Object{}, InvalidKey()
	}
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	fi, err := os.Stat(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return Object{}, NotFound(key)
	}
	if err != nil {
		return Object{}, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return Object{}, NotFound(key)
	}
	return Object{SHA256: key, Size: fi.Size()}, nil
}

// ctxReader stops a long copy when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// verifier hashes what it reads and, at the end, turns io.EOF into a
// corruption error if the content does not match the key: a damaged or
// substituted file is never served as if it were the original.
type verifier struct {
	f   io.ReadCloser
	h   hash.Hash
	key string
	err error // sticky: once corrupt, every later read says so
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		if hex.EncodeToString(v.h.Sum(nil)) != v.key {
			err = Corrupt(v.key)
		}
		v.err = err
	}
	return n, err
}

func (v *verifier) Close() error { return v.f.Close() }
