package transparency

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"math/bits"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// A Source serves what a recount needs, and nothing private: a published
// report, the log's checkpoint, consistency proofs and the log's leaves.
// The command line implements it over a portal's public API.
type Source interface {
	// Report returns the report's JSON bytes and its signed note; version
	// 0 is the newest.
	Report(ctx context.Context, period string, version int) (body, sig []byte, err error)
	// Checkpoint returns the log's newest signed checkpoint note.
	Checkpoint(ctx context.Context) ([]byte, error)
	// Consistency returns the proof that the tree of size newSize extends
	// the tree of size oldSize.
	Consistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error)
	// Entries returns leaves from index start on, in index order; an
	// empty page means there are no more.
	Entries(ctx context.Context, start int64) ([]IndexedLeaf, error)
}

// An IndexedLeaf is a leaf as a Source serves it.
type IndexedLeaf struct {
	Index int64
	Leaf  []byte
}

// A Result is what Verify found.
type Result struct {
	Report     Report     // as published
	Recount    Report     // as recounted from the log
	Leaves     int64      // leaves fetched and rehashed
	Problems   []string   // signatures, tree, leaves
	Mismatches []Mismatch // numbers the recount does not confirm
}

// OK reports whether everything verified and every number matched.
func (r Result) OK() bool { return len(r.Problems) == 0 && len(r.Mismatches) == 0 }

// memHashes is a tree rebuilt in memory, as tlog stores it.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("hash %d is not in the rebuilt tree", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// Verify recounts a published report from the public log alone. It checks
// the report's signature with v (the log's key, obtained from a source the
// verifier trusts), the log's newest checkpoint and its consistency with
// the checkpoint the report names, fetches the leaves the report counted,
// rebuilds their tree and compares its root, then recounts every number
// under the rules the report states. Everything found wrong is in the
// Result; the error is for what stopped the check (a fetch failed, the
// report is not a report). progress is called with leaves done and total.
func Verify(ctx context.Context, src Source, v note.Verifier, period string, version int, progress func(done, total int64)) (Result, error) {
	var res Result
	problem := func(format string, args ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, args...)) }
	body, sig, err := src.Report(ctx, period, version)
	if err != nil {
		return res, err
	}
	rep, err := ParseReport(body)
	if err != nil {
		return res, err
	}
	res.Report = rep
	if rep.Period != period {
		problem("the portal served the report of %s, not %s", rep.Period, period)
	}
	if err := CheckSignature(v, rep, body, sig); err != nil {
		problem("%v", err)
	}
	if rep.Log.Origin != v.Name() {
		problem("the report was counted from log %q, not %q", rep.Log.Origin, v.Name())
	}
	var root tlog.Hash
	if b, err := base64.StdEncoding.DecodeString(rep.Log.RootHash); err != nil || len(b) != tlog.HashSize {
		problem("the report's root hash %q is malformed", rep.Log.RootHash)
	} else {
		root = tlog.Hash(b)
	}
	size := rep.Log.TreeSize

	// The report's checkpoint must be part of the log everyone else sees.
	msg, err := src.Checkpoint(ctx)
	if err != nil {
		return res, err
	}
	cp, err := openCheckpoint(msg, v)
	switch {
	case err != nil:
		problem("the log's checkpoint: %v", err)
	case cp.Size < size:
		problem("the log's checkpoint has %d leaves, fewer than the %d the report counted: the log shrank", cp.Size, size)
	case cp.Size == size && cp.Hash != root:
		problem("the log's checkpoint of %d leaves has another root than the report's: the log forked", size)
	case cp.Size > size && size > 0:
		proof, err := src.Consistency(ctx, size, cp.Size)
		if err != nil {
			return res, err
		}
		if err := tlog.CheckTree(proof, cp.Size, cp.Hash, size, root); err != nil {
			problem("the log of %d leaves does not extend the tree of %d leaves the report names: %v", cp.Size, size, err)
		}
	}

	// Fetch, rehash and recount the leaves the report counted.
	p, err := ParsePeriod(rep.Period)
	if err != nil {
		return res, fmt.Errorf("the report's period: %w", err)
	}
	// Parsing and counting run beside the rehashing, which must go in
	// index order: on two cores the recount then takes about as long as
	// the hashing alone. Two pages may wait for it (a portal's page is up
	// to 100,000 leaves, 30 MB).
	c := NewCounter(p)
	pages := make(chan []IndexedLeaf, 2)
	counted := make(chan []string, 1)
	go func() {
		var probs []string
		for page := range pages {
			for _, e := range page {
				if rec, err := translog.ParseRecord(e.Leaf); err != nil {
					probs = append(probs, fmt.Sprintf("leaf %d: %v", e.Index, err))
				} else {
					c.Add(rec)
				}
			}
		}
		counted <- probs
	}()
	closed := false
	finish := func() []string {
		if closed {
			return nil
		}
		closed = true
		close(pages)
		return <-counted
	}
	defer finish()
	tree := make(memHashes, 0, 2*size)
	hasher := sha256.New()
	next := int64(0) // the tree position of the next leaf
	from := int64(0) // the index to fetch from: after the last one served
	gap := false
	for next < size {
		page, err := src.Entries(ctx, from)
		if err != nil {
			return res, err
		}
		if len(page) == 0 {
			problem("the portal served %d leaves, but the report counted %d", next, size)
			break
		}
		used := 0
		for _, e := range page {
			if next >= size {
				break
			}
			used++
			if e.Index != next && !gap {
				gap = true
				problem("leaf %d is missing: the portal served leaf %d after leaf %d", next, e.Index, next-1)
			}
			from = e.Index + 1
			tree = appendStoredHashes(tree, next, e.Leaf, hasher)
			next++
			res.Leaves++
			if progress != nil && res.Leaves%(1<<14) == 0 {
				progress(res.Leaves, size)
			}
		}
		pages <- page[:used]
	}
	res.Problems = append(res.Problems, finish()...)
	if progress != nil {
		progress(res.Leaves, size)
	}
	if next == size && size > 0 {
		got, err := tlog.TreeHash(size, tree)
		if err != nil {
			return res, err
		}
		if got != root {
			problem("the %d leaves served do not hash to the root the report names: a leaf was dropped, changed, added or moved", size)
		}
	}
	res.Recount = c.Report(rep.Rules, Meta{Version: rep.Version, Correction: rep.Correction, PublishedAt: rep.PublishedAt, Log: rep.Log})
	res.Mismatches = Compare(rep, res.Recount)
	return res, nil
}

