package metadata_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestResolveExactly: targets match on their normalised value only; a
// target that matches nothing, or an address shared by two accounts, is
// reported unmatched rather than guessed.
func TestResolveExactly(t *testing.T) {
	d := dbtest.Open(t)
	seed(t, d, 120, 5, 2, 2)
	a := demo.AccountIDOf(demo.PhoneOf(123))
	var user string
	d.Raw(`SELECT username FROM md_accounts WHERE id = ?`, a).Scan(&user)
	shared := "shared@example.org"
	d.Exec(`UPDATE md_accounts SET email = ? WHERE phone IN (?, ?)`, shared, demo.PhoneOf(120), demo.PhoneOf(121))
	for _, tc := range []struct {
		desc   string
		target request.Target
		want   string
	}{
		{"phone", request.Target{Type: request.TargetPhone, Value: "+15550100123"}, a},
		{"phone with another digit", request.Target{Type: request.TargetPhone, Value: "+15550100124"}, demo.AccountIDOf("+15550100124")},
		{"username", request.Target{Type: request.TargetUsername, Value: user}, a},
		{"account id", request.Target{Type: request.TargetAccountID, Value: a}, a},
		{"email", request.Target{Type: request.TargetEmail, Value: "casey@example.com"}, a},
		{"no such phone", request.Target{Type: request.TargetPhone, Value: "+15550199999"}, ""},
		{"no such username", request.Target{Type: request.TargetUsername, Value: "nobody.here"}, ""},
		{"a prefix is not a match", request.Target{Type: request.TargetPhone, Value: "+1555010012"}, ""},
		{"shared email matches nobody", request.Target{Type: request.TargetEmail, Value: shared}, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rs, err := metadata.Resolve(context.Background(), d.DB, []request.Target{tc.target})
			if err != nil {
				t.Fatal(err)
			}
			if got := rs[0].AccountID; got != tc.want {
				t.Errorf("resolved to %q, want %q", got, tc.want)
			}
			if rs[0].Matched() != (tc.want != "") {
				t.Errorf("Matched() = %v", rs[0].Matched())
			}
		})
	}
}

// TestPurgeRespectsRetentionAndHolds: rows past retention go, unless an
// active, unexpired hold covers them; released and expired holds let them
// go; a deleted account goes with its rows; envelopes go after the grace.
func TestPurgeRespectsRetentionAndHolds(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := newStore(d)
	seed(t, d, 120, 6, 200, 4)
	held := demo.AccountIDOf(demo.PhoneOf(123))
	req, released, order := mustRequest(t, d), mustRequest(t, d), mustRequest(t, d)
	holdWindow := []time.Time{now.AddDate(0, 0, -150), now.AddDate(0, 0, -120)}
	if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: req,
		Targets:    []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(123)}},
		Categories: []string{metadata.ConnectionLog}, From: holdWindow[0], To: holdWindow[1], ExpiresAt: now.AddDate(0, 0, 90)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: released,
		Targets:    []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(121)}},
		Categories: []string{metadata.ConnectionLog}, From: holdWindow[0], To: holdWindow[1], ExpiresAt: now.AddDate(0, 0, 90)}); err != nil {
		t.Fatal(err)
	}
	if err := s.EndHolds(ctx, d.DB, released, metadata.HoldReleased); err != nil {
		t.Fatal(err)
	}
	// An account deleted long ago, and one deleted recently.
	gone, recent := demo.AccountIDOf(demo.PhoneOf(124)), demo.AccountIDOf(demo.PhoneOf(125))
	d.Exec(`UPDATE md_accounts SET status = 'deleted', deleted_at = ? WHERE id = ?`, now.AddDate(0, 0, -100), gone)
	d.Exec(`UPDATE md_accounts SET status = 'deleted', deleted_at = ? WHERE id = ?`, now.AddDate(0, 0, -10), recent)
	// An order that ended long ago, with an envelope.
	if _, err := s.StartCollection(ctx, d.DB, order, []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(122)}},
		now.AddDate(0, 0, -60), now.AddDate(0, 0, -40)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordEnvelope(ctx, d.DB, metadata.EnvelopeRecord{AccountID: demo.AccountIDOf(demo.PhoneOf(122)),
		At: now.AddDate(0, 0, -50), Sender: demo.PhoneOf(122), Recipient: demo.PhoneOf(7), Type: metadata.EnvelopeCall, SizeBytes: 120}); err != nil {
		t.Fatal(err)
	}
	heldBefore := count(t, d, `SELECT COUNT(*) FROM md_connection_events WHERE account_id = ? AND at >= ? AND at < ?`, held, holdWindow[0], holdWindow[1])
	if heldBefore == 0 {
		t.Fatal("no rows in the hold's window: the test proves nothing")
	}

	res, err := s.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() == 0 {
		t.Fatal("Purge deleted nothing")
	}
	for _, tc := range []struct {
		desc string
		q    string
		args []any
		want int64
	}{
		{"connection events past 90 days, except held ones", `SELECT COUNT(*) FROM md_connection_events WHERE at < ?`, []any{now.AddDate(0, 0, -90)}, heldBefore},
		{"the held rows", `SELECT COUNT(*) FROM md_connection_events WHERE account_id = ? AND at >= ? AND at < ?`, []any{held, holdWindow[0], holdWindow[1]}, heldBefore},
		{"devices unseen for 180 days", `SELECT COUNT(*) FROM md_devices WHERE last_seen_at < ?`, []any{now.AddDate(0, 0, -180)}, 0},
		{"contacts removed 30 days ago", `SELECT COUNT(*) FROM md_contacts WHERE removed_at < ?`, []any{now.AddDate(0, 0, -30)}, 0},
		{"groups left 180 days ago", `SELECT COUNT(*) FROM md_group_memberships WHERE left_at < ?`, []any{now.AddDate(0, 0, -180)}, 0},
		{"the account deleted 100 days ago", `SELECT COUNT(*) FROM md_accounts WHERE id = ?`, []any{gone}, 0},
		{"its rows", `SELECT COUNT(*) FROM md_connection_events WHERE account_id = ?`, []any{gone}, 0},
		{"the account deleted 10 days ago", `SELECT COUNT(*) FROM md_accounts WHERE id = ?`, []any{recent}, 1},
		{"the ended order's envelopes", `SELECT COUNT(*) FROM md_envelopes`, nil, 0},
	} {
		if got := count(t, d, tc.q, tc.args...); got != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.desc, got, tc.want)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'metadata.purge'`); n == 0 {
		t.Error("the purge left no audit event")
	}

	// Once the hold is released, the next purge takes the held rows too;
	// purging again with nothing to do changes nothing.
	if err := s.EndHolds(ctx, d.DB, req, metadata.HoldReleased); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM md_connection_events WHERE at < ?`, now.AddDate(0, 0, -90)); n != 0 {
		t.Errorf("%d rows past retention after the hold's release", n)
	}
	res, err = s.Purge(ctx)
	if err != nil || res.Total() != 0 {
		t.Errorf("a second purge: %v, %v", res, err)
	}
}

