package logclient_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/warrantdesk/warrantdesk/server/internal/logclient"
)

const origin = "logclient.test/log"

// A testLog is a transparency log held in memory, built with tlog and
// signed with note as the portal's is, so the client is tested against the
// formats alone, not against the portal's code.
type testLog struct {
	leaves [][]byte
	hashes []tlog.Hash // tlog's stored hashes
	signer note.Signer
	vkey   string
}

func newTestLog(t *testing.T, n int) *testLog {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &testLog{signer: signer, vkey: vkey}
	l.append(t, n)
	return l
}

func (l *testLog) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = l.hashes[x]
		}
		return out, nil
	})
}

// append adds n leaves, each compact JSON as the portal's are.
func (l *testLog) append(t *testing.T, n int) {
	t.Helper()
	for range n {
		i := int64(len(l.leaves))
		leaf := fmt.Appendf(nil, `{"event":"received","request_type":"legal_process","i":%d}`, i)
		hs, err := tlog.StoredHashes(i, leaf, l.reader())
		if err != nil {
			t.Fatal(err)
		}
		l.leaves = append(l.leaves, leaf)
		l.hashes = append(l.hashes, hs...)
	}
}

// checkpoint signs the tree of the first size leaves.
func (l *testLog) checkpoint(t *testing.T, size int64) []byte {
	t.Helper()
	root, err := tlog.TreeHash(size, l.reader())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// serve serves the log as the portal's /api/v1/log endpoints do, pageSize
// leaves a page of the bulk form; tamper, if not nil, may change each leaf
// it serves.
func (l *testLog) serve(t *testing.T, pageSize int, tamper func(index int64, leaf []byte) []byte) *httptest.Server {
	t.Helper()
	num := func(r *http.Request, k string) int64 {
		n, _ := strconv.ParseInt(r.URL.Query().Get(k), 10, 64)
		return n
	}
	leaf := func(i int64) []byte {
		if tamper != nil {
			return tamper(i, bytes.Clone(l.leaves[i]))
		}
		return l.leaves[i]
	}
	writeProof := func(w http.ResponseWriter, hs []tlog.Hash, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		out := struct {
			Proof [][]byte `json:"proof"`
		}{Proof: [][]byte{}}
		for _, h := range hs {
			out.Proof = append(out.Proof, bytes.Clone(h[:]))
		}
		json.NewEncoder(w).Encode(out)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/log/key", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, l.vkey)
	})
	mux.HandleFunc("GET /api/v1/log/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		w.Write(l.checkpoint(t, int64(len(l.leaves))))
	})
	mux.HandleFunc("GET /api/v1/log/entries", func(w http.ResponseWriter, r *http.Request) {
		type entry struct {
			Index int64  `json:"index"`
			Leaf  []byte `json:"leaf"`
		}
		out := struct {
			Entries []entry `json:"entries"`
		}{Entries: []entry{}}
		for i := num(r, "start"); i < min(num(r, "start")+num(r, "limit"), int64(len(l.leaves))); i++ {
			out.Entries = append(out.Entries, entry{i, leaf(i)})
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /api/v1/log/leaves", func(w http.ResponseWriter, r *http.Request) {
		start, size := num(r, "start"), int64(len(l.leaves))
		if start > size {
			http.Error(w, "start beyond the log", http.StatusUnprocessableEntity)
			return
		}
		end := min(start+int64(pageSize), size)
		if end < size {
			w.Header().Set("Log-Next-Start", strconv.FormatInt(end, 10))
		}
		for i := start; i < end; i++ {
			w.Write(leaf(i))
			w.Write([]byte{'\n'})
		}
	})
	mux.HandleFunc("GET /api/v1/log/proof/inclusion", func(w http.ResponseWriter, r *http.Request) {
		p, err := tlog.ProveRecord(num(r, "size"), num(r, "index"), l.reader())
		writeProof(w, p, err)
	})
	mux.HandleFunc("GET /api/v1/log/proof/consistency", func(w http.ResponseWriter, r *http.Request) {
		p, err := tlog.ProveTree(num(r, "new"), num(r, "old"), l.reader())
		writeProof(w, p, err)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func (l *testLog) verifier(t *testing.T) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(l.vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one saying %q", err, want)
	}
}

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, 5)
	srv := l.serve(t, 100, nil)
	c := &logclient.Client{BaseURL: srv.URL + "/", HTTP: srv.Client(), Verifier: l.verifier(t)}
	cp, err := c.SignedCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := tlog.TreeHash(5, l.reader())
	if cp.Origin != origin || cp.Size != 5 || cp.Root != root || !bytes.Equal(cp.Note, l.checkpoint(t, 5)) {
		t.Errorf("checkpoint %s %d %s, want %s 5 %s", cp.Origin, cp.Size, cp.Root, origin, root)
	}
	if key, err := c.Key(ctx); err != nil || key != l.vkey {
		t.Errorf("key %q %v, want %q", key, err, l.vkey)
	}

	other := newTestLog(t, 0)
	_, err = logclient.OpenCheckpoint(l.checkpoint(t, 5), other.verifier(t))
	wantErr(t, err, "checkpoint signature")
	_, err = (&logclient.Client{BaseURL: srv.URL, HTTP: srv.Client()}).SignedCheckpoint(ctx)
	wantErr(t, err, "no verifier key")
}

