package policy

import (
	"encoding/json"
	"fmt"
)

// A decoder reads a decision's value (maps, slices, strings, json.Number,
// bools, as the rego package returns them) and keeps the first shape error,
// so that a policy returning the wrong shape is an error, not a zero value.
type decoder struct {
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) object(v any, what string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail("%s: want an object, got %T", what, v)
	}
	return m
}

func (d *decoder) field(m map[string]any, key string) any {
	v, ok := m[key]
	if !ok {
		d.fail("missing %q", key)
	}
	return v
}

func (d *decoder) string(m map[string]any, key string) string {
	v := d.field(m, key)
	s, ok := v.(string)
	if !ok && v != nil {
		d.fail("%s: want a string, got %T", key, v)
	}
	return s
}

func (d *decoder) boolean(m map[string]any, key string) bool {
	v := d.field(m, key)
	b, ok := v.(bool)
	if !ok && v != nil {
		d.fail("%s: want a boolean, got %T", key, v)
	}
	return b
}

func (d *decoder) integer(m map[string]any, key string) int {
	v := d.field(m, key)
	n, ok := v.(json.Number)
	if !ok {
		d.fail("%s: want a number, got %T", key, v)
		return 0
	}
	i, err := n.Int64()
	if err != nil {
		d.fail("%s: want an integer: %v", key, err)
	}
	return int(i)
}

func (d *decoder) array(m map[string]any, key string) []any {
	v := d.field(m, key)
	a, ok := v.([]any)
	if !ok && v != nil {
		d.fail("%s: want an array, got %T", key, v)
	}
	return a
}

func (d *decoder) strings(m map[string]any, key string) []string {
	return d.stringList(d.field(m, key), key)
}

// stringList decodes a list of strings; null is an empty list.
func (d *decoder) stringList(v any, what string) []string {
	a, ok := v.([]any)
	if !ok && v != nil {
		d.fail("%s: want an array, got %T", what, v)
	}
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, ok := x.(string)
		if !ok {
			d.fail("%s: want strings, got %T", what, x)
			continue
		}
		out = append(out, s)
	}
	return out
}

// reasons decodes a list of {"code", "text"} objects.
func (d *decoder) reasons(m map[string]any, key string) []Reason {
	a := d.array(m, key)
	out := make([]Reason, 0, len(a))
	for _, x := range a {
		o := d.object(x, key+"[]")
		out = append(out, Reason{Code: d.string(o, "code"), Text: d.string(o, "text")})
	}
	return out
}
