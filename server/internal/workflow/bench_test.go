package workflow_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// bulkQueue fills a PostgreSQL database with n routed requests in one
// statement per table: spread over the five queues and the open states,
// deadlines over eleven days, one in twenty overdue, one in fifty an
// emergency, one in ten finished (in no queue).
func bulkQueue(b *testing.B, e *wt.Env, n int) {
	b.Helper()
	start := time.Now()
	// setseed makes the pseudo-random spread the same on every run.
	err := e.DB.Transaction(func(tx *gormDB) error {
		if err := tx.Exec("SELECT setseed(0.42)").Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO requests (id, reference, agency_id, created_by, status, version, process, categories,
				submitted_at, created_at, updated_at)
			SELECT '01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), 'WD-B-' || lpad(i::text, 8, '0'), ?, ?,
				(ARRAY['submitted','intake','in_review','needs_info','awaiting_countersign','approved','producing','closed','rejected','withdrawn'])[1 + floor(random() * 10)::int],
				3, 'us.subpoena', 'subscriber connection_log', now(), now(), now()
			FROM generate_series(1, ?) AS i`, e.Agency.ID, e.Officer.PersonID, n).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO workflow_requests (request_id, status, queue, due_at, overdue, emergency, kind, approvals_required,
				routed_at, updated_at)
			SELECT r.id, r.status,
				CASE WHEN r.status IN ('closed','rejected','withdrawn') THEN '' ELSE (ARRAY['intake','legal','emergency','international','counsel'])[1 + floor(random() * 5)::int] END,
				now() + floor(random() * 950400) * interval '1 second', random() < 0.05, random() < 0.02, 'legal_process', 1, now(), now()
			FROM requests r WHERE r.reference LIKE 'WD-B-%'`).Error
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.DB.Exec("VACUUM ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("%d requests loaded in %s", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkQueuePage measures one page (25) of a team queue, most urgent
// first, on a PostgreSQL database of 10 thousand requests and on one of 1
// million, alternating between the two so that both meet the same machine
// load: the first page, a page forty pages in (keyset cursor), the first page
// of overdue ones and the first page of one state. It reports the median
// latency at each size and their ratio. Keyset pagination over (deadline, id)
// on a covering index makes each page one index-only range scan, so the
// ratio should stay near 1.
func BenchmarkQueuePage(b *testing.B) {
	if os.Getenv(dbtest.EnvPostgresDSN) == "" {
		b.Skipf("skipping: set %s", dbtest.EnvPostgresDSN)
	}
	ctx := context.Background()
	type size struct {
		n    int
		e    *wt.Env
		deep string
	}
	sizes := []*size{{n: 10_000}, {n: 1_000_000}}
	for _, sz := range sizes {
		sz.e = wt.New(b, wt.Options{DB: dbtest.OpenPostgres(b), NoStart: true})
		bulkQueue(b, sz.e, sz.n)
		for range 40 {
			p, err := sz.e.Engine.Queue(ctx, sz.e.Reviewer, workflow.QueueFilter{Team: "legal", Cursor: sz.deep})
			if err != nil || p.NextCursor == "" {
				b.Fatalf("paging %d: %v", sz.n, err)
			}
			sz.deep = p.NextCursor
		}
	}
	for _, c := range []struct {
		name string
		f    func(deep string) workflow.QueueFilter
	}{
		{"first", func(string) workflow.QueueFilter { return workflow.QueueFilter{Team: "legal"} }},
		{"page40", func(deep string) workflow.QueueFilter { return workflow.QueueFilter{Team: "legal", Cursor: deep} }},
		{"overdue", func(string) workflow.QueueFilter { return workflow.QueueFilter{Team: "legal", Overdue: ptr(true)} }},
		{"in_review", func(string) workflow.QueueFilter {
			return workflow.QueueFilter{Team: "legal", Status: request.StateInReview}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			samples := make([][]time.Duration, len(sizes))
			for b.Loop() {
				for i, sz := range sizes {
					t0 := time.Now()
					p, err := sz.e.Engine.Queue(ctx, sz.e.Reviewer, c.f(sz.deep))
					samples[i] = append(samples[i], time.Since(t0))
					if err != nil || len(p.Items) != 25 {
						b.Fatalf("%d requests: %d items, %v", sz.n, len(p.Items), err)
					}
				}
			}
			small, large := median(samples[0]), median(samples[1])
			b.ReportMetric(float64(small.Microseconds()), "µs@10k")
			b.ReportMetric(float64(large.Microseconds()), "µs@1M")
			b.ReportMetric(float64(large)/float64(small), "ratio")
		})
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkTransitionsPostgres measures transitions per second on
// PostgreSQL: eight clients each take and release their own requests, so
// every operation is a committed transition (state under the version check,
// history, audit event, job) and none conflicts.
func BenchmarkTransitionsPostgres(b *testing.B) {
	if os.Getenv(dbtest.EnvPostgresDSN) == "" {
		b.Skipf("skipping: set %s", dbtest.EnvPostgresDSN)
	}
	e := wt.New(b, wt.Options{DB: dbtest.OpenPostgres(b), NoStart: true})
	ctx := context.Background()
	const clients = 8
	type work struct {
		p  *identity.Principal
		id string
	}
	var ws []work
	for i := range clients {
		r := e.File(b, e.Officer, wt.Subpoena)
		e.Do(b, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
		ws = append(ws, work{wt.MustPerson(b, e.DB, nil, fmt.Sprintf("bench-reviewer-%d", i), identity.RoleReviewer), r.ID})
	}
	var next atomic.Int64
	b.SetParallelism(clients / max(1, runtime.GOMAXPROCS(0)))
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := ws[int(next.Add(1)-1)%len(ws)]
		version := e.Version(b, w.id)
		take := true
		for pb.Next() {
			a := workflow.ActionRelease
			if take {
				a = workflow.ActionTake
			}
			st, err := e.Engine.Transition(ctx, w.p, w.id, version, a, workflow.Input{})
			if err != nil {
				b.Error(err)
				return
			}
			version, take = st.Version, !take
		}
	})
	elapsed := time.Since(start)
	tps := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(tps, "transitions/s")
	if limit, err := dbtest.Pgbench(b, clients, elapsed); err != nil {
		b.Logf("pgbench not run: %v", err)
	} else {
		b.ReportMetric(limit, "pgbench-tpcb_tps")
		b.ReportMetric(tps/limit, "ratio")
	}
}
