package metadata_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// bothDatabases runs f on a fresh SQLite and a fresh PostgreSQL database.
func bothDatabases(t *testing.T, f func(t *testing.T, d *db.DB)) {
	for _, o := range []struct {
		desc string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.OpenSQLite}, {"postgres", dbtest.OpenPostgres}} {
		t.Run(o.desc, func(t *testing.T) { f(t, o.open(t)) })
	}
}

type record = map[string]any

// stream runs Store.Stream and decodes its records, checking on the way
// that every CSV line says the same as its JSON object, and that both hold
// exactly the fields sc releases for c.
func stream(t *testing.T, s *metadata.Store, d *db.DB, sc metadata.Scope, c string) []record {
	t.Helper()
	fields, err := sc.Released(c)
	if err != nil {
		t.Fatalf("fields of %s: %v", c, err)
	}
	var out []record
	n, err := s.Stream(context.Background(), d.DB, sc, c, now, func(r *metadata.Record) error {
		var m record
		if err := json.Unmarshal(r.JSON, &m); err != nil {
			return fmt.Errorf("record %s is not JSON: %v", r.JSON, err)
		}
		row, err := csv.NewReader(bytes.NewReader(r.CSV)).Read()
		if err != nil {
			return fmt.Errorf("record %q is not CSV: %v", r.CSV, err)
		}
		if len(row) != len(fields) || len(m) != len(fields) {
			return fmt.Errorf("%s record has %d CSV and %d JSON fields, want %d", c, len(row), len(m), len(fields))
		}
		for i, f := range fields {
			want := ""
			switch v := m[f.Name].(type) {
			case nil:
			case string:
				want = v
			case float64:
				want = strconv.FormatFloat(v, 'f', -1, 64)
			}
			if f.Name == "profile_name" && want != "" && (want[0] == '=' || want[0] == '+' || want[0] == '-' || want[0] == '@') {
				want = "'" + want
			}
			if row[i] != want {
				return fmt.Errorf("%s.%s: CSV %q, JSON %q", c, f.Name, row[i], want)
			}
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		t.Fatalf("stream %s: %v", c, err)
	}
	if n != int64(len(out)) {
		t.Fatalf("stream %s counted %d records, emitted %d", c, n, len(out))
	}
	return out
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func optStr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// truth computes what category c of sc must return, from every row of
// its table read with plain SQL and the rules written out in Go: in scope,
// in the window, within retention, or held by one of sc's preservations.
func truth(t *testing.T, d *db.DB, sc metadata.Scope, c string) []record {
	t.Helper()
	in := func(id string) bool { return slices.Contains(sc.AccountIDs, id) }
	cut := func(c string) time.Time { return retention.Cutoff(c, now) }
	var holds []metadata.Hold
	if len(sc.HoldRequests) > 0 {
		if err := d.Where("request_id IN ? AND status = 'active' AND expires_at > ?", sc.HoldRequests, now).Find(&holds).Error; err != nil {
			t.Fatal(err)
		}
	}
	held := func(account, cat string, start time.Time, end *time.Time) bool {
		for _, h := range holds {
			if h.AccountID == account && h.Category == cat && start.Before(h.ToAt) && (end == nil || !end.Before(h.FromAt)) {
				return true
			}
		}
		return false
	}
	heldAny := func(account, cat string) bool {
		for _, h := range holds {
			if h.AccountID == account && h.Category == cat {
				return true
			}
		}
		return false
	}
	order := func(id string) int { return slices.Index(sc.AccountIDs, id) }
	var out []record
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	switch c {
	case metadata.Subscriber, metadata.Activity:
		var as []metadata.Account
		must(d.Find(&as).Error)
		acts := map[string]metadata.AccountActivity{}
		var av []metadata.AccountActivity
		must(d.Find(&av).Error)
		for _, a := range av {
			acts[a.AccountID] = a
		}
		slices.SortFunc(as, func(a, b metadata.Account) int { return order(a.ID) - order(b.ID) })
		for _, a := range as {
			if !in(a.ID) || !(a.Status == "active" || !a.DeletedAt.Before(cut(c)) || heldAny(a.ID, c)) {
				continue
			}
			if c == metadata.Subscriber {
				out = append(out, record{"account_id": a.ID, "phone": a.Phone, "username": optStr(a.Username), "email": optStr(a.Email),
					"profile_name": a.ProfileName, "status": a.Status, "registered_at": ts(a.RegisteredAt), "deleted_at": optTS(a.DeletedAt)})
			} else if v, ok := acts[a.ID]; ok {
				out = append(out, record{"account_id": a.ID, "service_start": v.ServiceStart.String(), "last_seen": v.LastSeen.String()})
			}
		}
	case metadata.ConnectionLog:
		var es []metadata.ConnectionEvent
		must(d.Order("at, id").Find(&es).Error)
		slices.SortStableFunc(es, func(a, b metadata.ConnectionEvent) int { return order(a.AccountID) - order(b.AccountID) })
		for _, e := range es {
			if in(e.AccountID) && !e.At.Before(sc.From) && e.At.Before(sc.To) && (!e.At.Before(cut(c)) || held(e.AccountID, c, e.At, &e.At)) {
				out = append(out, record{"account_id": e.AccountID, "time": ts(e.At), "ip": e.IP, "port": float64(e.Port), "event": e.Event})
			}
		}
	case metadata.Device:
		var ds []metadata.DeviceRecord
		must(d.Order("device_no, id").Find(&ds).Error)
		slices.SortStableFunc(ds, func(a, b metadata.DeviceRecord) int { return order(a.AccountID) - order(b.AccountID) })
		for _, v := range ds {
			if in(v.AccountID) && v.FirstSeenAt.Before(sc.To) && !v.LastSeenAt.Before(sc.From) &&
				(!v.LastSeenAt.Before(cut(c)) || held(v.AccountID, c, v.FirstSeenAt, &v.LastSeenAt)) {
				out = append(out, record{"account_id": v.AccountID, "device_no": float64(v.DeviceNo), "model": v.Model, "os": v.OS,
					"app_version": v.AppVersion, "first_seen_at": ts(v.FirstSeenAt), "last_seen_at": ts(v.LastSeenAt)})
			}
		}
	case metadata.Contacts:
		var cs []metadata.Contact
		must(d.Order("kind, identifier, id").Find(&cs).Error)
		slices.SortStableFunc(cs, func(a, b metadata.Contact) int { return order(a.AccountID) - order(b.AccountID) })
		for _, v := range cs {
			if in(v.AccountID) && (v.RemovedAt == nil || !v.RemovedAt.Before(cut(c)) || held(v.AccountID, c, v.AddedAt, v.RemovedAt)) {
				out = append(out, record{"account_id": v.AccountID, "kind": v.Kind, "identifier": v.Identifier,
					"added_at": ts(v.AddedAt), "removed_at": optTS(v.RemovedAt)})
			}
		}
	case metadata.Groups:
		var gs []metadata.GroupMembership
		must(d.Order("joined_at, id").Find(&gs).Error)
		slices.SortStableFunc(gs, func(a, b metadata.GroupMembership) int { return order(a.AccountID) - order(b.AccountID) })
		for _, g := range gs {
			if in(g.AccountID) && g.JoinedAt.Before(sc.To) && (g.LeftAt == nil || !g.LeftAt.Before(sc.From)) &&
				(g.LeftAt == nil || !g.LeftAt.Before(cut(c)) || held(g.AccountID, c, g.JoinedAt, g.LeftAt)) {
				out = append(out, record{"account_id": g.AccountID, "group_id": g.GroupID, "role": g.Role,
					"member_count": float64(g.MemberCount), "joined_at": ts(g.JoinedAt), "left_at": optTS(g.LeftAt)})
			}
		}
	case metadata.Envelope:
		var os []metadata.CollectionOrder
		must(d.Find(&os).Error)
		mine := map[int64]bool{}
		for _, o := range os {
			end := o.EndsAt
			if o.StoppedAt != nil {
				end = *o.StoppedAt
			}
			if o.RequestID == sc.RequestID && !end.Before(now.AddDate(0, 0, -metadata.EnvelopeGraceDays)) {
				mine[o.ID] = true
			}
		}
		var es []metadata.EnvelopeRecord
		must(d.Order("at, id").Find(&es).Error)
		slices.SortStableFunc(es, func(a, b metadata.EnvelopeRecord) int { return order(a.AccountID) - order(b.AccountID) })
		for _, e := range es {
			if mine[e.OrderID] && in(e.AccountID) && !e.At.Before(sc.From) && e.At.Before(sc.To) {
				out = append(out, record{"account_id": e.AccountID, "time": ts(e.At), "sender": e.Sender, "recipient": e.Recipient,
					"type": e.Type, "size_bytes": float64(e.SizeBytes)})
			}
		}
	}
	return out
}

// TestStreamMatchesGroundTruth checks every category's extraction against
// the rows read with plain SQL and filtered by the rules, on both
// databases, for scopes that cut in every way: other accounts, the window,
// retention, holds of this and of another request, envelopes of this and
// of another order.
func TestStreamMatchesGroundTruth(t *testing.T) {
	bothDatabases(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(d)
		seed(t, d, 120, 6, 220, 3)
		a, b, c := demo.AccountIDOf(demo.PhoneOf(121)), demo.AccountIDOf(demo.PhoneOf(123)), demo.AccountIDOf(demo.PhoneOf(125))
		preserved, other := mustRequest(t, d), mustRequest(t, d)
		prospective, otherOrder := mustRequest(t, d), mustRequest(t, d)
		// A hold over rows older than retention, for one account, and an
		// expired one that must not count.
		if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: preserved,
			Targets:    []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(123)}},
			Categories: []string{metadata.ConnectionLog, metadata.Device, metadata.Groups, metadata.Contacts, metadata.Subscriber},
			From:       now.AddDate(0, 0, -200), To: now.AddDate(0, 0, -95), ExpiresAt: now.AddDate(0, 0, 60)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Preserve(ctx, d.DB, metadata.Preservation{RequestID: other,
			Targets:    []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(121)}},
			Categories: []string{metadata.ConnectionLog}, From: now.AddDate(0, 0, -200), To: now, ExpiresAt: now.AddDate(0, 0, 1)}); err != nil {
			t.Fatal(err)
		}
		if err := s.EndHolds(ctx, d.DB, other, metadata.HoldExpired); err != nil {
			t.Fatal(err)
		}
		// Envelopes for two orders on the same account.
		for _, req := range []string{prospective, otherOrder} {
			if _, err := s.StartCollection(ctx, d.DB, req, []request.Target{{Type: request.TargetPhone, Value: demo.PhoneOf(123)}},
				now.AddDate(0, 0, -3), now.AddDate(0, 0, 30)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			env := metadata.EnvelopeRecord{AccountID: b, At: now.Add(-time.Duration(i) * 7 * time.Hour), Sender: demo.PhoneOf(123),
				Recipient: demo.PhoneOf(500 + i), Type: metadata.EnvelopeMessage, SizeBytes: int64(900 + i)}
			if err := s.RecordEnvelope(ctx, d.DB, env); err != nil {
				t.Fatal(err)
			}
		}
		recent := func(days int) (time.Time, time.Time) { return now.AddDate(0, 0, -days), now.Add(time.Hour) }
		from60, to60 := recent(60)
		for _, tc := range []struct {
			desc string
			sc   metadata.Scope
		}{
			{"two accounts, last 60 days", metadata.Scope{RequestID: prospective, AccountIDs: []string{b, a}, From: from60, To: to60}},
			{"one account, a week in the middle", metadata.Scope{RequestID: prospective, AccountIDs: []string{c},
				From: now.AddDate(0, 0, -40), To: now.AddDate(0, 0, -33)}},
			{"window past retention", metadata.Scope{RequestID: prospective, AccountIDs: []string{a, b, c},
				From: now.AddDate(0, 0, -210), To: now.AddDate(0, 0, -100)}},
			{"past retention, held for this request", metadata.Scope{RequestID: prospective, AccountIDs: []string{a, b},
				From: now.AddDate(0, 0, -210), To: to60, HoldRequests: []string{preserved}}},
			{"past retention, expired hold of another request", metadata.Scope{RequestID: otherOrder, AccountIDs: []string{a},
				From: now.AddDate(0, 0, -210), To: to60, HoldRequests: []string{other}}},
			{"an unknown account", metadata.Scope{RequestID: prospective, AccountIDs: []string{"00000000-0000-4000-8000-000000000000"},
				From: from60, To: to60}},
			{"every account", metadata.Scope{RequestID: prospective, AccountIDs: []string{
				demo.AccountIDOf(demo.PhoneOf(120)), a, demo.AccountIDOf(demo.PhoneOf(122)), b,
				demo.AccountIDOf(demo.PhoneOf(124)), c}, From: now.AddDate(0, 0, -365)}},
		} {
			if tc.sc.To.IsZero() {
				tc.sc.To = to60
			}
			for _, cat := range metadata.Categories {
				t.Run(tc.desc+"/"+cat, func(t *testing.T) {
					tc.sc.Categories = []string{cat}
					got, want := stream(t, s, d, tc.sc, cat), truth(t, d, tc.sc, cat)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("extraction differs from ground truth (-want +got):\n%s", diff)
					}
				})
			}
		}
		// The scopes above are not vacuous.
		sc := metadata.Scope{RequestID: prospective, AccountIDs: []string{b}, From: now.AddDate(0, 0, -210), To: to60, HoldRequests: []string{preserved}}
		if n := len(stream(t, s, d, sc, metadata.ConnectionLog)); n <= len(truth(t, d, metadata.Scope{AccountIDs: []string{b}, From: sc.From, To: sc.To}, metadata.ConnectionLog)) {
			t.Errorf("the hold added no rows past retention (%d)", n)
		}
		if n := len(stream(t, s, d, metadata.Scope{RequestID: prospective, AccountIDs: []string{b}, From: from60, To: to60}, metadata.Envelope)); n != 10 {
			t.Errorf("envelopes for the collecting request: %d, want 10", n)
		}
	})
}

