package policy_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

func TestMemoReturnsCopies(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()
	in := usRequest("us.subpoena", "grand_jury", "subscriber", "device")
	first, err := e.Scope(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	first.Categories[0] = "content"
	first.Refused[0].Reason = "changed"
	second, err := e.Scope(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := second.Categories[0], "subscriber"; got != want {
		t.Errorf("Categories[0] = %q after the caller changed its copy, want %q", got, want)
	}
	if second.Refused[0].Reason == "changed" {
		t.Error("Refused shares memory with an earlier answer")
	}
}

func TestMemoEvictsOldest(t *testing.T) {
	e, err := policy.Load(context.Background(), policies.FS, policy.WithMemo(3))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		in := usRequest("us.warrant", "judge", "subscriber")
		in.Request.ID = fmt.Sprint("req-", i)
		if _, err := e.Scope(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := policy.MemoLen(e), 3; got != want {
		t.Errorf("remembered %d decisions, want %d", got, want)
	}
}

func TestMemoOff(t *testing.T) {
	e, err := policy.Load(context.Background(), policies.FS, policy.WithMemo(0))
	if err != nil {
		t.Fatal(err)
	}
	if policy.Memoizes(e) {
		t.Error("WithMemo(0) still remembers")
	}
	if _, err := e.Scope(context.Background(), usRequest("us.warrant", "judge", "subscriber")); err != nil {
		t.Fatal(err)
	}
}

// A bundle that reads the clock or the network cannot be remembered.
func TestMemoOffForNondeterministicBundle(t *testing.T) {
	fsys := withFile(t, "extra/clock.rego", "package extra\n\nnow := time.now_ns()\n")
	e, err := policy.Load(context.Background(), fsys, policy.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if policy.Memoizes(e) {
		t.Error("a bundle calling time.now_ns is remembered")
	}
}