func TestCheckConsistency(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, 5)
	v := l.verifier(t)
	open := func(size int64) logclient.Checkpoint {
		t.Helper()
		cp, err := logclient.OpenCheckpoint(l.checkpoint(t, size), v)
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	saved := open(5)
	l.append(t, 7)
	srv := l.serve(t, 100, nil)
	c := &logclient.Client{BaseURL: srv.URL, HTTP: srv.Client(), Verifier: v}
	cp, err := c.SignedCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckConsistency(ctx, saved, cp); err != nil {
		t.Errorf("12 leaves after 5: %v", err)
	}
	if err := c.CheckConsistency(ctx, open(0), cp); err != nil {
		t.Errorf("after the empty tree: %v", err)
	}
	forked := saved
	forked.Root[0] ^= 1
	for _, tc := range []struct {
		desc      string
		prev, cur logclient.Checkpoint
		want      string
	}{
		{"ErrShrank", cp, saved, "the log shrank"},
		{"ErrForked", forked, saved, "the log forked"},
		{"ErrNotExtended", forked, cp, "does not extend the saved one of 5"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			wantErr(t, c.CheckConsistency(ctx, tc.prev, tc.cur), tc.want)
		})
	}
}

func TestInclusion(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, 9)
	v := l.verifier(t)
	cp, err := logclient.OpenCheckpoint(l.checkpoint(t, 9), v)
	if err != nil {
		t.Fatal(err)
	}
	srv := l.serve(t, 100, nil)
	c := &logclient.Client{BaseURL: srv.URL, HTTP: srv.Client(), Verifier: v}
	leaf, err := c.Inclusion(ctx, cp, 4)
	if err != nil || !bytes.Equal(leaf, l.leaves[4]) {
		t.Errorf("leaf 4: %q %v, want %q", leaf, err, l.leaves[4])
	}
	_, err = c.Inclusion(ctx, cp, 9)
	wantErr(t, err, "leaf 9 is not in the checkpoint's 9 leaves")

	changed := l.serve(t, 100, func(i int64, leaf []byte) []byte {
		return bytes.Replace(leaf, []byte("received"), []byte("rejected"), 1)
	})
	_, err = (&logclient.Client{BaseURL: changed.URL, HTTP: changed.Client(), Verifier: v}).Inclusion(ctx, cp, 4)
	wantErr(t, err, "leaf 4 is not in the signed tree")

	// Offline, as a receipt carries it.
	proof, err := tlog.ProveRecord(9, 2, l.reader())
	if err != nil {
		t.Fatal(err)
	}
	var raw [][]byte
	for _, h := range proof {
		raw = append(raw, bytes.Clone(h[:]))
	}
	if err := logclient.VerifyInclusion(cp, 2, l.leaves[2], raw); err != nil {
		t.Errorf("offline: %v", err)
	}
	wantErr(t, logclient.VerifyInclusion(cp, 3, l.leaves[2], raw), "leaf 3 is not in the signed tree")
	wantErr(t, logclient.VerifyInclusion(cp, 2, l.leaves[2], append(raw, []byte("short"))), "malformed proof hash")
}

