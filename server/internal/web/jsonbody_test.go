package web

import (
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

func TestCheckJSON(t *testing.T) {
	for _, tc := range []struct {
		desc      string
		body      string
		wantField string // "" when the body is accepted
	}{
		{"an object", `{"process": "warrant", "targets": [{"type": "phone", "value": "1"}]}`, ""},
		{"the same name in two objects", `{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}`, ""},
		{"an empty object and list", `{"a": {}, "b": [], "c": [[], {}]}`, ""},
		{"a scalar", `"text"`, ""},
		{"a surrogate pair", `{"emoji": "\ud83d\ude00", "quote": "\\ud800 is text here"}`, ""},
		{"other escapes", `{"a": "\"\\\/\b\f\n\r\t\u00e9"}`, ""},
		{"not JSON", `process=warrant`, "body"},
		{"trailing data", `{"a": 1} {"a": 2}`, "body"},
		{"cut short", `{"a": [1, 2`, "body"},
		{"invalid UTF-8", "{\"a\": \"\xff\xfe\"}", "body"},
		{"a lone high surrogate", `{"a": "\ud800"}`, "body"},
		{"a high surrogate then text", `{"a": "\ud800x\udc00"}`, "body"},
		{"a lone low surrogate", `{"a": "\udc00"}`, "body"},
		{"a duplicate at the top", `{"process": "a", "docket": "1", "process": "b"}`, "process"},
		{"a duplicate by escape", `{"a": 1, "\u0061": 2}`, "a"},
		{"a duplicate in a nested object", `{"offence": {"grounds": [], "grounds": ["x"]}}`, "offence.grounds"},
		{"a duplicate in a list", `{"targets": [{"type": "phone"}, {"type": "email", "type": "phone"}]}`, "targets[1].type"},
		{"a duplicate after a nested list", `{"a": [[1], {"b": 1}], "a": 2}`, "a"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			err := checkJSON([]byte(tc.body))
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Code != codeMalformedJSON || len(e.Fields) != 1 {
				t.Fatalf("got %v, want %s", err, codeMalformedJSON)
			}
			if got := e.Fields[0].Field; got != tc.wantField {
				t.Errorf("field %q, want %q (%s)", got, tc.wantField, e.Message)
			}
			if statuses[e.Code] != 400 {
				t.Errorf("status %d, want 400", statuses[e.Code])
			}
		})
	}
}
