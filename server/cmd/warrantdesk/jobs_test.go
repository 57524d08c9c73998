package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// buildBinary builds warrantdesk into a temporary directory, once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "warrantdesk")
	out, err := exec.Command("go", "build", "-tags", "nomsgpack", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// A server is a real `warrantdesk serve` process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *syncWriter
	buf  *bytes.Buffer
	done chan struct{}
}

// startServer runs `warrantdesk serve --demo` on database url and waits
// until it is ready.
func startServer(t *testing.T, bin, url, dataDir string) *server {
	t.Helper()
	s := launchServer(t, bin, url, dataDir)
	s.waitReady()
	return s
}

// launchServer starts `warrantdesk serve --demo` on database url without
// waiting for it, so that several can start at the same moment.
func launchServer(t *testing.T, bin, url, dataDir string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var buf bytes.Buffer
	s := &server{t: t, base: "http://" + addr, buf: &buf, logs: &syncWriter{w: &buf}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--demo", "--addr", addr, "--data-dir", dataDir, "--log-level", "warn")
	s.cmd.Env = append(os.Environ(),
		"WARRANTDESK_DATABASE_URL="+url,
		"WARRANTDESK_JOB_POLL_INTERVAL=100ms",
		"WARRANTDESK_JOB_RESCUE_AFTER=2s",
		"WARRANTDESK_JOB_WORKERS=4",
		"WARRANTDESK_DEMO_HISTORY"+"=0", // the tests count what they file
	)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server %s logs:\n%s", addr, s.output())
		}
	})
	return s
}

// waitReady waits until the server answers /readyz.
func (s *server) waitReady() {
	t := s.t
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.done:
			t.Fatalf("server exited before ready:\n%s", s.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after %s:\n%s", patience, s.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) output() string {
	s.logs.mu.Lock()
	defer s.logs.mu.Unlock()
	return s.buf.String()
}

// kill9 kills the process as SIGKILL does: no shutdown, transactions in
// flight are lost.
func (s *server) kill9() {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	<-s.done
}

// sharedDB creates a database the test and the server processes share:
// a SQLite file, or a fresh PostgreSQL database when the suite runs on it.
func sharedDB(t *testing.T) (*db.DB, string) {
	t.Helper()
	url := filepath.Join(t.TempDir(), "shared.db")
	if dbtestPostgres() {
		url = dbtest.PostgresURL(t)
	}
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return d, url
}

// skewedClock runs behind the real one by an offset the test sets: the
// test's engine routes requests "in the past", so their deadlines fall due
// when the test wants, while the servers run on the real clock.
type skewedClock struct{ off atomic.Int64 }

func (c *skewedClock) now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *skewedClock) set(d time.Duration) { c.off.Store(int64(d)) }

