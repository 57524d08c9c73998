package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// demoLogKeyFile is where serve --demo keeps the log key it generates, in
// the data directory, so the demo log keeps its identity across restarts.
const demoLogKeyFile = "log-key"

// demoLogOrigin names the demo log (and its key).
const demoLogOrigin = "demo.warrantdesk.example/log"

// resolveLogKey settles the transparency log's signing key: the configured
// one (WARRANTDESK_LOG_KEY or _FILE), or for --demo one generated once and
// kept in the data directory. Production refuses to start without a key;
// development without one runs a log that records but signs nothing.
func resolveLogKey(cfg *config.Config, log *slog.Logger) error {
	if cfg.LogKey != "" {
		if _, err := translog.VerifierKey(cfg.LogKey); err != nil {
			return fmt.Errorf("WARRANTDESK_LOG_KEY: %w", err)
		}
		return nil
	}
	if cfg.Demo {
		key, err := demoLogKey(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.LogKey = key
		return nil
	}
	if cfg.Env == config.EnvProduction {
		return errors.New("WARRANTDESK_LOG_KEY (or _FILE) is required in production: the transparency log must sign its checkpoints")
	}
	log.Warn("no transparency log key (WARRANTDESK_LOG_KEY): leaves are recorded but no checkpoint is signed")
	return nil
}

// demoLogKey reads the demo log key from the data directory, generating it
// (readable by the owner only) on first use.
func demoLogKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, demoLogKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if _, err := translog.VerifierKey(key); err != nil {
			return "", fmt.Errorf("demo log key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("demo log key: %w", err)
	}
	skey, _, err := translog.GenerateKey(demoLogOrigin)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", fmt.Errorf("demo log key: %w", err)
	}
	// O_EXCL: two processes starting at once on one data directory must
	// not each write their own key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return demoLogKey(dataDir)
	}
	if err != nil {
		return "", fmt.Errorf("demo log key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("demo log key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("demo log key: %w", err)
	}
	return skey, nil
}

// runVerifyLog recomputes the audit chain and the transparency log's Merkle
// tree from the database and checks them against their signatures: the
// audit anchors, every stored checkpoint and, with --checkpoint, a
// checkpoint saved earlier (the log must be consistent with it). It names
// the first bad audit event by sequence number and the first bad leaf by
// index, and fails on any mismatch. --key gives the log's public verifier
// key when the signing key is not at hand; --save writes the newest
// checkpoint to a file once everything verified, for the next run.
func runVerifyLog(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o struct{ checkpoint, key, save string }
	cfg, err := loadConfig(config.Command{Name: "verify-log",
		Usage: "usage: warrantdesk verify-log [--checkpoint old.txt] [--key verifier-key] [--save new.txt] [flags]",
		Own: func(fs *flag.FlagSet) {
			fs.StringVar(&o.checkpoint, "checkpoint", "", "a checkpoint saved earlier: the log must still extend it")
			fs.StringVar(&o.key, "key", "", "the log's public verifier key (default: derived from WARRANTDESK_LOG_KEY, or the demo key in the data directory)")
			fs.StringVar(&o.save, "save", "", "write the newest checkpoint to this file when everything verified")
		}}, args, getenv, stdout)
	if err != nil {
		return err
	}
	cfg.Migrate = false // read only: never change the schema being verified
	log := newLogger(stderr, cfg.LogLevel)
	v, err := verifier(cfg, o.key)
	if err != nil {
		return err
	}
	var old []byte
	if o.checkpoint != "" {
		if old, err = os.ReadFile(o.checkpoint); err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
	}
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()

	progress := progressPrinter(stderr)
	start := time.Now()
	arep, err := audit.Verify(ctx, d.DB, v, progress("audit chain", "events"))
	if err != nil {
		return err
	}
	trep, err := translog.VerifyTree(ctx, d.DB, v, old, progress("transparency log", "leaves"))
	if err != nil {
		return err
	}

	if arep.OK() {
		fmt.Fprintf(stdout, "audit chain: intact: %d events, head at seq %d", arep.Events, arep.Head)
		if arep.Anchored > 0 {
			fmt.Fprintf(stdout, ", signed anchors up to seq %d verified", arep.Anchored)
		}
		if arep.Queued > 0 {
			fmt.Fprintf(stdout, "; %d newer events queued to be chained", arep.Queued)
		}
		fmt.Fprintln(stdout)
	} else {
		first, _ := arep.FirstBad()
		fmt.Fprintf(stdout, "audit chain: FAILED: the first bad event is seq %d\n", first.Seq)
		for _, p := range arep.Problems {
			fmt.Fprintf(stdout, "  seq %d: %s\n", p.Seq, p.Reason)
		}
		if arep.More > 0 {
			fmt.Fprintf(stdout, "  … and %d more\n", arep.More)
		}
	}
	if trep.OK() {
		fmt.Fprintf(stdout, "transparency log: intact: %d leaves, %d checkpoints verified", trep.Leaves, trep.Checkpoints)
		if trep.Checkpoints > 0 {
			fmt.Fprintf(stdout, ", newest at size %d", trep.Latest.Size)
		}
		if old != nil {
			fmt.Fprintf(stdout, ", consistent with the saved checkpoint of size %d", trep.Old.Size)
		}
		fmt.Fprintln(stdout)
	} else {
		fmt.Fprintf(stdout, "transparency log: FAILED: the first bad leaf is %d\n", trep.Problems[0].Index)
		for _, p := range trep.Problems {
			fmt.Fprintf(stdout, "  leaf %d: %s\n", p.Index, p.Reason)
		}
		if trep.More > 0 {
			fmt.Fprintf(stdout, "  … and %d more\n", trep.More)
		}
	}
	log.Debug("verify-log done", "duration_ms", time.Since(start).Milliseconds())
	if !arep.OK() || !trep.OK() {
		return errors.New("verification failed")
	}
	if o.save != "" && trep.Checkpoints > 0 {
		if err := os.WriteFile(o.save, trep.Latest.Note, 0o644); err != nil {
			return fmt.Errorf("--save: %w", err)
		}
	}
	return nil
}

// verifier is the log's public key: --key, or derived from the signing key
// (configured, or the demo one in the data directory).
func verifier(cfg config.Config, vkey string) (note.Verifier, error) {
	if vkey == "" {
		skey := cfg.LogKey
		if skey == "" {
			b, err := os.ReadFile(filepath.Join(cfg.DataDir, demoLogKeyFile))
			if err != nil {
				return nil, errors.New("no log key: give --key (the log's verifier key) or set WARRANTDESK_LOG_KEY")
			}
			skey = strings.TrimSpace(string(b))
		}
		var err error
		if vkey, err = translog.VerifierKey(skey); err != nil {
			return nil, err
		}
	}
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	return v, nil
}

// progressPrinter reports progress on w when w is a terminal, rewriting one
// line; elsewhere (logs, pipes) it stays quiet.
func progressPrinter(w io.Writer) func(what, unit string) func(done, total int64) {
	f, ok := w.(*os.File)
	tty := false
	if ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return func(what, unit string) func(done, total int64) {
		if !tty {
			return nil
		}
		finished := false
		return func(done, total int64) {
			if finished {
				return
			}
			pct := 100.0
			if total > 0 {
				pct = 100 * float64(done) / float64(total)
			}
			fmt.Fprintf(w, "\r%s: %d / %d %s (%.0f%%)", what, done, total, unit, pct)
			if done >= total {
				finished = true
				fmt.Fprintln(w)
			}
		}
	}
}
