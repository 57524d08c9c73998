package demo_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// end is a fixed "now" for the tests, so that the periods and the EU
// regulation's start (2026-08-18) are known.
var end = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// setup wires a generation on a fresh database the way the portal wires
// its services: the embedded policy on the history's clock, a local blob
// store, the production service with its key and metadata store, the three
// demo countries' agencies with their people, and the provider's staff.
func setup(t *testing.T, d *db.DB) demo.HistoryConfig {
	t.Helper()
	ctx := context.Background()
	clock := &demo.Clock{}
	pol, err := policy.Load(ctx, policies.FS, policy.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pol.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := blob.NewLocal(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := disclosure.ParseKeys(disclosure.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	prods := &disclosure.Service{DB: d, Blobs: blobs, Metadata: &metadata.Store{DB: d, Retention: metadata.RetentionFrom(cat)},
		Policy: pol, Authz: request.NewPolicy(pol), Keys: keys, Scopes: disclosure.WorkflowScope{}, TempDir: filepath.Join(dir, "tmp")}
	if _, err := demo.SeedMetadata(ctx, d, end); err != nil {
		t.Fatal(err)
	}
	cfg := demo.HistoryConfig{DB: d, Policy: pol, Clock: clock, Blobs: blobs, Disclosure: prods}
	for _, a := range []struct{ name, country string }{
		{"Riverside Police Department", "US"}, {"Northshire Constabulary", "GB"}, {"Landeskriminalamt Musterland", "DE"},
	} {
		ag := workflowtest.MustAgency(t, d, a.name, a.country, "https://idp."+a.country+".example")
		cfg.Agencies = append(cfg.Agencies, demo.FilingAgency{Agency: ag,
			Officer:    workflowtest.MustPerson(t, d, ag, "officer", identity.RoleOfficer),
			Supervisor: workflowtest.MustPerson(t, d, ag, "supervisor", identity.RoleOfficer, identity.RoleSupervisor)})
	}
	cfg.Staff = demo.Staff{
		Intake:    workflowtest.MustPerson(t, d, nil, "intake", identity.RoleIntake),
		Reviewers: []*identity.Principal{workflowtest.MustPerson(t, d, nil, "reviewer", identity.RoleReviewer), workflowtest.MustPerson(t, d, nil, "reviewer2", identity.RoleReviewer)},
		Counsel:   workflowtest.MustPerson(t, d, nil, "counsel", identity.RoleCounsel),
	}
	return cfg
}

// TestGenerate makes a history and checks it against the database, the
// audit chain and the transparency log.
func TestGenerate(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := setup(t, d)
	const n = 60
	var progress []int64
	st, err := demo.GenerateHistory(ctx, cfg, demo.HistoryOptions{Requests: n, Seed: 7, End: end,
		Progress: func(done, total int64) {
			if total != n {
				t.Errorf("progress total %d, want %d", total, n)
			}
			progress = append(progress, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed > 0 {
		t.Fatalf("%d requests stopped early; first: %v", st.Failed, st.Err)
	}
	if got, want := st.Requests, n; got != want {
		t.Errorf("stats: %d requests, want %d", got, want)
	}
	if len(progress) != n || progress[n-1] != n {
		t.Errorf("progress calls %v", progress)
	}
	t.Logf("states %v, periods %v, %d leaves", st.States, st.Periods, st.Leaves)

	t.Run("RequestsInTheirStates", func(t *testing.T) {
		var rows []struct {
			ID, Reference, Status, Process string
			SubmittedAt                    *time.Time
			Country                        string
		}
		d.Raw(`SELECT r.id, r.reference, r.status, r.process, r.submitted_at, a.country FROM requests r JOIN agencies a ON a.id = r.agency_id`).Scan(&rows)
		if len(rows) != n {
			t.Fatalf("%d requests in the database, want %d", len(rows), n)
		}
		// Every life ends where the workflow leaves it for good, or disclosed.
		final := []string{"closed", "disclosed", "rejected", "withdrawn"}
		kinds := map[string]bool{}
		for _, r := range rows {
			kinds[r.Process] = true
			if !slices.Contains(final, r.Status) {
				t.Errorf("%s (%s) ended %s", r.Reference, r.Process, r.Status)
			}
			if r.SubmittedAt == nil || !r.SubmittedAt.Before(end) || r.SubmittedAt.Before(end.AddDate(-3, 0, 0)) {
				t.Errorf("%s submitted at %v", r.Reference, r.SubmittedAt)
			}
			if r.Country == "DE" && r.SubmittedAt != nil && r.SubmittedAt.Before(time.Date(2026, 8, 18, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s: a German request before the EU regulation applies", r.Reference)
			}
		}
		for _, p := range []string{"us.emergency", "us.preservation", "uk.ipa"} {
			if !kinds[p] {
				t.Errorf("no %s request in the mix %v", p, kinds)
			}
		}
	})

	t.Run("HistoryIsAChainOfTransitions", func(t *testing.T) {
		var rows []struct {
			RequestID, Action, FromStatus, ToStatus, Status string
			At                                              time.Time
		}
		d.Raw(`SELECT h.request_id, h.action, h.from_status, h.to_status, h.at, r.status FROM request_history h
			JOIN requests r ON r.id = h.request_id ORDER BY h.id`).Scan(&rows)
		state := map[string]string{}
		last := map[string]time.Time{}
		for _, h := range rows {
			if h.At.Before(last[h.RequestID]) || h.At.After(end) {
				t.Errorf("%s %s at %v, after %v", h.RequestID, h.Action, h.At, last[h.RequestID])
			}
			last[h.RequestID] = h.At
			if prev, ok := state[h.RequestID]; ok && h.FromStatus != "" && h.FromStatus != prev {
				t.Errorf("%s %s from %s, but it was %s", h.RequestID, h.Action, h.FromStatus, prev)
			}
			state[h.RequestID] = h.ToStatus
		}
		for id, s := range state {
			var now string
			d.Raw(`SELECT status FROM requests WHERE id = ?`, id).Scan(&now)
			if s != now {
				t.Errorf("%s: history ends %s, request is %s", id, s, now)
			}
		}
	})

	t.Run("LeavesDatedInTheirPeriods", func(t *testing.T) {
		var rows []struct {
			RequestID   string
			Leaf        []byte
			SubmittedAt time.Time
		}
		d.Raw(`SELECT l.request_id, l.leaf, r.submitted_at FROM tlog_leaves l JOIN requests r ON r.id = l.request_id ORDER BY l.idx`).Scan(&rows)
		if len(rows) != st.Leaves {
			t.Errorf("%d leaves, stats say %d", len(rows), st.Leaves)
		}
		received := map[string]int{}
		periods := map[string]bool{}
		events := map[string]int{}
		for _, l := range rows {
			rec, err := translog.ParseRecord(l.Leaf)
			if err != nil {
				t.Fatal(err)
			}
			events[rec.Event]++
			sub := l.SubmittedAt.UTC().Format(time.DateOnly)
			switch date := rec.Date.String(); {
			case rec.Event == translog.EventReceived:
				received[l.RequestID]++
				periods[demo.PeriodOf(rec.Date.Time())] = true
				if date != sub {
					t.Errorf("received leaf dated %s, submitted %s", date, sub)
				}
			case date < sub || date > end.Format(time.DateOnly):
				t.Errorf("%s leaf dated %s, submitted %s", rec.Event, date, sub)
			}
		}
		// National-security requests are never logged one by one (only as
		// bands, once a report publishes them).
		var ns int64
		if err := d.Raw(`SELECT COUNT(*) FROM requests WHERE national_security`).Scan(&ns).Error; err != nil {
			t.Fatal(err)
		}
		if len(received) != n-int(ns) {
			t.Errorf("%d requests have a received leaf, want %d (%d national-security requests have none)", len(received), n-int(ns), ns)
		}
		for id, c := range received {
			if c != 1 {
				t.Errorf("%s received %d times", id, c)
			}
		}
		if len(periods) < 3 {
			t.Errorf("received in %d half-years %v, want at least 3", len(periods), periods)
		}
		for _, e := range []string{translog.EventDecided, translog.EventDisclosed, translog.EventWithdrawn, translog.EventPreserved} {
			if events[e] == 0 {
				t.Errorf("no %s leaf: %v", e, events)
			}
		}
	})

	t.Run("ProductionsBuilt", func(t *testing.T) {
		var rows []disclosure.Production
		d.Find(&rows)
		outcomes := map[string]int{}
		for _, p := range rows {
			// Links lapse in the history as they would have; none early.
			switch {
			case p.ExpiresAt == nil:
				t.Errorf("production %s is %s without a link", p.ID, p.Status)
			case p.ExpiresAt.After(end) && p.Status != disclosure.StatusReady:
				t.Errorf("production %s is %s; its link runs until %v", p.ID, p.Status, p.ExpiresAt)
			case p.ExpiresAt.Add(time.Hour).Before(end) && p.Status != disclosure.StatusExpired:
				t.Errorf("production %s is %s; its link ended %v", p.ID, p.Status, p.ExpiresAt)
			}
			outcomes[p.Outcome]++
		}
		// Preservations kept what they preserved, and let it go when they ended.
		var holds []metadata.Hold
		d.Find(&holds)
		if len(holds) == 0 {
			t.Error("no preservation held any records")
		}
		for _, h := range holds {
			if h.Status == metadata.HoldActive {
				t.Errorf("hold of %s still active: every preservation of the history has ended", h.RequestID)
			}
		}
		var held int64
		d.Raw(`SELECT COUNT(*) FROM user_notices WHERE status = ? AND due_at < ?`, disclosure.NoticeScheduled, end.Add(-time.Hour)).Scan(&held)
		if held > 0 {
			t.Errorf("%d user notices still held back after their non-disclosure order ended", held)
		}
		if len(rows) == 0 || outcomes[disclosure.OutcomeRecords] == 0 || outcomes[disclosure.OutcomeNoRecords] == 0 {
			t.Errorf("productions by outcome %v: want both", outcomes)
		}
	})

	t.Run("ChainsVerify", func(t *testing.T) {
		rep, err := audit.Verify(ctx, d.DB, nil, nil)
		if err != nil || !rep.OK() {
			t.Errorf("audit chain: %+v, %v", rep, err)
		}
		_, vkey, err := note.GenerateKey(rand.Reader, "test.example/log")
		if err != nil {
			t.Fatal(err)
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := translog.VerifyTree(ctx, d.DB, v, nil, nil)
		if err != nil || !tr.OK() || tr.Leaves != int64(st.Leaves) {
			t.Errorf("log: %+v, %v", tr, err)
		}
	})

	t.Run("SameSeedRefused", func(t *testing.T) {
		if done, err := demo.HistoryFinished(ctx, d.DB, 7); !done || err != nil {
			t.Errorf("Finished(7) = %v, %v after the generation", done, err)
		}
		_, err := demo.GenerateHistory(ctx, cfg, demo.HistoryOptions{Requests: n, Seed: 7, End: end})
		if !errors.Is(err, demo.ErrHistorySeeded) {
			t.Fatalf("second run with the same seed: %v, want ErrSeeded", err)
		}
		var count int64
		d.Raw(`SELECT COUNT(*) FROM requests`).Scan(&count)
		if count != n {
			t.Errorf("%d requests after the refused run, want %d", count, n)
		}
		st, err := demo.GenerateHistory(ctx, cfg, demo.HistoryOptions{Requests: 3, Seed: 8, End: end})
		if err != nil || st.Requests != 3 || st.Failed > 0 {
			t.Fatalf("another seed: %+v, %v", st, err)
		}
		d.Raw(`SELECT COUNT(*) FROM requests`).Scan(&count)
		if count != n+3 {
			t.Errorf("%d requests after another seed, want %d", count, n+3)
		}
	})

	// The German agency files in German: its offences, its summaries with
	// its own file number, and its withdrawals; the provider's people write
	// to it in German (the portal's own notes are another matter).
	t.Run("GermanAgencyWritesGerman", func(t *testing.T) {
		var rows []struct{ OffenceDescription, Summary string }
		d.Raw(`SELECT r.offence_description, r.summary FROM requests r JOIN agencies a ON a.id = r.agency_id
			WHERE a.country = 'DE'`).Scan(&rows)
		if len(rows) == 0 {
			t.Fatal("the German agency filed nothing")
		}
		for _, r := range rows {
			if !strings.Contains(r.Summary, "Az. LKA ") || !strings.Contains(r.Summary, "„"+r.OffenceDescription+"“") {
				t.Errorf("summary %q does not read German, or misses its offence %q", r.Summary, r.OffenceDescription)
			}
		}
		var rowsH []struct{ Comment, Words string }
		d.Raw(`SELECT h.comment, h.words FROM request_history h JOIN requests r ON r.id = h.request_id
			JOIN agencies a ON a.id = r.agency_id WHERE a.country = 'DE' AND h.comment <> ''
			AND h.action IN ('request_info', 'withdraw', 'reject', 'approve', 'extend', 'release', 'close')`).Scan(&rowsH)
		// What a person typed; the portal's own sentence beside it (such as
		// "Rejected: …") is kept as words to say in the reader's language.
		var comments []string
		for _, r := range rowsH {
			var w struct{ Typed *string }
			if r.Words != "" && json.Unmarshal([]byte(r.Words), &w) == nil && w.Typed != nil {
				if *w.Typed != "" {
					comments = append(comments, *w.Typed)
				}
				continue
			}
			comments = append(comments, r.Comment)
		}
		umlauts := 0
		for _, c := range comments {
			if strings.ContainsAny(c, "äöüßÄÖÜ") {
				umlauts++
			}
			if strings.Contains(c, " the ") {
				t.Errorf("English comment on a German request: %q", c)
			}
		}
		t.Logf("%d German requests, %d comments (%d with umlauts)", len(rows), len(comments), umlauts)
	})
}

// TestDeterministic: the same seed on two empty databases files the same
// requests, with the same references, on the same days, ending the same way.
func TestDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("two generations")
	}
	type row struct {
		Reference, Process, Status string
		SubmittedAt                time.Time
	}
	var runs [2][]row
	for i := range runs {
		d := dbtest.Open(t)
		if _, err := demo.GenerateHistory(context.Background(), setup(t, d), demo.HistoryOptions{Requests: 15, Seed: 42, End: end}); err != nil {
			t.Fatal(err)
		}
		d.Raw(`SELECT reference, process, status, submitted_at FROM requests ORDER BY reference`).Scan(&runs[i])
	}
	if !slices.EqualFunc(runs[0], runs[1], func(a, b row) bool {
		return a.Reference == b.Reference && a.Process == b.Process && a.Status == b.Status && a.SubmittedAt.Equal(b.SubmittedAt)
	}) || len(runs[0]) != 15 {
		t.Errorf("two runs differ:\n%v\n%v", runs[0], runs[1])
	}
}

// TestSeedClaimedOnce: two generations of one seed started together (demo
// replicas on one database) make one history; the other is refused.
func TestSeedClaimedOnce(t *testing.T) {
	d := dbtest.Open(t)
	cfg := setup(t, d)
	errc := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := demo.GenerateHistory(context.Background(), cfg, demo.HistoryOptions{Requests: 2, Seed: 9, End: end})
			errc <- err
		}()
	}
	var refused int
	for range 2 {
		switch err := <-errc; {
		case errors.Is(err, demo.ErrHistorySeeded):
			refused++
		case err != nil:
			t.Fatal(err)
		}
	}
	var requests int64
	d.Raw(`SELECT COUNT(*) FROM requests`).Scan(&requests)
	if refused != 1 || requests != 2 {
		t.Errorf("%d refused, %d requests; want 1 and 2", refused, requests)
	}
}
