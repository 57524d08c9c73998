package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// daysFromToday is the UTC date n days from today, so that the tests' orders
// stay valid whenever they run.
func daysFromToday(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

var subpoena = map[string]any{
	"process":           "us.subpoena",
	"issuing_authority": map[string]any{"kind": "court", "name": "Superior Court of Riverside County", "signed_by": "Hon. A. Example"},
	"docket":            "CR-2026-01234",
	"issued_on":         daysFromToday(-5),
	"expires_on":        daysFromToday(87),
	"targets":           []any{map[string]any{"type": "phone", "value": "+1 555 0100 123"}},
	"date_from":         daysFromToday(-116),
	"date_to":           daysFromToday(-24),
	"categories":        []any{"subscriber", "connection_log", "content"},
	"nondisclosure":     map[string]any{"ordered": true, "until": daysFromToday(176)},
	"offence":           map[string]any{"description": "armed robbery", "max_penalty_years": 20},
	"summary":           "Suspect's phone used to arrange the robbery.",
}

type apiReq struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Version   int    `json:"version"`
	Targets   []struct {
		Type, Value string
	} `json:"targets"`
	Scope struct {
		Categories []string `json:"categories"`
		Refused    []struct {
			Category string `json:"category"`
			Reason   string `json:"reason"`
		} `json:"refused"`
	} `json:"scope"`
	History []struct {
		Action string `json:"action"`
	} `json:"history"`
}

type apiProblem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field, Message string
	} `json:"errors"`
}

