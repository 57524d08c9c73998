package policy_test

import (
	"context"
	"fmt"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// A subpoena asking for content, subscriber information and device data
// obtains the subscriber information only; every refusal says why.
func ExampleEngine_Scope() {
	ctx := context.Background()
	e, err := policy.Load(ctx, policies.FS)
	if err != nil {
		panic(err)
	}
	s, err := e.Scope(ctx, policy.ScopeInput{
		Agency: policy.Agency{ID: "riverside", Country: "US"},
		Request: policy.Request{
			Process:       "us.subpoena",
			AuthorityKind: "grand_jury",
			Categories:    []string{"content", "subscriber", "device"},
			Targets:       []policy.Target{{Type: "phone", Value: "+15550100123"}},
			DateFrom:      "2026-10-01",
			DateTo:        "2026-11-20",
			IssuedOn:      "2026-11-20",
		},
		Today: "2026-11-25",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("valid:", s.Valid)
	fmt.Println("authorised:", s.Categories)
	for _, r := range s.Refused {
		fmt.Printf("refused %s (%s): %s\n", r.Category, r.Code, r.Reason)
	}
	// Output:
	// valid: true
	// authorised: [subscriber]
	// refused device (not_compellable): Device information cannot be compelled by a subpoena (18 U.S.C. § 2703(c)(2)); it needs a 2703(d) order (us.2703d) or a search warrant (us.warrant).
	// refused content (content_e2ee): Message content is end-to-end encrypted; the provider holds no key and stores no content, so it cannot be produced under any legal process.
}

// An officer may submit a draft of their own agency; another agency's
// request is closed to them.
func ExampleEngine_Authorize() {
	ctx := context.Background()
	e, err := policy.Load(ctx, policies.FS)
	if err != nil {
		panic(err)
	}
	officer := policy.Actor{ID: "u1", Roles: []string{"officer"}, AgencyID: "riverside"}
	draft := &policy.Request{ID: "r1", AgencyID: "riverside", Status: "draft", CreatedBy: "u1"}
	for _, rel := range []string{policy.RelationOwnAgency, policy.RelationOtherAgency} {
		d, err := e.Authorize(ctx, policy.AuthzInput{Actor: officer, Action: "request.submit", Request: draft, Relation: rel})
		if err != nil {
			panic(err)
		}
		fmt.Println(rel, d.Allow, d.Reasons[0].Text)
	}
	// Output:
	// own_agency true Officers submit their agency's drafts.
	// other_agency false This request belongs to another agency.
}
