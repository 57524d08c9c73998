package translog

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Receipt proves to an agency that one lifecycle event of its request is
// in the log. Its JSON form is what GET /api/v1/requests/{id}/receipt
// returns; with it, the request's reference and the log's public key, the
// agency can check everything itself (see VerifyReceipt):
//
//   - Leaf is the leaf's bytes (base64 in JSON): a Record it can read, whose
//     commitment is SHA-256(salt || reference);
//   - Checkpoint is a signed checkpoint of a tree that holds leaf Index;
//   - Proof is the RFC 6962 inclusion proof of that leaf in that tree
//     (base64 hashes in JSON).
type Receipt struct {
	Index      int64    `json:"index"`
	Leaf       []byte   `json:"leaf"`
	Salt       string   `json:"salt"` // hex
	Checkpoint string   `json:"checkpoint"`
	Proof      [][]byte `json:"proof"`
}

// ErrNoLeaf: the request has no event in the log yet (it is still a draft),
// none of the event asked for, or none at all because it is
// national-security. Surface as 404.
var ErrNoLeaf = errors.New("translog: no log entry for this request")

// Receipt returns the receipt of the newest leaf of request requestID (of
// its newest leaf of event, when event is not ""), and appends ev, the audit
// event of handing it out, in the same transaction. If no checkpoint covers
// the leaf yet, it signs one first, so a receipt is available the moment the
// event is committed. Callers authorise the caller first (policy action
// "request.receipt"). Returns NotFound wrapping ErrNoLeaf when there is no
// such leaf, and Unavailable without a signing key.
func (l *Log) Receipt(ctx context.Context, requestID, event string, ev audit.Event) (Receipt, error) {
	if l.signer == nil {
		return Receipt{}, errNoKey
	}
	var rc Receipt
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("request_id = ?", requestID)
		if event != "" {
			q = q.Where("event = ?", event)
		}
		var e Entry
		err := q.Order("idx DESC").Take(&e).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			var withheld int64
			if err := tx.Model(&NationalSecurityEvent{}).Where("request_id = ?", requestID).Count(&withheld).Error; err != nil {
				return fmt.Errorf("translog: find the events of request %s: %w", requestID, err)
			}
			if withheld > 0 {
				return errs.Wrap(ErrNoLeaf, errs.NotFound, "This is a national-security request: the law allows it to be published only within a band of a transparency report (50 U.S.C. § 1874), so it has no entry of its own in the transparency log and no receipt.")
			}
			return errs.Wrap(ErrNoLeaf, errs.NotFound, "This request has no entry in the transparency log yet: it gets one when it is submitted.")
		}
		if err != nil {
			return fmt.Errorf("translog: find the leaf of request %s: %w", requestID, err)
		}
		cp, err := latest(ctx, tx)
		if err != nil && !errors.Is(err, ErrNoCheckpoint) {
			return err
		}
		if err != nil || cp.Size <= e.Index {
			if cp, err = l.sign(ctx, tx); err != nil {
				return err
			}
		}
		proof, err := tlog.ProveRecord(cp.Size, e.Index, hashReader(ctx, tx))
		if err != nil {
			return fmt.Errorf("translog: prove leaf %d in tree %d: %w", e.Index, cp.Size, err)
		}
		rc = Receipt{Index: e.Index, Leaf: e.Leaf, Salt: e.Salt, Checkpoint: string(cp.Note), Proof: make([][]byte, len(proof))}
		for i, h := range proof {
			rc.Proof[i] = append([]byte(nil), h[:]...)
		}
		ev.ObjectType, ev.ObjectID, ev.RequestID = "request", requestID, requestID
		if ev.Details == "" {
			ev.Details = audit.JSON(map[string]any{"index": e.Index, "tree_size": cp.Size})
		}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return Receipt{}, err
	}
	return rc, nil
}

// VerifyReceipt checks a receipt with nothing but the log's public verifier
// key, as an agency does: the checkpoint's signature, that the proof places
// the leaf at its index in the checkpoint's tree, and that the leaf is a
// well-formed record. If reference is not "", it also checks that the leaf
// commits to that request reference with the receipt's salt. It returns the
// record and the checkpoint.
func VerifyReceipt(vkey string, rc Receipt, reference string) (Record, Checkpoint, error) {
	cp, err := OpenCheckpoint([]byte(rc.Checkpoint), vkey)
	if err != nil {
		return Record{}, Checkpoint{}, err
	}
	if rc.Index < 0 || rc.Index >= cp.Size {
		return Record{}, Checkpoint{}, fmt.Errorf("translog: leaf %d is not in the checkpoint's tree of %d", rc.Index, cp.Size)
	}
	proof := make(tlog.RecordProof, len(rc.Proof))
	for i, h := range rc.Proof {
		if len(h) != tlog.HashSize {
			return Record{}, Checkpoint{}, errors.New("translog: malformed proof hash")
		}
		copy(proof[i][:], h)
	}
	if err := tlog.CheckRecord(proof, cp.Size, cp.Hash, rc.Index, tlog.RecordHash(rc.Leaf)); err != nil {
		return Record{}, Checkpoint{}, fmt.Errorf("translog: leaf %d is not in the signed tree: %w", rc.Index, err)
	}
	rec, err := ParseRecord(rc.Leaf)
	if err != nil {
		return Record{}, Checkpoint{}, err
	}
	if reference != "" {
		salt, err := hex.DecodeString(rc.Salt)
		if err != nil || len(salt) != SaltSize {
			return Record{}, Checkpoint{}, errors.New("translog: malformed salt")
		}
		if subtle.ConstantTimeCompare([]byte(Commit(salt, reference)), []byte(rec.Commitment)) != 1 {
			return Record{}, Checkpoint{}, fmt.Errorf("translog: the leaf does not commit to reference %s", reference)
		}
	}
	return rec, cp, nil
}