// TestStreamReleasesOnlyTheApprovedFields: an EU order made solely to
// identify the user releases the connection log's time, IP address and
// source port and nothing else (Regulation (EU) 2023/1543, Art. 3(10)), in
// JSON and CSV alike, on both databases (PostgreSQL's fast path
// included); a category the limit does not name keeps every field.
func TestStreamReleasesOnlyTheApprovedFields(t *testing.T) {
	bothDatabases(t, func(t *testing.T, d *db.DB) {
		s := newStore(d)
		seed(t, d, 120, 2, 20, 4)
		a := demo.AccountIDOf(demo.PhoneOf(121))
		limit := map[string][]string{metadata.ConnectionLog: {"port", "time", "ip"}} // any order: the category's order is kept
		sc := metadata.Scope{AccountIDs: []string{a}, From: now.AddDate(0, 0, -10), To: now, Fields: limit}
		all := metadata.Scope{AccountIDs: []string{a}, From: sc.From, To: sc.To}
		fields, err := sc.Released(metadata.ConnectionLog)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range fields {
			names = append(names, f.Name)
		}
		if got, want := names, []string{"time", "ip", "port"}; !slices.Equal(got, want) {
			t.Errorf("released fields %v, want %v", got, want)
		}
		got, want := stream(t, s, d, sc, metadata.ConnectionLog), truth(t, d, all, metadata.ConnectionLog)
		if len(want) == 0 {
			t.Fatal("no connection events in the window: the test proves nothing")
		}
		for _, r := range want {
			delete(r, "account_id")
			delete(r, "event")
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("limited connection log differs (-want +got):\n%s", diff)
		}
		if got := stream(t, s, d, sc, metadata.Subscriber); len(got) != 1 || len(got[0]) != len(metadata.Fields(metadata.Subscriber)) {
			t.Errorf("subscriber under a connection-log limit: %v", got)
		}
	})
}

