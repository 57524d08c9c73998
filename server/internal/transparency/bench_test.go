package transparency_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// benchLeaves is how many leaves the benchmarks use:
// WARRANTDESK_BENCH_LOG_LEAVES, 1,000,000 by default.
func benchLeaves(b *testing.B) int {
	if v := os.Getenv("WARRANTDESK_BENCH_LOG_LEAVES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

// syntheticLeaves returns n canonical leaves of a plausible mix: events,
// countries, processes and outcomes, dated over 2025 and 2026.
func syntheticLeaves(b *testing.B, n int) [][]byte {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	type proc struct{ country, process, typ string }
	procs := []proc{{"US", "us.subpoena", "legal_process"}, {"US", "us.2703d", "legal_process"}, {"US", "us.warrant", "legal_process"},
		{"US", "us.emergency", "emergency"}, {"US", "us.preservation", "preservation"}, {"GB", "uk.ipa", "legal_process"},
		{"GB", "uk.opo", "legal_process"}, {"DE", "eu.epoc", "legal_process"}, {"FR", "eu.epoc", "legal_process"}, {"FR", "eu.epoc_pr", "preservation"}}
	events := []string{"received", "received", "received", "decided", "decided", "disclosed", "withdrawn", "notice_sent", "preserved", "ndo_lifted"}
	outcomes := []string{"approved", "narrowed", "rejected.overbroad", "rejected.insufficient_process", "rejected.other"}
	kinds := []string{"police", "prosecutor", "federal"}
	first, _ := day.Parse("2025-01-01")
	commit := make([]byte, 32)
	out := make([][]byte, n)
	for i := range n {
		p := procs[rng.IntN(len(procs))]
		r := translog.Record{Version: translog.FormatVersion, Event: events[rng.IntN(len(events))], Date: first.AddDays(rng.IntN(730)),
			Country: p.country, AgencyKind: kinds[rng.IntN(len(kinds))], Process: p.process, RequestType: p.typ,
			Categories: []string{"connection_log", "subscriber"}, Accounts: 1 + rng.IntN(3), NDO: rng.IntN(3) == 0}
		switch r.Event {
		case "decided":
			r.Outcome = outcomes[rng.IntN(len(outcomes))]
		case "disclosed":
			if rng.IntN(5) == 0 {
				r.Outcome = translog.OutcomeNoRecords
			}
		}
		for j := range commit {
			commit[j] = byte(rng.Uint32())
		}
		r.Commitment = hex.EncodeToString(commit)
		leaf, err := r.Encode()
		if err != nil {
			b.Fatal(err)
		}
		out[i] = leaf
	}
	return out
}

// copyLeaves bulk-loads leaves into tlog_leaves with COPY and sets the head.
func copyLeaves(b *testing.B, d *db.DB, leaves [][]byte) {
	b.Helper()
	ctx := context.Background()
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	now := time.Now().UTC()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not pgx")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"tlog_leaves"}, []string{"idx", "request_id", "event", "salt", "leaf", "created_at"},
			pgx.CopyFromSlice(len(leaves), func(i int) ([]any, error) {
				return []any{int64(i), "bench", "bench", "00", leaves[i], now}, nil
			}))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Exec("UPDATE tlog_head SET size = ? WHERE id = 1", len(leaves)).Error; err != nil {
		b.Fatal(err)
	}
	if err := d.Exec("ANALYZE tlog_leaves").Error; err != nil {
		b.Fatal(err)
	}
}

// groupBySQL is the same count as a report, in SQL alone: every leaf of
// the checkpoint parsed as JSON, filtered to the period, grouped by what a
// report groups by.
const groupBySQL = `SELECT l->>'country', l->>'agency_kind', l->>'process', l->>'request_type', l->>'event', l->>'outcome',
	count(*), sum((l->>'accounts')::int), sum(CASE WHEN (l->>'ndo')::boolean THEN 1 ELSE 0 END)
FROM (SELECT convert_from(leaf, 'UTF8')::jsonb AS l FROM tlog_leaves WHERE idx < $1) t
WHERE l->>'date' BETWEEN $2 AND $3 GROUP BY 1, 2, 3, 4, 5, 6`

// BenchmarkReport computes a half-year's report over the whole log beside
// the raw SQL GROUP BY of the same rows, in the same run, on PostgreSQL
// (WARRANTDESK_TEST_DATABASE=postgres). It reports both times and their
// ratio.
func BenchmarkReport(b *testing.B) {
	if os.Getenv(dbtest.EnvDatabase) != "postgres" {
		b.Skip("needs PostgreSQL (WARRANTDESK_TEST_DATABASE=postgres)")
	}
	n := benchLeaves(b)
	d := dbtest.OpenPostgres(b)
	start := time.Now()
	copyLeaves(b, d, syntheticLeaves(b, n))
	b.Logf("setup: %d leaves generated and copied in %s", n, time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	p, _ := transparency.ParsePeriod("2026-H1")
	rules := transparency.Rules{PeriodMonths: 6, Threshold: 5, BandWidth: 250, DelayDays: 180, NationalSecurity: []string{"uk.ipa"}}
	var reportT, sqlT time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		c, err := transparency.CountLog(ctx, d.DB, p, int64(n), nil)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Report(rules, transparency.Meta{PublishedAt: time.Now()})
		t1 := time.Now()
		rows, err := d.SQL.QueryContext(ctx, groupBySQL, n, p.First.String(), p.Last.String())
		if err != nil {
			b.Fatal(err)
		}
		groups := 0
		for rows.Next() {
			var country, kind, process, typ, event string
			var outcome sql.NullString
			var count, accounts, ndo int64
			if err := rows.Scan(&country, &kind, &process, &typ, &event, &outcome, &count, &accounts, &ndo); err != nil {
				b.Fatal(err)
			}
			groups++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		t2 := time.Now()
		reportT += t1.Sub(t0)
		sqlT += t2.Sub(t1)
		if c.Counted == 0 || groups == 0 {
			b.Fatal("nothing counted")
		}
	}
	b.ReportMetric(reportT.Seconds()/float64(b.N), "report-s")
	b.ReportMetric(sqlT.Seconds()/float64(b.N), "sql-groupby-s")
	b.ReportMetric(float64(reportT)/float64(sqlT), "ratio")
}

// memSource serves a signed report and its log from memory.
type memSource struct {
	body, sig, cp []byte
	leaves        [][]byte
}

func (m *memSource) Report(context.Context, string, int) ([]byte, []byte, error) {
	return m.body, m.sig, nil
}
func (m *memSource) Checkpoint(context.Context) ([]byte, error) { return m.cp, nil }
func (m *memSource) Consistency(context.Context, int64, int64) (tlog.TreeProof, error) {
	return nil, errors.New("not needed: the checkpoint is the report's")
}

func (m *memSource) Entries(_ context.Context, start int64) ([]transparency.IndexedLeaf, error) {
	end := min(start+translog.MaxEntries, int64(len(m.leaves)))
	out := make([]transparency.IndexedLeaf, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, transparency.IndexedLeaf{Index: i, Leaf: m.leaves[i]})
	}
	return out, nil
}

type memTree []tlog.Hash

func (m memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m[x]
	}
	return out, nil
}

