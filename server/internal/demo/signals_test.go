package demo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/signals"
)

// TestSignalsScene: the demo shows requester signals on its history: a new
// officer's first request, a spike of the British agency, and a phone
// number both name; the scene's requests stay open in intake's queue.
func TestSignalsScene(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := setup(t, d)
	const n = 10
	st, err := demo.GenerateHistory(ctx, cfg, demo.HistoryOptions{Requests: n, Seed: 11, End: end, Signals: true})
	if err != nil || st.Failed > 0 {
		t.Fatalf("generate: %+v, %v", st, err)
	}
	if st.Requests != n+demo.SignalsSceneRequests {
		t.Errorf("%d requests, want %d and the scene's", st.Requests, n)
	}
	var ids []string
	if err := d.Raw(`SELECT id FROM requests WHERE status IN ('submitted', 'intake') ORDER BY id`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) != demo.SignalsSceneRequests {
		t.Fatalf("%d open requests, want the scene's %d", len(ids), demo.SignalsSceneRequests)
	}
	seen := map[string]int{}
	var novak []string
	for _, id := range ids {
		r, err := request.Read(ctx, d.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		found, err := signals.Of(ctx, d.DB, cfg.Policy, r, end)
		if err != nil {
			t.Fatal(err)
		}
		codes := signals.Codes(found)
		for _, c := range codes {
			seen[c]++
		}
		var email string
		d.Raw(`SELECT email FROM people WHERE id = ?`, r.CreatedBy).Scan(&email)
		if email == demo.NewOfficerEmail {
			novak = codes
		}
	}
	for _, c := range []string{"first_request_person", "new_person", "no_mfa", "identifier_other_agency"} {
		if !slices.Contains(novak, c) {
			t.Errorf("the new officer's request has signals %v, want %s", novak, c)
		}
	}
	if seen["volume_spike"] < 2 {
		t.Errorf("signals seen %v: want the spike on the British agency's last requests", seen)
	}
	if seen["identifier_other_agency"] != 2 {
		t.Errorf("signals seen %v: want the shared phone on both agencies' requests", seen)
	}
	if seen["no_mfa"] != 1 {
		t.Errorf("signals seen %v: only the new officer signed in without a second factor", seen)
	}
}
