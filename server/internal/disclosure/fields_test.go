package disclosure_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// approveThrough walks request id through intake and review to an approval
// of the whole scope decision, countersigned where the policy asks for it,
// and waits for the workflow to hand it to production.
func approveThrough(t *testing.T, we *wt.Env, id string) {
	t.Helper()
	we.Do(t, we.Intake, id, workflow.ActionTake, workflow.Input{})
	we.Do(t, we.Intake, id, workflow.ActionVerify, workflow.Input{Verification: wt.Verified(false)})
	we.Do(t, we.Reviewer, id, workflow.ActionTake, workflow.Input{})
	we.Do(t, we.Reviewer, id, workflow.ActionApprove, workflow.Input{})
	if we.State(t, id) == request.StateAwaitingCountersign {
		we.Do(t, we.Counsel, id, workflow.ActionCountersign, workflow.Input{})
	}
	wt.Eventually(t, 10*time.Second, "the produce job", func() bool { return we.State(t, id) == request.StateProducing })
}

// jsonKeys returns the keys of each object of a category's JSON file.
func jsonKeys(t *testing.T, b []byte) [][]string {
	t.Helper()
	var recs []map[string]any
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	out := make([][]string, len(recs))
	for i, r := range recs {
		for k := range r {
			out[i] = append(out[i], k)
		}
		slices.Sort(out[i])
	}
	return out
}

// TestIdentificationOrderReleasesOnlyIdentifyingFields: a European
// Production Order made solely to identify the user (Regulation (EU)
// 2023/1543, Art. 3(10)), for subscriber data and the connection log, goes
// through the real workflow; its package holds the connection log's time,
// IP address and source port and no other field, in JSON and CSV, and the
// manifest and README say so; subscriber data keeps every field. A normal
// order for the same categories still produces every field.
func TestIdentificationOrderReleasesOnlyIdentifyingFields(t *testing.T) {
	ctx := context.Background()
	svc := &disclosure.Service{}
	we := wt.New(t, wt.Options{Config: workflow.Config{Producer: disclosure.WorkflowProducer{Service: svc}}})
	store, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := disclosure.ParseKeys(testKey)
	cat, _ := we.Policy.Catalogue(ctx)
	*svc = disclosure.Service{DB: we.DB, Blobs: store, Policy: we.Policy, Authz: request.NewPolicy(we.Policy), Keys: keys,
		Metadata: &metadata.Store{DB: we.DB, Retention: metadata.RetentionFrom(cat)}, OnReady: disclosure.DiscloseWith(we.Engine),
		TempDir: t.TempDir()}
	// The demo target, with a month of history, all of it in the orders'
	// window.
	if _, err := demo.GenerateMetadata(ctx, we.DB, demo.MetadataOptions{
		Accounts: 1, FirstIndex: demo.TargetIndex, Days: 30, EventsPerDay: 4, Seed: 1, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	lka := wt.MustAgency(t, we.DB, "Landeskriminalamt Musterland", "DE", "https://idp.lka-musterland.example")
	ermittler := wt.MustPerson(t, we.DB, lka, "ermittler", identity.RoleOfficer)
	file := func(officer *identity.Principal, in request.Input) string {
		today := day.Of(time.Now().UTC())
		in.IssuedOn, in.DateFrom, in.DateTo = today, today.AddDays(-31), today
		r, err := we.Requests.Create(ctx, officer, in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if _, err := we.Requests.UploadDocument(ctx, officer, r.ID, "order.pdf", bytes.NewReader(wt.PDF())); err != nil {
			t.Fatal(err)
		}
		return we.Submit(t, officer, r.ID).ID
	}
	in := wt.Input(wt.Subpoena)
	in.Process, in.Purpose = "eu.epoc", "identification"
	in.IssuingAuthority = request.Authority{Kind: "prosecutor", Name: "Staatsanwaltschaft Musterstadt", SignedBy: "OStA K. Beispiel"}
	in.Docket = "StA-2026-0815"
	epoc := file(ermittler, in)
	normal := file(we.Officer, wt.Input(wt.Subpoena))

	for _, tc := range []struct {
		desc       string
		id         string
		officer    *identity.Principal
		wantHeader string
		wantKeys   []string
		wantFields map[string][]string
		wantReadme string
	}{
		{
			desc: "eu.epoc for identification", id: epoc, officer: ermittler,
			wantHeader: "account_id,time,ip,port\r\n", wantKeys: []string{"account_id", "ip", "port", "time"},
			wantFields: map[string][]string{"connection_log": {"account_id", "time", "ip", "port"}},
			wantReadme: "connection_log: only account_id, time, ip, port.",
		},
		{
			desc: "us.subpoena", id: normal, officer: we.Officer,
			wantHeader: "account_id,time,ip,port,event\r\n", wantKeys: []string{"account_id", "event", "ip", "port", "time"},
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			approveThrough(t, we, tc.id)
			var d workflow.Decision
			if err := json.Unmarshal([]byte(we.Case(t, tc.id).Decision), &d); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantFields, d.Fields, cmp.Comparer(func(a, b map[string][]string) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })); diff != "" {
				t.Errorf("the approved decision's fields (-want +got):\n%s", diff)
			}
			if _, err := svc.Produce(ctx, tc.id); err != nil {
				t.Fatal(err)
			}
			d2, err := svc.OpenDownload(ctx, tc.officer, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(d2.Body)
			d2.Body.Close()
			pk := openPackage(t, buf.Bytes(), keys.PublicKey())

			if got := string(pk.files["connection_log.csv"]); !strings.HasPrefix(got, tc.wantHeader) || got == tc.wantHeader {
				t.Errorf("connection_log.csv starts %q, want the header %q and records", got[:min(len(got), 60)], tc.wantHeader)
			}
			for _, line := range strings.Split(strings.TrimSuffix(string(pk.files["connection_log.csv"]), "\r\n"), "\r\n") {
				if got, want := strings.Count(line, ","), strings.Count(tc.wantHeader, ","); got != want {
					t.Errorf("CSV line %q has %d commas, want %d", line, got, want)
					break
				}
			}
			keysOf := jsonKeys(t, pk.files["connection_log.json"])
			if len(keysOf) == 0 {
				t.Fatalf("no connection log records: the test proves nothing; manifest %+v", pk.manifest)
			}
			for _, k := range keysOf {
				if !slices.Equal(k, tc.wantKeys) {
					t.Fatalf("a connection_log.json record has %v, want %v", k, tc.wantKeys)
				}
			}
			if sub := jsonKeys(t, pk.files["subscriber.json"]); len(sub) != 1 || len(sub[0]) != len(metadata.Fields(metadata.Subscriber)) {
				t.Errorf("subscriber.json records %v, want every subscriber field", sub)
			}
			if diff := cmp.Diff(tc.wantFields, pk.manifest.Scope.Fields); diff != "" {
				t.Errorf("manifest fields (-want +got):\n%s", diff)
			}
			readme := strings.Join(strings.Fields(string(pk.files[disclosure.FileReadme])), " ")
			if tc.wantReadme != "" && !strings.Contains(readme, tc.wantReadme) {
				t.Errorf("README does not say %q:\n%s", tc.wantReadme, pk.files[disclosure.FileReadme])
			}
			if tc.wantReadme == "" && strings.Contains(readme, "Only these fields") {
				t.Error("the README of a normal order says its fields are limited")
			}
		})
	}
}
