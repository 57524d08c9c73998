// Command wd-logcheck verifies warrantdesk's public transparency log
// without trusting the portal that serves it. It uses only the Go standard
// library and golang.org/x/mod/sumdb (note and tlog), so it is short enough
// to read before running.
//
// It fetches the signed checkpoint and checks its signature against the
// log's public key, which you give it from a source you trust (the portal
// also serves it at /api/v1/log/key, but a portal cannot vouch for itself).
// Then, as asked:
//
//	-old file     the log still extends a checkpoint you saved earlier (consistency proof)
//	-save file    keep the verified checkpoint for next time
//	-index n      leaf n is in the log (inclusion proof), and print it
//	-all          download every leaf, rebuild the tree, compare its root, count the leaves
//	              (national_security_band leaves are bands a report published, not requests)
//	-receipt file an agency's receipt (offline; with -reference, that it is for that request)
//
// Usage:
//
//	wd-logcheck -url https://portal.example -key 'name+hash+key' [-old old.txt] [-save new.txt] [-index n] [-all]
//	wd-logcheck -key 'name+hash+key' -receipt receipt.json [-reference WD-2026-000123]
//
// It exits 1 if anything does not verify.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wd-logcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "the portal's base URL, such as https://portal.example")
	key := fs.String("key", "", "the log's public note verifier key (name+hash+key), or @file to read it from a file")
	old := fs.String("old", "", "a checkpoint saved earlier: check that the log still extends it")
	save := fs.String("save", "", "write the verified checkpoint to this file")
	index := fs.Int64("index", -1, "check that leaf n is in the log, and print it")
	all := fs.Bool("all", false, "download every leaf, rebuild the tree and compare its root with the checkpoint")
	receipt := fs.String("receipt", "", "verify an agency's receipt (JSON, as GET /api/v1/requests/{id}/receipt returns it)")
	reference := fs.String("reference", "", "with -receipt: the request reference the receipt must commit to")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wd-logcheck: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "wd-logcheck: FAILED: %v\n", err)
		return 1
	}
	v, err := verifier(*key)
	if err != nil {
		return fail(err)
	}
	if *receipt != "" {
		b, err := os.ReadFile(*receipt)
		if err != nil {
			return fail(err)
		}
		rec, cp, err := checkReceipt(b, v, *reference)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "receipt: leaf %s is in the tree of %d leaves signed by %s\n", rec, cp.size, cp.origin)
		if *reference != "" {
			fmt.Fprintf(stdout, "receipt: the leaf commits to %s\n", *reference)
		}
		if *base == "" {
			return 0
		}
	}
	if *base == "" {
		fmt.Fprintln(stderr, "wd-logcheck: give -url (or -receipt)")
		return 2
	}
	c := &client{base: strings.TrimRight(*base, "/"), http: &http.Client{Timeout: 30 * time.Second}}

	msg, err := c.get("/api/v1/log/checkpoint")
	if err != nil {
		return fail(err)
	}
	cp, err := openCheckpoint(msg, v)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "checkpoint: %s, %d leaves, root %s: signature verified\n", cp.origin, cp.size, cp.root)

	if *old != "" {
		b, err := os.ReadFile(*old)
		if err != nil {
			return fail(err)
		}
		prev, err := openCheckpoint(b, v)
		if err != nil {
			return fail(fmt.Errorf("saved checkpoint: %w", err))
		}
		if err := c.checkConsistency(prev, cp); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "consistency: the log of %d leaves extends the saved one of %d leaves\n", cp.size, prev.size)
	}
	if *index >= 0 {
		leaf, err := c.checkInclusion(*index, cp)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "inclusion: leaf %d is in the log: %s\n", *index, leaf)
	}
	if *all {
		counts, err := c.checkAll(cp)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "tree: rebuilt from all %d leaves; the root matches the checkpoint\n", cp.size)
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %-40s %d\n", k, counts[k])
		}
	}
	if *save != "" {
		if err := os.WriteFile(*save, msg, 0o644); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "saved the checkpoint to %s\n", *save)
	}
	return 0
}

