// Package translog is warrantdesk's public transparency log. Each lifecycle
// event of a request (received, decided, disclosed, withdrawn, preserved)
// becomes one leaf of an append-only RFC 6962 Merkle tree, built with
// golang.org/x/mod/sumdb/tlog; checkpoints of the tree (C2SP tlog-checkpoint
// notes) are signed with an Ed25519 key through golang.org/x/mod/sumdb/note.
// National-security requests are the exception: the law lets reports
// publish them only in bands, so their events are kept privately and the
// published bands become aggregate leaves (see Record).
//
// A leaf holds no personal data (see Record): a salted commitment to the
// request's reference, the agency's country and kind, the process and
// request type, the category set, the outcome, the number of accounts, the
// non-disclosure flag and the day. The agency gets a Receipt with the salt
// and an inclusion proof, and can check with nothing but the log's public key
// that its request was counted. Anyone can fetch the leaves, recompute the
// tree, and check that the provider's published numbers add up.
//
// Other packages add leaves with Append, inside the transaction of the
// change the event records. The tree lives in the database: leaves and the
// tree's stored hashes (tlog.StoredHashes) in append-only tables, and a head
// row that each append locks, so replicas never assign the same index twice
// and indexes have no gaps.
package translog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// An Entry is a leaf as stored: the published bytes, and the private facts
// that let the provider issue its receipt. RequestID and Salt are never
// published.
type Entry struct {
	Index     int64     `gorm:"column:idx;primaryKey;autoIncrement:false"`
	RequestID string    `gorm:"column:request_id"`
	Event     string    `gorm:"column:event"`
	Salt      string    `gorm:"column:salt"` // hex
	Leaf      []byte    `gorm:"column:leaf"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

// TableName maps Entry onto tlog_leaves.
func (Entry) TableName() string { return "tlog_leaves" }

// A StoredHash is one of the tree's stored hashes, at its tlog storage index.
type StoredHash struct {
	ID   int64  `gorm:"column:id;primaryKey;autoIncrement:false"`
	Hash []byte `gorm:"column:hash"`
}

// TableName maps StoredHash onto tlog_hashes.
func (StoredHash) TableName() string { return "tlog_hashes" }

// A Leaf is what a caller appends: the public Record and, privately, the
// request it is about. Append fills in the record's Version and Commitment.
type Leaf struct {
	RequestID string // the request's id, kept private
	Reference string // the request's reference, committed to and kept private
	// NationalSecurity: the request is national-security (the scope
	// decision said so when it was submitted). Its events are never
	// published one by one (50 U.S.C. § 1874 allows bands only): Append
	// keeps them in a private table, which reports count into bands.
	NationalSecurity bool
	Record
}

// Withheld is the index Append returns for a national-security leaf,
// which is not in the log.
const Withheld int64 = -1

// A NationalSecurityEvent is a lifecycle event of a national-security
// request, kept privately instead of as a leaf: the facts a leaf would
// carry, without a commitment. Transparency reports count these into
// bands; nothing else reads them.
type NationalSecurityEvent struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	RequestID   string    `gorm:"column:request_id"`
	Event       string    `gorm:"column:event"`
	Date        day.Date  `gorm:"column:date"`
	Country     string    `gorm:"column:country"`
	AgencyKind  string    `gorm:"column:agency_kind"`
	Process     string    `gorm:"column:process"`
	RequestType string    `gorm:"column:request_type"`
	Outcome     string    `gorm:"column:outcome"`
	Accounts    int       `gorm:"column:accounts"`
	NDO         bool      `gorm:"column:ndo"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

// TableName maps NationalSecurityEvent onto national_security_events.
func (NationalSecurityEvent) TableName() string { return "national_security_events" }

// Record returns the event as the record its leaf would have been, without
// version or commitment.
func (e NationalSecurityEvent) Record() Record {
	return Record{Event: e.Event, Date: e.Date, Country: e.Country, AgencyKind: e.AgencyKind, Process: e.Process,
		RequestType: e.RequestType, Categories: []string{}, Outcome: e.Outcome, Accounts: e.Accounts, NDO: e.NDO}
}

// Append adds l to the log inside tx, the transaction of the change the
// event records, and returns its index. If tx rolls back, the leaf is gone
// and its index is reused by the next append: the tree's head row is locked
// until tx ends, so indexes are gapless and unique across replicas. Lock
// order: call Append before audit.Append in the same transaction.
//
// A national-security leaf (l.NationalSecurity) is not published: Append
// stores its facts in the private national_security_events table, in tx,
// and returns Withheld. The record must still be valid.
func Append(ctx context.Context, tx *gorm.DB, l Leaf) (int64, error) {
	if l.RequestID == "" || l.Reference == "" {
		return 0, errors.New("translog: append: the request id and reference are required")
	}
	if l.NationalSecurity {
		return Withheld, withhold(ctx, tx, l)
	}
	salt := make([]byte, SaltSize)
	if _, err := rand.Read(salt); err != nil {
		return 0, fmt.Errorf("translog: append: salt: %w", err)
	}
	rec := l.Record
	rec.Version = FormatVersion
	rec.Commitment = Commit(salt, l.Reference)
	data, err := rec.Encode()
	if err != nil {
		return 0, err
	}
	return appendData(ctx, tx, l.RequestID, rec.Event, hex.EncodeToString(salt), data)
}

// withhold stores the facts of a national-security leaf privately.
func withhold(ctx context.Context, tx *gorm.DB, l Leaf) error {
	rec := l.Record
	rec.Version, rec.Commitment = FormatVersion, strings.Repeat("0", 64) // validated as a leaf would be
	if _, err := rec.Encode(); err != nil {
		return err
	}
	e := NationalSecurityEvent{RequestID: l.RequestID, Event: rec.Event, Date: rec.Date, Country: rec.Country,
		AgencyKind: rec.AgencyKind, Process: rec.Process, RequestType: rec.RequestType, Outcome: rec.Outcome,
		Accounts: rec.Accounts, NDO: rec.NDO, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("translog: keep national-security event of request %s: %w", l.RequestID, err)
	}
	return nil
}

// NationalSecurityEvents calls fn with every private national-security
// event dated from first to last inclusive, oldest first.
func NationalSecurityEvents(ctx context.Context, db *gorm.DB, first, last day.Date, fn func(NationalSecurityEvent)) error {
	var out []NationalSecurityEvent
	if err := db.WithContext(ctx).Where("date >= ? AND date <= ?", first, last).Order("date, id").Find(&out).Error; err != nil {
		return fmt.Errorf("translog: read national-security events: %w", err)
	}
	for _, e := range out {
		fn(e)
	}
	return nil
}

// AppendBands adds the national-security band leaves of one report version
// (see Record) inside tx, in the order given, and returns the index of the
// first. Each record must have event EventNationalSecurityBand; Version is
// filled in and Commitment must be BandCommitment of the report. Band
// leaves belong to no request: they have no salt and no receipt.
func AppendBands(ctx context.Context, tx *gorm.DB, recs []Record) (int64, error) {
	first := int64(-1)
	for _, rec := range recs {
		if rec.Event != EventNationalSecurityBand {
			return 0, fmt.Errorf("translog: append band: event %q is not %s", rec.Event, EventNationalSecurityBand)
		}
		rec.Version = FormatVersion
		data, err := rec.Encode()
		if err != nil {
			return 0, err
		}
		n, err := appendData(ctx, tx, "", rec.Event, "", data)
		if err != nil {
			return 0, err
		}
		if first < 0 {
			first = n
		}
	}
	return first, nil
}

// appendData stores data as the next leaf. Only Append calls it, except for
// the RFC 6962 known-answer tests, which store the reference leaves.
func appendData(ctx context.Context, tx *gorm.DB, requestID, event, salt string, data []byte) (int64, error) {
	tx = tx.WithContext(ctx)
	lock := ""
	if tx.Dialector.Name() == "postgres" {
		lock = " FOR UPDATE"
	}
	var n int64 = -1
	if err := tx.Raw("SELECT size FROM tlog_head WHERE id = 1" + lock).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("translog: read head: %w", err)
	}
	if n < 0 {
		return 0, errors.New("translog: head row missing: is the database migrated?")
	}
	hashes, err := tlog.StoredHashes(n, data, hashReader(ctx, tx))
	if err != nil {
		return 0, fmt.Errorf("translog: hash leaf %d: %w", n, err)
	}
	e := Entry{Index: n, RequestID: requestID, Event: event, Salt: salt, Leaf: data,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := tx.Create(&e).Error; err != nil {
		return 0, fmt.Errorf("translog: store leaf %d: %w", n, err)
	}
	rows := make([]StoredHash, len(hashes))
	first := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		rows[i] = StoredHash{ID: first + int64(i), Hash: h[:]}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return 0, fmt.Errorf("translog: store hashes of leaf %d: %w", n, err)
	}
	res := tx.Exec("UPDATE tlog_head SET size = ? WHERE id = 1 AND size = ?", n+1, n)
	if res.Error != nil {
		return 0, fmt.Errorf("translog: advance head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return 0, errors.New("translog: head moved during append")
	}
	return n, nil
}

// hashReader reads stored hashes from db.
func hashReader(ctx context.Context, db *gorm.DB) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if len(indexes) == 0 {
			return nil, nil
		}
		var rows []StoredHash
		if err := db.WithContext(ctx).Where("id IN ?", indexes).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read stored hashes: %w", err)
		}
		byID := make(map[int64][]byte, len(rows))
		for _, r := range rows {
			byID[r.ID] = r.Hash
		}
		out := make([]tlog.Hash, len(indexes))
		for i, id := range indexes {
			h, ok := byID[id]
			if !ok || len(h) != tlog.HashSize {
				return nil, fmt.Errorf("stored hash %d is missing or malformed", id)
			}
			copy(out[i][:], h)
		}
		return out, nil
	})
}

