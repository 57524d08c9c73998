package disclosure_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; run go test -update if the change is intended):\n%s", path, diff)
	}
}

// TestPackageLayoutGolden produces a small package for one account and one
// unmatched target and compares its layout, manifest, README and data
// files with the golden file. The production id (random) is masked.
func TestPackageLayoutGolden(t *testing.T) {
	e := newEnv(t)
	if _, err := demo.GenerateMetadata(context.Background(), e.db, demo.MetadataOptions{
		Accounts: 1, FirstIndex: demo.TargetIndex, Days: 3, EventsPerDay: 3, Seed: 1, Now: now}); err != nil {
		t.Fatal(err)
	}
	r := e.request(req{process: "us.2703d", categories: []string{"subscriber", "activity", "connection_log", "device", "contacts", "groups", "content"},
		targets: []request.Target{target123, {Type: request.TargetUsername, Value: "nobody.here"}},
		from:    day.Of(now).AddDays(-2), to: day.Of(now)})
	p, err := e.svc.Produce(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.setStatus(r.ID, "disclosed")
	b, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	pk := openPackage(t, b, e.svc.Keys.PublicKey())
	mask := func(s string) string { return strings.ReplaceAll(s, p.ID, "<production-id>") }
	var out strings.Builder
	fmt.Fprintf(&out, "== files ==\n")
	for _, n := range pk.names {
		sum := sha256hex(pk.files[n])
		if n == disclosure.FileManifest || n == disclosure.FileSignature {
			sum = "(covers the production id)"
		}
		fmt.Fprintf(&out, "%-22s %7d  %s\n", n, len(pk.files[n]), sum)
	}
	for _, n := range pk.names {
		if n == disclosure.FileSignature {
			continue
		}
		fmt.Fprintf(&out, "\n== %s ==\n%s", n, mask(string(pk.files[n])))
	}
	golden(t, "package_layout.golden", out.String())

	if got, want := pk.manifest.Outcome, disclosure.OutcomeRecords; got != want {
		t.Errorf("outcome %s, want %s", got, want)
	}
	if got := pk.manifest.Scope.Targets[1].Result; got != disclosure.TargetNoAccount {
		t.Errorf("the unmatched target's result is %q", got)
	}
}

// TestIdentificationPackageGolden: the package of a European Production
// Order made solely to identify the user (Regulation (EU) 2023/1543, Art.
// 3(10)) holds only the time, IP address and source port of each
// connection, with the account it belongs to, and its manifest and README
// say so; subscriber data keeps
// every field. Compared with its golden file.
func TestIdentificationPackageGolden(t *testing.T) {
	e := newEnv(t)
	if _, err := demo.GenerateMetadata(context.Background(), e.db, demo.MetadataOptions{
		Accounts: 1, FirstIndex: demo.TargetIndex, Days: 3, EventsPerDay: 3, Seed: 1, Now: now}); err != nil {
		t.Fatal(err)
	}
	r := e.request(req{agency: e.de, officer: e.officer3, process: "eu.epoc", authority: "prosecutor", purpose: "identification",
		categories: []string{"subscriber", "connection_log"}, targets: []request.Target{target123},
		from: day.Of(now).AddDays(-2), to: day.Of(now)})
	p, err := e.svc.Produce(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.setStatus(r.ID, "disclosed")
	b, err := e.download(e.officer3, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	pk := openPackage(t, b, e.svc.Keys.PublicKey())
	var out strings.Builder
	for _, n := range []string{"connection_log.json", "connection_log.csv", disclosure.FileReadme, disclosure.FileManifest} {
		fmt.Fprintf(&out, "== %s ==\n%s\n", n, strings.ReplaceAll(string(pk.files[n]), p.ID, "<production-id>"))
	}
	golden(t, "package_identification.golden", out.String())
	if got, want := pk.manifest.Scope.Fields["connection_log"], []string{"account_id", "time", "ip", "port"}; !slices.Equal(got, want) {
		t.Errorf("manifest fields %v, want %v", got, want)
	}
	if !strings.HasPrefix(string(pk.files["connection_log.csv"]), "account_id,time,ip,port\r\n") {
		t.Errorf("connection_log.csv = %q", pk.files["connection_log.csv"])
	}
}

// TestNoRecordsIsASignedOutcome: a request whose only target matches no
// account gets a full, signed package saying so.
func TestNoRecordsIsASignedOutcome(t *testing.T) {
	e := newEnv(t)
	e.seedAccounts()
	r := e.request(req{categories: []string{"subscriber", "connection_log"},
		targets: []request.Target{{Type: request.TargetPhone, Value: "+15550199999"}}})
	p, err := e.svc.Produce(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Outcome != disclosure.OutcomeNoRecords {
		t.Errorf("outcome %q", p.Outcome)
	}
	e.setStatus(r.ID, "disclosed")
	b, err := e.download(e.officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	pk := openPackage(t, b, e.svc.Keys.PublicKey())
	if got, want := pk.names, []string{"subscriber.json", "subscriber.csv", "connection_log.json", "connection_log.csv", "README.txt", "manifest.json", "manifest.json.sig"}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if got := string(pk.files["subscriber.json"]); got != "[]\n" {
		t.Errorf("subscriber.json = %q", got)
	}
	if got := string(pk.files["connection_log.csv"]); got != "account_id,time,ip,port,event\r\n" {
		t.Errorf("connection_log.csv = %q", got)
	}
	if !strings.Contains(string(pk.files["README.txt"]), "NO RECORDS FOUND") {
		t.Error("the README does not say no records were found")
	}
	if pk.manifest.Outcome != disclosure.OutcomeNoRecords || pk.manifest.Scope.Targets[0].Result != disclosure.TargetNoAccount {
		t.Errorf("manifest %+v", pk.manifest)
	}
}

// TestEveryProcessProducesOnlyWhatItAllows asks the real policy for every
// legal process of the catalogue, with every category requested, and checks
// that the package holds exactly the categories the policy authorised, all
// of which the process can compel, and never content. A process that
// compels nothing (preservation) produces nothing.
func TestEveryProcessProducesOnlyWhatItAllows(t *testing.T) {
	e := newEnv(t)
	e.seedAccounts()
	ctx := context.Background()
	cat, err := e.svc.Policy.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agencies := map[string]req{
		"us": {agency: e.us, officer: e.officer}, "uk": {agency: e.gb, officer: e.officer2}, "eu": {agency: e.de, officer: e.officer3},
	}
	tested := 0
	for _, j := range cat.Jurisdictions {
		for _, proc := range j.Processes {
			t.Run(proc.ID, func(t *testing.T) {
				o := agencies[j.ID]
				o.process, o.authority = proc.ID, proc.IssuerKinds[0]
				o.categories = append([]string{}, request.Categories...)
				o.targets = []request.Target{target123}
				o.emergency = proc.Flags.Emergency
				if proc.Flags.Prospective {
					o.from, o.to = day.Of(now), day.Of(now).AddDays(20)
					o.issued = day.Of(now)
				}
				r := e.request(o)
				if proc.Flags.Prospective {
					// The order collects routing metadata while it runs.
					if _, err := e.md.StartCollection(ctx, e.db.DB, r.ID, r.Targets, now.Add(-time.Hour), now.AddDate(0, 0, 20)); err != nil {
						t.Fatal(err)
					}
					if err := e.md.RecordEnvelope(ctx, e.db.DB, metadata.EnvelopeRecord{AccountID: demo.AccountIDOf(target123.Value),
						At: now.Add(-time.Minute), Sender: target123.Value, Recipient: demo.PhoneOf(4), Type: metadata.EnvelopeMessage, SizeBytes: 311}); err != nil {
						t.Fatal(err)
					}
				}
				sc, err := e.svc.Authz.Scope(ctx, r, agencies[j.ID].agency)
				if err != nil {
					t.Fatal(err)
				}
				p, err := e.svc.Produce(ctx, r.ID)
				if len(sc.Categories) == 0 || !sc.Valid {
					if errs.CodeOf(err) != errs.PolicyDenied {
						t.Errorf("policy authorised nothing (%+v), yet Produce gave %v, %v", sc, p, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("produce: %v", err)
				}
				e.setStatus(r.ID, "disclosed")
				b, err := e.download(o.officer, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				pk := openPackage(t, b, e.svc.Keys.PublicKey())
				var want []string
				for _, c := range sc.Categories {
					if !slices.Contains(proc.Categories, c) || c == "content" {
						t.Errorf("the policy authorised %s, which %s cannot compel", c, proc.ID)
					}
					want = append(want, c+".json", c+".csv")
				}
				want = append(want, "README.txt", "manifest.json", "manifest.json.sig")
				if diff := cmp.Diff(want, pk.names); diff != "" {
					t.Errorf("package files (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(sc.Categories, pk.manifest.Scope.Categories); diff != "" {
					t.Errorf("manifest categories (-policy +manifest):\n%s", diff)
				}
				tested++
			})
		}
	}
	if tested < 5 {
		t.Errorf("only %d processes produced a package", tested)
	}
}
