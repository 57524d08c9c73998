package disclosure_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// The child process of TestKill9DuringExtraction reads its job from these.
const (
	envKillChild = "WD_TEST_KILL9_CHILD"
	envKillDB    = "WD_TEST_KILL9_DB"
	envKillBlobs = "WD_TEST_KILL9_BLOBS"
	envKillReq   = "WD_TEST_KILL9_REQUEST"
)

// TestKill9DuringExtraction starts a second process that builds a large
// package and kills it with SIGKILL in the middle of the extraction. The
// production is left building with nothing stored; once its heartbeat is
// stale the sweep builds it again, and there is exactly one package,
// complete and verifiable.
func TestKill9DuringExtraction(t *testing.T) {
	if os.Getenv(envKillChild) != "" {
		killChild(t)
		return
	}
	if testing.Short() {
		t.Skip("builds a package of 300,000 records")
	}
	ctx := context.Background()
	url := filepath.Join(t.TempDir(), "kill9.db")
	if os.Getenv(dbtest.EnvDatabase) == "postgres" {
		url = dbtest.PostgresURL(t)
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, d)
	perDay, want := 3500.0, int64(250000)
	if raceEnabled {
		perDay, want = 700, 50000 // the race detector makes each record ten times dearer
	}
	if _, err := demo.GenerateMetadata(ctx, d, demo.MetadataOptions{Accounts: 1, FirstIndex: demo.TargetIndex,
		Days: 89, EventsPerDay: perDay, Seed: 9, Now: now}); err != nil {
		t.Fatal(err)
	}
	r := e.request(req{categories: []string{"subscriber", "connection_log"}, targets: []request.Target{target123},
		from: day.Of(now).AddDays(-88), to: day.Of(now)})

	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9DuringExtraction$", "-test.count=1")
	cmd.Env = append(os.Environ(), envKillChild+"=1", envKillDB+"="+url, envKillBlobs+"="+e.blobDir, envKillReq+"="+r.ID)
	out, _ := os.Create(filepath.Join(t.TempDir(), "child.log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var status string
		d.Raw(`SELECT status FROM productions WHERE request_id = ?`, r.ID).Scan(&status)
		if status == disclosure.StatusBuilding {
			break
		}
		if time.Now().After(deadline) || status == disclosure.StatusReady {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child never was mid-build (status %q)", status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // well into the connection log
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	p := mustGet(t, e, r.ID)
	if p.Status != disclosure.StatusBuilding {
		t.Fatalf("after kill -9 the production is %s; the child finished too soon for the test to mean anything", p.Status)
	}
	if n := len(e.blobs()); n != 0 {
		t.Fatalf("the killed build left %d blobs", n)
	}
	// After the restart the sweep finds the build without a heartbeat and
	// builds it again (a River job retrying Produce does the same).
	if n, err := e.svc.Sweep(ctx); n != 0 || err != nil {
		t.Fatalf("the sweep took over a build whose heartbeat is fresh: %d, %v", n, err)
	}
	e.setNow(now.Add(disclosure.StaleBuild + time.Second))
	if n, err := e.svc.Sweep(ctx); n != 1 || err != nil {
		t.Fatalf("Sweep = %d, %v; want the dead build rebuilt", n, err)
	}
	done := mustGet(t, e, r.ID)
	if done.ID != p.ID || done.Attempts != 2 || done.Status != disclosure.StatusReady {
		t.Errorf("after the restart: %+v", done)
	}
	if n := len(e.blobs()); n != 1 {
		t.Errorf("%d blobs after the restart, want exactly one package", n)
	}
	e.setStatus(r.ID, "disclosed")
	b, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	pk := openPackage(t, b, e.svc.Keys.PublicKey())
	if pk.manifest.Counts["connection_log"] < want {
		t.Errorf("the package holds %d connection events", pk.manifest.Counts["connection_log"])
	}
}

// killChild builds the package until it is killed.
func killChild(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv(envKillDB))
	if err != nil {
		t.Fatal(err)
	}
	store, err := blob.NewLocal(os.Getenv(envKillBlobs))
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := disclosure.ParseKeys(testKey)
	pol := policyEngine(t)
	cat, _ := pol.Catalogue(ctx)
	clock := func() time.Time { return now }
	svc := &disclosure.Service{DB: d, Blobs: store, Keys: keys, Policy: pol, Authz: request.NewPolicy(pol), Now: clock,
		Metadata: &metadata.Store{DB: d, Retention: metadata.RetentionFrom(cat), Now: clock}, TempDir: t.TempDir()}
	svc.Produce(ctx, os.Getenv(envKillReq))
	// Reaching here means the parent was too slow; it reports that.
}
