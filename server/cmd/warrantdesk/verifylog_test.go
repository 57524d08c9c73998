package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := specClient(t).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitCheckpoint waits up to five seconds for the signer to publish a
// checkpoint of at least size leaves.
func waitCheckpoint(t *testing.T, base, vkey string, size int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := httpGet(t, base+"/api/v1/log/checkpoint")
		if code == http.StatusOK {
			cp, err := translog.OpenCheckpoint([]byte(body), strings.TrimSpace(vkey))
			if err != nil {
				t.Fatalf("checkpoint: %v\n%s", err, body)
			}
			if cp.Size >= size {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of %d leaves after 5s: %d %s", size, code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fileRequest creates, documents and submits a request as riverside's
// system and returns it.
func fileRequest(t testing.TB, riverside *apiClient) apiReq {
	t.Helper()
	var r apiReq
	fileInto(t, riverside, subpoena, &r)
	return r
}

// TestTransparencyLog files a request and checks what the public, the
// agency and the auditor each get from the log and the audit trail.
func TestTransparencyLog(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")

	code, vkey := httpGet(t, base+"/api/v1/log/key")
	vkey = strings.TrimSpace(vkey)
	if code != http.StatusOK || !strings.HasPrefix(vkey, demoLogOrigin+"+") {
		t.Fatalf("log key: %d %q", code, vkey)
	}
	r := fileRequest(t, riverside)

	t.Run("CheckpointCoversTheLeafWithinSeconds", func(t *testing.T) {
		waitCheckpoint(t, base, vkey, 1)
	})

	t.Run("AgencyVerifiesItsReceiptWithOnlyThePublicKey", func(t *testing.T) {
		var rc translog.Receipt
		if got := riverside.call(http.MethodGet, "/api/v1/requests/"+r.ID+"/receipt", nil, &rc); got != http.StatusOK {
			t.Fatalf("receipt: %d", got)
		}
		rec, cp, err := translog.VerifyReceipt(vkey, rc, r.Reference)
		if err != nil {
			t.Fatalf("VerifyReceipt: %v", err)
		}
		if rec.Event != translog.EventReceived || rec.Country != "US" || rec.Process != "us.subpoena" || rec.Accounts != 1 || !rec.NDO ||
			strings.Join(rec.Categories, ",") != "connection_log,content,subscriber" || cp.Size <= rc.Index {
			t.Errorf("receipt record %+v in tree %d", rec, cp.Size)
		}
	})

	t.Run("OtherAgencyGets404LikeMissing", func(t *testing.T) {
		var theirs, none apiProblem
		gotTheirs := northshire.call(http.MethodGet, "/api/v1/requests/"+r.ID+"/receipt", nil, &theirs)
		gotNone := northshire.call(http.MethodGet, "/api/v1/requests/01900000-0000-7000-8000-000000000000/receipt", nil, &none)
		if gotTheirs != http.StatusNotFound || gotNone != http.StatusNotFound || theirs.Detail != none.Detail {
			t.Errorf("other agency's receipt %d %q, missing %d %q; want identical 404s", gotTheirs, theirs.Detail, gotNone, none.Detail)
		}
		if code, _ := httpGet(t, base+"/api/v1/requests/"+r.ID+"/receipt"); code != http.StatusUnauthorized {
			t.Errorf("anonymous receipt: %d, want 401", code)
		}
	})

	t.Run("PublicEntriesAndProofs", func(t *testing.T) {
		code, body := httpGet(t, base+"/api/v1/log/entries?start=0&limit=10")
		var page struct {
			Entries []struct {
				Index  int64           `json:"index"`
				Leaf   []byte          `json:"leaf"`
				Record json.RawMessage `json:"record"`
			} `json:"entries"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || len(page.Entries) != 1 {
			t.Fatalf("entries: %d %s", code, body)
		}
		for _, secret := range []string{r.ID, r.Reference, "+15550100123", "CR-2026-01234", "robbery"} {
			if strings.Contains(body, secret) {
				t.Errorf("the public entries reveal %q: %s", secret, body)
			}
		}
		_, note := httpGet(t, base+"/api/v1/log/checkpoint")
		cp, err := translog.OpenCheckpoint([]byte(note), vkey)
		if err != nil {
			t.Fatal(err)
		}
		code, body = httpGet(t, base+"/api/v1/log/proof/inclusion?index=0")
		var proof struct {
			Size  int64    `json:"size"`
			Proof [][]byte `json:"proof"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &proof) != nil || proof.Size != cp.Size {
			t.Fatalf("inclusion proof: %d %s", code, body)
		}
		rc := translog.Receipt{Index: 0, Leaf: page.Entries[0].Leaf, Checkpoint: note, Proof: proof.Proof}
		if _, _, err := translog.VerifyReceipt(vkey, rc, ""); err != nil {
			t.Errorf("public inclusion proof: %v", err)
		}
		if code, _ := httpGet(t, base+"/api/v1/log/proof/inclusion?index=5"); code != http.StatusUnprocessableEntity {
			t.Errorf("proof for a leaf beyond the tree: %d, want 422", code)
		}
		if code, _ := httpGet(t, base+"/api/v1/log/proof/consistency?old=1&new=1"); code != http.StatusOK {
			t.Errorf("consistency proof 1→1: %d, want 200", code)
		}
		if code, page := httpGet(t, base+"/log"); code != http.StatusOK || !strings.Contains(page, "wd-logcheck") || !strings.Contains(page, "us.subpoena") {
			t.Errorf("/log page: %d", code)
		}
	})

	t.Run("AuditorReadsTheTrail", func(t *testing.T) {
		auditor := newBrowser(t, base)
		auditor.login("auditor@provider.example")
		resp, body := auditor.get("/api/v1/audit?request=" + r.ID + "&limit=50")
		var page struct {
			Items []struct {
				Seq    int64  `json:"seq"`
				Action string `json:"action"`
				Hash   string `json:"hash"`
			} `json:"items"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("audit API: %d %s", resp.StatusCode, body)
		}
		actions := map[string]bool{}
		for _, it := range page.Items {
			actions[it.Action] = true
		}
		for _, want := range []string{"request.create", "request.document.upload", "request.submit", "request.receipt"} {
			if !actions[want] {
				t.Errorf("the trail of %s lacks %s: %v", r.Reference, want, actions)
			}
		}
		if resp, page := auditor.get("/provider/audit?action=request.submit"); resp.StatusCode != http.StatusOK || !strings.Contains(page, r.ID) {
			t.Errorf("audit page: %d", resp.StatusCode)
		}
		if resp, page := auditor.get("/provider/audit?from=yesterday"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "f-from-error") {
			t.Errorf("audit page with a bad date: %d", resp.StatusCode)
		}

		reviewer := newBrowser(t, base)
		reviewer.login("reviewer@provider.example")
		if resp, _ := reviewer.get("/api/v1/audit"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("reviewer reading the audit trail: %d, want 403", resp.StatusCode)
		}
		if got := riverside.call(http.MethodGet, "/api/v1/audit", nil, nil); got != http.StatusForbidden {
			t.Errorf("agency reading the audit trail: %d, want 403", got)
		}
		_, body = auditor.get("/api/v1/audit?action=audit.view&limit=10")
		if !strings.Contains(body, `"outcome":"denied"`) {
			t.Errorf("the refused reading is not in the trail: %s", body)
		}
	})
}

// TestVerifyLogCommand runs `warrantdesk verify-log` against a live
// database: intact, then consistent with a saved checkpoint, then after an
// edit past the triggers, naming the edited event.
func TestVerifyLogCommand(t *testing.T) {
	url := filepath.Join(t.TempDir(), "wd.db")
	if dbtestPostgres() {
		url = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+url)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	_, vkey := httpGet(t, base+"/api/v1/log/key")
	fileRequest(t, riverside)
	waitCheckpoint(t, base, vkey, 1)
	saved := filepath.Join(t.TempDir(), "checkpoint.txt")

	verify := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		args = append([]string{"verify-log", "--key", strings.TrimSpace(vkey), "--log-level", "error"}, args...)
		env := map[string]string{"WARRANTDESK_DATABASE_URL": url}
		code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := verify("--save", saved); code != 0 || !strings.Contains(out, "audit chain: intact") || !strings.Contains(out, "transparency log: intact") {
		t.Fatalf("verify-log on an intact database: exit %d\n%s", code, out)
	}
	if b, err := os.ReadFile(saved); err != nil || !strings.HasPrefix(string(b), demoLogOrigin+"\n") {
		t.Fatalf("--save wrote %q, %v", b, err)
	}
	fileRequest(t, riverside)
	waitCheckpoint(t, base, vkey, 2)
	if code, out := verify("--checkpoint", saved); code != 0 || !strings.Contains(out, "newest at size 2, consistent with the saved checkpoint of size 1") {
		t.Fatalf("verify-log against the saved checkpoint: exit %d\n%s", code, out)
	}
	if code, out := verify("--key", "someone.else+01020304+AZoVggAYbm59/500JejVY0i0G9NNHtBhfISW+XYNzXqB"); code == 0 {
		t.Errorf("verify-log with another key: exit 0\n%s", out)
	}

	// A superuser edits event 3 past the triggers.
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stmts := []string{"DROP TRIGGER audit_events_no_update"}
	if d.Dialect == db.Postgres {
		stmts = []string{"ALTER TABLE audit_events DISABLE TRIGGER USER"}
	}
	stmts = append(stmts, `UPDATE audit_events SET outcome = 'denied' WHERE seq = 3`)
	for _, s := range stmts {
		if err := d.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	code, out := verify()
	if code == 0 || !strings.Contains(out, "the first bad event is seq 3") {
		t.Errorf("verify-log after an edit: exit %d, want non-zero naming seq 3\n%q", code, out)
	}
}

// TestWdLogcheckAgainstTheServer builds the standalone verifier and runs it
// against the real portal, as a member of the public or an agency would.
func TestWdLogcheckAgainstTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds wd-logcheck")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build wd-logcheck")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "wd-logcheck")
	if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/warrantdesk/warrantdesk/server/cmd/wd-logcheck").CombinedOutput(); err != nil {
		t.Fatalf("build wd-logcheck: %v\n%s", err, out)
	}
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	_, vkey := httpGet(t, base+"/api/v1/log/key")
	vkey = strings.TrimSpace(vkey)
	first := fileRequest(t, riverside)
	waitCheckpoint(t, base, vkey, 1)
	saved := filepath.Join(dir, "checkpoint.txt")
	logcheck := func(args ...string) (int, string) {
		out, err := exec.Command(bin, args...).CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := logcheck("-url", base, "-key", vkey, "-save", saved); code != 0 {
		t.Fatalf("wd-logcheck: exit %d\n%s", code, out)
	}
	fileRequest(t, riverside)
	waitCheckpoint(t, base, vkey, 2)
	if code, out := logcheck("-url", base, "-key", vkey, "-old", saved, "-index", "1", "-all"); code != 0 ||
		!strings.Contains(out, "extends the saved one of 1 leaves") || !strings.Contains(out, "rebuilt from all 2 leaves") {
		t.Errorf("wd-logcheck -old -index -all: exit %d\n%s", code, out)
	}
	var rc json.RawMessage
	if got := riverside.call(http.MethodGet, "/api/v1/requests/"+first.ID+"/receipt", nil, &rc); got != http.StatusOK {
		t.Fatalf("receipt: %d", got)
	}
	rcFile := filepath.Join(dir, "receipt.json")
	if err := os.WriteFile(rcFile, rc, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := logcheck("-key", vkey, "-receipt", rcFile, "-reference", first.Reference); code != 0 {
		t.Errorf("wd-logcheck -receipt: exit %d\n%s", code, out)
	}
	if code, _ := logcheck("-key", vkey, "-receipt", rcFile, "-reference", "WD-2026-999999"); code == 0 {
		t.Error("wd-logcheck accepted the receipt for another reference")
	}
}

// TestLogLeaves reads the bulk form of the public log (GET
// /api/v1/log/leaves) over a log of more leaves than one response serves:
// the bodies are exactly the leaves' bytes, one a line, pages follow each
// other seamlessly through Log-Next-Start, bad ranges are 422 problems, and
// a stored leaf holding a newline is never served as two.
func TestLogLeaves(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "leaves.db")
	if dbtestPostgres() {
		dsn = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+dsn, "WARRANTDESK_RATE_LIMIT=0")
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// More leaves than one response serves, written straight to the table
	// (the bulk form reads leaves only, not the tree's hashes).
	var size int64
	if err := d.Raw("SELECT size FROM tlog_head WHERE id = 1").Scan(&size).Error; err != nil {
		t.Fatal(err)
	}
	n := size + translog.MaxLeaves + 5
	leafExpr := `CAST('{"i":' || i || '}' AS BLOB)`
	if d.Dialector.Name() == "postgres" {
		leafExpr = `convert_to('{"i":' || i || '}', 'UTF8')`
	}
	if err := d.Exec(`WITH RECURSIVE seq(i) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO tlog_leaves (idx, request_id, event, salt, leaf, created_at)
		SELECT i, 'bulk', 'bulk', '00', `+leafExpr+`, CURRENT_TIMESTAMP FROM seq`, size, n).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec("UPDATE tlog_head SET size = ? WHERE id = 1", n).Error; err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	var stored [][]byte
	if err := d.Raw("SELECT leaf FROM tlog_leaves ORDER BY idx").Pluck("leaf", &stored).Error; err != nil {
		t.Fatal(err)
	}
	for _, l := range stored {
		want.Write(l)
		want.WriteByte('\n')
	}
	if int64(len(stored)) != n {
		t.Fatalf("%d leaves stored, want %d", len(stored), n)
	}
	get := func(query string) (*http.Response, []byte) {
		t.Helper()
		resp, err := specClient(t).Get(base + "/api/v1/log/leaves" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return resp, b
	}

	t.Run("PagesAreTheLeavesSeamlessly", func(t *testing.T) {
		var got bytes.Buffer
		next, pages := "0", 0
		for next != "" {
			resp, b := get("?start=" + next)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-ndjson" {
				t.Fatalf("start=%s: %d %s", next, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if lines := bytes.Count(b, []byte{'\n'}); lines > translog.MaxLeaves {
				t.Fatalf("start=%s: %d leaves in one page, more than %d", next, lines, translog.MaxLeaves)
			}
			got.Write(b)
			next = resp.Header.Get("Log-Next-Start")
			pages++
		}
		if pages != 2 || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%d pages of %d bytes; want 2 pages, exactly the %d leaves' %d bytes", pages, got.Len(), n, want.Len())
		}
	})

	t.Run("CompletePageIsCachedUnchanged", func(t *testing.T) {
		// The first subtest read the first page, a complete one: it is now
		// served from the page cache, byte for byte, and so is a range
		// request into it; the last, incomplete page never is.
		resp, b := get("?start=0")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Log-Page") != "cached" ||
			resp.Header.Get("Log-Next-Start") != strconv.Itoa(translog.MaxLeaves) ||
			!bytes.Equal(b, want.Bytes()[:len(b)]) || bytes.Count(b, []byte{'\n'}) != translog.MaxLeaves {
			t.Fatalf("first page again: %d, cache %q, next %q, %d bytes", resp.StatusCode, resp.Header.Get("Log-Page"), resp.Header.Get("Log-Next-Start"), len(b))
		}
		resp, _ = get(fmt.Sprintf("?start=%d", translog.MaxLeaves))
		if resp.Header.Get("Log-Page") != "" {
			t.Errorf("the incomplete last page was served from the cache")
		}
	})

	t.Run("ExplicitRangeIsExactlyThoseLeaves", func(t *testing.T) {
		s, e := n-10, n-3
		resp, b := get(fmt.Sprintf("?start=%d&end=%d", s, e))
		wantB := append(bytes.Join(stored[s:e], []byte{'\n'}), '\n')
		if resp.StatusCode != http.StatusOK || !bytes.Equal(b, wantB) || resp.Header.Get("Log-Next-Start") != "" {
			t.Errorf("%d %q (next %q); want %q", resp.StatusCode, b, resp.Header.Get("Log-Next-Start"), wantB)
		}
	})

	t.Run("EmptyRangeIsEmpty", func(t *testing.T) {
		for _, q := range []string{fmt.Sprintf("?start=%d", n), "?start=7&end=7"} {
			resp, b := get(q)
			if resp.StatusCode != http.StatusOK || len(b) != 0 || resp.Header.Get("Log-Next-Start") != "" {
				t.Errorf("%s: %d %q next %q; want 200 and nothing", q, resp.StatusCode, b, resp.Header.Get("Log-Next-Start"))
			}
		}
	})

	t.Run("BadRangesAreProblems", func(t *testing.T) {
		for _, tc := range []struct{ query, field string }{
			{"?start=-1", "start"},
			{"?start=x", "start"},
			{fmt.Sprintf("?start=%d", n+1), "start"},
			{"?start=5&end=4", "end"},
			{"?start=0&end=y", "end"},
			{fmt.Sprintf("?start=0&end=%d", n+1), "end"},
			{fmt.Sprintf("?start=0&end=%d", translog.MaxLeaves+1), "end"},
		} {
			resp, b := get(tc.query)
			var p apiProblem
			if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Content-Type") != "application/problem+json" ||
				json.Unmarshal(b, &p) != nil || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Errorf("%s: %d %s %s; want 422 problem+json naming %s", tc.query, resp.StatusCode, resp.Header.Get("Content-Type"), b, tc.field)
			}
		}
	})

	t.Run("LeafWithNewlineIsNeverServed", func(t *testing.T) {
		if err := d.Exec("INSERT INTO tlog_leaves (idx, request_id, event, salt, leaf, created_at) VALUES (?, 'bulk', 'bulk', '00', ?, CURRENT_TIMESTAMP)",
			n, []byte("{\"i\":1}\n{\"i\":2}")).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Exec("UPDATE tlog_head SET size = ? WHERE id = 1", n+1).Error; err != nil {
			t.Fatal(err)
		}
		// Mid-stream (after more than the server's write buffer): the
		// connection is cut, not the body ended.
		resp, err := specClient(t).Get(fmt.Sprintf("%s/api/v1/log/leaves?start=%d", base, n-20_000))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil || bytes.Contains(b, []byte(`{"i":2}`)) {
			t.Errorf("a leaf with a newline, streamed: %d %q, read error %v; want a broken body", resp.StatusCode, b, err)
		}
		// First: an error before any byte.
		if resp, b := get(fmt.Sprintf("?start=%d", n)); resp.StatusCode != http.StatusInternalServerError || bytes.Contains(b, []byte(`{"i":2}`)) {
			t.Errorf("a leaf with a newline, first: %d %q; want 500", resp.StatusCode, b)
		}
	})
}
