package translog_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

var ctx = context.Background()

func mustDate(s string) day.Date {
	d, err := day.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func sampleRecord() translog.Record {
	return translog.Record{
		Version: translog.FormatVersion, Event: translog.EventReceived,
		Commitment: translog.Commit(saltBytes(), "WD-2026-000123"),
		Date:       mustDate("2026-11-20"), Country: "US", AgencyKind: "police", Process: "us.subpoena",
		RequestType: translog.TypeLegalProcess, Categories: []string{"subscriber", "connection_log"},
		Accounts: 1, NDO: true,
	}
}

func saltBytes() []byte {
	b := make([]byte, translog.SaltSize)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestLeafEncoding pins the published leaf format: anyone rebuilding a leaf
// from its values must get exactly these bytes.
func TestLeafEncoding(t *testing.T) {
	if got, want := translog.Commit(saltBytes(), "WD-2026-000123"),
		"c243407dee204a10339f67dea230910923db6374acb97ea09574241e92da0c90"; got != want {
		t.Errorf("Commit = %s, want %s (SHA-256 of salt || reference)", got, want)
	}
	b, err := sampleRecord().Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"event":"received","commitment":"c243407dee204a10339f67dea230910923db6374acb97ea09574241e92da0c90",` +
		`"date":"2026-11-20","country":"US","agency_kind":"police","process":"us.subpoena","request_type":"legal_process",` +
		`"categories":["connection_log","subscriber"],"outcome":"","accounts":1,"ndo":true}`
	if string(b) != want {
		t.Errorf("leaf bytes:\n got %s\nwant %s", b, want)
	}
	rec, err := translog.ParseRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := rec.Encode(); string(again) != want {
		t.Errorf("round trip changed the leaf: %s", again)
	}

	for _, tc := range []struct {
		desc string
		leaf string
	}{
		{"whitespace", strings.Replace(want, `"v":1,`, `"v": 1,`, 1)},
		{"keys reordered", strings.Replace(want, `{"v":1,"event":"received",`, `{"event":"received","v":1,`, 1)},
		{"unknown key", strings.Replace(want, `"ndo":true}`, `"ndo":true,"name":"x"}`, 1)},
		{"categories unsorted", strings.Replace(want, `["connection_log","subscriber"]`, `["subscriber","connection_log"]`, 1)},
		{"categories null", strings.Replace(want, `["connection_log","subscriber"]`, `null`, 1)},
		{"escaped character", strings.Replace(want, `"police"`, `"polic\u0065"`, 1)},
		{"trailing newline", want + "\n"},
		{"personal data in a token", strings.Replace(want, `"police"`, `"John Smith"`, 1)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if _, err := translog.ParseRecord([]byte(tc.leaf)); err == nil {
				t.Errorf("ParseRecord accepted %s", tc.leaf)
			}
		})
	}
}

func TestRecordValidate(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		change func(*translog.Record)
	}{
		{"no date", func(r *translog.Record) { r.Date = day.Date{} }},
		{"lowercase country", func(r *translog.Record) { r.Country = "us" }},
		{"bad commitment", func(r *translog.Record) { r.Commitment = "WD-2026-000123" }},
		{"unknown request type", func(r *translog.Record) { r.RequestType = "subpoena" }},
		{"free text outcome", func(r *translog.Record) { r.Outcome = "approved by J. Smith" }},
		{"negative accounts", func(r *translog.Record) { r.Accounts = -1 }},
		{"empty event", func(r *translog.Record) { r.Event = "" }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			r := sampleRecord()
			tc.change(&r)
			if _, err := r.Encode(); err == nil {
				t.Error("Encode accepted an invalid record")
			}
		})
	}
}

// newLog returns a migrated database and a log with a fresh key.
func newLog(t *testing.T) (*db.DB, *translog.Log) {
	t.Helper()
	d := dbtest.Open(t)
	return d, mustLog(t, d)
}

func mustLog(t testing.TB, d *db.DB) *translog.Log {
	t.Helper()
	skey, _, err := translog.GenerateKey("warrantdesk.example/test-log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := translog.New(d.DB, skey)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func leafFor(i int) translog.Leaf {
	rec := sampleRecord()
	rec.Accounts = i % 5
	return translog.Leaf{RequestID: fmt.Sprintf("request-%d", i), Reference: fmt.Sprintf("WD-2026-%06d", i), Record: rec}
}

func mustAppend(t testing.TB, d *db.DB, l translog.Leaf) int64 {
	t.Helper()
	var n int64
	err := d.Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = translog.Append(ctx, tx, l)
		return err
	})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return n
}

func TestReceiptVerifiesWithOnlyThePublicKey(t *testing.T) {
	d, l := newLog(t)
	for i := range 5 {
		mustAppend(t, d, leafFor(i))
	}
	// No checkpoint is signed yet: the receipt signs one on demand.
	rc, err := l.Receipt(ctx, "request-3", "", audit.Event{Actor: audit.Actor{Subject: "officer"}, Action: "request.receipt"})
	if err != nil {
		t.Fatal(err)
	}
	// What the agency holds: the JSON, its reference and the public key.
	body, err := json.Marshal(rc)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	json.Unmarshal(body, &fields)
	for _, k := range []string{"index", "leaf", "salt", "checkpoint", "proof"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("receipt JSON lacks %q: %s", k, body)
		}
	}
	var got translog.Receipt
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	rec, cp, err := translog.VerifyReceipt(l.Key(), got, "WD-2026-000003")
	if err != nil {
		t.Fatalf("VerifyReceipt: %v", err)
	}
	if got.Index != 3 || cp.Size != 5 || rec.Accounts != 3 || rec.Event != translog.EventReceived {
		t.Errorf("receipt for index %d in tree %d, record %+v", got.Index, cp.Size, rec)
	}
	var n int64
	d.Model(&audit.Event{}).Where("action = ? AND request_id = ?", "request.receipt", "request-3").Count(&n)
	if n != 1 {
		t.Errorf("%d audit events for the receipt, want 1", n)
	}

	other := mustLog(t, d)
	for _, tc := range []struct {
		desc      string
		vkey      string
		reference string
		change    func(*translog.Receipt)
	}{
		{"another reference", l.Key(), "WD-2026-000004", nil},
		{"another log's key", other.Key(), "", nil},
		{"leaf edited", l.Key(), "", func(r *translog.Receipt) {
			r.Leaf = []byte(strings.Replace(string(r.Leaf), `"accounts":3`, `"accounts":4`, 1))
		}},
		{"proof edited", l.Key(), "", func(r *translog.Receipt) { r.Proof[0][0] ^= 1 }},
		{"other index", l.Key(), "", func(r *translog.Receipt) { r.Index = 2 }},
		{"checkpoint edited", l.Key(), "", func(r *translog.Receipt) { r.Checkpoint = strings.Replace(r.Checkpoint, "\n5\n", "\n6\n", 1) }},
		{"salt edited", l.Key(), "WD-2026-000003", func(r *translog.Receipt) { r.Salt = strings.Repeat("0", 64) }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var r translog.Receipt
			json.Unmarshal(body, &r)
			if tc.change != nil {
				tc.change(&r)
			}
			if _, _, err := translog.VerifyReceipt(tc.vkey, r, tc.reference); err == nil {
				t.Error("VerifyReceipt accepted it")
			}
		})
	}

	t.Run("NoLeafIsNotFound", func(t *testing.T) {
		_, err := l.Receipt(ctx, "request-99", "", audit.Event{Action: "request.receipt"})
		if errs.CodeOf(err) != errs.NotFound {
			t.Errorf("receipt of a request without leaves: %v, want NotFound", err)
		}
	})
}

func TestCheckpointsAndProofs(t *testing.T) {
	d, l := newLog(t)
	if _, err := l.Latest(ctx); errs.CodeOf(err) != errs.Unavailable {
		t.Errorf("Latest of a fresh log: %v, want Unavailable", err)
	}
	cp0, err := l.Sign(ctx)
	if err != nil || cp0.Size != 0 {
		t.Fatalf("first checkpoint: size %d, %v", cp0.Size, err)
	}
	for i := range 7 {
		mustAppend(t, d, leafFor(i))
	}
	old := cp0
	mid, err := l.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 7; i < 12; i++ {
		mustAppend(t, d, leafFor(i))
	}
	cp, err := l.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Signing again without growth changes nothing.
	again, err := l.Sign(ctx)
	if err != nil || string(again.Note) != string(cp.Note) {
		t.Errorf("second Sign at the same size: %v, note changed %t", err, string(again.Note) != string(cp.Note))
	}
	opened, err := translog.OpenCheckpoint(cp.Note, l.Key())
	if err != nil {
		t.Fatal(err)
	}
	if opened.Size != 12 || opened.Origin != "warrantdesk.example/test-log" || opened.Hash != cp.Hash {
		t.Errorf("opened checkpoint %+v", opened)
	}
	lines := strings.Split(string(cp.Note), "\n")
	if lines[0] != "warrantdesk.example/test-log" || lines[1] != "12" || lines[3] != "" || !strings.HasPrefix(lines[4], "— warrantdesk.example/test-log ") {
		t.Errorf("checkpoint is not a C2SP checkpoint note:\n%s", cp.Note)
	}

	entries, err := l.Entries(ctx, 0, 100)
	if err != nil || len(entries) != 12 {
		t.Fatalf("entries: %d, %v", len(entries), err)
	}
	for i, e := range entries {
		p, err := l.InclusionProof(ctx, int64(i), cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, cp.Size, cp.Hash, int64(i), tlog.RecordHash(e.Leaf)); err != nil {
			t.Errorf("leaf %d: %v", i, err)
		}
	}
	p, err := l.ConsistencyProof(ctx, mid.Size, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, cp.Size, cp.Hash, mid.Size, mid.Hash); err != nil {
		t.Errorf("consistency %d→%d: %v", mid.Size, cp.Size, err)
	}
	page, err := l.Entries(ctx, 10, 5)
	if err != nil || len(page) != 2 || page[0].Index != 10 {
		t.Errorf("entries from 10: %d entries, %v", len(page), err)
	}

	for _, tc := range []struct {
		desc string
		call func() error
	}{
		{"inclusion beyond the tree", func() error { _, err := l.InclusionProof(ctx, 12, 12); return err }},
		{"inclusion in a tree larger than the log", func() error { _, err := l.InclusionProof(ctx, 0, 13); return err }},
		{"consistency from 0", func() error { _, err := l.ConsistencyProof(ctx, old.Size, 12); return err }},
		{"consistency backwards", func() error { _, err := l.ConsistencyProof(ctx, 9, 8); return err }},
		{"entries limit too high", func() error { _, err := l.Entries(ctx, 0, translog.MaxEntries+1); return err }},
		{"entries negative start", func() error { _, err := l.Entries(ctx, -1, 10); return err }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if err := tc.call(); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("got %v, want Invalid", err)
			}
		})
	}
}

func TestReadOnlyLogWithoutKey(t *testing.T) {
	d := dbtest.Open(t)
	l, err := translog.New(d.DB, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sign(ctx); errs.CodeOf(err) != errs.Unavailable {
		t.Errorf("Sign without a key: %v, want Unavailable", err)
	}
	if _, err := translog.New(d.DB, "not a key"); err == nil {
		t.Error("New accepted a malformed key")
	}
}

// TestTriggersRefuseChanges: leaves, hashes and checkpoints are append-only
// on both databases.
func TestTriggersRefuseChanges(t *testing.T) {
	d, l := newLog(t)
	mustAppend(t, d, leafFor(0))
	ns := leafFor(1)
	ns.NationalSecurity = true
	mustAppend(t, d, ns)
	if _, err := l.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE tlog_leaves SET leaf = leaf WHERE idx = 0",
		"DELETE FROM tlog_leaves WHERE idx = 0",
		"UPDATE tlog_hashes SET hash = hash",
		"DELETE FROM tlog_hashes",
		"UPDATE tlog_checkpoints SET note = ''",
		"DELETE FROM tlog_checkpoints",
		"UPDATE national_security_events SET accounts = 0",
		"DELETE FROM national_security_events",
	} {
		t.Run(stmt, func(t *testing.T) {
			err := d.Exec(stmt).Error
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", stmt, err)
			}
		})
	}
	if d.Dialect == db.Postgres {
		if err := d.Exec("TRUNCATE tlog_leaves").Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("TRUNCATE: %v, want refused", err)
		}
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

// TestVerifyTreeDetectsTampering changes the stored log past its triggers
// in every way a superuser could, and VerifyTree names the first bad leaf.
func TestVerifyTreeDetectsTampering(t *testing.T) {
	edited := strings.Replace(mustEncode(t, leafFor(3).Record), `"accounts":3`, `"accounts":0`, 1)
	for _, tc := range []struct {
		desc  string
		table string
		stmts []string
		want  int64
	}{
		{"edit a leaf", "tlog_leaves", []string{"UPDATE tlog_leaves SET leaf = ? WHERE idx = 3"}, 3},
		{"delete a leaf", "tlog_leaves", []string{"DELETE FROM tlog_leaves WHERE idx = 4"}, 4},
		{"reorder leaves", "tlog_leaves", []string{
			"UPDATE tlog_leaves SET idx = -1 WHERE idx = 2", "UPDATE tlog_leaves SET idx = 2 WHERE idx = 6",
			"UPDATE tlog_leaves SET idx = 6 WHERE idx = -1"}, 2},
		{"truncate the tail", "tlog_leaves", []string{"DELETE FROM tlog_leaves WHERE idx >= 7"}, 7},
		{"truncate the tail and the head row", "tlog_leaves", []string{"DELETE FROM tlog_leaves WHERE idx >= 7", "UPDATE tlog_head SET size = 7"}, 7},
		{"edit a stored hash", "tlog_hashes", []string{fmt.Sprintf("UPDATE tlog_hashes SET hash = ? WHERE id = %d", tlog.StoredHashIndex(0, 5))}, 5},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			d, l := newLog(t)
			for i := range 10 {
				mustAppend(t, d, leafFor(i))
			}
			if _, err := l.Sign(ctx); err != nil {
				t.Fatal(err)
			}
			if rep, err := translog.VerifyTree(ctx, d.DB, l.Verifier(), nil, nil); err != nil || !rep.OK() {
				t.Fatalf("before tampering: %+v, %v", rep.Problems, err)
			}
			bypassTriggers(t, d, tc.table)
			for _, s := range tc.stmts {
				var err error
				switch {
				case strings.Contains(s, "SET leaf = ?"):
					err = d.Exec(s, []byte(edited)).Error
				case strings.Contains(s, "SET hash = ?"):
					err = d.Exec(s, make([]byte, 32)).Error
				default:
					err = d.Exec(s).Error
				}
				if err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			rep, err := translog.VerifyTree(ctx, d.DB, l.Verifier(), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("VerifyTree found nothing wrong")
			}
			if got := rep.Problems[0].Index; got != tc.want {
				t.Errorf("first bad leaf %d, want %d: %+v", got, tc.want, rep.Problems)
			}
		})
	}
}

func mustEncode(t *testing.T, r translog.Record) string {
	t.Helper()
	r.Version = translog.FormatVersion
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVerifyTreeAgainstSavedCheckpoint: a checkpoint saved by a monitor
// proves the log was not rewritten or truncated since.
func TestVerifyTreeAgainstSavedCheckpoint(t *testing.T) {
	d := dbtest.Open(t)
	l, err := translog.New(d.DB, testKey)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		mustAppend(t, d, leafFor(i))
	}
	saved, err := l.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 6; i < 9; i++ {
		mustAppend(t, d, leafFor(i))
	}
	if _, err := l.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := translog.VerifyTree(ctx, d.DB, l.Verifier(), saved.Note, nil)
	if err != nil || !rep.OK() || rep.Old.Size != 6 || rep.Latest.Size != 9 {
		t.Fatalf("consistent log: %+v, %v", rep, err)
	}
	other := mustLog(t, d)
	if rep, _ := translog.VerifyTree(ctx, d.DB, other.Verifier(), saved.Note, nil); rep.OK() {
		t.Error("checkpoints verified with another log's key")
	}
	// A saved checkpoint of another history, signed with the same key: a
	// fork the log must not be consistent with.
	d2 := dbtest.Open(t)
	l2, err := translog.New(d2.DB, testKey)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		mustAppend(t, d2, leafFor(i+100))
	}
	fork, err := l2.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep, _ := translog.VerifyTree(ctx, d.DB, l.Verifier(), fork.Note, nil); rep.OK() {
		t.Error("a forked checkpoint was found consistent")
	}
}

var testKey = func() string {
	s, _, err := translog.GenerateKey("warrantdesk.example/test-log")
	if err != nil {
		panic(err)
	}
	return s
}()

// TestSignRefusesTamperedTree: the signer never signs a checkpoint that is
// inconsistent with one it signed before.
func TestSignRefusesTamperedTree(t *testing.T) {
	d := dbtest.Open(t)
	l, err := translog.New(d.DB, testKey)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		mustAppend(t, d, leafFor(i))
	}
	if _, err := l.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	bypassTriggers(t, d, "tlog_hashes")
	if err := d.Exec("UPDATE tlog_hashes SET hash = ? WHERE id = ?", make([]byte, 32), tlog.StoredHashIndex(3, 0)).Error; err != nil {
		t.Fatal(err)
	}
	mustAppend(t, d, leafFor(8))
	if _, err := l.Sign(ctx); err == nil || !strings.Contains(err.Error(), "refusing to sign") {
		t.Errorf("Sign over a tampered tree: %v, want refused", err)
	}
}

// replicas opens the same database twice, as two server replicas would.
func replicas(t *testing.T) (*db.DB, *db.DB) {
	t.Helper()
	var url string
	if os.Getenv(dbtest.EnvDatabase) == "postgres" {
		url = dbtest.PostgresURL(t)
	} else {
		url = filepath.Join(t.TempDir(), "shared.db")
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
	return a, open()
}

// TestConcurrentAppendsAcrossReplicas: two replicas appending and signing
// at once assign every index exactly once, with no gaps, and every
// checkpoint either signs verifies against the recomputed tree.
func TestConcurrentAppendsAcrossReplicas(t *testing.T) {
	a, b := replicas(t)
	la, err := translog.New(a.DB, testKey)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := translog.New(b.DB, testKey)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 6, 10
	var wg sync.WaitGroup
	indexes := make(chan int64, 2*workers*each)
	failures := make(chan error, 2*workers*each+2)
	stop := make(chan struct{})
	for r, d := range []*db.DB{a, b} {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					id := fmt.Sprintf("r%d-w%d-%d", r, w, i)
					err := d.Transaction(func(tx *gorm.DB) error {
						n, err := translog.Append(ctx, tx, translog.Leaf{RequestID: id, Reference: id, Record: sampleRecord()})
						if err != nil {
							return err
						}
						indexes <- n
						// As the request domain does: the leaf, then the
						// audit event, in one transaction.
						return audit.Append(ctx, tx, audit.Event{Action: "test.append", RequestID: id})
					})
					if err != nil {
						failures <- err
					}
				}
			}()
		}
	}
	// Both replicas' signers run meanwhile.
	var signers sync.WaitGroup
	for _, l := range []*translog.Log{la, lb} {
		signers.Add(1)
		go func() {
			defer signers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.Sign(ctx); err != nil {
					failures <- fmt.Errorf("sign: %w", err)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(stop)
	signers.Wait()
	close(indexes)
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	seen := map[int64]bool{}
	for n := range indexes {
		if seen[n] {
			t.Errorf("index %d assigned twice", n)
		}
		seen[n] = true
	}
	total := int64(2 * workers * each)
	for i := range total {
		if !seen[i] {
			t.Errorf("index %d never assigned (gap)", i)
		}
	}
	if _, err := la.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := translog.VerifyTree(ctx, b.DB, lb.Verifier(), nil, nil)
	if err != nil || !rep.OK() || rep.Leaves != total || rep.Latest.Size != total {
		t.Errorf("after concurrent appends: leaves %d, latest %d, problems %+v, %v", rep.Leaves, rep.Latest.Size, rep.Problems, err)
	}
	var cps int64
	a.Model(&translog.SignedCheckpoint{}).Count(&cps)
	if rep.Checkpoints != int(cps) || cps < 2 {
		t.Errorf("checked %d of %d checkpoints", rep.Checkpoints, cps)
	}
	if arep, err := audit.Verify(ctx, a.DB, nil, nil); err != nil || !arep.OK() || arep.Events != total {
		t.Errorf("audit chain after concurrent appends: %+v, %v", arep, err)
	}
}

// TestRunSignsWithinSeconds: the signer loop covers a new leaf and a new
// audit event within about one interval.
func TestRunSignsWithinSeconds(t *testing.T) {
	d := dbtest.Open(t)
	l, err := translog.New(d.DB, testKey)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		l.Run(runCtx, 50*time.Millisecond, nil)
		close(done)
	}()
	defer func() { cancel(); <-done }()
	err = d.Transaction(func(tx *gorm.DB) error {
		if _, err := translog.Append(ctx, tx, leafFor(0)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{Action: "request.submit", RequestID: "request-0"})
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		cp, cerr := l.Latest(ctx)
		a, ok, aerr := audit.LatestAnchor(ctx, d.DB)
		if cerr == nil && cp.Size == 1 && aerr == nil && ok && a.Seq == 1 {
			if _, _, err := audit.OpenAnchor([]byte(a.Note), l.Verifier()); err != nil {
				t.Errorf("anchor: %v", err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: checkpoint %d (%v), anchor %d (%v)", cp.Size, cerr, a.Seq, aerr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommitHidesTheReference(t *testing.T) {
	// Two leaves of the same request get different salts, so the public
	// cannot link them; the agency can, with its receipts.
	d, _ := newLog(t)
	mustAppend(t, d, leafFor(1))
	mustAppend(t, d, leafFor(1))
	var es []translog.Entry
	d.Order("idx").Find(&es)
	r0, _ := translog.ParseRecord(es[0].Leaf)
	r1, _ := translog.ParseRecord(es[1].Leaf)
	if r0.Commitment == r1.Commitment || es[0].Salt == es[1].Salt {
		t.Error("two leaves of one request share a commitment")
	}
	salt, _ := hex.DecodeString(es[1].Salt)
	if translog.Commit(salt, "WD-2026-000001") != r1.Commitment {
		t.Error("the stored salt does not open the commitment")
	}
	if strings.Contains(string(es[0].Leaf), "request-1") || strings.Contains(string(es[0].Leaf), "WD-2026") {
		t.Errorf("leaf publishes the request: %s", es[0].Leaf)
	}
}

// TestNationalSecurityLeavesAreWithheld: a national-security request's
// events never become leaves (counting them would give the number 50 U.S.C.
// § 1874 allows only in bands); they are kept privately, and the request
// has no receipt.
func TestNationalSecurityLeavesAreWithheld(t *testing.T) {
	d, l := newLog(t)
	mustAppend(t, d, leafFor(0))
	ns := leafFor(1)
	ns.NationalSecurity, ns.Process = true, "us.nsl"
	if got := mustAppend(t, d, ns); got != translog.Withheld {
		t.Errorf("Append of a national-security leaf = %d, want Withheld", got)
	}
	bad := leafFor(2)
	bad.NationalSecurity, bad.Country = true, "usa"
	if err := d.Transaction(func(tx *gorm.DB) error { _, err := translog.Append(ctx, tx, bad); return err }); err == nil {
		t.Error("an invalid national-security record was kept")
	}
	if n, err := l.Size(ctx); err != nil || n != 1 {
		t.Errorf("log size %d, %v; want 1 (the ordinary leaf only)", n, err)
	}
	var kept []translog.Record
	err := translog.NationalSecurityEvents(ctx, d.DB, mustDate("2026-01-01"), mustDate("2026-12-31"), func(e translog.NationalSecurityEvent) {
		kept = append(kept, e.Record())
	})
	if err != nil || len(kept) != 1 || kept[0].Process != "us.nsl" || kept[0].Event != ns.Event || kept[0].Date != ns.Date {
		t.Errorf("private events = %+v, %v; want the one national-security event", kept, err)
	}
	_, err = l.Receipt(ctx, "request-1", "", audit.Event{Action: "request.receipt"})
	if !errors.Is(err, translog.ErrNoLeaf) || !strings.Contains(errs.Message(err), "national-security") {
		t.Errorf("receipt of a national-security request: %v", err)
	}
}

// TestBandLeaves: the bands a report publishes are leaves of the log, in
// format 1, readable by the strict scanner, and nothing but band leaves
// can be appended that way.
func TestBandLeaves(t *testing.T) {
	d, l := newLog(t)
	commitment := translog.BandCommitment("2026-H1", 2)
	if commitment == translog.BandCommitment("2026-H1", 1) || commitment == translog.BandCommitment("2026-H2", 2) {
		t.Fatal("band commitments of different report versions coincide")
	}
	rec := translog.Record{Event: translog.EventNationalSecurityBand, Commitment: commitment, Date: mustDate("2027-01-10"),
		Country: "US", AgencyKind: "federal", Process: "us.nsl", RequestType: translog.TypeLegalProcess,
		Outcome: "requests_received", Accounts: 250}
	var first int64
	err := d.Transaction(func(tx *gorm.DB) error {
		var err error
		first, err = translog.AppendBands(ctx, tx, []translog.Record{rec, rec})
		return err
	})
	if err != nil || first != 0 {
		t.Fatalf("AppendBands = %d, %v", first, err)
	}
	es, err := l.Entries(ctx, 0, 10)
	if err != nil || len(es) != 2 {
		t.Fatalf("entries %d, %v", len(es), err)
	}
	want := `{"v":1,"event":"national_security_band","commitment":"` + commitment + `","date":"2027-01-10","country":"US","agency_kind":"federal","process":"us.nsl","request_type":"legal_process","categories":[],"outcome":"requests_received","accounts":250,"ndo":false}`
	if string(es[0].Leaf) != want || es[0].RequestID != "" || es[0].Salt != "" {
		t.Errorf("band leaf %s (request %q, salt %q), want %s and nothing private", es[0].Leaf, es[0].RequestID, es[0].Salt, want)
	}
	if got, err := translog.ParseRecord(es[0].Leaf); err != nil || got.Accounts != 250 {
		t.Errorf("ParseRecord = %+v, %v", got, err)
	}
	other := rec
	other.Event = translog.EventReceived
	if err := d.Transaction(func(tx *gorm.DB) error { _, err := translog.AppendBands(ctx, tx, []translog.Record{other}); return err }); err == nil {
		t.Error("AppendBands took a request's event")
	}
}
