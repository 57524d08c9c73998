package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// pendingJobs counts the River jobs due now that no worker has finished.
const pendingJobs = `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'scheduled', 'running', 'retryable') AND scheduled_at <= ?`

// TestSeedHistory runs `warrantdesk seed --history N --seed S` through the
// binary's entry point, refuses the same seed again, lets a following
// `serve` work the jobs the history left behind, and checks that they
// changed nothing and that `verify-log` finds the audit chain and the log
// intact.
func TestSeedHistory(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	if dbtestPostgres() {
		env["WARRANTDESK_DATABASE_URL"] = dbtest.PostgresURL(t)
	}
	getenv := func(k string) string { return env[k] }
	var stdout, stderr bytes.Buffer
	args := []string{"seed", "--data-dir", dir, "--accounts", "24", "--first", "100", "--days", "30", "--history", "25", "--seed", "3"}
	if code := run(context.Background(), args, getenv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "seeded 25 past requests") {
		t.Errorf("stdout %q", stdout.String())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"seed", "--data-dir", dir, "--history=25", "-seed=3"}, getenv, &stdout, &stderr); code == 0 ||
		!strings.Contains(stderr.String(), "already used") {
		t.Errorf("the same seed again: exit %d, stderr %q; want a refusal", code, stderr.String())
	}
	for _, bad := range [][]string{{"--history"}, {"--history", "0"}, {"--history", "many"}} {
		stderr.Reset()
		if code := run(context.Background(), append([]string{"seed", "--data-dir", t.TempDir()}, bad...), getenv, &stdout, &stderr); code == 0 ||
			!strings.Contains(stderr.String(), "history") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, stderr.String())
		}
	}

	url := env["WARRANTDESK_DATABASE_URL"]
	if url == "" {
		url = filepath.Join(dir, "warrantdesk.db")
	}
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	type state struct {
		Requests, History, Audit, Leaves int64
		Statuses                         string
	}
	read := func() state {
		var s state
		d.Raw(`SELECT COUNT(*) FROM requests`).Scan(&s.Requests)
		d.Raw(`SELECT COUNT(*) FROM request_history`).Scan(&s.History)
		d.Raw(`SELECT COUNT(*) FROM audit_events WHERE action LIKE 'workflow.%' OR action LIKE 'request.%'`).Scan(&s.Audit)
		d.Raw(`SELECT COUNT(*) FROM tlog_leaves`).Scan(&s.Leaves)
		var st []string
		d.Raw(`SELECT status FROM requests ORDER BY id`).Scan(&st)
		s.Statuses = strings.Join(st, " ")
		return s
	}
	before := read()
	if before.Requests != 25 || before.Leaves < 50 {
		t.Fatalf("after seeding: %+v", before)
	}
	var due int64
	d.Raw(pendingJobs, time.Now()).Scan(&due)
	if due == 0 {
		t.Fatal("the history left no jobs behind: the test would prove nothing")
	}

	// A following serve works every job the history's transitions left:
	// each finds its request moved on and does nothing.
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error"}, getenv, &bytes.Buffer{}, &bytes.Buffer{}, ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	deadline := time.Now().Add(patience)
	for d.Raw(pendingJobs, time.Now()).Scan(&due); due > 0; d.Raw(pendingJobs, time.Now()).Scan(&due) {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still due after a minute", due)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if after := read(); after != before {
		var last []struct {
			Event string
			Leaf  string
		}
		d.Raw(`SELECT event, leaf FROM tlog_leaves WHERE idx >= ? ORDER BY idx`, before.Leaves).Scan(&last)
		t.Errorf("the jobs changed the history:\nbefore %+v\nafter  %+v\nnew leaves %+v", before, after, last)
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"verify-log", "--data-dir", dir}, getenv, &stdout, &stderr); code != 0 {
		t.Fatalf("verify-log: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if got := stdout.String(); strings.Count(got, "intact") != 2 {
		t.Errorf("verify-log: %q", got)
	}
}

// TestDemoHistory starts `serve --demo` on an empty database: it is ready
// before the history is filed, then files it in the background, and works
// the history's jobs only afterwards.
func TestDemoHistory(t *testing.T) {
	url := filepath.Join(t.TempDir(), "demo.db")
	if dbtestPostgres() {
		url = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DEMO_HISTORY"+"=12", "WARRANTDESK_DATABASE_URL="+url)
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var seeded, completed int64
		d.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'history.seed'`).Scan(&seeded)
		d.Raw(`SELECT COUNT(*) FROM river_job WHERE kind LIKE 'workflow.%' AND state = 'completed'`).Scan(&completed)
		if seeded == 1 && completed > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no demo history with its jobs worked after 90s (history %d, jobs done %d)", seeded, completed)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var requests, periods int64
	d.Raw(`SELECT COUNT(*) FROM requests`).Scan(&requests)
	if requests != 12+demo.SignalsSceneRequests {
		t.Errorf("%d requests, want the demo history's 12 and its signals scene's %d", requests, demo.SignalsSceneRequests)
	}
	var days []time.Time
	d.Raw(`SELECT submitted_at FROM requests`).Scan(&days)
	seen := map[string]bool{}
	for _, day := range days {
		seen[day.UTC().Format("2006")+map[bool]string{true: "H1", false: "H2"}[day.Month() <= time.June]] = true
	}
	if periods = int64(len(seen)); periods < 3 {
		t.Errorf("received in %d half-years, want at least 3", periods)
	}
	if rep, err := audit.Verify(context.Background(), d.DB, nil, nil); err != nil || !rep.OK() {
		t.Errorf("audit chain: %+v, %v", rep, err)
	}

	// The demo publishes the report of every half-year of its history that
	// has ended, and each recounts from the public log.
	var list struct {
		Reports []struct {
			Period string `json:"period"`
		} `json:"reports"`
	}
	wt.Eventually(t, 30*time.Second, "the demo's reports", func() bool {
		code, body := httpGet(t, base+"/api/v1/transparency/reports")
		return code == http.StatusOK && json.Unmarshal([]byte(body), &list) == nil && int64(len(list.Reports)) >= periods-1
	})
	_, vkey := httpGet(t, base+"/api/v1/log/key")
	for _, it := range list.Reports {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"report", "verify", "--period", it.Period, "--from", base, "--key", strings.TrimSpace(vkey)},
			func(string) string { return "" }, &out, &errOut)
		if code != 0 {
			t.Errorf("report verify %s: exit %d\n%s%s", it.Period, code, out.String(), errOut.String())
		}
	}
}
