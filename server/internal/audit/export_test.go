package audit

import (
	"context"
	"io"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"
)

// WriteChainInput writes the bytes ev's hash covers, for the benchmark that
// compares Verify with sha256sum over the same bytes.
func WriteChainInput(w io.Writer, ev Event) {
	fields := [numFields][]byte{
		[]byte(ev.Actor.Issuer), []byte(ev.Actor.Subject), []byte(ev.Actor.Role), []byte(ev.Actor.AgencyID),
		[]byte(ev.Action), []byte(ev.ObjectType), []byte(ev.ObjectID), []byte(ev.Outcome),
		[]byte(ev.RequestID), []byte(ev.Decision), []byte(ev.Details),
	}
	w.Write(appendChainInput(nil, []byte(ev.PrevHash), ev.Seq, ev.At, &fields))
}

// VerifyInRanges is Verify reading ranges of n events, so that tests of
// short chains exercise the stitching of ranges.
func VerifyInRanges(ctx context.Context, db *gorm.DB, v note.Verifier, n int64) (Report, error) {
	return verify(ctx, db, v, nil, n)
}
