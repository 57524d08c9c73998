package transparency_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in          string
		first, last string
		bad         bool
	}{
		{in: "2026-H1", first: "2026-01-01", last: "2026-06-30"},
		{in: "2026-H2", first: "2026-07-01", last: "2026-12-31"},
		{in: "2026-Q1", first: "2026-01-01", last: "2026-03-31"},
		{in: "2024-Q4", first: "2024-10-01", last: "2024-12-31"},
		{in: "2026", first: "2026-01-01", last: "2026-12-31"},
		{in: "2026-H3", bad: true},
		{in: "2026-Q5", bad: true},
		{in: "26-H1", bad: true},
		{in: "2026-h1", bad: true},
		{in: "", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := transparency.ParsePeriod(tc.in)
			if tc.bad {
				if errs.CodeOf(err) != errs.Invalid {
					t.Fatalf("ParsePeriod(%q) = %v, %v; want Invalid", tc.in, p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := p.First.String()+" "+p.Last.String(), tc.first+" "+tc.last; got != want {
				t.Errorf("ParsePeriod(%q) = %s, want %s", tc.in, got, want)
			}
			if got := transparency.PeriodOf(p.Last, p.Months()); got.Name != tc.in {
				t.Errorf("PeriodOf(%s, %d) = %s", p.Last, p.Months(), got.Name)
			}
		})
	}
}

// cellOf counts n received requests of one process and publishes them.
func cellOf(t *testing.T, rules transparency.Rules, process string, n int) transparency.Cell {
	t.Helper()
	p, _ := transparency.ParsePeriod("2026-H1")
	c := transparency.NewCounter(p)
	for range n {
		c.Add(translog.Record{Event: translog.EventReceived, Date: mustDay("2026-03-01"), Country: "GB", AgencyKind: "police",
			Process: process, RequestType: translog.TypeLegalProcess, Accounts: 1})
	}
	rep := c.Report(rules, transparency.Meta{PublishedAt: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)})
	for _, r := range append(rep.Rows, rep.NationalSecurity.Rows...) {
		if r.Process == process {
			return r
		}
	}
	return rep.Totals
}

func TestThresholdAndBands(t *testing.T) {
	rules := transparency.Rules{PeriodMonths: 6, Threshold: 5, BandWidth: 250, DelayDays: 180, NationalSecurity: []string{"uk.ipa"}}
	for _, tc := range []struct {
		desc    string
		process string
		n       int
		want    string
	}{
		{"zero is shown", "uk.opo", 0, "0"},
		{"one is protected", "uk.opo", 1, "fewer than 5"},
		{"k-1 is protected", "uk.opo", 4, "fewer than 5"},
		{"k is exact", "uk.opo", 5, "5"},
		{"above k is exact", "uk.opo", 6, "6"},
		{"band of one", "uk.ipa", 1, "0-249"},
		{"top of the first band", "uk.ipa", 249, "0-249"},
		{"bottom of the second band", "uk.ipa", 250, "250-499"},
		{"top of the second band", "uk.ipa", 499, "250-499"},
		{"third band", "uk.ipa", 500, "500-749"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			c := cellOf(t, rules, tc.process, tc.n)
			if got := c.RequestsReceived.String(); got != tc.want {
				t.Errorf("%d received under %s shows %q, want %q", tc.n, tc.process, got, tc.want)
			}
			if tc.n > 0 && !c.RequestsReceived.Exact() && c.PercentUnderNDO.Known {
				t.Errorf("a percentage of a protected count is published: %v", c.PercentUnderNDO)
			}
		})
	}
	t.Run("other band widths", func(t *testing.T) {
		for _, w := range []struct {
			width, n int
			want     string
		}{{500, 499, "0-499"}, {500, 500, "500-999"}, {1000, 999, "0-999"}, {1000, 1000, "1000-1999"}} {
			r := rules
			r.BandWidth = w.width
			if got := cellOf(t, r, "uk.ipa", w.n).RequestsReceived.String(); got != w.want {
				t.Errorf("width %d, %d: %q, want %q", w.width, w.n, got, w.want)
			}
		}
	})
	t.Run("no threshold", func(t *testing.T) {
		r := rules
		r.Threshold = 0
		if got := cellOf(t, r, "uk.opo", 1).RequestsReceived.String(); got != "1" {
			t.Errorf("threshold 0: %q, want 1", got)
		}
	})
}