// TestHoldLifecycle: a preservation holds exactly its matched targets'
// categories, extensions move the end later only, and an expired hold
// stops protecting without being released.
func TestHoldLifecycle(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := newStore(d)
	seed(t, d, 120, 3, 120, 4)
	req := mustRequest(t, d)
	expires := now.AddDate(0, 0, 90)
	rs, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: req,
		Targets: []request.Target{
			{Type: request.TargetPhone, Value: demo.PhoneOf(121)},
			{Type: request.TargetPhone, Value: "+15550199999"},
		},
		Categories: []string{metadata.ConnectionLog, metadata.Subscriber}, From: now.AddDate(0, 0, -100), To: now, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].AccountID == "" || rs[1].AccountID != "" {
		t.Errorf("resolutions %+v: want the first matched and the second not", rs)
	}
	hs, _ := metadata.HoldsOf(ctx, d.DB, req)
	var got []string
	for _, h := range hs {
		got = append(got, h.AccountID+" "+h.Category+" "+h.Status)
	}
	want := []string{rs[0].AccountID + " connection_log active", rs[0].AccountID + " subscriber active"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("holds (-want +got):\n%s", diff)
	}
	if err := s.ExtendHolds(ctx, d.DB, req, expires.AddDate(0, 0, -1)); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("an extension that shortens the hold: %v", err)
	}
	if err := s.ExtendHolds(ctx, d.DB, req, expires.AddDate(0, 0, 90)); err != nil {
		t.Fatal(err)
	}
	hs, _ = metadata.HoldsOf(ctx, d.DB, req)
	if !hs[0].ExpiresAt.Equal(expires.AddDate(0, 0, 90)) {
		t.Errorf("extended to %v", hs[0].ExpiresAt)
	}
	if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: req, Categories: []string{"content"},
		From: now.AddDate(0, 0, -1), To: now, ExpiresAt: expires}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("preserving content: %v", err)
	}
	// Past its end, a hold no longer protects anything, released or not.
	later := &metadata.Store{DB: d, Retention: retention, Now: func() time.Time { return expires.AddDate(0, 0, 91) }}
	if _, err := later.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM md_connection_events WHERE account_id = ?`, rs[0].AccountID); n != 0 {
		t.Errorf("%d rows survived an expired hold", n)
	}
	if err := s.ExtendHolds(ctx, d.DB, mustRequest(t, d), expires); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("extending nothing: %v", err)
	}
}

// TestEnvelopesOnlyUnderALiveOrder: routing metadata is refused without a
// live order for the account, before it starts, after it ends and once it
// was stopped.
func TestEnvelopesOnlyUnderALiveOrder(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := newStore(d)
	seed(t, d, 123, 1, 2, 2)
	acct := demo.AccountIDOf(demo.PhoneOf(123))
	env := func(at time.Time) metadata.EnvelopeRecord {
		return metadata.EnvelopeRecord{AccountID: acct, At: at, Sender: demo.PhoneOf(9), Recipient: demo.PhoneOf(123), Type: metadata.EnvelopeMessage, SizeBytes: 1}
	}
	if err := s.RecordEnvelope(ctx, d.DB, env(now)); !errors.Is(err, metadata.ErrNoLiveOrder) {
		t.Fatalf("no order: %v", err)
	}
	req := mustRequest(t, d)
	if _, err := s.StartCollection(ctx, d.DB, req, []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(123)}}, now, now.AddDate(0, 0, 10)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc string
		at   time.Time
		ok   bool
	}{
		{"before the order", now.Add(-time.Minute), false},
		{"during the order", now.Add(time.Hour), true},
		{"after the order", now.AddDate(0, 0, 11), false},
	} {
		err := s.RecordEnvelope(ctx, d.DB, env(tc.at))
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.desc, err)
		}
	}
	if err := s.StopCollection(ctx, d.DB, req); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordEnvelope(ctx, d.DB, env(now.AddDate(0, 0, 1))); !errors.Is(err, metadata.ErrNoLiveOrder) {
		t.Errorf("after the order was stopped: %v", err)
	}
	if err := s.RecordEnvelope(ctx, d.DB, metadata.EnvelopeRecord{AccountID: acct, At: now, Type: "content"}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("an envelope of type content: %v", err)
	}
}
