package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// reportFlags are report's own flags, taken out before the configuration
// flags are parsed.
var reportFlags = []string{"period", "reason", "from", "key", "version"}

const reportUsage = `usage:
  warrantdesk report publish --period 2026-H2 [--reason "why this corrects the last version"] [--data-dir dir] [--database-url url]
  warrantdesk report verify --period 2026-H2 --from https://portal.example [--key verifier-key] [--version n]

publish  freezes the period's report: counts the transparency log up to a fresh
         signed checkpoint under the policy's rules, signs it with the log's key
         and stores it as a new version (a correction needs --reason)
verify   recounts a published report from the portal's public log alone: checks
         the signatures and the tree, and names every number that does not match
         (national-security bands against the band leaves the report appended);
         --key is the log's public key from a source you trust (without it, the
         key the portal serves is used, which proves only self-consistency)
`

// runReport dispatches report publish and report verify.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, reportUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	own, rest, err := takeFlags(args, reportFlags)
	if err != nil {
		return err
	}
	if contains(rest, "-h") || contains(rest, "--help") {
		fmt.Fprint(stdout, reportUsage)
		return flag.ErrHelp
	}
	if own["period"] == "" {
		return errors.New("give --period, such as --period 2026-H2")
	}
	switch sub {
	case "publish":
		return runReportPublish(ctx, own, rest, getenv, stdout, stderr)
	case "verify":
		if len(rest) > 0 {
			return fmt.Errorf("report verify reads only the portal: unexpected %s", strings.Join(rest, " "))
		}
		return runReportVerify(ctx, own, stdout, stderr)
	}
	return fmt.Errorf("unknown report command %q (publish or verify)", sub)
}

func runReportPublish(ctx context.Context, own map[string]string, rest []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(config.Command{Name: "report publish"}, rest, getenv, stdout)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	if cfg.LogKey == "" {
		// The demo's key, if this data directory ran serve --demo.
		if b, err := os.ReadFile(filepath.Join(cfg.DataDir, demoLogKeyFile)); err == nil {
			cfg.LogKey = strings.TrimSpace(string(b))
		}
	}
	if cfg.LogKey == "" {
		return errors.New("no log key: set WARRANTDESK_LOG_KEY (or _FILE); reports are signed with the transparency log's key")
	}
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	pol, err := loadPolicy(ctx, cfg)
	if err != nil {
		return err
	}
	tl, err := translog.New(d.DB, cfg.LogKey)
	if err != nil {
		return err
	}
	svc := &transparency.Service{DB: d.DB, Policy: pol, Log: tl}
	operator := "unknown"
	if u, err := user.Current(); err == nil {
		operator = u.Username
	}
	bar := newProgressBar(stderr)
	bar.unit = "log leaves"
	pub, err := svc.Publish(ctx, transparency.Publisher{Operator: operator}, own["period"], own["reason"], bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	rep, err := pub.Report()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published %s version %d, counted from the log's checkpoint of %d leaves (root %s)\n",
		pub.Period, pub.Version, pub.TreeSize, pub.RootHash)
	fmt.Fprintf(stdout, "requests received %s, with data %s (%s%%), national-security section %s\n",
		rep.Totals.RequestsReceived, rep.Totals.RequestsWithData, orDash(rep.Totals.PercentWithData.String()), rep.NationalSecurity.Status)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func runReportVerify(ctx context.Context, own map[string]string, stdout, stderr io.Writer) error {
	if own["from"] == "" {
		return errors.New("give --from, the portal's base URL")
	}
	version := 0
	if v := own["version"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("--version is a version number from 1")
		}
		version = n
	}
	src := &portal{base: strings.TrimRight(own["from"], "/"), http: &http.Client{Timeout: time.Minute}}
	vkey := strings.TrimSpace(own["key"])
	if strings.HasPrefix(vkey, "@") {
		b, err := os.ReadFile(vkey[1:])
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		vkey = strings.TrimSpace(string(b))
	}
	if vkey == "" {
		b, err := src.get(ctx, "/api/v1/log/key")
		if err != nil {
			return err
		}
		vkey = strings.TrimSpace(string(b))
		fmt.Fprintln(stderr, "warning: using the key the portal serves; give --key from a source you trust to verify who signed")
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("--key: %w", err)
	}
	bar := newProgressBar(stderr)
	bar.unit = "log leaves"
	res, err := transparency.Verify(ctx, src, v, own["period"], version, bar.update)
	src.close()
	bar.finish()
	if err != nil {
		return err
	}
	rep := res.Report
	fmt.Fprintf(stdout, "report %s version %d, counted from %d leaves of log %s\n", rep.Period, rep.Version, rep.Log.TreeSize, rep.Log.Origin)
	if res.OK() {
		fmt.Fprintf(stdout, "OK: signature and tree verified; %d leaves rehashed; all %d numbers recounted and equal\n",
			res.Leaves, len(rep.Numbers()))
		if rep.Rules.NationalSecurityBandLeaves && rep.NationalSecurity.Status == transparency.NSPublished {
			fmt.Fprintf(stdout, "national-security section: %d rows in bands of %d, each band as the report version's band leaves in the log state it (the requests themselves are not in the log)\n",
				len(rep.NationalSecurity.Rows), rep.Rules.BandWidth)
		}
		return nil
	}
	for _, p := range res.Problems {
		fmt.Fprintf(stdout, "FAILED: %s\n", p)
	}
	for _, m := range res.Mismatches {
		fmt.Fprintf(stdout, "MISMATCH: %s: published %q, recounted %q\n", m.Name, m.Published, m.Recounted)
	}
	return fmt.Errorf("verification failed: %d problems, %d numbers do not match", len(res.Problems), len(res.Mismatches))
}

