package dbtest

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Pgbench runs pgbench on a fresh database of the test PostgreSQL server
// with clients connections for as long as d (at least 5 s) and returns its
// transactions per second: the physical limit benchmarks compare against in
// the same run. args choose the script: none for the default TPC-B-like
// writes (five statements and a commit), "-S" for select-only. It fails
// when pgbench is not installed.
func Pgbench(tb testing.TB, clients int, d time.Duration, args ...string) (float64, error) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		return 0, err
	}
	url := PostgresURL(tb)
	if out, err := exec.Command("pgbench", "-i", "-q", "-s", "1", url).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("pgbench -i: %v: %s", err, out)
	}
	secs := max(int(d.Seconds()), 5)
	run := append(append([]string{}, args...), "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(secs), url)
	out, err := exec.Command("pgbench", run...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench %v: %v: %s", args, err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps in pgbench output: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
