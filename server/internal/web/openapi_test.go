package web

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIDocumentIsValid loads the document as a client generator
// would and checks it against the OpenAPI 3.1 specification, then holds it
// to the document's own rules: every operation has an operationId (the
// name a generated client gives it), and every object that names its
// properties is closed (additionalProperties false), so that a property the
// server adds without describing it fails the end-to-end tests
// (cmd/warrantdesk/apispec_test.go) instead of a client.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiDoc)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI: %v", err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
		}
	}
	var raw any
	if err := json.Unmarshal(openapiDoc, &raw); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				if v["additionalProperties"] != false {
					t.Errorf("%s names its properties but does not close them (additionalProperties: false)", at)
				}
				for name, p := range props {
					walk(p, at+"/properties/"+name)
				}
			}
			for k, x := range v {
				if k != "properties" {
					walk(x, at+"/"+k)
				}
			}
		case []any:
			for i, x := range v {
				walk(x, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(raw, "#")
}

// TestOpenAPICoversEveryRoute keeps the OpenAPI document honest: every
// /api/v1 route the router registers is described, with the same method.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := mustRouter(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, r := range s.engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("openapi.json describes %s but not its %s", path, r.Method)
		}
	}
}
