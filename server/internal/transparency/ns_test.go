package transparency_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// fileRequest files in through the request service, as an agency does.
func fileRequest(t *testing.T, e *workflowtest.Env, actor *identity.Principal, in request.Input) *request.Request {
	t.Helper()
	ctx := context.Background()
	r, err := e.Requests.Create(ctx, actor, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Process, err)
	}
	if _, err := e.Requests.UploadDocument(ctx, actor, r.ID, "order.pdf", bytes.NewReader(workflowtest.PDF())); err != nil {
		t.Fatalf("upload: %v", err)
	}
	return e.Submit(t, actor, r.ID)
}

// TestNationalSecurityIsPerRequest files a national security letter, a UK
// IPA authorisation in the interests of national security, and one to
// prevent crime, through the real request service and workflow: only the
// crime authorisation has a leaf; the report counts the other two in bands
// from their band leaves; the recount confirms every number, and finds a
// band changed after publication.
func TestNationalSecurityIsPerRequest(t *testing.T) {
	e := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	today := day.Of(time.Now().UTC())

	nsl := workflowtest.Input(workflowtest.Subpoena)
	nsl.Process, nsl.Categories = "us.nsl", []string{"subscriber"}
	nsl.IssuingAuthority = request.Authority{Kind: "agency", Name: "Federal Bureau of Investigation", SignedBy: "SAC A. Example"}
	ipa := func(purpose string) request.Input {
		in := workflowtest.Input(workflowtest.Subpoena)
		in.Process, in.Purpose, in.Categories = "uk.ipa", purpose, []string{"subscriber"}
		in.IssuingAuthority = request.Authority{Kind: "ocda", Name: "Office for Communications Data Authorisations", SignedBy: "Authorising Officer"}
		in.Docket, in.ExpiresOn = "OCDA-2026-0042", today.AddDays(20)
		in.Targets = []request.Target{{Type: "phone", Value: "+447700900123"}}
		return in
	}
	filed := map[string]*request.Request{
		"nsl":          fileRequest(t, e, e.Officer, nsl),
		"ipa national": fileRequest(t, e, e.OtherOfficer, ipa("national_security")),
		"ipa crime":    fileRequest(t, e, e.OtherOfficer, ipa("crime")),
	}
	for name, want := range map[string]bool{"nsl": true, "ipa national": true, "ipa crime": false} {
		var stored bool
		if err := e.DB.Raw("SELECT national_security FROM requests WHERE id = ?", filed[name].ID).Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		var leaves int64
		if err := e.DB.Raw("SELECT COUNT(*) FROM tlog_leaves WHERE request_id = ?", filed[name].ID).Scan(&leaves).Error; err != nil {
			t.Fatal(err)
		}
		if stored != want || filed[name].NationalSecurity != want || (leaves == 0) != want {
			t.Errorf("%s: national_security stored %v, returned %v, %d leaves; want %v", name, stored, filed[name].NationalSecurity, leaves, want)
		}
	}
	var private int64
	if err := e.DB.Raw("SELECT COUNT(*) FROM national_security_events WHERE event = 'received'").Scan(&private).Error; err != nil || private != 2 {
		t.Errorf("private national-security events: %d, %v; want 2", private, err)
	}

	// Publish the period once its national-security delay has passed.
	skey, vkey, err := translog.GenerateKey("test.warrantdesk.example/log")
	if err != nil {
		t.Fatal(err)
	}
	lg, err := translog.New(e.DB.DB, skey)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(vkey)
	rules, err := (&transparency.Service{Policy: e.Policy}).Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	period := transparency.PeriodOf(today, rules.PeriodMonths)
	later := period.Last.AddDays(rules.DelayDays + 2).Time().Add(12 * time.Hour)
	svc := &transparency.Service{DB: e.DB.DB, Policy: e.Policy, Log: lg, Now: func() time.Time { return later }}
	before, _ := lg.Size(ctx)
	pub, err := svc.Publish(ctx, operator, period.Name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := pub.Report()
	if rep.NationalSecurity.Status != transparency.NSPublished {
		t.Fatalf("national-security section %s", rep.NationalSecurity.Status)
	}
	var ns []string
	for _, r := range rep.NationalSecurity.Rows {
		ns = append(ns, r.Country+"/"+r.Process+" "+r.RequestsReceived.String())
	}
	if got, want := strings.Join(ns, ", "), "GB/uk.ipa 0-249, US/us.nsl 0-249"; got != want {
		t.Errorf("national-security rows %q, want %q", got, want)
	}
	var ordinary []string
	for _, r := range rep.Rows {
		ordinary = append(ordinary, r.Country+"/"+r.Process+" "+r.RequestsReceived.String())
	}
	if got, want := strings.Join(ordinary, ", "), "GB/uk.ipa fewer than 5"; got != want {
		t.Errorf("ordinary rows %q, want %q (the crime authorisation is ordinary legal process)", got, want)
	}
	// One band leaf per published number: two rows of twelve numbers.
	if added := pub.TreeSize - before; added != 24 {
		t.Errorf("publication added %d leaves, want 24 band leaves", added)
	}

	src := &dbSource{f: &fixture{svc: svc, log: lg}, drop: -1}
	res, err := transparency.Verify(ctx, src, v, period.Name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("recount: problems %v, mismatches %v", res.Problems, res.Mismatches)
	}

	// A dishonest version: a band the log does not hold, signed with the
	// log's key.
	lie := rep
	lie.NationalSecurity.Rows = append([]transparency.Cell(nil), rep.NationalSecurity.Rows...)
	lie.NationalSecurity.Rows[1].RequestsReceived = transparency.Count{Text: "250-499"}
	src.body, _ = lie.JSON()
	src.sig, _ = transparency.Sign(lg.Signer(), lie, src.body)
	res, err = transparency.Verify(ctx, src, v, period.Name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Mismatches) != 1 || res.Mismatches[0].Name != "national_security US/police/us.nsl/legal_process requests_received" {
		t.Errorf("mismatches of a changed band: %+v", res.Mismatches)
	}
}
