package policy_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// benchLatency times each call and reports the median and 99th percentile
// in microseconds beside ns/op.
func benchLatency(b *testing.B, call func(i int) error) {
	b.Helper()
	var lat []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if err := call(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		i++
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// engines gives a prepared engine that evaluates every call ("cold") and
// one that remembers recent decisions ("warm", the default).
func engines(b *testing.B) map[string]*policy.Engine {
	b.Helper()
	cold, err := policy.Load(context.Background(), policies.FS, policy.WithMemo(0))
	if err != nil {
		b.Fatal(err)
	}
	return map[string]*policy.Engine{"cold": cold, "warm": MustLoad(b)}
}

func BenchmarkScope(b *testing.B) {
	ctx := context.Background()
	in := usRequest("us.subpoena", "grand_jury", "subscriber", "connection_log", "device", "content")
	for _, name := range []string{"cold", "warm"} {
		e := engines(b)[name]
		b.Run(name, func(b *testing.B) {
			benchLatency(b, func(int) error {
				_, err := e.Scope(ctx, in)
				return err
			})
		})
	}
	// Distinct inputs defeat the memo: what a new request costs.
	b.Run("warm-distinct", func(b *testing.B) {
		e := MustLoad(b)
		benchLatency(b, func(i int) error {
			x := in
			x.Request.ID = fmt.Sprint("bench-", i)
			_, err := e.Scope(ctx, x)
			return err
		})
	})
}

func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	in := policy.AuthzInput{
		Actor:    policy.Actor{ID: "p1", Roles: []string{"reviewer"}, Provider: true},
		Action:   "approve",
		Request:  &policy.Request{ID: "r1", AgencyID: "riverside", Status: "in_review"},
		Relation: policy.RelationProvider,
	}
	for _, name := range []string{"cold", "warm"} {
		e := engines(b)[name]
		b.Run(name, func(b *testing.B) {
			benchLatency(b, func(int) error {
				d, err := e.Authorize(ctx, in)
				if err == nil && !d.Allow {
					b.Fatal("denied")
				}
				return err
			})
		})
	}
}

func BenchmarkRoute(b *testing.B) {
	ctx := context.Background()
	e := engines(b)["cold"]
	in := usRequest("us.warrant", "judge", "subscriber", "connection_log")
	in.Request.Status = "in_review"
	benchLatency(b, func(int) error {
		_, err := e.Route(ctx, in)
		return err
	})
}

func BenchmarkApprovals(b *testing.B) {
	ctx := context.Background()
	e := engines(b)["cold"]
	in := usRequest("us.warrant", "judge", "subscriber", "connection_log")
	benchLatency(b, func(int) error {
		_, err := e.Approvals(ctx, in)
		return err
	})
}
