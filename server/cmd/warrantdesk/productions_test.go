package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// get fetches path with the client's bearer token (or none) and returns
// the response and its body.
func (a *apiClient) get(path string) (*http.Response, []byte) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.base+path, nil)
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// approve takes a filed request through intake and review as the demo's
// provider staff, with the workflow's API, and waits for the workflow to
// build its package and mark it disclosed.
func approve(t *testing.T, intake, reviewer *browser, id string) {
	t.Helper()
	verification := map[string]any{"requester": "Badge checked with the agency's switchboard.", "document": "Docket checked with the court."}
	var st struct {
		Status  string `json:"status"`
		Version int    `json:"version"`
	}
	version := func(b *browser) int {
		var r struct {
			Version int `json:"version"`
		}
		if code := b.api(http.MethodGet, "/api/v1/requests/"+id, nil, &r); code != http.StatusOK {
			t.Fatalf("get %s: %d", id, code)
		}
		return r.Version
	}
	for _, step := range []struct {
		who  *browser
		body map[string]any
	}{
		{intake, map[string]any{"action": "verify", "verification": verification}},
		{reviewer, map[string]any{"action": "approve"}},
	} {
		step.body["version"] = version(step.who)
		if code := step.who.api(http.MethodPost, "/api/v1/requests/"+id+"/transitions", step.body, &st); code != http.StatusOK {
			t.Fatalf("%s: %d", step.body["action"], code)
		}
	}
	if st.Status != "approved" {
		t.Fatalf("after approval: %s", st.Status)
	}
	// The workflow hands the approved request to production by itself: its
	// produce job moves it to producing, the package build runs as a River
	// job and marks it disclosed once the package is ready.
	deadline := time.Now().Add(patience)
	for {
		var r struct{ Status string }
		reviewer.api(http.MethodGet, "/api/v1/requests/"+id, nil, &r)
		if r.Status == "disclosed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s is %s, not disclosed, a minute after approval", id, r.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type prodView struct {
	RequestID string           `json:"request_id"`
	Reference string           `json:"reference"`
	Status    string           `json:"status"`
	Outcome   string           `json:"outcome"`
	Sealing   string           `json:"sealing"`
	SHA256    string           `json:"sha256"`
	Counts    map[string]int64 `json:"counts"`
	Download  string           `json:"download"`
}

// waitReady polls the agency's production list until the request's
// package is ready.
func waitReady(t *testing.T, a *apiClient, id string) prodView {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var list struct{ Items []prodView }
		if code := a.call(http.MethodGet, "/api/v1/productions", nil, &list); code != http.StatusOK {
			t.Fatalf("list productions: %d", code)
		}
		for _, p := range list.Items {
			if p.RequestID == id && p.Status == "ready" {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready production for %s: %+v", id, list.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// verifyPackage checks a downloaded zip against the published key: the
// manifest's signature and every file's SHA-256.
func verifyPackage(t *testing.T, b []byte, pub ed25519.PublicKey) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(string(files["manifest.json.sig"])))
	if !ed25519.Verify(pub, files["manifest.json"], sig) {
		t.Fatal("the manifest's signature does not verify with the published key")
	}
	var m struct {
		Files []struct{ Name, SHA256 string }
	}
	json.Unmarshal(files["manifest.json"], &m)
	for _, f := range m.Files {
		sum := sha256.Sum256(files[f.Name])
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s does not match its SHA-256 in the manifest", f.Name)
		}
	}
	return files
}

// TestProductionsEndToEnd runs the real server with the demo's data: a
// subpoena for +1 555 0100 123 is approved through the workflow, which
// builds its package and marks the request disclosed; the officer
// downloads it and checks it with the published key; another agency gets
// 404; a second package is sealed to the agency's age recipient; the
// provider sees the pending notice; an expired link is 410.
func TestProductionsEndToEnd(t *testing.T) {
	url := filepath.Join(t.TempDir(), "e2e.db")
	if dbtestPostgres() {
		url = dbtest.PostgresURL(t)
	}
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+url)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")
	anonymous := &apiClient{t: t, base: base, http: specClient(t)}
	intake, reviewer := newBrowser(t, base), newBrowser(t, base)
	intake.login("intake@provider.example")
	reviewer.login("reviewer@provider.example")

	today := time.Now().UTC()
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	body := map[string]any{
		"process":           "us.subpoena",
		"issuing_authority": map[string]any{"kind": "court", "name": "Superior Court of Riverside County", "signed_by": "Hon. A. Example"},
		"docket":            "CR-2026-01234", "issued_on": day(-2), "expires_on": day(90),
		"targets":   []any{map[string]any{"type": "phone", "value": "+1 555 0100 123"}},
		"date_from": day(-20), "date_to": day(-1),
		"categories":    []any{"subscriber", "connection_log"},
		"nondisclosure": map[string]any{"ordered": true, "until": day(200)},
		"offence":       map[string]any{"description": "armed robbery", "max_penalty_years": 20},
		"summary":       "Suspect's phone used to arrange the robbery.",
	}
	fileOne := func() string {
		var r struct{ ID string }
		if code := riverside.call(http.MethodPost, "/api/v1/requests", body, &r); code != http.StatusCreated {
			t.Fatalf("create: %d", code)
		}
		shareWithOfficer(t, riverside, r.ID) // the officer downloads its package in the pages
		if code, b := riverside.upload("/api/v1/requests/"+r.ID+"/documents", "order.pdf", minimalPDF()); code != http.StatusCreated {
			t.Fatalf("upload: %d %s", code, b)
		}
		if code := riverside.call(http.MethodPost, "/api/v1/requests/"+r.ID+"/submit", nil, nil); code != http.StatusOK {
			t.Fatalf("submit: %d", code)
		}
		return r.ID
	}

	id := fileOne()
	approve(t, intake, reviewer, id)
	p := waitReady(t, riverside, id)
	if p.Sealing != "at_rest" || p.Outcome != "records_found" || p.Counts["subscriber"] != 1 || p.Counts["connection_log"] == 0 {
		t.Errorf("production %+v", p)
	}
	var st struct{ Status string }
	riverside.call(http.MethodGet, "/api/v1/requests/"+id, nil, &st)
	if st.Status != "disclosed" {
		t.Errorf("request status %q after the package was ready, want disclosed", st.Status)
	}

	var key struct {
		PublicKey string `json:"public_key"`
	}
	if resp, b := anonymous.get("/api/v1/productions/key"); resp.StatusCode != http.StatusOK || json.Unmarshal(b, &key) != nil {
		t.Fatalf("published key: %d %s", resp.StatusCode, b)
	}
	pub, _ := base64.StdEncoding.DecodeString(key.PublicKey)

	resp, zipBytes := riverside.get("/api/v1/requests/" + id + "/production")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %s", resp.StatusCode, zipBytes)
	}
	sum := sha256.Sum256(zipBytes)
	if got, want := resp.Header.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
		t.Errorf("Repr-Digest %q, want %q", got, want)
	}
	if hex.EncodeToString(sum[:]) != p.SHA256 {
		t.Error("the download does not hash to the listed sha256")
	}
	files := verifyPackage(t, zipBytes, ed25519.PublicKey(pub))
	if !bytes.Contains(files["subscriber.json"], []byte(`"phone":"+15550100123"`)) {
		t.Errorf("subscriber.json = %s", files["subscriber.json"])
	}

	for _, tc := range []struct {
		desc   string
		client *apiClient
		want   int
	}{
		{"another agency", northshire, http.StatusNotFound},
		{"anonymous", anonymous, http.StatusUnauthorized},
	} {
		if resp, _ := tc.client.get("/api/v1/requests/" + id + "/production"); resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.desc, resp.StatusCode, tc.want)
		}
	}

	var notices struct {
		Items []struct {
			Reference string `json:"request_reference"`
			Status    string `json:"status"`
		}
	}
	if code := reviewer.api(http.MethodGet, "/api/v1/notices", nil, &notices); code != http.StatusOK || len(notices.Items) != 1 || notices.Items[0].Status != "scheduled" {
		t.Errorf("pending notices: %d %+v, want one scheduled under the order", code, notices.Items)
	}
	if code := reviewer.api(http.MethodPost, "/api/v1/requests/"+id+"/production", map[string]any{}, nil); code != http.StatusConflict {
		t.Errorf("rebuilding a ready package: %d, want 409", code)
	}
	for path, want := range map[string]string{"/provider/notices": "waiting for the order to end"} {
		if resp, page := reviewer.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("%s: %d, missing %q", path, resp.StatusCode, want)
		}
	}

	// Sealed for the agency: register a recipient, produce again.
	identity, _ := age.GenerateX25519Identity()
	var rc struct{ Recipient *string }
	if code := riverside.call(http.MethodPut, "/api/v1/agency/recipient", map[string]any{"recipient": identity.Recipient().String()}, &rc); code != http.StatusOK || rc.Recipient == nil {
		t.Fatalf("register recipient: %d %+v", code, rc)
	}
	if code := riverside.call(http.MethodPut, "/api/v1/agency/recipient", map[string]any{"recipient": identity.String()}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("registering the secret key: %d, want 422", code)
	}
	sealedID := fileOne()
	approve(t, intake, reviewer, sealedID)
	if p := waitReady(t, riverside, sealedID); p.Sealing != "recipient" {
		t.Errorf("second production %+v, want sealed to the recipient", p)
	}
	resp, sealed := riverside.get("/api/v1/requests/" + sealedID + "/production")
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(strings.Trim(resp.Header.Get("Content-Disposition"), `"`), ".zip.age") {
		t.Fatalf("sealed download: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	plain, err := age.Decrypt(bytes.NewReader(sealed), identity)
	if err != nil {
		t.Fatalf("open with the agency's identity: %v", err)
	}
	opened, _ := io.ReadAll(plain)
	verifyPackage(t, opened, ed25519.PublicKey(pub))

	// The officer's settings page shows the recipient and the packages.
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example")
	resp, page := officer.get("/agency/settings")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, identity.Recipient().String()) || !strings.Contains(page, "/agency/requests/"+sealedID+"/production") {
		t.Errorf("settings page: %d\n%s", resp.StatusCode, page)
	}
	// The dashboard shows the officer's notifications: the packages ready.
	if resp, dash := officer.get("/agency"); resp.StatusCode != http.StatusOK || !strings.Contains(dash, "Package ready: ") {
		t.Errorf("the agency's dashboard shows no package-ready notification: %d", resp.StatusCode)
	}
	resp, page = officer.postForm("/agency/settings/recipient", map[string][]string{"csrf_token": {officer.csrf(page)}, "recipient": {"not-a-key"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "age recipient") {
		t.Errorf("a bad recipient from the page: %d", resp.StatusCode)
	}
	if resp, b := officer.get("/agency/requests/" + sealedID + "/production"); resp.StatusCode != http.StatusOK || !bytes.Equal([]byte(b), sealed) {
		t.Errorf("the page's download: %d, %d bytes", resp.StatusCode, len(b))
	}
	// Signed in with the password alone, the download first asks for the
	// second factor, and then downloads (the policy's step-up).
	passwordOnly := newBrowser(t, base)
	passwordOnly.signIn("officer@riverside-pd.example")
	resp, page = passwordOnly.get("/agency/requests/" + sealedID + "/production")
	if !strings.HasPrefix(resp.Request.URL.Path, "/idp/") {
		t.Fatalf("a download without a second factor went to %s (%d), want the provider's sign-in", resp.Request.URL, resp.StatusCode)
	}
	if resp, b := passwordOnly.providerForm(resp, page, "officer@riverside-pd.example"); resp.StatusCode != http.StatusOK || !bytes.Equal([]byte(b), sealed) {
		t.Errorf("the download after the second factor: %s %d, %d bytes", resp.Request.URL, resp.StatusCode, len(b))
	}

	// After its link expires, the package is gone: 410.
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Exec(`UPDATE productions SET expires_at = ? WHERE request_id = ?`, time.Now().Add(-time.Minute), id).Error; err != nil {
		t.Fatal(err)
	}
	if resp, _ := riverside.get("/api/v1/requests/" + id + "/production"); resp.StatusCode != http.StatusGone {
		t.Errorf("an expired link: %d, want 410", resp.StatusCode)
	}
	var deleted int64
	d.Raw(`SELECT COUNT(*) FROM productions WHERE request_id = ? AND status = 'expired' AND deleted_at IS NOT NULL`, id).Scan(&deleted)
	if deleted != 1 {
		t.Error("the expired package was not deleted")
	}
	var downloads int64
	d.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'production.download' AND outcome = 'success'`).Scan(&downloads)
	if downloads != 4 {
		t.Errorf("%d downloads audited, want 4", downloads)
	}
	var held int64
	d.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'production.download' AND outcome = 'denied' AND details LIKE '%confirm it is you%'`).Scan(&held)
	if held != 1 {
		t.Errorf("%d downloads held for the second factor audited, want 1", held)
	}
}
