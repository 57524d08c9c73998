package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestAuditPageAndExport: the auditor finds a request's events by its
// reference and by a person's name, read in words, and downloads them as
// CSV; the download is recorded as a reading of the trail; a reviewer is
// refused both.
func TestAuditPageAndExport(t *testing.T) {
	base := MustRunMain(t)
	r := fileRequest(t, newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"))
	auditor := newBrowser(t, base)
	auditor.login("auditor@provider.example")

	resp, page := auditor.get("/provider/audit?" + url.Values{"reference": {strings.ToLower(r.Reference)}}.Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit page by reference: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"Request drafted", "Request submitted to the provider", r.Reference, "Riverside"} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit page by reference does not show %q", want)
		}
	}
	if strings.Contains(page, ">request.submit<") && !strings.Contains(page, "Request submitted") {
		t.Error("the audit page shows the action's code without its words")
	}

	resp, page = auditor.get("/provider/audit?person=nobody-has-this-name")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#f-person"`) || !strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("a name no one has: %d, want 422 with the error linked to the field:\n%s", resp.StatusCode, page)
	}

	resp, page = auditor.get("/provider/audit?" + url.Values{"person": {"auditor@"}}.Encode())
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Signed in") {
		t.Errorf("the auditor's own events: %d, want their sign-in in words", resp.StatusCode)
	}

	resp, body := auditor.get("/provider/audit.csv?" + url.Values{"reference": {r.Reference}}.Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q, want text/csv", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition = %q, want an attachment named .csv", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, body)
	}
	if len(rows) < 3 || !slices.Equal(rows[0][:4], []string{"seq", "time_utc", "person", "agency"}) {
		t.Fatalf("export has %d rows, header %v; want a header and the request's events", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var actions []string
	for _, row := range rows[1:] {
		if row[col["request_reference"]] != r.Reference || row[col["request_id"]] != r.ID {
			t.Errorf("row %v is not about %s", row, r.Reference)
		}
		actions = append(actions, row[col["action"]])
		if row[col["action"]] == "request.create" && row[col["agency"]] == "" {
			t.Errorf("the creation names no agency: %v", row)
		}
	}
	if !slices.Contains(actions, "request.create") || !slices.Contains(actions, "request.submit") {
		t.Errorf("exported actions %v, want the request's creation and submission", actions)
	}

	// The export is a reading of the trail, recorded as one.
	var views struct {
		Items []struct {
			Details map[string]string `json:"details"`
		} `json:"items"`
	}
	resp, body = auditor.get("/api/v1/audit?action=audit.view&limit=5")
	if err := json.Unmarshal([]byte(body), &views); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("read the readings: %d %v", resp.StatusCode, err)
	}
	exported := false
	for _, v := range views.Items {
		exported = exported || v.Details["export"] == "csv" && v.Details["reference"] == r.Reference
	}
	if !exported {
		t.Errorf("no reading records the export: %+v", views.Items)
	}

	reviewer := newBrowser(t, base)
	reviewer.login("reviewer@provider.example")
	for _, path := range []string{"/provider/audit", "/provider/audit.csv"} {
		if resp, body := reviewer.get(path); resp.StatusCode != http.StatusForbidden || strings.Contains(body, r.Reference) {
			t.Errorf("reviewer GET %s: %d, want 403 and no events", path, resp.StatusCode)
		}
	}
}
