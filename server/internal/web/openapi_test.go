package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// TestOpenAPICoversEveryRoute keeps the OpenAPI document honest: every
// /api/v1 route the router registers is described, with the same method.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	cfg := config.Default()
	cfg.BaseURL = "http://127.0.0.1:8080"
	s, err := New(Deps{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
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
