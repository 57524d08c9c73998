package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// runHealthcheck asks a running portal's GET /readyz whether it is ready and
// fails unless it answers 200: the image's HEALTHCHECK and compose's
// healthchecks run it, since the distroless image has no shell or curl. It
// reads only the listen address (WARRANTDESK_ADDR or --addr, as serve does),
// not the other settings: a health probe that opened secret files or
// reached the database itself would fail for reasons of its own.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var timeout time.Duration
	cmd := config.Command{Name: "healthcheck", Flags: []string{"addr"},
		Usage: "usage: warrantdesk healthcheck [--addr host:port] [--timeout 4s]\n\n" +
			"Exits 0 when the portal listening at --addr answers GET /readyz with 200, 1 otherwise.\n" +
			"Of the settings it reads only WARRANTDESK_ADDR.",
		Own: func(fs *flag.FlagSet) {
			fs.DurationVar(&timeout, "timeout", 4*time.Second, "how long to wait for the answer")
		}}
	addrOnly := func(k string) string {
		if k == "WARRANTDESK_ADDR" {
			return getenv(k)
		}
		return ""
	}
	cfg, err := config.Load(cmd, args, addrOnly, stdout)
	if err != nil {
		return err
	}
	if timeout <= 0 {
		return errors.New("--timeout must be positive, such as 4s")
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return fmt.Errorf("--addr %q is not host:port (WARRANTDESK_ADDR, as serve listens on)", cfg.Addr)
	}
	// A server listening on all interfaces (0.0.0.0 in the image) is asked
	// on loopback, from inside its own container.
	target := "http://" + publicAddr(cfg.Addr) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", cfg.Addr, err)
	}
	// Not http.DefaultClient: no proxy from the environment (HTTP_PROXY
	// must not decide whether a local probe succeeds), no redirects.
	client := &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s did not answer within %s", target, timeout)
		}
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // without the method and URL, said already
		}
		return fmt.Errorf("%s is not reachable: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s%s", target, resp.Status, failedChecks(body))
	}
	fmt.Fprintf(stdout, "ready: %s answered %s\n", target, resp.Status)
	return nil
}

// failedChecks names the checks of a /readyz answer that are not "ok", so
// that `docker inspect` shows why a replica is unhealthy.
func failedChecks(body []byte) string {
	var r struct {
		Checks map[string]string `json:"checks"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Checks) == 0 {
		return ""
	}
	var failed []string
	for name, st := range r.Checks {
		if st != "ok" {
			failed = append(failed, name+": "+strings.Join(strings.Fields(st), " "))
		}
	}
	if len(failed) == 0 {
		return ""
	}
	slices.Sort(failed)
	return " (" + strings.Join(failed, "; ") + ")"
}
