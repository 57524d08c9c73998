package logclient

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint is a verified C2SP tlog-checkpoint: the log's size and root
// hash, signed by its key.
type Checkpoint struct {
	Origin string    // the log's name, which is its key's name
	Size   int64     // leaves in the tree
	Root   tlog.Hash // the tree's root hash
	Note   []byte    // the signed note, as served: keep it to check the next one against
}

// OpenCheckpoint checks a checkpoint note's signature with v and parses its
// text: origin (which must be the key's name), tree size, base64 root
// hash, then optional extension lines.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	if v == nil {
		return Checkpoint{}, errors.New("no verifier key to check the checkpoint's signature with")
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return Checkpoint{}, errors.New("malformed checkpoint")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, errors.New("malformed checkpoint size")
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return Checkpoint{}, errors.New("malformed checkpoint root hash")
	}
	if lines[0] != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint of log %q, not %q", lines[0], v.Name())
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: tlog.Hash(h), Note: msg}, nil
}

// Checkpoint returns the log's newest checkpoint note as the portal serves
// it, unverified; SignedCheckpoint verifies it.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.get(ctx, "/api/v1/log/checkpoint")
}

// SignedCheckpoint returns the log's newest checkpoint, verified with
// c.Verifier.
func (c *Client) SignedCheckpoint(ctx context.Context) (Checkpoint, error) {
	msg, err := c.Checkpoint(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	return OpenCheckpoint(msg, c.Verifier)
}

// Consistency returns the portal's proof that the tree of newSize leaves
// extends the tree of oldSize leaves, unchecked; CheckConsistency checks
// one.
func (c *Client) Consistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	var out struct {
		Proof [][]byte `json:"proof"`
	}
	q := url.Values{"old": {strconv.FormatInt(oldSize, 10)}, "new": {strconv.FormatInt(newSize, 10)}}
	if err := c.getJSON(ctx, "/api/v1/log/proof/consistency?"+q.Encode(), &out); err != nil {
		return nil, err
	}
	proof, err := proofHashes(out.Proof)
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return proof, nil
}

// CheckConsistency proves that cp's tree extends prev's: the log only grew
// between them. It fails if the log shrank or forked, or the portal's
// proof does not hold.
func (c *Client) CheckConsistency(ctx context.Context, prev, cp Checkpoint) error {
	switch {
	case prev.Size > cp.Size:
		return fmt.Errorf("the log shrank: the saved checkpoint has %d leaves, the current one %d", prev.Size, cp.Size)
	case prev.Size == cp.Size:
		if prev.Root != cp.Root {
			return fmt.Errorf("two checkpoints of %d leaves with different roots: the log forked", cp.Size)
		}
		return nil
	case prev.Size == 0:
		return nil // every tree extends the empty tree
	}
	proof, err := c.Consistency(ctx, prev.Size, cp.Size)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, cp.Size, cp.Root, prev.Size, prev.Root); err != nil {
		return fmt.Errorf("the log of %d leaves does not extend the saved one of %d: %w", cp.Size, prev.Size, err)
	}
	return nil
}

// proofHashes turns proof hashes as the API and receipts carry them
// (base64 in JSON, decoded by encoding/json) into tlog's.
func proofHashes(in [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(in))
	for i, h := range in {
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("malformed proof hash: %d bytes, not %d", len(h), tlog.HashSize)
		}
		out[i] = tlog.Hash(h)
	}
	return out, nil
}
