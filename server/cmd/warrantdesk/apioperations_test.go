package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// A caller sends API calls as someone: an agency system with its bearer
// token, a signed-in person with their session, or nobody.
type caller struct {
	name string
	do   func(*http.Request) (*http.Response, error)
}

func bearer(name string, a *apiClient) caller {
	return caller{name, func(req *http.Request) (*http.Response, error) {
		req.Header.Set("Authorization", "Bearer "+a.token)
		return a.http.Do(req)
	}}
}

func session(name string, b *browser) caller {
	return caller{name, func(req *http.Request) (*http.Response, error) {
		if req.Method != http.MethodGet {
			// As a browser's script would: same origin, JSON, no CSRF token.
			req.Header.Set("Origin", b.base)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		return b.client.Do(req)
	}}
}

func nobody(t *testing.T) caller {
	return caller{"nobody", specClient(t).Do}
}

// upload is a multipart body with the order in the field "file".
type upload struct {
	filename string
	content  []byte
}

// An opStep is one call of TestAPIEveryOperation, or (run) something to
// do between calls. The path's {names} are ids kept by earlier steps.
type opStep struct {
	desc   string
	as     caller
	method string
	path   string
	body   any // JSON; a func() any is called when the step runs; an upload goes as multipart
	header map[string]string
	want   int
	keep   map[string]string // id name → the answer's field to keep it from
	run    func(t *testing.T)
}

// TestAPIEveryOperation calls every operation of the OpenAPI document, as
// the callers it is for, with a success and with a problem where one can
// occur; specTransport holds every answer to the document. At the end,
// every operation of the document must have been validated: a success,
// and a problem document when the operation describes one a client can
// cause (any 4xx but 429). An operation added to the document without a
// step here fails the test, naming it.
func TestAPIEveryOperation(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "wd.db")
	if dbtestPostgres() {
		dsn = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+dsn, "WARRANTDESK_RATE_LIMIT=0")
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")
	people := map[string]*browser{}
	for _, email := range []string{"intake", "reviewer", "admin", "auditor"} {
		people[email] = newBrowser(t, base)
		people[email].login(email + "@provider.example")
	}
	sergeant := newBrowser(t, base)
	sergeant.login("sergeant@riverside-pd.example")
	var (
		agencySystem = bearer("riverside's system", riverside)
		otherAgency  = bearer("northshire's system", northshire)
		intake       = session("intake", people["intake"])
		reviewer     = session("reviewer", people["reviewer"])
		admin        = session("admin", people["admin"])
		auditor      = session("auditor", people["auditor"])
		supervisor   = session("riverside's supervisor", sergeant)
		anyone       = nobody(t)
	)

	// An upload with a session cookie carries the session's CSRF token,
	// as the agency page's form does.
	_, adminPage := people["admin"].get("/provider/agencies")
	adminCSRF := map[string]string{"X-CSRF-Token": people["admin"].csrf(adminPage)}

	ids := map[string]string{
		"riverside":  demoAgencyID("riverside-pd"),
		"northshire": demoAgencyID("northshire-police"),
		"missing":    "01900000-0000-7000-8000-000000000000",
	}
	// Requests filed beforehand: one to review, one to withdraw, an
	// emergency to co-sign and link to.
	var filed, toWithdraw, emergency apiReq
	fileInto(t, riverside, with(subpoena, datesAround()), &filed)
	fileInto(t, riverside, with(subpoena, datesAround()), &toWithdraw)
	fileInto(t, riverside, with(subpoena, with(datesAround(), map[string]any{"process": "us.emergency",
		"issuing_authority": map[string]any{"kind": "agency", "name": "Riverside Police Department", "signed_by": "Sgt. M. Hill"},
		"categories":        []string{"subscriber", "connection_log"},
		"emergency": map[string]any{"narrative": "A child is held hostage; the kidnapper uses this number.",
			"callback": "+1 555 0100 199", "supervisor_id": personID(t, base, "riverside-pd", "sergeant@riverside-pd.example")}})), &emergency)
	ids["filed"], ids["withdraw"], ids["emergency"], ids["emergency_ref"] = filed.ID, toWithdraw.ID, emergency.ID, emergency.Reference

	// version reads the version of request id as who sees it.
	version := func(who caller, id string) int {
		resp, b := call(t, who, http.MethodGet, base+"/api/v1/requests/"+id, nil, nil)
		var r struct{ Version int }
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &r) != nil {
			t.Fatalf("%s reads %s: %d %s", who.name, id, resp.StatusCode, b)
		}
		return r.Version
	}
	transition := func(who caller, action string, extra map[string]any) func() any {
		return func() any {
			body := map[string]any{"action": action, "version": version(who, filed.ID)}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
	}
	verification := map[string]any{"requester": "Badge checked with the agency's switchboard.", "document": "Docket checked with the court."}
	recipient, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	period := fmt.Sprintf("%d-H1", now.Year()) // the last half-year that has ended
	if now.Month() <= time.June {
		period = fmt.Sprintf("%d-H2", now.Year()-1)
	}
	ids["period"] = period
	var vkey string

	steps := []opStep{
		// What anyone may read.
		{desc: "the document", as: anyone, method: "GET", path: "/api/v1/openapi.json", want: 200},
		{desc: "the catalogue", as: anyone, method: "GET", path: "/api/v1/catalogue", want: 200},
		{desc: "who I am", as: agencySystem, method: "GET", path: "/api/v1/me", want: 200},
		{desc: "who I am, signed out", as: anyone, method: "GET", path: "/api/v1/me", want: 401},
		{desc: "an address the API does not have", as: agencySystem, method: "GET", path: "/api/v1/nothing-here", want: 404},
		{desc: "a method an address does not take", as: agencySystem, method: "DELETE", path: "/api/v1/requests", want: 405},

		// A draft's life.
		{desc: "create a draft", as: agencySystem, method: "POST", path: "/api/v1/requests", body: with(subpoena, datesAround()), want: 201,
			keep: map[string]string{"draft": "id"}},
		{desc: "create with an unknown category", as: agencySystem, method: "POST", path: "/api/v1/requests",
			body: map[string]any{"categories": []string{"telepathy"}}, want: 422},
		{desc: "list", as: agencySystem, method: "GET", path: "/api/v1/requests?limit=10", want: 200},
		{desc: "list with a bad limit", as: agencySystem, method: "GET", path: "/api/v1/requests?limit=0", want: 422},
		{desc: "read", as: agencySystem, method: "GET", path: "/api/v1/requests/{draft}", want: 200},
		{desc: "read another agency's", as: otherAgency, method: "GET", path: "/api/v1/requests/{draft}", want: 404},
		{desc: "edit", as: agencySystem, method: "PATCH", path: "/api/v1/requests/{draft}", header: map[string]string{"If-Match": `"1"`},
			body: map[string]any{"summary": "Suspect's phone, used to arrange the robbery.", "emergency": nil}, want: 200},
		{desc: "edit without If-Match", as: agencySystem, method: "PATCH", path: "/api/v1/requests/{draft}", body: map[string]any{"summary": "x"}, want: 428},
		{desc: "edit a stale version", as: agencySystem, method: "PATCH", path: "/api/v1/requests/{draft}", header: map[string]string{"If-Match": `"1"`},
			body: map[string]any{"summary": "x"}, want: 409},
		{desc: "submit without the order", as: agencySystem, method: "POST", path: "/api/v1/requests/{draft}/submit", want: 422},
		{desc: "upload what is not a PDF", as: agencySystem, method: "POST", path: "/api/v1/requests/{draft}/documents",
			body: upload{"order.pdf", []byte("<html>not a pdf</html>")}, want: 415},
		{desc: "upload the order", as: agencySystem, method: "POST", path: "/api/v1/requests/{draft}/documents",
			body: upload{"order.pdf", minimalPDF()}, want: 201, keep: map[string]string{"doc": "id"}},
		{desc: "download the order", as: agencySystem, method: "GET", path: "/api/v1/requests/{draft}/documents/{doc}", want: 200},
		{desc: "download a missing document", as: agencySystem, method: "GET", path: "/api/v1/requests/{draft}/documents/{missing}", want: 404},
		{desc: "submit", as: agencySystem, method: "POST", path: "/api/v1/requests/{draft}/submit", want: 200},
		{desc: "link a submitted request", as: agencySystem, method: "POST", path: "/api/v1/requests/{draft}/link",
			body: map[string]any{"linked": ids["emergency_ref"]}, want: 403},

		// The log and its receipts.
		{desc: "the log's key", as: anyone, method: "GET", path: "/api/v1/log/key", want: 200, run: func(t *testing.T) {
			_, b := call(t, anyone, http.MethodGet, base+"/api/v1/log/key", nil, nil)
			vkey = strings.TrimSpace(string(b))
		}},
		{desc: "a checkpoint covers the filed requests", run: func(t *testing.T) { waitCheckpoint(t, base, vkey, 4) }},
		{desc: "the checkpoint", as: anyone, method: "GET", path: "/api/v1/log/checkpoint", want: 200},
		{desc: "the receipt", as: agencySystem, method: "GET", path: "/api/v1/requests/{filed}/receipt", want: 200},
		{desc: "another agency's receipt", as: otherAgency, method: "GET", path: "/api/v1/requests/{filed}/receipt", want: 404},
		{desc: "entries", as: anyone, method: "GET", path: "/api/v1/log/entries?start=0&limit=2", want: 200},
		{desc: "entries from -1", as: anyone, method: "GET", path: "/api/v1/log/entries?start=-1", want: 422},
		{desc: "leaves", as: anyone, method: "GET", path: "/api/v1/log/leaves?start=0", want: 200},
		{desc: "leaves from -1", as: anyone, method: "GET", path: "/api/v1/log/leaves?start=-1", want: 422},
		{desc: "inclusion proof", as: anyone, method: "GET", path: "/api/v1/log/proof/inclusion?index=0", want: 200},
		{desc: "inclusion proof without an index", as: anyone, method: "GET", path: "/api/v1/log/proof/inclusion", want: 422},
		{desc: "consistency proof", as: anyone, method: "GET", path: "/api/v1/log/proof/consistency?old=1", want: 200},
		{desc: "consistency proof without old", as: anyone, method: "GET", path: "/api/v1/log/proof/consistency", want: 422},

		// The review.
		{desc: "the queue", as: intake, method: "GET", path: "/api/v1/queue?team=intake&limit=5", want: 200},
		{desc: "the queue with a bad limit", as: intake, method: "GET", path: "/api/v1/queue?limit=0", want: 422},
		{desc: "notifications", as: agencySystem, method: "GET", path: "/api/v1/notifications?limit=5", want: 200},
		{desc: "notifications with a bad limit", as: agencySystem, method: "GET", path: "/api/v1/notifications?limit=x", want: 422},
		{desc: "take", as: intake, method: "POST", path: "/api/v1/requests/{filed}/transitions", body: transition(intake, "take", nil), want: 200},
		{desc: "verify at a stale version", as: intake, method: "POST", path: "/api/v1/requests/{filed}/transitions",
			body: map[string]any{"action": "verify", "version": 1, "verification": verification}, want: 409},
		{desc: "verify", as: intake, method: "POST", path: "/api/v1/requests/{filed}/transitions",
			body: transition(intake, "verify", map[string]any{"verification": verification}), want: 200},
		{desc: "ask the agency", as: reviewer, method: "POST", path: "/api/v1/requests/{filed}/transitions",
			body: transition(reviewer, "request_info", map[string]any{"comment": "Which account is the suspect's?"}), want: 200},
		{desc: "answer", as: agencySystem, method: "POST", path: "/api/v1/requests/{filed}/messages", body: map[string]any{"body": "The one ending 0123."}, want: 200},
		{desc: "answer again", as: agencySystem, method: "POST", path: "/api/v1/requests/{filed}/messages", body: map[string]any{"body": "And again."}, want: 409},
		{desc: "read as the provider", as: reviewer, method: "GET", path: "/api/v1/requests/{filed}", want: 200},
		{desc: "approve", as: reviewer, method: "POST", path: "/api/v1/requests/{filed}/transitions", body: transition(reviewer, "approve", nil), want: 200},
		{desc: "withdraw", as: agencySystem, method: "POST", path: "/api/v1/requests/{withdraw}/withdraw", body: map[string]any{"comment": "Filed twice."}, want: 200},
		{desc: "withdraw again", as: agencySystem, method: "POST", path: "/api/v1/requests/{withdraw}/withdraw", want: 409},
		{desc: "co-sign as a system", as: agencySystem, method: "POST", path: "/api/v1/requests/{emergency}/cosign", want: 403},
		{desc: "co-sign", as: supervisor, method: "POST", path: "/api/v1/requests/{emergency}/cosign", body: map[string]any{"comment": "Confirmed."}, want: 200},

		{desc: "a draft to follow up the emergency", as: agencySystem, method: "POST", path: "/api/v1/requests",
			body: with(subpoena, datesAround()), want: 201, keep: map[string]string{"followup": "id"}},
		{desc: "link", as: agencySystem, method: "POST", path: "/api/v1/requests/{followup}/link", body: map[string]any{"linked": ids["emergency_ref"]}, want: 200},
		{desc: "unlink", as: agencySystem, method: "POST", path: "/api/v1/requests/{followup}/link", body: map[string]any{"linked": ""}, want: 200},

		// Need-to-know inside the agency: the system, filing for its
		// officer, shares the draft with a colleague, and stops. The
		// colleague is a second Riverside officer the portal knows from an
		// earlier sign-in (the demo provider has one officer per agency).
		{desc: "a colleague and another agency's system are known", run: func(t *testing.T) {
			newBrowser(t, base).login("officer@riverside-pd.example")
			if err := d.Exec(`INSERT INTO people (id, issuer, subject, kind, agency_id, email, name, roles, status, created_at, updated_at)
				SELECT '0193a000-0000-7000-8000-00000000c011', issuer, 'colleague', 'person', agency_id, 'colleague@riverside-pd.example',
					'Officer P. Colleague', 'officer', 'active', created_at, updated_at FROM people WHERE email = 'officer@riverside-pd.example'`).Error; err != nil {
				t.Fatalf("a second Riverside officer: %v", err)
			}
			for key, q := range map[string][]any{
				"colleague": {"SELECT id FROM people WHERE email = ?", "colleague@riverside-pd.example"},
				"outsider":  {"SELECT id FROM people WHERE agency_id = ? ORDER BY id LIMIT 1", ids["northshire"]},
			} {
				var id string
				if err := d.Raw(q[0].(string), q[1:]...).Scan(&id).Error; err != nil || id == "" {
					t.Fatalf("%s: %q, %v", key, id, err)
				}
				ids[key] = id
			}
		}},
		{desc: "who sees a request", as: agencySystem, method: "GET", path: "/api/v1/requests/{followup}/shares", want: 200},
		{desc: "who sees another agency's request", as: otherAgency, method: "GET", path: "/api/v1/requests/{followup}/shares", want: 404},
		{desc: "share it with a colleague", as: agencySystem, method: "POST", path: "/api/v1/requests/{followup}/shares",
			body: func() any { return map[string]any{"person_id": ids["colleague"]} }, want: 201},
		{desc: "share it with another agency's", as: agencySystem, method: "POST", path: "/api/v1/requests/{followup}/shares",
			body: func() any { return map[string]any{"person_id": ids["outsider"]} }, want: 422},
		{desc: "share a submitted request as the provider", as: reviewer, method: "POST", path: "/api/v1/requests/{filed}/shares",
			body: func() any { return map[string]any{"person_id": ids["colleague"]} }, want: 403},
		{desc: "whom it is shared with", as: agencySystem, method: "GET", path: "/api/v1/requests/{followup}/shares", want: 200,
			keep: map[string]string{"shared": "items.0.person_id"}},
		{desc: "stop sharing it", as: agencySystem, method: "DELETE", path: "/api/v1/requests/{followup}/shares/{shared}", want: 204},
		{desc: "stop sharing it again", as: agencySystem, method: "DELETE", path: "/api/v1/requests/{followup}/shares/{colleague}", want: 404},

		// The package.
		{desc: "the package is built", run: func(t *testing.T) { waitReady(t, riverside, filed.ID) }},
		{desc: "the agency's productions", as: agencySystem, method: "GET", path: "/api/v1/productions", want: 200},
		{desc: "the provider lists an agency's productions", as: reviewer, method: "GET", path: "/api/v1/productions", want: 403},
		{desc: "download the package", as: agencySystem, method: "GET", path: "/api/v1/requests/{filed}/production", want: 200},
		{desc: "download another agency's package", as: otherAgency, method: "GET", path: "/api/v1/requests/{filed}/production", want: 404},
		// A JSON body, even empty, spares a session the CSRF token.
		{desc: "rebuild a ready package", as: reviewer, method: "POST", path: "/api/v1/requests/{filed}/production", body: map[string]any{}, want: 409},
		{desc: "the build fails", run: func(t *testing.T) {
			if err := d.Exec(`UPDATE productions SET status = 'failed', error = 'disk full' WHERE request_id = ?`, filed.ID).Error; err != nil {
				t.Fatal(err)
			}
		}},
		{desc: "retry the failed build", as: reviewer, method: "POST", path: "/api/v1/requests/{filed}/production", body: map[string]any{}, want: 202},
		{desc: "the production key", as: anyone, method: "GET", path: "/api/v1/productions/key", want: 200},
		{desc: "the production key as PEM", as: anyone, method: "GET", path: "/api/v1/productions/key?format=pem", want: 200},
		{desc: "the recipient", as: agencySystem, method: "GET", path: "/api/v1/agency/recipient", want: 200},
		{desc: "the provider reads a recipient", as: reviewer, method: "GET", path: "/api/v1/agency/recipient", want: 403},
		{desc: "register a recipient", as: agencySystem, method: "PUT", path: "/api/v1/agency/recipient",
			body: map[string]any{"recipient": recipient.Recipient().String()}, want: 200},
		{desc: "register what is not a recipient", as: agencySystem, method: "PUT", path: "/api/v1/agency/recipient",
			body: map[string]any{"recipient": "age1nope"}, want: 422},
		{desc: "remove the recipient", as: agencySystem, method: "DELETE", path: "/api/v1/agency/recipient", want: 204},
		{desc: "the provider removes a recipient", as: reviewer, method: "DELETE", path: "/api/v1/agency/recipient", want: 403},
		{desc: "the supervisors an emergency may name", as: agencySystem, method: "GET", path: "/api/v1/agency/supervisors", want: 200},
		{desc: "the provider lists supervisors", as: reviewer, method: "GET", path: "/api/v1/agency/supervisors", want: 403},
		{desc: "user notices", as: reviewer, method: "GET", path: "/api/v1/notices", want: 200},
		{desc: "user notices as an agency", as: agencySystem, method: "GET", path: "/api/v1/notices", want: 403},

		// The audit trail.
		{desc: "the audit trail", as: auditor, method: "GET", path: "/api/v1/audit?limit=20", want: 200},
		{desc: "the audit trail as a reviewer", as: reviewer, method: "GET", path: "/api/v1/audit", want: 403},

		// Administration.
		{desc: "agencies", as: admin, method: "GET", path: "/api/v1/agencies", want: 200},
		{desc: "agencies as an agency", as: agencySystem, method: "GET", path: "/api/v1/agencies", want: 403},
		// The demo's one issuer tells agencies apart by its "org" claim; a
		// trailing slash is forgiven, the issuer stored as configured.
		{desc: "onboard an agency", as: admin, method: "POST", path: "/api/v1/agencies",
			body: map[string]any{"name": "Eastport Police", "country": "US", "kind": "police", "issuer": base + "/idp/", "issuer_org": "eastport-pd"}, want: 201,
			keep: map[string]string{"agency": "id"}},
		{desc: "onboard it twice", as: admin, method: "POST", path: "/api/v1/agencies",
			body: map[string]any{"name": "Eastport Police", "country": "US", "kind": "police", "issuer": base + "/idp", "issuer_org": "eastport-pd"}, want: 422},
		{desc: "onboard without a country", as: admin, method: "POST", path: "/api/v1/agencies",
			body: map[string]any{"name": "Nowhere Police", "country": "", "kind": "police", "issuer": base + "/idp", "issuer_org": "nowhere"}, want: 422},
		{desc: "onboard on an issuer the portal does not trust", as: admin, method: "POST", path: "/api/v1/agencies",
			body: map[string]any{"name": "Nowhere Police", "country": "US", "kind": "police", "issuer": "https://idp.nowhere.example"}, want: 422},
		{desc: "onboard with no organisation on a shared issuer", as: admin, method: "POST", path: "/api/v1/agencies",
			body: map[string]any{"name": "Everyone Police", "country": "US", "kind": "police", "issuer": base + "/idp"}, want: 422},
		// Onboarding evidence: the new agency is pending until a second
		// administrator activates it (the demo has one: admin's own
		// activation is refused).
		{desc: "the agency's record", as: admin, method: "GET", path: "/api/v1/agencies/{agency}", want: 200},
		{desc: "the record of no agency", as: admin, method: "GET", path: "/api/v1/agencies/{missing}", want: 404},
		{desc: "suspend a pending agency", as: admin, method: "PATCH", path: "/api/v1/agencies/{agency}",
			body: map[string]any{"status": "suspended", "reason": "Never mind."}, want: 409},
		{desc: "activate it without evidence", as: admin, method: "PATCH", path: "/api/v1/agencies/{agency}", body: map[string]any{"status": "active"}, want: 409},
		{desc: "record a verification", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/verifications",
			body: map[string]any{"method": "official_directory", "note": "Switchboard from the city's directory."}, want: 201},
		{desc: "an unknown verification method", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/verifications",
			body: map[string]any{"method": "hunch"}, want: 422},
		{desc: "upload a supporting document", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/documents",
			body: upload{"letter.pdf", minimalPDF()}, header: adminCSRF, want: 201, keep: map[string]string{"agencydoc": "id"}},
		{desc: "upload what is no document", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/documents",
			body: upload{"letter.txt", []byte("hello")}, header: adminCSRF, want: 415},
		{desc: "download it", as: admin, method: "GET", path: "/api/v1/agencies/{agency}/documents/{agencydoc}", want: 200},
		{desc: "download a missing one", as: admin, method: "GET", path: "/api/v1/agencies/{agency}/documents/{missing}", want: 404},
		{desc: "add a directory number", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/callbacks",
			body: map[string]any{"label": "Switchboard", "phone": "+1 555 0100 400", "source": "The city's published directory"}, want: 201,
			keep: map[string]string{"callback": "id"}},
		{desc: "a malformed number", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/callbacks",
			body: map[string]any{"label": "Switchboard", "phone": "ring the desk", "source": ""}, want: 422},
		{desc: "add an e-mail domain", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/domains", body: map[string]any{"domain": "eastport-pd.example"}, want: 201},
		{desc: "a malformed e-mail domain", as: admin, method: "POST", path: "/api/v1/agencies/{agency}/domains", body: map[string]any{"domain": "not a domain"}, want: 422},
		{desc: "activate it yourself", as: admin, method: "PATCH", path: "/api/v1/agencies/{agency}", body: map[string]any{"status": "active"}, want: 409},
		{desc: "remove the number", as: admin, method: "DELETE", path: "/api/v1/agencies/{agency}/callbacks/{callback}", header: adminCSRF, want: 204},
		{desc: "remove it twice", as: admin, method: "DELETE", path: "/api/v1/agencies/{agency}/callbacks/{callback}", header: adminCSRF, want: 409},
		{desc: "the record as an agency", as: agencySystem, method: "GET", path: "/api/v1/agencies/{riverside}", want: 403},
		{desc: "suspend an agency without a reason", as: admin, method: "PATCH", path: "/api/v1/agencies/{northshire}", body: map[string]any{"status": "suspended"}, want: 422},
		{desc: "suspend an agency", as: admin, method: "PATCH", path: "/api/v1/agencies/{northshire}",
			body: map[string]any{"status": "suspended", "reason": "Reported account takeover."}, want: 204},
		{desc: "reactivate it", as: admin, method: "PATCH", path: "/api/v1/agencies/{northshire}", body: map[string]any{"status": "active", "reason": "Accounts reset."}, want: 204},
		{desc: "an unknown status", as: admin, method: "PATCH", path: "/api/v1/agencies/{agency}", body: map[string]any{"status": "gone"}, want: 422},
		{desc: "an agency's people", as: admin, method: "GET", path: "/api/v1/agencies/{northshire}/people", want: 200,
			keep: map[string]string{"person": "items.0.id"}},
		{desc: "an agency's people as an agency", as: otherAgency, method: "GET", path: "/api/v1/agencies/{northshire}/people", want: 403},
		{desc: "suspend a person", as: admin, method: "PATCH", path: "/api/v1/people/{person}", body: map[string]any{"status": "suspended"}, want: 204},
		{desc: "reactivate them", as: admin, method: "PATCH", path: "/api/v1/people/{person}", body: map[string]any{"status": "active"}, want: 204},
		{desc: "a person's unknown status", as: admin, method: "PATCH", path: "/api/v1/people/{person}", body: map[string]any{"status": "asleep"}, want: 422},

		// Transparency reports.
		{desc: "publish", as: admin, method: "POST", path: "/api/v1/transparency/reports", body: map[string]any{"period": ids["period"]}, want: 201},
		{desc: "publish as an agency", as: agencySystem, method: "POST", path: "/api/v1/transparency/reports", body: map[string]any{"period": ids["period"]}, want: 403},
		{desc: "publish a period that is no period", as: admin, method: "POST", path: "/api/v1/transparency/reports", body: map[string]any{"period": "last-year"}, want: 422},
		{desc: "the reports", as: anyone, method: "GET", path: "/api/v1/transparency/reports", want: 200},
		{desc: "the reports as CSV", as: anyone, method: "GET", path: "/api/v1/transparency/reports?format=csv", want: 200},
		{desc: "the reports as PDF", as: anyone, method: "GET", path: "/api/v1/transparency/reports?format=pdf", want: 422},
		{desc: "a report", as: anyone, method: "GET", path: "/api/v1/transparency/reports/{period}", want: 200},
		{desc: "a report as CSV", as: anyone, method: "GET", path: "/api/v1/transparency/reports/{period}?format=csv", want: 200},
		{desc: "an unpublished report", as: anyone, method: "GET", path: "/api/v1/transparency/reports/2020-H1", want: 404},
	}
	for _, step := range steps {
		if !t.Run(step.desc, func(t *testing.T) { runOpStep(t, base, step, ids) }) {
			t.FailNow()
		}
	}

	// Every operation of the document was validated here.
	doc, _, err := loadSpec(http.DefaultTransport, base)
	if err != nil {
		t.Fatal(err)
	}
	seen := apiCoverage.statuses(t.Name())
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			var problems []string
			for code := range op.Responses.Map() {
				if n, _ := strconv.Atoi(code); n >= 400 && n < 500 && n != http.StatusTooManyRequests {
					problems = append(problems, code)
				}
			}
			slices.Sort(problems)
			got := seen[key]
			if !slices.ContainsFunc(got, func(st int) bool { return st < 300 }) {
				missing = append(missing, fmt.Sprintf("%s (%s): no success was validated (answers seen: %v)", key, op.OperationID, got))
			}
			if len(problems) > 0 && !slices.ContainsFunc(got, func(st int) bool { return st >= 400 }) {
				missing = append(missing, fmt.Sprintf("%s (%s): no problem document was validated; it describes %s", key, op.OperationID, strings.Join(problems, ", ")))
			}
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// runOpStep makes one call of TestAPIEveryOperation and keeps the ids the
// step asks for.
func runOpStep(t *testing.T, base string, step opStep, ids map[string]string) {
	if step.run != nil {
		step.run(t)
		if step.method == "" {
			return
		}
	}
	var pairs []string
	for k, v := range ids {
		pairs = append(pairs, "{"+k+"}", v)
	}
	path := strings.NewReplacer(pairs...).Replace(step.path)
	body := step.body
	if f, ok := body.(func() any); ok {
		body = f()
	}
	resp, b := call(t, step.as, step.method, base+path, body, step.header)
	if resp.StatusCode != step.want {
		t.Fatalf("%s %s as %s: %d, want %d: %s", step.method, path, step.as.name, resp.StatusCode, step.want, clip(b))
	}
	if len(step.keep) == 0 {
		return
	}
	var answer any
	if err := json.Unmarshal(b, &answer); err != nil {
		t.Fatalf("%s %s: %v", step.method, path, err)
	}
	for name, field := range step.keep {
		v := answer
		for _, k := range strings.Split(field, ".") {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				n, _ := strconv.Atoi(k)
				if n < len(x) {
					v = x[n]
				} else {
					v = nil
				}
			}
		}
		s, ok := v.(string)
		if !ok || s == "" {
			t.Fatalf("%s %s: no %s in %s", step.method, path, field, clip(b))
		}
		ids[name] = s
	}
}

// call sends one API call as who: body is JSON, an upload, or nil.
func call(t *testing.T, who caller, method, url string, body any, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch v := body.(type) {
	case nil:
	case upload:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", v.filename)
		fw.Write(v.content)
		mw.Close()
		rd, ctype = &buf, mw.FormDataContentType()
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := who.do(req)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, url, who.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, url, who.name, err)
	}
	return resp, b
}
