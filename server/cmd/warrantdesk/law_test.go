package main

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// lawScope is the part of GET /api/v1/requests/{id} the law decides.
type lawScope struct {
	Offence struct {
		MaxPenaltyMonths *float64 `json:"max_penalty_months"`
		MaxPenaltyYears  *float64 `json:"max_penalty_years"`
		Grounds          []string `json:"grounds"`
	} `json:"offence"`
	Purpose string `json:"purpose"`
	Scope   struct {
		Valid      bool     `json:"valid"`
		Categories []string `json:"categories"`
		Refused    []struct {
			Category, Code, Reason string
		} `json:"refused"`
		Errors []struct {
			Field, Message string
		} `json:"errors"`
		Fields           map[string][]string `json:"fields"`
		NationalSecurity bool                `json:"national_security"`
		Notification     *struct {
			HoldHours      int `json:"hold_hours"`
			RefusalGrounds []struct {
				ID string `json:"id"`
			} `json:"refusal_grounds"`
		} `json:"notification"`
		UserNotice struct {
			Allowed    bool   `json:"allowed"`
			Indefinite bool   `json:"indefinite"`
			Until      string `json:"until"`
			Code       string `json:"code"`
		} `json:"user_notice"`
	} `json:"scope"`
}

// order is a request body in order for process, changed by patch.
func order(process, authority string, patch map[string]any) map[string]any {
	body := map[string]any{
		"process":           process,
		"issuing_authority": map[string]any{"kind": authority, "name": "The issuing authority", "signed_by": "A. Signer"},
		"docket":            "LAW-1",
		"issued_on":         daysFromToday(-2),
		"expires_on":        daysFromToday(20),
		"targets":           []any{map[string]any{"type": "phone", "value": "+1 555 0100 123"}},
		"date_from":         daysFromToday(-40),
		"date_to":           daysFromToday(-3),
		"categories":        []any{"subscriber", "connection_log"},
		"offence":           map[string]any{"description": "robbery", "max_penalty_years": 20},
		"summary":           "A test of the law.",
	}
	maps.Copy(body, patch)
	return body
}

