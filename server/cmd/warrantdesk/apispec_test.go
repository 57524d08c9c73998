package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The API's end-to-end tests hold the server to its OpenAPI document: every
// call they make to /api/v1 goes through specTransport, which checks the
// request and the answer (status, content type, headers, body; successes
// and problem documents alike) against the operation of the document the
// call matches, with kin-openapi's openapi3filter. The document forbids
// properties it does not name, so a field the server adds without
// describing it fails the test that received it, as it would fail a client
// generated from the document.

func init() {
	// Bodies that are bytes, not JSON: the document describes them as
	// strings (binary where they are files).
	for _, ct := range []string{"application/pdf", "application/zip", "application/x-ndjson", "application/x-pem-file"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// apiSpec is the document the server serves at /api/v1/openapi.json,
// loaded and validated once per test binary.
var apiSpec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// loadSpec fetches the document from the first server that asks, and
// validates it as OpenAPI. Every server of the run serves the same
// (embedded) bytes.
func loadSpec(next http.RoundTripper, base string) (*openapi3.T, routers.Router, error) {
	apiSpec.once.Do(func() {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/openapi.json", nil)
		resp, err := next.RoundTrip(req)
		if err != nil {
			apiSpec.err = err
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			apiSpec.err = fmt.Errorf("GET /api/v1/openapi.json: %d %v", resp.StatusCode, err)
			return
		}
		apiSpec.doc, apiSpec.router, apiSpec.err = parseSpec(data)
	})
	return apiSpec.doc, apiSpec.router, apiSpec.err
}

func parseSpec(data []byte) (*openapi3.T, routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi.json does not load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi.json: %w", err)
	}
	return doc, router, nil
}

// specClient is an HTTP client whose calls to /api/v1 are held to the
// document; failures are errors of tb.
func specClient(tb testing.TB) *http.Client {
	return &http.Client{Transport: &specTransport{tb: tb, next: http.DefaultTransport}}
}

// specTransport validates the /api/v1 calls that go through it (see the
// top of this file); other calls pass untouched.
type specTransport struct {
	tb   testing.TB
	next http.RoundTripper
}

func (s *specTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// HEAD is GET without a body: the document describes GET.
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.Method == http.MethodHead {
		return s.next.RoundTrip(req)
	}
	doc, router, err := loadSpec(s.next, req.URL.Scheme+"://"+req.URL.Host)
	if err != nil {
		s.tb.Errorf("%v", err)
		return s.next.RoundTrip(req)
	}
	// The body is read once and sent, and checked, from a copy: a
	// RoundTripper must not change the request it is given.
	var reqBody []byte
	if req.Body != nil {
		reqBody, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	withBody := func() *http.Request {
		r := req.Clone(req.Context())
		if req.Body != nil {
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		return r
	}

	// The request as the document sees it: an undocumented operation, or a
	// request the document forbids, must be refused by the server.
	route, params, routeErr := router.FindRoute(req)
	var in *openapi3filter.RequestValidationInput
	var reqErr error
	if routeErr == nil {
		in = &openapi3filter.RequestValidationInput{Request: withBody(), PathParams: params, Route: route,
			Options: specOptions(&openapi3filter.Options{AuthenticationFunc: presentCredentials})}
		reqErr = openapi3filter.ValidateRequest(req.Context(), in)
	}

	resp, err := s.next.RoundTrip(withBody())
	if err != nil {
		return resp, err
	}
	data, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if readErr != nil {
		// The server cut the body short on purpose (a stream that failed):
		// pass the failure on as it came, there is no whole answer to check.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{readErr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))

	call := req.Method + " " + req.URL.RequestURI()
	if routeErr != nil {
		// No operation: the server must say so with a problem document.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			s.tb.Errorf("openapi: %s answered %d, but the document has no such operation (%v)", call, resp.StatusCode, routeErr)
		} else if err := validateProblem(doc, resp, data); err != nil {
			s.tb.Errorf("openapi: %s answered %d with what is not a problem document:\n%s\nbody: %s", call, resp.StatusCode, indent(err), clip(data))
		}
		return resp, nil
	}
	op := req.Method + " " + route.Path
	apiCoverage.record(s.tb.Name(), op, resp.StatusCode)
	if reqErr != nil && resp.StatusCode < 400 {
		s.tb.Errorf("openapi: %s (%s): the document forbids this request, yet the server answered %d:\n%s",
			call, op, resp.StatusCode, indent(reqErr))
	}
	if err := validateResponse(in, resp, data); err != nil {
		s.tb.Errorf("openapi: %s (%s) answered %d %s, which the document does not allow:\n%s\nbody: %s",
			call, op, resp.StatusCode, resp.Header.Get("Content-Type"), indent(err), clip(data))
	}
	return resp, nil
}

// validateResponse checks an answer against its operation: a documented
// status, a documented content type, and a body that matches its schema.
func validateResponse(in *openapi3filter.RequestValidationInput, resp *http.Response, data []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(data)),
		Options:                specOptions(&openapi3filter.Options{IncludeResponseStatus: true}),
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return err
	}
	// openapi3filter does not look at a body the document says nothing of.
	if r := in.Route.Operation.Responses.Status(resp.StatusCode); r != nil && len(r.Value.Content) == 0 && len(data) > 0 {
		return fmt.Errorf("the document describes no body for %d, but the server sent %d bytes", resp.StatusCode, len(data))
	}
	return nil
}

// validateProblem checks an answer that no operation describes (404 or 405
// for an address the API does not have) against the Problem schema.
func validateProblem(doc *openapi3.T, resp *http.Response, data []byte) error {
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("content type %q, not application/problem+json", ct)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return doc.Components.Schemas["Problem"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaErrorMessage))
}

