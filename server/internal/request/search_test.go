package request_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// search lists the references actor finds with f.
func search(t *testing.T, e *env, actor *identity.Principal, f request.Filter) []string {
	t.Helper()
	page, err := e.svc.List(context.Background(), actor, f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	refs := []string{}
	for _, r := range page.Items {
		refs = append(refs, r.Reference)
	}
	return refs
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	in := validInput()
	in.Docket = "CR-2026-07777"
	in.Targets = []request.Target{
		{Type: request.TargetPhone, Value: "+1 555 0100 123"},
		{Type: request.TargetUsername, Value: "@River.Suspect"},
		{Type: request.TargetAccountID, Value: "0b7d3c56-8f0e-4c1a-9d2b-6f4e1a2b3c4d"},
		{Type: request.TargetEmail, Value: "Suspect@Example.org"},
	}
	found := mustCreate(t, e, e.officerA, in)
	mustUpload(t, e, e.officerA, found.ID, request.BuildPDF("\n", "search"))
	if _, err := e.submit(ctx, e.officerA, found.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	other := validInput()
	other.Targets = []request.Target{{Type: request.TargetPhone, Value: "+1 555 0100 199"}}
	mustCreate(t, e, e.officerA, other) // a draft that matches none of the searches

	for _, tc := range []struct {
		desc, q string
	}{
		{"reference, with spaces around it", " " + found.Reference + " "},
		{"reference as typed in lower case", "wd" + found.Reference[2:]},
		{"docket, in another case", "cr-2026-07777"},
		{"phone, formatted", "+1 (555) 010-0123"},
		{"phone, without its country code, read in the agency's country", "(555) 010-0123"},
		{"username, with its @ and capitals", "@RIVER.suspect"},
		{"account id, upper case", "0B7D3C56-8F0E-4C1A-9D2B-6F4E1A2B3C4D"},
		{"email, mixed case", "SUSPECT@example.ORG"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if diff := cmp.Diff([]string{found.Reference}, search(t, e, e.officerA, request.Filter{Query: tc.q})); diff != "" {
				t.Errorf("officer searching %q (-want +got):\n%s", tc.q, diff)
			}
		})
	}
	t.Run("nothing matches", func(t *testing.T) {
		if got := search(t, e, e.officerA, request.Filter{Query: "+44 7700 900123"}); len(got) != 0 {
			t.Errorf("found %v, want nothing", got)
		}
	})
	t.Run("the provider finds the submitted request", func(t *testing.T) {
		if diff := cmp.Diff([]string{found.Reference}, search(t, e, e.reviewer, request.Filter{Query: "+1 (555) 010-0123"})); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("another agency finds nothing", func(t *testing.T) {
		for _, q := range []string{found.Reference, "CR-2026-07777", "+1 (555) 010-0123", "river.suspect"} {
			if got := search(t, e, e.officerB, request.Filter{Query: q}); len(got) != 0 {
				t.Errorf("officer of another agency searching %q found %v", q, got)
			}
			if got := search(t, e, e.officerB, request.Filter{Query: q, AgencyID: e.a.ID}); len(got) != 0 {
				t.Errorf("officer of another agency searching %q in agency A found %v", q, got)
			}
		}
	})
	t.Run("the provider never finds an emergency awaiting its co-signature", func(t *testing.T) {
		em := validInput()
		em.Process, em.Docket, em.IssuingAuthority.SignedBy, em.IssuingAuthority.Kind = "us.emergency", "EM-1", "", "agency"
		em.Emergency = &request.Emergency{Narrative: "A kidnapped child; the captor is messaging the family.",
			Callback: "+15550100199", SupervisorID: e.supervisorA.PersonID}
		em.Targets = []request.Target{{Type: request.TargetPhone, Value: "+1 555 0100 777"}}
		r := mustCreate(t, e, e.officerA, em)
		if _, err := e.submit(ctx, e.officerA, r.ID); err != nil {
			t.Fatalf("submit: %v", err)
		}
		for _, q := range []string{r.Reference, "EM-1", "+1 555 010 0777"} {
			if got := search(t, e, e.reviewer, request.Filter{Query: q}); len(got) != 0 {
				t.Errorf("provider searching %q found %v, an emergency its supervisor has not co-signed", q, got)
			}
			if diff := cmp.Diff([]string{r.Reference}, search(t, e, e.officerA, request.Filter{Query: q})); diff != "" {
				t.Errorf("its agency searching %q (-want +got):\n%s", q, diff)
			}
		}
		// Its agency's list says it waits for the co-signature; the
		// submitted request that reached the provider does not.
		page, err := e.svc.List(ctx, e.officerA, request.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !page.AwaitingCosign[r.ID] || page.AwaitingCosign[found.ID] || len(page.AwaitingCosign) != 1 {
			t.Errorf("AwaitingCosign = %v, want only the emergency %s", page.AwaitingCosign, r.ID)
		}
	})
	t.Run("filters by agency and process", func(t *testing.T) {
		if diff := cmp.Diff([]string{found.Reference}, search(t, e, e.reviewer, request.Filter{AgencyID: e.a.ID, Process: "us.subpoena"})); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if got := search(t, e, e.reviewer, request.Filter{AgencyID: e.b.ID}); len(got) != 0 {
			t.Errorf("agency B has no requests; found %v", got)
		}
		if got := search(t, e, e.reviewer, request.Filter{Process: "us.emergency"}); len(got) != 0 {
			t.Errorf("the only emergency is hidden; found %v", got)
		}
	})
	t.Run("refuses a search longer than any identifier", func(t *testing.T) {
		long := make([]byte, 255)
		for i := range long {
			long[i] = 'a'
		}
		_, err := e.svc.List(ctx, e.officerA, request.Filter{Query: string(long)})
		if got, want := errs.CodeOf(err), errs.Invalid; got != want {
			t.Fatalf("code %s, want %s", got, want)
		}
		if diff := cmp.Diff([]string{"q"}, fieldNames(err)); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
}

func TestListPageNumbers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var want []string
	for range 7 {
		want = append([]string{mustCreate(t, e, e.officerA, validInput()).Reference}, want...) // newest first
	}
	mustCreate(t, e, e.officerB, validInput())

	var got []string
	for n := 1; n <= 3; n++ {
		page, err := e.svc.List(ctx, e.officerA, request.Filter{Page: n, Limit: 3})
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		if page.Number != n || page.Pages != 3 || page.Total != 7 || page.NextCursor != "" {
			t.Errorf("page %d: number %d of %d, %d in all, cursor %q; want %d of 3, 7, none", n, page.Number, page.Pages, page.Total, page.NextCursor, n)
		}
		for _, r := range page.Items {
			got = append(got, r.Reference)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("references across the pages (-want +got):\n%s", diff)
	}
	beyond, err := e.svc.List(ctx, e.officerA, request.Filter{Page: 4, Limit: 3})
	if err != nil || len(beyond.Items) != 0 || beyond.Pages != 3 {
		t.Errorf("past the last page: %d items of %d pages, %v; want none of 3", len(beyond.Items), beyond.Pages, err)
	}
	first, err := e.svc.List(ctx, e.officerA, request.Filter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc   string
		filter request.Filter
	}{
		{"negative page", request.Filter{Page: -1}},
		{"page and cursor", request.Filter{Page: 2, Cursor: first.NextCursor}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := e.svc.List(ctx, e.officerA, tc.filter)
			if got, want := errs.CodeOf(err), errs.Invalid; got != want {
				t.Fatalf("code %s, want %s", got, want)
			}
			if diff := cmp.Diff([]string{"page"}, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAgencies(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	names := func(actor *identity.Principal) []string {
		as, err := e.svc.Agencies(ctx, actor)
		if err != nil {
			t.Fatalf("Agencies: %v", err)
		}
		out := []string{}
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{e.a.Name}, names(e.officerA)); diff != "" {
		t.Errorf("an agency's filter (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{e.b.Name, e.a.Name}, names(e.reviewer)); diff != "" {
		t.Errorf("the provider's filter, by name (-want +got):\n%s", diff)
	}
}
