// Package docstest keeps generated parts of the documentation equal to the
// code they describe: a test renders the part and Generated compares it with
// the file, or rewrites it when the test runs with -update.
package docstest

import (
	"bytes"
	"os"
	"testing"
)

// Generated checks that the file at path holds body between the begin marker
// line and the finish marker. With update it rewrites that part instead of
// failing; fix names the command that does so, for the failure message.
func Generated(t testing.TB, path, begin, finish, body string, update bool, fix string) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, e := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(finish))
	if b < 0 || e < b {
		t.Fatalf("%s lacks the markers\n%s\n…\n%s", path, begin, finish)
	}
	want := begin + "\n\n" + body + "\n"
	if string(doc[b:e]) == want {
		return
	}
	if !update {
		t.Fatalf("%s differs from the code it documents; run\n\t%s", path, fix)
	}
	out := append(append(append([]byte{}, doc[:b]...), want...), doc[e:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
