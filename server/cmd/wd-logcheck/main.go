// Command wd-logcheck verifies warrantdesk's public transparency log
// without trusting the portal that serves it. It uses only the Go standard
// library, golang.org/x/mod/sumdb (note and tlog) and the project's
// server/internal/logclient (which uses only those too), so it is short
// enough to read before running.
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
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/warrantdesk/warrantdesk/server/internal/logclient"
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
		fmt.Fprintf(stdout, "receipt: leaf %s is in the tree of %d leaves signed by %s\n", rec, cp.Size, cp.Origin)
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
	ctx := context.Background()
	c := &logclient.Client{BaseURL: *base, HTTP: &http.Client{Timeout: 30 * time.Second}, Verifier: v}

	cp, err := c.SignedCheckpoint(ctx)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "checkpoint: %s, %d leaves, root %s: signature verified\n", cp.Origin, cp.Size, cp.Root)

	if *old != "" {
		b, err := os.ReadFile(*old)
		if err != nil {
			return fail(err)
		}
		prev, err := logclient.OpenCheckpoint(b, v)
		if err != nil {
			return fail(fmt.Errorf("saved checkpoint: %w", err))
		}
		if err := c.CheckConsistency(ctx, prev, cp); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "consistency: the log of %d leaves extends the saved one of %d leaves\n", cp.Size, prev.Size)
	}
	if *index >= 0 {
		leaf, err := c.Inclusion(ctx, cp, *index)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "inclusion: leaf %d is in the log: %s\n", *index, leaf)
	}
	if *all {
		counts := map[string]int{}
		if err := c.RebuildTree(ctx, cp, countLeaf(counts)); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "tree: rebuilt from all %d leaves; the root matches the checkpoint\n", cp.Size)
		for _, k := range slices.Sorted(maps.Keys(counts)) {
			fmt.Fprintf(stdout, "  %-40s %d\n", k, counts[k])
		}
	}
	if *save != "" {
		if err := os.WriteFile(*save, cp.Note, 0o644); err != nil {
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
	key, err := logclient.ReadKey(key)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("-key: %w", err)
	}
	return v, nil
}

// countLeaf counts leaves into counts: how many there are of each event,
// request type and outcome, for recounting reports, and of national-security
// band leaves per report version and day (each is one published band, not a
// request).
func countLeaf(counts map[string]int) func(index int64, leaf []byte) error {
	return func(index int64, leaf []byte) error {
		var rec struct {
			Event       string `json:"event"`
			Commitment  string `json:"commitment"`
			Date        string `json:"date"`
			RequestType string `json:"request_type"`
			Outcome     string `json:"outcome"`
		}
		if json.Unmarshal(leaf, &rec) != nil {
			return fmt.Errorf("leaf %d is not a JSON record", index)
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
		return nil
	}
}

// checkReceipt verifies a receipt offline: the checkpoint's signature, the
// inclusion proof of the leaf, and with a reference, that the leaf's
// commitment is SHA-256(salt || reference). It returns the leaf.
func checkReceipt(b []byte, v note.Verifier, reference string) ([]byte, logclient.Checkpoint, error) {
	var rc struct {
		Index      int64    `json:"index"`
		Leaf       []byte   `json:"leaf"`
		Salt       string   `json:"salt"`
		Checkpoint string   `json:"checkpoint"`
		Proof      [][]byte `json:"proof"`
	}
	if err := json.Unmarshal(b, &rc); err != nil {
		return nil, logclient.Checkpoint{}, fmt.Errorf("receipt: %w", err)
	}
	cp, err := logclient.OpenCheckpoint([]byte(rc.Checkpoint), v)
	if err != nil {
		return nil, logclient.Checkpoint{}, fmt.Errorf("receipt: %w", err)
	}
	if err := logclient.VerifyInclusion(cp, rc.Index, rc.Leaf, rc.Proof); err != nil {
		return nil, logclient.Checkpoint{}, fmt.Errorf("receipt: %w", err)
	}
	if reference != "" {
		var rec struct {
			Commitment string `json:"commitment"`
		}
		salt, err := hex.DecodeString(rc.Salt)
		if err != nil || json.Unmarshal(rc.Leaf, &rec) != nil {
			return nil, logclient.Checkpoint{}, errors.New("receipt: malformed salt or leaf")
		}
		sum := sha256.Sum256(append(salt, reference...))
		if hex.EncodeToString(sum[:]) != rec.Commitment {
			return nil, logclient.Checkpoint{}, fmt.Errorf("receipt: the leaf does not commit to %s", reference)
		}
	}
	return rc.Leaf, cp, nil
}
