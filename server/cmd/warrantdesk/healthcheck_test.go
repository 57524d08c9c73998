package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
)

// TestHealthcheck runs `warrantdesk healthcheck` against a real portal, a
// port nobody listens on, another HTTP server and one that never answers:
// 0 only for the ready portal, otherwise 1 and one line that says why.
func TestHealthcheck(t *testing.T) {
	// SQLite whatever the suite runs on: the test makes the portal unready
	// by changing its database behind its back.
	dbPath := filepath.Join(t.TempDir(), "warrantdesk.db")
	base := MustRunMain(t, "WARRANTDESK_DATABASE_URL="+dbPath)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	portal := u.Host
	_, port, _ := net.SplitHostPort(portal)

	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	stalled := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stalled:
		case <-r.Context().Done():
		}
	}))
	defer silent.Close()
	defer close(stalled)

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string // in stdout when 0, in stderr otherwise
	}{
		{"ReadyByFlag", []string{"--addr", portal}, nil, 0, "ready: http://" + portal + "/readyz answered 200"},
		// The image sets WARRANTDESK_ADDR=0.0.0.0:8080; the probe asks loopback.
		{"ReadyByEnvAllInterfaces", nil, map[string]string{"WARRANTDESK_ADDR": "0.0.0.0:" + port}, 0, "answered 200"},
		{"FlagOverridesEnv", []string{"--addr", portal}, map[string]string{"WARRANTDESK_ADDR": closed}, 0, "answered 200"},
		{"ClosedPort", []string{"--addr", closed}, nil, 1, "is not reachable"},
		{"NotThePortal", []string{"--addr", strings.TrimPrefix(other.URL, "http://")}, nil, 1, "answered 404 Not Found"},
		{"NoAnswer", []string{"--addr", strings.TrimPrefix(silent.URL, "http://"), "--timeout", "200ms"}, nil, 1, "did not answer within 200ms"},
		{"BadAddr", []string{"--addr", "nonsense"}, nil, 1, `--addr "nonsense" is not host:port`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runHealthcheckCmd(tc.args, tc.env)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %q\nstderr %q", code, tc.code, stdout, stderr)
			}
			out := stdout
			if tc.code != 0 {
				out = stderr
			}
			if !strings.Contains(out, tc.want) || strings.Count(out, "\n") != 1 {
				t.Errorf("output %q: want one line containing %q", out, tc.want)
			}
		})
	}

	// The real portal, unready: its schema falls behind the binary (as when
	// a new image starts before `warrantdesk migrate` ran). The probe fails
	// and names the check that failed.
	t.Run("SchemaBehind", func(t *testing.T) {
		d, err := db.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.SQL.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)`); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runHealthcheckCmd([]string{"--addr", portal}, nil)
		if want := "answered 503 Service Unavailable (migrations: pending)"; code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stdout %q, stderr %q: want 1 and %q", code, stdout, stderr, want)
		}
	})
}

func runHealthcheckCmd(args []string, env map[string]string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"healthcheck"}, args...), func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}