// TestLawThroughTheAPI files, through the API as the agencies' systems,
// requests that the corrected law decides, and checks each decision as the
// API reports it (on the database the suite runs on).
func TestLawThroughTheAPI(t *testing.T) {
	base := MustRunMain(t)
	clients := map[string]*apiClient{
		"US": newAPIClient(t, base, "riverside-pd-cms", "riverside-demo-secret"),
		"GB": newAPIClient(t, base, "northshire-cms", "northshire-demo-secret"),
		"DE": newAPIClient(t, base, "lka-musterland-cms", "lka-demo-secret"),
	}
	tests := []struct {
		desc       string
		country    string
		body       map[string]any
		wantCats   []string
		wantRefuse map[string]string // category → code
		wantError  string            // a field the decision names, or ""
		check      func(t *testing.T, got lawScope)
	}{
		{
			desc: "OverseasProductionOrderReachesNothing", country: "GB",
			body:       order("uk.opo", "judge", nil),
			wantRefuse: map[string]string{"subscriber": "excepted_electronic_data", "connection_log": "excepted_electronic_data"},
		},
		{
			desc: "OverseasProductionOrderVoidAfterThreeMonths", country: "GB",
			body:       order("uk.opo", "judge", map[string]any{"issued_on": daysFromToday(-100), "date_from": daysFromToday(-130), "date_to": daysFromToday(-101)}),
			wantRefuse: map[string]string{"subscriber": "order_void", "connection_log": "order_void"},
		},
		{
			desc: "IPATwelveMonthsIsSerious", country: "GB",
			body:     order("uk.ipa", "ocda", map[string]any{"purpose": "crime", "offence": map[string]any{"description": "harassment", "max_penalty_months": 12}}),
			wantCats: []string{"subscriber", "connection_log"},
			check: func(t *testing.T, got lawScope) {
				if u := got.Scope.UserNotice; u.Allowed || u.Code != "ipa_s82" {
					t.Errorf("user notice %+v, want never (s. 82)", u)
				}
			},
		},
		{
			desc: "IPASixMonthsIsNotSerious", country: "GB",
			body:       order("uk.ipa", "ocda", map[string]any{"purpose": "crime", "offence": map[string]any{"description": "harassment", "max_penalty_years": 0.5}}),
			wantCats:   []string{"subscriber"},
			wantRefuse: map[string]string{"connection_log": "serious_crime_required"},
			check: func(t *testing.T, got lawScope) {
				if m := got.Offence.MaxPenaltyMonths; m == nil || *m != 6 {
					t.Errorf("0.5 years stored as %v months, want 6", m)
				}
				if y := got.Offence.MaxPenaltyYears; y == nil || *y != 0.5 {
					t.Errorf("answered as %v years, want 0.5", y)
				}
			},
		},
		{
			desc: "IPASixMonthsByCommunicationIsSerious", country: "GB",
			body: order("uk.ipa", "ocda", map[string]any{"purpose": "crime",
				"offence": map[string]any{"description": "malicious communications", "max_penalty_months": 6, "grounds": []any{"communication"}}}),
			wantCats: []string{"subscriber", "connection_log"},
		},
		{
			desc: "IPAThreatToLifeNeedsNoSeriousCrime", country: "GB",
			body:     order("uk.ipa", "ocda", map[string]any{"purpose": "threat_to_life", "offence": map[string]any{"description": "missing person"}}),
			wantCats: []string{"subscriber", "connection_log"},
		},
		{
			desc: "IPANationalSecurityIsBanded", country: "GB",
			body:     order("uk.ipa", "ocda", map[string]any{"purpose": "national_security"}),
			wantCats: []string{"subscriber", "connection_log"},
			check: func(t *testing.T, got lawScope) {
				if !got.Scope.NationalSecurity {
					t.Error("an authorisation for national security is not national-security")
				}
			},
		},
		{
			desc: "IPAPenaltyAskedForNotGuessed", country: "GB",
			body:       order("uk.ipa", "ocda", map[string]any{"purpose": "crime", "offence": map[string]any{"description": "theft"}}),
			wantCats:   []string{"subscriber"},
			wantRefuse: map[string]string{"connection_log": "serious_crime_required"},
			wantError:  "offence.max_penalty_months",
		},
		{
			desc: "IPADesignatedSeniorOfficerWithoutUrgency", country: "GB",
			body:       order("uk.ipa", "designated_senior_officer", map[string]any{"purpose": "crime"}),
			wantRefuse: map[string]string{"subscriber": "urgency_required", "connection_log": "urgency_required"},
		},
		{
			desc: "IPAAuthorisationLapsedAfterAMonth", country: "GB",
			body:       order("uk.ipa", "ocda", map[string]any{"purpose": "crime", "issued_on": daysFromToday(-40), "date_from": daysFromToday(-70), "date_to": daysFromToday(-41)}),
			wantRefuse: map[string]string{"subscriber": "authorisation_lapsed", "connection_log": "authorisation_lapsed"},
		},
		{
			desc: "EPOCIdentificationReleasesIPPortTime", country: "DE",
			body:     order("eu.epoc", "prosecutor", map[string]any{"purpose": "identification", "offence": map[string]any{"description": "fraud"}}),
			wantCats: []string{"subscriber", "connection_log"},
			check: func(t *testing.T, got lawScope) {
				if f := got.Scope.Fields["connection_log"]; !slices.Equal(f, []string{"account_id", "time", "ip", "port"}) {
					t.Errorf("connection_log fields %v, want account_id, time, ip, port", f)
				}
				if got.Scope.Notification != nil {
					t.Error("identification data notified to the enforcing authority")
				}
				if u := got.Scope.UserNotice; u.Allowed {
					t.Errorf("user notice %+v: the issuing authority informs (Art. 13)", u)
				}
			},
		},
		{
			desc: "EPOCTrafficDataNotifiedAbroad", country: "DE",
			body:     order("eu.epoc", "judge", map[string]any{"purpose": "criminal_proceedings", "categories": []any{"device"}}),
			wantCats: []string{"device"},
			check: func(t *testing.T, got lawScope) {
				n := got.Scope.Notification
				if n == nil || n.HoldHours != 240 || len(n.RefusalGrounds) != 4 {
					t.Errorf("notification %+v, want a 240-hour hold and the four Art. 12 grounds", n)
				}
			},
		},
		{
			desc: "EPOCTrafficDataTwoYearsRefused", country: "DE",
			body:       order("eu.epoc", "judge", map[string]any{"purpose": "criminal_proceedings", "categories": []any{"device"}, "offence": map[string]any{"description": "theft", "max_penalty_years": 2}}),
			wantRefuse: map[string]string{"device": "offence_threshold"},
		},
		{
			desc: "EPOCTrafficDataListedOffence", country: "DE",
			body: order("eu.epoc", "judge", map[string]any{"purpose": "criminal_proceedings", "categories": []any{"device"},
				"offence": map[string]any{"description": "attack on a server", "max_penalty_years": 2, "grounds": []any{"attacks_on_information_systems"}}}),
			wantCats: []string{"device"},
		},
		{
			desc: "2703dFromAProsecutorReachesNothing", country: "US",
			body:       order("us.2703d", "prosecutor", nil),
			wantRefuse: map[string]string{"subscriber": "issuer_not_competent", "connection_log": "issuer_not_competent"},
			wantError:  "issuing_authority.kind",
		},
		{
			desc: "SubpoenaGagFromAProsecutorDoesNotBind", country: "US",
			body:     order("us.subpoena", "prosecutor", map[string]any{"nondisclosure": map[string]any{"ordered": true, "until": daysFromToday(100)}}),
			wantCats: []string{"subscriber", "connection_log"},
			check: func(t *testing.T, got lawScope) {
				if u := got.Scope.UserNotice; !u.Allowed || u.Code != "nondisclosure_not_binding" {
					t.Errorf("user notice %+v, want allowed: not binding (2705(b))", u)
				}
			},
		},
		{
			desc: "SubpoenaWithACourtsGag", country: "US",
			body:     order("us.subpoena", "prosecutor", map[string]any{"nondisclosure": map[string]any{"ordered": true, "until": daysFromToday(100), "issued_by": "court"}}),
			wantCats: []string{"subscriber", "connection_log"},
			check: func(t *testing.T, got lawScope) {
				if u := got.Scope.UserNotice; u.Code != "nondisclosure_order" || u.Until != daysFromToday(100) {
					t.Errorf("user notice %+v, want gagged until %s", u, daysFromToday(100))
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			var created struct {
				ID string `json:"id"`
			}
			if code := clients[tc.country].call(http.MethodPost, "/api/v1/requests", tc.body, &created); code != http.StatusCreated {
				t.Fatalf("create: status %d", code)
			}
			var got lawScope
			if code := clients[tc.country].call(http.MethodGet, "/api/v1/requests/"+created.ID, nil, &got); code != http.StatusOK {
				t.Fatalf("get: status %d", code)
			}
			if got.Scope.Categories == nil {
				got.Scope.Categories = []string{}
			}
			want := tc.wantCats
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got.Scope.Categories, want) {
				t.Errorf("authorised %v, want %v (refused %+v, errors %+v)", got.Scope.Categories, want, got.Scope.Refused, got.Scope.Errors)
			}
			refused := map[string]string{}
			for _, r := range got.Scope.Refused {
				refused[r.Category] = r.Code
				if r.Reason == "" {
					t.Errorf("%s refused without a reason", r.Category)
				}
			}
			if tc.wantRefuse == nil {
				tc.wantRefuse = map[string]string{}
			}
			if !maps.Equal(refused, tc.wantRefuse) {
				t.Errorf("refused %v, want %v", refused, tc.wantRefuse)
			}
			named := false
			for _, e := range got.Scope.Errors {
				named = named || e.Field == tc.wantError
			}
			if tc.wantError != "" && !named {
				t.Errorf("errors %+v do not name %s", got.Scope.Errors, tc.wantError)
			}
			if tc.wantError == "" && len(got.Scope.Errors) > 0 {
				t.Errorf("unexpected errors %+v", got.Scope.Errors)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}

	t.Run("NothingLawfulCannotBeSubmitted", func(t *testing.T) {
		var created struct {
			ID string `json:"id"`
		}
		gb := clients["GB"]
		if code := gb.call(http.MethodPost, "/api/v1/requests", order("uk.opo", "judge", nil), &created); code != http.StatusCreated {
			t.Fatalf("create: status %d", code)
		}
		if code, body := gb.upload("/api/v1/requests/"+created.ID+"/documents", "order.pdf", minimalPDF()); code != http.StatusCreated {
			t.Fatalf("upload: status %d: %s", code, body)
		}
		var p apiProblem
		code := gb.call(http.MethodPost, "/api/v1/requests/"+created.ID+"/submit", nil, &p)
		if code < 400 || !strings.Contains(p.Detail, "excepted electronic data") {
			t.Errorf("submit of an OPO: status %d, %q; want refused with the reason", code, p.Detail)
		}
	})

	t.Run("SeriousCrimeTickBoxIsGone", func(t *testing.T) {
		var p apiProblem
		code := clients["GB"].call(http.MethodPost, "/api/v1/requests", order("uk.ipa", "ocda", map[string]any{"serious_crime": true}), &p)
		if code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != "serious_crime" ||
			!strings.Contains(p.Errors[0].Message, "offence.grounds") {
			t.Errorf("status %d, %+v; want 422 naming serious_crime and what replaces it", code, p.Errors)
		}
	})

	t.Run("GuideSaysTheLawInWords", func(t *testing.T) {
		resp, err := http.Get(base + "/guide")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		page := htmlUnescape(string(b))
		for _, want := range []string{
			"excepted electronic data", "s. 9(1)", "s. 65(3A)", "s. 61A", "s. 86(2A)(b)(ii)", "Article 3(10)",
			"Article 12(1)(d)", "18 U.S.C. § 3123(d)", "18 U.S.C. § 3125", "50 U.S.C. § 1842", "18 U.S.C. § 2709",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("/guide does not say %q", want)
			}
		}
	})
}
