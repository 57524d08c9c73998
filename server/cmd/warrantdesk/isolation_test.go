package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/web"
)

// TestEveryRequestRouteIsolated walks every route the router registers that
// names a request id, and calls it as another agency — its API system and
// its signed-in officer — and as an officer of Riverside itself the request
// is not shared with (need-to-know: only its filer, the colleagues it is
// shared with and the supervisors see it), with the id of a real request of
// Riverside and with an id that does not exist. Both must answer alike (404
// on the API and agency pages; the provider's pages are closed to agencies
// whatever the id), so a request's existence never leaks across agencies,
// nor inside one. A route added later is covered without touching this test.
func TestEveryRequestRouteIsolated(t *testing.T) {
	base := MustRunMain(t)
	// Riverside's system files on its own (no officer named), so its
	// officer is a colleague the draft is not shared with.
	riverside := newSystemClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")
	var r apiReq
	if got := riverside.call(http.MethodPost, "/api/v1/requests", subpoena, &r); got != http.StatusCreated {
		t.Fatalf("create: %d", got)
	}
	code, body := riverside.upload("/api/v1/requests/"+r.ID+"/documents", "order.pdf", minimalPDF())
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	var doc struct{ ID string }
	_ = json.Unmarshal([]byte(body), &doc)

	officer := newBrowser(t, base)
	officer.login("officer@northshire-police.example")
	_, page := officer.get("/agency")
	csrf := officer.csrf(page)
	colleague := newBrowser(t, base)
	colleague.login("officer@riverside-pd.example")
	_, page = colleague.get("/agency")
	colleagueCSRF := colleague.csrf(page)

	cfg := config.Default()
	cfg.BaseURL = base
	srv, err := web.New(web.Deps{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	const missingID, missingDoc = "01900000-0000-7000-8000-000000000000", "00000000-0000-4000-8000-000000000000"
	fill := func(path, id, docID string) string {
		p := strings.ReplaceAll(path, ":id", id)
		for _, param := range []string{":doc", ":name", ":message", ":person"} {
			p = strings.ReplaceAll(p, param, docID)
		}
		return p
	}
	// outsiders call a route as someone who may not know the request: by
	// the API (bearer token or session) and on the pages.
	outsiders := []struct {
		who  string
		api  func(method, path string) (int, string)
		page func(method, path string) (int, string)
	}{
		{"another agency", northshire.raw, func(method, path string) (int, string) { return officer.raw(method, path, csrf) }},
		{"a colleague it is not shared with", colleague.rawAPI,
			func(method, path string) (int, string) { return colleague.raw(method, path, colleagueCSRF) }},
	}
	checked := 0
	for _, rt := range srv.Routes() {
		if !strings.Contains(rt.Path, "/requests/:id") {
			continue
		}
		checked++
		for _, o := range outsiders {
			call := o.page
			if strings.HasPrefix(rt.Path, "/api/") {
				call = o.api
			}
			theirs, theirBody := call(rt.Method, fill(rt.Path, r.ID, doc.ID))
			missing, missingBody := call(rt.Method, fill(rt.Path, missingID, missingDoc))
			// 404 where the route serves agencies; a provider-only route may
			// refuse an agency outright (403) — decided on who calls, never on
			// the id, so it is the same answer for a missing request.
			if theirs != missing || (theirs != http.StatusNotFound && theirs != http.StatusForbidden) {
				t.Errorf("%s %s as %s: Riverside's request %d, missing %d; want the same 404 (or a role 403) for both", rt.Method, rt.Path, o.who, theirs, missing)
			}
			if strings.HasPrefix(rt.Path, "/agency/") && theirs != http.StatusNotFound {
				t.Errorf("%s %s as %s: %d, want 404", rt.Method, rt.Path, o.who, theirs)
			}
			if strings.HasPrefix(rt.Path, "/api/") && detail(theirBody) != detail(missingBody) {
				t.Errorf("%s %s as %s: details differ: %q vs %q", rt.Method, rt.Path, o.who, detail(theirBody), detail(missingBody))
			}
		}
	}
	t.Logf("checked %d routes that name a request id", checked)
	if checked < 10 {
		t.Errorf("only %d routes name a request id; the walk is broken", checked)
	}
}

func detail(body string) string {
	var p struct{ Detail string }
	_ = json.Unmarshal([]byte(body), &p)
	return p.Detail
}

// rawBody is a plausible API body for the method, and its content type.
func rawBody(method, path string) (io.Reader, string) {
	if method == http.MethodGet {
		return nil, ""
	}
	if strings.HasSuffix(path, "/documents") {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "x.pdf")
		fw.Write(minimalPDF())
		mw.Close()
		return &buf, mw.FormDataContentType()
	}
	return strings.NewReader(`{}`), "application/json"
}

// raw calls the API with a plausible body for the method.
func (a *apiClient) raw(method, path string) (int, string) {
	a.t.Helper()
	body, ctype := rawBody(method, path)
	req, _ := http.NewRequest(method, a.base+path, body)
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("If-Match", `"1"`)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// rawAPI calls the API as the signed-in person (its session; a JSON or
// multipart body needs no CSRF token) with a plausible body for the method.
func (b *browser) rawAPI(method, path string) (int, string) {
	b.t.Helper()
	body, ctype := rawBody(method, path)
	req, _ := http.NewRequest(method, b.base+path, body)
	req.Header.Set("If-Match", `"1"`)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// raw calls a page as the signed-in person, with the CSRF token on writes.
func (b *browser) raw(method, path, csrf string) (int, string) {
	b.t.Helper()
	if method == http.MethodGet {
		resp, page := b.get(path)
		return resp.StatusCode, page
	}
	if strings.HasSuffix(path, "/documents") {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "x.pdf")
		fw.Write(minimalPDF())
		mw.Close()
		resp, page := b.do(method, path+"?csrf_token="+url.QueryEscape(csrf), mw.FormDataContentType(), &buf)
		return resp.StatusCode, page
	}
	resp, page := b.postForm(path, url.Values{"csrf_token": {csrf}, "version": {"1"}, "body": {"hello"}})
	return resp.StatusCode, page
}