// portal is a transparency.Source over a portal's public API.
type portal struct {
	base string
	http *http.Client

	// pages are the pages of leaves on their way, in index order, from
	// pagesStart on. Each download starts the next as soon as its headers
	// say where that starts, so the page after the one being recounted is
	// already coming, and two download at once (the portal's database reads
	// them on two cores). At most one page waits unread.
	pagesStart int64
	pages      chan chan entriesPage
	stop       context.CancelFunc
}

type entriesPage struct {
	leaves []transparency.IndexedLeaf
	err    error
}

// get fetches a public path, waiting out rate limits (429 with
// Retry-After) a few times.
func (p *portal) get(ctx context.Context, path string) ([]byte, error) {
	resp, err := p.open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := readBody(resp, 256<<20)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return b, nil
}

// open requests a public path and returns the response once its status is
// 200 (the caller reads and closes the body), waiting out rate limits (429
// with Retry-After) a few times.
func (p *portal) open(ctx context.Context, path string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.http.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusOK {
			return resp, nil
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 30 {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
}

func (p *portal) getJSON(ctx context.Context, path string, v any) error {
	b, err := p.get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

func (p *portal) Report(ctx context.Context, period string, version int) ([]byte, []byte, error) {
	path := "/api/v1/transparency/reports/" + url.PathEscape(period)
	if version > 0 {
		path += "?version=" + strconv.Itoa(version)
	}
	var out struct {
		Report    json.RawMessage `json:"report"`
		Signature string          `json:"signature"`
	}
	if err := p.getJSON(ctx, path, &out); err != nil {
		return nil, nil, err
	}
	return out.Report, []byte(out.Signature), nil
}

func (p *portal) Checkpoint(ctx context.Context) ([]byte, error) {
	return p.get(ctx, "/api/v1/log/checkpoint")
}

func (p *portal) Consistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	var out struct {
		Proof [][]byte `json:"proof"`
	}
	q := url.Values{"old": {strconv.FormatInt(oldSize, 10)}, "new": {strconv.FormatInt(newSize, 10)}}
	if err := p.getJSON(ctx, "/api/v1/log/proof/consistency?"+q.Encode(), &out); err != nil {
		return nil, err
	}
	proof := make(tlog.TreeProof, len(out.Proof))
	for i, h := range out.Proof {
		if len(h) != tlog.HashSize {
			return nil, errors.New("malformed consistency proof")
		}
		proof[i] = tlog.Hash(h)
	}
	return proof, nil
}

// Entries returns the page of leaves from start on, from the downloads
// under way when start is where they are (the case when the recount reads
// the log in order), or from a new chain of downloads otherwise.
func (p *portal) Entries(ctx context.Context, start int64) ([]transparency.IndexedLeaf, error) {
	if p.pages == nil || p.pagesStart != start {
		p.close()
		ctx, p.stop = context.WithCancel(ctx)
		first := make(chan entriesPage, 1)
		p.pages = make(chan chan entriesPage, 1)
		p.pages <- first
		go p.fetchEntries(ctx, start, first, p.pages)
	}
	next, ok := <-p.pages
	if !ok { // the last page was the log's last
		return nil, nil
	}
	page := <-next
	if page.err != nil {
		p.close()
		return nil, page.err
	}
	p.pagesStart = start + int64(len(page.leaves))
	return page.leaves, nil
}

// close stops the downloads under way.
func (p *portal) close() {
	if p.stop != nil {
		p.stop()
	}
	p.pages, p.stop = nil, nil
}

// fetchEntries downloads one page of leaves from the log's bulk form
// (GET /api/v1/log/leaves: the leaves' bytes, one a line), as far as the
// portal serves in one response, and sends it on out. When the portal says
// where the next page starts, it queues that page's download on pages
// before reading this body; the last page closes pages. The leaves are
// slices of the one body read; their integrity comes from the tree.
func (p *portal) fetchEntries(ctx context.Context, start int64, out chan<- entriesPage, pages chan chan entriesPage) {
	path := fmt.Sprintf("/api/v1/log/leaves?start=%d", start)
	resp, err := p.open(ctx, path)
	if err != nil {
		close(pages)
		out <- entriesPage{err: err}
		return
	}
	defer resp.Body.Close()
	if h := resp.Header.Get("Log-Next-Start"); h == "" {
		close(pages)
	} else if n, err := strconv.ParseInt(h, 10, 64); err != nil || n <= start {
		close(pages)
		out <- entriesPage{err: fmt.Errorf("GET %s: next page at %q", path, h)}
		return
	} else {
		next := make(chan entriesPage, 1)
		go func() {
			select {
			case pages <- next: // once the page before this one is taken
				p.fetchEntries(ctx, n, next, pages)
			case <-ctx.Done():
			}
		}()
	}
	b, err := readBody(resp, 256<<20)
	if err != nil {
		out <- entriesPage{err: fmt.Errorf("GET %s: %w", path, err)}
		return
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		out <- entriesPage{err: fmt.Errorf("GET %s: the body ends inside a leaf", path)}
		return
	}
	leaves := make([]transparency.IndexedLeaf, 0, bytes.Count(b, []byte{'\n'}))
	for i := start; len(b) > 0; i++ {
		n := bytes.IndexByte(b, '\n')
		leaves = append(leaves, transparency.IndexedLeaf{Index: i, Leaf: b[:n:n]})
		b = b[n+1:]
	}
	out <- entriesPage{leaves: leaves}
}

// readBody reads a response body of at most limit bytes: in one allocation
// when the length is announced (a cached page of the log is), so a 30 MB
// page is not copied over and over while a growing buffer doubles.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= limit {
		b := make([]byte, n)
		_, err := io.ReadFull(resp.Body, b)
		return b, err
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}