func mustDay(s string) day.Date {
	d, err := day.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// A fixture is a database with a log holding a known dataset.
type fixture struct {
	db   *db.DB
	log  *translog.Log
	svc  *transparency.Service
	v    note.Verifier
	now  time.Time
	seed []translog.Record
}

// dataset is a period's worth of leaves, with a few outside 2026-H1 on
// both sides of its boundaries.
func dataset() []translog.Record {
	type ev struct {
		event, date, country, kind, process, typ, outcome string
		accounts                                          int
		ndo                                               bool
		n                                                 int
	}
	evs := []ev{
		{"received", "2025-12-31", "US", "police", "us.subpoena", "legal_process", "", 1, false, 3}, // before
		{"received", "2026-01-01", "US", "police", "us.subpoena", "legal_process", "", 2, true, 7},
		{"received", "2026-02-10", "US", "police", "us.warrant", "legal_process", "", 1, true, 6},
		{"received", "2026-03-05", "US", "police", "us.emergency", "emergency", "", 1, false, 5},
		{"received", "2026-03-06", "US", "police", "us.preservation", "preservation", "", 3, false, 5},
		{"received", "2026-04-01", "GB", "police", "uk.opo", "legal_process", "", 1, false, 2},
		{"received", "2026-04-02", "GB", "police", "uk.ipa", "legal_process", "", 1, true, 9},
		{"received", "2026-05-01", "DE", "police", "eu.epoc", "legal_process", "", 1, false, 5},
		{"decided", "2026-02-01", "US", "police", "us.subpoena", "legal_process", "approved", 2, true, 4},
		{"decided", "2026-02-02", "US", "police", "us.subpoena", "legal_process", "rejected.overbroad", 2, false, 2},
		{"decided", "2026-02-03", "US", "police", "us.subpoena", "legal_process", "rejected", 2, false, 1},
		{"decided", "2026-03-01", "US", "police", "us.warrant", "legal_process", "narrowed", 1, true, 5},
		{"decided", "2026-03-02", "US", "police", "us.warrant", "legal_process", "rejected.insufficient_process", 1, false, 1},
		{"disclosed", "2026-03-10", "US", "police", "us.subpoena", "legal_process", "", 2, true, 3},
		{"disclosed", "2026-03-11", "US", "police", "us.subpoena", "legal_process", "no_records", 2, false, 1},
		{"disclosed", "2026-03-12", "US", "police", "us.warrant", "legal_process", "", 1, true, 5},
		{"disclosed", "2026-03-13", "US", "police", "us.emergency", "emergency", "", 1, false, 4},
		{"follow_up_overdue", "2026-04-13", "US", "police", "us.emergency", "emergency", "", 1, false, 1},
		{"withdrawn", "2026-03-20", "US", "police", "us.subpoena", "legal_process", "", 1, false, 1},
		{"preserved", "2026-03-07", "US", "police", "us.preservation", "preservation", "", 3, false, 5},
		{"ndo_lifted", "2026-06-30", "US", "police", "us.subpoena", "legal_process", "", 2, true, 2},
		{"notice_sent", "2026-06-30", "US", "police", "us.subpoena", "legal_process", "", 1, false, 6},
		{"decided", "2026-05-01", "GB", "police", "uk.ipa", "legal_process", "approved", 1, true, 9},
		{"disclosed", "2026-05-02", "GB", "police", "uk.ipa", "legal_process", "", 1, true, 9},
		{"decided", "2026-05-03", "DE", "police", "eu.epoc", "legal_process", "rejected.wrong_jurisdiction", 1, false, 5},
		{"received", "2026-07-01", "US", "police", "us.subpoena", "legal_process", "", 1, false, 4}, // after
	}
	var out []translog.Record
	for _, e := range evs {
		for range e.n {
			out = append(out, translog.Record{Event: e.event, Date: mustDay(e.date), Country: e.country, AgencyKind: e.kind,
				Process: e.process, RequestType: e.typ, Outcome: e.outcome, Accounts: e.accounts, NDO: e.ndo, Categories: []string{"subscriber"}})
		}
	}
	return out
}

// nationalSecurityDataset is the national-security events of 2026-H1 (and
// one after it): national security letters and FISA orders, and UK
// authorisations whose stated purpose is national security.
func nationalSecurityDataset() []translog.Record {
	var out []translog.Record
	add := func(n int, event, date, country, process, outcome string, accounts int) {
		for range n {
			out = append(out, translog.Record{Event: event, Date: mustDay(date), Country: country, AgencyKind: "federal",
				Process: process, RequestType: translog.TypeLegalProcess, Outcome: outcome, Accounts: accounts, NDO: true,
				Categories: []string{"subscriber"}})
		}
	}
	add(3, "received", "2026-02-01", "US", "us.nsl", "", 1)
	add(2, "decided", "2026-02-10", "US", "us.nsl", "approved", 1)
	add(1, "decided", "2026-02-11", "US", "us.nsl", "rejected.overbroad", 1)
	add(2, "disclosed", "2026-02-20", "US", "us.nsl", "", 1)
	add(1, "received", "2026-03-01", "US", "us.fisa_br", "", 4)
	add(2, "received", "2026-04-01", "GB", "uk.ipa", "", 1)
	add(1, "received", "2026-07-02", "US", "us.nsl", "", 1) // after the period
	return out
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	skey, vkey, err := translog.GenerateKey("test.warrantdesk.example/log")
	if err != nil {
		t.Fatal(err)
	}
	lg, err := translog.New(d.DB, skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	pe, err := policy.Load(ctx, policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: d, log: lg, v: v, now: time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC), seed: dataset()}
	f.svc = &transparency.Service{DB: d.DB, Policy: pe, Log: lg, Now: func() time.Time { return f.now }}
	err = d.Transaction(func(tx *gorm.DB) error {
		for i, r := range f.seed {
			if _, err := translog.Append(ctx, tx, translog.Leaf{RequestID: fmt.Sprintf("r%d", i), Reference: fmt.Sprintf("WD-2026-%06d", i), Record: r}); err != nil {
				return err
			}
		}
		// National-security events: kept privately, never leaves.
		for i, r := range nationalSecurityDataset() {
			idx, err := translog.Append(ctx, tx, translog.Leaf{RequestID: fmt.Sprintf("ns%d", i), Reference: fmt.Sprintf("WD-2026-8%05d", i),
				NationalSecurity: true, Record: r})
			if err != nil {
				return err
			}
			if idx != translog.Withheld {
				return fmt.Errorf("a national-security leaf got index %d", idx)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var operator = transparency.Publisher{Operator: "test"}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

var rootRE = regexp.MustCompile(`"root_hash":"[^"]*"`)

func TestPublishGolden(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pub, err := f.svc.Publish(ctx, operator, "2026-H1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The seed's leaves, then one band leaf per published number of the
	// three national-security rows (each with one reason or none).
	if want := int64(len(f.seed) + 3*12 + 1); pub.Version != 1 || pub.TreeSize != want {
		t.Errorf("published v%d over %d leaves, want v1 over %d", pub.Version, pub.TreeSize, want)
	}
	rep, err := pub.Report()
	if err != nil {
		t.Fatal(err)
	}
	// The root hash depends on the random salts of the commitments.
	golden(t, "2026-H1.json", append(rootRE.ReplaceAll([]byte(pub.Body), []byte(`"root_hash":"…"`)), '\n'))
	golden(t, "2026-H1.csv", rep.CSV())
	if err := transparency.CheckSignature(f.v, rep, []byte(pub.Body), []byte(pub.Signature)); err != nil {
		t.Errorf("signature: %v", err)
	}
	var ev audit.Event
	if err := f.db.Where("action = ?", transparency.ActionPublish).Take(&ev).Error; err != nil {
		t.Errorf("no audit event for the publication: %v", err)
	} else if ev.ObjectID != pub.ID || !strings.Contains(ev.Details, `"2026-H1"`) {
		t.Errorf("audit event %+v does not name the report", ev)
	}
}

// TestCountsEqualSQL counts the same leaves with SQL alone.
func TestCountsEqualSQL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, _ := transparency.ParsePeriod("2026-H1")
	n, err := f.log.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := transparency.CountLog(ctx, f.db.DB, p, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := c.Report(transparency.Rules{PeriodMonths: 6, NationalSecurity: []string{"uk.ipa"}}, transparency.Meta{})
	field := func(name string) string {
		if f.db.Dialect == db.Postgres {
			return "(convert_from(leaf, 'UTF8')::jsonb ->> '" + name + "')"
		}
		return "json_extract(CAST(leaf AS TEXT), '$." + name + "')"
	}
	type row struct {
		Country, Event, Outcome string
		N, Accounts             int
	}
	var rows []row
	q := "SELECT " + field("country") + " AS country, " + field("event") + " AS event, " + field("outcome") + " AS outcome, " +
		"COUNT(*) AS n, SUM(CAST(" + field("accounts") + " AS INTEGER)) AS accounts FROM tlog_leaves " +
		"WHERE " + field("date") + " BETWEEN '2026-01-01' AND '2026-06-30' AND " + field("request_type") + " <> 'preservation' " +
		"AND " + field("process") + " <> 'uk.ipa' GROUP BY 1, 2, 3"
	if err := f.db.Raw(q).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range rows {
		switch {
		case r.Event == "received":
			want[r.Country+" requests_received"] += r.N
			want[r.Country+" accounts_specified"] += r.Accounts
		case r.Event == "disclosed" && r.Outcome == "no_records":
			want[r.Country+" no_data_found"] += r.N
		case r.Event == "disclosed":
			want[r.Country+" requests_with_data"] += r.N
		case r.Event == "decided" && strings.HasPrefix(r.Outcome, "rejected"):
			want[r.Country+" rejected"] += r.N
		case r.Event == "decided" && r.Outcome == "narrowed":
			want[r.Country+" narrowed"] += r.N
		case r.Event == "withdrawn":
			want[r.Country+" withdrawn"] += r.N
		case r.Event == "notice_sent":
			want[r.Country+" user_notices_sent"] += r.Accounts
		case r.Event == "ndo_lifted":
			want[r.Country+" nondisclosure_orders_lifted"] += r.N
		case r.Event == "follow_up_overdue":
			want[r.Country+" emergency_follow_up_overdue"] += r.N
		}
	}
	got := rep.Numbers()
	if len(want) == 0 {
		t.Fatal("the SQL count found nothing")
	}
	for k, w := range want {
		country, metric, _ := strings.Cut(k, " ")
		if g := got["country "+country+" "+metric]; g != fmt.Sprint(w) {
			t.Errorf("%s %s: report %q, SQL %d", country, metric, g, w)
		}
	}
}

// dbSource serves the fixture's log and reports as the public API would,
// optionally dropping one leaf.
type dbSource struct {
	f    *fixture
	drop int64 // -1: none
	body []byte
	sig  []byte
}

func (s *dbSource) Report(ctx context.Context, period string, version int) ([]byte, []byte, error) {
	if s.body != nil {
		return s.body, s.sig, nil
	}
	p, err := s.f.svc.Find(ctx, period, version)
	if err != nil {
		return nil, nil, err
	}
	return []byte(p.Body), []byte(p.Signature), nil
}

func (s *dbSource) Checkpoint(ctx context.Context) ([]byte, error) {
	cp, err := s.f.log.Latest(ctx)
	return cp.Note, err
}

func (s *dbSource) Consistency(ctx context.Context, o, n int64) (tlog.TreeProof, error) {
	return s.f.log.ConsistencyProof(ctx, o, n)
}

func (s *dbSource) Entries(ctx context.Context, start int64) ([]transparency.IndexedLeaf, error) {
	es, err := s.f.log.Entries(ctx, start, 7) // small pages, to cross page boundaries
	if err != nil {
		return nil, err
	}
	var out []transparency.IndexedLeaf
	for _, e := range es {
		if e.Index != s.drop {
			out = append(out, transparency.IndexedLeaf{Index: e.Index, Leaf: e.Leaf})
		}
	}
	return out, nil
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pub, err := f.svc.Publish(ctx, operator, "2026-H1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// More leaves after publication: the recount must still use the
	// report's checkpoint, proven consistent with the newer one.
	err = f.db.Transaction(func(tx *gorm.DB) error {
		_, err := translog.Append(ctx, tx, translog.Leaf{RequestID: "late", Reference: "WD-2026-999999", Record: f.seed[1]})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	body := []byte(pub.Body)
	rep, _ := pub.Report()
	skey, _, _ := translog.GenerateKey("other.example/log")
	otherSigner, _ := note.NewSigner(skey)

	// A dishonest provider signs a number that the log does not support.
	lie := rep
	lie.Totals.RequestsReceived = transparency.Count{N: rep.Totals.RequestsReceived.N - 1}
	lieBody, _ := lie.JSON()
	lieSig, _ := transparency.Sign(f.log.Signer(), lie, lieBody)
	// Someone edits the stored report after it was signed.
	edited := bytes.Replace(body, []byte(fmt.Sprintf(`"totals":{"requests_received":%d,`, rep.Totals.RequestsReceived.N)),
		[]byte(fmt.Sprintf(`"totals":{"requests_received":%d,`, rep.Totals.RequestsReceived.N+10)), 1)
	if bytes.Equal(edited, body) {
		t.Fatal("the edit did not apply")
	}
	badSig, _ := transparency.Sign(otherSigner, rep, body)

	for _, tc := range []struct {
		desc           string
		src            *dbSource
		wantOK         bool
		wantProblem    string
		wantMismatches []string
	}{
		{desc: "honest", src: &dbSource{f: f, drop: -1}, wantOK: true},
		{desc: "tampered number, signed", src: &dbSource{f: f, drop: -1, body: lieBody, sig: lieSig},
			wantMismatches: []string{"totals requests_received"}},
		{desc: "tampered number after signing", src: &dbSource{f: f, drop: -1, body: edited, sig: []byte(pub.Signature)},
			wantProblem: "changed after it was signed", wantMismatches: []string{"totals requests_received"}},
		{desc: "signed with another key", src: &dbSource{f: f, drop: -1, body: body, sig: badSig},
			wantProblem: "does not verify"},
		{desc: "dropped leaf", src: &dbSource{f: f, drop: 12},
			wantProblem: "leaf 12 is missing", wantMismatches: []string{"totals requests_received"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			res, err := transparency.Verify(ctx, tc.src, f.v, "2026-H1", 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tc.wantOK {
				t.Fatalf("OK() = %v, want %v; problems %v, mismatches %v", res.OK(), tc.wantOK, res.Problems, res.Mismatches)
			}
			if tc.wantProblem != "" && !strings.Contains(strings.Join(res.Problems, "\n"), tc.wantProblem) {
				t.Errorf("problems %q do not say %q", res.Problems, tc.wantProblem)
			}
			for _, name := range tc.wantMismatches {
				found := false
				for _, m := range res.Mismatches {
					found = found || m.Name == name
				}
				if !found {
					t.Errorf("mismatches %v do not name %q", res.Mismatches, name)
				}
			}
			if tc.wantOK && res.Leaves != pub.TreeSize {
				t.Errorf("recounted %d leaves, want %d", res.Leaves, pub.TreeSize)
			}
		})
	}
}

func TestPublishRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := &identity.Principal{PersonID: "p-admin", Issuer: "https://idp.example", Subject: "admin", Provider: true,
		Roles: []identity.Role{"admin"}, Kind: identity.KindPerson, MFA: true, AuthTime: time.Now()}
	reviewer := &identity.Principal{PersonID: "p-rev", Issuer: "https://idp.example", Subject: "rev", Provider: true,
		Roles: []identity.Role{"reviewer"}}

	passwordOnly := *admin
	passwordOnly.MFA = false
	if _, err := f.svc.Publish(ctx, transparency.Publisher{Principal: &passwordOnly}, "2026-H1", "", nil); !errors.Is(err, policy.ErrStepUp) {
		t.Errorf("admin without a second factor publishes: %v, want the step-up refusal", err)
	}
	if _, err := f.svc.Publish(ctx, transparency.Publisher{Principal: reviewer}, "2026-H1", "", nil); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("reviewer publishes: %v, want Forbidden", err)
	}
	if _, err := f.svc.Publish(ctx, transparency.Publisher{Principal: admin}, "2027-H1", "", nil); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("a period not ended: %v, want Invalid", err)
	}
	if _, err := f.svc.Publish(ctx, transparency.Publisher{Principal: admin}, "2026-Q1", "", nil); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("a quarter under half-yearly rules: %v, want Invalid", err)
	}
	v1, err := f.svc.Publish(ctx, transparency.Publisher{Principal: admin}, "2026-H1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(ctx, transparency.Publisher{Principal: admin}, "2026-H1", "", nil); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("a second version without a reason: %v, want Invalid", err)
	}
	v2, err := f.svc.Publish(ctx, transparency.Publisher{Principal: admin}, "2026-H1", "Late leaves of June counted.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Reason == "" {
		t.Errorf("correction = v%d %q", v2.Version, v2.Reason)
	}
	list, err := f.svc.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %d, %v; want both versions", len(list), err)
	}
	if got, _ := f.svc.Find(ctx, "2026-H1", 1); got == nil || got.Body != v1.Body {
		t.Error("version 1 is no longer served as published")
	}
	if err := f.db.Exec("UPDATE transparency_reports SET body = '{}' WHERE id = ?", v1.ID).Error; err == nil {
		t.Error("a published report could be changed")
	}
	// National-security bands wait for the delay after the period.
	h2, err := f.svc.Publish(ctx, transparency.Publisher{Principal: admin}, "2026-H2", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := h2.Report()
	if rep.NationalSecurity.Status != transparency.NSDelayed || rep.NationalSecurity.AvailableFrom.String() != "2027-06-30" {
		t.Errorf("2026-H2 national security = %s from %s, want delayed until 2027-06-30", rep.NationalSecurity.Status, rep.NationalSecurity.AvailableFrom)
	}
}
