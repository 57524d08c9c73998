package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// rawCall sends body as it is (not marshalled) with the client's token, and
// decodes a problem answer into p.
func (a *apiClient) rawCall(method, path, ctype string, body []byte) (int, apiProblem, http.Header) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", ctype)
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var p apiProblem
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			a.t.Fatalf("%s %s: problem: %v", method, path, err)
		}
	}
	return resp.StatusCode, p, resp.Header
}

// TestAPIMalformedJSON: a body that is not JSON, not UTF-8, or names a
// member twice is refused with 400 and says why; well-formed JSON that
// fails validation stays 422.
func TestAPIMalformedJSON(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	r := fileRequest(t, riverside)

	for _, tc := range []struct {
		desc, path, body string
		want             int
		wantField        string
		wantDetail       string
	}{
		{"not JSON at all", "/api/v1/requests", `process=us.subpoena&docket=1`, http.StatusBadRequest, "body", "not JSON"},
		{"cut short", "/api/v1/requests", `{"process": "us.subpoena"`, http.StatusBadRequest, "body", "not JSON"},
		{"two values", "/api/v1/requests", `{"process": "us.subpoena"} {}`, http.StatusBadRequest, "body", "not JSON"},
		{"not UTF-8", "/api/v1/requests", "{\"process\": \"us.subpoena\", \"docket\": \"\xc0\xaf\"}", http.StatusBadRequest, "body", "UTF-8"},
		{"half a surrogate pair", "/api/v1/requests", `{"docket": "\ud800"}`, http.StatusBadRequest, "body", "surrogate"},
		{"a duplicate member", "/api/v1/requests", `{"process": "us.subpoena", "process": "us.warrant"}`, http.StatusBadRequest, "process", "twice"},
		{"a duplicate in a target", "/api/v1/requests", `{"targets": [{"type": "phone", "value": "+1 555 0100 123", "value": "+1 555 0100 124"}]}`,
			http.StatusBadRequest, "targets[0].value", "twice"},
		{"a duplicate in a workflow body", "/api/v1/requests/" + r.ID + "/transitions", `{"action": "submit", "action": "withdraw"}`,
			http.StatusBadRequest, "action", "twice"},
		{"well-formed but invalid", "/api/v1/requests", `{"process": 5}`, http.StatusUnprocessableEntity, "process", ""},
		{"well-formed but not an object", "/api/v1/requests", `["process"]`, http.StatusUnprocessableEntity, "body", ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			code, p, _ := riverside.rawCall(http.MethodPost, tc.path, "application/json", []byte(tc.body))
			if code != tc.want {
				t.Fatalf("status %d, want %d: %+v", code, tc.want, p)
			}
			if len(p.Errors) == 0 || p.Errors[0].Field != tc.wantField || !strings.Contains(p.Detail, tc.wantDetail) {
				t.Errorf("problem %+v, want field %q and a detail saying %q", p, tc.wantField, tc.wantDetail)
			}
			if tc.want == http.StatusBadRequest && p.Type != "https://warrantdesk.example/problems/malformed_json" {
				t.Errorf("type %q", p.Type)
			}
		})
	}
}
