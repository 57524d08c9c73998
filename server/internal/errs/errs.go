// Package errs defines the one application error type used across warrantdesk.
//
// An Error carries a Code (what kind of failure, which the web layer maps to an
// HTTP status), a Message that is safe to show to the person who caused it, and
// optional field errors for validation. The wrapped cause is for logs only and
// must never reach a client: it may name tables, paths or secrets.
package errs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A Code classifies an error for callers and for the HTTP layer.
type Code string

// Codes. Anything that is not an *Error is reported as Internal, and the person
// only sees "Internal error."
const (
	Invalid         Code = "invalid"         // the input is malformed; fix it and retry
	NotFound        Code = "not_found"       // no such thing, or not yours to see
	Conflict        Code = "conflict"        // the state changed or forbids this; re-read and retry
	Unauthenticated Code = "unauthenticated" // sign in first
	Forbidden       Code = "forbidden"       // signed in, but not allowed
	PolicyDenied    Code = "policy_denied"   // the legal policy refuses it; reasons say why
	TooLarge        Code = "too_large"       // the body or upload exceeds a limit
	Unsupported     Code = "unsupported"     // wrong media type
	Gone            Code = "gone"            // existed, but no longer available
	RateLimited     Code = "rate_limited"    // too many requests; slow down and retry
	Unavailable     Code = "unavailable"     // a dependency is down; retry later
	Internal        Code = "internal"        // a bug or an infrastructure failure
)

// A FieldError names one invalid input field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Format and Args are the message before formatting: its English
	// format string is its id in the translation catalogues (package
	// locale), so a page or an API detail can say it in the reader's
	// language. Empty Format: Message is the id.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// Say returns the message in a language: sprintf is a locale printer's
// Sprintf, which translates an English format and formats it.
func (f FieldError) Say(sprintf func(string, ...any) string) string {
	if f.Format == "" {
		return sprintf(f.Message)
	}
	return sprintf(f.Format, sayArgs(sprintf, f.Args)...)
}

// A Text is a message kept to be said later, as its English format and
// arguments: made by Msg, so that the format is a translation id. As an
// argument of an Error's or a FieldError's message it is said in the
// reader's language too; anywhere else it formats as English.
type Text struct {
	Format string
	Args   []any
}

// Msg returns a Text: a message one part of a longer message says.
func Msg(format string, args ...any) Text { return Text{Format: format, Args: args} }

// String returns the message in English.
func (t Text) String() string { return fmt.Sprintf(t.Format, t.Args...) }

// Say returns the message in a language: sprintf is a locale printer's
// Sprintf.
func (t Text) Say(sprintf func(string, ...any) string) string {
	return sprintf(t.Format, sayArgs(sprintf, t.Args)...)
}

// sayArgs returns args with each Text said in sprintf's language.
func sayArgs(sprintf func(string, ...any) string, args []any) []any {
	var out []any
	for i, a := range args {
		if t, ok := a.(Text); ok {
			if out == nil {
				out = slices.Clone(args)
			}
			out[i] = t.Say(sprintf)
		}
	}
	if out == nil {
		return args
	}
	return out
}

// An Error is an application error with a safe message.
type Error struct {
	Code    Code
	Message string       // safe to show; never contains internal detail
	Format  string       // Message's English format, its id in the translation catalogues
	Args    []any        // Message's arguments
	Fields  []FieldError // validation problems, one per field
	Allowed []string     // for Conflict on a state machine: the actions that are allowed
	Err     error        // the cause, for logs only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause. It must never be shown to a client.
func (e *Error) Unwrap() error { return e.Err }

// E returns an *Error with a code and a safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Say returns the error's message in a language: sprintf is a locale
// printer's Sprintf. Its field errors say themselves.
func (e *Error) Say(sprintf func(string, ...any) string) string {
	if e.Format == "" {
		return sprintf(e.Message)
	}
	return sprintf(e.Format, sayArgs(sprintf, e.Args)...)
}

// Wrap returns an *Error with a code, a safe message and a cause for the logs.
func Wrap(err error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, Format: message, Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message returns the safe message of the first *Error in err's chain, or
// "Internal error." for anything else.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal && e.Message != "" {
		return e.Message
	}
	return msgInternal
}

// msgInternal is all a client learns of an error that is not an *Error.
const msgInternal = "Internal error."

// TextOf returns err's safe message (Message) as a Text, to be said inside
// another message in the reader's language.
func TextOf(err error) Text {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal && e.Message != "" {
		if e.Format == "" {
			return Text{Format: "%s", Args: []any{e.Message}}
		}
		return Text{Format: e.Format, Args: e.Args}
	}
	return Text{Format: msgInternal}
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects field errors while validating an input, so that every
// problem is reported at once rather than the first one only.
type Fields []FieldError

// Add records a problem with one field.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// Has reports whether the named field already has a problem.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns an Invalid *Error listing every field problem, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "Some fields need attention.", Format: "Some fields need attention.", Fields: f}
}

// Clip shortens s to at most n characters (runes) for quoting in a message
// or keeping in a bounded column, marking a cut with "…".
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
