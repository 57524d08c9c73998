package translog

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Checkpoint is a signed statement of the tree at one size: a C2SP
// tlog-checkpoint note whose text is the origin, the tree size and the base64
// root hash, one per line, signed by the log's key.
type Checkpoint struct {
	Origin string
	Size   int64
	Hash   tlog.Hash
	Note   []byte // the signed note, as served at /api/v1/log/checkpoint
}

// A SignedCheckpoint is a checkpoint as stored.
type SignedCheckpoint struct {
	Size      int64     `gorm:"column:size;primaryKey;autoIncrement:false"`
	RootHash  string    `gorm:"column:root_hash"` // base64
	Note      string    `gorm:"column:note"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

// TableName maps SignedCheckpoint onto tlog_checkpoints.
func (SignedCheckpoint) TableName() string { return "tlog_checkpoints" }

// FormatCheckpoint returns the note text of a checkpoint: origin, size in
// decimal and root hash in base64, each followed by a newline, and no
// extension lines.
func FormatCheckpoint(origin string, size int64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// ParseCheckpoint reads the note text of a checkpoint. Extension lines are
// allowed and ignored, as C2SP tlog-checkpoint requires.
func ParseCheckpoint(text string) (origin string, size int64, root tlog.Hash, err error) {
	bad := errors.New("translog: malformed checkpoint")
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return "", 0, tlog.Hash{}, bad
	}
	for _, l := range lines[:len(lines)-1] {
		if l == "" {
			return "", 0, tlog.Hash{}, bad
		}
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, tlog.Hash{}, bad
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return "", 0, tlog.Hash{}, bad
	}
	copy(root[:], h)
	return lines[0], size, root, nil
}

// OpenCheckpoint verifies a signed checkpoint note with the verifier key
// vkey and parses it. The origin must be the key's name. It fails if the
// signature does not verify or the text is not a checkpoint.
func OpenCheckpoint(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: verifier key: %w", err)
	}
	return openCheckpoint(msg, v)
}

func openCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: checkpoint signature: %w", err)
	}
	origin, size, root, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("translog: checkpoint of log %q, not %q", origin, v.Name())
	}
	return Checkpoint{Origin: origin, Size: size, Hash: root, Note: msg}, nil
}

// ErrNoCheckpoint: the log has not signed a checkpoint yet. The signer
// covers a fresh log within seconds of starting; retry, surface as 503.
var ErrNoCheckpoint = errors.New("translog: no checkpoint signed yet")

var errNoKey = errs.E(errs.Unavailable, "The transparency log has no signing key configured.")

func (c SignedCheckpoint) checkpoint() (Checkpoint, error) {
	n, err := note.Open([]byte(c.Note), note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if errors.As(err, &unverified) {
		n, err = unverified.Note, nil
	}
	if err != nil || n == nil {
		return Checkpoint{}, fmt.Errorf("translog: stored checkpoint %d is not a note", c.Size)
	}
	origin, size, root, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Origin: origin, Size: size, Hash: root, Note: []byte(c.Note)}, nil
}

// Latest returns the newest signed checkpoint. Returns an error wrapping
// ErrNoCheckpoint (code Unavailable) before the first one is signed.
func (l *Log) Latest(ctx context.Context) (Checkpoint, error) { return latest(ctx, l.db) }

func latest(ctx context.Context, db *gorm.DB) (Checkpoint, error) {
	var c SignedCheckpoint
	err := db.WithContext(ctx).Order("size DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Checkpoint{}, errs.Wrap(ErrNoCheckpoint, errs.Unavailable, "The transparency log has no checkpoint yet; try again in a few seconds.")
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: read latest checkpoint: %w", err)
	}
	return c.checkpoint()
}

// Sign signs a checkpoint of the tree at its current size, unless the
// newest checkpoint already covers it, and returns the newest checkpoint.
// Before signing it checks that the tree still has the root the newest
// checkpoint states: the log must never sign two checkpoints that are not
// consistent, so a tree edited in the database stops the signer instead of
// being signed. Replicas may sign at the same time: Ed25519 signatures are
// deterministic, so they write the same row and the insert ignores the
// duplicate. Returns Unavailable without a key.
func (l *Log) Sign(ctx context.Context) (Checkpoint, error) { return l.sign(ctx, l.db) }

func (l *Log) sign(ctx context.Context, db *gorm.DB) (Checkpoint, error) {
	if l.signer == nil {
		return Checkpoint{}, errNoKey
	}
	n, err := size(ctx, db)
	if err != nil {
		return Checkpoint{}, err
	}
	prev, err := latest(ctx, db)
	have := err == nil
	if err != nil && !errors.Is(err, ErrNoCheckpoint) {
		return Checkpoint{}, err
	}
	if have && prev.Size >= n {
		return prev, nil
	}
	r := hashReader(ctx, db)
	if have {
		root, err := tlog.TreeHash(prev.Size, r)
		if err != nil {
			return Checkpoint{}, fmt.Errorf("translog: recompute the root of checkpoint %d: %w", prev.Size, err)
		}
		if root != prev.Hash {
			return Checkpoint{}, fmt.Errorf("translog: refusing to sign: the stored tree no longer has the root of checkpoint %d (run warrantdesk verify-log)", prev.Size)
		}
	}
	root, err := tlog.TreeHash(n, r)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: tree hash at %d: %w", n, err)
	}
	msg, err := note.Sign(&note.Note{Text: FormatCheckpoint(l.signer.Name(), n, root)}, l.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign checkpoint %d: %w", n, err)
	}
	row := SignedCheckpoint{Size: n, RootHash: base64.StdEncoding.EncodeToString(root[:]), Note: string(msg),
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return Checkpoint{}, fmt.Errorf("translog: store checkpoint %d: %w", n, err)
	}
	return latest(ctx, db)
}

// AnchorInterval is how often Run signs an anchor of the audit chain while
// the chain grows.
const AnchorInterval = 30 * time.Second

// Run keeps the log's checkpoint and the audit trail fresh until ctx ends:
// every interval it chains audit events that were queued while the chain
// head was busy (audit.Flush), signs a checkpoint if the tree has grown, so
// a new leaf is covered within about one interval, and, at most every
// AnchorInterval, signs an anchor if the audit chain has grown. It is safe to run on every replica at once. Failures
// are logged and retried at the next tick. Without a key it returns at once.
func (l *Log) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if l.signer == nil {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := audit.Flush(ctx, l.db); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "chain queued audit events", "err", err)
		}
		if _, err := l.Sign(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "sign log checkpoint", "err", err)
		}
		if _, _, err := audit.SignAnchor(ctx, l.db, l.signer, AnchorInterval); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "sign audit anchor", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
