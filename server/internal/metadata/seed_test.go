package metadata_test

import (
	"context"
	"sync"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// TestSeedDemoConcurrentReplicas: replicas that start together on one
// PostgreSQL each seed the demo at start; exactly one writes the set, the
// others find it, and none fails on a duplicate key.
func TestSeedDemoConcurrentReplicas(t *testing.T) {
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	const replicas = 4
	handles := make([]*db.DB, replicas)
	for i := range handles {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if _, err := d.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		handles[i] = d
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		wrote = make([]bool, replicas)
		errs  = make([]error, replicas)
	)
	for i, d := range handles {
		wg.Go(func() {
			<-start
			wrote[i], errs[i] = metadata.SeedDemo(ctx, d, now)
		})
	}
	close(start)
	wg.Wait()
	writers := 0
	for i := range replicas {
		if errs[i] != nil {
			t.Errorf("replica %d: %v", i, errs[i])
		}
		if wrote[i] {
			writers++
		}
	}
	if writers != 1 {
		t.Errorf("%d replicas wrote the demo set, want 1", writers)
	}
	if n := count(t, handles[0], `SELECT COUNT(*) FROM md_accounts`); n != 24 {
		t.Errorf("demo accounts: %d, want 24", n)
	}
}
