package logclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// An Entry is one leaf of the log: its index and its exact bytes.
type Entry struct {
	Index int64
	Leaf  []byte
}

// Leaf returns leaf index as the portal serves it, unchecked; Inclusion
// checks it.
func (c *Client) Leaf(ctx context.Context, index int64) ([]byte, error) {
	var out struct {
		Entries []struct {
			Index int64  `json:"index"`
			Leaf  []byte `json:"leaf"`
		} `json:"entries"`
	}
	if err := c.getJSON(ctx, fmt.Sprintf("/api/v1/log/entries?start=%d&limit=1", index), &out); err != nil {
		return nil, err
	}
	if len(out.Entries) != 1 || out.Entries[0].Index != index {
		return nil, fmt.Errorf("the portal did not return leaf %d", index)
	}
	return out.Entries[0].Leaf, nil
}

// Inclusion returns leaf index of cp's tree, proven to be in it by the
// portal's inclusion proof.
func (c *Client) Inclusion(ctx context.Context, cp Checkpoint, index int64) ([]byte, error) {
	if index < 0 || index >= cp.Size {
		return nil, fmt.Errorf("leaf %d is not in the checkpoint's %d leaves", index, cp.Size)
	}
	leaf, err := c.Leaf(ctx, index)
	if err != nil {
		return nil, err
	}
	var out struct {
		Proof [][]byte `json:"proof"`
	}
	if err := c.getJSON(ctx, fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", index, cp.Size), &out); err != nil {
		return nil, err
	}
	if err := VerifyInclusion(cp, index, leaf, out.Proof); err != nil {
		return nil, err
	}
	return leaf, nil
}

// VerifyInclusion checks offline that leaf is leaf index of cp's tree, by
// proof (its hashes as the API and receipts carry them).
func VerifyInclusion(cp Checkpoint, index int64, leaf []byte, proof [][]byte) error {
	if index < 0 || index >= cp.Size {
		return fmt.Errorf("leaf %d is not in the checkpoint's %d leaves", index, cp.Size)
	}
	hs, err := proofHashes(proof)
	if err != nil {
		return fmt.Errorf("inclusion proof: %w", err)
	}
	if err := tlog.CheckRecord(hs, cp.Size, cp.Root, index, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("leaf %d is not in the signed tree: %w", index, err)
	}
	return nil
}

// memHashes is a tree held in memory, as tlog stores it.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("hash %d is not in the tree", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// RebuildTree downloads leaves 0 to cp.Size-1, rebuilds their Merkle tree
// and checks that its root is cp's: then every leaf is exactly the one the
// log signed, in its place. each, if not nil, sees every leaf in index
// order, before the root is checked; its error stops the download.
func (c *Client) RebuildTree(ctx context.Context, cp Checkpoint, each func(index int64, leaf []byte) error) error {
	pages := c.Pages(ctx, 0)
	defer pages.Close()
	var tree memHashes
	next := int64(0)
	for next < cp.Size {
		page, err := pages.Next()
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return fmt.Errorf("the portal returned no leaves from %d, but the checkpoint has %d", next, cp.Size)
		}
		for _, e := range page {
			if next == cp.Size {
				break // leaves appended since the checkpoint
			}
			hs, err := tlog.StoredHashes(next, e.Leaf, tree)
			if err != nil {
				return err
			}
			tree = append(tree, hs...)
			if each != nil {
				if err := each(next, e.Leaf); err != nil {
					return err
				}
			}
			next++
		}
	}
	root, err := tlog.TreeHash(cp.Size, tree)
	if err != nil {
		return err
	}
	if root != cp.Root {
		return fmt.Errorf("the leaves' root %s is not the signed root %s", root, cp.Root)
	}
	return nil
}

// Pages reads the log's leaves in index order, a page at a time, from its
// bulk form (GET /api/v1/log/leaves: the leaves' bytes, one a line, as
// many as the portal serves in one response; the Log-Next-Start header
// says where the next page starts). Each download starts the next as soon
// as its headers say where that starts, so the page after the one being
// read is already coming, and two download at once (the portal's database
// reads them on two cores). At most one page waits unread.
type Pages struct {
	ctx   context.Context // the downloads'
	pages chan chan page
	stop  context.CancelFunc
	err   error // why Next returns no more
}

type page struct {
	entries []Entry
	err     error
}

// Pages starts reading the log's leaves from index start on. Close it
// when done, to stop the downloads under way.
func (c *Client) Pages(ctx context.Context, start int64) *Pages {
	ctx, stop := context.WithCancel(ctx)
	first := make(chan page, 1)
	p := &Pages{ctx: ctx, pages: make(chan chan page, 1), stop: stop}
	p.pages <- first
	go c.fetchPage(ctx, start, first, p.pages)
	return p
}

// Next returns the next page of leaves; an empty page means there are no
// more. After an error, Pages is closed and returns the error again.
func (p *Pages) Next() ([]Entry, error) {
	if p.err != nil {
		return nil, p.err
	}
	var next chan page
	var ok bool
	select {
	case next, ok = <-p.pages:
	case <-p.ctx.Done(): // a cancelled download may never queue the next
		p.err = p.ctx.Err()
		return nil, p.err
	}
	if !ok { // the last page was the log's last
		return nil, nil
	}
	pg := <-next
	if pg.err != nil {
		p.Close()
		p.err = pg.err
		return nil, pg.err
	}
	return pg.entries, nil
}

// Close stops the downloads under way.
func (p *Pages) Close() {
	p.stop()
	if p.err == nil {
		p.err = errors.New("logclient: Next after Close")
	}
}

// fetchPage downloads one page of leaves from start on and sends it on
// out. When the portal says where the next page starts, it queues that
// page's download on pages before reading this body; the last page closes
// pages. The leaves are slices of the one body read; their integrity comes
// from the tree.
func (c *Client) fetchPage(ctx context.Context, start int64, out chan<- page, pages chan chan page) {
	path := fmt.Sprintf("/api/v1/log/leaves?start=%d", start)
	resp, err := c.open(ctx, path)
	if err != nil {
		close(pages)
		out <- page{err: err}
		return
	}
	defer resp.Body.Close()
	if h := resp.Header.Get("Log-Next-Start"); h == "" {
		close(pages)
	} else if n, err := strconv.ParseInt(h, 10, 64); err != nil || n <= start {
		close(pages)
		out <- page{err: fmt.Errorf("GET %s: next page at %q", path, h)}
		return
	} else {
		next := make(chan page, 1)
		go func() {
			select {
			case pages <- next: // once the page before this one is taken
				c.fetchPage(ctx, n, next, pages)
			case <-ctx.Done():
			}
		}()
	}
	b, err := readBody(resp)
	if err != nil {
		out <- page{err: fmt.Errorf("GET %s: %w", path, err)}
		return
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		out <- page{err: fmt.Errorf("GET %s: the body ends inside a leaf", path)}
		return
	}
	entries := make([]Entry, 0, bytes.Count(b, []byte{'\n'}))
	for i := start; len(b) > 0; i++ {
		n := bytes.IndexByte(b, '\n')
		entries = append(entries, Entry{Index: i, Leaf: b[:n:n]})
		b = b[n+1:]
	}
	out <- page{entries: entries}
}
