package metadata

import (
	"database/sql"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// A Field is one field of a category's records: its name in the JSON
// objects and the CSV header, and what it means (the package's README
// prints it for the recipient).
type Field struct {
	Name        string
	Description string
}

// A Record is one extracted record, encoded twice as the package needs it:
// a JSON object and a CSV line (RFC 4180, CRLF). Both slices are reused for
// the next record: a consumer copies what it keeps.
type Record struct {
	JSON []byte
	CSV  []byte
}

// encoder builds one Record field by field, without reflection or
// per-field allocation: the connection log of one account can hold
// millions of records.
type encoder struct {
	rec    Record
	fields int
	raw    [3]sql.RawBytes // scan buffers for text columns, reused row to row
	// only, when not nil, is the fields a record may hold: every other
	// field is left out of both encodings (Scope.Fields). A category's
	// scan always reads its whole row; what leaves is decided here, in one
	// place for both the generic and the PostgreSQL path.
	only []string
}

// skip reports whether field name is left out of the record.
func (e *encoder) skip(name string) bool {
	return e.only != nil && !slices.Contains(e.only, name)
}

func (e *encoder) begin() {
	e.rec.JSON = append(e.rec.JSON[:0], '{')
	e.rec.CSV = e.rec.CSV[:0]
	e.fields = 0
}

func (e *encoder) end() *Record {
	e.rec.JSON = append(e.rec.JSON, '}')
	e.rec.CSV = append(e.rec.CSV, '\r', '\n')
	return &e.rec
}

func (e *encoder) key(name string) {
	if e.fields > 0 {
		e.rec.JSON = append(e.rec.JSON, ',')
		e.rec.CSV = append(e.rec.CSV, ',')
	}
	e.fields++
	e.rec.JSON = append(e.rec.JSON, '"')
	e.rec.JSON = append(e.rec.JSON, name...)
	e.rec.JSON = append(e.rec.JSON, '"', ':')
}

// str adds a string field.
func (e *encoder) str(name, v string) { e.bytes(name, []byte(v)) }

// bytes adds a string field given as bytes (a column scanned into
// sql.RawBytes, which saves an allocation per value on the hot path).
func (e *encoder) bytes(name string, v []byte) {
	if e.skip(name) {
		return
	}
	e.key(name)
	if plain(v) {
		// The common case (ids, addresses, event names): nothing to
		// escape or quote in either format.
		e.rec.JSON = append(e.rec.JSON, '"')
		e.rec.JSON = append(e.rec.JSON, v...)
		e.rec.JSON = append(e.rec.JSON, '"')
		e.rec.CSV = append(e.rec.CSV, v...)
		return
	}
	e.rec.JSON = appendJSONString(e.rec.JSON, v)
	e.rec.CSV = appendCSVField(e.rec.CSV, v)
}

// plain reports whether v needs neither JSON escaping nor CSV quoting:
// printable ASCII without quotes, backslashes or commas, not starting or
// ending with a space.
func plain(v []byte) bool {
	for _, c := range v {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == ',' {
			return false
		}
	}
	return len(v) == 0 || v[0] != ' ' && v[len(v)-1] != ' '
}

// text adds a free-text field chosen by the account holder (a profile
// name). In CSV a leading =, +, -, @, tab or carriage return is prefixed
// with an apostrophe, so a spreadsheet opening the file never evaluates it
// as a formula; the JSON keeps the value exactly.
func (e *encoder) text(name, v string) {
	if e.skip(name) {
		return
	}
	e.key(name)
	e.rec.JSON = appendJSONString(e.rec.JSON, []byte(v))
	if v != "" {
		switch v[0] {
		case '=', '+', '-', '@', '\t', '\r':
			v = "'" + v
		}
	}
	e.rec.CSV = appendCSVField(e.rec.CSV, []byte(v))
}

// optStr adds a string field that may be absent (JSON null, CSV empty).
func (e *encoder) optStr(name string, v *string) {
	if v == nil {
		e.null(name)
		return
	}
	e.str(name, *v)
}

func (e *encoder) null(name string) {
	if e.skip(name) {
		return
	}
	e.key(name)
	e.rec.JSON = append(e.rec.JSON, "null"...)
}

func (e *encoder) int(name string, v int64) {
	if e.skip(name) {
		return
	}
	e.key(name)
	e.rec.JSON = strconv.AppendInt(e.rec.JSON, v, 10)
	e.rec.CSV = strconv.AppendInt(e.rec.CSV, v, 10)
}

// timeLayout is how every time is written: RFC 3339 in UTC, to the second.
const timeLayout = "2006-01-02T15:04:05Z"

func (e *encoder) time(name string, t time.Time) {
	if e.skip(name) {
		return
	}
	e.key(name)
	var buf [24]byte
	ts := appendTime(buf[:0], t)
	e.rec.JSON = append(e.rec.JSON, '"')
	e.rec.JSON = append(e.rec.JSON, ts...)
	e.rec.JSON = append(e.rec.JSON, '"')
	e.rec.CSV = append(e.rec.CSV, ts...)
}

// appendTime writes t in timeLayout. Digits are written directly: this is
// the hottest call of a large extraction, and time.AppendFormat's general
// layout parser costs several times as much.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, timeLayout)
	}
	h, mi, s := t.Clock()
	return append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10), 'Z')
}

func (e *encoder) optTime(name string, t *time.Time) {
	if t == nil {
		e.null(name)
		return
	}
	e.time(name, *t)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but end lines in JavaScript.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendCSVField appends s as one RFC 4180 field, quoted when it holds a
// comma, a quote, a line break or leading or trailing space.
func appendCSVField(b []byte, s []byte) []byte {
	quote := len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ')
	for i := 0; i < len(s) && !quote; i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			quote = true
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// CSVHeader returns the header line of a category's CSV file.
func CSVHeader(fields []Field) []byte {
	var b []byte
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f.Name...)
	}
	return append(b, '\r', '\n')
}