// TestAPIFiling files a request end to end over the API as an agency system
// would, and proves another agency cannot see or touch it.
func TestAPIFiling(t *testing.T) {
	base := MustRunMain(t, "WARRANTDESK_MAX_UPLOAD=64KiB")
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	northshire := newAPIClient(t, base, "northshire-cms", "northshire-demo-secret")

	var r apiReq
	if got := riverside.call(http.MethodPost, "/api/v1/requests", subpoena, &r); got != http.StatusCreated {
		t.Fatalf("create: status %d", got)
	}
	if !regexp.MustCompile(`^WD-\d{4}-\d{6}$`).MatchString(r.Reference) || r.Status != "draft" {
		t.Errorf("created %q with status %q, want a WD-YYYY-NNNNNN draft", r.Reference, r.Status)
	}
	if got, want := r.Targets[0].Value, "+15550100123"; got != want {
		t.Errorf("target normalised to %q, want %q", got, want)
	}
	if len(r.Scope.Refused) == 0 || r.Scope.Refused[0].Category != "content" || !strings.Contains(r.Scope.Refused[0].Reason, "end-to-end encrypted") {
		t.Errorf("content not refused with its reason: %+v", r.Scope.Refused)
	}

	t.Run("BadInputNamesFields", func(t *testing.T) {
		bad := map[string]any{"process": "us.subpoena", "date_from": "2026-13-01", "categories": []any{"subscriber", "telepathy"},
			"targets": []any{map[string]any{"type": "phone", "value": "not a number"}}}
		var p apiProblem
		if got := riverside.call(http.MethodPost, "/api/v1/requests", bad, &p); got != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", got)
		}
		fields := map[string]bool{}
		for _, e := range p.Errors {
			fields[e.Field] = true
		}
		for _, f := range []string{"date_from"} {
			if !fields[f] {
				t.Errorf("problem does not name %q: %+v", f, p.Errors)
			}
		}
	})

	t.Run("UploadRejectsNonPDFAndOversize", func(t *testing.T) {
		for _, tc := range []struct {
			desc    string
			content []byte
			want    int
		}{
			{"not a PDF", []byte("<html>not a pdf</html>"), http.StatusUnsupportedMediaType},
			{"truncated PDF", minimalPDF()[:40], http.StatusUnprocessableEntity},
			{"too large", append(minimalPDF(), bytes.Repeat([]byte{' '}, 80<<10)...), http.StatusRequestEntityTooLarge},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				got, body := riverside.upload("/api/v1/requests/"+r.ID+"/documents", "order.pdf", tc.content)
				if got != tc.want && !(tc.want == http.StatusUnprocessableEntity && got == http.StatusUnsupportedMediaType) {
					t.Errorf("status %d, want %d: %s", got, tc.want, body)
				}
				if !strings.Contains(body, `"field":"file"`) {
					t.Errorf("problem does not name the field file: %s", body)
				}
			})
		}
	})

	if got, body := riverside.upload("/api/v1/requests/"+r.ID+"/documents", "signed order.pdf", minimalPDF()); got != http.StatusCreated {
		t.Fatalf("upload: %d %s", got, body)
	}
	if got := riverside.call(http.MethodPost, "/api/v1/requests/"+r.ID+"/submit", nil, &r); got != http.StatusOK || r.Status != "submitted" {
		t.Fatalf("submit: status %d, request status %q", got, r.Status)
	}

	t.Run("OtherAgencyGets404LikeMissing", func(t *testing.T) {
		missing := "01900000-0000-7000-8000-000000000000"
		for _, tc := range []struct {
			method, path string
		}{
			{http.MethodGet, "/api/v1/requests/%s"},
			{http.MethodPatch, "/api/v1/requests/%s"},
			{http.MethodPost, "/api/v1/requests/%s/submit"},
			{http.MethodGet, "/api/v1/requests/%s/documents/00000000-0000-0000-0000-000000000000"},
		} {
			var theirs, none apiProblem
			gotTheirs := northshire.callIfMatch(tc.method, strings.Replace(tc.path, "%s", r.ID, 1), &theirs)
			gotNone := northshire.callIfMatch(tc.method, strings.Replace(tc.path, "%s", missing, 1), &none)
			if gotTheirs != http.StatusNotFound || gotNone != http.StatusNotFound || theirs.Detail != none.Detail {
				t.Errorf("%s %s: other agency's %d %q, missing %d %q; want identical 404s", tc.method, tc.path, gotTheirs, theirs.Detail, gotNone, none.Detail)
			}
		}
		if got, _ := northshire.upload("/api/v1/requests/"+r.ID+"/documents", "x.pdf", minimalPDF()); got != http.StatusNotFound {
			t.Errorf("upload to other agency's request: %d, want 404", got)
		}
		var list struct {
			Items []apiReq `json:"items"`
		}
		northshire.call(http.MethodGet, "/api/v1/requests", nil, &list)
		for _, it := range list.Items {
			if it.ID == r.ID {
				t.Error("northshire's list includes riverside's request")
			}
		}
	})

	t.Run("AnonymousGets401", func(t *testing.T) {
		resp, err := specClient(t).Get(base + "/api/v1/requests/" + r.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("anonymous: %d %s, want 401 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

func (a *apiClient) callIfMatch(method, path string, out any) int {
	a.t.Helper()
	if method == http.MethodPatch {
		req, _ := http.NewRequest(method, a.base+path, strings.NewReader(`{"summary":"x"}`))
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", `"1"`)
		resp, err := a.http.Do(req)
		if err != nil {
			a.t.Fatal(err)
		}
		defer resp.Body.Close()
		decodeInto(resp, out)
		return resp.StatusCode
	}
	return a.call(method, path, nil, out)
}

// TestBrowserFiling files a request through the HTML form's steps with a
// plain HTTP client (no script, as the pages must work without it): each
// step saves the draft; a mistake is refused beside its field; a form
// without its CSRF token or from another site is refused; submitting an
// incomplete draft lists what is missing, each linked to the step that
// asks it; the order is uploaded in the flow; and a reviewer finds the
// request, while another agency's officer cannot open its steps.
func TestBrowserFiling(t *testing.T) {
	base := MustRunMain(t)
	officer := newBrowser(t, base)
	officer.login("officer@riverside-pd.example")

	_, page := officer.get("/agency/requests/new")
	token := officer.csrf(page)
	if resp, page := officer.postForm("/agency/requests", url.Values{"csrf_token": {token}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `id="f-process-error"`) {
		t.Errorf("no process chosen: %d, want 422 with the error beside the process", resp.StatusCode)
	}

	t.Run("NoCSRFTokenRefused", func(t *testing.T) {
		if resp, _ := officer.postForm("/agency/requests", url.Values{"process": {"us.subpoena"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("without CSRF token: %d, want 403", resp.StatusCode)
		}
	})

	t.Run("CrossOriginRefused", func(t *testing.T) {
		form := url.Values{"csrf_token": {token}, "process": {"us.subpoena"}}
		req, _ := http.NewRequest(http.MethodPost, base+"/agency/requests", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := officer.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site post: %d, want 403", resp.StatusCode)
		}
	})

	resp, page := officer.postForm("/agency/requests", url.Values{"csrf_token": {token}, "process": {"us.subpoena"}})
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/steps/order") {
		t.Fatalf("choose the process: %d at %s\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	steps := strings.TrimSuffix(resp.Request.URL.Path, "/order")
	detail := strings.TrimSuffix(steps, "/steps")
	ref := regexp.MustCompile(`WD-\d{4}-\d{6}`).FindString(page)
	version := regexp.MustCompile(`name="version" value="(\d+)"`)
	post := func(step string, page string, form url.Values) (*http.Response, string) {
		t.Helper()
		form.Set("csrf_token", officer.csrf(page))
		form.Set("version", version.FindStringSubmatch(page)[1])
		return officer.postForm(steps+"/"+step, form)
	}

	t.Run("FieldErrorsBesideFields", func(t *testing.T) {
		resp, bad := post("order", page, url.Values{"authority_kind": {"court"}, "authority_name": {"Superior Court"}, "issued_on": {"2026-02-30"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad, `id="f-issued_on-error"`) ||
			!strings.Contains(bad, "There is a problem") || !strings.Contains(bad, `value="Superior Court"`) {
			t.Errorf("bad date: status %d, want 422 with the error beside issued_on and the rest kept", resp.StatusCode)
		}
	})

	t.Run("StaleStepSaysSo", func(t *testing.T) {
		stale := strings.Replace(page, `name="version" value="`, `name="version" value="9`, 1)
		if resp, _ := post("order", stale, url.Values{"authority_kind": {"court"}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("a step saved over a newer draft: %d, want 409", resp.StatusCode)
		}
	})

	for _, st := range []struct {
		step string
		form url.Values
		next string
	}{
		{"order", url.Values{"authority_kind": {"court"}, "authority_name": {"Superior Court of Riverside County"}, "authority_signed_by": {"Hon. A. Example"},
			"docket": {"CR-2026-01234"}, "issued_on": {daysFromToday(-5)}, "expires_on": {daysFromToday(87)}}, "/steps/document"},
		{"targets", url.Values{"target_type": {"phone"}, "target_value": {"+1 (555) 010-0123"}}, "/steps/data"},
		{"data", url.Values{"date_from": {daysFromToday(-116)}, "date_to": {daysFromToday(-24)}, "categories": {"subscriber", "connection_log"}}, "/steps/offence"},
		{"offence", url.Values{"offence_description": {"armed robbery"}, "offence_max_penalty": {"20"}, "offence_penalty_unit": {"years"}, "summary": {"Filed from the page."}}, "/check"},
	} {
		_, page = officer.get(steps + "/" + st.step)
		resp, page = post(st.step, page, st.form)
		if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, st.next) {
			t.Fatalf("step %s: %d at %s, want %s\n%s", st.step, resp.StatusCode, resp.Request.URL.Path, st.next, page)
		}
	}
	if !strings.Contains(page, "15550100123") || !strings.Contains(page, "CR-2026-01234") {
		t.Errorf("check your answers lacks the target or the docket:\n%s", page)
	}

	// Submitted without the order: the summary links to the step for it.
	resp, page = officer.postForm(detail+"/submit", url.Values{"csrf_token": {officer.csrf(page)}, "from": {"check"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="`+steps+`/document?return=check#f-file"`) {
		t.Fatalf("submit without the order: %d, want 422 linking to the upload step\n%s", resp.StatusCode, page)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "order.pdf")
	fw.Write(minimalPDF())
	mw.Close()
	resp, page = officer.do(http.MethodPost, detail+"/documents?next=document&csrf_token="+url.QueryEscape(officer.csrf(page)), mw.FormDataContentType(), &buf)
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/steps/document") || !strings.Contains(page, "order.pdf") {
		t.Fatalf("upload in the flow: %d at %s\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	resp, page = officer.postForm(detail+"/submit", url.Values{"csrf_token": {officer.csrf(page)}, "from": {"check"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "submitted") {
		t.Fatalf("submit from page: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := officer.get(steps + "/order"); !strings.HasSuffix(resp.Request.URL.Path, detail) {
		t.Errorf("a submitted request's step opens %s, want the request page", resp.Request.URL.Path)
	}

	reviewer := newBrowser(t, base)
	reviewer.login("reviewer@provider.example")
	if _, page := reviewer.get("/provider"); !strings.Contains(page, ref) {
		t.Errorf("the provider's list does not show %s", ref)
	}

	other := newBrowser(t, base)
	other.login("officer@northshire-police.example")
	for _, path := range []string{detail, steps + "/order", detail + "/check"} {
		if resp, _ := other.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another agency's officer opening %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestSecurityHeaders checks the headers every page carries.
func TestSecurityHeaders(t *testing.T) {
	base := MustRunMain(t)
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, tc := range []struct{ header, want string }{
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "same-origin"},
		{"X-Frame-Options", "DENY"},
	} {
		if got := resp.Header.Get(tc.header); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.header, got, tc.want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "script-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}

	// HEAD is answered as GET, headers and status without the body; a
	// state change is still only a POST.
	for _, tc := range []struct {
		path string
		want int
	}{{"/", http.StatusOK}, {"/healthz", http.StatusOK}, {"/api/v1/catalogue", http.StatusOK}, {"/agency", http.StatusSeeOther}, {"/api/v1/requests", http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodHead, base+tc.path, nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || len(b) != 0 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("HEAD %s: %d with %d body bytes, want %d and none", tc.path, resp.StatusCode, len(b), tc.want)
		}
	}
}

// TestReadyzReportsIssuers: /readyz says whether each trusted identity
// provider can be reached (the demo's answers), without making a
// provider's outage the portal's.
func TestReadyzReportsIssuers(t *testing.T) {
	base := MustRunMain(t)
	var ready struct {
		Status string
		Checks map[string]string
	}
	code, body := httpGet(t, base+"/readyz")
	if err := json.Unmarshal([]byte(body), &ready); err != nil || code != http.StatusOK {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	if got := ready.Checks["issuer "+base+"/idp"]; ready.Status != "ready" || got != "ok" {
		t.Errorf("/readyz = %s, want ready with the demo issuer ok", body)
	}
}

// TestIdentityProvidersPage: an administrator connecting an identity
// provider sees each trusted issuer checked now — the demo's working, its
// introspection endpoint too, with the URIs to register — and nobody else
// may look.
func TestIdentityProvidersPage(t *testing.T) {
	base := MustRunMain(t)
	admin := newBrowser(t, base)
	admin.login("admin@provider.example")
	resp, page := admin.get("/provider/identity")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/provider/identity as admin: %d", resp.StatusCode)
	}
	for _, want := range []string{base + "/idp", "Working", "Discovery", "Signing keys", base + "/auth/callback", base + "/auth/backchannel-logout", "Riverside Police Department",
		"Introspection", base + "/idp/oauth/introspect answers the portal&#39;s resource-server credentials"} {
		if !strings.Contains(page, want) {
			t.Errorf("the identity providers page lacks %q", want)
		}
	}
	if strings.Contains(page, "Needs attention") {
		t.Errorf("the demo issuer needs attention:\n%s", page)
	}

	// A test sign-in as an agency's officer shows who they would be here,
	// and leaves the administrator signed in as themselves.
	resp, page = admin.postForm("/provider/identity/test", url.Values{"csrf_token": {admin.csrf(page)}, "issuer": {base + "/idp"}})
	if !strings.HasPrefix(resp.Request.URL.Path, "/idp/") {
		t.Fatalf("a test sign-in went to %s (%d), want the provider's sign-in", resp.Request.URL, resp.StatusCode)
	}
	resp, page = admin.providerForm(resp, page, "officer@riverside-pd.example")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Would sign in") || !strings.Contains(page, "Riverside Police Department") ||
		!strings.Contains(page, "officer@riverside-pd.example") {
		t.Fatalf("the test sign-in's result: %d\n%s", resp.StatusCode, page)
	}
	if resp, page := admin.get("/provider/identity"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Identity providers") {
		t.Errorf("after a test sign-in the administrator's session is gone: %d", resp.StatusCode)
	}
	if resp, _ := admin.get("/agency"); resp.StatusCode == http.StatusOK {
		t.Error("a test sign-in as an officer signed the administrator in as the officer")
	}

	reviewer := newBrowser(t, base)
	reviewer.login("reviewer@provider.example")
	if resp, _ := reviewer.get("/provider/identity"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("/provider/identity as a reviewer: %d, want 403", resp.StatusCode)
	}
}
