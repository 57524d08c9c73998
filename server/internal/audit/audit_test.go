package audit_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

var ctx = context.Background()

// TestHashKnownAnswer pins the chain encoding: a change to it would make
// every stored chain fail verification.
func TestHashKnownAnswer(t *testing.T) {
	ev := audit.Event{
		Seq: 42, At: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC),
		Actor:  audit.Actor{Issuer: "iss", Subject: "sub", Role: "role", AgencyID: "ag"},
		Action: "a.b", ObjectType: "request", ObjectID: "x", Outcome: "success", RequestID: "r",
		Decision: `{"x":1}`, Details: "d\n", PrevHash: audit.GenesisHash,
	}
	if got, want := audit.Hash(ev), "723d95436a098716b34755198e3872ad5a58aa184986a3dacc11f69608cb7a6a"; got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
	// Length prefixes keep field boundaries: moving a character from one
	// field to the next changes the hash.
	moved := ev
	moved.Actor.Issuer, moved.Actor.Subject = "is", "ssub"
	if audit.Hash(moved) == audit.Hash(ev) {
		t.Error("moving bytes between fields kept the hash")
	}
}

func signer(t testing.TB) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "warrantdesk.example/audit-test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func mustAppend(t testing.TB, d *db.DB, ev audit.Event) {
	t.Helper()
	if err := audit.Write(ctx, d.DB, ev); err != nil {
		t.Fatalf("append %s: %v", ev.Action, err)
	}
}

