package audit_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// benchEvents is how many events BenchmarkVerify verifies:
// WARRANTDESK_BENCH_AUDIT_EVENTS, default 100 000 (docs/benchmarks.md
// quotes 1 000 000).
func benchEvents(b *testing.B) int {
	if v := os.Getenv("WARRANTDESK_BENCH_AUDIT_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("WARRANTDESK_BENCH_AUDIT_EVENTS=%q", v)
		}
		return n
	}
	return 100_000
}

// scope is a policy decision as submission records it, for realistic sizes.
const scope = `{"valid":true,"errors":null,"categories":["subscriber","connection_log"],"refused":[{"category":"content",` +
	`"code":"e2ee","reason":"Message content is end-to-end encrypted; the provider holds no key and stores no content."}],` +
	`"date_from":"2026-08-01","date_to":"2026-11-01","warnings":[],"jurisdiction":"us","process_kind":"legal_process"}`

// fillChain writes n valid events straight into audit_events, in batches,
// the way Append would have chained them, and writes the exact bytes their
// hashes cover to w.
func fillChain(b *testing.B, d *db.DB, n int, w *bufio.Writer) {
	b.Helper()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := audit.GenesisHash
	actions := []string{"request.view", "request.view", "request.view", "auth.login", "request.create", "request.edit", "request.submit", "audit.view"}
	batch := make([]audit.Event, 0, 1000)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := d.Session(&gorm.Session{}).CreateInBatches(batch, 200).Error; err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	agencyID := uuid.NewString()
	for i := 1; i <= n; i++ {
		reqID := uuid.NewSHA1(uuid.NameSpaceOID, []byte(strconv.Itoa(i/7))).String()
		ev := audit.Event{
			Seq: int64(i), At: at.Add(time.Duration(i) * 137 * time.Millisecond),
			Actor:  audit.Actor{Issuer: "https://idp.riverside-pd.example/realms/rpd", Subject: fmt.Sprintf("officer-%04d", i%500), Role: "officer", AgencyID: agencyID},
			Action: actions[i%len(actions)], ObjectType: "request", ObjectID: reqID, Outcome: audit.OutcomeSuccess, RequestID: reqID,
			PrevHash: prev,
		}
		switch ev.Action {
		case "request.submit":
			ev.Decision = scope
		case "request.edit":
			ev.Details = `{"fields":["targets","date_to"],"version":3}`
		case "request.create":
			ev.Details = `{"reference":"WD-2026-` + fmt.Sprintf("%06d", i/7) + `"}`
		}
		ev.Hash = audit.Hash(ev)
		prev = ev.Hash
		audit.WriteChainInput(w, ev)
		batch = append(batch, ev)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	if err := d.Exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", n, prev).Error; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVerify times Verify over the whole chain, beside sha256sum(1)
// hashing the very bytes the chain's hashes cover (one file of every
// event's encoding), and reports the ratio.
//
//	WARRANTDESK_BENCH_AUDIT_EVENTS=1000000 go test -run '^$' -bench Verify -benchtime 3x ./server/internal/audit/
func BenchmarkVerify(b *testing.B) {
	n := benchEvents(b)
	d := dbtest.Open(b)
	path := filepath.Join(b.TempDir(), "chain-input")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fillChain(b, d, n, w)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)

	// sha256sum of the same bytes, best of five (the file is in the page
	// cache after the first).
	var sum time.Duration
	if bin, err := exec.LookPath("sha256sum"); err == nil {
		for i := 0; i < 5; i++ {
			start := time.Now()
			if out, err := exec.Command(bin, path).CombinedOutput(); err != nil {
				b.Fatalf("sha256sum: %v %s", err, out)
			}
			if el := time.Since(start); sum == 0 || el < sum {
				sum = el
			}
		}
	}

	// As verify-log does: one connection per CPU, even on SQLite (it only
	// reads).
	d.SQL.SetMaxOpenConns(runtime.GOMAXPROCS(0))

	// The floor: reading every row once, in one query, hashing nothing.
	var read time.Duration
	for i := 0; i < 2; i++ {
		start := time.Now()
		rows, err := d.SQL.Query(`SELECT seq, at, prev_hash, actor_issuer, actor_subject, actor_role, actor_agency_id, action,
			object_type, object_id, outcome, request_id, decision, details, hash FROM audit_events ORDER BY seq`)
		if err != nil {
			b.Fatal(err)
		}
		var seq int64
		var at time.Time
		var raw [13]sql.RawBytes
		dest := []any{&seq, &at}
		for i := range raw {
			dest = append(dest, &raw[i])
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
		if el := time.Since(start); read == 0 || el < read {
			read = el
		}
	}

	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		rep, err := audit.Verify(ctx, d.DB, nil, nil)
		if err != nil || !rep.OK() || rep.Events != int64(n) {
			b.Fatalf("verify: %+v, %v", rep, err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(n)/per.Seconds(), "events/s")
	b.ReportMetric(float64(st.Size())/float64(n), "bytes/event")
	b.ReportMetric(read.Seconds(), "read-s")
	if sum > 0 {
		b.ReportMetric(sum.Seconds(), "sha256sum-s")
		b.ReportMetric(per.Seconds()/sum.Seconds(), "x-sha256sum")
	}
}

// BenchmarkViewThroughput measures how many request views per second the
// database sustains with many concurrent callers: the reads of a view
// alone; the same reads and one uncontended durable write (a commit that
// must reach the disk); the same reads and the audit append (what every
// view costs); and the real request.Service.Get (policy, reads, audit). The
// difference between the second and third is what appending to one hash
// chain costs beyond any durable write; run it on PostgreSQL, where
// replicas share the chain.
//
//	WARRANTDESK_TEST_DATABASE=postgres go test -run '^$' -bench ViewThroughput ./server/internal/audit/
func BenchmarkViewThroughput(b *testing.B) {
	f := newFiling(b)
	r := f.draft(b)
	if err := f.submit(ctx, f.officer, r.ID); err != nil {
		b.Fatal(err)
	}
	// The control's writes go to another request, so that the views read
	// the same rows throughout.
	other := f.draft(b)
	reads := func(tx *gorm.DB) error {
		var req request.Request
		if err := tx.Where("id = ?", r.ID).Take(&req).Error; err != nil {
			return err
		}
		var n int64
		for _, table := range []string{"request_targets", "request_documents", "request_history"} {
			if err := tx.Table(table).Where("request_id = ?", r.ID).Count(&n).Error; err != nil {
				return err
			}
		}
		return nil
	}
	actor := audit.Actor{Issuer: f.officer.Issuer, Subject: f.officer.Subject, Role: "officer", AgencyID: f.officer.AgencyID}
	for _, bc := range []struct {
		name string
		op   func(p *identity.Principal) error
	}{
		{"reads", func(*identity.Principal) error { return f.d.Transaction(reads) }},
		{"reads+write", func(*identity.Principal) error {
			// The control: the same reads and one durable write that
			// contends with nothing, so what remains of the difference to
			// reads+audit is the chain's own cost.
			return f.d.Transaction(func(tx *gorm.DB) error {
				if err := reads(tx); err != nil {
					return err
				}
				return tx.Create(&request.HistoryEntry{RequestID: other.ID, At: time.Now().UTC(), ActorID: f.officer.PersonID,
					Action: request.ActionView, FromStatus: "submitted", ToStatus: "submitted"}).Error
			})
		}},
		{"reads+audit", func(*identity.Principal) error {
			return f.d.Transaction(func(tx *gorm.DB) error {
				if err := reads(tx); err != nil {
					return err
				}
				return audit.Append(ctx, tx, audit.Event{Actor: actor, Action: request.ActionView, ObjectType: "request", ObjectID: r.ID, RequestID: r.ID})
			})
		}},
		{"reads+audit-waiting", func(*identity.Principal) error {
			// Issue 2's design, for comparison: wait for the chain head,
			// and so for the commit of whoever holds it.
			return f.d.Transaction(func(tx *gorm.DB) error {
				if err := reads(tx); err != nil {
					return err
				}
				if f.d.Dialect == db.Postgres {
					if err := tx.Exec("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE").Error; err != nil {
						return err
					}
				}
				return audit.Append(ctx, tx, audit.Event{Actor: actor, Action: request.ActionView, ObjectType: "request", ObjectID: r.ID, RequestID: r.ID})
			})
		}},
		{"Service.Get", func(p *identity.Principal) error { _, err := f.svc.Get(ctx, p, r.ID); return err }},
	} {
		// Each case starts with an empty queue.
		if _, err := audit.Flush(ctx, f.d.DB); err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.SetParallelism(8) // 8 callers per CPU
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bc.op(f.officer); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "views/s")
		})
	}
	if _, err := audit.Flush(ctx, f.d.DB); err != nil {
		b.Fatal(err)
	}
	if rep, err := audit.Verify(ctx, f.d.DB, nil, nil); err != nil || !rep.OK() || rep.Queued != 0 {
		b.Fatalf("chain after the benchmark: %+v, %v", rep.Problems, err)
	}
}
