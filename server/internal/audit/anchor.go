package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// An Anchor is a signed statement of the chain's head: "the event with
// sequence number Seq has hash Hash". The hash chain alone cannot tell a
// truncated tail, or a chain rewritten from some event onwards, from an
// honest one; an anchor signed with a key the database does not hold can.
// The log signer writes one while the chain grows (see translog.Log.Run),
// and Verify checks the chain against every one.
type Anchor struct {
	Seq       int64     `gorm:"column:seq;primaryKey;autoIncrement:false"`
	Hash      string    `gorm:"column:hash"`
	Note      string    `gorm:"column:note"` // the signed note (FormatAnchor's text and its signature)
	CreatedAt time.Time `gorm:"column:created_at"`
}

// TableName maps Anchor onto audit_anchors.
func (Anchor) TableName() string { return "audit_anchors" }

// anchorHeader is the first line of an anchor's note text. It is not a
// decimal tree size, so an anchor can never be mistaken for a transparency
// log checkpoint signed with the same key.
const anchorHeader = "warrantdesk audit anchor"

// FormatAnchor returns the note text of an anchor: four lines, each ending in
// a newline: "warrantdesk audit anchor", the signer's name (the log's
// origin), the sequence number in decimal, and the event's hash in hex.
func FormatAnchor(origin string, seq int64, hash string) string {
	return anchorHeader + "\n" + origin + "\n" + strconv.FormatInt(seq, 10) + "\n" + hash + "\n"
}

// OpenAnchor verifies a signed anchor note with v and returns the sequence
// number and hash it vouches for. It fails if the signature does not verify,
// if the note is not an anchor, or if it names another signer than v.
func OpenAnchor(msg []byte, v note.Verifier) (seq int64, hash string, err error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return 0, "", fmt.Errorf("audit anchor: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 5 || lines[0] != anchorHeader || lines[4] != "" {
		return 0, "", errors.New("audit anchor: malformed note text")
	}
	if lines[1] != v.Name() {
		return 0, "", fmt.Errorf("audit anchor: signed for %q, not %q", lines[1], v.Name())
	}
	seq, err = strconv.ParseInt(lines[2], 10, 64)
	if err != nil || seq < 1 || strconv.FormatInt(seq, 10) != lines[2] {
		return 0, "", errors.New("audit anchor: malformed sequence number")
	}
	if !isHexHash(lines[3]) {
		return 0, "", errors.New("audit anchor: malformed hash")
	}
	return seq, lines[3], nil
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// SignAnchor signs the chain's current head with s, unless an anchor covers
// it already or the latest anchor is younger than minAge (anchors bound how
// much of the tail can vanish unnoticed; minAge bounds how many rows they
// cost), and returns the latest anchor (ok is false while there is none).
// Several replicas may call it at once: Ed25519 signatures are
// deterministic, so they write the same row and the insert ignores the
// duplicate.
func SignAnchor(ctx context.Context, db *gorm.DB, s note.Signer, minAge time.Duration) (a Anchor, ok bool, err error) {
	db = db.WithContext(ctx)
	var h head
	if err := db.Raw("SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&h).Error; err != nil {
		return Anchor{}, false, fmt.Errorf("audit: read chain head: %w", err)
	}
	latest, have, err := LatestAnchor(ctx, db)
	if err != nil {
		return Anchor{}, false, err
	}
	if h.Seq == 0 || (have && (latest.Seq >= h.Seq || time.Since(latest.CreatedAt) < minAge)) {
		return latest, have, nil
	}
	msg, err := note.Sign(&note.Note{Text: FormatAnchor(s.Name(), h.Seq, h.Hash)}, s)
	if err != nil {
		return Anchor{}, false, fmt.Errorf("audit: sign anchor: %w", err)
	}
	a = Anchor{Seq: h.Seq, Hash: h.Hash, Note: string(msg), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
		return Anchor{}, false, fmt.Errorf("audit: store anchor: %w", err)
	}
	return LatestAnchor(ctx, db)
}

// LatestAnchor returns the anchor with the highest sequence number; ok is
// false when there is none.
func LatestAnchor(ctx context.Context, db *gorm.DB) (a Anchor, ok bool, err error) {
	err = db.WithContext(ctx).Order("seq DESC").Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Anchor{}, false, nil
	}
	if err != nil {
		return Anchor{}, false, fmt.Errorf("audit: read latest anchor: %w", err)
	}
	return a, true, nil
}