// size returns the number of leaves committed.
func size(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64 = -1
	if err := db.WithContext(ctx).Raw("SELECT size FROM tlog_head WHERE id = 1").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("translog: read head: %w", err)
	}
	if n < 0 {
		return 0, errors.New("translog: head row missing: is the database migrated?")
	}
	return n, nil
}

// A Log serves the tree stored in a database: entries, proofs, signed
// checkpoints and receipts. It signs only if it was given a key.
type Log struct {
	db       *gorm.DB
	signer   note.Signer   // nil: read-only
	verifier note.Verifier // nil without a key
	vkey     string
}

// New returns the log stored in db, signing with skey, a note signer key
// ("PRIVATE+KEY+<name>+<hash>+<key>", from GenerateKey). The key's name is
// the log's origin, the first line of every checkpoint. With skey "" the log
// serves what is stored but signs nothing, and Sign and Receipt return
// Unavailable. It fails if skey is not an Ed25519 note signer key.
func New(db *gorm.DB, skey string) (*Log, error) {
	l := &Log{db: db}
	if skey == "" {
		return l, nil
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, errors.New("translog: the log key is not a note signer key (PRIVATE+KEY+name+hash+key)")
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("translog: %w", err)
	}
	l.signer, l.verifier, l.vkey = s, v, vkey
	return l, nil
}

