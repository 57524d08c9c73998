package web

import (
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// logPageEntries is how many of the newest leaves the /log page lists.
const logPageEntries = 20

type logPageEntry struct {
	Index  int64
	Record translog.Record
	Valid  bool // the leaf parses as a record
	// Band: a national-security band a report published, not a request's
	// event; its accounts are the band's lower end.
	Band bool
}

type logPage struct {
	Page
	BaseURL    string
	Origin     string
	Key        string // "" when no key is configured
	Size       int64  // the newest checkpoint's tree size
	Root       string // its root hash, base64
	Checkpoint string // the signed note
	Signed     bool   // a checkpoint exists
	Entries    []logPageEntry
}

// handleLogPage handles "GET /log": what the public log holds (every
// request's events, except national-security requests, whose published
// bands are entries instead), its current checkpoint and newest leaves, and
// how to verify it without trusting us.
func (s *Server) handleLogPage(c *gin.Context) {
	ctx := c.Request.Context()
	lg, err := s.transparencyLog()
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := logPage{Page: s.page(c, "Transparency log"), BaseURL: s.cfg.BaseURL, Origin: lg.Origin(), Key: lg.Key()}
	cp, err := lg.Latest(ctx)
	switch {
	case err == nil:
		p.Signed, p.Size, p.Checkpoint = true, cp.Size, string(cp.Note)
		p.Root = base64.StdEncoding.EncodeToString(cp.Hash[:])
	case !errors.Is(err, translog.ErrNoCheckpoint):
		s.renderError(c, err)
		return
	}
	start := max(p.Size-logPageEntries, 0)
	if p.Size > 0 {
		es, err := lg.Entries(ctx, start, logPageEntries)
		if err != nil {
			s.renderError(c, err)
			return
		}
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].Index >= p.Size {
				continue // not yet covered by the checkpoint shown
			}
			rec, err := translog.ParseRecord(es[i].Leaf)
			p.Entries = append(p.Entries, logPageEntry{Index: es[i].Index, Record: rec, Valid: err == nil,
				Band: rec.Event == translog.EventNationalSecurityBand})
		}
	}
	s.html(c, http.StatusOK, "log", p)
}
