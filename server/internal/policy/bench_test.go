package policy_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// benchLatency times each call and reports the median and 99th percentile
// in microseconds beside ns/op.
func benchLatency(b *testing.B, call func() error) {
	b.Helper()
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if err := call(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

func BenchmarkScope(b *testing.B) {
	e := MustLoad(b)
	ctx := context.Background()
	in := usRequest("us.subpoena", "grand_jury", "subscriber", "connection_log", "device", "content")
	benchLatency(b, func() error {
		_, err := e.Scope(ctx, in)
		return err
	})
}

func BenchmarkAuthorize(b *testing.B) {
	e := MustLoad(b)
	ctx := context.Background()
	in := policy.AuthzInput{
		Actor:    policy.Actor{ID: "p1", Roles: []string{"reviewer"}, Provider: true},
		Action:   "approve",
		Request:  &policy.Request{ID: "r1", AgencyID: "riverside", Status: "in_review"},
		Relation: policy.RelationProvider,
	}
	benchLatency(b, func() error {
		d, err := e.Authorize(ctx, in)
		if err == nil && !d.Allow {
			b.Fatal("denied")
		}
		return err
	})
}

func BenchmarkRoute(b *testing.B) {
	e := MustLoad(b)
	ctx := context.Background()
	in := usRequest("us.warrant", "judge", "subscriber", "connection_log")
	in.Request.Status = "in_review"
	benchLatency(b, func() error {
		_, err := e.Route(ctx, in)
		return err
	})
}

func BenchmarkApprovals(b *testing.B) {
	e := MustLoad(b)
	ctx := context.Background()
	in := usRequest("us.warrant", "judge", "subscriber", "connection_log")
	benchLatency(b, func() error {
		_, err := e.Approvals(ctx, in)
		return err
	})
}
