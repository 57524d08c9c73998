package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"
)

// A Problem is one place where the stored chain is not what Append wrote.
type Problem struct {
	Seq    int64  // the first event concerned
	Reason string // what is wrong, for the operator
}

// A Report is what Verify found.
type Report struct {
	Events   int64     // events read and rehashed
	Head     int64     // the sequence number the chain head row names
	Anchored int64     // the sequence number of the latest signed anchor checked; 0 if none was
	Queued   int64     // events written but not chained yet (see Append); not a problem
	Problems []Problem // in sequence order; empty when the chain is intact
	More     int64     // further problems found but not listed
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// FirstBad returns the problem with the lowest sequence number.
func (r Report) FirstBad() (Problem, bool) {
	if len(r.Problems) == 0 {
		return Problem{}, false
	}
	return r.Problems[0], true
}

// maxProblems bounds a report: after a rewrite every later event is wrong,
// and the first few say all there is to say.
const maxProblems = 20

// ProgressEvery is how many events Verify reads between progress calls.
const ProgressEvery = 1 << 16

// Verify recomputes the whole chain from the database: every event's hash
// from its contents, every link to the event before, no gaps in the sequence,
// the head row, and, when v is not nil, every signed anchor (its signature,
// and that the chain still holds the event it vouches for, which is what
// catches a tail cut off together with the head row, or a chain rewritten
// with fresh hashes; the anchors before and after such a rewrite bound where
// it starts). It reads the chain as of its start; events appended meanwhile
// are left for the next run. progress, if not nil, is called every
// ProgressEvery events with the count done and the total. The error is for a
// failure to read; what is wrong with the chain is in the Report. db is the
// database itself, not a transaction.
//
// The chain is read in ranges of sequence numbers, one per CPU at a time,
// each on its own connection when the pool has several, and the ranges are
// stitched together at the end: a link is a comparison of two stored
// hashes, so no range needs another's result.
func Verify(ctx context.Context, db *gorm.DB, v note.Verifier, progress func(done, total int64)) (Report, error) {
	return verify(ctx, db, v, progress, minChunk)
}

// verify is Verify reading ranges of at least minRange events.
func verify(ctx context.Context, db *gorm.DB, v note.Verifier, progress func(done, total int64), minRange int64) (Report, error) {
	db = db.WithContext(ctx)
	var rep Report
	var problems []Problem
	add := func(seq int64, format string, args ...any) {
		problems = append(problems, Problem{Seq: seq, Reason: fmt.Sprintf(format, args...)})
	}

	// The anchors first, then the head, then the events up to the head:
	// each read sees at least what the one before it committed to, so
	// appends racing with Verify are never mistaken for tampering.
	var anchors []Anchor // the ones whose signature verifies, by seq
	if v != nil {
		var all []Anchor
		if err := db.Order("seq").Find(&all).Error; err != nil {
			return rep, fmt.Errorf("audit: read anchors: %w", err)
		}
		for _, a := range all {
			seq, hash, err := OpenAnchor([]byte(a.Note), v)
			switch {
			case err != nil:
				add(a.Seq, "the signed anchor for seq %d does not verify: %v", a.Seq, err)
			case seq != a.Seq || hash != a.Hash:
				add(a.Seq, "the anchor row for seq %d does not match its signed note (seq %d)", a.Seq, seq)
			default:
				anchors = append(anchors, a)
				rep.Anchored = seq
			}
		}
	}
	var h head
	if err := db.Raw("SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&h).Error; err != nil {
		return rep, fmt.Errorf("audit: read chain head: %w", err)
	}
	rep.Head = h.Seq
	if err := db.Model(&Pending{}).Count(&rep.Queued).Error; err != nil {
		return rep, fmt.Errorf("audit: count queued events: %w", err)
	}

	// Split [1, head] into ranges, several per worker so an uneven range
	// does not leave a CPU idle.
	workers := runtime.GOMAXPROCS(0)
	size := max(minRange, (h.Seq+int64(workers)*4-1)/(int64(workers)*4))
	var chunks []*chunk
	for lo := int64(1); lo <= h.Seq; lo += size {
		chunks = append(chunks, &chunk{lo: lo, hi: min(lo+size-1, h.Seq)})
	}
	var (
		mu   sync.Mutex
		done int64
		next = 0
	)
	tick := func(n int64) {
		if progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		before := done / ProgressEvery
		done += n
		if done/ProgressEvery != before {
			progress(done, h.Seq)
		}
	}
	var wg sync.WaitGroup
	for range min(workers, len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(chunks) {
					mu.Unlock()
					return
				}
				c := chunks[next]
				next++
				mu.Unlock()
				c.err = c.verify(db, anchors, tick)
			}
		}()
	}
	wg.Wait()

	// Stitch the ranges: each range's first event must link to the last
	// event of the range before.
	prevSeq, prevHash := int64(0), []byte(GenesisHash)
	for _, c := range chunks {
		if c.err != nil {
			return rep, c.err
		}
		rep.Events += c.events
		problems = append(problems, c.problems...)
		if c.events == 0 {
			continue
		}
		if c.first == prevSeq+1 && !bytes.Equal(c.firstPrev, prevHash) {
			if prevSeq == 0 {
				add(1, "seq 1: its prev_hash is not the genesis hash (an event before it was removed, or it was rewritten)")
			} else {
				add(prevSeq, "seq %d: seq %d does not link to it (seq %d was edited and rehashed, or seq %d was rewritten)", prevSeq, c.first, prevSeq, c.first)
			}
		}
		prevSeq, prevHash = c.last, c.lastHash
	}
	if h.Seq > 0 && prevSeq == h.Seq && !bytes.Equal(prevHash, []byte(h.Hash)) {
		add(h.Seq, "seq %d: the chain head row holds another hash (the head was rewritten)", h.Seq)
	}
	if len(anchors) > 0 && anchors[len(anchors)-1].Seq > h.Seq {
		a := anchors[len(anchors)-1]
		add(h.Seq+1, "seq %d to %d are missing: the signed anchor covers seq %d (the tail and the head row were cut back)", h.Seq+1, a.Seq, a.Seq)
	}
	if progress != nil {
		progress(rep.Events, h.Seq)
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Seq < problems[j].Seq })
	if len(problems) > maxProblems {
		rep.More = int64(len(problems) - maxProblems)
		problems = problems[:maxProblems]
	}
	rep.Problems = problems
	return rep, nil
}

