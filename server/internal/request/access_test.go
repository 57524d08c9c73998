package request_test

import (
	"context"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

// TestNeedToKnow: inside an agency a request is seen by its filer, the
// colleagues it is shared with and the agency's supervisors; anyone else,
// in the agency or in another, is told NotFound by every read, exactly as
// for a missing request. Sharing and unsharing (by the filer or a
// supervisor) change that at once, and are audited.
func TestNeedToKnow(t *testing.T) {
	e := workflowtest.New(t, workflowtest.Options{NoStart: true})
	ctx := context.Background()
	colleague := workflowtest.MustPerson(t, e.DB, e.Agency, "colleague", identity.RoleOfficer)
	r, err := e.Requests.Create(ctx, e.Officer, workflowtest.Input(workflowtest.Subpoena))
	if err != nil {
		t.Fatal(err)
	}

	// sees reports whether who finds r through every read of the package.
	sees := func(t *testing.T, who *identity.Principal) bool {
		t.Helper()
		_, getErr := e.Requests.Get(ctx, who, r.ID)
		page, err := e.Requests.List(ctx, who, request.Filter{})
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		listed := false
		for _, it := range page.Items {
			listed = listed || it.ID == r.ID
		}
		search, err := e.Requests.List(ctx, who, request.Filter{Query: r.Reference})
		if err != nil {
			t.Fatalf("search: %v", err)
		}
		visible, err := request.Visible(ctx, e.DB.DB, who, r)
		if err != nil {
			t.Fatal(err)
		}
		refs, err := request.VisibleRefs(ctx, e.DB.DB, who, []string{r.ID})
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		if !who.Provider {
			_, err := request.FindOfAgency(ctx, e.DB.DB, who, r.Reference)
			found = err == nil
			if err != nil && errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("FindOfAgency: %v", err)
			}
		}
		_, accessErr := e.Requests.Access(ctx, who, r.ID)
		got := []bool{getErr == nil, listed, len(search.Items) == 1, visible, len(refs) == 1, found, accessErr == nil}
		for _, g := range got {
			if g != got[0] {
				t.Fatalf("the reads disagree (Get, List, search, Visible, VisibleRefs, FindOfAgency, Access): %v", got)
			}
		}
		if getErr != nil {
			if ee, _ := errs.As(getErr); ee == nil || ee.Code != errs.NotFound || ee.Message != "No such request." {
				t.Fatalf("Get = %v, want the NotFound of a missing request", getErr)
			}
			if errs.CodeOf(accessErr) != errs.NotFound {
				t.Fatalf("Access = %v, want NotFound", accessErr)
			}
		}
		return got[0]
	}

	steps := []struct {
		desc string
		do   func(t *testing.T)
		who  *identity.Principal
		want bool
	}{
		{desc: "the filer sees it", who: e.Officer, want: true},
		{desc: "a colleague it is not shared with does not", who: colleague, want: false},
		{desc: "a supervisor of the agency sees it", who: e.Sergeant, want: true},
		{desc: "the agency's system, an officer, does not", who: e.Client, want: false},
		{desc: "another agency's officer does not", who: e.OtherOfficer, want: false},
		{desc: "another agency's supervisor does not", who: e.OtherSupervisor, want: false},
		{desc: "shared by the filer, the colleague sees it", who: colleague, want: true, do: func(t *testing.T) {
			sh, err := e.Requests.Share(ctx, e.Officer, r.ID, colleague.PersonID)
			if err != nil {
				t.Fatal(err)
			}
			if sh.ID != colleague.PersonID || sh.SharedBy != e.Officer.PersonID || sh.Name != "colleague" {
				t.Fatalf("Share = %+v", sh)
			}
		}},
		{desc: "the colleague shares it no further", who: colleague, want: true, do: func(t *testing.T) {
			_, err := e.Requests.Share(ctx, colleague, r.ID, e.Client.PersonID)
			if errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("Share by the colleague = %v, want Forbidden", err)
			}
		}},
		{desc: "unshared by a supervisor, the colleague no longer sees it", who: colleague, want: false, do: func(t *testing.T) {
			who, err := e.Requests.Unshare(ctx, e.Sergeant, r.ID, colleague.PersonID)
			if err != nil || who.ID != colleague.PersonID {
				t.Fatalf("Unshare = %+v, %v", who, err)
			}
		}},
		{desc: "unsharing again finds nothing to unshare", who: e.Officer, want: true, do: func(t *testing.T) {
			if _, err := e.Requests.Unshare(ctx, e.Officer, r.ID, colleague.PersonID); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("Unshare again = %v, want NotFound", err)
			}
		}},
		{desc: "shared by a supervisor, the colleague sees it again", who: colleague, want: true, do: func(t *testing.T) {
			if _, err := e.Requests.Share(ctx, e.Lieutenant, r.ID, colleague.PersonID); err != nil {
				t.Fatal(err)
			}
		}},
		{desc: "a colleague who cannot see it cannot unshare it", who: e.OtherOfficer, want: false, do: func(t *testing.T) {
			if _, err := e.Requests.Unshare(ctx, e.Client, r.ID, colleague.PersonID); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("Unshare by the agency's system = %v, want NotFound", err)
			}
		}},
	}
	for _, st := range steps {
		t.Run(st.desc, func(t *testing.T) {
			if st.do != nil {
				st.do(t)
			}
			if got := sees(t, st.who); got != st.want {
				t.Errorf("sees = %v, want %v", got, st.want)
			}
		})
	}

	var actions []string
	if err := e.DB.Raw(`SELECT action FROM audit_events WHERE request_id = ? AND action IN ('request.share', 'request.unshare') AND outcome = 'success' ORDER BY seq`, r.ID).
		Scan(&actions).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{"request.share", "request.unshare", "request.share"}; !equal(actions, want) {
		t.Errorf("audited %v, want %v", actions, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestShareRefused: a request is shared only with an active person of its
// own agency who does not see it yet; any other is refused beside
// person_id, and nothing is written.
func TestShareRefused(t *testing.T) {
	e := workflowtest.New(t, workflowtest.Options{NoStart: true})
	ctx := context.Background()
	suspended := workflowtest.MustPerson(t, e.DB, e.Agency, "suspended", identity.RoleOfficer)
	if err := identity.SetPersonStatus(ctx, e.DB.DB, suspended.PersonID, identity.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	system := workflowtest.MustPerson(t, e.DB, e.Agency, "records", identity.RoleOfficer)
	if err := e.DB.Exec(`UPDATE people SET kind = 'client' WHERE id = ?`, system.PersonID).Error; err != nil {
		t.Fatal(err)
	}
	colleague := workflowtest.MustPerson(t, e.DB, e.Agency, "colleague", identity.RoleOfficer)
	r, err := e.Requests.Create(ctx, e.Officer, workflowtest.Input(workflowtest.Subpoena))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Requests.Share(ctx, e.Officer, r.ID, colleague.PersonID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc, person, message string
	}{
		{"another agency's officer", e.OtherOfficer.PersonID, "The person you chose is not in your agency: choose a colleague from the list."},
		{"the provider's staff", e.Reviewer.PersonID, "The person you chose is not in your agency: choose a colleague from the list."},
		{"nobody", "01900000-0000-7000-8000-000000000000", "The person you chose is not in your agency: choose a colleague from the list."},
		{"no one chosen", "", "Choose the colleague to share this request with."},
		{"a suspended colleague", suspended.PersonID, "suspended's account is suspended: choose an active colleague."},
		{"the agency's system", system.PersonID, "records is an agency system, not a person: choose a colleague."},
		{"the filer", e.Officer.PersonID, "officer filed this request and already sees it."},
		{"a colleague it is shared with", colleague.PersonID, "This request is already shared with colleague."},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			before := counts(t, e)
			_, err := e.Requests.Share(ctx, e.Officer, r.ID, tc.person)
			ee, ok := errs.As(err)
			if !ok || ee.Code != errs.Invalid || len(ee.Fields) != 1 || ee.Fields[0].Field != "person_id" {
				t.Fatalf("Share = %v, want Invalid beside person_id", err)
			}
			if got := ee.Fields[0].Message; got != tc.message {
				t.Errorf("message %q, want %q", got, tc.message)
			}
			if after := counts(t, e); after != before {
				t.Errorf("shares and audit events %v, then %v: something was written", before, after)
			}
		})
	}
	// Nobody outside the request's agency sees it through a refused share.
	if _, err := e.Requests.Get(ctx, e.OtherOfficer, r.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("another agency's officer: %v, want NotFound", err)
	}
}

// counts are the shares and the audit events of sharing.
func counts(t *testing.T, e *workflowtest.Env) [2]int64 {
	t.Helper()
	var out [2]int64
	if err := e.DB.Raw(`SELECT COUNT(*) FROM request_shares`).Scan(&out[0]).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'request.share'`).Scan(&out[1]).Error; err != nil {
		t.Fatal(err)
	}
	return out
}
