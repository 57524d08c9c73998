package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// codeMalformedJSON is a body no JSON parser should be trusted to read the
// same way as another: not JSON at all, not UTF-8, or an object that names
// a member twice. It answers 400, not 422: nothing in the body was read, so
// there is no field to correct, only a body to send again.
const codeMalformedJSON errs.Code = "malformed_json"

// checkJSON refuses a body that is not exactly one JSON value in UTF-8
// (RFC 8259), that escapes half of a UTF-16 surrogate pair, or whose objects
// name a member twice. RFC 8259 leaves duplicate names undefined, and
// parsers differ (encoding/json keeps the last, others the first), so a
// body that one component reads as one request and another as a second is
// refused outright, as I-JSON (RFC 7493) asks. Returns codeMalformedJSON
// with the offending place as the field.
func checkJSON(b []byte) error {
	if !utf8.Valid(b) {
		return malformed("body", errs.E(codeMalformedJSON, "The body is not UTF-8 text: send JSON encoded as UTF-8."))
	}
	if !json.Valid(b) {
		var v any
		var se *json.SyntaxError
		if err := json.Unmarshal(b, &v); errors.As(err, &se) {
			return malformed("body", errs.E(codeMalformedJSON, "The body is not JSON: it breaks off or goes wrong at byte %d.", se.Offset))
		}
		return malformed("body", errs.E(codeMalformedJSON, "The body is not JSON."))
	}
	if loneSurrogate(b) {
		return malformed("body", errs.E(codeMalformedJSON, `The body escapes half of a UTF-16 surrogate pair (such as "\ud800" alone), which is not a character.`))
	}
	if name, ok := duplicateName(b); ok {
		return malformed(name, errs.E(codeMalformedJSON, "The body names %s twice: send each member of an object once.", strconv.Quote(name)))
	}
	return nil
}

// malformed gives e the field it is about, with e's message.
func malformed(field string, e *errs.Error) error {
	e.Fields = []errs.FieldError{{Field: field, Message: e.Message, Format: e.Format, Args: e.Args}}
	return e
}

// loneSurrogate reports whether the valid JSON b has a \u escape of a
// high surrogate not followed by one of a low surrogate, or a low one on
// its own. Outside strings valid JSON has no backslash, and inside them
// every escape is well-formed, so a plain scan suffices.
func loneSurrogate(b []byte) bool {
	hex := func(i int) (rune, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := hex(i)
		switch {
		case !ok:
			i++ // a two-byte escape such as \" or \\
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			if lo, ok := hex(i + 6); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		default:
			i += 5
		}
	}
	return false
}

// duplicateName walks the valid JSON b and returns the path of the first
// member an object names twice ("targets[1].type"), comparing names as
// decoded, so "a" and "\u0061" are the same name.
func duplicateName(b []byte) (string, bool) {
	type frame struct {
		names   map[string]bool // nil in an array
		path    string
		index   int    // the next element's index, in an array
		name    string // the current member's name, in an object
		wantKey bool
	}
	var stack []*frame
	child := func(f *frame) string {
		switch {
		case f == nil:
			return ""
		case f.names == nil:
			return fmt.Sprintf("%s[%d]", f.path, f.index)
		case f.path == "":
			return f.name
		}
		return f.path + "." + f.name
	}
	// done moves the container on top past the value that just ended.
	done := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.names != nil {
			f.wantKey = true
		} else {
			f.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", false
		}
		if err != nil {
			return "", false // checkJSON has already refused invalid JSON
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.wantKey {
			name, ok := tok.(string)
			if !ok { // the closing brace
				stack = stack[:len(stack)-1]
				done()
				continue
			}
			top.name, top.wantKey = name, false
			if top.names[name] {
				return child(top), true
			}
			top.names[name] = true
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{names: map[string]bool{}, path: child(top), wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: child(top)})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}