// minChunk is the smallest range of events one query reads.
const minChunk = 50_000

// A chunk is one range of sequence numbers [lo, hi] and what verifying it
// found.
type chunk struct {
	lo, hi      int64
	first, last int64  // the first and last seq read
	firstPrev   []byte // the first event's prev_hash
	lastHash    []byte // the last event's hash
	events      int64
	problems    []Problem
	err         error
}

func (c *chunk) add(seq int64, format string, args ...any) {
	c.problems = append(c.problems, Problem{Seq: seq, Reason: fmt.Sprintf(format, args...)})
}

// An eventRow is one stored event as the readers hand it over: raw bytes,
// valid until the next row.
type eventRow struct {
	seq    int64
	at     []byte // RFC 3339 with nanoseconds, UTC, as the chain hashes it
	prev   []byte
	fields [numFields][]byte
	hash   []byte
}

// verify reads events lo to hi and checks each hash and each link inside
// the range, the gaps, and the anchors that fall in it.
func (c *chunk) verify(db *gorm.DB, anchors []Anchor, tick func(int64)) error {
	// Anchors in this range, and the one before it, which bounds where a
	// rewrite found at the next anchor can have started.
	ai := sort.Search(len(anchors), func(i int) bool { return anchors[i].Seq >= c.lo })
	vouched := int64(0)
	if ai > 0 {
		vouched = anchors[ai-1].Seq
	}
	var (
		buf     []byte
		want    []byte // the hash the next event must link to
		wantSeq = c.lo
		hexSum  [2 * sha256.Size]byte
		pending int64
	)
	check := func(r *eventRow) {
		c.events++
		if pending++; pending == 4096 {
			tick(pending)
			pending = 0
		}
		if c.events == 1 {
			c.first, c.firstPrev = r.seq, append([]byte(nil), r.prev...)
		}
		gap := r.seq != wantSeq
		if gap {
			c.add(wantSeq, "seq %d to %d are missing (deleted)", wantSeq, r.seq-1)
		}
		buf = appendChainInputText(buf[:0], r.prev, r.seq, r.at, &r.fields)
		sum := sha256.Sum256(buf)
		hex.Encode(hexSum[:], sum[:])
		switch {
		case !bytes.Equal(hexSum[:], r.hash):
			c.add(r.seq, "seq %d: its hash does not match its contents (edited or moved)", r.seq)
		case !gap && want != nil && !bytes.Equal(r.prev, want):
			// Both events hash correctly, but they do not link: one of
			// them was rewritten with a fresh hash. The earlier one is the
			// first that can be bad.
			c.add(r.seq-1, "seq %d: seq %d does not link to it (seq %d was edited and rehashed, or seq %d was rewritten)", r.seq-1, r.seq, r.seq-1, r.seq)
		}
		for ai < len(anchors) && anchors[ai].Seq <= r.seq {
			a := anchors[ai]
			ai++
			if a.Seq == r.seq && !bytes.Equal(r.hash, []byte(a.Hash)) {
				// The stored hash is what later events link to; an edit
				// that left it alone is caught by the rehash above. A
				// stored hash other than the signed one means the chain
				// was rewritten, with fresh hashes, after the anchor
				// before this one.
				c.add(vouched+1, "seq %d to %d: an event in this range was rewritten (the chain no longer matches the signed anchor for seq %d)", vouched+1, r.seq, r.seq)
			}
			vouched = a.Seq
		}
		want = append(want[:0], r.hash...)
		wantSeq = r.seq + 1
	}
	var err error
	if db.Dialector.Name() == "postgres" {
		err = readPostgres(db, c.lo, c.hi, check)
	} else {
		err = readSQLite(db, c.lo, c.hi, check)
	}
	if err != nil {
		return fmt.Errorf("audit: read events %d to %d: %w", c.lo, c.hi, err)
	}
	tick(pending)
	if c.events > 0 {
		c.last, c.lastHash = wantSeq-1, append([]byte(nil), want...)
	}
	if wantSeq <= c.hi {
		c.add(wantSeq, "seq %d to %d are missing (deleted, or the tail was truncated)", wantSeq, c.hi)
	}
	return nil
}