// BenchmarkVerify runs the recount of `warrantdesk report verify` over the
// whole log (leaves served from memory, so the portal's speed is not in
// it): every leaf rehashed into the tree, parsed strictly and counted,
// signatures checked and every number compared. Beside it, in the same
// run, sha256sum over a file holding exactly the leaves' bytes.
func BenchmarkVerify(b *testing.B) {
	n := benchLeaves(b)
	leaves := syntheticLeaves(b, n)
	skey, vkey, err := translog.GenerateKey("bench.example/log")
	if err != nil {
		b.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	var tree memTree
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(int64(i), l, tree)
		if err != nil {
			b.Fatal(err)
		}
		tree = append(tree, hs...)
	}
	root, _ := tlog.TreeHash(int64(n), tree)
	cp, err := note.Sign(&note.Note{Text: translog.FormatCheckpoint("bench.example/log", int64(n), root)}, signer)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := transparency.ParsePeriod("2026-H1")
	c := transparency.NewCounter(p)
	for _, l := range leaves {
		r, _ := translog.ParseRecord(l)
		c.Add(r)
	}
	rules := transparency.Rules{PeriodMonths: 6, Threshold: 5, BandWidth: 250, DelayDays: 180, NationalSecurity: []string{"uk.ipa"}}
	rep := c.Report(rules, transparency.Meta{Version: 1, PublishedAt: time.Now(),
		Log: transparency.LogRef{Origin: "bench.example/log", TreeSize: int64(n), RootHash: base64.StdEncoding.EncodeToString(root[:])}})
	body, _ := rep.JSON()
	sig, _ := transparency.Sign(signer, rep, body)
	src := &memSource{body: body, sig: sig, cp: cp, leaves: leaves}

	file := filepath.Join(b.TempDir(), "leaves")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, l := range leaves {
		f.Write(l)
		size += len(l)
	}
	f.Close()
	sha256sum, shaErr := exec.LookPath("sha256sum")

	var verifyT, sumT, goSumT time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		res, err := transparency.Verify(context.Background(), src, v, "2026-H1", 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !res.OK() {
			b.Fatalf("verify: %v %v", res.Problems, res.Mismatches)
		}
		t1 := time.Now()
		if shaErr == nil {
			if out, err := exec.Command(sha256sum, file).CombinedOutput(); err != nil {
				b.Fatalf("sha256sum: %v %s", err, out)
			}
		}
		t2 := time.Now()
		h := sha256.New()
		for _, l := range leaves {
			h.Write(l)
		}
		h.Sum(nil)
		verifyT += t1.Sub(t0)
		sumT += t2.Sub(t1)
		goSumT += time.Since(t2)
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(verifyT.Seconds()/float64(b.N), "verify-s")
	b.ReportMetric(goSumT.Seconds()/float64(b.N), "go-sha256-s")
	if shaErr == nil {
		b.ReportMetric(sumT.Seconds()/float64(b.N), "sha256sum-s")
		b.ReportMetric(float64(verifyT)/float64(sumT), "ratio")
	}
}
