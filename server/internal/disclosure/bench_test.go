package disclosure_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// The child process of BenchmarkProduction1M builds one package and
// reports how long Produce took; the parent reads its peak RSS.
const (
	envBenchChild = "WD_BENCH_BUILD_CHILD"
	envBenchDB    = "WD_BENCH_BUILD_DB"
	envBenchBlobs = "WD_BENCH_BUILD_BLOBS"
	envBenchReq   = "WD_BENCH_BUILD_REQUEST"
)

// TestBenchBuildChild is the child of TestProductionBenchmark; it does
// nothing in a normal run.
func TestBenchBuildChild(t *testing.T) {
	if os.Getenv(envBenchChild) == "" {
		t.Skip("only the child process of TestProductionBenchmark")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv(envBenchDB))
	if err != nil {
		t.Fatal(err)
	}
	store, _ := blob.NewLocal(os.Getenv(envBenchBlobs))
	keys, _ := disclosure.ParseKeys(testKey)
	// The policy decides the user notice owed with the package.
	pol := policyEngine(t)
	svc := &disclosure.Service{DB: d, Blobs: store, Keys: keys, TempDir: t.TempDir(), Policy: pol, Authz: request.NewPolicy(pol),
		Metadata: &metadata.Store{DB: d, Retention: metadata.Retention{"subscriber": 90, "connection_log": 90}}}
	start := time.Now()
	p, err := svc.Produce(ctx, os.Getenv(envBenchReq))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("BUILD %d %d\n", time.Since(start).Nanoseconds(), p.BlobSize)
}

// TestProductionBenchmark builds the package of one account with a million
// connection events on PostgreSQL, each build in a fresh process so that
// its peak resident memory can be read, beside psql's
// COPY (SELECT …) TO STDOUT of the same rows, and reports the medians. It
// takes a few minutes, so it runs only when asked:
//
//	WARRANTDESK_BENCH_PRODUCTIONS=5 \
//	WARRANTDESK_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	  go test -run TestProductionBenchmark -v ./server/internal/disclosure/
func TestProductionBenchmark(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("WARRANTDESK_BENCH_PRODUCTIONS"))
	if runs < 1 {
		t.Skip("set WARRANTDESK_BENCH_PRODUCTIONS to the number of builds to time")
	}
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("needs psql")
	}
	ctx := context.Background()
	url := dbtest.PostgresURL(t)
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, d)
	seedStart := time.Now()
	st, err := demo.GenerateMetadata(ctx, d, demo.MetadataOptions{Accounts: 1, FirstIndex: demo.TargetIndex,
		Days: 90, EventsPerDay: 11550, Seed: 3, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	d.Exec("ANALYZE")
	t.Logf("seeded %d connection events in %s", st.ConnectionEvents, time.Since(seedStart).Round(time.Millisecond))
	from, to := day.Of(now).AddDays(-89), day.Of(now)
	ap := disclosure.Approved{Categories: []string{"subscriber", "connection_log"}, Targets: []request.Target{target123}, DateFrom: from, DateTo: to}
	fromT, toT := metadata.Window(from, to)
	account := demo.AccountIDOf(target123.Value)
	var rows int64
	d.Raw(`SELECT COUNT(*) FROM md_connection_events WHERE account_id = ? AND at >= ? AND at < ?`, account, fromT, toT).Scan(&rows)

	copySQL := fmt.Sprintf(`COPY (SELECT account_id, at, ip, port, event FROM md_connection_events WHERE account_id = '%s' AND at >= '%s' AND at < '%s' ORDER BY at, id) TO STDOUT (FORMAT csv, HEADER)`,
		account, fromT.Format(time.RFC3339), toT.Format(time.RFC3339))
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	var copyTimes, buildTimes []time.Duration
	var peakRSS int64
	var size int64
	for range runs {
		start := time.Now()
		cmd := exec.Command("psql", url, "-qAt", "-c", copySQL)
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = devNull, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("psql: %v %s", err, stderr.String())
		}
		copyTimes = append(copyTimes, time.Since(start))

		r := e.request(req{categories: ap.Categories, targets: ap.Targets, from: from, to: to})
		if err := d.Transaction(func(tx *gorm.DB) error { return e.svc.Enqueue(ctx, tx, r.ID, &ap) }); err != nil {
			t.Fatal(err)
		}
		child := exec.Command(os.Args[0], "-test.run=^TestBenchBuildChild$", "-test.count=1", "-test.v")
		child.Env = append(os.Environ(), envBenchChild+"=1", envBenchDB+"="+url, envBenchBlobs+"="+filepath.Join(t.TempDir(), "blobs"), envBenchReq+"="+r.ID)
		out, err := child.CombinedOutput()
		if err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
		var ns int64
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "BUILD ") {
				f := strings.Fields(line)
				ns, _ = strconv.ParseInt(f[1], 10, 64)
				size, _ = strconv.ParseInt(f[2], 10, 64)
			}
		}
		buildTimes = append(buildTimes, time.Duration(ns))
		if ru, ok := child.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peakRSS = max(peakRSS, ru.Maxrss*1024) // Linux reports KiB
		}
	}
	slices.Sort(copyTimes)
	slices.Sort(buildTimes)
	copyMed, buildMed := copyTimes[len(copyTimes)/2], buildTimes[len(buildTimes)/2]
	t.Logf("COPY runs %v; builds %v", copyTimes, buildTimes)
	t.Logf("%d rows: COPY %s, build %s (%.2f×), peak RSS of the build process %.1f MiB, package %.1f MiB",
		rows, copyMed.Round(time.Millisecond), buildMed.Round(time.Millisecond), buildMed.Seconds()/copyMed.Seconds(),
		float64(peakRSS)/(1<<20), float64(size)/(1<<20))
}