// specOptions reports every problem of a body, not only the first.
func specOptions(o *openapi3filter.Options) *openapi3filter.Options {
	o.MultiError = true
	o.WithCustomSchemaErrorFunc(schemaErrorMessage)
	return o
}

// schemaErrorMessage says where in the body a problem is (its JSON path)
// and what is wrong there, without kin-openapi's dump of the schema and
// the value.
func schemaErrorMessage(err *openapi3.SchemaError) string {
	return "at /" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
}

// presentCredentials stands in for the server's authentication: the
// request carries the credentials a security scheme of the document names.
// Whether they are good is the server's to say (401), not the document's.
func presentCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	switch in.SecuritySchemeName {
	case "bearer":
		if strings.HasPrefix(h.Get("Authorization"), "Bearer ") {
			return nil
		}
	case "session":
		if _, err := in.RequestValidationInput.Request.Cookie(in.SecurityScheme.Name); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// indent lays out an error of openapi3filter (often several, one per
// property) one problem a line.
func indent(err error) string {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		lines = append(lines, "  "+strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	walk(err)
	return strings.Join(lines, "\n")
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// apiCoverage records which operations answered which statuses, by test.
var apiCoverage = &opCoverage{seen: map[string]map[string][]int{}}

type opCoverage struct {
	mu   sync.Mutex
	seen map[string]map[string][]int // test name → operation → statuses
}

func (c *opCoverage) record(test, op string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[test] == nil {
		c.seen[test] = map[string][]int{}
	}
	if !slices.Contains(c.seen[test][op], status) {
		c.seen[test][op] = append(c.seen[test][op], status)
	}
}

// statuses returns, for every operation, the statuses it answered to the
// test named test and its subtests.
func (c *opCoverage) statuses(test string) map[string][]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]int{}
	for name, ops := range c.seen {
		if name != test && !strings.HasPrefix(name, test+"/") {
			continue
		}
		for op, sts := range ops {
			for _, st := range sts {
				if !slices.Contains(out[op], st) {
					out[op] = append(out[op], st)
				}
			}
		}
	}
	for op := range out {
		sort.Ints(out[op])
	}
	return out
}
