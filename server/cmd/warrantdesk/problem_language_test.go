package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// langProblem is a problem document with its title, which stays English.
type langProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// TestAPIProblemLanguage: an API problem document says its detail and its
// field messages in the caller's Accept-Language; its type, title and field
// names are codes, in English for every caller. Without the header it is
// English.
func TestAPIProblemLanguage(t *testing.T) {
	base := MustRunMain(t)
	riverside := newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret")
	post := func(body, lang string) langProblem {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/requests", bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+riverside.token)
		req.Header.Set("Content-Type", "application/json")
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		resp, err := riverside.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("Content-Type %q", ct)
		}
		var p langProblem
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Status != resp.StatusCode {
			t.Errorf("status %d in a %d answer", p.Status, resp.StatusCode)
		}
		return p
	}
	for _, tc := range []struct {
		desc, body             string
		status                 int
		title, field           string
		enDetail, deDetail     string
		enFieldMsg, deFieldMsg string
	}{
		{"invalid fields", `{"process": 5}`, http.StatusUnprocessableEntity, "Invalid input", "process",
			"Some fields need attention.", "Bitte prüfen Sie die Angaben in einigen Feldern.",
			"Send text (a JSON string).", "Senden Sie Text (einen JSON-String)."},
		{"a member named twice", `{"docket": "A", "docket": "B"}`, http.StatusBadRequest, "Malformed JSON", "docket",
			`The body names "docket" twice: send each member of an object once.`,
			`Der Body nennt "docket" zweimal: Senden Sie jedes Element eines Objekts nur einmal.`,
			`The body names "docket" twice: send each member of an object once.`,
			`Der Body nennt "docket" zweimal: Senden Sie jedes Element eines Objekts nur einmal.`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			en, de := post(tc.body, ""), post(tc.body, "de-DE,de;q=0.9,en;q=0.5")
			for _, p := range []langProblem{en, de} {
				if p.Status != tc.status || p.Title != tc.title || len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
					t.Errorf("problem %+v: want status %d, title %q and one error about %q", p, tc.status, tc.title, tc.field)
				}
			}
			if en.Type != de.Type {
				t.Errorf("type %q in English, %q in German: a type is a code", en.Type, de.Type)
			}
			if en.Detail != tc.enDetail || de.Detail != tc.deDetail {
				t.Errorf("detail %q / %q, want %q / %q", en.Detail, de.Detail, tc.enDetail, tc.deDetail)
			}
			if len(en.Errors) == 1 && len(de.Errors) == 1 && (en.Errors[0].Message != tc.enFieldMsg || de.Errors[0].Message != tc.deFieldMsg) {
				t.Errorf("field message %q / %q, want %q / %q", en.Errors[0].Message, de.Errors[0].Message, tc.enFieldMsg, tc.deFieldMsg)
			}
		})
	}
}