// eventColumns are the columns appendChainInput hashes after the time, in
// its order.
const eventColumns = `actor_issuer, actor_subject, actor_role, actor_agency_id, action,
	object_type, object_id, outcome, request_id, decision, details`

// readSQLite reads events lo to hi through database/sql. The time comes as
// the stored text (see sqliteTime), which spares the driver parsing it.
func readSQLite(db *gorm.DB, lo, hi int64, fn func(*eventRow)) error {
	rows, err := db.Raw(`SELECT seq, CAST(at AS TEXT), prev_hash, `+eventColumns+`, hash
		FROM audit_events WHERE seq BETWEEN ? AND ? ORDER BY seq`, lo, hi).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		r       eventRow
		at      sql.RawBytes
		prev    sql.RawBytes
		hash    sql.RawBytes
		raw     [numFields]sql.RawBytes
		scratch [64]byte
	)
	dest := []any{&r.seq, &at, &prev}
	for i := range raw {
		dest = append(dest, &raw[i])
	}
	dest = append(dest, &hash)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		r.at, r.prev, r.hash = sqliteTime(scratch[:0], at), prev, hash
		for i := range raw {
			r.fields[i] = raw[i]
		}
		fn(&r)
	}
	return rows.Err()
}

// readPostgres reads events lo to hi over the connection's own protocol
// rather than database/sql, which would copy every value into a new string:
// at a million events that copying, not the hashing, is what verification
// would spend its time on.
func readPostgres(db *gorm.DB, lo, hi int64, fn func(*eventRow)) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	ctx := db.Statement.Context
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected PostgreSQL driver %T", dc)
		}
		rr := pc.Conn().PgConn().ExecParams(ctx,
			`SELECT seq, (EXTRACT(EPOCH FROM at) * 1000000)::bigint, prev_hash, `+eventColumns+`, hash
			FROM audit_events WHERE seq BETWEEN $1 AND $2 ORDER BY seq`,
			[][]byte{strconv.AppendInt(nil, lo, 10), strconv.AppendInt(nil, hi, 10)}, nil, nil, nil)
		var (
			r       eventRow
			scratch [64]byte
		)
		for rr.NextRow() {
			v := rr.Values()
			if len(v) != 4+numFields {
				rr.Close()
				return fmt.Errorf("got %d columns", len(v))
			}
			seq, err1 := strconv.ParseInt(string(v[0]), 10, 64)
			micros, err2 := strconv.ParseInt(string(v[1]), 10, 64)
			if err1 != nil || err2 != nil {
				rr.Close()
				return fmt.Errorf("malformed seq or time %q %q", v[0], v[1])
			}
			r.seq = seq
			r.at = time.UnixMicro(micros).UTC().AppendFormat(scratch[:0], time.RFC3339Nano)
			r.prev, r.hash = v[2], v[3+numFields]
			copy(r.fields[:], v[3:3+numFields])
			fn(&r)
		}
		_, err := rr.Close()
		return err
	})
}

// sqliteTime turns a time as the SQLite driver stores it
// ("2026-11-20 09:30:00.123456+00:00") into RFC 3339 with nanoseconds in UTC,
// as the chain hashes it. Anything else is parsed the slow way; what cannot
// be parsed is passed through and fails the hash.
func sqliteTime(dst, s []byte) []byte {
	if n := len(s); n >= 25 && s[10] == ' ' && string(s[n-6:]) == "+00:00" {
		dst = append(dst, s[:10]...)
		dst = append(dst, 'T')
		dst = append(dst, s[11:n-6]...)
		return append(dst, 'Z')
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, string(s)); err == nil {
			return t.UTC().AppendFormat(dst, time.RFC3339Nano)
		}
	}
	return append(dst, s...)
}
