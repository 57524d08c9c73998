package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestSignalsOnlyForTheProvider: a request's requester signals are in the
// provider's API view, review page and dashboard counts, and nowhere the
// agency reads: its system's GET has no signals, its officer's page none.
func TestSignalsOnlyForTheProvider(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	var r apiReq
	if got := riverside.call(http.MethodPost, "/api/v1/requests", subpoena, &r); got != http.StatusCreated {
		t.Fatalf("create: %d", got)
	}
	if code, body := riverside.upload("/api/v1/requests/"+r.ID+"/documents", "order.pdf", minimalPDF()); code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	if got := riverside.call(http.MethodPost, "/api/v1/requests/"+r.ID+"/submit", nil, &r); got != http.StatusOK {
		t.Fatalf("submit: %d", got)
	}

	code, body := riverside.raw(http.MethodGet, "/api/v1/requests/"+r.ID)
	if code != http.StatusOK {
		t.Fatalf("agency GET: %d %s", code, body)
	}
	var agencyView map[string]any
	if err := json.Unmarshal([]byte(body), &agencyView); err != nil {
		t.Fatal(err)
	}
	if _, ok := agencyView["signals"]; ok || strings.Contains(body, "no_mfa") {
		t.Errorf("the agency's GET carries signals: %s", body)
	}
	sergeant := newBrowser(t, base)
	sergeant.login("sergeant@riverside-pd.example")
	if _, page := sergeant.get("/agency/requests/" + r.ID); strings.Contains(page, `id="signals"`) || strings.Contains(page, "Requester signals") {
		t.Error("the agency's page shows requester signals")
	}

	reviewer := newBrowser(t, base)
	reviewer.login("reviewer@provider.example")
	resp, page := reviewer.get("/api/v1/requests/" + r.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("provider GET: %d %s", resp.StatusCode, page)
	}
	var providerView struct {
		Signals *[]struct{ Code, Reason string } `json:"signals"`
	}
	if err := json.Unmarshal([]byte(page), &providerView); err != nil {
		t.Fatal(err)
	}
	if providerView.Signals == nil {
		t.Fatalf("the provider's GET has no signals: %s", page)
	}
	var codes []string
	for _, s := range *providerView.Signals {
		codes = append(codes, s.Code)
		if s.Reason == "" {
			t.Errorf("signal %s has no reason", s.Code)
		}
	}
	// The agency's system filed it with a bearer token: no second factor.
	if !slices.Contains(codes, "no_mfa") || !slices.Contains(codes, "first_request_person") {
		t.Errorf("signals %v, want no_mfa and first_request_person", codes)
	}

	if _, page := reviewer.get("/provider/requests/" + r.ID + "/review"); !strings.Contains(page, `id="signals"`) || !strings.Contains(page, "without a second factor") {
		t.Error("the review page does not show the signals in words")
	}
	_, page = reviewer.get("/provider")
	if !strings.Contains(page, `id="signal-counts"`) || !strings.Contains(page, "Signed in without a second factor") {
		t.Error("the dashboard does not count the signals")
	}
	if i := strings.Index(page, `id="signal-counts"`); i >= 0 && strings.Contains(page[i:], r.Reference) {
		t.Error("the dashboard's counts name a request")
	}
}