// TestStreamRefusesBadScopes: an unknown category, content, a time-bound
// category without a window, and a field limit that cannot be honoured
// exactly (a field the category lacks, or none).
func TestStreamRefusesBadScopes(t *testing.T) {
	d := dbtest.Open(t)
	s := newStore(d)
	for _, tc := range []struct {
		desc string
		cat  string
		sc   metadata.Scope
	}{
		{"content", "content", metadata.Scope{From: now.AddDate(0, 0, -1), To: now}},
		{"unknown", "messages", metadata.Scope{From: now.AddDate(0, 0, -1), To: now}},
		{"no window", metadata.ConnectionLog, metadata.Scope{}},
		{"reversed window", metadata.Device, metadata.Scope{From: now, To: now.AddDate(0, 0, -1)}},
		{"a field the category lacks", metadata.ConnectionLog, metadata.Scope{From: now.AddDate(0, 0, -1), To: now,
			Fields: map[string][]string{metadata.ConnectionLog: {"time", "message_body"}}}},
		{"no field at all", metadata.ConnectionLog, metadata.Scope{From: now.AddDate(0, 0, -1), To: now,
			Fields: map[string][]string{metadata.ConnectionLog: {}}}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if _, err := s.Stream(context.Background(), d.DB, tc.sc, tc.cat, now, func(*metadata.Record) error { return nil }); err == nil {
				t.Error("Stream accepted it")
			}
		})
	}
}

// TestStreamMemoryIsFlat streams one account's connection log and samples
// the heap: it must not grow with the number of records.
func TestStreamMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 300k rows")
	}
	d := dbtest.Open(t)
	s := newStore(d)
	seed(t, d, 123, 1, 89, 3400) // ~300k events
	sc := metadata.Scope{AccountIDs: []string{demo.AccountIDOf(demo.PhoneOf(123))}, From: now.AddDate(0, 0, -89), To: now}
	// A first run warms the driver and the database's caches.
	if _, err := s.Stream(context.Background(), d.DB, sc, metadata.ConnectionLog, now, func(*metadata.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var base, m runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	i := 0
	n, err := s.Stream(context.Background(), d.DB, sc, metadata.ConnectionLog, now, func(r *metadata.Record) error {
		if i++; i%20000 == 0 {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 250000 {
		t.Fatalf("streamed only %d records", n)
	}
	if grew := int64(peak) - int64(base.HeapInuse); grew > 16<<20 {
		t.Errorf("the heap grew by %d MiB while streaming %d records", grew>>20, n)
	}
}
