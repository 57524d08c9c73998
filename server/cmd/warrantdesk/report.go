package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/logclient"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// reportOptions are report's own flags.
type reportOptions struct {
	period, reason string // publish and verify; reason: publish only
	from, key      string // verify only
	version        string
}

// flags registers the flags of report sub on fs.
func (o *reportOptions) flags(sub string) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		fs.StringVar(&o.period, "period", "", "the half-year, such as 2026-H2")
		if sub == "publish" {
			fs.StringVar(&o.reason, "reason", "", "why this version corrects the last one (required for a correction)")
			return
		}
		fs.StringVar(&o.from, "from", "", "the portal's base URL, such as https://portal.example")
		fs.StringVar(&o.key, "key", "", "the log's public verifier key, or @file (default: the key the portal serves)")
		fs.StringVar(&o.version, "version", "", "the report version to verify (default: the latest)")
	}
}

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

// runReport dispatches report publish and report verify. Each parses its
// flags on one flag set: publish with the settings (it opens the
// database), verify with its own alone (it reads only the portal).
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, reportUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	var o reportOptions
	switch sub {
	case "publish":
		cfg, err := loadConfig(config.Command{Name: "report publish", Own: o.flags(sub), Usage: reportUsage}, args, getenv, stdout)
		if err != nil {
			return err
		}
		if o.period == "" {
			return errors.New("give --period, such as --period 2026-H2")
		}
		return runReportPublish(ctx, cfg, o, stdout, stderr)
	case "verify":
		fs := flag.NewFlagSet("report verify", flag.ContinueOnError)
		fs.SetOutput(stdout)
		fs.Usage = func() { fmt.Fprint(stdout, reportUsage+"\nflags of verify:\n"); fs.PrintDefaults() }
		o.flags(sub)(fs)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("report verify reads only the portal: unexpected %s", strings.Join(fs.Args(), " "))
		}
		if o.period == "" {
			return errors.New("give --period, such as --period 2026-H2")
		}
		return runReportVerify(ctx, o, stdout, stderr)
	}
	return fmt.Errorf("unknown report command %q (publish or verify)", sub)
}

func runReportPublish(ctx context.Context, cfg config.Config, o reportOptions, stdout, stderr io.Writer) error {
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
	pub, err := svc.Publish(ctx, transparency.Publisher{Operator: operator}, o.period, o.reason, bar.update)
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

func runReportVerify(ctx context.Context, o reportOptions, stdout, stderr io.Writer) error {
	if o.from == "" {
		return errors.New("give --from, the portal's base URL")
	}
	version := 0
	if v := o.version; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("--version is a version number from 1")
		}
		version = n
	}
	c := &logclient.Client{BaseURL: o.from, HTTP: &http.Client{Timeout: time.Minute}}
	vkey, err := logclient.ReadKey(o.key)
	if err != nil {
		return fmt.Errorf("--key: %w", err)
	}
	if vkey == "" {
		if vkey, err = c.Key(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "warning: using the key the portal serves; give --key from a source you trust to verify who signed")
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("--key: %w", err)
	}
	c.Verifier = v
	src := &portal{Client: c}
	bar := newProgressBar(stderr)
	bar.unit = "log leaves"
	res, err := transparency.Verify(ctx, src, v, o.period, version, bar.update)
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

// portal is a transparency.Source over a portal's public API: the log
// client, with the leaves as the recount asks for them.
type portal struct {
	*logclient.Client

	// pages are the leaves on their way from next on: the recount reads
	// the log in order, so the page after the one it counts is already
	// coming.
	pages *logclient.Pages
	next  int64
}

// Entries returns the page of leaves from start on, from the downloads
// under way when start is where they are, or from new ones otherwise.
func (p *portal) Entries(ctx context.Context, start int64) ([]transparency.IndexedLeaf, error) {
	if p.pages == nil || p.next != start {
		p.close()
		p.pages, p.next = p.Pages(ctx, start), start
	}
	page, err := p.pages.Next()
	if err != nil {
		p.close()
		return nil, err
	}
	leaves := make([]transparency.IndexedLeaf, len(page))
	for i, e := range page {
		leaves[i] = transparency.IndexedLeaf(e)
	}
	p.next = start + int64(len(page))
	return leaves, nil
}

// close stops the downloads under way.
func (p *portal) close() {
	if p.pages != nil {
		p.pages.Close()
		p.pages = nil
	}
}