// TestKill9JobsTakeEffectOnce files requests whose deadlines are due and
// approved requests whose production is due, then starts a real server,
// SIGKILLs it while it works through the jobs, and starts another: when the
// second is done, every deadline escalated exactly once and every request
// went to production exactly once (one package build), and no job is left.
func TestKill9JobsTakeEffectOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	d, url := sharedDB(t)
	var clock skewedClock
	e := wt.New(t, wt.Options{DB: d, Now: clock.now, NoStart: true})

	const due, pending, approved = 150, 10, 20
	var overdue, later, produced []string
	clock.set(-241 * time.Hour) // routed 241 hours ago: 240-hour deadlines already passed
	for range due {
		overdue = append(overdue, e.FileOf(t, e.Officer, wt.Backdated(wt.Input(wt.Subpoena), 15)).ID)
	}
	clock.set(-240*time.Hour + 8*time.Second) // due eight seconds from now
	for range pending {
		later = append(later, e.FileOf(t, e.Officer, wt.Backdated(wt.Input(wt.Subpoena), 15)).ID)
	}
	clock.set(0)
	for range approved {
		r := e.File(t, e.Officer, wt.Subpoena)
		e.Do(t, e.Intake, r.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
		e.Do(t, e.Reviewer, r.ID, workflow.ActionApprove, workflow.Input{})
		produced = append(produced, r.ID)
	}
	escalations := func() int64 {
		return e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE action = 'workflow.escalate'")
	}

	first := startServer(t, bin, url, t.TempDir())
	start := time.Now()
	for escalations() < 20 {
		if time.Since(start) > patience {
			t.Fatalf("the first server escalated nothing in %s:\n%s", patience, first.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.kill9()
	atKill := escalations()
	running := e.Count(t, "SELECT COUNT(*) FROM river_job WHERE state = 'running'")
	t.Logf("killed the first server after %d escalations, with %d jobs running", atKill, running)
	if atKill >= due {
		t.Fatalf("the first server finished (%d) before it was killed; the test proves nothing", atKill)
	}

	second := startServer(t, bin, url, t.TempDir())
	t.Cleanup(func() {
		if t.Failed() {
			var rows []struct {
				Kind, State string
				N           int
			}
			d.Raw("SELECT kind, state, COUNT(*) AS n FROM river_job GROUP BY kind, state ORDER BY kind, state").Scan(&rows)
			t.Logf("jobs: %+v; escalations %d", rows, escalations())
		}
	})
	wt.Eventually(t, 90*time.Second, "every job to take effect", func() bool {
		left := e.Count(t, "SELECT COUNT(*) FROM river_job WHERE kind IN ('workflow.deadline', 'workflow.produce') AND state <> 'completed' AND scheduled_at < ?",
			time.Now().Add(time.Hour))
		return left == 0 && escalations() >= due+pending
	})
	time.Sleep(time.Second) // a double effect would show up now
	_ = second
	for _, id := range append(append([]string{}, overdue...), later...) {
		if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND action = 'workflow.escalate'", id); got != 1 {
			t.Errorf("request %s escalated %d times, want once", id, got)
		}
		if got := e.Count(t, "SELECT COUNT(*) FROM notifications WHERE request_id = ? AND kind = 'deadline'", id); got != 1 {
			t.Errorf("request %s: %d deadline notifications, want 1", id, got)
		}
		if !e.Case(t, id).Overdue {
			t.Errorf("request %s not marked overdue", id)
		}
	}
	for _, id := range produced {
		if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND action = 'workflow.produce'", id); got != 1 {
			t.Errorf("request %s went to production %d times, want once", id, got)
		}
		// The handover to the disclosure part happened once too: one
		// production, built at most once, and the request producing or,
		// with its package ready, disclosed.
		if got := e.Count(t, "SELECT COUNT(*) FROM productions WHERE request_id = ?", id); got != 1 {
			t.Errorf("request %s has %d productions, want 1", id, got)
		}
		if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND action = 'workflow.disclose'", id); got > 1 {
			t.Errorf("request %s disclosed %d times", id, got)
		}
		if got := e.State(t, id); got != request.StateProducing && got != request.StateDisclosed {
			t.Errorf("request %s is %s, want producing or disclosed", id, got)
		}
	}
}

// TestReplicasShareJobs runs two server processes on one PostgreSQL
// database: both work the jobs that fall due, and each takes effect once.
func TestReplicasShareJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if !dbtestPostgres() {
		t.Skip("replicas share PostgreSQL; run with WARRANTDESK_TEST_DATABASE=postgres")
	}
	bin := buildBinary(t)
	d, url := sharedDB(t)
	var clock skewedClock
	e := wt.New(t, wt.Options{DB: d, Now: clock.now, NoStart: true})
	const n = 300
	ids := make([]string, n)
	// All due together, a little after both replicas are up.
	clock.set(-240*time.Hour + 15*time.Second)
	for i := range ids {
		ids[i] = e.FileOf(t, e.Officer, wt.Backdated(wt.Input(wt.Subpoena), 15)).ID
	}
	clock.set(0)

	// Both at once, as an orchestrator starts replicas: each seeds the demo
	// on start, and they must not trip over each other doing it.
	a, b := launchServer(t, bin, url, t.TempDir()), launchServer(t, bin, url, t.TempDir())
	a.waitReady()
	b.waitReady()

	wt.Eventually(t, 90*time.Second, "every deadline to take effect", func() bool {
		return e.Count(t, "SELECT COUNT(*) FROM river_job WHERE kind = 'workflow.deadline' AND state <> 'completed' AND scheduled_at < ?",
			time.Now().Add(time.Hour)) == 0
	})
	time.Sleep(time.Second)
	for _, id := range ids {
		if got := e.Count(t, "SELECT COUNT(*) FROM "+wt.AuditTrail+" WHERE request_id = ? AND action = 'workflow.escalate'", id); got != 1 {
			t.Errorf("request %s escalated %d times, want once", id, got)
		}
	}
	var workers []string
	if err := d.Raw(`SELECT DISTINCT attempted_by[array_length(attempted_by, 1)] FROM river_job WHERE kind = 'workflow.deadline'`).Scan(&workers).Error; err != nil {
		t.Fatal(err)
	}
	if len(workers) != 2 {
		t.Errorf("jobs worked by %v, want both replicas", workers)
	}
	per := map[string]int64{}
	for _, w := range workers {
		per[w] = e.Count(t, `SELECT COUNT(*) FROM river_job WHERE kind = 'workflow.deadline' AND attempted_by[array_length(attempted_by, 1)] = ?`, w)
	}
	t.Logf("jobs per replica: %v", fmt.Sprint(per))
}
