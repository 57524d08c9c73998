package web

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// transparencyLog is the public log, signing with the configured key.
func (s *Server) transparencyLog() (*translog.Log, error) {
	if s.tlog == nil {
		return nil, errs.E(errs.Unavailable, "The transparency log is not available on this server.")
	}
	return s.tlog, nil
}

// queryInt reads an optional non-negative integer query parameter.
func queryInt(c *gin.Context, name string, def int64, f *errs.Fields) int64 {
	v := c.Query(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		f.Add(name, "Use a whole number of 0 or more.")
		return def
	}
	return n
}

// handleAPILogCheckpoint handles "GET /api/v1/log/checkpoint": the newest
// signed checkpoint, a C2SP tlog-checkpoint note, as text.
func (s *Server) handleAPILogCheckpoint(c *gin.Context) {
	lg, err := s.transparencyLog()
	if err != nil {
		s.renderError(c, err)
		return
	}
	cp, err := lg.Latest(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", cp.Note)
}

// handleAPILogKey handles "GET /api/v1/log/key": the log's public note
// verifier key, as text. Verifiers should get it from a second source too
// (this page is served by the log it vouches for).
func (s *Server) handleAPILogKey(c *gin.Context) {
	lg, err := s.transparencyLog()
	if err != nil {
		s.renderError(c, err)
		return
	}
	if lg.Key() == "" {
		s.renderError(c, errs.E(errs.Unavailable, "The transparency log has no signing key configured."))
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(lg.Key()+"\n"))
}

type apiLogEntry struct {
	Index  int64           `json:"index"`
	Leaf   []byte          `json:"leaf"`   // base64 of the leaf's bytes: hash these
	Record json.RawMessage `json:"record"` // the same bytes, as the JSON object they are
}

type apiLogEntries struct {
	Entries   []apiLogEntry `json:"entries"`
	NextStart *int64        `json:"next_start,omitempty"` // start of the next page; absent at the end
}

// handleAPILogEntries handles "GET /api/v1/log/entries?start=&limit=": the
// leaves from index start on, keyset-paginated on the index.
func (s *Server) handleAPILogEntries(c *gin.Context) {
	var f errs.Fields
	start := queryInt(c, "start", 0, &f)
	limit := queryInt(c, "limit", 100, &f)
	if err := f.Err(); err != nil {
		s.renderError(c, err)
		return
	}
	lg, err := s.transparencyLog()
	if err != nil {
		s.renderError(c, err)
		return
	}
	limit = min(limit, translog.MaxEntries)
	size, err := lg.Size(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	es, err := lg.Entries(c.Request.Context(), start, int(limit))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := apiLogEntries{Entries: []apiLogEntry{}}
	if n := len(es); n > 0 && es[n-1].Index+1 < size {
		next := es[n-1].Index + 1
		out.NextStart = &next
	}
	for _, e := range es {
		out.Entries = append(out.Entries, toAPILogEntry(e))
	}
	c.JSON(http.StatusOK, out)
}

// headerLogNextStart names, on a page of GET /api/v1/log/leaves cut short
// at translog.MaxLeaves, the start of the next page.
const headerLogNextStart = "Log-Next-Start"

// headerLogPage says "cached" on a page served from the page cache.
const headerLogPage = "Log-Page"

var newline = []byte{'\n'}

// handleAPILogLeaves handles "GET /api/v1/log/leaves?start=&end=": the
// bulk form of the log, for recounts. The body (application/x-ndjson) is
// exactly the bytes of leaves start to end-1, in index order, each followed
// by a newline: leaves are canonical compact JSON, which never holds one.
// Without end, it runs to the log's size, cut at translog.MaxLeaves leaves;
// when cut, Log-Next-Start gives the start of the next page. An end given
// beyond the cap is refused. Rows stream from one database cursor; a failure
// after the first byte aborts the response, so a client never takes a cut
// body for a whole one.
func (s *Server) handleAPILogLeaves(c *gin.Context) {
	ctx := c.Request.Context()
	var f errs.Fields
	start := queryInt(c, "start", 0, &f)
	end := queryInt(c, "end", -1, &f)
	var lg *translog.Log
	var size int64 // the log's size, when end is the page's to choose
	err := f.Err()
	if err == nil {
		lg, err = s.transparencyLog()
	}
	if err == nil && end < 0 {
		size, err = lg.Size(ctx)
		end = max(min(size, start+translog.MaxLeaves), start) // start beyond the log: Leaves refuses it
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	setHeaders := func() {
		c.Header("Content-Type", "application/x-ndjson")
		if end < size {
			c.Header(headerLogNextStart, strconv.FormatInt(end, 10))
		}
	}
	// A complete page never changes: serve it from the page cache, or fill
	// the cache while streaming it from the database.
	pages := translog.PageCache{Dir: filepath.Join(s.cfg.DataDir, "log-pages")}
	var tee *translog.PageWriter
	if translog.Cacheable(start, end) {
		if f := pages.Open(start); f != nil {
			defer f.Close()
			setHeaders()
			c.Header(headerLogPage, "cached")
			http.ServeContent(c.Writer, c.Request, "", time.Time{}, f)
			return
		}
		if tee, err = pages.Create(start); err != nil {
			s.log.DebugContext(ctx, "log page not cached", "err", err)
			tee = nil
		}
	}
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	var out io.Writer = w
	if tee != nil {
		out = io.MultiWriter(w, tee)
	}
	started := false
	err = lg.Leaves(ctx, start, end, func(_ int64, leaf []byte) error {
		if !started {
			started = true
			setHeaders()
			c.Status(http.StatusOK)
		}
		if _, err := out.Write(leaf); err != nil {
			return err
		}
		_, err := out.Write(newline)
		return err
	})
	if tee != nil {
		// Only a page read whole, and sent whole, is kept.
		if err == nil && w.Flush() == nil {
			if cerr := tee.Commit(); cerr != nil {
				s.log.WarnContext(ctx, "cache log page", "err", cerr, "start", start)
			}
		} else {
			tee.Abort()
		}
	}
	switch {
	case err != nil && started:
		// Leaves may have gone out: abort the connection so that the client
		// sees a broken body, not a short one.
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "stream log leaves", "err", err, "start", start, "end", end, "request_id", requestID(c))
		}
		panic(http.ErrAbortHandler)
	case err != nil:
		s.renderError(c, err)
	case !started: // an empty range
		c.Data(http.StatusOK, "application/x-ndjson", nil)
	default:
		if err := w.Flush(); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "stream log leaves", "err", err, "request_id", requestID(c))
		}
	}
}

