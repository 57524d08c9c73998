package demo_test

import (
	"context"
	"sync"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// TestSeedMetadataConcurrentReplicas: replicas that start together on one
// PostgreSQL each seed the demo at start; exactly one writes the set, the
// others find it, and none fails on a duplicate key.
func TestSeedMetadataConcurrentReplicas(t *testing.T) {
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
			wrote[i], errs[i] = demo.SeedMetadata(ctx, d, end)
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
	var n int64
	if err := handles[0].Model(&metadata.Account{}).Count(&n).Error; err != nil || n != 24 {
		t.Errorf("demo accounts: %d, %v; want 24", n, err)
	}
}

// TestSeedMetadataOnce: the demo set is written into an empty store only.
func TestSeedMetadataOnce(t *testing.T) {
	d := dbtest.Open(t)
	for i, want := range []bool{true, false} {
		wrote, err := demo.SeedMetadata(context.Background(), d, end)
		if err != nil || wrote != want {
			t.Fatalf("SeedMetadata #%d = %v, %v; want %v", i+1, wrote, err, want)
		}
	}
	var n int64
	if err := d.Model(&metadata.Account{}).Where("phone = ?", demo.PhoneOf(demo.TargetIndex)).Count(&n).Error; err != nil || n != 1 {
		t.Errorf("demo target accounts: %d, %v; want 1", n, err)
	}
}