// chain appends n events, in one transaction (one fsync, not n).
func chain(t testing.TB, d *db.DB, n int) {
	t.Helper()
	err := d.Transaction(func(tx *gorm.DB) error {
		for i := 1; i <= n; i++ {
			err := audit.Append(ctx, tx, audit.Event{
				Actor:  audit.Actor{Issuer: "https://idp.example", Subject: fmt.Sprintf("person-%d", i%3), Role: "officer"},
				Action: []string{"request.create", "request.view", "request.submit"}[i%3], ObjectType: "request",
				ObjectID: fmt.Sprintf("request-%d", i%4), RequestID: fmt.Sprintf("request-%d", i%4),
				Details: audit.JSON(map[string]int{"i": i}),
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("append %d events: %v", n, err)
	}
}

func TestAppendChainsAndVerifies(t *testing.T) {
	d := dbtest.Open(t)
	s, v := signer(t)
	rep, err := audit.Verify(ctx, d.DB, v, nil)
	if err != nil || !rep.OK() || rep.Events != 0 {
		t.Fatalf("empty chain: %+v, %v", rep, err)
	}
	chain(t, d, 10)
	if _, _, err := audit.SignAnchor(ctx, d.DB, s, 0); err != nil {
		t.Fatal(err)
	}
	chain(t, d, 3)
	var events []audit.Event
	d.Order("seq").Find(&events)
	prev := audit.GenesisHash
	for i, ev := range events {
		if ev.Seq != int64(i+1) || ev.PrevHash != prev || ev.Hash != audit.Hash(ev) {
			t.Fatalf("event %d: seq %d prev %s hash %s", i, ev.Seq, ev.PrevHash, ev.Hash)
		}
		prev = ev.Hash
	}
	var calls int
	rep, err = audit.Verify(ctx, d.DB, v, func(done, total int64) { calls++ })
	if err != nil || !rep.OK() {
		t.Fatalf("intact chain: %+v, %v", rep, err)
	}
	if rep.Events != 13 || rep.Head != 13 || rep.Anchored != 10 || calls == 0 {
		t.Errorf("report %+v after %d progress calls, want 13 events, anchored at 10", rep, calls)
	}
}

// TestTriggersRefuseUpdateAndDelete: the audit trail and its anchors are
// append-only on both databases.
func TestTriggersRefuseUpdateAndDelete(t *testing.T) {
	d := dbtest.Open(t)
	s, _ := signer(t)
	chain(t, d, 2)
	if _, _, err := audit.SignAnchor(ctx, d.DB, s, 0); err != nil {
		t.Fatal(err)
	}
	stmts := []string{
		"UPDATE audit_events SET details = 'x' WHERE seq = 1",
		"UPDATE audit_events SET seq = 9 WHERE seq = 2",
		"DELETE FROM audit_events WHERE seq = 2",
		"DELETE FROM audit_events",
		"UPDATE audit_anchors SET hash = 'x'",
		"DELETE FROM audit_anchors",
	}
	if d.Dialect == db.Postgres {
		stmts = append(stmts, "TRUNCATE audit_events", "TRUNCATE audit_anchors")
	}
	for _, stmt := range stmts {
		t.Run(stmt, func(t *testing.T) {
			err := d.Exec(stmt).Error
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", stmt, err)
			}
		})
	}
	var n int64
	d.Model(&audit.Event{}).Count(&n)
	if n != 2 {
		t.Errorf("%d events left, want 2", n)
	}
}

// bypassTriggers takes the append-only triggers of table out of the way, as
// a database superuser could.
func bypassTriggers(t *testing.T, d *db.DB, table string) {
	t.Helper()
	stmts := []string{"DROP TRIGGER IF EXISTS " + table + "_no_update", "DROP TRIGGER IF EXISTS " + table + "_no_delete"}
	if d.Dialect == db.Postgres {
		stmts = []string{"ALTER TABLE " + table + " DISABLE TRIGGER USER"}
	}
	for _, s := range stmts {
		if err := d.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rehashFrom recomputes every hash from seq on and the head row, as a
// careful tamperer would after editing seq.
func rehashFrom(t *testing.T, d *db.DB, seq int64) {
	t.Helper()
	var events []audit.Event
	d.Where("seq >= ?", seq-1).Order("seq").Find(&events)
	prev := events[0].Hash
	if seq == 1 {
		prev = audit.GenesisHash
	}
	for _, ev := range events {
		if ev.Seq < seq {
			continue
		}
		ev.PrevHash = prev
		ev.Hash = audit.Hash(ev)
		if err := d.Exec("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", ev.PrevHash, ev.Hash, ev.Seq).Error; err != nil {
			t.Fatal(err)
		}
		prev = ev.Hash
	}
	if err := d.Exec("UPDATE audit_head SET hash = ? WHERE id = 1", prev).Error; err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDetectsTampering edits, deletes and reorders audit rows and
// truncates the tail directly in the database, past the triggers, and
// Verify names the first bad event every time.
func TestVerifyDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		tamper func(t *testing.T, d *db.DB)
		want   int64
	}{
		{"edit an event", func(t *testing.T, d *db.DB) {
			d.Exec(`UPDATE audit_events SET details = '{"i":99}' WHERE seq = 5`)
		}, 5},
		{"edit an anchored event", func(t *testing.T, d *db.DB) {
			d.Exec(`UPDATE audit_events SET action = 'request.view' WHERE seq = 9`)
		}, 9},
		{"edit the actor of an event", func(t *testing.T, d *db.DB) {
			d.Exec(`UPDATE audit_events SET actor_subject = 'someone-else' WHERE seq = 11`)
		}, 11},
		{"delete an event", func(t *testing.T, d *db.DB) {
			d.Exec(`DELETE FROM audit_events WHERE seq = 6`)
		}, 6},
		{"reorder two events", func(t *testing.T, d *db.DB) {
			d.Exec(`UPDATE audit_events SET seq = -4 WHERE seq = 4`)
			d.Exec(`UPDATE audit_events SET seq = 4 WHERE seq = 9`)
			d.Exec(`UPDATE audit_events SET seq = 9 WHERE seq = -4`)
		}, 4},
		{"truncate the tail", func(t *testing.T, d *db.DB) {
			d.Exec(`DELETE FROM audit_events WHERE seq > 9`)
		}, 10},
		{"truncate the tail and rewind the head", func(t *testing.T, d *db.DB) {
			var h string
			d.Raw(`SELECT hash FROM audit_events WHERE seq = 9`).Scan(&h)
			d.Exec(`DELETE FROM audit_events WHERE seq > 9`)
			d.Exec(`UPDATE audit_head SET seq = 9, hash = ? WHERE id = 1`, h)
		}, 10},
		{"edit an event and rehash the rest of the chain", func(t *testing.T, d *db.DB) {
			d.Exec(`UPDATE audit_events SET outcome = 'denied' WHERE seq = 7`)
			rehashFrom(t, d, 7)
		}, 7},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t)
			s, v := signer(t)
			// Anchors at 3, 6, 9 and 12, as the signer leaves them.
			for range 4 {
				chain(t, d, 3)
				if _, _, err := audit.SignAnchor(ctx, d.DB, s, 0); err != nil {
					t.Fatal(err)
				}
			}
			if rep, err := audit.Verify(ctx, d.DB, v, nil); err != nil || !rep.OK() {
				t.Fatalf("before tampering: %+v, %v", rep, err)
			}
			bypassTriggers(t, d, "audit_events")
			tc.tamper(t, d)
			// Read whole, and in small ranges stitched together.
			for _, chunk := range []int64{1 << 20, 2, 5} {
				rep, err := audit.VerifyInRanges(ctx, d.DB, v, chunk)
				if err != nil {
					t.Fatal(err)
				}
				first, ok := rep.FirstBad()
				if !ok {
					t.Fatalf("ranges of %d: Verify found nothing wrong", chunk)
				}
				if first.Seq != tc.want {
					t.Errorf("ranges of %d: first bad event %d, want %d: %+v", chunk, first.Seq, tc.want, rep.Problems)
				}
			}
		})
	}
}

func TestAnchors(t *testing.T) {
	d := dbtest.Open(t)
	s, v := signer(t)
	if _, ok, err := audit.SignAnchor(ctx, d.DB, s, 0); err != nil || ok {
		t.Errorf("anchor of an empty chain: ok %t, %v", ok, err)
	}
	chain(t, d, 4)
	a, ok, err := audit.SignAnchor(ctx, d.DB, s, time.Hour)
	if err != nil || !ok || a.Seq != 4 {
		t.Fatalf("first anchor: %+v, %t, %v", a, ok, err)
	}
	seq, hash, err := audit.OpenAnchor([]byte(a.Note), v)
	if err != nil || seq != 4 || hash != a.Hash {
		t.Errorf("OpenAnchor: %d %s %v", seq, hash, err)
	}
	chain(t, d, 2)
	// Younger than minAge: no new anchor yet.
	if b, _, _ := audit.SignAnchor(ctx, d.DB, s, time.Hour); b.Seq != 4 {
		t.Errorf("anchor signed again within minAge: seq %d", b.Seq)
	}
	// Two replicas signing at once write one row.
	for range 2 {
		if b, _, err := audit.SignAnchor(ctx, d.DB, s, 0); err != nil || b.Seq != 6 {
			t.Errorf("anchor: %d, %v", b.Seq, err)
		}
	}
	var n int64
	d.Model(&audit.Anchor{}).Count(&n)
	if n != 2 {
		t.Errorf("%d anchors, want 2", n)
	}
	_, other := signer(t)
	if _, _, err := audit.OpenAnchor([]byte(a.Note), other); err == nil {
		t.Error("an anchor verified with another key")
	}
}

func TestFind(t *testing.T) {
	d := dbtest.Open(t)
	chain(t, d, 30)
	auditor := audit.Actor{Issuer: "https://idp.example", Subject: "auditor", Role: "auditor"}
	count := func() int64 {
		var n int64
		d.Model(&audit.Event{}).Where("action = ?", audit.ActionView).Count(&n)
		return n
	}

	// Page through request-1's events, newest first.
	var seqs []int64
	f := audit.Filter{RequestID: "request-1", Limit: 3}
	for pages := 0; ; pages++ {
		p, err := audit.Find(ctx, d.DB, auditor, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p.Events {
			if ev.RequestID != "request-1" {
				t.Errorf("event %d of %s in request-1's page", ev.Seq, ev.RequestID)
			}
			seqs = append(seqs, ev.Seq)
		}
		if p.NextCursor == "" {
			break
		}
		f.Cursor = p.NextCursor
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seqs) != 8 {
		t.Errorf("request-1 has %d events across pages, want 8: %v", len(seqs), seqs)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] >= seqs[i-1] {
			t.Errorf("not newest first: %v", seqs)
		}
	}
	if got := count(); got != 3 {
		t.Errorf("%d audit.view events after 3 pages, want 3 (auditors are audited)", got)
	}

	for _, tc := range []struct {
		desc string
		f    audit.Filter
		want int
	}{
		{"by actor", audit.Filter{Actor: "person-1", Limit: 100}, 10},
		{"by action", audit.Filter{Action: "request.submit", Limit: 100}, 10},
		{"by actor and action", audit.Filter{Actor: "person-1", Action: "request.view", Limit: 100}, 10},
		{"in the future", audit.Filter{From: time.Now().Add(time.Hour), Limit: 100}, 0},
		{"in the past hour", audit.Filter{Action: "request.create", From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Minute), Limit: 100}, 10},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			p, err := audit.Find(ctx, d.DB, auditor, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) != tc.want {
				t.Errorf("%d events, want %d", len(p.Events), tc.want)
			}
		})
	}
	for _, tc := range []struct {
		desc  string
		f     audit.Filter
		field string
	}{
		{"bad cursor", audit.Filter{Cursor: "nonsense"}, "cursor"},
		{"limit too high", audit.Filter{Limit: 1000}, "limit"},
		{"range backwards", audit.Filter{From: time.Now(), To: time.Now().Add(-time.Hour)}, "to"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := audit.Find(ctx, d.DB, auditor, tc.f)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
				t.Errorf("got %v, want Invalid naming %q", err, tc.field)
			}
		})
	}
}

