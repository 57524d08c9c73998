package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// euTrafficOrder is a European Production Order for traffic data whose
// person and offence lie outside the issuing State (Germany): the
// enforcing authority of Ireland is notified (Regulation (EU) 2023/1543,
// Art. 8).
func euTrafficOrder() map[string]any {
	return with(datesAround(), map[string]any{
		"process":           "eu.epoc",
		"issuing_authority": map[string]any{"kind": "court", "name": "Amtsgericht Musterstadt", "signed_by": "Richterin Dr. A. Beispiel"},
		"docket":            "EU-2026-0042",
		"targets":           []any{map[string]any{"type": "phone", "value": "+1 555 0100 123"}},
		"categories":        []any{"subscriber", "connection_log"},
		"nondisclosure":     map[string]any{"ordered": false},
		"purpose":           "criminal_proceedings",
		"offence":           map[string]any{"description": "aggravated fraud", "max_penalty_years": 5, "committed_in_issuing_state": false},
		"summary":           "Phone used to run the fraud from abroad.",
	})
}

type apiEU struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Version   int    `json:"version"`
	Workflow  *struct {
		Decision *struct {
			Outcome    string `json:"outcome"`
			ReasonCode string `json:"reason_code"`
		} `json:"decision"`
		EnforcingAuthority *struct {
			State          string     `json:"state"`
			ProduceAfter   *time.Time `json:"produce_after"`
			Held           bool       `json:"held"`
			Summary        string     `json:"summary"`
			RefusalGrounds []struct {
				ID string `json:"id"`
			} `json:"refusal_grounds"`
			RecordedBy *struct{ Name string } `json:"recorded_by"`
			Answer     *struct {
				Outcome string `json:"outcome"`
				Grounds []struct {
					ID string `json:"id"`
				} `json:"grounds"`
			} `json:"answer"`
		} `json:"enforcing_authority"`
	} `json:"workflow"`
}

// TestEUOrderPagesAndAPI walks EU orders notified to the enforcing
// authority through the real server: the review page shows the
// notification and the Art. 12(1) checklist, the officer's page says that
// the order waits for the authority of Ireland, an objection recorded from
// the page's checklist rejects the request, and "no ground" recorded
// through the API produces at once.
func TestEUOrderPagesAndAPI(t *testing.T) {
	base := MustRunMain(t)
	lka := newAPIClient(t, base, "lka-musterland-cms", "lka-demo-secret")
	intake, reviewer, officer := newBrowser(t, base), newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.login("reviewer@provider.example")
	officer.login("ermittler@lka-musterland.example")
	get := func(t *testing.T, b *browser, id string) apiEU {
		t.Helper()
		var r apiEU
		if code := b.api(http.MethodGet, "/api/v1/requests/"+id, nil, &r); code != http.StatusOK {
			t.Fatalf("get %s: %d", id, code)
		}
		return r
	}
	act := func(t *testing.T, b *browser, id string, body map[string]any, want int) {
		t.Helper()
		body["version"] = get(t, b, id).Version
		var raw json.RawMessage
		if code := b.api(http.MethodPost, "/api/v1/requests/"+id+"/transitions", body, &raw); code != want {
			t.Fatalf("%v on %s: %d, want %d: %s", body["action"], id, code, want, raw)
		}
	}
	approved := func(t *testing.T) apiEU {
		t.Helper()
		var r apiEU
		fileInto(t, lka, euTrafficOrder(), &r)
		act(t, intake, r.ID, map[string]any{"action": "verify",
			"verification": map[string]any{"requester": "Checked with the LKA's switchboard.", "document": "Checked the court's seal and the EPOC form."}}, http.StatusOK)
		act(t, reviewer, r.ID, map[string]any{"action": "approve"}, http.StatusOK)
		return get(t, reviewer, r.ID)
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`)

	t.Run("ObjectionFromTheChecklistRejects", func(t *testing.T) {
		r := approved(t)
		n := r.Workflow.EnforcingAuthority
		if r.Status != "approved" || n == nil || n.State != "Ireland" || !n.Held || n.ProduceAfter == nil || len(n.RefusalGrounds) != 4 || n.RecordedBy == nil {
			t.Fatalf("approved EU order: %s, enforcing authority %+v", r.Status, n)
		}
		until := n.ProduceAfter.UTC().Format("2006-01-02 15:04 UTC")
		// The LKA's officer reads German (their agency's language); the
		// API says it in English.
		if _, page := officer.get("/agency/requests/" + r.ID); !strings.Contains(page, "Warten auf die Vollstreckungsbehörde in Irland bis "+until) {
			t.Errorf("the officer's page does not say (in German) it waits for Ireland until %s", until)
		}
		if n.Summary == "" || !strings.Contains(n.Summary, "Waiting for the enforcing authority of Ireland until "+until) {
			t.Errorf("the API's summary %q does not say it waits for Ireland until %s", n.Summary, until)
		}
		if got := get(t, officer, r.ID).Workflow.EnforcingAuthority; got == nil || got.RecordedBy != nil {
			t.Errorf("the officer's API view: %+v, want the notification without who recorded it", got)
		}
		resp, page := reviewer.get("/provider/requests/" + r.ID + "/review")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="form-enforcing-authority"`) || strings.Count(page, `name="grounds"`) != 4 ||
			!strings.Contains(page, "the competent authority of Ireland") {
			t.Fatalf("review page: %d, without the notification and its four-ground checklist", resp.StatusCode)
		}
		form := url.Values{"csrf_token": {reviewer.csrf(page)}, "version": {version.FindStringSubmatch(page)[1]},
			"action": {"record_enforcing_authority"}, "outcome": {"grounds_raised"}, "comment": {"Ireland invokes Article 12(1)(b)."}}
		resp, page = reviewer.postForm("/provider/requests/"+r.ID+"/review", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Tick the grounds for refusal") {
			t.Errorf("an objection with no ground ticked: %d, want 422 naming the checklist", resp.StatusCode)
		}
		form.Set("csrf_token", reviewer.csrf(page))
		form["grounds"] = []string{"fundamental_rights"}
		resp, page = reviewer.postForm("/provider/requests/"+r.ID+"/review", form)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "is now: Rejected") {
			t.Fatalf("the objection from the page: %d", resp.StatusCode)
		}
		got := get(t, officer, r.ID)
		if got.Status != "rejected" || got.Workflow.Decision == nil || got.Workflow.Decision.ReasonCode != "enforcing_authority_refusal" ||
			got.Workflow.EnforcingAuthority.Answer == nil || got.Workflow.EnforcingAuthority.Answer.Grounds[0].ID != "fundamental_rights" {
			t.Errorf("after the objection: %+v", got)
		}
	})

	t.Run("NoGroundThroughTheAPIProducesNow", func(t *testing.T) {
		r := approved(t)
		act(t, reviewer, r.ID, map[string]any{"action": "record_enforcing_authority", "outcome": "no_grounds", "grounds": []string{"ne_bis_in_idem"}},
			http.StatusUnprocessableEntity)
		act(t, reviewer, r.ID, map[string]any{"action": "record_enforcing_authority", "outcome": "no_grounds"}, http.StatusOK)
		deadline := time.Now().Add(20 * time.Second)
		for st := get(t, reviewer, r.ID).Status; st == "approved"; st = get(t, reviewer, r.ID).Status {
			if time.Now().After(deadline) {
				t.Fatal("still approved 20 s after the authority raised no ground")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
