// Package blob stores immutable byte objects (court documents, productions)
// addressed by the SHA-256 of their content. Only the hash and size go into
// the database; the bytes live behind Store, which is a local directory by
// default (Local) and may be S3-compatible storage.
//
// Keys are never names chosen by a user: a key is exactly 64 lowercase hex
// digits, checked by every operation, so no outside input can become a path.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// An Object describes a stored blob.
type Object struct {
	SHA256 string // lowercase hex, the blob's key
	Size   int64  // bytes
}

// A Store keeps content-addressed blobs. Implementations are safe for
// concurrent use by several goroutines and several processes sharing the
// same storage.
type Store interface {
	// Put stores the bytes of r and returns their hash and size. Storing
	// content that is already present succeeds and changes nothing. A failed
	// Put (a read error, a cancelled ctx) leaves nothing behind.
	Put(ctx context.Context, r io.Reader) (Object, error)

	// Open returns the blob's content. The reader verifies the hash while it
	// streams: if the stored bytes no longer match the key, the read that
	// reaches the end returns an error wrapping ErrCorrupt instead of io.EOF.
	// Returns an error wrapping ErrNotFound (code NotFound) for a missing blob
	// and ErrInvalidKey (code Invalid) for a malformed key.
	Open(ctx context.Context, sha256 string) (io.ReadCloser, error)

	// Delete removes the blob. Returns ErrNotFound or ErrInvalidKey as Open does.
	Delete(ctx context.Context, sha256 string) error

	// Stat returns the blob's size. Returns ErrNotFound or ErrInvalidKey as Open does.
	Stat(ctx context.Context, sha256 string) (Object, error)
}

// Sentinels. Errors returned by a Store wrap them inside an *errs.Error, so
// callers can branch with errors.Is and the web layer still sees a code.
var (
	// ErrNotFound: no blob has this key. Surface as 404.
	ErrNotFound = errors.New("blob not found")
	// ErrInvalidKey: the key is not 64 lowercase hex digits. A caller bug
	// or hostile input; never retry.
	ErrInvalidKey = errors.New("blob key is not a lowercase hex SHA-256")
	// ErrCorrupt: the stored bytes do not hash to their key. The storage was
	// damaged or tampered with; an operator must restore the blob.
	ErrCorrupt = errors.New("blob content does not match its SHA-256")
)

// ValidKey reports whether key is a well-formed blob key: exactly 64
// lowercase hexadecimal digits.
func ValidKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// NotFound returns the error a Store reports for a missing blob.
func NotFound(key string) error {
	return errs.Wrap(fmt.Errorf("blob %s: %w", key, ErrNotFound), errs.NotFound, "The file was not found.")
}

// InvalidKey returns the error a Store reports for a malformed key.
func InvalidKey() error {
	return errs.Wrap(ErrInvalidKey, errs.Invalid, "The file reference is not valid.")
}

// Corrupt returns the error a Store's reader reports when content and key
// disagree. It is Internal: the person sees "Internal error." and the
// operator's log names the key.
func Corrupt(key string) error {
	return errs.Wrap(&corruptError{key: key}, errs.Internal, "")
}

type corruptError struct{ key string }

func (e *corruptError) Error() string { return "blob " + e.key + ": " + ErrCorrupt.Error() }
func (e *corruptError) Unwrap() error { return ErrCorrupt }