// Origin returns the log's origin (its key's name), or "" without a key.
func (l *Log) Origin() string {
	if l.signer == nil {
		return ""
	}
	return l.signer.Name()
}

// Key returns the log's public note verifier key ("<name>+<hash>+<key>"),
// the one thing a verifier must obtain from a trusted source, or "" without
// a key.
func (l *Log) Key() string { return l.vkey }

// Verifier returns the note verifier of the log's key, or nil without a key.
func (l *Log) Verifier() note.Verifier { return l.verifier }

// Signer returns the note signer of the log's key, or nil without a key.
func (l *Log) Signer() note.Signer { return l.signer }

// GenerateKey returns a new Ed25519 note signer key and its verifier key for
// a log whose origin is name, such as "transparency.example.org/warrantdesk".
func GenerateKey(name string) (skey, vkey string, err error) {
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("translog: generate key: %w", err)
	}
	return skey, vkey, nil
}

// VerifierKey returns the public verifier key of a note signer key.
func VerifierKey(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>: names cannot hold
	// '+', but base64 can.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("translog: malformed signer key")
	}
	b, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return "", errors.New("translog: the signer key is not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(parts[2], pub)
	if err != nil {
		return "", fmt.Errorf("translog: %w", err)
	}
	return vkey, nil
}

// Size returns the number of leaves in the log.
func (l *Log) Size(ctx context.Context) (int64, error) { return size(ctx, l.db) }

// MaxEntries is the most entries one Entries call returns.
const MaxEntries = 1000

// Entries returns up to limit entries from index start on, in index order
// (keyset pagination on the index). Returns Invalid for a negative start or
// a limit outside 1–MaxEntries.
func (l *Log) Entries(ctx context.Context, start int64, limit int) ([]Entry, error) {
	var f errs.Fields
	if start < 0 {
		f.Add("start", "Use a leaf index of 0 or more.")
	}
	if limit < 1 || limit > MaxEntries {
		f.Add("limit", "Use a limit from 1 to %d.", MaxEntries)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []Entry
	if err := l.db.WithContext(ctx).Where("idx >= ?", start).Order("idx").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("translog: read entries from %d: %w", start, err)
	}
	return out, nil
}

