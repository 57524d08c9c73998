// Package s3test starts a real S3-compatible object store for tests:
// SeaweedFS's S3 gateway, built once from its Go module at a pinned version
// and cached, so no test of the S3 store runs against an in-memory fake.
//
// SeaweedFS's go.mod has replace directives, so `go install pkg@version`
// refuses it; the module is downloaded through the module proxy and built
// as a main module instead. WARRANTDESK_TEST_WEED names a prebuilt weed
// binary to use instead. When neither works the tests skip, except in CI
// (CI set), where they fail.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
)

// Module and Version pin the SeaweedFS the tests run.
const (
	Module  = "github.com/seaweedfs/seaweedfs"
	Version = "v0.0.0-20261109003541-7506e5f91cd6"
)

// EnvWeed names a prebuilt weed binary.
const EnvWeed = "WARRANTDESK_TEST_WEED"

var (
	buildOnce sync.Once
	weedPath  string
	buildErr  error
)

// Weed returns the path of the weed binary, building it into the user's
// cache directory on first use (a few minutes; later runs reuse it).
func Weed() (string, error) {
	buildOnce.Do(func() { weedPath, buildErr = build() })
	return weedPath, buildErr
}

func build() (string, error) {
	if p := os.Getenv(EnvWeed); p != "" {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the weed binary: %w", err)
	}
	dir := filepath.Join(cache, "warrantdesk-test", "weed-"+Version)
	bin := filepath.Join(dir, "weed")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out, err := exec.Command("go", "mod", "download", "-json", Module+"@"+Version).Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", Module, Version, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no directory in %s", Module, Version, out)
	}
	// The module cache is read-only and outside any module of ours: copy
	// the source and build it as its own main module.
	src, err := os.MkdirTemp(dir, "src-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(src)
	if out, err := exec.Command("cp", "-r", mod.Dir+"/.", src).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copy the SeaweedFS source: %v: %s", err, out)
	}
	exec.Command("chmod", "-R", "u+w", src).Run()
	tmp := filepath.Join(dir, ".weed-"+randHex(4))
	cmd := exec.Command("go", "build", "-o", tmp, "./weed")
	cmd.Dir = src
	// Not the tests' GOFLAGS: CI's -race would make a slow build and a
	// slow server.
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("go build %s@%s/weed: %v\n%s", Module, Version, err, tail(out))
	}
	// Rename is atomic: concurrent test packages building at once each
	// leave a whole binary.
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	return bin, nil
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Server starts a fresh SeaweedFS with its S3 gateway for tb, stopped at
// cleanup, and returns the configuration of a store in a new bucket on it,
// signed in with an access key the server checks.
func Server(tb testing.TB) blob.S3Config {
	tb.Helper()
	weed, err := Weed()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("no S3 server for the tests: %v", err)
		}
		tb.Skipf("no S3 server for the tests (set %s to a weed binary, or let the tests build %s@%s): %v", EnvWeed, Module, Version, err)
	}
	dir := tb.TempDir()
	cfg := blob.S3Config{
		Bucket:          "warrantdesk-test",
		Region:          "us-east-1",
		AccessKeyID:     "test" + randHex(8),
		SecretAccessKey: randHex(20),
		PathStyle:       true,
		TempDir:         dir,
	}
	ident, _ := json.Marshal(map[string]any{"identities": []any{map[string]any{
		"name":        "warrantdesk",
		"credentials": []any{map[string]string{"accessKey": cfg.AccessKeyID, "secretKey": cfg.SecretAccessKey}},
		"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
	}}})
	s3conf := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(s3conf, ident, 0o600); err != nil {
		tb.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		tb.Fatal(err)
	}
	p := freePorts(tb, 8)
	s3port := p[6]
	args := []string{"server",
		"-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + p[0], "-master.port.grpc=" + p[1],
		"-volume.port=" + p[2], "-volume.port.grpc=" + p[3],
		"-filer", "-filer.port=" + p[4], "-filer.port.grpc=" + p[5],
		"-s3", "-s3.port=" + s3port, "-s3.port.grpc=" + p[7], "-s3.config=" + s3conf,
		// Side services on fixed ports would collide between tests.
		"-s3.port.iceberg=0", "-s3.port.lance=0",
		"-master.volumeSizeLimitMB=64", "-volume.max=8",
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, weed, args...)
	logf, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("start weed: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		logf.Close()
	})
	cfg.Endpoint = "http://127.0.0.1:" + s3port
	// Ready when the gateway answers and a bucket can be made: the S3
	// gateway starts before the filer and volume servers it needs.
	deadline := time.Now().Add(90 * time.Second)
	for {
		if _, err = blob.NewS3(context.Background(), cfg); err == nil {
			return cfg
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logf.Name())
			tb.Fatalf("weed exited before serving S3: %s", tail(log))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			tb.Fatalf("weed's S3 gateway not ready after 90s: %v\n%s", err, tail(log))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// freePorts returns n distinct ports that were free a moment ago.
func freePorts(tb testing.TB, n int) []string {
	tb.Helper()
	var ls []net.Listener
	var ports []string
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
