package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// appendPastLeaves writes leaves dated in 2026-H1 into the running
// portal's log, as its workflow would have months ago.
func appendPastLeaves(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	date, _ := day.Parse("2026-03-02")
	recs := []translog.Record{
		{Event: translog.EventReceived, Country: "US", AgencyKind: "police", Process: "us.subpoena", RequestType: translog.TypeLegalProcess, Accounts: 2},
		{Event: translog.EventDecided, Country: "US", AgencyKind: "police", Process: "us.subpoena", RequestType: translog.TypeLegalProcess, Outcome: translog.RejectedBecause("overbroad")},
		{Event: translog.EventDisclosed, Country: "US", AgencyKind: "police", Process: "us.subpoena", RequestType: translog.TypeLegalProcess, Accounts: 1},
		{Event: translog.EventNoticeSent, Country: "US", AgencyKind: "police", Process: "us.subpoena", RequestType: translog.TypeLegalProcess, Accounts: 1},
	}
	err := d.Transaction(func(tx *gorm.DB) error {
		for i := range 30 {
			r := recs[i%len(recs)]
			r.Date = date.AddDays(i)
			if _, err := translog.Append(ctx, tx, translog.Leaf{RequestID: fmt.Sprintf("past-%d", i), Reference: fmt.Sprintf("WD-2026-9%05d", i), Record: r}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReportPublishAndVerify(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "wd.db")
	if dbtestPostgres() {
		dsn = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+dsn)
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	appendPastLeaves(t, d)
	_, vkey := httpGet(t, base+"/api/v1/log/key")
	vkey = strings.TrimSpace(vkey)

	// An agency system may not publish; an administrator can, from the page.
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	if code := riverside.call(http.MethodPost, "/api/v1/transparency/reports", map[string]string{"period": "2026-H1"}, nil); code != http.StatusForbidden {
		t.Errorf("an agency publishes: %d, want 403", code)
	}
	admin := newBrowser(t, base)
	admin.login("admin@provider.example")
	_, page := admin.get("/transparency")
	resp, page := admin.postForm("/provider/transparency/publish", url.Values{"csrf_token": {admin.csrf(page)}, "period": {"2026-H1"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Published 2026-H1 version 1") {
		t.Fatalf("publish from the page: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"<svg", "Requests by country", "Outcomes by legal process", "Across periods", "report verify --period 2026-H1",
		"What we are barred from reporting", "overbroad"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	if regexp.MustCompile(`\sstyle=`).MatchString(page) {
		t.Error("the report page has an inline style, which the CSP refuses")
	}
	// The refusal is an error on the form (its summary links the reason),
	// never the success banner.
	resp, page = admin.postForm("/provider/transparency/publish", url.Values{"csrf_token": {admin.csrf(page)}, "period": {"2026-H1"}})
	if resp.StatusCode < 400 || !strings.Contains(page, `<a href="#f-reason">Say why this version corrects the published one.</a>`) ||
		strings.Contains(page, "notification-banner") {
		t.Errorf("a second publication without a reason was not refused in the error summary: %d\n%s", resp.StatusCode, page)
	}

	// The public API, JSON and CSV.
	code, body := httpGet(t, base+"/api/v1/transparency/reports")
	if code != http.StatusOK || !strings.Contains(body, `"period":"2026-H1"`) {
		t.Errorf("GET reports: %d %s", code, body)
	}
	code, body = httpGet(t, base+"/api/v1/transparency/reports/2026-H1?format=csv")
	if code != http.StatusOK || !strings.HasPrefix(body, "period,version,section,") || !strings.Contains(body, "2026-H1,1,totals,") {
		t.Errorf("GET report CSV: %d %s", code, body)
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/api/v1/transparency/reports/2025-H1", http.StatusNotFound},
		{"/api/v1/transparency/reports/2026-H1?version=9", http.StatusNotFound},
		{"/api/v1/transparency/reports/last-year", http.StatusUnprocessableEntity},
		{"/api/v1/transparency/reports/2026-H1?format=xml", http.StatusUnprocessableEntity},
		{"/api/v1/transparency/reports?format=pdf", http.StatusUnprocessableEntity},
	} {
		if code, body := httpGet(t, base+tc.path); code != tc.want || !strings.Contains(body, `"status":`) {
			t.Errorf("GET %s: %d %s, want %d and a problem", tc.path, code, body, tc.want)
		}
	}

	verify := func() (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"report", "verify", "--period", "2026-H1", "--from", base, "--key", vkey},
			func(string) string { return "" }, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	code, out := verify()
	if code != 0 || !strings.Contains(out, "OK: signature and tree verified") {
		t.Fatalf("report verify of an honest report: exit %d\n%s", code, out)
	}

	// A correction: a new version with its reason (characters JSON
	// escapes included), and both versions verify.
	_, page = admin.get("/transparency")
	resp, page = admin.postForm("/provider/transparency/publish", url.Values{"csrf_token": {admin.csrf(page)}, "period": {"2026-H1"},
		"reason": {`Leaves of "March" <recounted> & café`}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Published 2026-H1 version 2") {
		t.Fatalf("publish a correction: %d\n%s", resp.StatusCode, page)
	}
	for _, version := range []string{"1", "2"} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"report", "verify", "--period", "2026-H1", "--version", version, "--from", base, "--key", vkey},
			func(string) string { return "" }, &out, &errOut)
		if code != 0 || !strings.Contains(out.String(), "version "+version) {
			t.Errorf("report verify --version %s: exit %d\n%s%s", version, code, out.String(), errOut.String())
		}
	}

	// Someone with database access changes a published number.
	var stored string
	if err := d.Raw("SELECT body FROM transparency_reports WHERE period = '2026-H1' AND version = 2").Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"totals":\{"requests_received":(\d+),`).FindStringSubmatch(stored)
	if m == nil {
		t.Fatalf("no totals in %s", stored)
	}
	n, _ := strconv.Atoi(m[1])
	tampered := strings.Replace(stored, m[0], fmt.Sprintf(`"totals":{"requests_received":%d,`, n+7), 1)
	drop := "DROP TRIGGER transparency_reports_no_update"
	if d.Dialect == db.Postgres {
		drop += " ON transparency_reports"
	}
	if err := d.Exec(drop).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec("UPDATE transparency_reports SET body = ? WHERE period = '2026-H1' AND version = 2", tampered).Error; err != nil {
		t.Fatal(err)
	}
	code, out = verify()
	if code == 0 || !strings.Contains(out, "MISMATCH: totals requests_received") || !strings.Contains(out, "changed after it was signed") {
		t.Errorf("report verify of a tampered report: exit %d\n%s", code, out)
	}
}

// TestReportVerifiesNationalSecurityBands publishes a half-year whose
// national-security delay has passed: its national-security requests (kept
// privately, never leaves) enter the log as band leaves with the report,
// and report verify recounts the section from them over HTTP.
func TestReportVerifiesNationalSecurityBands(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "wd.db")
	if dbtestPostgres() {
		dsn = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+dsn)
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	date, _ := day.Parse("2025-10-01")
	err = d.Transaction(func(tx *gorm.DB) error {
		for i := range 6 {
			rec := translog.Record{Event: translog.EventReceived, Date: date.AddDays(i), Country: "US", AgencyKind: "federal",
				Process: "us.nsl", RequestType: translog.TypeLegalProcess, Accounts: 1, NDO: true}
			if _, err := translog.Append(ctx, tx, translog.Leaf{RequestID: fmt.Sprintf("nsl-%d", i), Reference: fmt.Sprintf("WD-2025-7%05d", i),
				NationalSecurity: true, Record: rec}); err != nil {
				return err
			}
			rec.Process, rec.AgencyKind, rec.NDO = "us.subpoena", "police", false
			if _, err := translog.Append(ctx, tx, translog.Leaf{RequestID: fmt.Sprintf("sub-%d", i), Reference: fmt.Sprintf("WD-2025-6%05d", i),
				Record: rec}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, vkey := httpGet(t, base+"/api/v1/log/key")
	admin := newBrowser(t, base)
	admin.login("admin@provider.example")
	_, page := admin.get("/transparency")
	resp, page := admin.postForm("/provider/transparency/publish", url.Values{"csrf_token": {admin.csrf(page)}, "period": {"2025-H2"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Published 2025-H2 version 1") || !strings.Contains(page, "us.nsl") {
		t.Fatalf("publish 2025-H2 from the page: %d\n%s", resp.StatusCode, page)
	}
	var leaves, bands int64
	if err := d.Raw("SELECT COUNT(*) FROM tlog_leaves WHERE request_id LIKE 'nsl-%'").Scan(&leaves).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Raw("SELECT COUNT(*) FROM tlog_leaves WHERE event = ?", translog.EventNationalSecurityBand).Scan(&bands).Error; err != nil {
		t.Fatal(err)
	}
	if leaves != 0 || bands != 12 {
		t.Errorf("%d leaves of national security letters (want none), %d band leaves (want 12: one row's numbers)", leaves, bands)
	}
	if _, logPage := httpGet(t, base+"/log"); !strings.Contains(logPage, "<td>national_security_band</td>") || !strings.Contains(logPage, "band from 0") {
		t.Errorf("the /log page does not show the band entries as bands:\n%s", logPage)
	}
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"report", "verify", "--period", "2025-H2", "--from", base, "--key", strings.TrimSpace(vkey)},
		func(string) string { return "" }, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "OK: signature and tree verified") || !strings.Contains(out.String(), "national-security section: 1 rows in bands of 250") {
		t.Errorf("report verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// TestReportCountsEqualPrivateSQL files a history of past requests through
// the portal's own services (seed --history), then checks the numbers
// counted from the public log against the private tables they came from,
// counted with SQL: requests submitted, rejected, withdrawn and disclosed,
// per country and period.
func TestReportCountsEqualPrivateSQL(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	if dbtestPostgres() {
		env["WARRANTDESK_DATABASE_URL"] = dbtest.PostgresURL(t)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"seed", "--data-dir", dir, "--history", "60", "--seed", "11", "--log-level", "error"},
		func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
		t.Fatalf("seed --history: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	dsn := env["WARRANTDESK_DATABASE_URL"]
	if dsn == "" {
		dsn = filepath.Join(dir, "warrantdesk.db")
	}
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	var size int64
	if err := d.Raw("SELECT size FROM tlog_head WHERE id = 1").Scan(&size).Error; err != nil {
		t.Fatal(err)
	}

	// The private truth: when each request was submitted, and when it
	// entered each final state, with its agency's country. National-security
	// requests have no leaves (they are counted only in bands), so they are
	// not part of it.
	type event struct {
		Country string
		What    string
		At      time.Time
	}
	var evs []event
	if err := d.Raw(`SELECT a.country AS country, 'requests_received' AS what, r.submitted_at AS at
		FROM requests r JOIN agencies a ON a.id = r.agency_id WHERE r.submitted_at IS NOT NULL AND NOT r.national_security
		UNION ALL
		SELECT a.country, CASE h.to_status WHEN 'rejected' THEN 'rejected' WHEN 'withdrawn' THEN 'withdrawn' ELSE 'disclosed' END, h.at
		FROM request_history h JOIN requests r ON r.id = h.request_id JOIN agencies a ON a.id = r.agency_id
		WHERE h.to_status IN ('rejected', 'withdrawn', 'disclosed') AND h.from_status <> h.to_status AND NOT r.national_security`).Scan(&evs).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]int{} // "2026-H1 US rejected"
	periods := map[string]bool{}
	for _, e := range evs {
		p := transparency.PeriodOf(day.Of(e.At), 6).Name
		periods[p] = true
		want[p+" "+e.Country+" "+e.What]++
	}
	if len(periods) < 2 {
		t.Fatalf("the history spans %d periods; want several", len(periods))
	}
	checked := 0
	for p := range periods {
		period, _ := transparency.ParsePeriod(p)
		c, err := transparency.CountLog(ctx, d.DB, period, size, nil)
		if err != nil {
			t.Fatal(err)
		}
		// No threshold and no bands: every number exact.
		rep := c.Report(transparency.Rules{PeriodMonths: 6}, transparency.Meta{})
		got := map[string]int{}
		for _, row := range rep.Rows {
			got[p+" "+row.Country+" requests_received"] += row.RequestsReceived.N
			got[p+" "+row.Country+" rejected"] += row.Rejected.N
			got[p+" "+row.Country+" withdrawn"] += row.Withdrawn.N
			got[p+" "+row.Country+" disclosed"] += row.RequestsWithData.N + row.NoDataFound.N
		}
		for k, w := range want {
			if strings.HasPrefix(k, p+" ") {
				checked++
				if got[k] != w {
					t.Errorf("%s: counted from the log %d, SQL over the requests %d", k, got[k], w)
				}
			}
		}
		for k, g := range got {
			if g != 0 && want[k] == 0 {
				t.Errorf("%s: counted from the log %d, SQL over the requests 0", k, g)
			}
		}
	}
	t.Logf("%d counts over %d periods agree", checked, len(periods))
}

// BenchmarkReportVerifyHTTP times the whole `warrantdesk report verify
// --from` against a running portal on PostgreSQL whose log holds
// WARRANTDESK_BENCH_LOG_LEAVES leaves (1,000,000 by default), bulk-loaded
// with COPY: every page of leaves fetched over HTTP, the recount, and
// beside it sha256sum of the leaves' bytes, and the download alone (every
// page of GET /api/v1/log/leaves, read and dropped).
func BenchmarkReportVerifyHTTP(b *testing.B) {
	if !dbtestPostgres() {
		b.Skip("needs PostgreSQL (WARRANTDESK_TEST_DATABASE=postgres)")
	}
	n := 1_000_000
	if v := os.Getenv("WARRANTDESK_BENCH_LOG_LEAVES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	dsn := dbtest.PostgresURL(b)
	skey, vkey, err := translog.GenerateKey("bench.warrantdesk.example/log")
	if err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"WARRANTDESK_DATABASE_URL": dsn, "WARRANTDESK_LOG_KEY": skey}
	base := MustRunMain(b, "WARRANTDESK_DATABASE_URL="+dsn, "WARRANTDESK_LOG_KEY="+skey, "WARRANTDESK_DEMO_HISTORY=0", "WARRANTDESK_RATE_LIMIT=0")
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()

	// Leaves and the tree's stored hashes, as Append would have written them.
	start := time.Now()
	first, _ := day.Parse("2026-01-01")
	kinds := []translog.Record{
		{Event: translog.EventReceived, Country: "US", AgencyKind: "police", Process: "us.subpoena", RequestType: translog.TypeLegalProcess, Accounts: 2},
		{Event: translog.EventDecided, Country: "GB", AgencyKind: "police", Process: "uk.opo", RequestType: translog.TypeLegalProcess, Outcome: translog.RejectedBecause("overbroad")},
		{Event: translog.EventDisclosed, Country: "DE", AgencyKind: "federal", Process: "eu.epoc", RequestType: translog.TypeLegalProcess, Accounts: 1, NDO: true},
		{Event: translog.EventReceived, Country: "US", AgencyKind: "police", Process: "us.emergency", RequestType: translog.TypeEmergency, Accounts: 1},
	}
	leaves := make([][]byte, n)
	var hashes []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	sum := sha256.New()
	for i := range n {
		r := kinds[i%len(kinds)]
		r.Version, r.Date, r.Categories = translog.FormatVersion, first.AddDays(i%360), []string{"subscriber"}
		r.Commitment = translog.Commit([]byte(strconv.Itoa(i)), "WD-2026-000001")
		leaf, err := r.Encode()
		if err != nil {
			b.Fatal(err)
		}
		leaves[i] = leaf
		sum.Write(leaf)
		hs, err := tlog.StoredHashes(int64(i), leaf, reader)
		if err != nil {
			b.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	file := filepath.Join(b.TempDir(), "leaves")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, l := range leaves {
		w.Write(l)
	}
	w.Flush()
	f.Close()
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		if _, err := c.CopyFrom(ctx, pgx.Identifier{"tlog_leaves"}, []string{"idx", "request_id", "event", "salt", "leaf", "created_at"},
			pgx.CopyFromSlice(n, func(i int) ([]any, error) { return []any{int64(i), "bench", "bench", "00", leaves[i], now}, nil })); err != nil {
			return err
		}
		_, err := c.CopyFrom(ctx, pgx.Identifier{"tlog_hashes"}, []string{"id", "hash"},
			pgx.CopyFromSlice(len(hashes), func(i int) ([]any, error) { return []any{int64(i), hashes[i][:]}, nil }))
		return err
	})
	conn.Close()
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Exec("UPDATE tlog_head SET size = ? WHERE id = 1", n).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("setup: %d leaves and %d hashes made and copied in %s", n, len(hashes), time.Since(start).Round(time.Millisecond))
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"report", "publish", "--period", "2026-H1", "--log-level", "error"}, func(k string) string { return env[k] }, &out, &errOut); code != 0 {
		b.Fatalf("report publish: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	b.Log(strings.TrimSpace(out.String()))
	var verifyT, sumT, fetchT time.Duration
	verify := func() {
		out.Reset()
		errOut.Reset()
		code := run(ctx, []string{"report", "verify", "--period", "2026-H1", "--from", base, "--key", vkey}, func(string) string { return "" }, &out, &errOut)
		if code != 0 {
			b.Fatalf("report verify: exit %d\n%s%s", code, out.String(), errOut.String())
		}
	}
	// The first recount reads every complete page from the database and
	// fills the portal's page cache; the timed ones read the cache, as
	// every recount after the first does.
	t0 := time.Now()
	verify()
	cold := time.Since(t0)
	t0 = time.Now()
	if o, err := exec.Command("sha256sum", file).CombinedOutput(); err != nil {
		b.Fatalf("sha256sum: %v %s", err, o)
	}
	b.Logf("first recount (filling the page cache): %s; sha256sum %s", cold.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		verify()
		t1 := time.Now()
		if o, err := exec.Command("sha256sum", file).CombinedOutput(); err != nil {
			b.Fatalf("sha256sum: %v %s", err, o)
		}
		verifyT += t1.Sub(t0)
		sumT += time.Since(t1)
		// The download alone: every page of the bulk form, read and dropped.
		t2 := time.Now()
		for next := "0"; next != ""; {
			resp, err := http.Get(base + "/api/v1/log/leaves?start=" + next)
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("leaves from %s: %d %v", next, resp.StatusCode, err)
			}
			next = resp.Header.Get("Log-Next-Start")
		}
		fetchT += time.Since(t2)
	}
	b.ReportMetric(verifyT.Seconds()/float64(b.N), "verify-http-s")
	b.ReportMetric(sumT.Seconds()/float64(b.N), "sha256sum-s")
	b.ReportMetric(fetchT.Seconds()/float64(b.N), "download-s")
	b.ReportMetric(float64(verifyT)/float64(sumT), "ratio")
	b.ReportMetric(cold.Seconds(), "verify-first-s")
}
