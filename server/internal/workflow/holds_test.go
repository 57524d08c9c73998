package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestPreservationHoldsRecords: the preservation lane keeps the metadata
// holds in step with the request, in each transition's transaction —
// placed on verification for exactly the target's account and the asked
// categories, moved by the extension, ended (released) when the provider
// releases it or (fulfilled) when a linked production is disclosed.
func TestPreservationHoldsRecords(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.SeedMetadata(ctx, d, time.Now()); err != nil {
		t.Fatal(err)
	}
	md := &metadata.Store{DB: d}
	e := wt.New(t, wt.Options{DB: d, Config: workflow.Config{Holds: md}})
	holds := func(id string) []metadata.Hold {
		t.Helper()
		hs, err := metadata.HoldsOf(ctx, d.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		return hs
	}
	var target string
	if err := d.Raw("SELECT id FROM md_accounts WHERE phone = ?", "+15550100123").Scan(&target).Error; err != nil || target == "" {
		t.Fatalf("demo target account: %q %v", target, err)
	}

	for _, tc := range []struct {
		name    string
		end     func(id string)
		want    string
		extends bool
	}{
		{"released", func(id string) {
			e.Do(t, e.Reviewer, id, workflow.ActionRelease, workflow.Input{})
		}, metadata.HoldReleased, true},
		{"fulfilled", func(id string) { discloseLinkedWarrant(t, e, id) }, metadata.HoldReleased, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.File(t, e.Officer, wt.Preservation)
			e.Do(t, e.Intake, p.ID, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
			c := e.Case(t, p.ID)
			hs := holds(p.ID)
			if len(hs) != 3 {
				t.Fatalf("holds after preservation: %d, want one per category (3)", len(hs))
			}
			for _, h := range hs {
				if h.AccountID != target || h.Status != metadata.HoldActive || !h.ExpiresAt.Equal(c.HoldUntil.UTC()) {
					t.Errorf("hold %+v, want the target's, active until %v", h, c.HoldUntil)
				}
			}
			if tc.extends {
				e.Do(t, e.Reviewer, p.ID, workflow.ActionExtend, workflow.Input{})
				c = e.Case(t, p.ID)
				for _, h := range holds(p.ID) {
					if !h.ExpiresAt.Equal(c.HoldUntil.UTC()) {
						t.Errorf("extended hold ends %v, want %v", h.ExpiresAt, c.HoldUntil)
					}
				}
			}
			tc.end(p.ID)
			for _, h := range holds(p.ID) {
				if h.Status != tc.want {
					t.Errorf("hold %s/%s is %s, want %s", h.AccountID, h.Category, h.Status, tc.want)
				}
			}
		})
	}
}
