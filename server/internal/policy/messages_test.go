package policy_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/warrantdesk/warrantdesk/policies"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// bundleTexts are the strings of the bundle's policy modules that are
// words (with a space, or one capitalised word): every text and sprintf format a decision or the
// catalogue can say, with the file it is in.
func bundleTexts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		ast.WalkTerms(m, func(term *ast.Term) bool {
			if s, ok := term.Value.(ast.String); ok && (strings.Contains(string(s), " ") || wordRE.MatchString(string(s))) {
				out[string(s)] = p
			}
			return false
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var wordRE = regexp.MustCompile(`^[A-Z][a-z]+$`)

// TestMessagesComplete: every text and format the bundle writes has a
// German text in messages/de.json (citations, said as written, aside), and
// de.json lists nothing the bundle no longer writes.
func TestMessagesComplete(t *testing.T) {
	e := MustLoad(t)
	m := e.Messages()
	texts := bundleTexts(t)
	var missing []string
	for s, file := range texts {
		if strings.Contains(s, "%") {
			if !policy.HasMessage(m, "de", s) {
				missing = append(missing, file+": "+s)
			}
			continue
		}
		if _, ok := m.Translate("de", s); !ok {
			missing = append(missing, file+": "+s)
		}
	}
	sort.Strings(missing)
	for _, s := range missing {
		t.Errorf("no German text: %s", s)
	}
}

// TestMessagesUnused: de.json says nothing the bundle does not write.
func TestMessagesUnused(t *testing.T) {
	texts := bundleTexts(t)
	b, err := fs.ReadFile(policies.FS, "messages/de.json")
	if err != nil {
		t.Fatal(err)
	}
	var dict map[string]string
	if err := json.Unmarshal(b, &dict); err != nil {
		t.Fatal(err)
	}
	for en := range dict {
		if _, ok := texts[en]; !ok {
			t.Errorf("messages/de.json: %q is not in the bundle", en)
		}
	}
}

// TestCatalogueInGerman: every word of the catalogue is said in German;
// ids stay as written, citations too but EU law's, which is cited as
// German lawyers cite it, and the English catalogue is intact.
func TestCatalogueInGerman(t *testing.T) {
	e := MustLoad(t)
	cat, err := e.Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	de := cat.In("de")
	if de.Categories[0].ID != cat.Categories[0].ID {
		t.Errorf("ids changed: %q", de.Categories[0].ID)
	}
	if de.Categories[0].Name == cat.Categories[0].Name {
		t.Errorf("category %q not said in German", cat.Categories[0].Name)
	}
	p, _ := de.Process("eu.epoc")
	if want := "Europäische Herausgabeanordnung (EPOC)"; p.Name != want {
		t.Errorf("eu.epoc in German = %q, want %q", p.Name, want)
	}
	if want := "Verordnung (EU) 2023/1543, Art. 4, 5 und 10"; p.Citation != want {
		t.Errorf("eu.epoc's citation in German = %q, want %q", p.Citation, want)
	}
	if en, _ := cat.Process("eu.epoc"); en.Name != "European Production Order (EPOC)" || en.Citation != "Regulation (EU) 2023/1543, Articles 4, 5 and 10" {
		t.Errorf("English catalogue changed: %q (%q)", en.Name, en.Citation)
	}
	if got := cat.In("en"); !reflect.DeepEqual(got.Categories, cat.Categories) {
		t.Errorf("In(en) changed the catalogue")
	}
}

// scopeInputs are requests under every process, from every authority
// kind, by agencies of each jurisdiction, asking for every category over
// an old range: most refusals, errors and warnings the policy can give.
func scopeInputs(cat policy.Catalogue) []policy.ScopeInput {
	var ids []string
	for _, c := range cat.Categories {
		ids = append(ids, c.ID)
	}
	var out []policy.ScopeInput
	for _, j := range cat.Jurisdictions {
		for _, p := range j.Processes {
			for _, k := range append([]string{""}, authorityIDs(cat)...) {
				for _, country := range []string{"US", "GB", "DE", "FR"} {
					in := usRequest(p.ID, k, ids...)
					in.Agency.Country = country
					in.Request.DateFrom = "2025-01-01"
					in.Request.IssuedOn = "2026-01-10"
					in.Request.NondisclosureOrdered = true
					in.Request.NondisclosureUntil = "2028-12-31"
					in.Request.NondisclosureIssuedBy = k
					out = append(out, in)
					odd := in
					odd.Request.Purpose = "nonsense"
					odd.Request.OffenceMaxPenaltyMonths = months(6)
					odd.Request.OffenceGrounds = []string{"no_such_ground"}
					odd.Request.Emergency = true
					odd.Request.DateTo = "2027-01-01"
					odd.Request.ExpiresOn = "2026-02-01"
					odd.Request.Categories = append(odd.Request.Categories, "no_such")
					odd.Request.Targets = []policy.Target{{Type: "fax"}}
					out = append(out, odd)
				}
			}
		}
	}
	return out
}

func authorityIDs(cat policy.Catalogue) []string {
	var out []string
	for _, a := range cat.AuthorityKinds {
		out = append(out, a.ID)
	}
	return out
}

// TestDecisionsInGerman: the reasons of many decisions, refusals and
// warnings are said wholly in German.
func TestDecisionsInGerman(t *testing.T) {
	e := MustLoad(t)
	ctx := context.Background()
	cat, err := e.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	check := func(text string) {
		if text == "" || seen[text] {
			return
		}
		seen[text] = true
		if de, ok := e.Messages().Translate("de", text); !ok {
			t.Errorf("not wholly German:\n  %s\n  %s", text, de)
		}
	}
	for _, in := range scopeInputs(cat) {
		s, err := e.Scope(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Refused {
			check(r.Reason)
		}
		for _, r := range s.Errors {
			check(r.Text)
		}
		for _, w := range s.Warnings {
			check(w)
		}
		check(s.UserNotice.Reason)
		check(s.Notification.Text)
		r, err := e.Route(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range r.Reasons {
			check(x.Text)
		}
		a, err := e.Approvals(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range a.Reasons {
			check(x.Text)
		}
	}
	actors := []policy.Actor{
		{ID: "u1", Roles: []string{"officer"}, AgencyID: "riverside"},
		{ID: "u2", Roles: []string{"supervisor"}, AgencyID: "riverside"},
		{ID: "u3", Roles: nil, AgencyID: "riverside"},
		{ID: "p1", Roles: []string{"reviewer"}, Provider: true, Kind: "person", MFA: false, AuthAge: 60},
		{ID: "p2", Roles: []string{"intake"}, Provider: true, Kind: "person", MFA: true, AuthAge: 60},
		{ID: "p3", Roles: []string{"counsel", "admin"}, Provider: true, Kind: "person", MFA: true, AuthAge: 60},
	}
	actions := []string{"request.create", "request.view", "request.submit", "approve", "reject", "cosign", "countersign",
		"request.withdraw", "take", "release", "verify", "close", "extend", "no.such"}
	for _, a := range actors {
		for _, act := range actions {
			for _, status := range []string{"draft", "submitted", "in_review", "closed", "weird"} {
				for _, rel := range []string{policy.RelationOwnAgency, policy.RelationOtherAgency, policy.RelationProvider, "odd"} {
					d, _ := e.Authorize(ctx, policy.AuthzInput{Actor: a, Action: act, Relation: rel,
						Request: &policy.Request{ID: "r1", AgencyID: "riverside", Status: status}})
					for _, r := range d.Reasons {
						check(r.Text)
					}
				}
			}
		}
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct texts checked", len(seen))
	}
	// One refusal word for word.
	in := usRequest("us.subpoena", "prosecutor", "device")
	s, err := e.Scope(ctx, in)
	if err != nil || len(s.Refused) != 1 {
		t.Fatalf("Scope: %v, %+v", err, s.Refused)
	}
	got := e.Say("de", s.Refused[0].Reason)
	want := "Die Datenkategorie „Geräteinformationen“ kann mit diesem Verfahren nicht verlangt werden: eine Subpoena (18 U.S.C. § 2703(c)(2)); erforderlich ist ein gerichtlicher Beschluss nach 2703(d) (us.2703d) oder ein Durchsuchungsbeschluss (us.warrant)."
	if got != want {
		t.Errorf("refusal in German:\n got %s\nwant %s", got, want)
	}
	if e.Say("en", s.Refused[0].Reason) != s.Refused[0].Reason {
		t.Errorf("English changed")
	}
}

// TestSayLeavesOtherTextsAlone: a person's own words, or a text the bundle
// does not wholly translate, come back unchanged; so does English.
func TestSayLeavesOtherTextsAlone(t *testing.T) {
	m := MustLoad(t).Messages()
	for _, s := range []string{
		"The phone is broken. Call me",
		"Bandenmäßiger Computerbetrug",
		"Contacts cannot be compelled by a letter of ours (nowhere); it needs patience.",
	} {
		if got := m.Say("de", s); got != s {
			t.Errorf("Say(de, %q) = %q", s, got)
		}
	}
	if got := m.Say("de", "Contacts"); got != "Kontakte" {
		t.Errorf("Say(de, Contacts) = %q", got)
	}
	if got := m.Say("fr", "Contacts"); got != "Contacts" {
		t.Errorf("Say(fr, Contacts) = %q", got)
	}
}
