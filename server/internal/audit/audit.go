// Package audit keeps the hash-chained audit trail: every action in
// warrantdesk appends one Event, in the same database transaction as the
// change it records, and each event carries the SHA-256 of the one before.
// The tables are append-only (database triggers refuse UPDATE and DELETE).
// Editing, deleting or reordering a stored event past the triggers breaks
// the chain, and so does cutting off its tail, because the chain's head is
// signed from time to time with the transparency log's key (Anchor): Verify
// recomputes everything and names the first bad event.
//
// Appending does not make concurrent actions wait for each other's commits:
// an event that finds the chain's head taken is queued in its transaction
// and chained moments later (see Append and Flush). Auditors read the trail
// with Find, which records their reading in it too.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeDenied  = "denied"
	OutcomeFailure = "failure"
)

// GenesisHash is the prev_hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// An Actor is who did something, as the audit trail records it.
type Actor struct {
	Issuer   string
	Subject  string
	Role     string
	AgencyID string

	// Via is the agency system acting for the person (an RFC 8693 token
	// exchange): Append records it in the event's details as
	// "acting_system", so the actor stays the person and the trail names
	// the system too. Not a column of its own.
	Via *Via `gorm:"-"`
}

// A Via is the agency system an actor acted through: its people row and
// its subject (client id) at the agency's provider.
type Via struct {
	PersonID string `json:"id"`
	Subject  string `json:"subject"`
}

// An Event is one audited action.
type Event struct {
	Seq        int64     `gorm:"column:seq;primaryKey;autoIncrement:false"`
	At         time.Time `gorm:"column:at"`
	Actor      Actor     `gorm:"embedded;embeddedPrefix:actor_"`
	Action     string    `gorm:"column:action"`      // e.g. "request.create", "auth.login"
	ObjectType string    `gorm:"column:object_type"` // e.g. "request", "agency", "session"
	ObjectID   string    `gorm:"column:object_id"`
	Outcome    string    `gorm:"column:outcome"`
	RequestID  string    `gorm:"column:request_id"`
	Decision   string    `gorm:"column:decision"` // policy decision JSON, where one applies
	Details    string    `gorm:"column:details"`  // JSON
	PrevHash   string    `gorm:"column:prev_hash"`
	Hash       string    `gorm:"column:hash"`
}

// TableName maps Event onto audit_events.
func (Event) TableName() string { return "audit_events" }

type head struct {
	Seq  int64  `gorm:"column:seq"`
	Hash string `gorm:"column:hash"`
}

// Append records ev inside tx, the transaction of the change it records:
// if that change rolls back, so does its audit event, and if the event
// cannot be written, the change fails with it.
//
// The event is chained at once if the chain head is free: it then gets the
// next sequence number and the hash of the event before it, and the head
// stays locked until tx ends, so the chain never forks. If another
// transaction holds the head (on PostgreSQL, with several callers at once),
// Append does not wait for that transaction's commit: it queues ev in
// audit_pending, in tx, and the next transaction to take the head (or
// Flush, which the log signer runs every second) chains it. Either way
// appending never serialises the server on one commit at a time. A
// transaction that takes the head first chains the queue, oldest first.
func Append(ctx context.Context, tx *gorm.DB, ev Event) error {
	tx = tx.WithContext(ctx)
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	// Stored times are compared after a round trip through the database, so
	// keep the precision both dialects preserve.
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	if ev.Outcome == "" {
		ev.Outcome = OutcomeSuccess
	}
	if ev.Actor.Via != nil {
		ev.Details = withDetail(ev.Details, "acting_system", ev.Actor.Via)
		ev.Actor.Via = nil
	}
	h, ok, err := takeHead(tx)
	if err != nil {
		return err
	}
	if !ok {
		p := pendingOf(ev)
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("audit: queue %s: %w", ev.Action, err)
		}
		return nil
	}
	from := h
	if h, _, err = chainPending(tx, h, inlineBatch); err != nil {
		return err
	}
	ev.Seq = h.Seq + 1
	ev.PrevHash = h.Hash
	ev.Hash = Hash(ev)
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("audit: append %s: %w", ev.Action, err)
	}
	return moveHead(tx, from, head{Seq: ev.Seq, Hash: ev.Hash})
}

// Hash returns the SHA-256 (hex) that chains ev: over the previous hash and
// every recorded field in a fixed, length-prefixed encoding, so that no two
// different events can encode to the same bytes. Verify recomputes it from
// the stored rows with the same encoding (see appendChainInput).
func Hash(ev Event) string {
	fields := [numFields][]byte{
		[]byte(ev.Actor.Issuer), []byte(ev.Actor.Subject), []byte(ev.Actor.Role), []byte(ev.Actor.AgencyID),
		[]byte(ev.Action), []byte(ev.ObjectType), []byte(ev.ObjectID), []byte(ev.Outcome),
		[]byte(ev.RequestID), []byte(ev.Decision), []byte(ev.Details),
	}
	sum := sha256.Sum256(appendChainInput(nil, []byte(ev.PrevHash), ev.Seq, ev.At, &fields))
	return hex.EncodeToString(sum[:])
}

// numFields is the number of text fields an event hashes after its previous
// hash, seq and time.
const numFields = 11

// appendChainInput appends the bytes an event's hash is taken over: each
// value as "<decimal length>:<bytes>\n", in this order: previous hash, seq,
// time (UTC, RFC 3339 with nanoseconds), then fields (actor issuer, subject,
// role, agency, action, object type, object id, outcome, request id,
// decision, details). It is the one definition of the encoding, shared by
// Append and Verify.
func appendChainInput(b, prevHash []byte, seq int64, at time.Time, fields *[numFields][]byte) []byte {
	var scratch [40]byte
	return appendChainInputText(b, prevHash, seq, at.UTC().AppendFormat(scratch[:0], time.RFC3339Nano), fields)
}

// appendChainInputText is appendChainInput with the time already formatted.
func appendChainInputText(b, prevHash []byte, seq int64, at []byte, fields *[numFields][]byte) []byte {
	var scratch [20]byte
	b = appendField(b, prevHash)
	b = appendField(b, strconv.AppendInt(scratch[:0], seq, 10))
	b = appendField(b, at)
	for _, f := range fields {
		b = appendField(b, f)
	}
	return b
}

func appendField(b, s []byte) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, '\n')
}

// JSON encodes v for an event's Decision or Details. Encoding failures are
// impossible for the plain maps and structs we record; they panic in tests.
func JSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("audit: encode details: %v", err))
	}
	return string(b)
}
