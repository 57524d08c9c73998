package translog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
)

// Events: the request lifecycle events that become leaves.
const (
	EventReceived  = "received"  // the agency submitted the request
	EventDecided   = "decided"   // the provider decided it; Outcome says how
	EventDisclosed = "disclosed" // the production was released to the agency
	EventWithdrawn = "withdrawn" // the agency withdrew it
	EventPreserved = "preserved" // data was preserved under a preservation request; Accounts counts the accounts held

	// Later events carry what transparency reports count beyond the
	// decision, in the same format (version 1), so older leaves and older
	// readers stay valid: a reader that does not know an event skips it.
	// None of them names an account: a notice leaf carries a count.
	EventNDOLifted       = "ndo_lifted"        // the non-disclosure order of the request ended (once per request)
	EventNoticeSent      = "notice_sent"       // user notices left for Accounts affected accounts
	EventFollowUpOverdue = "follow_up_overdue" // the legal process owed after an emergency disclosure is overdue
)

// Request types, as transparency reports count them.
const (
	TypeLegalProcess = "legal_process"
	TypeEmergency    = "emergency"
	TypePreservation = "preservation"
)

// Outcomes of a decided event.
const (
	OutcomeApproved  = "approved"   // everything asked for that the law allows
	OutcomeNarrowed  = "narrowed"   // approved for less than was asked
	OutcomeRejected  = "rejected"   // nothing disclosed
	OutcomeNoRecords = "no_records" // approved, but no data exists
)

// RejectedBecause returns the outcome of a rejection with its reason code,
// such as "rejected.overbroad": the reason is a workflow reason code (a
// token), never the reviewer's text. Leaves written before reasons were
// recorded say just "rejected".
func RejectedBecause(reasonCode string) string {
	if reasonCode == "" {
		return OutcomeRejected
	}
	return OutcomeRejected + "." + reasonCode
}

// RejectReason returns the reason code of a rejection outcome, "" for a
// plain "rejected", and ok false for any other outcome.
func RejectReason(outcome string) (reason string, ok bool) {
	if outcome == OutcomeRejected {
		return "", true
	}
	reason, ok = strings.CutPrefix(outcome, OutcomeRejected+".")
	return reason, ok
}

// FormatVersion is the leaf format described at Record.
const FormatVersion = 1

// A Record is what one leaf publishes about one lifecycle event of one
// request, and nothing else: no names, no identifiers, no docket, no offence.
// The request is named only through Commitment, a salted hash of its
// reference that only the agency (which holds the reference and, from its
// receipt, the salt) can open.
//
// A leaf's bytes are the Record as compact JSON with exactly these keys in
// exactly this order and no whitespace, for example:
//
//	{"v":1,"event":"received","commitment":"9f…(64 hex)","date":"2026-11-20","country":"US","agency_kind":"police","process":"us.subpoena","request_type":"legal_process","categories":["connection_log","subscriber"],"outcome":"","accounts":1,"ndo":true}
//
// Every string is drawn from a small alphabet that JSON never escapes, and
// categories are sorted and unique, so anyone can rebuild the exact bytes
// from the values (see Encode) and a leaf has exactly one encoding (Parse
// refuses any other).
type Record struct {
	Version     int      `json:"v"`            // FormatVersion
	Event       string   `json:"event"`        // one of the Event constants
	Commitment  string   `json:"commitment"`   // hex SHA-256 of salt || reference (see Commit)
	Date        day.Date `json:"date"`         // the UTC day of the event
	Country     string   `json:"country"`      // the agency's country, ISO 3166-1 alpha-2
	AgencyKind  string   `json:"agency_kind"`  // police, prosecutor, …
	Process     string   `json:"process"`      // the catalogue id, such as "us.subpoena"
	RequestType string   `json:"request_type"` // legal_process, emergency or preservation
	Categories  []string `json:"categories"`   // received: asked for; decided and later: authorised
	Outcome     string   `json:"outcome"`      // "" for received; for decided one of the Outcome constants
	Accounts    int      `json:"accounts"`     // how many accounts (targets) the request specifies
	NDO         bool     `json:"ndo"`          // a court ordered the user not be told
}

var (
	tokenRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
	hashRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Validate reports what is wrong with r, if anything.
func (r Record) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.Version != FormatVersion {
		bad("version %d is not %d", r.Version, FormatVersion)
	}
	if !tokenRE.MatchString(r.Event) {
		bad("event %q is not a token", r.Event)
	}
	if !hashRE.MatchString(r.Commitment) {
		bad("commitment is not 64 lowercase hex digits")
	}
	if r.Date.IsZero() {
		bad("date is missing")
	}
	if !countryRE.MatchString(r.Country) {
		bad("country %q is not ISO 3166-1 alpha-2", r.Country)
	}
	if !tokenRE.MatchString(r.AgencyKind) {
		bad("agency kind %q is not a token", r.AgencyKind)
	}
	if !tokenRE.MatchString(r.Process) {
		bad("process %q is not a token", r.Process)
	}
	switch r.RequestType {
	case TypeLegalProcess, TypeEmergency, TypePreservation:
	default:
		bad("request type %q is not one of %s, %s, %s", r.RequestType, TypeLegalProcess, TypeEmergency, TypePreservation)
	}
	for i, c := range r.Categories {
		if !tokenRE.MatchString(c) {
			bad("category %q is not a token", c)
		}
		if i > 0 && r.Categories[i-1] >= c {
			bad("categories are not sorted and unique")
		}
	}
	if r.Outcome != "" && !tokenRE.MatchString(r.Outcome) {
		bad("outcome %q is not a token", r.Outcome)
	}
	if r.Accounts < 0 {
		bad("accounts %d is negative", r.Accounts)
	}
	if len(problems) > 0 {
		return fmt.Errorf("translog: invalid record: %v", problems)
	}
	return nil
}

// Encode returns the leaf bytes of r, after sorting and de-duplicating its
// categories. It fails if r does not validate.
func (r Record) Encode() ([]byte, error) {
	cats := slices.Clone(r.Categories)
	slices.Sort(cats)
	r.Categories = slices.Compact(cats)
	if r.Categories == nil {
		r.Categories = []string{} // "[]", never "null"
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// ParseRecord reads leaf bytes. It accepts exactly the encoding Encode
// produces: unknown keys, other key orders, whitespace or escapes are refused,
// so one record has one leaf and one leaf hash.
func ParseRecord(leaf []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(leaf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("translog: leaf is not a record: %w", err)
	}
	again, err := r.Encode()
	if err != nil {
		return Record{}, err
	}
	if !bytes.Equal(again, leaf) {
		return Record{}, errors.New("translog: leaf is not in canonical form")
	}
	return r, nil
}

// SaltSize is the length of a commitment's salt in bytes.
const SaltSize = 32

// Commit returns the commitment to a request reference: the hex SHA-256 of
// the salt's bytes followed by the reference's bytes (ASCII, such as
// "WD-2026-000123"). Without the salt nobody can test guesses of the
// reference against it.
func Commit(salt []byte, reference string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(reference))
	return hex.EncodeToString(h.Sum(nil))
}
