// Package audit keeps the hash-chained audit trail: every action in
// warrantdesk appends one Event, in the same database transaction as the
// change it records, and each event carries the SHA-256 of the one before.
// Editing, deleting or reordering a stored event breaks the chain, which
// Verify detects.
package audit

import (
	"bytes"
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

// Append adds ev to the chain inside tx, the transaction of the change it
// records: if that change rolls back, so does its audit event. The chain head
// is locked until tx ends, so concurrent appends queue rather than fork.
func Append(ctx context.Context, tx *gorm.DB, ev Event) error {
	tx = tx.WithContext(ctx)
	lock := ""
	if tx.Dialector.Name() == "postgres" {
		lock = " FOR UPDATE"
	}
	var h head
	if err := tx.Raw("SELECT seq, hash FROM audit_head WHERE id = 1" + lock).Scan(&h).Error; err != nil {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	if h.Hash == "" {
		return fmt.Errorf("audit: chain head missing: is the database migrated?")
	}
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	// Stored times are compared after a round trip through the database, so
	// keep the precision both dialects preserve.
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	if ev.Outcome == "" {
		ev.Outcome = OutcomeSuccess
	}
	ev.Seq = h.Seq + 1
	ev.PrevHash = h.Hash
	ev.Hash = Hash(ev)
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("audit: append %s: %w", ev.Action, err)
	}
	res := tx.Exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?", ev.Seq, ev.Hash, h.Seq)
	if res.Error != nil {
		return fmt.Errorf("audit: advance chain head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("audit: chain head moved during append")
	}
	return nil
}

// Hash returns the SHA-256 (hex) that chains ev: over the previous hash and
// every recorded field in a fixed, length-prefixed encoding, so that no two
// different events can encode to the same bytes.
func Hash(ev Event) string {
	var b bytes.Buffer
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte('\n')
	}
	field(ev.PrevHash)
	field(strconv.FormatInt(ev.Seq, 10))
	field(ev.At.UTC().Format(time.RFC3339Nano))
	field(ev.Actor.Issuer)
	field(ev.Actor.Subject)
	field(ev.Actor.Role)
	field(ev.Actor.AgencyID)
	field(ev.Action)
	field(ev.ObjectType)
	field(ev.ObjectID)
	field(ev.Outcome)
	field(ev.RequestID)
	field(ev.Decision)
	field(ev.Details)
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
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