// TestAppendRollsBackWithItsTransaction: an event is part of the change it
// records; a rolled back change leaves no event and no gap.
func TestAppendRollsBackWithItsTransaction(t *testing.T) {
	d := dbtest.Open(t)
	chain(t, d, 2)
	err := d.Transaction(func(tx *gorm.DB) error {
		if err := audit.Append(ctx, tx, audit.Event{Action: "request.create"}); err != nil {
			return err
		}
		return fmt.Errorf("the change failed after its audit event")
	})
	if err == nil {
		t.Fatal("transaction did not fail")
	}
	chain(t, d, 1)
	rep, err := audit.Verify(ctx, d.DB, nil, nil)
	if err != nil || !rep.OK() || rep.Events != 3 {
		t.Errorf("after a rolled back append: %+v, %v", rep, err)
	}
}

// TestVerifyAnyText: the chain hashes bytes, whatever they are; Verify
// recomputes the same hash for text with multi-byte characters, newlines
// and quotes, read back from either database, in ranges of any size.
func TestVerifyAnyText(t *testing.T) {
	d := dbtest.Open(t)
	for i, s := range []string{"", "Zoë ß 東京 🚓", "line one\nline two\r\n", `{"q":"\"quoted\""}`, strings.Repeat("x", 10000), "tab\there"} {
		mustAppend(t, d, audit.Event{Actor: audit.Actor{Subject: s, Issuer: "https://idp.example"}, Action: "test.text",
			ObjectID: fmt.Sprint(i), Details: s, Decision: s})
	}
	for _, chunk := range []int64{1 << 20, 1, 2, 4} {
		t.Run(fmt.Sprintf("ranges of %d", chunk), func(t *testing.T) {
			rep, err := audit.VerifyInRanges(ctx, d.DB, nil, chunk)
			if err != nil || !rep.OK() || rep.Events != 6 {
				t.Errorf("%+v, %v", rep, err)
			}
		})
	}
}

