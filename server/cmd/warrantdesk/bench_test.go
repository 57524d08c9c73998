package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// BenchmarkColdStartDemo measures `serve --demo` from nothing to ready: a
// fresh data directory, migrations, the policy bundle, the demo provider.
func BenchmarkColdStartDemo(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- runServe(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data-dir", b.TempDir(), "--log-level", "error"},
				func(string) string { return "" }, io.Discard, io.Discard, ready)
		}()
		select {
		case <-ready:
		case err := <-done:
			b.Fatal(err)
		}
		cancel()
		<-done
	}
}

// BenchmarkGetRequestPostgres measures authenticated GET /api/v1/requests/{id}
// on PostgreSQL with several concurrent clients (each call authenticates the
// bearer token, authorises through the policy, reads the request, evaluates
// its scope and appends a request.view audit event), and runs `pgbench -S`
// (PostgreSQL's own select-only benchmark) on the same server for the same
// time and concurrency, reporting both and their ratio.
func BenchmarkGetRequestPostgres(b *testing.B) {
	if os.Getenv(dbtest.EnvPostgresDSN) == "" {
		b.Skipf("skipping: set %s", dbtest.EnvPostgresDSN)
	}
	b.Setenv(dbtest.EnvDatabase, "postgres")
	const clients = 8
	base := MustRunMain(b, "WARRANTDESK_LOG_LEVEL=error", "WARRANTDESK_RATE_LIMIT=0")
	api := newAPIClient(b, base, "riverside-pd-cms", "riverside-demo-secret")
	var r apiReq
	if code := api.call(http.MethodPost, "/api/v1/requests", subpoena, &r); code != http.StatusCreated {
		b.Fatalf("create: %d", code)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr}
	get := func() error {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/requests/"+r.ID, nil)
		req.Header.Set("Authorization", "Bearer "+api.token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	b.ResetTimer()
	start := time.Now()
	var n atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Add(1) <= int64(b.N) {
				if err := get(); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := firstErr.Load(); err != nil {
		b.Fatal(err)
	}
	rps := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	if tps, err := dbtest.Pgbench(b, clients, elapsed, "-S"); err != nil {
		b.Logf("pgbench not run: %v", err)
	} else {
		b.ReportMetric(tps, "pgbench-S_tps")
		b.ReportMetric(rps/tps, "ratio")
	}
}
