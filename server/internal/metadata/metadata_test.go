package metadata_test

import (
	"context"
	"errors"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestGenerateIsFictional checks what the generator writes: 555-01xx
// numbers, documentation address ranges, example domains, and the same
// data for the same seed.
func TestGenerateIsFictional(t *testing.T) {
	d := dbtest.Open(t)
	st := seed(t, d, 100, 30, 40, 6)
	if st.Accounts != 30 || st.ConnectionEvents < 30*40*4 {
		t.Fatalf("stats %+v", st)
	}
	phone := regexp.MustCompile(`^\+155501[0-9]{5}$`)
	var phones []string
	d.Model(&metadata.Account{}).Pluck("phone", &phones)
	var contacts []string
	d.Model(&metadata.Contact{}).Pluck("identifier", &contacts)
	for _, p := range append(phones, contacts...) {
		if !phone.MatchString(p) {
			t.Errorf("phone number %s is outside +1 555 01xx", p)
		}
	}
	var emails []string
	d.Model(&metadata.Account{}).Where("email IS NOT NULL").Pluck("email", &emails)
	for _, e := range emails {
		if !regexp.MustCompile(`@example\.(com|org|net)$`).MatchString(e) {
			t.Errorf("e-mail %s is not at an example domain", e)
		}
	}
	doc := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}
	var ips []string
	d.Model(&metadata.ConnectionEvent{}).Distinct("ip").Pluck("ip", &ips)
	for _, s := range ips {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			t.Errorf("%q is not an IP address", s)
			continue
		}
		ok := false
		for _, p := range doc {
			ok = ok || p.Contains(ip)
		}
		if !ok {
			t.Errorf("%s is outside the documentation ranges", s)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM md_connection_events WHERE at > ? OR at < ?`, now, now.AddDate(0, 0, -41)); n != 0 {
		t.Errorf("%d events outside the history", n)
	}
	var target metadata.Account
	if err := d.Where("phone = ?", "+15550100123").Take(&target).Error; err != nil {
		t.Fatalf("the demo target +1 555 0100 123: %v", err)
	}
	if got, want := target.ID, metadata.AccountIDOf("+15550100123"); got != want {
		t.Errorf("demo target id %s, want %s", got, want)
	}

	again := dbtest.Open(t)
	if st2 := seed(t, again, 100, 30, 40, 6); st2 != st {
		t.Errorf("the same seed wrote %+v, then %+v", st, st2)
	}
	if _, err := metadata.Generate(context.Background(), d, metadata.GenerateOptions{Accounts: 2, FirstIndex: metadata.MaxAccounts - 1, Days: 1}); err == nil {
		t.Error("Generate numbered an account past the fictional range")
	}
}

// TestSeedDemoOnce: the demo set is written into an empty store only.
func TestSeedDemoOnce(t *testing.T) {
	d := dbtest.Open(t)
	for i, want := range []bool{true, false} {
		wrote, err := metadata.SeedDemo(context.Background(), d, now)
		if err != nil || wrote != want {
			t.Fatalf("SeedDemo #%d = %v, %v; want %v", i+1, wrote, err, want)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM md_accounts WHERE phone = '+15550100123'`); n != 1 {
		t.Errorf("demo target accounts: %d", n)
	}
}

// TestResolveExactly: targets match on their normalised value only; a
// target that matches nothing, or an address shared by two accounts, is
// reported unmatched rather than guessed.
func TestResolveExactly(t *testing.T) {
	d := dbtest.Open(t)
	seed(t, d, 120, 5, 2, 2)
	a := metadata.AccountIDOf(metadata.PhoneOf(123))
	var user string
	d.Raw(`SELECT username FROM md_accounts WHERE id = ?`, a).Scan(&user)
	shared := "shared@example.org"
	d.Exec(`UPDATE md_accounts SET email = ? WHERE phone IN (?, ?)`, shared, metadata.PhoneOf(120), metadata.PhoneOf(121))
	for _, tc := range []struct {
		desc   string
		target request.Target
		want   string
	}{
		{"phone", request.Target{Type: request.TargetPhone, Value: "+15550100123"}, a},
		{"phone with another digit", request.Target{Type: request.TargetPhone, Value: "+15550100124"}, metadata.AccountIDOf("+15550100124")},
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
	held := metadata.AccountIDOf(metadata.PhoneOf(123))
	req, released, order := mustRequest(t, d), mustRequest(t, d), mustRequest(t, d)
	holdWindow := []time.Time{now.AddDate(0, 0, -150), now.AddDate(0, 0, -120)}
	if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: req,
		Targets:    []request.Target{{Type: request.TargetPhone, Value: metadata.PhoneOf(123)}},
		Categories: []string{metadata.ConnectionLog}, From: holdWindow[0], To: holdWindow[1], ExpiresAt: now.AddDate(0, 0, 90)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: released,
		Targets:    []request.Target{{Type: request.TargetPhone, Value: metadata.PhoneOf(121)}},
		Categories: []string{metadata.ConnectionLog}, From: holdWindow[0], To: holdWindow[1], ExpiresAt: now.AddDate(0, 0, 90)}); err != nil {
		t.Fatal(err)
	}
	if err := s.EndHolds(ctx, d.DB, released, metadata.HoldReleased); err != nil {
		t.Fatal(err)
	}
	// An account deleted long ago, and one deleted recently.
	gone, recent := metadata.AccountIDOf(metadata.PhoneOf(124)), metadata.AccountIDOf(metadata.PhoneOf(125))
	d.Exec(`UPDATE md_accounts SET status = 'deleted', deleted_at = ? WHERE id = ?`, now.AddDate(0, 0, -100), gone)
	d.Exec(`UPDATE md_accounts SET status = 'deleted', deleted_at = ? WHERE id = ?`, now.AddDate(0, 0, -10), recent)
	// An order that ended long ago, with an envelope.
	if _, err := s.StartCollection(ctx, d.DB, order, []request.Target{{Type: request.TargetPhone, Value: metadata.PhoneOf(122)}},
		now.AddDate(0, 0, -60), now.AddDate(0, 0, -40)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordEnvelope(ctx, d.DB, metadata.EnvelopeRecord{AccountID: metadata.AccountIDOf(metadata.PhoneOf(122)),
		At: now.AddDate(0, 0, -50), Sender: metadata.PhoneOf(122), Recipient: metadata.PhoneOf(7), Type: metadata.EnvelopeCall, SizeBytes: 120}); err != nil {
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
			{Type: request.TargetPhone, Value: metadata.PhoneOf(121)},
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
	acct := metadata.AccountIDOf(metadata.PhoneOf(123))
	env := func(at time.Time) metadata.EnvelopeRecord {
		return metadata.EnvelopeRecord{AccountID: acct, At: at, Sender: metadata.PhoneOf(9), Recipient: metadata.PhoneOf(123), Type: metadata.EnvelopeMessage, SizeBytes: 1}
	}
	if err := s.RecordEnvelope(ctx, d.DB, env(now)); !errors.Is(err, metadata.ErrNoLiveOrder) {
		t.Fatalf("no order: %v", err)
	}
	req := mustRequest(t, d)
	if _, err := s.StartCollection(ctx, d.DB, req, []request.Target{{Type: request.TargetPhone, Value: metadata.PhoneOf(123)}}, now, now.AddDate(0, 0, 10)); err != nil {
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
