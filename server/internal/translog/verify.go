package translog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
)

// A Problem is one place where the stored log is not what Append wrote.
type Problem struct {
	Index  int64  // the first leaf concerned
	Reason string // what is wrong, for the operator
}

// A TreeReport is what VerifyTree found.
type TreeReport struct {
	Leaves      int64      // leaves read and rehashed
	Size        int64      // the size the head row states
	Checkpoints int        // stored checkpoints checked
	Latest      Checkpoint // the newest checkpoint, if it verified
	Old         Checkpoint // the saved checkpoint checked for consistency, if one was given
	Problems    []Problem  // in index order; empty when the log is intact
	More        int        // further problems found but not listed
}

// OK reports whether the log is intact.
func (r TreeReport) OK() bool { return len(r.Problems) == 0 }

const maxProblems = 20

// memHashes is the recomputed tree, as tlog stores it.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("stored hash %d is beyond the recomputed tree", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// VerifyTree recomputes the whole tree from the stored leaves and checks,
// against it: that leaf indexes have no gaps and match the head row, that
// every leaf is a canonical record, that every stored hash (which proofs are
// built from) is the recomputed one, that every stored checkpoint is signed
// by v and states the recomputed root at its size, and, if old is not nil,
// that the saved checkpoint old (a signed note) is signed by v and consistent
// with the log: the tree still starts with the tree old describes. progress,
// if not nil, is called now and then with leaves done and the total. The
// error is for a failure to read; what is wrong with the log is in the
// report.
func VerifyTree(ctx context.Context, db *gorm.DB, v note.Verifier, old []byte, progress func(done, total int64)) (TreeReport, error) {
	if v == nil {
		return TreeReport{}, errors.New("translog: verify: the log's verifier key is needed")
	}
	db = db.WithContext(ctx)
	var rep TreeReport
	add := func(index int64, format string, args ...any) {
		if len(rep.Problems) >= maxProblems {
			rep.More++
			return
		}
		rep.Problems = append(rep.Problems, Problem{Index: index, Reason: fmt.Sprintf(format, args...)})
	}

	// Checkpoints, then the head, then the leaves: each read sees at least
	// what the one before committed to, so concurrent appends are not
	// mistaken for tampering.
	var cps []SignedCheckpoint
	if err := db.Order("size").Find(&cps).Error; err != nil {
		return rep, fmt.Errorf("translog: read checkpoints: %w", err)
	}
	n, err := size(ctx, db)
	if err != nil {
		return rep, err
	}
	rep.Size = n

	var hashes memHashes
	rows, err := db.Raw("SELECT idx, leaf FROM tlog_leaves WHERE idx < ? ORDER BY idx", n).Rows()
	if err != nil {
		return rep, fmt.Errorf("translog: read leaves: %w", err)
	}
	defer rows.Close()
	next := int64(0)
	for rows.Next() {
		var idx int64
		var leaf []byte
		if err := rows.Scan(&idx, &leaf); err != nil {
			return rep, fmt.Errorf("translog: read leaf after %d: %w", next-1, err)
		}
		if idx != next {
			// Everything after a gap is at the wrong place in the tree;
			// the first missing index is what matters.
			add(next, "leaf %d is missing (deleted or moved): the next stored leaf is %d", next, idx)
			break
		}
		if _, err := ParseRecord(leaf); err != nil {
			add(idx, "leaf %d is not a canonical record (edited): %v", idx, err)
		}
		hs, err := tlog.StoredHashes(idx, leaf, hashes)
		if err != nil {
			return rep, fmt.Errorf("translog: rehash leaf %d: %w", idx, err)
		}
		hashes = append(hashes, hs...)
		next++
		rep.Leaves++
		if progress != nil && rep.Leaves%(1<<14) == 0 {
			progress(rep.Leaves, n)
		}
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("translog: read leaves: %w", err)
	}
	rows.Close()
	if next < n && (len(rep.Problems) == 0 || rep.Problems[len(rep.Problems)-1].Index != next) {
		add(next, "leaves %d to %d are missing: the head row states %d leaves (the tail was truncated)", next, n-1, n)
	}
	if progress != nil {
		progress(rep.Leaves, n)
	}

	// The stored hashes, against the recomputed ones.
	hrows, err := db.Raw("SELECT id, hash FROM tlog_hashes WHERE id < ? ORDER BY id", int64(len(hashes))).Rows()
	if err != nil {
		return rep, fmt.Errorf("translog: read stored hashes: %w", err)
	}
	defer hrows.Close()
	want := int64(0)
	for hrows.Next() {
		var id int64
		var h []byte
		if err := hrows.Scan(&id, &h); err != nil {
			return rep, fmt.Errorf("translog: read stored hash: %w", err)
		}
		if id != want || len(h) != tlog.HashSize || tlog.Hash(h) != hashes[id] {
			if id != want {
				id = want
			}
			level, node := tlog.SplitStoredHashIndex(id)
			add(node<<uint(level), "the stored hash of leaf %d (level %d) is not the recomputed one: the leaf or the hash was edited", node<<uint(level), level)
			break
		}
		want++
	}
	if err := hrows.Err(); err != nil {
		return rep, fmt.Errorf("translog: read stored hashes: %w", err)
	}
	if want < int64(len(hashes)) && (len(rep.Problems) == 0 || !strings.Contains(rep.Problems[len(rep.Problems)-1].Reason, "stored hash")) {
		level, node := tlog.SplitStoredHashIndex(want)
		add(node<<uint(level), "the stored hash of leaf %d (level %d) is missing", node<<uint(level), level)
	}

	// Every checkpoint, against the recomputed tree.
	recomputed := next
	good := int64(0) // the largest size whose signed root the leaves still have
	for _, row := range cps {
		rep.Checkpoints++
		cp, err := openCheckpoint([]byte(row.Note), v)
		if err != nil {
			add(row.Size, "checkpoint %d does not verify with the log's key: %v", row.Size, err)
			continue
		}
		if cp.Size != row.Size {
			add(row.Size, "checkpoint row %d holds a note for size %d", row.Size, cp.Size)
			continue
		}
		if cp.Size > recomputed {
			add(recomputed, "checkpoint %d covers leaves %d to %d, which are missing (the tail was truncated)", cp.Size, recomputed, cp.Size-1)
			continue
		}
		root, err := tlog.TreeHash(cp.Size, hashes)
		if err != nil {
			return rep, err
		}
		if root != cp.Hash {
			add(firstBad(rep, good, cp.Size), "the leaves no longer have the root signed in checkpoint %d: a leaf from %d to %d was edited, removed or moved", cp.Size, good, cp.Size-1)
			continue
		}
		good = cp.Size
		rep.Latest = cp
	}
	if len(cps) > 0 && rep.Latest.Size != cps[len(cps)-1].Size {
		rep.Latest = Checkpoint{}
	}

	if old != nil {
		cp, err := openCheckpoint(old, v)
		switch {
		case err != nil:
			add(0, "the saved checkpoint does not verify with the log's key: %v", err)
		case cp.Size > recomputed:
			add(recomputed, "the saved checkpoint covers %d leaves, but the log holds only %d (the log was truncated)", cp.Size, recomputed)
		default:
			rep.Old = cp
			if err := consistent(cp, recomputed, hashes); err != nil {
				add(firstBad(rep, 0, cp.Size), "the log is not consistent with the saved checkpoint of size %d: %v", cp.Size, err)
			}
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Index < rep.Problems[j].Index })
	return rep, nil
}

// consistent checks, with an RFC 6962 consistency proof built from the
// recomputed tree, that the tree of size n extends the one cp describes.
func consistent(cp Checkpoint, n int64, hashes memHashes) error {
	if cp.Size == 0 {
		return nil // every tree extends the empty tree
	}
	root, err := tlog.TreeHash(n, hashes)
	if err != nil {
		return err
	}
	proof, err := tlog.ProveTree(n, cp.Size, hashes)
	if err != nil {
		return err
	}
	return tlog.CheckTree(proof, n, root, cp.Size, cp.Hash)
}

// firstBad names the first leaf already found bad in [from, to), or from:
// the leaves below from are vouched for by a checkpoint.
func firstBad(rep TreeReport, from, to int64) int64 {
	for _, p := range rep.Problems {
		if p.Index >= from && p.Index < to {
			return p.Index
		}
	}
	return from
}
