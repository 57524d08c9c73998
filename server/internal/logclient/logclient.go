// Package logclient reads and checks a warrantdesk portal's public
// transparency log over its public API: the signed checkpoint, the leaves,
// inclusion and consistency proofs, and the transparency reports signed
// with the log's key. It trusts nothing the portal says that it can check:
// checkpoints are verified against a key the caller got elsewhere, and
// leaves against the signed tree.
//
// Two commands use it: wd-logcheck, the standalone verifier a member of the
// public runs against a portal, and warrantdesk report verify, which
// recounts a published report from the same log. Its imports are limited to
// the standard library and golang.org/x/mod (a test enforces it), so that
// anyone can read all of the verifier's code in one sitting and build it
// with nothing but the Go toolchain and x/mod: it must not depend on the
// portal code whose work it checks.
package logclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// maxBody bounds a response: a page of leaves is at most 100,000 leaves,
// about 30 MB.
const maxBody = 256 << 20

// maxRateLimitWaits is how many times a request waits out a rate limit
// (429 with Retry-After) before it fails.
const maxRateLimitWaits = 30

// A Client reads one portal's public log API. Its zero HTTP uses a client
// with a one-minute timeout.
type Client struct {
	// BaseURL is the portal's, such as https://portal.example.
	BaseURL string
	// HTTP makes the requests; its Timeout bounds each one, body included.
	HTTP *http.Client
	// Verifier is the log's public key, from a source the user trusts:
	// SignedCheckpoint accepts only checkpoints it signed.
	Verifier note.Verifier
}

var defaultHTTP = &http.Client{Timeout: time.Minute}

// ReadKey returns the verifier key that arg gives: the key itself, or
// after an @, the contents of the file it names; without surrounding
// space. The error is the file's, for the caller to name its flag.
func ReadKey(arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if name, ok := strings.CutPrefix(arg, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		arg = strings.TrimSpace(string(b))
	}
	return arg, nil
}

// Key returns the verifier key the portal serves. A portal cannot vouch
// for itself: checking with this key proves only that it agrees with
// itself.
func (c *Client) Key(ctx context.Context) (string, error) {
	b, err := c.get(ctx, "/api/v1/log/key")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// Report returns a published transparency report's JSON bytes and its
// signed note, as the portal serves them; version 0 is the newest.
func (c *Client) Report(ctx context.Context, period string, version int) (body, sig []byte, err error) {
	path := "/api/v1/transparency/reports/" + url.PathEscape(period)
	if version > 0 {
		path += "?version=" + strconv.Itoa(version)
	}
	var out struct {
		Report    json.RawMessage `json:"report"`
		Signature string          `json:"signature"`
	}
	if err := c.getJSON(ctx, path, &out); err != nil {
		return nil, nil, err
	}
	return out.Report, []byte(out.Signature), nil
}

// get fetches a public path.
func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	resp, err := c.open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return b, nil
}

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	b, err := c.get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// open requests a public path and returns the response once its status is
// 200 (the caller reads and closes the body), waiting out rate limits (429
// with Retry-After) a few times: the portal limits its public API per
// client, and a verifier reading the whole log may reach the limit.
func (c *Client) open(ctx context.Context, path string) (*http.Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	u := strings.TrimRight(c.BaseURL, "/") + path
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusOK {
			return resp, nil
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && attempt < maxRateLimitWaits {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
}

// readBody reads a response body of at most maxBody bytes: in one
// allocation when the length is announced (a cached page of the log is),
// so a 30 MB page is not copied over and over while a growing buffer
// doubles. A longer body is an error, never a cut one.
func readBody(resp *http.Response) ([]byte, error) {
	tooLong := fmt.Errorf("the response is longer than %d MB", maxBody>>20)
	if n := resp.ContentLength; n > maxBody {
		return nil, tooLong
	} else if n > 0 {
		b := make([]byte, n)
		_, err := io.ReadFull(resp.Body, b)
		return b, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if len(b) > maxBody {
		return nil, tooLong
	}
	return b, err
}
