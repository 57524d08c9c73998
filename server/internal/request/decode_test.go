package request_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// dateEq compares calendar dates, whose field is unexported.
var dateEq = cmp.Comparer(func(a, b day.Date) bool { return a == b })

// designBody is DESIGN.md's request body.
const designBody = `{
  "process": "us.subpoena",
  "issuing_authority": {"kind": "court", "name": "Superior Court of Riverside County", "signed_by": "Hon. A. Example"},
  "docket": "CR-2026-01234",
  "issued_on": "2026-11-20", "expires_on": "2027-02-20",
  "targets": [{"type": "phone", "value": "+1 555 0100 123"}],
  "date_from": "2026-08-01", "date_to": "2026-11-01",
  "categories": ["subscriber", "connection_log"],
  "nondisclosure": {"ordered": true, "until": "2027-05-20"},
  "emergency": null,
  "offence": {"description": "armed robbery", "max_penalty_years": 20},
  "summary": "Robbery of a jewellery store on 2026-10-03."
}`

func TestDecodeInput(t *testing.T) {
	in, err := request.DecodeInput([]byte(designBody))
	if err != nil {
		t.Fatalf("DecodeInput: %v", err)
	}
	if diff := cmp.Diff(validInput(), in, dateEq); diff != "" {
		t.Errorf("DecodeInput (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		desc string
		body string
		want []string
	}{
		{desc: "not JSON", body: `process=us.subpoena`, want: []string{"body"}},
		{desc: "an array", body: `[]`, want: []string{"body"}},
		{desc: "null", body: `null`, want: []string{"body"}},
		{desc: "unknown field", body: `{"date_form": "2026-08-01"}`, want: []string{"date_form"}},
		{desc: "unknown nested field", body: `{"offence": {"penalty": 3}}`, want: []string{"offence.penalty"}},
		{desc: "number for a string", body: `{"docket": 1234}`, want: []string{"docket"}},
		{desc: "malformed date", body: `{"issued_on": "20/11/2026"}`, want: []string{"issued_on"}},
		{desc: "impossible date", body: `{"date_to": "2026-02-30"}`, want: []string{"date_to"}},
		{desc: "date as a number", body: `{"date_from": 20260801}`, want: []string{"date_from"}},
		{desc: "nested date", body: `{"nondisclosure": {"ordered": "yes", "until": "soon"}}`, want: []string{"nondisclosure.ordered", "nondisclosure.until"}},
		{desc: "targets not a list", body: `{"targets": "+15550100123"}`, want: []string{"targets"}},
		{desc: "target fields", body: `{"targets": [{"type": "phone", "value": "+1 555 0100 123"}, {"type": 1, "value": ["x"], "note": ""}]}`,
			want: []string{"targets[1].note", "targets[1].type", "targets[1].value"}},
		{desc: "target not an object", body: `{"targets": ["+15550100123", null]}`, want: []string{"targets[0]", "targets[1]"}},
		{desc: "category not a string", body: `{"categories": ["subscriber", 7]}`, want: []string{"categories[1]"}},
		{desc: "penalty in months and years disagree", body: `{"offence": {"max_penalty_years": 2.5, "max_penalty_months": 12}}`, want: []string{"offence.max_penalty_months"}},
		{desc: "penalty as a string", body: `{"offence": {"max_penalty_years": "20"}}`, want: []string{"offence.max_penalty_years"}},
		{desc: "emergency not an object", body: `{"emergency": true}`, want: []string{"emergency"}},
		{desc: "serious_crime is replaced by the penalty and grounds", body: `{"serious_crime": true}`, want: []string{"serious_crime"}},
		{desc: "grounds not a list", body: `{"offence": {"grounds": "violence"}}`, want: []string{"offence.grounds"}},
		{desc: "sentence as a string", body: `{"offence": {"sentence_months": "6"}}`, want: []string{"offence.sentence_months"}},
		{desc: "all at once", body: `{"process": 1, "issued_on": "x", "extra": {}, "issuing_authority": "court"}`,
			want: []string{"extra", "issued_on", "issuing_authority", "process"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := request.DecodeInput([]byte(tc.body))
			if got, want := errs.CodeOf(err), errs.Invalid; got != want {
				t.Fatalf("code %s (%v), want %s", got, err, want)
			}
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeUpdate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	in := validInput()
	// An EU order may state an emergency case (Art. 10(4)), or not.
	in.Process = "eu.epoc"
	in.Emergency = &request.Emergency{Narrative: "Threat to life."}
	r := mustCreate(t, e, e.officerA, in)

	// Absent fields stay; null clears; objects are replaced whole.
	u, err := request.DecodeUpdate([]byte(`{"emergency": null, "expires_on": null, "offence": {"description": "robbery"}, "summary": "new"}`))
	if err != nil {
		t.Fatalf("DecodeUpdate: %v", err)
	}
	got, err := e.svc.Update(ctx, e.officerA, r.ID, r.Version, u)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.Emergency || got.EmergencyNarrative != "" {
		t.Errorf("emergency not withdrawn: %v %q", got.Emergency, got.EmergencyNarrative)
	}
	if !got.ExpiresOn.IsZero() {
		t.Errorf("expires_on = %s, want cleared", got.ExpiresOn)
	}
	if got.Offence.Description != "robbery" || got.Offence.MaxPenaltyMonths != nil {
		t.Errorf("offence = %+v, want replaced whole", got.Offence)
	}
	if got.Summary != "new" || got.Docket != in.Docket || got.IssuedOn != in.IssuedOn || len(got.Targets) != 1 {
		t.Errorf("untouched fields changed: %+v", got)
	}
	stored := mustGet(t, e, r.ID)
	if diff := cmp.Diff(got.Input(), stored.Input(), dateEq); diff != "" {
		t.Errorf("stored differs from returned (-returned +stored):\n%s", diff)
	}
	if h := stored.History[len(stored.History)-1]; h.Comment != "Changed expires_on, emergency, offence, summary." {
		t.Errorf("history comment = %q", h.Comment)
	}

	empty, err := request.DecodeUpdate([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	same, err := e.svc.Update(ctx, e.officerA, r.ID, got.Version, empty)
	if err != nil {
		t.Fatalf("empty Update: %v", err)
	}
	if same.Version != got.Version {
		t.Errorf("empty Update bumped the version to %d", same.Version)
	}

	if _, err := request.DecodeUpdate([]byte(`{"targets": [{"type": "phone"}], "bogus": 1}`)); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("DecodeUpdate of a bad body: %v, want Invalid", err)
	} else if diff := cmp.Diff([]string{"bogus"}, fieldNames(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}