func TestRebuildTree(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, 23)
	v := l.verifier(t)
	cp, err := logclient.OpenCheckpoint(l.checkpoint(t, 21), v) // two leaves appended since
	if err != nil {
		t.Fatal(err)
	}
	srv := l.serve(t, 5, nil)
	c := &logclient.Client{BaseURL: srv.URL, HTTP: srv.Client(), Verifier: v}
	var seen []int64
	if err := c.RebuildTree(ctx, cp, func(i int64, leaf []byte) error {
		if !bytes.Equal(leaf, l.leaves[i]) {
			t.Errorf("leaf %d: %q, want %q", i, leaf, l.leaves[i])
		}
		seen = append(seen, i)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 21 || seen[20] != 20 {
		t.Errorf("saw leaves %v, want 0 to 20", seen)
	}

	for _, tc := range []struct {
		desc   string
		tamper func(int64, []byte) []byte
		want   string
	}{
		{"ErrLeafChanged", func(i int64, leaf []byte) []byte {
			if i == 9 {
				return bytes.Replace(leaf, []byte("received"), []byte("rejected"), 1)
			}
			return leaf
		}, "is not the signed root"},
		{"ErrLeafWithNewline", func(i int64, leaf []byte) []byte {
			if i == 9 {
				return append(leaf, "\n{}"...)
			}
			return leaf
		}, "is not the signed root"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			srv := l.serve(t, 5, tc.tamper)
			c := &logclient.Client{BaseURL: srv.URL, HTTP: srv.Client(), Verifier: v}
			wantErr(t, c.RebuildTree(ctx, cp, nil), tc.want)
		})
	}
	t.Run("ErrTooFewLeaves", func(t *testing.T) {
		big, err := logclient.OpenCheckpoint(newCheckpointBeyond(t, l, 30), v)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, c.RebuildTree(ctx, big, nil), "the portal returned no leaves from 23, but the checkpoint has 30")
	})
}

// newCheckpointBeyond signs a checkpoint of size leaves, more than the log
// serves, as a portal that dropped leaves would.
func newCheckpointBeyond(t *testing.T, l *testLog, size int) []byte {
	t.Helper()
	bigger := &testLog{leaves: l.leaves, hashes: l.hashes, signer: l.signer, vkey: l.vkey}
	bigger.append(t, size-len(l.leaves))
	return bigger.checkpoint(t, int64(size))
}

// TestPages reads a log of several pages: every leaf once, in order, across
// pages downloaded ahead; then an empty page at the end; and from any
// start again.
func TestPages(t *testing.T) {
	const size, pageSize = 23, 5
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, err := strconv.Atoi(r.URL.Query().Get("start"))
		if r.URL.Path != "/api/v1/log/leaves" || err != nil || start > size {
			http.Error(w, "bad request", http.StatusUnprocessableEntity)
			return
		}
		end := min(start+pageSize, size)
		if end < size {
			w.Header().Set("Log-Next-Start", strconv.Itoa(end))
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i := start; i < end; i++ {
			fmt.Fprintf(w, "{\"i\":%d}\n", i)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c := &logclient.Client{BaseURL: srv.URL, HTTP: srv.Client()}
	for _, from := range []int64{0, 7, 0} {
		pages := c.Pages(ctx, from)
		next := from
		for {
			page, err := pages.Next()
			if err != nil {
				t.Fatalf("from %d: %v", next, err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				if e.Index != next || string(e.Leaf) != fmt.Sprintf(`{"i":%d}`, next) {
					t.Fatalf("from %d: leaf %d %q, want leaf %d", from, e.Index, e.Leaf, next)
				}
				next++
			}
		}
		pages.Close()
		if next != size {
			t.Errorf("from %d: read to %d, want %d", from, next, size)
		}
	}
	pages := c.Pages(ctx, size+1)
	defer pages.Close()
	_, err := pages.Next()
	wantErr(t, err, "GET /api/v1/log/leaves?start=24: 422 Unprocessable Entity: bad request")
}

// TestHTTP: a rate limit is waited out, a refusal names the path, status
// and the portal's words, and a body longer than a page of leaves can be is
// refused, not cut.
func TestHTTP(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/log/key":
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			fmt.Fprintln(w, "  the key  ")
		case "/api/v1/log/checkpoint":
			w.Header().Set("Content-Length", strconv.Itoa(300<<20))
		default:
			http.Error(w, "no such report", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := &logclient.Client{BaseURL: srv.URL, HTTP: srv.Client()}
	if key, err := c.Key(ctx); err != nil || key != "the key" || calls.Load() != 2 {
		t.Errorf("key %q %v after %d calls, want the key after a rate limit", key, err, calls.Load())
	}
	_, _, err := c.Report(ctx, "2026-H1", 2)
	wantErr(t, err, "GET /api/v1/transparency/reports/2026-H1?version=2: 404 Not Found: no such report")
	_, err = c.Checkpoint(ctx)
	wantErr(t, err, "GET /api/v1/log/checkpoint: the response is longer than 256 MB")
}

func TestReadKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(file, []byte("name+1234+abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc, arg, want string
	}{
		{"the key", " name+1234+abcd ", "name+1234+abcd"},
		{"from a file", "@" + file, "name+1234+abcd"},
		{"none", "", ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got, err := logclient.ReadKey(tc.arg); err != nil || got != tc.want {
				t.Errorf("ReadKey(%q) = %q, %v, want %q", tc.arg, got, err, tc.want)
			}
		})
	}
	if _, err := logclient.ReadKey("@" + file + ".missing"); err == nil {
		t.Error("ReadKey of a missing file: no error")
	}
}