// MaxLeaves is the most leaves one Leaves call reads: about 30 MB of a
// typical log, a few hundred milliseconds from PostgreSQL.
const MaxLeaves = 100_000

// ErrLeafNewline is returned by Leaves for a stored leaf that holds a
// newline. Leaves are canonical compact JSON (see Record.Encode), which never
// does; one that did would read as two lines of the bulk form, so it is never
// served as if it were. It means the database was written around Append:
// surface as an internal error.
var ErrLeafNewline = errors.New("translog: a stored leaf holds a newline")

// Leaves calls fn with each leaf from index start up to end (exclusive), in
// index order, reading the rows through one database cursor: memory does not
// grow with the range. The leaf passed to fn is valid only during the call.
// Returns Invalid unless 0 <= start <= end <= the log's size and the range
// holds at most MaxLeaves leaves; an error of fn stops the read and is
// returned as is. A missing index (a gap) or a leaf holding a newline
// (ErrLeafNewline) stops the read with an error after the leaves before it.
func (l *Log) Leaves(ctx context.Context, start, end int64, fn func(index int64, leaf []byte) error) error {
	n, err := l.Size(ctx)
	if err != nil {
		return err
	}
	var f errs.Fields
	switch {
	case start < 0:
		f.Add("start", "Use a leaf index of 0 or more.")
	case start > n:
		f.Add("start", "The log has %d leaves: start at %d or before.", n, n)
	}
	switch {
	case end < start:
		f.Add("end", "Use an end of start or more.")
	case end > n:
		f.Add("end", "The log has %d leaves: end at %d or before.", n, n)
	case end-start > MaxLeaves:
		f.Add("end", "Ask for at most %d leaves at a time (end up to %d).", MaxLeaves, start+MaxLeaves)
	}
	if err := f.Err(); err != nil {
		return err
	}
	if start == end {
		return nil
	}
	rows, err := l.db.WithContext(ctx).Model(&Entry{}).Select("idx", "leaf").
		Where("idx >= ? AND idx < ?", start, end).Order("idx").Rows()
	if err != nil {
		return fmt.Errorf("translog: read leaves %d-%d: %w", start, end, err)
	}
	defer rows.Close()
	next := start
	for rows.Next() {
		var idx int64
		var leaf sql.RawBytes // the driver's buffer: no copy per leaf
		if err := rows.Scan(&idx, &leaf); err != nil {
			return fmt.Errorf("translog: read leaf %d: %w", next, err)
		}
		if idx != next {
			return fmt.Errorf("translog: leaf %d is missing (read %d)", next, idx)
		}
		if bytes.IndexByte(leaf, '\n') >= 0 {
			return fmt.Errorf("%w: leaf %d", ErrLeafNewline, idx)
		}
		if err := fn(idx, leaf); err != nil {
			return err
		}
		next++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("translog: read leaves from %d: %w", next, err)
	}
	if next != end {
		return fmt.Errorf("translog: leaf %d is missing (the log has %d leaves)", next, n)
	}
	return nil
}

// InclusionProof returns the proof that the tree of the given size holds
// leaf index. Returns Invalid unless 0 <= index < size <= the log's size.
func (l *Log) InclusionProof(ctx context.Context, index, treeSize int64) (tlog.RecordProof, error) {
	n, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	if treeSize < 1 || treeSize > n {
		f.Add("size", "Use a tree size from 1 to %d.", n)
	}
	if index < 0 || index >= treeSize {
		f.Add("index", "Use a leaf index below the tree size.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(treeSize, index, hashReader(ctx, l.db))
	if err != nil {
		return nil, fmt.Errorf("translog: prove leaf %d in tree %d: %w", index, treeSize, err)
	}
	return p, nil
}

// ConsistencyProof returns the proof that the tree of size newSize extends
// the tree of size oldSize. Returns Invalid unless 1 <= oldSize <= newSize
// <= the log's size (every tree extends the empty one; there is nothing to
// prove).
func (l *Log) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	n, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	if newSize < 1 || newSize > n {
		f.Add("new", "Use a tree size from 1 to %d.", n)
	}
	if oldSize < 1 || oldSize > newSize {
		f.Add("old", "Use a tree size from 1 to the new size.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := tlog.ProveTree(newSize, oldSize, hashReader(ctx, l.db))
	if err != nil {
		return nil, fmt.Errorf("translog: prove tree %d extends %d: %w", newSize, oldSize, err)
	}
	return p, nil
}
