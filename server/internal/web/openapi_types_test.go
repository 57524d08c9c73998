package web

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// TestOpenAPIDescribesTheTypes holds the document's schemas to the Go types
// the API serialises, field by field: the same property names, a type that
// fits, null allowed where a pointer may be nil, and nothing required that
// the type may leave out (omitempty). The end-to-end tests check the
// answers their flows produce; this catches a field that no flow fills
// yet, such as one added to a type for a case the tests do not reach.
func TestOpenAPIDescribesTheTypes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiDoc)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema string
		value  any
	}{
		{"Problem", problem{}},
		{"Request", apiRequest{}},
		{"RequestList", apiRequestList{}},
		{"Document", apiDocument{}},
		{"WorkflowStatus", apiWorkflowStatus{}},
		{"QueuePage", apiQueuePage{}},
		{"NotificationPage", apiNotificationPage{}},
		{"Agency", apiAgency{}},
		{"AgencyRecord", apiAgencyRecord{}},
		{"AgencyDocument", apiAgencyDocument{}},
		{"CallbackEntry", agency.CallbackEntry{}},
		{"AgencyVerification", agency.Verification{}},
		{"AgencyStatusChange", agency.StatusChange{}},
		{"Callback", apiCallback{}},
		{"Person", apiPerson{}},
		{"AuditPage", apiAuditPage{}},
		{"LogEntries", apiLogEntries{}},
		{"Proof", apiProof{}},
		{"Receipt", apiReceipt{}},
		{"ProductionKey", apiProductionKey{}},
		{"Production", apiProduction{}},
		{"Recipient", apiRecipient{}},
		{"SupervisorList", apiSupervisorList{}},
		{"ShareList", apiShareList{}},
		{"Notice", apiNotice{}},
		{"TransparencyReportVersion", apiReportVersion{}},
		{"TransparencyReport", apiReport{}},
		{"TransparencyReportBody", transparency.Report{}},
		{"Catalogue", policy.Catalogue{}},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			s := doc.Components.Schemas[tc.schema]
			if s == nil {
				t.Fatalf("openapi.json has no schema %s", tc.schema)
			}
			matchType(t, tc.schema, s, reflect.TypeOf(tc.value), false)
		})
	}
}

var (
	typeTime       = reflect.TypeFor[time.Time]()
	typeDate       = reflect.TypeFor[day.Date]()
	typeRaw        = reflect.TypeFor[json.RawMessage]()
	typeMarshaler  = reflect.TypeFor[json.Marshaler]()
	typeBytesSlice = reflect.TypeFor[[]byte]()
)

// matchType reports, as errors of t, where schema s (at path at) does not
// describe how encoding/json writes a value of type typ. mayBeNull says the
// value may be written as null (a pointer without omitempty).
func matchType(t *testing.T, at string, s *openapi3.SchemaRef, typ reflect.Type, mayBeNull bool) {
	t.Helper()
	v := s.Value
	// {"oneOf": [X, {"type": "null"}]} is X or null.
	if len(v.OneOf) == 2 && v.OneOf[1].Value.Type.Is("null") {
		v = v.OneOf[0].Value
	} else if mayBeNull && !v.Type.Permits("null") {
		t.Errorf("%s: the Go value may be null (%s), the schema does not allow it", at, typ)
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	want := func(jsonType string) {
		if !v.Type.Permits(jsonType) {
			t.Errorf("%s: Go writes a %s (%s), the schema says %v", at, jsonType, typ, v.Type.Slice())
		}
	}
	switch {
	case typ == typeRaw || typ.Kind() == reflect.Interface:
		return // any JSON value, as recorded
	case typ == typeTime:
		want("string")
		if v.Format != "date-time" {
			t.Errorf("%s: a time.Time is a date-time, the schema's format is %q", at, v.Format)
		}
		return
	case typ == typeDate:
		want("string")
		if v.Format != "date" {
			t.Errorf("%s: a day.Date is a date, the schema's format is %q", at, v.Format)
		}
		return
	case typ.Implements(typeMarshaler) || reflect.PointerTo(typ).Implements(typeMarshaler):
		return // its own encoding (a transparency count, a percentage)
	case typ == typeBytesSlice:
		want("string")
		return
	}
	switch typ.Kind() {
	case reflect.String:
		want("string")
	case reflect.Bool:
		want("boolean")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want("integer")
	case reflect.Float32, reflect.Float64:
		want("number")
	case reflect.Slice, reflect.Array:
		want("array")
		if v.Items == nil {
			t.Errorf("%s: an array without items", at)
			return
		}
		matchType(t, at+"[]", v.Items, typ.Elem(), false)
	case reflect.Map:
		want("object")
		if v.AdditionalProperties.Schema == nil {
			t.Errorf("%s: a map, but the schema has no additionalProperties schema", at)
			return
		}
		matchType(t, at+"{}", v.AdditionalProperties.Schema, typ.Elem(), false)
	case reflect.Struct:
		want("object")
		fields := jsonFields(typ)
		for name, f := range fields {
			p := v.Properties[name]
			if p == nil {
				t.Errorf("%s: Go writes %q (%s.%s), the schema does not describe it", at, name, typ.Name(), f.goName)
				continue
			}
			matchType(t, at+"."+name, p, f.typ, f.typ.Kind() == reflect.Pointer && !f.omitempty)
		}
		for name := range v.Properties {
			if _, ok := fields[name]; !ok {
				t.Errorf("%s: the schema describes %q, which %s never writes", at, name, typ)
			}
		}
		for _, name := range v.Required {
			if f, ok := fields[name]; ok && f.omitempty {
				t.Errorf("%s: the schema requires %q, which Go leaves out when empty (omitempty)", at, name)
			}
		}
	default:
		t.Errorf("%s: no rule for Go type %s", at, typ)
	}
}

type jsonField struct {
	goName    string
	typ       reflect.Type
	omitempty bool
}

// jsonFields lists the properties encoding/json writes for a struct,
// embedded structs' fields included.
func jsonFields(typ reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for f := range typ.Fields() {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		// An embedded struct's fields are written as the outer one's, even
		// when its type is unexported.
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = jsonField{goName: f.Name, typ: f.Type, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty")}
	}
	return out
}
