package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// logServer serves a translog log the way the portal's /api/v1/log
// endpoints do; tamper, if not nil, may change each leaf it serves.
func logServer(t *testing.T, l *translog.Log, tamper func(index int64, leaf []byte) []byte) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	num := func(r *http.Request, k string) int64 {
		n, _ := strconv.ParseInt(r.URL.Query().Get(k), 10, 64)
		return n
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
			out.Proof = append(out.Proof, append([]byte(nil), h[:]...))
		}
		json.NewEncoder(w).Encode(out)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/log/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		cp, err := l.Latest(ctx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write(cp.Note)
	})
	mux.HandleFunc("GET /api/v1/log/entries", func(w http.ResponseWriter, r *http.Request) {
		es, err := l.Entries(ctx, num(r, "start"), int(num(r, "limit")))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		type entry struct {
			Index int64  `json:"index"`
			Leaf  []byte `json:"leaf"`
		}
		out := struct {
			Entries []entry `json:"entries"`
		}{}
		for _, e := range es {
			leaf := e.Leaf
			if tamper != nil {
				leaf = tamper(e.Index, leaf)
			}
			out.Entries = append(out.Entries, entry{e.Index, leaf})
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /api/v1/log/leaves", func(w http.ResponseWriter, r *http.Request) {
		size, err := l.Size(ctx)
		if err == nil && size < num(r, "start") {
			size = num(r, "start") // Leaves refuses it
		}
		var out bytes.Buffer
		if err == nil {
			err = l.Leaves(ctx, num(r, "start"), size, func(index int64, leaf []byte) error {
				if tamper != nil {
					leaf = tamper(index, bytes.Clone(leaf))
				}
				out.Write(leaf)
				return out.WriteByte('\n')
			})
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		w.Write(out.Bytes())
	})
	mux.HandleFunc("GET /api/v1/log/proof/inclusion", func(w http.ResponseWriter, r *http.Request) {
		p, err := l.InclusionProof(ctx, num(r, "index"), num(r, "size"))
		writeProof(w, p, err)
	})
	mux.HandleFunc("GET /api/v1/log/proof/consistency", func(w http.ResponseWriter, r *http.Request) {
		p, err := l.ConsistencyProof(ctx, num(r, "old"), num(r, "new"))
		writeProof(w, p, err)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func appendLeaves(t *testing.T, d *gorm.DB, from, to int) {
	t.Helper()
	date, _ := day.Parse("2026-11-20")
	for i := from; i < to; i++ {
		err := d.Transaction(func(tx *gorm.DB) error {
			_, err := translog.Append(context.Background(), tx, translog.Leaf{
				RequestID: fmt.Sprint("request-", i), Reference: fmt.Sprintf("WD-2026-%06d", i),
				Record: translog.Record{Event: translog.EventReceived, Date: date, Country: "GB", AgencyKind: "police",
					Process: "uk.ipa", RequestType: translog.TypeLegalProcess, Categories: []string{"subscriber"}, Accounts: 1},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	skey, vkey, err := translog.GenerateKey("warrantdesk.example/logcheck-test")
	if err != nil {
		t.Fatal(err)
	}
	l, err := translog.New(d.DB, skey)
	if err != nil {
		t.Fatal(err)
	}
	appendLeaves(t, d.DB, 0, 5)
	if _, err := l.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	srv := logServer(t, l, nil)
	dir := t.TempDir()
	saved := filepath.Join(dir, "checkpoint.txt")
	check := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := run(args, &out, &out)
		return code, out.String()
	}

	if code, out := check("-url", srv.URL, "-key", vkey, "-save", saved); code != 0 || !strings.Contains(out, "5 leaves") {
		t.Fatalf("checkpoint: exit %d\n%s", code, out)
	}
	appendLeaves(t, d.DB, 5, 11)
	// Two bands a report published for national-security requests.
	date, _ := day.Parse("2027-01-10")
	band := translog.Record{Event: translog.EventNationalSecurityBand, Commitment: translog.BandCommitment("2026-H1", 1), Date: date,
		Country: "US", AgencyKind: "federal", Process: "us.nsl", RequestType: translog.TypeLegalProcess, Outcome: "requests_received"}
	if err := d.Transaction(func(tx *gorm.DB) error {
		_, err := translog.AppendBands(ctx, tx, []translog.Record{band, band})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	if code, out := check("-url", srv.URL, "-key", vkey, "-old", saved, "-index", "7", "-all"); code != 0 ||
		!strings.Contains(out, "extends the saved one of 5 leaves") || !strings.Contains(out, "leaf 7 is in the log") ||
		!regexp.MustCompile(`received legal_process +11\n`).MatchString(out) ||
		!regexp.MustCompile(`national_security_band 2027-01-10 \(report [0-9a-f]{12}\) +2\n`).MatchString(out) {
		t.Errorf("consistency, inclusion and rebuild: exit %d\n%s", code, out)
	}

	rc, err := l.Receipt(ctx, "request-3", "", audit.Event{Action: "request.receipt"})
	if err != nil {
		t.Fatal(err)
	}
	rcFile := filepath.Join(dir, "receipt.json")
	b, _ := json.Marshal(rc)
	os.WriteFile(rcFile, b, 0o600)
	if code, out := check("-key", vkey, "-receipt", rcFile, "-reference", "WD-2026-000003"); code != 0 {
		t.Errorf("receipt: exit %d\n%s", code, out)
	}

	_, otherKey, _ := translog.GenerateKey("warrantdesk.example/logcheck-test")
	for _, tc := range []struct {
		desc string
		srv  *httptest.Server
		args []string
	}{
		{"another key", srv, []string{"-key", otherKey}},
		{"the receipt for another reference", nil, []string{"-key", vkey, "-receipt", rcFile, "-reference", "WD-2026-000004"}},
		{"a leaf changed on the way", logServer(t, l, func(i int64, leaf []byte) []byte {
			if i == 4 {
				return bytes.Replace(leaf, []byte(`"accounts":1`), []byte(`"accounts":2`), 1)
			}
			return leaf
		}), []string{"-key", vkey, "-index", "4"}},
		{"a leaf changed on the way, rebuilding", logServer(t, l, func(i int64, leaf []byte) []byte {
			if i == 9 {
				return bytes.Replace(leaf, []byte(`"GB"`), []byte(`"US"`), 1)
			}
			return leaf
		}), []string{"-key", vkey, "-all"}},
		{"no key", srv, nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			args := tc.args
			if tc.srv != nil {
				args = append([]string{"-url", tc.srv.URL}, args...)
			}
			if code, out := check(args...); code == 0 {
				t.Errorf("exit 0, want a failure\n%s", out)
			}
		})
	}
}