// TestQueueWhenHeadBusy: while one transaction holds the chain head, another
// appends without waiting for it: its event is queued, in its own
// transaction (rolled back with it), and chained later, in order.
func TestQueueWhenHeadBusy(t *testing.T) {
	if os.Getenv(dbtest.EnvDatabase) != "postgres" {
		t.Skip("SQLite has one writer at a time: every append takes the head")
	}
	d := dbtest.Open(t)
	chain(t, d, 2)
	holder := d.Begin()
	if err := audit.Append(ctx, holder, audit.Event{Action: "test.holder"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() {
		// Commits with its event queued, without waiting for the holder.
		done <- audit.Write(ctx, d.DB, audit.Event{Action: "test.queued"})
	}()
	go func() {
		// Rolls back: its queued event goes with it.
		done <- d.Transaction(func(tx *gorm.DB) error {
			if err := audit.Append(ctx, tx, audit.Event{Action: "test.rolled-back"}); err != nil {
				return err
			}
			return fmt.Errorf("the change failed")
		})
	}()
	for range 2 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("an append waited for the transaction holding the chain head")
		}
	}
	var queued int64
	d.Model(&audit.Pending{}).Count(&queued)
	if queued != 1 {
		t.Errorf("%d events queued, want 1", queued)
	}
	if err := holder.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if n, err := audit.Flush(ctx, d.DB); err != nil || n != 1 {
		t.Errorf("Flush chained %d, %v; want 1", n, err)
	}
	var actions []string
	d.Model(&audit.Event{}).Order("seq").Pluck("action", &actions)
	if got, want := strings.Join(actions, " "), "request.view request.submit test.holder test.queued"; got != want {
		t.Errorf("chain %q, want %q", got, want)
	}
	rep, err := audit.Verify(ctx, d.DB, nil, nil)
	if err != nil || !rep.OK() || rep.Events != 4 || rep.Queued != 0 {
		t.Errorf("after Flush: %+v, %v", rep, err)
	}
}

// TestConcurrentAppendsAcrossReplicas: two replicas appending at once lose
// no event and fork nothing; queued events are chained by later appends or
// by Flush.
func TestConcurrentAppendsAcrossReplicas(t *testing.T) {
	url := t.TempDir() + "/shared.db"
	if os.Getenv(dbtest.EnvDatabase) == "postgres" {
		url = dbtest.PostgresURL(t)
	}
	open := func() *db.DB {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	a := open()
	if _, err := a.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	b := open()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errc := make(chan error, 2*workers*each)
	for r, d := range []*db.DB{a, b} {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := audit.Write(ctx, d.DB, audit.Event{Action: "test.concurrent", ObjectID: fmt.Sprintf("%d-%d-%d", r, w, i)}); err != nil {
						errc <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if _, err := audit.Flush(ctx, a.DB); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, b.DB, nil, nil)
	if err != nil || !rep.OK() || rep.Events != 2*workers*each || rep.Queued != 0 {
		t.Errorf("after concurrent appends: %+v, %v", rep, err)
	}
	var distinct int64
	a.Model(&audit.Event{}).Distinct("object_id").Count(&distinct)
	if distinct != 2*workers*each {
		t.Errorf("%d distinct events chained, want %d", distinct, 2*workers*each)
	}
}