// toAPILogEntry publishes an entry's index and leaf, never its request id
// or salt.
func toAPILogEntry(e translog.Entry) apiLogEntry {
	out := apiLogEntry{Index: e.Index, Leaf: e.Leaf}
	if json.Valid(e.Leaf) {
		out.Record = json.RawMessage(e.Leaf)
	}
	return out
}

type apiProof struct {
	Index *int64   `json:"index,omitempty"`
	Size  *int64   `json:"size,omitempty"`
	Old   *int64   `json:"old,omitempty"`
	New   *int64   `json:"new,omitempty"`
	Proof [][]byte `json:"proof"` // base64 hashes, RFC 6962 order
}

func proofHashes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		out[i] = append([]byte(nil), h[:]...)
	}
	return out
}

// proofQuery reads a proof request's two numbers — required (the leaf
// index or the older tree size; missing is the message when it is absent)
// and optional (the tree size, by default the newest checkpoint's) — and
// the log to prove from. It renders the error and returns ok false when
// something is wrong.
func (s *Server) proofQuery(c *gin.Context, required, missing, optional string) (lg *translog.Log, first, size int64, ok bool) {
	var f errs.Fields
	if c.Query(required) == "" {
		f.Add(required, "%s", missing)
	}
	first = queryInt(c, required, 0, &f)
	size = queryInt(c, optional, -1, &f)
	err := f.Err()
	if err == nil {
		lg, err = s.transparencyLog()
	}
	if err == nil && size < 0 {
		var cp translog.Checkpoint
		if cp, err = lg.Latest(c.Request.Context()); err == nil {
			size = cp.Size
		}
	}
	if err != nil {
		s.renderError(c, err)
		return nil, 0, 0, false
	}
	return lg, first, size, true
}

// handleAPILogInclusion handles "GET /api/v1/log/proof/inclusion?index=&size=":
// the proof that the tree of that size (default: the newest checkpoint's)
// holds leaf index.
func (s *Server) handleAPILogInclusion(c *gin.Context) {
	lg, index, size, ok := s.proofQuery(c, "index", "Give the leaf index.", "size")
	if !ok {
		return
	}
	p, err := lg.InclusionProof(c.Request.Context(), index, size)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, apiProof{Index: &index, Size: &size, Proof: proofHashes(p)})
}

// handleAPILogConsistency handles "GET /api/v1/log/proof/consistency?old=&new=":
// the proof that the tree of size new (default: the newest checkpoint's)
// extends the tree of size old.
func (s *Server) handleAPILogConsistency(c *gin.Context) {
	lg, oldSize, newSize, ok := s.proofQuery(c, "old", "Give the size of the older tree.", "new")
	if !ok {
		return
	}
	p, err := lg.ConsistencyProof(c.Request.Context(), oldSize, newSize)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, apiProof{Old: &oldSize, New: &newSize, Proof: proofHashes(p)})
}

type apiReceipt struct {
	Index      int64    `json:"index"`
	Leaf       []byte   `json:"leaf"`       // base64 of the leaf's bytes
	Salt       string   `json:"salt"`       // hex: the leaf's commitment is SHA-256(salt || reference)
	Checkpoint string   `json:"checkpoint"` // the signed checkpoint note the proof leads to
	Proof      [][]byte `json:"proof"`      // base64 hashes of the inclusion proof
}

func toAPIReceipt(rc translog.Receipt) apiReceipt {
	return apiReceipt{Index: rc.Index, Leaf: rc.Leaf, Salt: rc.Salt, Checkpoint: rc.Checkpoint, Proof: rc.Proof}
}

// handleAPIReceipt handles "GET /api/v1/requests/:id/receipt[?event=]": the
// log inclusion receipt of the request's newest lifecycle event (or of its
// newest event of that kind). Another agency's request is a 404 exactly like
// a missing one.
func (s *Server) handleAPIReceipt(c *gin.Context) {
	rc, err := s.requests.Receipt(c.Request.Context(), principal(c).Principal, c.Param("id"), c.Query("event"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIReceipt(rc))
}