// verifier reads the log's public key.
func verifier(key string) (note.Verifier, error) {
	if key == "" {
		return nil, errors.New("give -key, the log's public key, from a source you trust")
	}
	if strings.HasPrefix(key, "@") {
		b, err := os.ReadFile(key[1:])
		if err != nil {
			return nil, err
		}
		key = string(b)
	}
	v, err := note.NewVerifier(strings.TrimSpace(key))
	if err != nil {
		return nil, fmt.Errorf("-key: %w", err)
	}
	return v, nil
}

// A checkpoint is a verified C2SP tlog-checkpoint.
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint checks the note's signature and parses its text: origin
// (which must be the key's name), tree size, base64 root hash, then
// optional extension lines.
func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, errors.New("malformed checkpoint")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, errors.New("malformed checkpoint size")
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return checkpoint{}, errors.New("malformed checkpoint root hash")
	}
	if lines[0] != v.Name() {
		return checkpoint{}, fmt.Errorf("checkpoint of log %q, not %q", lines[0], v.Name())
	}
	return checkpoint{origin: lines[0], size: size, root: tlog.Hash(h)}, nil
}

type client struct {
	base string
	http *http.Client
}

func (c *client) get(path string) ([]byte, error) {
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

func (c *client) getJSON(path string, v any) error {
	b, err := c.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// hashes turns base64 proof hashes (decoded by encoding/json) into tlog's.
func hashes(in [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(in))
	for i, h := range in {
		if len(h) != tlog.HashSize {
			return nil, errors.New("malformed proof hash")
		}
		out[i] = tlog.Hash(h)
	}
	return out, nil
}

// checkConsistency proves that cp extends prev.
func (c *client) checkConsistency(prev, cp checkpoint) error {
	switch {
	case prev.size > cp.size:
		return fmt.Errorf("the log shrank: the saved checkpoint has %d leaves, the current one %d", prev.size, cp.size)
	case prev.size == cp.size:
		if prev.root != cp.root {
			return fmt.Errorf("two checkpoints of %d leaves with different roots: the log forked", cp.size)
		}
		return nil
	case prev.size == 0:
		return nil // every tree extends the empty tree
	}
	var p struct {
		Proof [][]byte `json:"proof"`
	}
	q := url.Values{"old": {strconv.FormatInt(prev.size, 10)}, "new": {strconv.FormatInt(cp.size, 10)}}
	if err := c.getJSON("/api/v1/log/proof/consistency?"+q.Encode(), &p); err != nil {
		return err
	}
	proof, err := hashes(p.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, cp.size, cp.root, prev.size, prev.root); err != nil {
		return fmt.Errorf("the log of %d leaves does not extend the saved one of %d: %w", cp.size, prev.size, err)
	}
	return nil
}

type entries struct {
	Entries []struct {
		Index int64  `json:"index"`
		Leaf  []byte `json:"leaf"`
	} `json:"entries"`
	NextStart *int64 `json:"next_start"`
}

// checkInclusion proves that leaf index is in cp's tree and returns it.
func (c *client) checkInclusion(index int64, cp checkpoint) ([]byte, error) {
	if index >= cp.size {
		return nil, fmt.Errorf("leaf %d is not in the checkpoint's %d leaves", index, cp.size)
	}
	var es entries
	if err := c.getJSON(fmt.Sprintf("/api/v1/log/entries?start=%d&limit=1", index), &es); err != nil {
		return nil, err
	}
	if len(es.Entries) != 1 || es.Entries[0].Index != index {
		return nil, fmt.Errorf("the portal did not return leaf %d", index)
	}
	leaf := es.Entries[0].Leaf
	var p struct {
		Proof [][]byte `json:"proof"`
	}
	if err := c.getJSON(fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", index, cp.size), &p); err != nil {
		return nil, err
	}
	proof, err := hashes(p.Proof)
	if err != nil {
		return nil, err
	}
	if err := tlog.CheckRecord(proof, cp.size, cp.root, index, tlog.RecordHash(leaf)); err != nil {
		return nil, fmt.Errorf("leaf %d is not in the signed tree: %w", index, err)
	}
	return leaf, nil
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

// checkAll downloads the first cp.size leaves, rebuilds the tree and
// compares its root with the checkpoint's; it returns how many leaves there
// are of each event, request type and outcome, for recounting reports, and
// of national-security band leaves per report version and day (each is
// one published band, not a request).
func (c *client) checkAll(cp checkpoint) (map[string]int, error) {
	var tree memHashes
	counts := map[string]int{}
	next := int64(0)
	for next < cp.size {
		// The log's bulk form: the leaves' bytes from next on, one a line,
		// as many as the portal serves in one response.
		b, err := c.get(fmt.Sprintf("/api/v1/log/leaves?start=%d", next))
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("the portal returned no leaves from %d, but the checkpoint has %d", next, cp.size)
		}
		if b[len(b)-1] != '\n' {
			return nil, fmt.Errorf("the portal's leaves from %d end inside a leaf", next)
		}
		for len(b) > 0 && next < cp.size {
			n := bytes.IndexByte(b, '\n')
			leaf := b[:n]
			b = b[n+1:]
			hs, err := tlog.StoredHashes(next, leaf, tree)
			if err != nil {
				return nil, err
			}
			tree = append(tree, hs...)
			var rec struct {
				Event       string `json:"event"`
				Commitment  string `json:"commitment"`
				Date        string `json:"date"`
				RequestType string `json:"request_type"`
				Outcome     string `json:"outcome"`
			}
			if json.Unmarshal(leaf, &rec) != nil {
				return nil, fmt.Errorf("leaf %d is not a JSON record", next)
			}
			k := rec.Event + " " + rec.RequestType
			if rec.Outcome != "" {
				k += " " + rec.Outcome
			}
			if rec.Event == "national_security_band" {
				// Not a request's event: one band a report published for
				// national-security requests, which have no leaves of their
				// own (50 U.S.C. § 1874). Counted per report version (its
				// commitment) and day, never as requests.
				k = fmt.Sprintf("%s %s (report %.12s)", rec.Event, rec.Date, rec.Commitment)
			}
			counts[k]++
			next++
		}
	}
	root, err := tlog.TreeHash(cp.size, tree)
	if err != nil {
		return nil, err
	}
	if root != cp.root {
		return nil, fmt.Errorf("the leaves' root %s is not the signed root %s", root, cp.root)
	}
	return counts, nil
}

// checkReceipt verifies a receipt offline: the checkpoint's signature, the
// inclusion proof of the leaf, and with a reference, that the leaf's
// commitment is SHA-256(salt || reference). It returns the leaf.
func checkReceipt(b []byte, v note.Verifier, reference string) ([]byte, checkpoint, error) {
	var rc struct {
		Index      int64    `json:"index"`
		Leaf       []byte   `json:"leaf"`
		Salt       string   `json:"salt"`
		Checkpoint string   `json:"checkpoint"`
		Proof      [][]byte `json:"proof"`
	}
	if err := json.Unmarshal(b, &rc); err != nil {
		return nil, checkpoint{}, fmt.Errorf("receipt: %w", err)
	}
	cp, err := openCheckpoint([]byte(rc.Checkpoint), v)
	if err != nil {
		return nil, checkpoint{}, fmt.Errorf("receipt: %w", err)
	}
	if rc.Index < 0 || rc.Index >= cp.size {
		return nil, checkpoint{}, fmt.Errorf("receipt: leaf %d is not in the checkpoint's %d leaves", rc.Index, cp.size)
	}
	proof, err := hashes(rc.Proof)
	if err != nil {
		return nil, checkpoint{}, err
	}
	if err := tlog.CheckRecord(proof, cp.size, cp.root, rc.Index, tlog.RecordHash(rc.Leaf)); err != nil {
		return nil, checkpoint{}, fmt.Errorf("receipt: leaf %d is not in the signed tree: %w", rc.Index, err)
	}
	if reference != "" {
		var rec struct {
			Commitment string `json:"commitment"`
		}
		salt, err := hex.DecodeString(rc.Salt)
		if err != nil || json.Unmarshal(rc.Leaf, &rec) != nil {
			return nil, checkpoint{}, errors.New("receipt: malformed salt or leaf")
		}
		sum := sha256.Sum256(append(salt, reference...))
		if hex.EncodeToString(sum[:]) != rec.Commitment {
			return nil, checkpoint{}, fmt.Errorf("receipt: the leaf does not commit to %s", reference)
		}
	}
	return rc.Leaf, cp, nil
}