// appendStoredHashes appends to tree, which holds the stored hashes of
// leaves 0 to n-1, those of leaf n: what tlog.StoredHashes returns, without
// its three allocations a leaf (a tenth of the rehashing). h is the hasher
// to reuse.
func appendStoredHashes(tree memHashes, n int64, leaf []byte, h hash.Hash) memHashes {
	var rh tlog.Hash
	h.Reset()
	h.Write([]byte{0}) // RFC 6962 leaf prefix, as tlog.RecordHash
	h.Write(leaf)
	h.Sum(rh[:0])
	tree = append(tree, rh)
	// Leaf n completes one interior node for each trailing one bit of n;
	// the left sibling at level i is the node (n>>i)-1 there.
	for i := range bits.TrailingZeros64(uint64(n + 1)) {
		rh = tlog.NodeHash(tree[tlog.StoredHashIndex(i, n>>uint(i)-1)], rh)
		tree = append(tree, rh)
	}
	return tree
}

// openCheckpoint verifies a checkpoint note with v and parses it.
func openCheckpoint(msg []byte, v note.Verifier) (translog.Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return translog.Checkpoint{}, fmt.Errorf("signature: %w", err)
	}
	origin, size, root, err := translog.ParseCheckpoint(n.Text)
	if err != nil {
		return translog.Checkpoint{}, err
	}
	if origin != v.Name() {
		return translog.Checkpoint{}, fmt.Errorf("checkpoint of log %q, not %q", origin, v.Name())
	}
	return translog.Checkpoint{Origin: origin, Size: size, Hash: root, Note: msg}, nil
}
